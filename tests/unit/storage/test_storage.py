"""Atomic writes and the writer lock: one writer at a time, and a killed writer never leaves half a file."""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from helpers.storage import NEW, OLD, RECEIVABLES, planned, receivables, write_killed
from helpers.workspaces import ROOT, write_workspace
from salesctl import storage
from salesctl.load.pipeline import load
from salesctl.write.plan import FileChange


# --- atomic replacement --------------------------------------------------------------------

def test_apply_replaces_and_creates_files_keeping_their_mode(tmp_path):
    old = tmp_path / "receivables" / "RCV-0001.yaml"
    old.parent.mkdir()
    old.write_bytes(b"id: RCV-0001\n")
    old.chmod(0o640)
    storage.apply(tmp_path, [FileChange("receivables/RCV-0001.yaml", b"id: RCV-0001\n", b"id: RCV-0001\ndue: x\n"),
                             FileChange("receivables/2027/RCV-0002.yaml", None, b"id: RCV-0002\n")])
    assert old.read_bytes() == b"id: RCV-0001\ndue: x\n"
    assert old.stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "receivables/2027/RCV-0002.yaml").read_bytes() == b"id: RCV-0002\n"
    assert sorted(p.name for p in (tmp_path / "receivables").iterdir()) == ["2027", "RCV-0001.yaml"]


def test_apply_refuses_everything_when_a_file_changed_since_it_was_read(tmp_path):
    (tmp_path / "a.yaml").write_bytes(b"edited by hand\n")
    changes = [FileChange("b.yaml", None, b"new\n"), FileChange("a.yaml", b"as read\n", b"as planned\n")]
    with pytest.raises(storage.Conflict, match="a.yaml changed on disk"):
        storage.apply(tmp_path, changes)
    assert (tmp_path / "a.yaml").read_bytes() == b"edited by hand\n"
    assert not (tmp_path / "b.yaml").exists()


def test_a_killed_writers_temporary_file_is_hidden_and_cleaned_up_by_the_next_write(tmp_path):
    stale = tmp_path / f".RCV-0001.yaml.0123456789ab{storage.TEMP_SUFFIX}"
    stale.write_bytes(b"id: RCV-0001\nam")  # what a killed writer leaves behind
    storage.apply(tmp_path, [FileChange("RCV-0001.yaml", None, b"id: RCV-0001\n")])
    assert sorted(p.name for p in tmp_path.iterdir()) == [".salesctl", "RCV-0001.yaml"]


# --- the lock ------------------------------------------------------------------------------

def test_a_second_writer_waits_then_gives_up_with_the_holders_pid(tmp_path):
    with storage.writer_lock(tmp_path):
        started = time.monotonic()
        with pytest.raises(storage.LockTimeout) as caught:
            with storage.writer_lock(tmp_path, timeout=0.2):
                pass
        assert time.monotonic() - started >= 0.2
    assert str(caught.value) == f"another salesctl writer holds the lock (.salesctl/lock, pid {os.getpid()}); try again"
    with storage.writer_lock(tmp_path, timeout=0):  # released
        pass


def test_the_timeout_comes_from_the_environment():
    assert storage.lock_timeout({}) == 10.0
    assert storage.lock_timeout({"SALESCTL_LOCK_TIMEOUT": "0.5"}) == 0.5
    assert storage.lock_timeout({"SALESCTL_LOCK_TIMEOUT": "soon"}) == 10.0


def test_the_lock_of_a_killed_process_is_free_at_once(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from salesctl import storage\n"
        f"with storage.writer_lock({str(tmp_path)!r}):\n"
        "    print('held', flush=True); time.sleep(60)\n")],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"held\n"
        with pytest.raises(storage.LockTimeout, match=f"pid {holder.pid}"):
            with storage.writer_lock(tmp_path, timeout=0):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        with storage.writer_lock(tmp_path, timeout=1):
            pass
    finally:
        holder.kill()
        holder.wait()


# --- .salesctl/ is salesctl's own: never written through a link --------------------------


