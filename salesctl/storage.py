"""Putting a writer's plan on disk: one writer at a time, all of a plan or none of it.

salesctl keeps its own state in `.salesctl/` (git-ignored):
- `lock`: a writer holds it for its whole command (read, plan, check, write), so writers take
  turns. An advisory lock, released by the system when its holder dies: it never goes stale.
- `files.lock`: commands that read the working tree hold it shared while they read (`reading`);
  `apply` holds it alone while it changes files, so no reader sees part of a plan.
- `journal`: written and flushed before the first file of a plan changes, removed after the last;
  it holds every file's old and new bytes. A writer killed in between leaves it behind, and the
  next command, reader or writer, finishes the plan from it before it reads anything (`recover`).
- `journal.log`: one line per plan finished that way, for `salesctl doctor`.
Nothing there is opened through a symbolic link, nor written when it is not salesctl's own (a
lock file holding something else, a second hard link): such a `.salesctl/` is refused with the
reason (`Unsafe`). The danger is a link that is there before the command starts (committed by
force, say); whoever can race a running command could as well change the files themselves.

A file is replaced whole: its new bytes go to a hidden temporary file beside it, flushed to disk,
renamed over it with its mode and owner. A symbolic link is written through to its target when
that is inside the workspace, and refused otherwise. A file with other hard links, or whose owner
cannot be given to a new file, is written in place: the journal holds its old bytes.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    import msvcrt

STATE_DIR = ".salesctl"
LOCK_FILE = f"{STATE_DIR}/lock"
FILES_LOCK = f"{STATE_DIR}/files.lock"
JOURNAL = f"{STATE_DIR}/journal"
JOURNAL_LOG = f"{STATE_DIR}/journal.log"
ENV_LOCK_TIMEOUT = "SALESCTL_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 10.0
TEMP_SUFFIX = ".salesctl-tmp"
NEVER_WRITTEN = (STATE_DIR, ".git")  # folders a record file never lives in, even through a link
JOURNAL_MAGIC = b"salesctl-journal 1\n"
NOTE_CHARS = 300
STAGING_THREADS = 16
BULK_FILES = 2000  # from this many staged files on, one sync of the file system instead of one fsync each
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO where a file should be must not block the open
CREATE, REPLACE, IN_PLACE = "create", "replace", "in-place"


class StorageError(Exception):
    """A write (or a read of the working tree) that cannot go ahead safely; the message says why."""


class LockTimeout(StorageError):
    """Another command kept a lock for longer than the timeout."""


class Conflict(StorageError):
    """A file changed on disk between reading it and writing it."""


class Unsafe(StorageError):
    """A link, or a file that is not salesctl's, where salesctl would write."""


class Unfinished(StorageError):
    """A plan is half written, and its journal can be neither finished nor undone for now."""


class Recovery(NamedTuple):
    """A plan a killed writer left half written, finished from its journal."""

    pid: int  # of the writer that was killed
    started: str  # when it began writing (local time, ISO)
    finished: str
    note: str  # what it was writing, in its own words
    files: int
    left: list  # files changed by hand since, left as they are

    def message(self) -> str:
        what = f": {self.note}" if self.note else ""
        text = (f"a write interrupted on {self.started.replace('T', ' ')} (pid {self.pid}{what}) was finished "
                f"on {self.finished.replace('T', ' ')}: {self.files} file{'s' if self.files != 1 else ''}")
        if self.left:
            text += f"; left as they are, changed since: {', '.join(self.left)}"
        return text


def lock_timeout(env=None) -> float:
    env = os.environ if env is None else env
    try:
        return max(0.0, float(env.get(ENV_LOCK_TIMEOUT, DEFAULT_LOCK_TIMEOUT)))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


# --- .salesctl/ ----------------------------------------------------------------------------

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


def _open_own(root, rel: str, flags: int) -> int:
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


def _foreign_lock(content: bytes) -> bool:
    """A lock file holds nothing or the pid of its last holder; anything else is not ours to overwrite."""
    return not re.fullmatch(rb"[0-9]{0,20}\n?", content)


