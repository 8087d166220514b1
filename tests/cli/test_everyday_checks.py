"""The everyday checks through the command line: `approve` refuses who has no authority, writers
refuse entries dated after --as-of (and write them with --force), report their figures as of
--as-of, and `new customer` refuses a name another customer has; `validate` warns on what is
already written. A refused command leaves every file as it was. The rules themselves:
tests/unit/test_rules.py; the refusal in `check`: tests/unit/write/test_plan.py."""

from __future__ import annotations

import pytest

from helpers.workspaces import CONFIG

pytestmark = pytest.mark.usefixtures("quiet_git")

TEAM = CONFIG + "  - {id: qian, name: 钱多, role: rep, manager: lin}\n"
FILES = {
    "salesctl.yaml": TEAM,
    "customers/CUS-0001.yaml": "id: CUS-0001\nname: 杭州云帆网络科技有限公司\nowner: qian\ncreated: 2026-01-05\n",
    "contracts/CT-0001.yaml": "id: CT-0001\ncustomer: CUS-0001\nowner: qian\ntitle: 销售培训\nstatus: draft\n"
                              "created: 2026-11-01\nitems:\n  - {name: 课程, quantity: 1, unit_price: 64697.5}\n"
                              "amount: 64697.5\n",
    "contracts/CT-0002.yaml": "id: CT-0002\ncustomer: CUS-0001\nowner: qian\ntitle: 销售培训\nstatus: signed\n"
                              "created: 2026-03-01\nsigned: 2026-03-10\n"
                              "items:\n  - {name: 课程, quantity: 1, unit_price: 64697.5}\namount: 64697.5\napprovals:\n"
                              "  - {stage: manager, by: lin, date: 2026-03-02, decision: approved}\n"
                              "  - {stage: legal, by: chen, date: 2026-03-03, decision: approved}\n"
                              "  - {stage: finance, by: zhao, date: 2026-03-04, decision: approved}\n",
    "receivables/RCV-0011.yaml": "id: RCV-0011\ncontract: CT-0002\namount: 64697.5\ndue: 2026-07-20\n"
                                 "payments:\n  - {date: 2026-09-25, amount: 20000}\n",
}


def salesctl(run, r, *args):
    return run("-C", r.root, "--as-of", "2026-11-30", *args)


def test_approve_refuses_a_stage_to_whoever_has_no_authority(run, repo):
    r = repo(FILES)
    result = salesctl(run, r, "approve", "CT-0001", "--stage", "manager", "--by", "qian")
    assert (result.exit_code, result.stderr.splitlines()) == (1, [
        "error: refused: this would add 1 approval-authority warning; nothing written",
        "contracts/CT-0001.yaml:11:22: warning[approval-authority]: stage 'manager' approved by qian (rep): only the "
        "owner's manager (lin) or a member with role manager may decide it"])
    assert salesctl(run, r, "approve", "CT-0001", "--stage", "manager", "--by", "qian", "--force").exit_code == 1
    assert r.git("status", "--porcelain") == ""
    assert salesctl(run, r, "approve", "CT-0001", "--stage", "manager", "--by", "lin").exit_code == 0
    assert salesctl(run, r, "approve", "CT-0001", "--stage", "legal", "--by", "zhao", "--reject").exit_code == 1


def test_a_payment_dated_after_as_of_is_refused_unless_forced(run, repo):
    r = repo(FILES)
    result = salesctl(run, r, "pay", "RCV-0011", "100", "--date", "2027-06-01")
    assert (result.exit_code, result.stderr.splitlines()) == (1, [
        "error: refused: this would add 1 future-date warning (--force writes it anyway); nothing written",
        "receivables/RCV-0011.yaml:7:6: warning[future-date]: payment dated 2027-06-01 is in the future (after 2026-11-30)"])
    assert r.git("status", "--porcelain") == ""
    result = salesctl(run, r, "pay", "RCV-0011", "100", "--date", "2027-06-01", "--force")
    # as of 2026-11-30 the new payment does not count yet: 64,697.50 - 20,000.00 = 44,697.50
    assert (result.exit_code, result.stderr.splitlines()) == (0, [
        "receivables/RCV-0011.yaml:7:6: warning[future-date]: payment dated 2027-06-01 is in the future (after 2026-11-30)",
        "RCV-0011: payment of 100.00 on 2027-06-01 recorded in receivables/RCV-0011.yaml (balance 44,697.50 as of "
        "2026-11-30)"])


