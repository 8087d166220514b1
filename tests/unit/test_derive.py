"""The derived values (docs/derived.md), computed by hand for small records."""

from __future__ import annotations

from datetime import date

import pytest

from helpers.records import CHAIN, CONTRACT, CUSTOMER, VALID, in_review, with_change
from helpers.workspaces import CONFIG
from salesctl import derive
from salesctl.load.pipeline import load

D = date(2026, 5, 1)
RCV = """\
id: RCV-1
contract: CT-1
amount: 10000
due: 2026-03-01
payments:
  - {date: 2026-03-05, amount: 3000}
  - {date: 2026-05-02, amount: 7000}   # after D: does not count
"""


def load_with(workspace, receivable=RCV, **files):
    ws = load(workspace({**VALID, "receivables/RCV-1.yaml": receivable, **files}))
    assert [p for p in ws.problems if p.is_error] == []
    return ws


def test_paid_balance_status_ignore_payments_after_as_of(workspace):
    ws = load_with(workspace)
    r = ws.get("receivables", "RCV-1")
    assert derive.receivable_paid(r, D) == 3000
    assert derive.receivable_balance(r, D) == 7000
    assert derive.receivable_status(r, D) == "overdue"
    assert derive.days_overdue(r, D) == 61  # March 1 → May 1
    assert derive.bucket(61, [30, 60, 90]) == "61-90"
    assert derive.receivable_status(r, date(2026, 5, 2)) == "paid"
    assert derive.days_overdue(r, date(2026, 5, 2)) == 0


@pytest.mark.parametrize("as_of, status", [
    (date(2026, 2, 1), "open"),        # nothing paid, not yet due
    (date(2026, 3, 1), "open"),        # due today is not overdue
    (date(2026, 3, 2), "overdue"),
    (date(2026, 3, 5), "overdue"),     # partially paid but past due: overdue wins
])
def test_status_by_date(workspace, as_of, status):
    assert derive.receivable_status(load_with(workspace).get("receivables", "RCV-1"), as_of) == status


def test_partial_before_due(workspace):
    text = RCV.replace("due: 2026-03-01", "due: 2026-06-01")
    r = load_with(workspace, text).get("receivables", "RCV-1")
    assert derive.receivable_status(r, D) == "partial"


def test_written_off_counts_only_from_its_date(workspace):
    text = RCV + "written_off: {date: 2026-04-01, by: zhao, reason: 客户破产}\n"
    r = load_with(workspace, text).get("receivables", "RCV-1")
    assert derive.receivable_status(r, date(2026, 3, 31)) == "overdue"
    assert derive.receivable_status(r, D) == "written_off"
    assert derive.next_step(r, D, []) is None


@pytest.mark.parametrize("days, label", [(0, None), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"),
                                         (61, "61-90"), (90, "61-90"), (91, "91+"), (5000, "91+")])
def test_buckets(days, label):
    assert derive.bucket(days, [30, 60, 90]) == label


ESCALATION = [{"after_days": 1, "action": "phone"}, {"after_days": 7, "action": "email"},
              {"after_days": 30, "action": "onsite"}, {"after_days": 90, "action": "agency"}]


def rcv_with_log(log: str) -> str:
    return "id: RCV-1\ncontract: CT-1\namount: 10000\ndue: 2026-03-01\ncollection:\n" + log


@pytest.mark.parametrize("log, as_of, expected", [
    # 10 days overdue, nothing done: the highest reached level (email, due+7) is pending
    ("  []\n", date(2026, 3, 11), {"action": "email", "date": date(2026, 3, 8)}),
    # phone done on day 2; email reached and not done
    ("  - {date: 2026-03-03, by: zhang, channel: phone}\n", date(2026, 3, 11), {"action": "email", "date": date(2026, 3, 8)}),
    # email done on day 8: next is the first unreached level, onsite at due+30 (a future date)
    ("  - {date: 2026-03-09, by: zhang, channel: email}\n", date(2026, 3, 11), {"action": "onsite", "date": date(2026, 3, 31)}),
    # a later level's channel (onsite) done after due+7 counts for email too
    ("  - {date: 2026-03-09, by: zhang, channel: onsite}\n", date(2026, 3, 11), {"action": "onsite", "date": date(2026, 3, 31)}),
    # an email sent before due+7 does not count for the email level
    ("  - {date: 2026-03-05, by: zhang, channel: email}\n", date(2026, 3, 11), {"action": "email", "date": date(2026, 3, 8)}),
    # a promise on the latest action, not yet past: await it
    ("  - {date: 2026-03-09, by: zhang, channel: phone, promised: 2026-03-20}\n", date(2026, 3, 11),
     {"action": "await", "date": date(2026, 3, 20)}),
    # a broken promise (past) no longer counts
    ("  - {date: 2026-03-09, by: zhang, channel: phone, promised: 2026-03-10}\n", date(2026, 3, 11),
     {"action": "email", "date": date(2026, 3, 8)}),
    # actions dated after D do not count
    ("  - {date: 2026-03-20, by: zhang, channel: email}\n", date(2026, 3, 11), {"action": "email", "date": date(2026, 3, 8)}),
    # every level reached and the last one done: nothing left
    ("  - {date: 2026-06-10, by: zhang, channel: agency}\n", date(2026, 7, 1), None),
])
def test_next_step(workspace, log, as_of, expected):
    r = load_with(workspace, rcv_with_log(log)).get("receivables", "RCV-1")
    assert derive.next_step(r, as_of, ESCALATION) == expected


