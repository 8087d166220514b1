"""A plan of thousands of files (an import) is flushed by one sync once every file is staged, not
by an fsync each; smaller plans keep an fsync per file. Either way all of it is written or none."""

from __future__ import annotations

import os
import sys

import pytest

from helpers.workspaces import write_workspace
from salesctl import storage
from salesctl.storage import plans
from salesctl.write.plan import FileChange


def plan(root, count: int) -> list:
    return [FileChange(f"customers/CUS-{n:04d}.yaml", None, f"id: CUS-{n:04d}\n".encode()) for n in range(1, count + 1)]


@pytest.fixture
def flushes(monkeypatch):
    """(fsync calls, sync calls) made while the block runs."""
    seen = {"fsync": 0, "sync": 0}
    real_fsync, real_sync = os.fsync, os.sync
    monkeypatch.setattr(os, "fsync", lambda fd: seen.__setitem__("fsync", seen["fsync"] + 1) or real_fsync(fd))
    monkeypatch.setattr(os, "sync", lambda: seen.__setitem__("sync", seen["sync"] + 1) or real_sync())
    return seen


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="one sync waits for the disk on Linux only")
def test_a_plan_of_many_files_is_flushed_by_one_sync(tmp_path, monkeypatch, flushes):
    monkeypatch.setattr(plans, "BULK_FILES", 20)
    root = write_workspace(tmp_path / "ws", {})
    storage.apply(root, plan(root, 30))
    # no fsync per file: the journal, .salesctl/ once it is written and once it is gone, customers/
    assert flushes == {"fsync": 4, "sync": 1}
    assert len(list((root / "customers").glob("*.yaml"))) == 30 and not (root / storage.JOURNAL).exists()


def test_a_smaller_plan_flushes_each_file(tmp_path, monkeypatch, flushes):
    monkeypatch.setattr(plans, "BULK_FILES", 20)
    root = write_workspace(tmp_path / "ws", {})
    storage.apply(root, plan(root, 19))
    assert flushes == {"fsync": 19 + 4, "sync": 0}


def test_a_failure_while_staging_many_files_writes_none(tmp_path, monkeypatch):
    monkeypatch.setattr(plans, "BULK_FILES", 20)
    root = write_workspace(tmp_path / "ws", {})
    real_open, calls = os.open, []

    def failing(path, flags, *args, **kwargs):
        if str(path).endswith(storage.TEMP_SUFFIX):
            calls.append(path)
            if len(calls) == 25:
                raise OSError(28, "No space left on device", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", failing)
    with pytest.raises(OSError, match="No space left on device"):
        storage.apply(root, plan(root, 30))
    monkeypatch.undo()
    assert not (root / "customers").exists()  # made for the write, removed with it
    assert not list(root.rglob(f"*{storage.TEMP_SUFFIX}"))


def test_new_files_found_missing_are_not_opened_again_and_the_others_are_still_checked(tmp_path, monkeypatch):
    root = write_workspace(tmp_path / "ws", {"customers/CUS-0002.yaml": "id: CUS-0002\n"})
    (root / "customers/CUS-0003.yaml").symlink_to(root / "customers/gone.yaml")  # a link to nothing
    opened = []
    real_read = plans.read_with_stat
    monkeypatch.setattr(plans, "read_with_stat", lambda path, shown: opened.append(shown) or real_read(path, shown))
    storage.apply(root, plan(root, 1) + plan(root, 4)[3:] + [
        FileChange("customers/CUS-0002.yaml", b"id: CUS-0002\n", b"id: CUS-0002\nname: x\n"),
        FileChange("customers/CUS-0003.yaml", None, b"id: CUS-0003\n")])
    assert opened == ["customers/CUS-0002.yaml", "customers/CUS-0003.yaml"]  # those that are there, or a link
    assert (root / "customers/gone.yaml").read_bytes() == b"id: CUS-0003\n"  # written through, as before
    assert (root / "customers/CUS-0004.yaml").read_bytes() == b"id: CUS-0004\n"
    (root / "customers/CUS-0005.yaml").write_bytes(b"made meanwhile\n")
    with pytest.raises(storage.Conflict, match="CUS-0005.yaml changed on disk"):
        storage.apply(root, [FileChange("customers/CUS-0005.yaml", None, b"id: CUS-0005\n")])
    assert (root / "customers/CUS-0005.yaml").read_bytes() == b"made meanwhile\n"
