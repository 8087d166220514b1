"""`salesctl set` through the command line, in a git repository: the diff is exactly the change; a
refused one leaves every file as it was (exit 1). The library: tests/unit/write/test_setfield.py."""

from __future__ import annotations

import pytest

from helpers.contracts import FILES, changed, salesctl

pytestmark = pytest.mark.usefixtures("quiet_git")


def test_set_changes_only_what_it_names(run, repo):
    r = repo(FILES)
    result = salesctl(run, r, "set", "CT-1", "title=销售技巧培训", "payments.0.amount=1")
    assert (result.exit_code, result.stderr) == (2, "error: payments.0.amount: a contract has no field 'payments'; "
                                                    "did you mean 'payment_terms'?\n")
    result = salesctl(run, r, "set", "RCV-1", "payments.0.amount=3000", "invoice=26312000000000318")
    assert result.exit_code == 0, result.stderr
    assert changed(r) == ["+invoice: '26312000000000318'",  # where the record format puts it: after due
                          "-  - {date: 2026-11-25, amount: 2500}", "+  - {date: 2026-11-25, amount: 3000}"]
    assert result.stderr == ("RCV-1: payments.0.amount set to 3000 (receivables/RCV-1.yaml)\n"
                             "RCV-1: invoice set to 26312000000000318 (receivables/RCV-1.yaml)\n")
    result = salesctl(run, r, "set", "RCV-1", "amount=2000")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == ("receivables/RCV-1.yaml:6:1: error[overpaid]: payments sum to 3,000.00, above "
                                             "the receivable amount 2,000.00")
    assert len(changed(r)) == 3


def test_set_dry_run_prints_the_diff(run, repo):
    r = repo(FILES)
    result = salesctl(run, r, "set", "CT-1", "amount=", "--dry-run")
    assert result.exit_code == 1  # amount is required
    assert "error[missing-field]: missing required field 'amount'" in result.stderr
    result = salesctl(run, r, "set", "CT-1", "status=draft", "--dry-run")
    assert [line for line in result.stdout.splitlines() if line[:1] in "+-"] == [
        "--- a/contracts/CT-1.yaml", "+++ b/contracts/CT-1.yaml", "-status: approved   # 待客户盖章",
        "+status: draft   # 待客户盖章"]
    assert r.git("status", "--porcelain") == ""
