"""Where writers write, through the command line: links and hard links to record files, owners and
modes, collection folders that are links, and a multi-file write killed half-way."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from helpers.workspaces import ROOT


FILES = {
    "customers/CUS-0001.yaml": "id: CUS-0001\nname: 华东精密\nowner: zhang\ncreated: 2026-01-05\n",
    "contracts/CT-2026-001.yaml": """\
        id: CT-2026-001
        customer: CUS-0001
        owner: zhang
        title: 精益生产内训
        status: signed
        created: 2026-02-01
        signed: 2026-02-10
        approvals:
          - {stage: manager, by: lin, date: 2026-02-02, decision: approved}
          - {stage: legal, by: chen, date: 2026-02-03, decision: approved}
          - {stage: finance, by: zhao, date: 2026-02-04, decision: approved}
        items:
          - {name: 内训, quantity: 1, unit_price: 100000}
        amount: 100000
        """,
    "archive/RCV-0011.yaml": "id: RCV-0011\ncontract: CT-2026-001\namount: 1000\ndue: 2026-12-31\n",
}
PAYMENT = b"payments:\n  - date: 2026-11-30\n    amount: 10\n"


@pytest.fixture
def ws(workspace, monkeypatch):
    monkeypatch.setenv("SALESCTL_LOCK_TIMEOUT", "5")
    root = workspace(FILES)
    (root / "receivables").mkdir()
    return root


def git(root, *args) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def test_pay_through_a_link_writes_the_linked_file_and_keeps_the_link(ws, run):
    os.symlink("../archive/RCV-0011.yaml", ws / "receivables/RCV-0011.yaml")
    (ws / ".gitignore").write_text(".salesctl/\n")
    git(ws, "init", "-q")
    git(ws, "add", "-A")
    git(ws, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "workspace")
    result = run("-C", ws, "--as-of", "2026-11-30", "pay", "RCV-0011", "10")
    assert result.exit_code == 0, result.stderr
    assert os.readlink(ws / "receivables/RCV-0011.yaml") == "../archive/RCV-0011.yaml"
    assert (ws / "archive/RCV-0011.yaml").read_bytes().endswith(b"due: 2026-12-31\n" + PAYMENT)
    assert git(ws, "status", "--porcelain") == " M archive/RCV-0011.yaml\n"  # no typechange


def test_pay_on_a_hard_linked_file_keeps_both_names_one_file(ws, run):
    os.link(ws / "archive/RCV-0011.yaml", ws / "receivables/RCV-0011.yaml")
    result = run("-C", ws, "--as-of", "2026-11-30", "pay", "RCV-0011", "10")
    assert result.exit_code == 0, result.stderr
    assert os.path.samefile(ws / "archive/RCV-0011.yaml", ws / "receivables/RCV-0011.yaml")
    assert (ws / "archive/RCV-0011.yaml").read_bytes().endswith(PAYMENT)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user takes root")
def test_pay_as_root_keeps_the_owner_and_mode_of_the_file(ws, run):
    path = ws / "receivables/RCV-0011.yaml"
    os.replace(ws / "archive/RCV-0011.yaml", path)
    os.chown(path, 65534, 65534)
    path.chmod(0o664)
    result = run("-C", ws, "--as-of", "2026-11-30", "pay", "RCV-0011", "10")
    assert result.exit_code == 0, result.stderr
    st = path.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (65534, 65534, 0o664)
    assert path.read_bytes().endswith(PAYMENT)


def test_a_record_linked_out_of_the_workspace_is_never_written(ws, run, tmp_path):
    outside = tmp_path / "RCV-0011.yaml"
    os.replace(ws / "archive/RCV-0011.yaml", outside)
    os.symlink(outside, ws / "receivables/RCV-0011.yaml")
    before = outside.read_bytes()
    result = run("-C", ws, "--as-of", "2026-11-30", "pay", "RCV-0011", "10")
    assert result.exit_code == 2  # not read either: to salesctl there is no such receivable
    assert result.stderr == "error: no receivable 'RCV-0011' in the workspace\n"
    assert outside.read_bytes() == before


def test_a_pipe_where_the_new_file_would_go_is_refused_not_waited_on(ws):
    os.mkfifo(ws / "customers/CUS-0002.yaml")
    done = subprocess.run([sys.executable, "-m", "salesctl", "-C", str(ws), "new", "customer", "name=乙", "owner=zhang"],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (done.returncode, done.stderr) == (1, "error: customers/CUS-0002.yaml is not a regular file; nothing "
                                                 "written\n")


# --- collection folders that are links --------------------------------------------------------

VISIT = b"- {id: V-0001, customer: CUS-0001, rep: zhang, date: 2026-11-02, channel: phone}\n"


@pytest.mark.parametrize("given", ["visits/2026/2026-11.yaml", "{root}/visits/2026/2026-11.yaml",
                                   "{link}/visits/2026/2026-11.yaml"])
def test_new_into_a_collection_folder_that_is_a_link_inside_the_workspace(ws, run, tmp_path, given):
    (ws / "data/visits/2026").mkdir(parents=True)
    (ws / "data/visits/2026/2026-11.yaml").write_bytes(VISIT)
    os.symlink("data/visits", ws / "visits")
    os.symlink(ws, tmp_path / "link-to-ws")
    result = run("-C", ws, "--as-of", "2026-11-30", "new", "visit", "customer=CUS-0001", "rep=zhang", "channel=onsite",
                 "--file", given.format(root=ws, link=tmp_path / "link-to-ws"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "V-0002\n"
    assert (ws / "data/visits/2026/2026-11.yaml").read_bytes() == VISIT + (
        b"- {id: V-0002, customer: CUS-0001, rep: zhang, date: 2026-11-30, channel: onsite}\n")
    assert os.readlink(ws / "visits") == "data/visits"


def test_new_through_a_folder_linked_out_of_the_workspace_is_refused(ws, run, tmp_path):
    (ws / "visits").mkdir()
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", ws / "visits/2026")
    result = run("-C", ws, "--as-of", "2026-11-30", "new", "visit", "customer=CUS-0001", "rep=zhang", "channel=onsite",
                 "--file", "visits/2026/2026-11.yaml")
    assert (result.exit_code, result.stderr) == (2, "error: --file visits/2026/2026-11.yaml: leads outside the "
                                                    "workspace\n")
    assert list((tmp_path / "elsewhere").iterdir()) == []


# --- a multi-file write killed at random moments --------------------------------------------

SLOW_DISK = """\
import os, sys, time
real = os.replace
def slow(src, dst, **kwargs):
    time.sleep(0.04)
    return real(src, dst, **kwargs)
