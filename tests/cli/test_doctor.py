"""`salesctl doctor` through the command line: its text, JSON and exit codes, and that it writes nothing
but its probe (each check, as a library: tests/unit/test_doctor.py)."""

from __future__ import annotations

import json
import os

from helpers.mail import free_port, smtp_config
from helpers.storage import half_written


def test_a_lock_that_is_a_link_is_an_error(run, git_workspace):
    root = git_workspace()
    (root / ".salesctl").mkdir()
    os.symlink("../customers/CUS-0001.yaml", root / ".salesctl/lock")
    result = run("-C", root, "doctor")
    assert result.exit_code == 1
    assert ("FAIL  writes     .salesctl/lock is a symbolic link; salesctl never writes through one there: remove "
            "it; writers refuse to write until then\n") in result.stdout


def test_a_damaged_journal_is_an_error(run, git_workspace, monkeypatch):
    root = git_workspace()
    half_written(root, monkeypatch)
    journal = root / ".salesctl/journal"
    journal.write_bytes(journal.read_bytes()[:-1])
    result = run("-C", root, "doctor", "--format", "json")
    assert result.exit_code == 1
    found = {c["check"]: c for c in json.loads(result.stdout)["checks"]}
    assert found["writes"]["status"] == "error" and found["records"]["status"] == "error"
    assert found["writes"]["detail"].startswith(".salesctl/journal is damaged: ")
    assert found["writes"]["detail"].endswith("then remove it; commands refuse to run until then")
    assert found["identity"]["status"] == "skipped"


def test_cli_text_and_exit_codes(run, git_workspace, tmp_path, monkeypatch):
    root = git_workspace()
    result = run("-C", root, "doctor")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("ok    python")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SALESCTL_WORKSPACE", raising=False)
    missing = run("doctor")
    assert missing.exit_code == 2 and "FAIL  workspace  no workspace found" in missing.stdout


def test_cli_json(run, git_workspace):
    root = git_workspace(config=smtp_config(free_port()))
    result = run("-C", root, "doctor", "--format", "json", "--timeout", "2")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert [c["check"] for c in document["checks"]] == ["python", "encoding", "path", "today", "workspace", "writes",
                                                        "records", "cache", "git", "identity", "smtp", "hook"]
    assert {c["status"] for c in document["checks"]} <= {"ok", "warning", "error", "skipped"}


def test_cli_today_follows_as_of(run, git_workspace):
    result = run("-C", git_workspace(), "doctor", "--as-of", "2026-11-30")
    assert "today      2026-11-30" in result.stdout


def test_doctor_writes_nothing_but_its_probe(run, git_workspace):
    root = git_workspace()
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    run("-C", root, "doctor")
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == {**before, root / ".salesctl" / "files.lock": b""}  # the lock every reader shares
    assert list((root / ".salesctl" / "cache").iterdir()) == []