@pytest.mark.parametrize("make, reason", [
    (lambda lock, record: os.link(record, lock), "has other hard links (it is also another file)"),
    (lambda lock, record: lock.write_bytes(record.read_bytes()), "holds something else than a process id"),
    (lambda lock, record: lock.mkdir(), "is not a regular file"),
    (lambda lock, record: os.mkfifo(lock), "is not a regular file"),
])
def test_a_lock_that_is_not_salesctls_own_is_never_truncated(tmp_path, make, reason):
    root = write_workspace(tmp_path / "ws", RECEIVABLES)
    record = root / "customers/CUS-0001.yaml"
    before = record.read_bytes()
    (root / ".salesctl").mkdir()
    make(root / ".salesctl/lock", record)
    with pytest.raises(storage.Unsafe, match=re.escape(f".salesctl/lock {reason};")):
        with storage.writer_lock(root, timeout=0):
            pass
    assert record.read_bytes() == before
    assert storage.state_problem(root).startswith(f".salesctl/lock {reason}")


def test_a_lock_holding_a_process_id_or_nothing_is_ours(tmp_path):
    (tmp_path / ".salesctl").mkdir()
    for content in (b"", b"4242\n", b"17"):
        (tmp_path / ".salesctl/lock").write_bytes(content)
        with storage.writer_lock(tmp_path, timeout=0):
            assert (tmp_path / ".salesctl/lock").read_bytes() == f"{os.getpid()}\n".encode()
    assert storage.state_problem(tmp_path) is None


def test_a_files_lock_that_is_a_link_is_refused_before_anything_is_written(tmp_path):
    root = write_workspace(tmp_path / "ws", RECEIVABLES)
    record = root / "customers/CUS-0001.yaml"
    before = {p: p.read_bytes() for p in root.rglob("*.yaml")}
    (root / ".salesctl").mkdir()
    os.symlink("../customers/CUS-0001.yaml", root / ".salesctl/files.lock")
    with pytest.raises(storage.Unsafe, match="^.salesctl/files.lock is a symbolic link"):
        storage.apply(root, [FileChange("receivables/RCV-0002.yaml", None, b"id: RCV-0002\n")])
    assert load(root).get("customers", "CUS-0001") is not None  # readers do without it
    assert {p: p.read_bytes() for p in root.rglob("*.yaml")} == before
    assert os.readlink(root / ".salesctl/files.lock") == "../customers/CUS-0001.yaml"
    assert record.read_bytes() == before[record]


# --- where a change is written: links, hard links, owners -----------------------------------

def test_a_link_to_a_file_inside_the_workspace_is_written_through(tmp_path):
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive/RCV-0011.yaml").write_bytes(b"id: RCV-0011\n")
    (tmp_path / "receivables").mkdir()
    os.symlink("../archive/RCV-0011.yaml", tmp_path / "receivables/RCV-0011.yaml")
    storage.apply(tmp_path, [FileChange("receivables/RCV-0011.yaml", b"id: RCV-0011\n", b"id: RCV-0011\npaid: 1\n")])
    assert os.readlink(tmp_path / "receivables/RCV-0011.yaml") == "../archive/RCV-0011.yaml"
    assert (tmp_path / "archive/RCV-0011.yaml").read_bytes() == b"id: RCV-0011\npaid: 1\n"


@pytest.mark.parametrize("target, message", [
    ("{outside}", "receivables/RCV-0011.yaml leads outside the workspace (to {outside}); nothing written"),
    ("../.git/config", "receivables/RCV-0011.yaml leads into .git/ (to {root}/.git/config); nothing written"),
    ("../.salesctl/lock", "receivables/RCV-0011.yaml leads into .salesctl/ (to {root}/.salesctl/lock); nothing written"),
])
def test_a_link_out_of_the_workspace_or_into_its_own_folders_is_refused(tmp_path, target, message):
    root = tmp_path / "ws"
    outside = tmp_path / "outside.yaml"
    for path in (outside, root / ".git/config", root / ".salesctl/lock", root / "receivables/RCV-0012.yaml"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"id: RCV-0011\n")
    os.symlink(target.format(outside=outside), root / "receivables/RCV-0011.yaml")
    changes = [FileChange("receivables/RCV-0012.yaml", b"id: RCV-0011\n", b"changed\n"),
               FileChange("receivables/RCV-0011.yaml", b"id: RCV-0011\n", b"changed\n")]
    with pytest.raises(storage.Unsafe) as refused:
        storage.apply(root, changes)
    assert str(refused.value) == message.format(outside=outside, root=root)
    for path in (outside, root / ".git/config", root / ".salesctl/lock", root / "receivables/RCV-0012.yaml"):
        assert path.read_bytes() == b"id: RCV-0011\n"


