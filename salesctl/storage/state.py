"""`.salesctl/`, salesctl's own folder in the workspace, and the locks taken in it.

Nothing there is opened through a symbolic link, nor written when it is not salesctl's own (a
lock file holding something else, a second hard link): such a `.salesctl/` is refused with the
reason (`Unsafe`). The danger is a link that is there before the command starts (committed by
force, say); whoever can race a running command could as well change the files themselves.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import time
from contextlib import contextmanager
from pathlib import Path

from ..errors import LockTimeout, Unsafe

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    import msvcrt

STATE_DIR = ".salesctl"
LOCK_FILE = f"{STATE_DIR}/lock"
FILES_LOCK = f"{STATE_DIR}/files.lock"
ENV_LOCK_TIMEOUT = "SALESCTL_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 10.0
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO where a file should be must not block the open


def lock_timeout(env=None) -> float:
    env = os.environ if env is None else env
    try:
        return max(0.0, float(env.get(ENV_LOCK_TIMEOUT, DEFAULT_LOCK_TIMEOUT)))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


def state_dir(root, *, create: bool = False) -> Path | None:
    """`.salesctl/` as a real folder (made when `create`); None when there is none."""
    path = Path(root) / STATE_DIR
    if create:
        try:
            os.mkdir(path)
        except FileExistsError:
            pass
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        raise Unsafe(f"{STATE_DIR} is a symbolic link (to {os.readlink(path)}); salesctl keeps its lock and "
                     f"journal only in a folder of its own: remove the link")
    if not stat.S_ISDIR(st.st_mode):
        raise Unsafe(f"{STATE_DIR} is not a folder; salesctl keeps its lock, journal and caches there: remove it")
    return path


def state_path_ok(path) -> bool:
    """Whether the folders of `path` from `.salesctl` down are real folders (or not made yet):
    a cache written through a link there would land somewhere else."""
    parts = Path(path).parts
    if STATE_DIR not in parts:
        return True
    start = len(parts) - 1 - parts[::-1].index(STATE_DIR)
    for end in range(start + 1, len(parts)):
        try:
            st = os.lstat(Path(*parts[:end]))
        except FileNotFoundError:
            return True
        except OSError:
            return False
        if not stat.S_ISDIR(st.st_mode):
            return False
    return True


def open_own(root, rel: str, flags: int) -> int:
    """Open a file of `.salesctl/` that must be salesctl's own: a regular file with no other name,
    never through a link."""
    try:
        fd = os.open(Path(root) / rel, flags | NOFOLLOW | NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):
            raise Unsafe(f"{rel} is a symbolic link; salesctl never writes through one there: remove it") from None
        if exc.errno == errno.EISDIR:
            raise Unsafe(f"{rel} is not a regular file; salesctl will not write to it: remove it") from None
        raise
    st = os.fstat(fd)
    problem = None
    if not stat.S_ISREG(st.st_mode):
        problem = "is not a regular file"
    elif st.st_nlink > 1:
        problem = "has other hard links (it is also another file)"
    if problem:
        os.close(fd)
        raise Unsafe(f"{rel} {problem}; salesctl will not write to it: remove it")
    return fd


def foreign_lock(content: bytes) -> bool:
    """A lock file holds nothing or the pid of its last holder; anything else is not ours to overwrite."""
    return not re.fullmatch(rb"[0-9]{0,20}\n?", content)


def state_problem(root) -> str | None:
    """What in `.salesctl/` makes writers refuse to run, or None; creates and changes nothing."""
    try:
        if state_dir(root) is None:
            return None
        for rel in (LOCK_FILE, FILES_LOCK):
            try:
                fd = open_own(root, rel, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                if rel == LOCK_FILE and foreign_lock(os.read(fd, 64)):
                    return f"{LOCK_FILE} holds something else than a process id; salesctl will not overwrite it: remove it"
            finally:
                os.close(fd)
    except Unsafe as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot read {STATE_DIR}: {exc.strerror or exc}"
    return None


def open_files_lock(root) -> int | None:
    """The lock readers share, made when missing; None when this user can neither make nor open it."""
    try:
        state_dir(root, create=True)
        return open_own(root, FILES_LOCK, os.O_RDWR | os.O_CREAT)
    except OSError:
        pass
    try:
        return open_own(root, FILES_LOCK, os.O_RDONLY)
    except OSError:
        return None


def wait(fd: int, timeout: float, *, shared: bool, busy):
    deadline = time.monotonic() + timeout
    while not try_lock(fd, shared):
        if time.monotonic() >= deadline:
            raise LockTimeout(busy())
        time.sleep(0.02)


def try_lock(fd: int, shared: bool = False) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows has no shared lock: readers take turns too
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def unlock(fd: int):
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:  # pragma: no cover - Windows
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 32).decode().strip() or "unknown"
    except (OSError, UnicodeDecodeError):
        return "unknown"


@contextmanager
def state_lock(root, rel: str, timeout: float, busy):
    """Hold the lock file `rel` of `.salesctl/` alone for the block, waiting up to `timeout` seconds;
    `busy(pid of the holder)` is the message of the `LockTimeout`. The file holds its holder's pid."""
    state_dir(root, create=True)
    fd = open_own(root, rel, os.O_RDWR | os.O_CREAT)
    try:
        wait(fd, timeout, shared=False, busy=lambda: busy(holder(fd)))
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            if foreign_lock(os.read(fd, 64)):
                raise Unsafe(f"{rel} holds something else than a process id; salesctl will not overwrite it: remove it")
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n".encode())
            yield
        finally:
            unlock(fd)
    finally:
        os.close(fd)
