"""Writers as separate processes, over the storage: the lock, concurrent and killed writers, links
under .salesctl/, a damaged or half-done journal (the storage as a library:
tests/unit/storage/test_storage.py)."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time

import pytest

from helpers.storage import NEW, OLD, RECEIVABLES, planned, receivables, write_killed
from helpers.workspaces import ROOT, write_workspace
from salesctl import storage
from salesctl.load.parse import parse_bytes

PAYMENT_LINE = b"  - {date: 2026-11-30, amount: 1}\n"


def salesctl(*args, env=None, **kwargs) -> subprocess.Popen:
    """`python -m salesctl ARGS` in a separate process, as a user's shell would run it."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "salesctl", *args], env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


# --- the lock --------------------------------------------------------------------------------

def test_a_writer_that_cannot_get_the_lock_says_so_and_writes_nothing(tmp_path):
    root = write_workspace(tmp_path / "ws", RECEIVABLES)
    before = (root / "receivables/RCV-0001.yaml").read_bytes()
    with storage.writer_lock(root):
        proc = salesctl("-C", root, "pay", "RCV-0001", "1", env={"SALESCTL_LOCK_TIMEOUT": "0.3"})
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.decode() == f"error: another salesctl writer holds the lock (.salesctl/lock, pid {os.getpid()}); try again\n"
    assert (root / "receivables/RCV-0001.yaml").read_bytes() == before


# --- many writers, killed writers ------------------------------------------------------------

def test_concurrent_writers_all_land(tmp_path):
    root = write_workspace(tmp_path / "ws", RECEIVABLES)
    before = (root / "receivables/RCV-0001.yaml").read_bytes()
    procs = [salesctl("-C", root, "--as-of", "2026-11-30", "pay", "RCV-0001", "1") for _ in range(6)]
    codes = [p.wait(timeout=120) for p in procs]
    assert codes == [0] * 6, [p.stderr.read() for p in procs]
    assert (root / "receivables/RCV-0001.yaml").read_bytes() == before + PAYMENT_LINE * 6


def test_concurrent_writers_land_or_fail_cleanly_with_a_short_timeout(tmp_path):
    root = write_workspace(tmp_path / "ws", RECEIVABLES)
    before = (root / "receivables/RCV-0001.yaml").read_bytes()
    procs = [salesctl("-C", root, "--as-of", "2026-11-30", "pay", "RCV-0001", "1", env={"SALESCTL_LOCK_TIMEOUT": "0"})
             for _ in range(6)]
    results = [(p.wait(timeout=120), p.stderr.read().decode()) for p in procs]
    landed = sum(1 for code, _ in results if code == 0)
    assert landed >= 1
    for code, err in results:
        assert code == 0 or (code == 1 and "another salesctl writer holds the lock" in err), err
    assert (root / "receivables/RCV-0001.yaml").read_bytes() == before + PAYMENT_LINE * landed


def test_a_writer_killed_at_any_moment_leaves_the_file_old_or_new(tmp_path):
    root = write_workspace(tmp_path / "ws", RECEIVABLES)
    path = root / "receivables/RCV-0001.yaml"
    original = path.read_bytes()
    args = ("-C", root, "--as-of", "2026-11-30", "pay", "RCV-0001", "1")
    started = time.monotonic()
    assert salesctl(*args).wait(timeout=60) == 0
    duration = time.monotonic() - started
    landed = 1
    chance = random.Random(7)
    for _ in range(30):
        proc = salesctl(*args)
        time.sleep(chance.uniform(0, duration * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert not [p for p in parse_bytes(path.read_bytes()).problems if p[0] == "yaml-syntax"]
        storage.recover(root)  # what the next command does first
        content = path.read_bytes()
        extra = content[len(original):]
        assert content.startswith(original) and extra == PAYMENT_LINE * (len(extra) // len(PAYMENT_LINE))
        assert len(extra) // len(PAYMENT_LINE) in (landed, landed + 1)
        landed = len(extra) // len(PAYMENT_LINE)
    visible = [p.name for p in (root / "receivables").iterdir() if not p.name.startswith(".")]
    assert visible == ["RCV-0001.yaml"]
    assert salesctl(*args).wait(timeout=60) == 0  # the lock is free and stale temporary files go
    assert [p.name for p in (root / "receivables").iterdir()] == ["RCV-0001.yaml"]
    assert path.read_bytes() == original + PAYMENT_LINE * (landed + 1)


# --- .salesctl/ is salesctl's own: never written through a link ------------------------------

def test_a_lock_that_is_a_link_is_refused_and_its_target_left_alone(tmp_path):
    root = write_workspace(tmp_path / "ws", RECEIVABLES)
    record = root / "customers/CUS-0001.yaml"
    before = {path: path.read_bytes() for path in root.rglob("*.yaml")}
    (root / ".salesctl").mkdir()
    os.symlink("../customers/CUS-0001.yaml", root / ".salesctl/lock")
    proc = salesctl("-C", root, "--as-of", "2026-11-30", "pay", "RCV-0001", "1")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.decode() == ("error: cannot write: .salesctl/lock is a symbolic link; salesctl never writes through "
                            "one there: remove it\n")
    assert {path: path.read_bytes() for path in root.rglob("*.yaml")} == before
    assert record.read_bytes().startswith(b"id: CUS-0001\n")


@pytest.mark.parametrize("where", ["customers", "../elsewhere"])
def test_a_salesctl_folder_that_is_a_link_is_refused_by_writers_and_unused_by_readers(tmp_path, where):
    root = write_workspace(tmp_path / "ws", RECEIVABLES)
    (tmp_path / "elsewhere").mkdir()
    os.symlink(where, root / ".salesctl")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    proc = salesctl("-C", root, "--as-of", "2026-11-30", "pay", "RCV-0001", "1")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.decode() == (f"error: cannot write: .salesctl is a symbolic link (to {where}); salesctl keeps its "
                            f"lock and journal only in a folder of its own: remove the link\n")
    assert salesctl("-C", root, "validate").wait(timeout=60) == 0  # readers still read, and write nothing
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == []


# --- the journal of a plan left half written -------------------------------------------------

def test_a_damaged_journal_stops_every_command(tmp_path, run):
    root, changes = planned(tmp_path)
    write_killed(root, changes, lambda call: (root / storage.JOURNAL).exists())
    journal = root / storage.JOURNAL
    blob = bytearray(journal.read_bytes())
    blob[-40] ^= 1
    journal.write_bytes(bytes(blob))
    result = run("-C", root, "validate")
    assert (result.exit_code, result.stderr) == (2, "error: .salesctl/journal is damaged: a write was interrupted "
                                                    "and the files it names may be half written; check them (git "
                                                    "status, git diff), then remove it\n")
    assert receivables(root) == OLD


def test_a_writer_says_it_finished_a_write_left_half_done(tmp_path, run):
    root, changes = planned(tmp_path)
    write_killed(root, changes, lambda call: (root / storage.JOURNAL).exists())
    result = run("-C", root, "--as-of", "2026-11-30", "new", "customer", "name=甲", "owner=zhang")
    assert result.exit_code == 0, result.stderr
    note, done = result.stderr.splitlines()
    assert re.fullmatch(r"note: a write interrupted on \S+ \S+ \(pid [0-9]+: ten receivables\) was finished on "
                        r"\S+ \S+: 10 files", note)
    assert done == "CUS-0001: new customer in customers/CUS-0001.yaml"
    assert receivables(root) == NEW