def test_two_names_of_one_file_in_a_plan_are_refused(tmp_path):
    (tmp_path / "a.yaml").write_bytes(b"x\n")
    os.symlink("a.yaml", tmp_path / "b.yaml")
    with pytest.raises(storage.Unsafe, match="^b.yaml and a.yaml are the same file; nothing written$"):
        storage.apply(tmp_path, [FileChange("a.yaml", b"x\n", b"y\n"), FileChange("b.yaml", b"x\n", b"z\n")])
    assert (tmp_path / "a.yaml").read_bytes() == b"x\n"


def test_a_hard_linked_file_is_written_in_place_and_stays_linked(tmp_path):
    (tmp_path / "receivables").mkdir()
    (tmp_path / "archive").mkdir()
    path = tmp_path / "receivables/RCV-0001.yaml"
    path.write_bytes(b"id: RCV-0001\namount: 10\n")
    os.link(path, tmp_path / "archive/RCV-0001.yaml")
    inode = path.stat().st_ino
    storage.apply(tmp_path, [FileChange("receivables/RCV-0001.yaml", b"id: RCV-0001\namount: 10\n", b"id: RCV-0001\n")])
    assert path.stat().st_ino == inode and path.stat().st_nlink == 2
    assert (tmp_path / "archive/RCV-0001.yaml").read_bytes() == b"id: RCV-0001\n"  # shorter: the rest cut off


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user takes root")
def test_a_replaced_file_keeps_its_owner_and_mode(tmp_path):
    path = tmp_path / "RCV-0001.yaml"
    path.write_bytes(b"id: RCV-0001\n")
    os.chown(path, 65534, 65534)
    path.chmod(0o640)
    storage.apply(tmp_path, [FileChange("RCV-0001.yaml", b"id: RCV-0001\n", b"id: RCV-0001\ndue: x\n")])
    st = path.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (65534, 65534, 0o640)
    assert path.read_bytes() == b"id: RCV-0001\ndue: x\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user takes root")
def test_a_file_whose_owner_cannot_be_kept_is_written_in_place(tmp_path, monkeypatch):
    """Another user's file in a folder we may write in: a new file would be ours, so the old one is
    rewritten (its old bytes are in the journal meanwhile)."""
    path = tmp_path / "RCV-0001.yaml"
    path.write_bytes(b"id: RCV-0001\n")
    os.chown(path, 65534, 65534)
    inode = path.stat().st_ino

    def not_root(*args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "chown", not_root)  # as any user but root: a file cannot be given away
    storage.apply(tmp_path, [FileChange("RCV-0001.yaml", b"id: RCV-0001\n", b"id: RCV-0001\ndue: x\n")])
    assert path.read_bytes() == b"id: RCV-0001\ndue: x\n"
    assert (path.stat().st_ino, path.stat().st_uid) == (inode, 65534)  # the same file, still theirs


# --- all of a plan or none of it ----------------------------------------------------------

def test_a_plan_killed_at_any_step_is_all_old_or_all_new_for_the_next_command(tmp_path):
    root, changes = planned(tmp_path)
    seen = []
    for at in range(1, 1000):
        finished = write_killed(root, changes, lambda call: call == at)
        killed = receivables(root)
        for rel, data in killed.items():
            assert data in (OLD.get(rel), NEW[rel]), (at, rel)  # every file whole
        load(root)  # the next command, any command
        after = receivables(root)
        assert after in (OLD, NEW), at
        assert not (root / storage.JOURNAL).exists()
        seen.append(("old" if after == OLD else "new", "part" if killed not in (OLD, NEW) else "whole"))
        if finished:
            break
        for rel in set(after) - set(OLD):
            os.unlink(root / rel)
        for rel, data in OLD.items():
            (root / rel).write_bytes(data)  # in place: the hard link stays
        for temp in root.rglob(f"*{storage.TEMP_SUFFIX}"):
            temp.unlink()  # each run makes the same calls: the next one is killed a step further
    else:
        pytest.fail("the write still runs after 1000 steps")
    assert seen.count(("new", "part")) >= 10  # killed between the files of the plan: the next command finished it
    assert seen[0] == ("old", "whole") and seen[-1] == ("new", "whole")
    assert (root / "archive/RCV-0004.yaml").read_bytes() == NEW["receivables/RCV-0004.yaml"]
    assert (root / "archive/RCV-0004.yaml").stat().st_nlink == 2