def test_a_wechat_message_counts_only_for_a_level_that_names_wechat(workspace):
    r = load_with(workspace, rcv_with_log("  - {date: 2026-03-09, by: zhang, channel: wechat}\n")).get("receivables", "RCV-1")
    # the default levels name no wechat: the email level (due+7 = 03-08) is still pending on 03-11
    assert derive.next_step(r, date(2026, 3, 11), ESCALATION) == {"action": "email", "date": date(2026, 3, 8)}
    # a team that chases by WeChat before e-mail: the wechat level (due+7) is done, next onsite at due+30
    by_wechat = [{"after_days": 1, "action": "phone"}, {"after_days": 7, "action": "wechat"},
                 {"after_days": 30, "action": "onsite"}]
    assert derive.next_step(r, date(2026, 3, 11), by_wechat) == {"action": "onsite", "date": date(2026, 3, 31)}


def test_last_action_is_latest_dated_not_after_as_of(workspace):
    log = ("  - {date: 2026-03-05, by: zhang, channel: phone, note: 一}\n"
           "  - {date: 2026-03-09, by: zhang, channel: email, note: 二}\n"
           "  - {date: 2026-03-20, by: zhang, channel: onsite, note: 三}\n")
    r = load_with(workspace, rcv_with_log(log)).get("receivables", "RCV-1")
    assert derive.last_action(r, date(2026, 3, 11))["note"] == "二"
    assert derive.last_action(r, date(2026, 3, 1)) is None


def test_contract_derived(workspace):
    in_review = CONTRACT.replace("status: signed", "status: in_review").replace("signed: 2026-02-10\n", "")
    in_review = in_review.replace("  - {stage: legal, by: chen, date: 2026-02-03, decision: approved}\n", "")
    in_review = in_review.replace("  - {stage: finance, by: zhao, date: 2026-02-04, decision: approved}\n", "")
    ws = load(workspace({"customers/CUS-0001.yaml": CUSTOMER, "contracts/CT-1.yaml": in_review}))
    c = ws.get("contracts", "CT-1")
    chain = ws.config.rules["approval_chain"]
    assert derive.pending_stage(c, chain, date(2026, 2, 10), currency="CNY") == "legal"
    assert derive.pending_stage(c, chain, date(2026, 2, 1), currency="CNY") == "manager"  # approval dated after D ignored
    assert derive.waiting_since(c, date(2026, 2, 10)) == date(2026, 2, 2)
    assert derive.waiting_since(c, date(2026, 2, 1)) == date(2026, 2, 1)  # created
    assert derive.waiting_days(c, date(2026, 2, 10)) == 8
    assert not derive.is_counted(c)
    full = load_with(workspace)
    signed = full.get("contracts", "CT-1")
    assert derive.pending_stage(signed, chain, D, currency="CNY") is None
    assert derive.is_counted(signed)
    assert derive.contract_paid(full, signed, D) == 3000
    assert derive.contract_balance(full, signed, D) == 7000


@pytest.mark.parametrize("steps, pending", [
    ("", "manager"),
    ("m+", "legal"),
    ("m+ l+", "finance"),
    ("m+ l+ f+", None),
    ("m+ l+ l-", "legal"),          # legal took its approval back: legal again, not finance
    ("m+ l-", "legal"),             # manager's approval stands
    ("m+ l- m+", "legal"),          # the chain restarted at manager; legal still owes one
    ("m+ l- m-", "manager"),        # a rejection at manager sends back every stage
    ("m+ l+ l- l+", "finance"),
    ("m+ l+ f-", "finance"),
    ("m+ l+ f+ f- l-", "legal"),    # every stage approved once, but legal and finance were sent back
    ("m-", "manager"),
])
def test_pending_stage_follows_rejections(workspace, steps, pending):
    ws = load(workspace({"customers/CUS-0001.yaml": CUSTOMER, "contracts/CT-1.yaml": in_review(steps)}))
    assert [p for p in ws.problems if p.is_error] == []
    assert derive.pending_stage(ws.get("contracts", "CT-1"), CHAIN, D, currency="CNY") == pending


