"""The rules of everyday use, from literal workspaces: who may decide an approval
(approval-authority), entries dated after the as-of date (future-date), one company kept twice
(duplicate-name) and two reviews of one rep and period (duplicate-review). The writers' refusals of
the same: tests/cli/test_everyday_checks.py; every code's line: tests/unit/load/test_pipeline.py."""

from __future__ import annotations

from datetime import date

from helpers.workspaces import CONFIG
from salesctl.load.pipeline import load

# lin manages zhang and wang; sun is a second manager; qian is a rep with no manager; root is an admin.
TEAM = CONFIG + """\
  - {id: sun, name: 孙磊, role: manager}
  - {id: qian, name: 钱多, role: rep}
  - {id: root, name: 管理员, role: admin}
"""
CUSTOMERS = """\
- {id: CUS-1, name: 杭州云帆网络科技有限公司, owner: zhang, created: 2026-01-05}
- {id: CUS-2, name: 苏州恒瑞医药, owner: wang, created: 2026-01-06}
"""


def contract(cid: str, owner: str, approvals: str) -> str:
    return (f"id: {cid}\ncustomer: CUS-1\nowner: {owner}\ntitle: 培训\nstatus: in_review\ncreated: 2026-11-01\n"
            f"items: [{{name: 课程, quantity: 1, unit_price: 1000}}]\namount: 1000\napprovals:\n{approvals}")


def problems(ws, code):
    return [(p.path, p.line, p.severity, p.message) for p in ws.problems if p.code == code]


def test_validate_warns_on_an_entry_by_someone_without_authority(workspace):
    approvals = ("  - {stage: manager, by: qian, date: 2026-11-02, decision: approved}\n"
                 "  - {stage: legal, by: lin, date: 2026-11-03, decision: rejected}\n")
    ws = load(workspace({"customers/c.yaml": CUSTOMERS, "contracts/CT-1.yaml": contract("CT-1", "qian", approvals)}, TEAM))
    assert problems(ws, "approval-authority") == [
        ("contracts/CT-1.yaml", 10, "warning", "stage 'manager' approved by qian (rep): only a member with role manager "
                                              "may decide it"),
        ("contracts/CT-1.yaml", 11, "warning", "stage 'legal' rejected by lin (manager): only a member with role legal "
                                               "or admin may decide it")]
    assert ws.usable().get("contracts", "CT-1") is not None  # a warning: the contract stays in the reports


# --- future dates ----------------------------------------------------------------------------

FUTURE = {
    "customers/c.yaml": CUSTOMERS,
    "contracts/CT-1.yaml": contract("CT-1", "zhang", "  - {stage: manager, by: lin, date: 2026-12-01, decision: approved}\n"),
    "receivables/RCV-1.yaml": "id: RCV-1\ncontract: CT-1\namount: 1000\ndue: 2026-12-31\n"
                              "payments:\n  - {date: 2026-11-30, amount: 100}\n  - {date: 2026-12-01, amount: 100}\n"
                              "collection:\n  - {date: 2026-12-02, by: zhang, channel: phone}\n",
    "visits/v.yaml": "- {id: V-1, customer: CUS-1, rep: zhang, date: 2026-11-30, channel: phone}\n"
                     "- {id: V-2, customer: CUS-1, rep: zhang, date: 2026-12-03, channel: phone}\n",
}


def test_entries_dated_after_the_as_of_date_are_future_dates(workspace):
    root = workspace(FUTURE)
    assert problems(load(root, as_of=date(2026, 11, 30)), "future-date") == [
        ("contracts/CT-1.yaml", 10, "warning", "approval of stage 'manager' dated 2026-12-01 is in the future (after 2026-11-30)"),
        ("receivables/RCV-1.yaml", 7, "warning", "payment dated 2026-12-01 is in the future (after 2026-11-30)"),
        ("receivables/RCV-1.yaml", 9, "warning", "collection action (phone) dated 2026-12-02 is in the future (after 2026-11-30)"),
        ("visits/v.yaml", 2, "warning", "visit dated 2026-12-03 is in the future (after 2026-11-30)")]
    assert problems(load(root, as_of=date(2026, 12, 3)), "future-date") == []


def test_a_promise_dated_before_its_action_is_a_warning(workspace):
    receivable = ("id: RCV-1\ncontract: CT-1\namount: 1000\ndue: 2026-10-31\ncollection:\n"
                  "  - {date: 2026-11-05, by: zhang, channel: phone, promised: 2026-11-05}\n"   # the same day: fine
                  "  - {date: 2026-11-10, by: zhang, channel: wechat, promised: 2026-11-01}\n")
    ws = load(workspace({**FUTURE, "receivables/RCV-1.yaml": receivable}), as_of=date(2026, 11, 30))
    assert problems(ws, "promise-before-action") == [
        ("receivables/RCV-1.yaml", 7, "warning", "promised 2026-11-01 is before the action it was given in (2026-11-10)")]
    assert ws.usable().get("receivables", "RCV-1") is not None


# --- duplicates ------------------------------------------------------------------------------

def test_one_company_twice_is_a_duplicate_name_after_nfkc_and_without_spaces(workspace):
    more = ("- {id: CUS-3, name: '杭州云帆 网络科技有限公司', owner: wang, created: 2026-02-01}\n"
            "- {id: CUS-4, name: 'ＸＹＺ　科技', owner: wang, created: 2026-02-01}\n"  # full-width letters, ideographic space
            "- {id: CUS-5, name: XYZ科技, owner: zhang, created: 2026-02-01}\n"
            "- {id: CUS-6, name: xyz科技, owner: zhang, created: 2026-02-01}\n")  # case is not folded
    ws = load(workspace({"customers/c.yaml": CUSTOMERS + more}))
    assert problems(ws, "duplicate-name") == [
        ("customers/c.yaml", 3, "warning", "customer '杭州云帆 网络科技有限公司' is also CUS-1 (customers/c.yaml:1, "
                                           "owner zhang): one company, two records?"),
        ("customers/c.yaml", 5, "warning", "customer 'XYZ科技' is also CUS-4 (customers/c.yaml:4, owner wang): one "
                                           "company, two records?")]


def test_two_reviews_of_one_rep_and_period_are_an_error(workspace):
    reviews = ("- {id: R-1, rep: zhang, period: 2026-Q3}\n- {id: R-2, rep: wang, period: 2026-Q3}\n"
               "- {id: R-3, rep: zhang, period: 2026-09}\n- {id: R-4, rep: zhang, period: 2026-Q3}\n")
    ws = load(workspace({"reviews/r.yaml": reviews}))
    assert problems(ws, "duplicate-review") == [
        ("reviews/r.yaml", 4, "error", "zhang already has a review for 2026-Q3: R-1 (reviews/r.yaml:1)")]
    assert sorted(ws.usable().ids("reviews")) == ["R-1", "R-2", "R-3"]
