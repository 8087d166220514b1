"""The write journal: a plan's old and new bytes, on disk before the first file changes.

`journal` is written and flushed before the first file of a plan changes, removed after the last.
A writer killed in between leaves it behind, and the next command, reader or writer, finishes the
plan from it before it reads anything (`recover`). `journal.log` keeps one line per plan finished
that way, for `salesctl doctor` (`last_recovery`).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from ..errors import StorageError, Unfinished, Unsafe
from .files import (CREATE, IN_PLACE, REPLACE, TEMP_SUFFIX, put, read_with_stat, remove_stale_temps, resolve, sync_dir,
                    sync_dirs, unlink_quietly)
from .state import FILES_LOCK, NOFOLLOW, STATE_DIR, lock_timeout, open_own, state_dir, unlock, wait

JOURNAL = f"{STATE_DIR}/journal"
JOURNAL_LOG = f"{STATE_DIR}/journal.log"
JOURNAL_MAGIC = b"salesctl-journal 1\n"
NOTE_CHARS = 300


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


# --- the journal ---------------------------------------------------------------------------
# `salesctl-journal 1`, a JSON line (who wrote it, in which `.salesctl/`, and each file: real path
# relative to the workspace, how it is written, length before (null: new) and after), each file's
# old then new bytes, and a SHA-256 of all of that.

def write_journal(root: Path, targets: list, note: str):
    """Write the journal and flush it: from here on the plan is finished even if the writer dies."""
    directory = Path(root) / STATE_DIR
    home = os.lstat(directory)
    header = {"pid": os.getpid(), "started": _now(), "note": note[:NOTE_CHARS],
              "device": home.st_dev, "inode": home.st_ino,
              "files": [[t.rel, t.how, None if t.before is None else len(t.before), len(t.after)] for t in targets]}
    temp = directory / f".journal.{os.urandom(6).hex()}{TEMP_SUFFIX}"
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
        unlink_quietly(temp)
        raise
    os.close(fd)
    os.replace(temp, Path(root) / JOURNAL)
    sync_dir(directory)


def _journal_chunks(header: dict, targets: list):
    yield JOURNAL_MAGIC
    yield json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n"
    for t in targets:
        if t.before is not None:
            yield t.before
        yield t.after


def drop_journal(root: Path):
    os.unlink(Path(root) / JOURNAL)
    sync_dir(Path(root) / STATE_DIR)


def journal_left(root) -> bool:
    return os.path.lexists(Path(root) / JOURNAL)


def _read_journal(root: Path):
    """(header, [(rel, how, before, after)]) of the journal left in `.salesctl/`, or None."""
    try:
        fd = open_own(root, JOURNAL, os.O_RDONLY)
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
    if state_dir(root) is None or not journal_left(root):
        return None
    fd = open_own(root, FILES_LOCK, os.O_RDWR | os.O_CREAT)
    try:
        wait(fd, lock_timeout() if timeout is None else timeout, shared=False,
             busy=lambda: f"other salesctl commands are reading the workspace ({FILES_LOCK}); try again")
        try:
            return recover_locked(root)
        finally:
            unlock(fd)
    finally:
        os.close(fd)


def recover_locked(root: Path) -> Recovery | None:
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
                if resolve(real_root, path, rel) != path:
                    raise Unsafe(rel)
                current, _ = read_with_stat(path, rel)
            except Unsafe:
                left.append(rel)
                continue
            if current == after:
                continue
            if current != before:
                left.append(rel)
                continue
            put(path, after, how)
            written.append(path)
        sync_dirs(written)
        for directory in {os.path.dirname(os.path.join(real_root, *rel.split("/"))) for rel, *_ in files}:
            remove_stale_temps(directory)
    except OSError as exc:
        raise Unfinished(f"a write was interrupted ({JOURNAL}) and cannot be finished: cannot write "
                         f"{exc.filename or 'a file'}: {exc.strerror or exc}") from None
    done = Recovery(header["pid"], str(header.get("started", "")), _now(), str(header.get("note", "")),
                    len(files), left)
    _log(root, done)
    drop_journal(root)
    return done


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _log(root: Path, done: Recovery):
    """Note the recovery in `.salesctl/journal.log` (best effort: it only informs `doctor`)."""
    try:
        fd = open_own(root, JOURNAL_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
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
        fd = open_own(root, JOURNAL_LOG, os.O_RDONLY)
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