def test_approval_state_counts_entries_up_to_as_of(workspace):
    ws = load(workspace({"customers/CUS-0001.yaml": CUSTOMER, "contracts/CT-1.yaml": in_review("m+ l+ l-")}))
    contract = ws.get("contracts", "CT-1")
    before = derive.approval_state(contract, CHAIN, date(2026, 2, 3), currency="CNY")  # the rejection of 02-04 not yet made
    assert (before.pending_stage, before.standing) == ("finance", {"manager": 0, "legal": 1})
    after = derive.approval_state(contract, CHAIN, D, currency="CNY")
    assert (after.pending_stage, after.standing) == ("legal", {"manager": 0})
    assert [(s.index, s.standing, s.last_rejection) for s in after.steps] == [
        (0, {}, -1), (1, {"manager": 0}, -1), (2, {"manager": 0, "legal": 1}, -1)]


def test_customer_derived(workspace):
    visits = """\
    - {id: V1, customer: CUS-0001, rep: zhang, date: 2026-02-01, channel: onsite}
    - {id: V2, customer: CUS-0001, rep: zhang, date: 2026-04-01, channel: phone}
    """
    ws = load_with(workspace, **{"visits/2026.yaml": visits})
    c = ws.get("customers", "CUS-0001")
    assert derive.last_contact(ws, c, date(2026, 3, 1)) == date(2026, 2, 1)
    assert derive.days_since_contact(ws, c, date(2026, 3, 1)) == 28
    assert derive.last_contact(ws, c, date(2026, 1, 6)) == date(2026, 1, 5)  # before any visit: created
    rules = ws.config.rules
    assert derive.follow_up_days(c, rules) == 30  # tier A
    assert derive.follow_up_days(c.__class__("customers", {"key": True, "tier": "C"}, "", 0, {}), rules) == 14
    assert derive.follow_up_days(c.__class__("customers", {"follow_up_days": 5, "key": True}, "", 0, {}), rules) == 5
    assert derive.follow_up_days(c.__class__("customers", {}, "", 0, {}), rules) is None


# lin manages zhang and wang; sun is a second manager; qian is a rep with no manager; root is an admin.
AUTHORITIES = CONFIG + """\
  - {id: sun, name: 孙磊, role: manager}
  - {id: qian, name: 钱多, role: rep}
  - {id: root, name: 管理员, role: admin}
"""


@pytest.mark.parametrize("owner, stage, by, allowed", [
    ("zhang", "manager", "lin", True),     # the owner's manager
    ("zhang", "manager", "sun", True),     # another member with role manager
    ("zhang", "manager", "zhang", False),  # the contract's own rep
    ("zhang", "manager", "root", False),   # admin decides any stage but manager
    ("qian", "manager", "lin", True),      # an owner without a manager: the managers
    ("zhang", "legal", "chen", True),
    ("zhang", "legal", "root", True),
    ("zhang", "legal", "lin", False),
    ("zhang", "finance", "chen", False),
])
def test_who_may_decide_a_stage(workspace, owner, stage, by, allowed):
    ws = load(workspace(with_change(**{"contracts/CT-1.yaml": CONTRACT.replace("owner: zhang", f"owner: {owner}")}),
                        AUTHORITIES))
    assert derive.may_decide(ws, ws.get("contracts", "CT-1"), stage, by) is allowed


def test_a_receivable_settled_since_a_day_is_paid_or_written_off_on_every_day_from_then():
    from datetime import timedelta

    from helpers.workspaces import SAMPLE

    ws = load(SAMPLE, as_of=date(2026, 11, 30)).usable()
    settled = [(r, derive.settled_since(r)) for r in ws.records["receivables"]]
    assert any(day is None for _, day in settled) and any(day is not None for _, day in settled)
    for receivable, day in settled:
        if day is None:
            assert derive.receivable_status(receivable, date(2026, 11, 30)) not in ("paid", "written_off")
            continue
        for later in (day, day + timedelta(days=1), day + timedelta(days=400)):
            assert derive.receivable_status(receivable, later) in ("paid", "written_off")
        if day > date.min:
            assert derive.receivable_status(receivable, day - timedelta(days=1)) not in ("paid", "written_off")