def test_a_failure_half_way_puts_back_what_was_written(tmp_path, monkeypatch):
    root, changes = planned(tmp_path)
    real = os.replace
    calls = []

    def full_disk(src, dst, **kwargs):
        calls.append(dst)
        if len(calls) == 4:  # the journal, two files, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left on device"):
        storage.apply(root, changes)
    monkeypatch.undo()
    assert receivables(root) == OLD
    assert not (root / storage.JOURNAL).exists() and not list(root.rglob(f"*{storage.TEMP_SUFFIX}"))
    assert not (root / "receivables/2027").exists()


def test_a_plan_that_cannot_be_undone_is_finished_by_the_next_command(tmp_path, monkeypatch):
    root, changes = planned(tmp_path)
    real = os.replace
    calls = []

    def failing(src, dst, **kwargs):
        calls.append(dst)
        if len(calls) >= 3:  # the journal and one file, then nothing more can be renamed
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(storage.Unfinished) as caught:
        storage.apply(root, changes, note="ten receivables")
    monkeypatch.undo()
    assert str(caught.value) == (f"cannot write {root / 'receivables/RCV-0002.yaml'}: Input/output error; it is half "
                                 f"written and .salesctl/journal keeps it: the next salesctl command finishes it "
                                 f"(salesctl doctor shows it)")
    assert receivables(root) == {**OLD, "receivables/RCV-0001.yaml": NEW["receivables/RCV-0001.yaml"]}
    load(root)
    assert receivables(root) == NEW
    done = storage.last_recovery(root)
    assert (done.pid, done.note, done.files, done.left) == (os.getpid(), "ten receivables", 10, [])


def test_files_changed_by_hand_since_the_kill_are_left_as_they_are(tmp_path):
    root, changes = planned(tmp_path)
    write_killed(root, changes, lambda call: (root / storage.JOURNAL).exists())
    assert receivables(root) == OLD  # killed right after the journal was written
    (root / "receivables/RCV-0002.yaml").write_bytes(b"id: RCV-0002\namount: 2000\n")
    with storage.writer_lock(root) as recovered:
        assert (recovered.note, recovered.files, recovered.left) == ("ten receivables", 10, ["receivables/RCV-0002.yaml"])
    assert receivables(root) == {**NEW, "receivables/RCV-0002.yaml": b"id: RCV-0002\namount: 2000\n"}
    assert storage.last_recovery(root) == recovered
    assert recovered.message().endswith(f"(pid {recovered.pid}: ten receivables) was finished on " + recovered.finished.replace("T", " ")
                                        + ": 10 files; left as they are, changed since: receivables/RCV-0002.yaml")


def test_a_journal_copied_from_elsewhere_is_not_applied(tmp_path):
    import shutil

    from salesctl.errors import WorkspaceError

    root, changes = planned(tmp_path)
    write_killed(root, changes, lambda call: (root / storage.JOURNAL).exists())
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, symlinks=True)  # as a committed .salesctl/ would come with a clone
    with pytest.raises(WorkspaceError, match=re.escape(
            ".salesctl/journal was not written in this .salesctl/ (copied, or committed?); it is not applied: "
            "look at it, then remove it")):
        load(copy)
    with pytest.raises(storage.Unsafe, match="not written in this"):
        with storage.writer_lock(copy):
            pass
    assert receivables(copy) == OLD
    load(root)
    assert receivables(root) == NEW  # where it was written, it is finished