def state_problem(root) -> str | None:
    """What in `.salesctl/` makes writers refuse to run, or None; creates and changes nothing."""
    try:
        if state_dir(root) is None:
            return None
        for rel in (LOCK_FILE, FILES_LOCK):
            try:
                fd = _open_own(root, rel, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                if rel == LOCK_FILE and _foreign_lock(os.read(fd, 64)):
                    return f"{LOCK_FILE} holds something else than a process id; salesctl will not overwrite it: remove it"
            finally:
                os.close(fd)
    except Unsafe as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot read {STATE_DIR}: {exc.strerror or exc}"
    return None


# --- locks ---------------------------------------------------------------------------------

@contextmanager
def writer_lock(root: Path, timeout: float | None = None):
    """Hold `.salesctl/lock` for the block; wait up to `timeout` seconds for another writer.

    A plan that a killed writer left half written is finished first: the block receives what
    `recover` did (None when there was nothing to finish).
    """
    timeout = lock_timeout() if timeout is None else timeout
    state_dir(root, create=True)
    fd = _open_own(root, LOCK_FILE, os.O_RDWR | os.O_CREAT)
    try:
        _wait(fd, timeout, shared=False,
              busy=lambda: f"another salesctl writer holds the lock ({LOCK_FILE}, pid {_holder(fd)}); try again")
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            if _foreign_lock(os.read(fd, 64)):
                raise Unsafe(f"{LOCK_FILE} holds something else than a process id; salesctl will not overwrite "
                             f"it: remove it")
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n".encode())
            yield recover(root, timeout)
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


@contextmanager
def reading(root: Path, timeout: float | None = None):
    """Hold `.salesctl/files.lock` shared while the block reads the working tree: no plan is being
    written meanwhile, and one that a killed writer left is finished first.

    Where the lock cannot be had (a workspace this user cannot write in, a `.salesctl/` writers
    refuse), no plan is written through it either: the block runs without it.
    """
    timeout = lock_timeout() if timeout is None else timeout
    try:
        fd = _open_files_lock(root)
    except Unsafe:
        yield
        return
    if fd is None:
        if _journal_left(root):
            raise Unfinished(f"a write was interrupted ({JOURNAL}) and this user cannot finish it; run any "
                             f"salesctl command as a user who can write in the workspace")
        yield
        return
    busy = f"a salesctl writer has been writing the workspace for over {timeout:g} s ({FILES_LOCK}); try again"
    try:
        while True:
            _wait(fd, timeout, shared=True, busy=lambda: busy)
            if not _journal_left(root):
                break
            _unlock(fd)  # its writer is dead: a live one keeps the lock alone while its journal exists
            _wait(fd, timeout, shared=False, busy=lambda: busy)
            try:
                _recover_locked(root)
            finally:
                _unlock(fd)
        yield
    finally:
        os.close(fd)


def _open_files_lock(root) -> int | None:
    """The lock readers share, made when missing; None when this user can neither make nor open it."""
    try:
        state_dir(root, create=True)
        return _open_own(root, FILES_LOCK, os.O_RDWR | os.O_CREAT)
    except OSError:
        pass
    try:
        return _open_own(root, FILES_LOCK, os.O_RDONLY)
    except OSError:
        return None


def _wait(fd: int, timeout: float, *, shared: bool, busy):
    deadline = time.monotonic() + timeout
    while not _try_lock(fd, shared):
        if time.monotonic() >= deadline:
            raise LockTimeout(busy())
        time.sleep(0.02)


def _try_lock(fd: int, shared: bool = False) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows has no shared lock: readers take turns too
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


# --- applying a plan -----------------------------------------------------------------------

class _Target:
    """One file of a plan: where it really is, its bytes before and after, how it is written."""

    __slots__ = ("shown", "rel", "path", "before", "after", "like", "how", "temp")

    def __init__(self, shown, rel, path, before, after, like):
        self.shown, self.rel, self.path, self.before, self.after, self.like = shown, rel, path, before, after, like
        self.how = CREATE if like is None else IN_PLACE if like.st_nlink > 1 else REPLACE
        self.temp = None


def apply(root: Path, changes, note: str = "") -> None:
    """Write every change (`path`, `before`, `after`): all of them, or none.

    Checks first that every file still holds its `before` bytes (None: does not exist), so a plan
    made from an older state is refused whole. The new contents are staged and flushed beside
    their files before anything changes; then, with readers kept out, the journal is written and
    the files renamed into place (or written in place); a failure on the way undoes what was done.
    Any number of files go through the same steps, each file once.
    """
    root = Path(root)
    recover(root)  # a plan left by a killed writer first (done already under `writer_lock`)
    real_root = os.path.realpath(root)
    targets = _targets(root, real_root, changes)
    if not targets:
        return
    state_dir(root, create=True)
    fd = _open_own(root, FILES_LOCK, os.O_RDWR | os.O_CREAT)
    made, written = [], False
    try:
        for directory in sorted({os.path.dirname(t.path) for t in targets}):
            _remove_stale_temps(directory)
        made = _make_folders(t.path for t in targets)
        _stage_all(targets)
        for t in targets:
            if t.how == IN_PLACE:
                os.close(os.open(t.path, os.O_WRONLY | NOFOLLOW))  # writable: fail now, not half-way
        _wait(fd, lock_timeout(), shared=False,
              busy=lambda: f"other salesctl commands are reading the workspace ({FILES_LOCK}); nothing "
                           f"written, try again")
        _write_journal(root, targets, note)
        try:
            for t in targets:
                _put(t.path, t.after, t.how, t.temp)
                t.temp = None
            _sync_dirs(t.path for t in targets)
        except BaseException as exc:
            _undo(root, targets, exc)
            raise
        _drop_journal(root)
        written = True
    finally:
        os.close(fd)
        for t in targets:
            if t.temp is not None:
                _unlink_quietly(t.temp)
        if not written:
            for directory in made:  # deepest first; any still holding a file stays
                try:
                    os.rmdir(directory)
                except OSError:
                    pass


def _targets(root: Path, real_root: str, changes) -> list[_Target]:
    targets, seen = [], {}
    for change in changes:
        path = _resolve(real_root, os.path.join(root, change.path), change.path)
        if path in seen:
            raise Unsafe(f"{change.path} and {seen[path]} are the same file; nothing written")
        seen[path] = change.path
        current, st = _read(path, change.path)
        if current != change.before:
            raise Conflict(f"{change.path} changed on disk while salesctl was working; nothing written, try again")
        rel = os.path.relpath(path, real_root).replace(os.sep, "/")
        targets.append(_Target(change.path, rel, path, change.before, change.after, st))
    return targets


def _resolve(real_root: str, path: str, shown: str) -> str:
    """The real file `path` names: through links inside the workspace, never out of it, nor into
    `.salesctl/` or `.git/`."""
    real = os.path.realpath(path)
    if not real.startswith(real_root.rstrip(os.sep) + os.sep):
        raise Unsafe(f"{shown} leads outside the workspace (to {real}); nothing written")
    parts = real[len(real_root):].split(os.sep)
    for name in NEVER_WRITTEN:
        if name in parts:
            raise Unsafe(f"{shown} leads into {name}/ (to {real}); nothing written")
    return real


def read_file(path, shown: str) -> bytes | None:
    """The bytes of a file (None when there is none), which must be a regular file (`Unsafe`)."""
    return _read(path, shown)[0]


def _read(path, shown: str) -> tuple[bytes | None, os.stat_result | None]:
    """The bytes and status of a file (None, None when there is none); never waits on a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | NONBLOCK)
    except FileNotFoundError:
        return None, None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Unsafe(f"{shown} is not a regular file; nothing written")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks), st
    finally:
        os.close(fd)


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _make_folders(paths) -> list[str]:
    """Make the missing folders of new files; those made, deepest first (to remove them if the
    write does not happen)."""
    made = []
    for directory in sorted({os.path.dirname(path) for path in paths}):
        missing = []
        while not os.path.isdir(directory):
            missing.append(directory)
            directory = os.path.dirname(directory)
        for folder in reversed(missing):
            os.mkdir(folder)
            made.append(folder)
    return sorted(made, key=len, reverse=True)


def _stage_all(targets: list[_Target]):
    """Stage the new content of every file not written in place, several files at a time: waiting
    for the disk is what takes time, and it takes many flushes at once nearly as fast as one.
    Thousands of files (an import) are flushed by one `sync` once all are staged, where it waits
    until the data is on disk (Linux): as durable as an fsync each, and seconds faster. Each
    thread stages a run of files, so that handing files to threads costs less than writing them."""
    staged = [t for t in targets if t.how != IN_PLACE]
    bulk = len(staged) >= BULK_FILES and sys.platform.startswith("linux")
    size = max(1, len(staged) // (STAGING_THREADS * 4))
    runs = [staged[i:i + size] for i in range(0, len(staged), size)]
    with ThreadPoolExecutor(max_workers=min(STAGING_THREADS, len(runs) or 1)) as pool:
        futures = [pool.submit(_stage_run, run, not bulk) for run in runs]
    failed = None
    for future in futures:
        failed = failed or future.result()
    if failed is not None:
        raise failed
    if bulk:
        os.sync()


def _stage_run(run: list[_Target], flush: bool) -> Exception | None:
    """Stage a run of files (`temp` set on each staged); the failure that stopped it, if any."""
    for t in run:
        try:
            t.temp = _stage(t.path, t.after, t.like, flush)
        except Exception as exc:
            return exc
        if t.temp is None:
            t.how = IN_PLACE
    return None


def _stage(path: str, data: bytes, like: os.stat_result | None, flush: bool = True) -> str | None:
    """Write `data` to a hidden temporary file beside `path`, flushed to disk (unless the caller
    flushes all at once), with the mode and owner of `like` (the file it replaces); None when that
    owner cannot be given to it."""
    directory, name = os.path.split(path)
    os.makedirs(directory, exist_ok=True)
    temp = os.path.join(directory, f".{name}.{uuid.uuid4().hex[:12]}{TEMP_SUFFIX}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o666)
    try:
        if like is not None:
            mine = os.fstat(fd)
            if (mine.st_uid, mine.st_gid) != (like.st_uid, like.st_gid):
                try:
                    os.chown(temp, like.st_uid, like.st_gid)
                except PermissionError:
                    os.close(fd)
                    os.unlink(temp)
                    return None
            os.chmod(temp, stat.S_IMODE(like.st_mode))
        _write_all(fd, data)
        if flush:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(temp)
        raise
    os.close(fd)
    return temp


def _put(path: str, data: bytes, how: str, temp: str | None = None):
    """Make the file at `path` hold `data`, as `how` says; `temp` is its staged copy, if made."""
    if how != IN_PLACE and temp is None:
        temp = _stage(path, data, _stat(path))
        if temp is None:
            how = IN_PLACE
    if how == IN_PLACE:
        fd = os.open(path, os.O_WRONLY | NOFOLLOW)
        try:
            _write_all(fd, data)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        finally:
            os.close(fd)
    else:
        os.replace(temp, path)


def _undo(root: Path, targets: list[_Target], exc: BaseException):
    """Put back the old bytes of the files already written, after a failure half-way."""
    try:
        for t in targets:
            current, _ = _read(t.path, t.shown)
            if current == t.before:
                continue
            if t.before is None:
                os.unlink(t.path)
            else:
                _put(t.path, t.before, t.how)
        _sync_dirs(t.path for t in targets)
        _drop_journal(root)
    except (OSError, StorageError):
        raise Unfinished(f"cannot write {getattr(exc, 'filename', None) or 'the plan'}: "
                         f"{getattr(exc, 'strerror', None) or exc}; it is half written and {JOURNAL} keeps it: "
                         f"the next salesctl command finishes it (salesctl doctor shows it)") from exc


def _write_all(fd: int, data: bytes):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _remove_stale_temps(directory: str):
    """Temporary files left by a writer that was killed (we hold the lock: none is in use)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.startswith(".") and name.endswith(TEMP_SUFFIX):
            _unlink_quietly(os.path.join(directory, name))


def _unlink_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _sync_dirs(paths):
    for directory in {os.path.dirname(path) for path in paths}:
        _sync_dir(directory)


def _sync_dir(directory):
    """Make renames in `directory` durable (not possible everywhere; then they are still atomic)."""
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


# --- the journal ---------------------------------------------------------------------------
# `salesctl-journal 1`, a JSON line (who wrote it, in which `.salesctl/`, and each file: real path
# relative to the workspace, how it is written, length before (null: new) and after), each file's
# old then new bytes, and a SHA-256 of all of that.

def _write_journal(root: Path, targets: list[_Target], note: str):
    """Write the journal and flush it: from here on the plan is finished even if the writer dies."""
    directory = Path(root) / STATE_DIR
    home = os.lstat(directory)
    header = {"pid": os.getpid(), "started": _now(), "note": note[:NOTE_CHARS],
              "device": home.st_dev, "inode": home.st_ino,
              "files": [[t.rel, t.how, None if t.before is None else len(t.before), len(t.after)] for t in targets]}
    temp = directory / f".journal.{uuid.uuid4().hex[:12]}{TEMP_SUFFIX}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb", closefd=False) as out:
            digest = hashlib.sha256()
            for chunk in _journal_chunks(header, targets):
                digest.update(chunk)
                out.write(chunk)
            out.write(digest.digest())
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink_quietly(temp)
        raise
    os.close(fd)
    os.replace(temp, Path(root) / JOURNAL)
    _sync_dir(directory)