os.replace = slow
from salesctl.cli import main
main()  # on the process's own arguments, ending as the salesctl command does
"""
PLAN = ",".join(["10%@signed"] * 10)  # ten receivables of 10,000.00


def test_a_schedule_killed_at_random_moments_is_all_or_nothing_for_the_next_command(ws, run):
    """On a slow disk (each rename takes 40 ms), `schedule` is killed at a random moment, before it
    writes or while it writes its ten files: the next command sees none of them or all ten, and
    doctor says what happened."""
    (ws / "archive/RCV-0011.yaml").unlink()
    chance = random.Random(11)
    outcomes = []
    for attempt in range(6):
        proc = subprocess.Popen([sys.executable, "-c", SLOW_DISK, "-C", str(ws), "--as-of", "2026-11-30",
                                 "schedule", "CT-2026-001", PLAN], env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if attempt % 2:
            time.sleep(chance.uniform(0, 0.05))  # while it starts
        else:
            deadline = time.monotonic() + 60
            while not (ws / ".salesctl/journal").exists() and proc.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.002)
            time.sleep(chance.uniform(0, 0.4))  # while it renames its files into place
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        written = len(list((ws / "receivables").glob("RCV-*.yaml")))
        result = run("-C", ws, "--as-of", "2026-11-30", "query", "receivables", "--format", "ids")
        assert result.exit_code == 0, result.stderr
        assert result.stdout in ("", "".join(f"RCV-{n:04d}\n" for n in range(1, 11))), result.stdout
        assert len(list((ws / "receivables").glob("RCV-*.yaml"))) in (0, 10)
        outcomes.append((written, len(result.stdout.split())))
        for path in (ws / "receivables").glob("RCV-*.yaml"):
            path.unlink()
    assert any(0 < written < 10 for written, _ in outcomes), outcomes  # some were killed between files
    assert (0, 0) in outcomes, outcomes  # and some before the first
    doctor = run("-C", ws, "doctor")
    assert "WARN  writes     a write interrupted on " in doctor.stdout
    assert ": RCV-0001: 10,000.00 due 2026-02-10 on CT-2026-001 (receivables/RCV-0001.yaml); " in doctor.stdout
