"""Atomic writes and the writer lock: one writer at a time, and a killed writer never leaves half a file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from salesctl import storage
from salesctl.parse import parse_bytes
from salesctl.writers import FileChange

from conftest import ROOT, write_workspace

RECEIVABLES = {
    "customers/CUS-0001.yaml": "id: CUS-0001\nname: 华东精密\nowner: zhang\ncreated: 2026-01-05\n",
    "contracts/CT-2026-001.yaml": """\
        id: CT-2026-001
        customer: CUS-0001
        owner: zhang
        title: 精益生产内训
        status: draft
        created: 2026-02-01
        items:
          - {name: 内训, quantity: 1, unit_price: 1000000}
        amount: 1000000
        """,
    "receivables/RCV-0001.yaml": """\
        # 首付款
        id: RCV-0001
        contract: CT-2026-001
        amount: 1000000
        due: 2026-12-31
        payments:
          - {date: 2026-03-01, amount: 1}
        """,
}
PAYMENT_LINE = b"  - {date: 2026-11-30, amount: 1}\n"


def salesctl(*args, env=None, **kwargs) -> subprocess.Popen:
    """`python -m salesctl ARGS` in a separate process, as a user's shell would run it."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "salesctl", *args], env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["RCV-0001.yaml"]


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
        content = path.read_bytes()
        assert not [p for p in parse_bytes(content).problems if p[0] == "yaml-syntax"]
        extra = content[len(original):]
        assert content.startswith(original) and extra == PAYMENT_LINE * (len(extra) // len(PAYMENT_LINE))
        assert len(extra) // len(PAYMENT_LINE) in (landed, landed + 1)
        landed = len(extra) // len(PAYMENT_LINE)
    visible = [p.name for p in (root / "receivables").iterdir() if not p.name.startswith(".")]
    assert visible == ["RCV-0001.yaml"]
    assert salesctl(*args).wait(timeout=60) == 0  # the lock is free and stale temporary files go
    assert [p.name for p in (root / "receivables").iterdir()] == ["RCV-0001.yaml"]
    assert path.read_bytes() == original + PAYMENT_LINE * (landed + 1)