def _journal_chunks(header: dict, targets: list[_Target]):
    yield JOURNAL_MAGIC
    yield json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n"
    for t in targets:
        if t.before is not None:
            yield t.before
        yield t.after


def _drop_journal(root: Path):
    os.unlink(Path(root) / JOURNAL)
    _sync_dir(Path(root) / STATE_DIR)


def _journal_left(root) -> bool:
    return os.path.lexists(Path(root) / JOURNAL)


def _read_journal(root: Path):
    """(header, [(rel, how, before, after)]) of the journal left in `.salesctl/`, or None."""
    try:
        fd = _open_own(root, JOURNAL, os.O_RDONLY)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as fh:
        data = fh.read()
    damaged = Unsafe(f"{JOURNAL} is damaged: a write was interrupted and the files it names may be half "
                     f"written; check them (git status, git diff), then remove it")
    body, digest = data[:-32], data[-32:]
    if not body.startswith(JOURNAL_MAGIC) or hashlib.sha256(body).digest() != digest:
        raise damaged
    try:
        end = body.index(b"\n", len(JOURNAL_MAGIC))
        header = json.loads(body[len(JOURNAL_MAGIC):end])
        offset, files = end + 1, []
        for rel, how, before_size, after_size in header["files"]:
            parts = rel.split("/")
            if how not in (CREATE, REPLACE, IN_PLACE) or not rel or ".." in parts or rel.startswith("/"):
                raise ValueError(rel)
            before = None
            if before_size is not None:
                before, offset = body[offset:offset + before_size], offset + before_size
            after, offset = body[offset:offset + after_size], offset + after_size
            files.append((rel, how, before, after))
        if offset != len(body) or not isinstance(header["pid"], int):
            raise ValueError("length")
        home = os.lstat(Path(root) / STATE_DIR)
        here = (header["device"], header["inode"]) == (home.st_dev, home.st_ino)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise damaged from None
    if not here:
        raise Unsafe(f"{JOURNAL} was not written in this {STATE_DIR}/ (copied, or committed?); it is not "
                     f"applied: look at it, then remove it")
    return header, files


