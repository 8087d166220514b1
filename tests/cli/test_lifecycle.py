"""sign, complete, terminate and write-off through the command line, in a git repository: each
write's diff is exactly the change; a refused one leaves every file as it was (exit 1). The
library: tests/unit/write/test_lifecycle.py."""

from __future__ import annotations

import json

import pytest

from helpers.contracts import FILES, changed, salesctl

pytestmark = pytest.mark.usefixtures("quiet_git")


def test_sign_then_complete(run, repo):
    r = repo(FILES)
    result = salesctl(run, r, "sign", "CT-1", "--date", "2026-11-10")
    assert (result.exit_code, result.stderr) == (0, "CT-1: signed on 2026-11-10; status approved → signed "
                                                    "(contracts/CT-1.yaml)\n")
    assert changed(r) == ["-status: approved   # 待客户盖章", "+status: signed   # 待客户盖章", "+signed: 2026-11-10"]
    result = salesctl(run, r, "complete", "CT-1")
    assert (result.exit_code, result.stderr) == (0, "CT-1: completed on 2026-11-30; status signed → completed "
                                                    "(contracts/CT-1.yaml)\n")
    assert changed(r) == ["-status: approved   # 待客户盖章", "+status: completed   # 待客户盖章", "+signed: 2026-11-10",
                          "+completed: 2026-11-30"]
    assert run("-C", r.root, "validate").stdout == "0 errors, 0 warnings in 4 files\n"
    row = json.loads(salesctl(run, r, "query", "contracts", "-f", "id,status,signed,completed", "--format", "json").stdout)
    assert row == [{"id": "CT-1", "status": "completed", "signed": "2026-11-10", "completed": "2026-11-30"}]


def test_refusals_write_nothing(run, repo):
    r = repo(FILES)
    result = salesctl(run, r, "complete", "CT-1")
    assert (result.exit_code, result.stderr) == (1, "error: CT-1 is approved; only a signed contract can be completed\n")
    result = salesctl(run, r, "sign", "CT-1", "--date", "2026-11-03")
    assert (result.exit_code, result.stderr) == (
        1, "error: CT-1 cannot be signed on 2026-11-03: stage 'finance' has not approved it by then\n")
    result = salesctl(run, r, "write-off", "RCV-1", "--by", "zhao")
    assert result.exit_code == 2 and "Missing option '--reason'" in result.stderr
    result = salesctl(run, r, "sign", "CT-9")
    assert (result.exit_code, result.stderr) == (2, "error: no contract 'CT-9' in the workspace\n")
    assert r.git("status", "--porcelain") == ""


def test_terminate_and_write_off_record_who_when_and_why(run, repo, monkeypatch):
    r = repo(FILES)
    monkeypatch.setenv("SALESCTL_USER", "wang")
    result = salesctl(run, r, "terminate", "CT-1", "--reason", "客户取消")
    assert (result.exit_code, result.stderr) == (0, "CT-1: terminated on 2026-11-30 by wang; status approved → "
                                                    "terminated (contracts/CT-1.yaml)\n")
    assert changed(r)[-4:] == ["+terminated:", "+  date: 2026-11-30", "+  by: wang", "+  reason: 客户取消"]
    result = salesctl(run, r, "write-off", "RCV-1", "--reason", "无法收回", "--by", "zhao", "--date", "2026-11-29")
    # 10,000 - 2,500 = 7,500 outstanding as of 2026-11-30
    assert (result.exit_code, result.stderr) == (0, "RCV-1: written off on 2026-11-29 by zhao, balance 7,500.00 as of "
                                                    "2026-11-30 (receivables/RCV-1.yaml)\n")
    assert changed(r)[-4:] == ["+written_off:", "+  date: 2026-11-29", "+  by: zhao", "+  reason: 无法收回"]
    ledger = json.loads(salesctl(run, r, "report", "overdue", "--format", "json").stdout)
    assert ledger["rows"] == []