def test_a_writer_reports_its_figures_as_of_as_of_not_as_of_the_entry(run, repo):
    r = repo(FILES)
    result = salesctl(run, r, "pay", "RCV-0011", "100", "--date", "2026-08-01")
    # 64,697.50 - 20,000.00 (2026-09-25) - 100.00 = 44,597.50: the later payment counts
    assert result.stderr.splitlines()[-1] == ("RCV-0011: payment of 100.00 on 2026-08-01 recorded in "
                                              "receivables/RCV-0011.yaml (balance 44,597.50 as of 2026-11-30)")


def test_collection_actions_approvals_and_visits_dated_later_are_refused_too(run, repo):
    r = repo(FILES)
    for args in (["collect", "RCV-0011", "--channel", "phone", "--by", "zhao", "--date", "2026-12-01"],
                 ["approve", "CT-0001", "--stage", "manager", "--by", "lin", "--date", "2026-12-01"],
                 ["new", "visit", "customer=CUS-0001", "rep=qian", "channel=phone", "date=2026-12-01"]):
        result = salesctl(run, r, *args)
        assert result.exit_code == 1 and "warning[future-date]" in result.stderr, args
    assert r.git("status", "--porcelain") == ""
    result = salesctl(run, r, "new", "visit", "customer=CUS-0001", "rep=qian", "channel=phone", "--date", "2026-12-01",
                      "--force")
    assert (result.exit_code, result.stdout) == (0, "V-0001\n")


def test_new_customer_refuses_a_name_another_customer_has(run, repo):
    r = repo(FILES)
    result = salesctl(run, r, "new", "customer", "name=杭州云帆 网络科技有限公司", "owner=zhang")
    assert (result.exit_code, result.stdout, result.stderr.splitlines()) == (1, "", [
        "error: refused: this would add 1 duplicate-name warning (--force writes it anyway); nothing written",
        "customers/CUS-0002.yaml:2:1: warning[duplicate-name]: customer '杭州云帆 网络科技有限公司' is also CUS-0001 "
        "(customers/CUS-0001.yaml:2, owner qian): one company, two records?"])
    assert r.git("status", "--porcelain") == ""
    result = salesctl(run, r, "new", "customer", "name=杭州云帆 网络科技有限公司", "owner=zhang", "--force")
    assert (result.exit_code, result.stdout) == (0, "CUS-0002\n")
    assert "warning[duplicate-name]" in run("-C", r.root, "validate").stdout


def test_timezone_decides_the_day_of_a_writer_and_of_today_in_a_query(run, repo):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    r = repo({**FILES, "salesctl.yaml": TEAM + "timezone: Pacific/Kiritimati\n"})
    today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    assert run("-C", r.root, "new", "visit", "customer=CUS-0001", "rep=qian", "channel=phone").exit_code == 0
    rows = run("-C", r.root, "query", "visits", "-w", "date = today", "-f", "id,date", "--format", "csv").stdout
    assert rows == f"id,date\nV-0001,{today}\n"


@pytest.mark.parametrize("command", [("query", "receivables", "--format", "json"), ("report", "overdue"),
                                     ("report", "kpi"), ("report", "activity"), ("report", "commission"),
                                     ("report", "review"), ("remind",), ("show", "RCV-0011")])
def test_a_read_command_finds_today_in_the_salesctl_yaml_it_loads(run, repo, monkeypatch, command):
    """Without --as-of, what day it is comes from the timezone of the salesctl.yaml the command
    loads anyway: the file is not read and parsed once more before."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import salesctl.load.loader as loader

    r = repo({**FILES, "salesctl.yaml": TEAM + "timezone: Pacific/Kiritimati\n"})
    expected = run("-C", r.root, "--as-of", datetime.now(ZoneInfo("Pacific/Kiritimati")).date(), *command)
    monkeypatch.setattr(loader, "read_settings", lambda root: pytest.fail("salesctl.yaml read a second time"))
    result = run("-C", r.root, *command)
    assert (result.exit_code, result.stdout) == (expected.exit_code, expected.stdout) == (0, expected.stdout)
