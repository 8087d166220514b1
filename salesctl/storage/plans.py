"""A writer's plan put on disk: one writer at a time (`writer_lock`), readers kept out while files
change (`reading`), all of a plan or none of it (`apply`).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

from ..errors import Conflict, StorageError, Unfinished, Unsafe
from .files import (CREATE, IN_PLACE, REPLACE, make_folders, put, read_with_stat, remove_stale_temps, resolve, stage,
                    sync_dirs, unlink_quietly)
from .journal import JOURNAL, drop_journal, journal_left, recover, recover_locked, write_journal
from .state import (FILES_LOCK, LOCK_FILE, NOFOLLOW, lock_timeout, open_files_lock, open_own, state_dir, state_lock,
                    unlock, wait)

STAGING_THREADS = 16
BULK_FILES = 2000  # from this many staged files on, one sync of the file system instead of one fsync each


@contextmanager
def writer_lock(root: Path, timeout: float | None = None):
    """Hold `.salesctl/lock` for the block; wait up to `timeout` seconds for another writer.

    A plan that a killed writer left half written is finished first: the block receives what
    `recover` did (None when there was nothing to finish).
    """
    timeout = lock_timeout() if timeout is None else timeout
    with state_lock(root, LOCK_FILE, timeout,
                    busy=lambda pid: f"another salesctl writer holds the lock ({LOCK_FILE}, pid {pid}); try again"):
        yield recover(root, timeout)


@contextmanager
def reading(root: Path, timeout: float | None = None):
    """Hold `.salesctl/files.lock` shared while the block reads the working tree: no plan is being
    written meanwhile, and one that a killed writer left is finished first.

    Where the lock cannot be had (a workspace this user cannot write in, a `.salesctl/` writers
    refuse), no plan is written through it either: the block runs without it.
    """
    timeout = lock_timeout() if timeout is None else timeout
    try:
        fd = open_files_lock(root)
    except Unsafe:
        yield
        return
    if fd is None:
        if journal_left(root):
            raise Unfinished(f"a write was interrupted ({JOURNAL}) and this user cannot finish it; run any "
                             f"salesctl command as a user who can write in the workspace")
        yield
        return
    busy = f"a salesctl writer has been writing the workspace for over {timeout:g} s ({FILES_LOCK}); try again"
    try:
        while True:
            wait(fd, timeout, shared=True, busy=lambda: busy)
            if not journal_left(root):
                break
            unlock(fd)  # its writer is dead: a live one keeps the lock alone while its journal exists
            wait(fd, timeout, shared=False, busy=lambda: busy)
            try:
                recover_locked(root)
            finally:
                unlock(fd)
        yield
    finally:
        os.close(fd)


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
    fd = open_own(root, FILES_LOCK, os.O_RDWR | os.O_CREAT)
    made, written = [], False
    try:
        for directory in sorted({os.path.dirname(t.path) for t in targets}):
            remove_stale_temps(directory)
        made = make_folders(t.path for t in targets)
        _stage_all(targets)
        for t in targets:
            if t.how == IN_PLACE:
                os.close(os.open(t.path, os.O_WRONLY | NOFOLLOW))  # writable: fail now, not half-way
        wait(fd, lock_timeout(), shared=False,
             busy=lambda: f"other salesctl commands are reading the workspace ({FILES_LOCK}); nothing "
                          f"written, try again")
        write_journal(root, targets, note)
        try:
            for t in targets:
                put(t.path, t.after, t.how, t.temp)
                t.temp = None
            sync_dirs(t.path for t in targets)
        except BaseException as exc:
            _undo(root, targets, exc)
            raise
        drop_journal(root)
        written = True
    finally:
        os.close(fd)
        for t in targets:
            if t.temp is not None:
                unlink_quietly(t.temp)
        if not written:
            for directory in made:  # deepest first; any still holding a file stays
                try:
                    os.rmdir(directory)
                except OSError:
                    pass


def _targets(root: Path, real_root: str, changes) -> list:
    """Each change's file, checked to hold its `before` bytes still. A file `resolve` has just
    found missing (no file, no link) is not opened again: that was the check."""
    targets, seen, folders, missing = [], {}, {}, set()
    inside = len(real_root.rstrip(os.sep) + os.sep)
    base = os.fspath(root)
    for change in changes:
        path = resolve(real_root, os.path.join(base, change.path), change.path, folders, missing)
        if path in seen:
            raise Unsafe(f"{change.path} and {seen[path]} are the same file; nothing written")
        seen[path] = change.path
        current, st = (None, None) if path in missing else read_with_stat(path, change.path)
        if current != change.before:
            raise Conflict(f"{change.path} changed on disk while salesctl was working; nothing written, try again")
        rel = path[inside:].replace(os.sep, "/")  # `resolve` keeps it inside the root
        targets.append(_Target(change.path, rel, path, change.before, change.after, st))
    return targets


def _stage_all(targets: list):
    """Stage the new content of every file not written in place. A few files are each flushed,
    several at a time: waiting for the disk is what takes time, and it takes many flushes at once
    nearly as fast as one. Thousands of files (an import) are written one after the other, unflushed,
    then flushed by one `sync` once all are staged, where it waits until the data is on disk
    (Linux): as durable as an fsync each, and seconds faster. Without flushes to wait for, threads
    only contend for the folder the files are made in (measured: twice as slow as one at a time)."""
    staged = [t for t in targets if t.how != IN_PLACE]
    if len(staged) >= BULK_FILES and sys.platform.startswith("linux"):
        failed = _stage_run(staged, False)
        if failed is not None:
            raise failed
        os.sync()
        return
    size = max(1, len(staged) // (STAGING_THREADS * 4))
    runs = [staged[i:i + size] for i in range(0, len(staged), size)]
    from concurrent.futures import ThreadPoolExecutor  # its import (logging, threading) only for a write

    with ThreadPoolExecutor(max_workers=min(STAGING_THREADS, len(runs) or 1)) as pool:
        futures = [pool.submit(_stage_run, run, True) for run in runs]
    failed = None
    for future in futures:
        failed = failed or future.result()
    if failed is not None:
        raise failed


def _stage_run(run: list, flush: bool) -> Exception | None:
    """Stage a run of files (`temp` set on each staged); the failure that stopped it, if any."""
    for t in run:
        try:
            t.temp = stage(t.path, t.after, t.like, flush)
        except Exception as exc:
            return exc
        if t.temp is None:
            t.how = IN_PLACE
    return None


def _undo(root: Path, targets: list, exc: BaseException):
    """Put back the old bytes of the files already written, after a failure half-way."""
    try:
        for t in targets:
            current, _ = read_with_stat(t.path, t.shown)
            if current == t.before:
                continue
            if t.before is None:
                os.unlink(t.path)
            else:
                put(t.path, t.before, t.how)
        sync_dirs(t.path for t in targets)
        drop_journal(root)
    except (OSError, StorageError):
        raise Unfinished(f"cannot write {getattr(exc, 'filename', None) or 'the plan'}: "
                         f"{getattr(exc, 'strerror', None) or exc}; it is half written and {JOURNAL} keeps it: "
                         f"the next salesctl command finishes it (salesctl doctor shows it)") from exc