def test_a_reader_waits_for_the_plan_being_written(tmp_path):
    root, changes = planned(tmp_path)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            real = os.replace

            def slow_disk(src, dst, **kwargs):
                time.sleep(0.05)
                return real(src, dst, **kwargs)

            os.replace = slow_disk
            storage.apply(root, changes)
            code = 0
        finally:
            os._exit(code)
    try:
        deadline = time.monotonic() + 30
        while not (root / storage.JOURNAL).exists():  # the writer is renaming its files, slowly
            assert time.monotonic() < deadline
            time.sleep(0.002)
        ws = load(root)
        assert len(ws.records["receivables"]) == 10
        assert all(r.get("due") is not None for r in ws.records["receivables"] if r.id <= "RCV-0004")
    finally:
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def test_a_writer_waits_for_readers_then_gives_up_writing_nothing(tmp_path, monkeypatch):
    root, changes = planned(tmp_path)
    monkeypatch.setenv("SALESCTL_LOCK_TIMEOUT", "0.2")
    with storage.reading(root):
        with pytest.raises(storage.LockTimeout, match=re.escape(
                "other salesctl commands are reading the workspace (.salesctl/files.lock); nothing written, try again")):
            storage.apply(root, changes)
    assert receivables(root) == OLD
    assert not (root / storage.JOURNAL).exists() and not list(root.rglob(f"*{storage.TEMP_SUFFIX}"))
    assert not (root / "receivables/2027").exists()  # nor the folder made for the new files


def test_a_plan_of_many_files_flushes_each_file_once_and_each_folder_once(tmp_path, monkeypatch):
    old = {f"receivables/RCV-{n:04d}.yaml": f"id: RCV-{n:04d}\n".encode() for n in range(1, 401)}
    root = write_workspace(tmp_path / "ws", dict(old))
    changes = [FileChange(rel, data, data + b"amount: 1\n") for rel, data in old.items()]
    changes += [FileChange(f"receivables/{folder}/RCV-{n:04d}.yaml", None, f"id: RCV-{n:04d}\n".encode())
                for folder, numbers in (("a", range(401, 801)), ("b", range(801, 1201))) for n in numbers]
    flushed, listed = [], []
    real_fsync, real_listdir = os.fsync, os.listdir
    monkeypatch.setattr(os, "fsync", lambda fd: flushed.append(fd) or real_fsync(fd))
    monkeypatch.setattr(os, "listdir", lambda path: listed.append(path) or real_listdir(path))
    storage.apply(root, changes)
    monkeypatch.undo()
    # 1200 staged files + the journal + .salesctl/ once it is written and once it is gone + 3 folders
    assert len(flushed) == 1200 + 1 + 2 + 3
    assert len(listed) == 3  # each folder swept of stale temporary files once
    assert len(receivables(root)) == 1200 and not (root / storage.JOURNAL).exists()


def test_resolving_with_the_folders_known_gives_what_realpath_gives(tmp_path):
    from salesctl.storage.files import resolve

    root = tmp_path / "ws"
    (root / "customers").mkdir(parents=True)
    (root / "real").mkdir()
    (root / "linked").symlink_to(root / "real")
    (root / "customers/old.yaml").write_text("id: X\n")
    (root / "customers/link.yaml").symlink_to(root / "customers/old.yaml")
    (root / "customers/out.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    real_root, folders, missing = os.path.realpath(root), {}, set()
    for rel in ("customers/new.yaml", "customers/old.yaml", "customers/link.yaml", "linked/new.yaml",
                "customers/../real/x.yaml", "new/folder/x.yaml"):
        path = os.path.join(root, rel)
        assert resolve(real_root, path, rel, folders, missing) == resolve(real_root, path, rel) == os.path.realpath(path)
    assert folders[os.path.join(root, "linked")] == os.path.join(real_root, "real")
    assert missing == {os.path.join(real_root, rel) for rel in ("customers/new.yaml", "real/new.yaml", "real/x.yaml",
                                                                 "new/folder/x.yaml")}
    with pytest.raises(storage.Unsafe, match="leads outside the workspace"):
        resolve(real_root, os.path.join(root, "customers/out.yaml"), "customers/out.yaml", folders)
