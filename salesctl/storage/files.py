"""Files replaced whole: read, staged beside their target, renamed into place (or written in place).

A file's new bytes go to a hidden temporary file beside it, flushed to disk, renamed over it with
its mode and owner. A symbolic link is written through to its target when that is inside the
workspace, and refused otherwise. A file with other hard links, or whose owner cannot be given to
a new file, is written in place (the journal holds its old bytes).
"""

from __future__ import annotations

import os
import stat

from ..errors import Unsafe
from .state import NOFOLLOW, NONBLOCK, STATE_DIR, open_own, state_dir

TEMP_SUFFIX = ".salesctl-tmp"
NEVER_WRITTEN = (STATE_DIR, ".git")  # folders a record file never lives in, even through a link
CREATE, REPLACE, IN_PLACE = "create", "replace", "in-place"


def resolve(real_root: str, path: str, shown: str, folders: dict | None = None, missing: set | None = None) -> str:
    """The real file `path` names: through links inside the workspace, never out of it, nor into
    `.salesctl/` or `.git/`. `folders` keeps the real path of each folder met (within one write,
    where folders do not move): thousands of files in one folder resolve it once, and only a file
    that is itself a link is followed. `missing` (with `folders`) gets the real path of a file that
    was found not to exist at all, not even as a link: thousands of new files need not be opened
    again to see that they are not there."""
    real = _in_known_folder(path, folders, missing) if folders is not None else None
    real = real or os.path.realpath(path)
    if not real.startswith(real_root.rstrip(os.sep) + os.sep):
        raise Unsafe(f"{shown} leads outside the workspace (to {real}); nothing written")
    parts = real[len(real_root):].split(os.sep)
    for name in NEVER_WRITTEN:
        if name in parts:
            raise Unsafe(f"{shown} leads into {name}/ (to {real}); nothing written")
    return real


def _in_known_folder(path: str, folders: dict, missing: set | None) -> str | None:
    """`os.path.realpath(path)` for a file that is no link (None for a link, or a name it cannot
    tell): the real path of its folder, kept in `folders`, and its name (added to `missing` when
    there is no such file)."""
    folder, name = os.path.split(path)
    if name in ("", ".", ".."):
        return None
    found = True
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return None
    except FileNotFoundError:
        found = False  # a new file: realpath too keeps the name as it is
    except OSError:
        return None
    real_folder = folders.get(folder)
    if real_folder is None:
        real_folder = folders[folder] = os.path.realpath(folder)
    real = os.path.join(real_folder, name)
    if not found and missing is not None:
        missing.add(real)
    return real


def read_file(path, shown: str) -> bytes | None:
    """The bytes of a file (None when there is none), which must be a regular file (`Unsafe`)."""
    return read_with_stat(path, shown)[0]


def read_with_stat(path, shown: str) -> tuple[bytes | None, os.stat_result | None]:
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


def make_folders(paths) -> list[str]:
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


def stage(path: str, data: bytes, like: os.stat_result | None, durable: bool = True) -> str | None:
    """Write `data` to a hidden temporary file beside `path`, flushed to disk (unless not
    `durable`), with the mode and owner of `like` (the file it replaces); None when that owner
    cannot be given to it."""
    directory, name = os.path.split(path)
    temp = os.path.join(directory, f".{name}.{os.urandom(6).hex()}{TEMP_SUFFIX}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o666)
    except FileNotFoundError:  # its folder is missing (made only now: a write mostly goes to folders that exist)
        os.makedirs(directory, exist_ok=True)
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
        write_all(fd, data)
        if durable:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(temp)
        raise
    os.close(fd)
    return temp


def replace_file(path, data: bytes, *, durable: bool = True):
    """Replace a file that salesctl alone writes (a cache) with `data`, whole: staged beside it and
    renamed over it, so that a reader finds the old bytes or the new, never a part; the staged copy
    is removed when the rename fails. Not `durable`: not flushed, for what is rebuilt when lost."""
    temp = stage(os.fspath(path), data, None, durable=durable)
    try:
        os.replace(temp, path)
    except BaseException:
        unlink_quietly(temp)
        raise


def put(path: str, data: bytes, how: str, temp: str | None = None):
    """Make the file at `path` hold `data`, as `how` says; `temp` is its staged copy, if made."""
    if how != IN_PLACE and temp is None:
        temp = stage(path, data, _stat(path))
        if temp is None:
            how = IN_PLACE
    if how == IN_PLACE:
        fd = os.open(path, os.O_WRONLY | NOFOLLOW)
        try:
            write_all(fd, data)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        finally:
            os.close(fd)
    else:
        os.replace(temp, path)


def write_all(fd: int, data: bytes):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def remove_stale_temps(directory: str):
    """Temporary files left by a writer that was killed (we hold the lock: none is in use)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.startswith(".") and name.endswith(TEMP_SUFFIX):
            unlink_quietly(os.path.join(directory, name))


def unlink_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def sync_dirs(paths):
    for directory in {os.path.dirname(path) for path in paths}:
        sync_dir(directory)


def sync_dir(directory):
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


def read_state_file(root, rel: str) -> bytes | None:
    """The bytes of a file of `.salesctl/` that must be salesctl's own (None when there is none)."""
    if state_dir(root) is None:
        return None
    try:
        fd = open_own(root, rel, os.O_RDONLY)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def append_state_file(root, rel: str, data: bytes):
    """Add `data` at the end of a file of `.salesctl/` (made when missing) in one write, flushed to
    disk: appends from several processes never interleave, and one that was cut short by a full
    disk ends in a line of its own."""
    state_dir(root, create=True)
    fd = open_own(root, rel, os.O_RDWR | os.O_APPEND | os.O_CREAT)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
