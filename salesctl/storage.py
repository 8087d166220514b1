"""Putting a writer's changes on disk: one writer at a time, every file replaced whole.

A file is never written in place: the new bytes go to a hidden temporary file in the same
directory, are flushed to disk, and the temporary file is renamed over the old one, so a writer
killed at any moment leaves each file either old or new. Writers take `.salesctl/lock` first
(an advisory lock, released by the system when the process dies, so it never goes stale) and
read the workspace only once they hold it.
"""

from __future__ import annotations

import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    import msvcrt

LOCK_FILE = ".salesctl/lock"
ENV_LOCK_TIMEOUT = "SALESCTL_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 10.0
TEMP_SUFFIX = ".salesctl-tmp"


class LockTimeout(Exception):
    """Another writer kept the lock for longer than the timeout."""


class Conflict(Exception):
    """A file changed on disk between reading it and writing it."""


def lock_timeout(env=None) -> float:
    env = os.environ if env is None else env
    try:
        return max(0.0, float(env.get(ENV_LOCK_TIMEOUT, DEFAULT_LOCK_TIMEOUT)))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


@contextmanager
def writer_lock(root: Path, timeout: float | None = None):
    """Hold `.salesctl/lock` for the block; wait up to `timeout` seconds for another writer."""
    timeout = lock_timeout() if timeout is None else timeout
    path = Path(root) / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockTimeout(f"another salesctl writer holds the lock ({LOCK_FILE}, pid {_holder(fd)}); "
                                  f"try again")
            time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock(fd: int):
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:  # pragma: no cover - Windows
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 32).decode().strip() or "unknown"
    except (OSError, UnicodeDecodeError):
        return "unknown"


def apply(root: Path, changes) -> None:
    """Write every change (`path`, `before`, `after`), each file atomically.

    Checks first that every file still holds its `before` bytes (None: does not exist), so a
    change planned from an older state is refused whole. New contents are all written and
    flushed before the first rename, which keeps the window between files as short as it can be.
    """
    root = Path(root)
    for change in changes:
        current = _read(root / change.path)
        if current != change.before:
            raise Conflict(f"{change.path} changed on disk while salesctl was working; nothing written, try again")
    for directory in {(root / change.path).parent for change in changes}:
        _remove_stale_temps(directory)
    staged = []
    try:
        for change in changes:
            target = root / change.path
            staged.append((_stage(target, change.after), target))
        for temp, target in staged:
            os.replace(temp, target)
            _sync_dir(target.parent)
    finally:
        for temp, _ in staged:
            if os.path.exists(temp):
                os.unlink(temp)


def _stage(target: Path, data: bytes) -> str:
    """Write `data` to a hidden temporary file beside `target`, flushed to disk; return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = str(target.parent / f".{target.name}.{uuid.uuid4().hex[:12]}{TEMP_SUFFIX}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        try:
            mode = os.stat(target).st_mode & 0o7777
        except FileNotFoundError:
            mode = None
        if mode is not None:
            os.chmod(temp, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(temp)
        raise
    os.close(fd)
    return temp


def _remove_stale_temps(directory: Path):
    """Temporary files left by a writer that was killed (we hold the lock: none is in use)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.startswith(".") and name.endswith(TEMP_SUFFIX):
            try:
                os.unlink(directory / name)
            except OSError:
                pass


def _sync_dir(directory: Path):
    """Make the rename itself durable (not possible everywhere; then the rename is still atomic)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _read(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