def recover(root: Path, timeout: float | None = None) -> Recovery | None:
    """Finish the plan a killed writer left in the journal (keeping readers out meanwhile)."""
    if state_dir(root) is None or not _journal_left(root):
        return None
    fd = _open_own(root, FILES_LOCK, os.O_RDWR | os.O_CREAT)
    try:
        _wait(fd, lock_timeout() if timeout is None else timeout, shared=False,
              busy=lambda: f"other salesctl commands are reading the workspace ({FILES_LOCK}); try again")
        try:
            return _recover_locked(root)
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _recover_locked(root: Path) -> Recovery | None:
    """Roll the journal's plan forward: each file still old gets its new bytes; a file that is
    neither old nor new was changed by hand since, and stays as it is."""
    journal = _read_journal(root)
    if journal is None:
        return None
    header, files = journal
    real_root = os.path.realpath(root)
    left, written = [], []
    try:
        for rel, how, before, after in files:
            path = os.path.join(real_root, *rel.split("/"))
            try:
                if _resolve(real_root, path, rel) != path:
                    raise Unsafe(rel)
                current, _ = _read(path, rel)
            except Unsafe:
                left.append(rel)
                continue
            if current == after:
                continue
            if current != before:
                left.append(rel)
                continue
            _put(path, after, how)
            written.append(path)
        _sync_dirs(written)
        for directory in {os.path.dirname(os.path.join(real_root, *rel.split("/"))) for rel, *_ in files}:
            _remove_stale_temps(directory)
    except OSError as exc:
        raise Unfinished(f"a write was interrupted ({JOURNAL}) and cannot be finished: cannot write "
                         f"{exc.filename or 'a file'}: {exc.strerror or exc}") from None
    done = Recovery(header["pid"], str(header.get("started", "")), _now(), str(header.get("note", "")),
                    len(files), left)
    _log(root, done)
    _drop_journal(root)
    return done


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _log(root: Path, done: Recovery):
    """Note the recovery in `.salesctl/journal.log` (best effort: it only informs `doctor`)."""
    try:
        fd = _open_own(root, JOURNAL_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    except (OSError, StorageError):
        return
    try:
        os.write(fd, (json.dumps(done._asdict(), ensure_ascii=False) + "\n").encode("utf-8"))
    except OSError:
        pass
    finally:
        os.close(fd)


def last_recovery(root: Path) -> Recovery | None:
    """The last plan finished from a journal, as `.salesctl/journal.log` tells it."""
    try:
        fd = _open_own(root, JOURNAL_LOG, os.O_RDONLY)
    except (OSError, StorageError):
        return None
    with os.fdopen(fd, "rb") as fh:
        lines = fh.read().splitlines()
    for line in reversed(lines):
        try:
            return Recovery(**json.loads(line))
        except (ValueError, TypeError):
            continue
    return None
