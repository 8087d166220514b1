"""`report overdue` as a library: the collection ledger, checked figure by figure against the fixture
workspace, and each escalation rule (the command: tests/cli/test_report_overdue.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from salesctl.reports.overdue import overdue_report
from salesctl.load.pipeline import load

D = date(2026, 6, 30)  # the as-of date the fixture workspace (tests/fixtures/reports) is built for

# As of 2026-06-30: (receivable, days overdue, bucket, paid, balance), longest overdue first.
LEDGER = [
    ("RCV-01", 91, "91+", 40000, 60000),     # due 03-31
    ("RCV-02", 90, "61-90", 0, 100000),      # due 04-01
    ("RCV-03", 61, "61-90", 0, 100000),      # due 04-30; paid 07-02, after the as-of date
    ("RCV-04", 60, "31-60", 0, 100000),      # due 05-01
    ("RCV-05", 31, "31-60", 0, 50000),       # due 05-30
    ("RCV-06", 30, "1-30", 0, 50000),        # due 05-31
    ("RCV-07", 1, "1-30", 0, 50000),         # due 06-29
]
BUCKETS = {"1-30": 100000, "31-60": 150000, "61-90": 200000, "91+": 60000}


def test_ledger_rows_buckets_and_totals(reports_ws):
    doc = overdue_report(reports_ws, D)
    assert [(r["receivable"], r["days_overdue"], r["bucket"], r["paid"], r["balance"]) for r in doc["rows"]] == LEDGER
    assert doc["totals"] == {"balance": Decimal("510000"), "count": 7, "buckets": BUCKETS}
    # not in the ledger: due today (RCV-08), written off (RCV-09), paid (RCV-10..12, 14), not yet due (13, 15)


@pytest.mark.parametrize("receivable, days, label", [(r[0], r[1], r[2]) for r in LEDGER])
def test_each_bucket_boundary(reports_ws, receivable, days, label):
    row = next(r for r in overdue_report(reports_ws, D)["rows"] if r["receivable"] == receivable)
    assert (row["days_overdue"], row["bucket"]) == (days, label)


def test_receivable_due_today_is_not_overdue(reports_ws):
    assert "RCV-08" not in [r["receivable"] for r in overdue_report(reports_ws, D)["rows"]]
    assert "RCV-08" in [r["receivable"] for r in overdue_report(reports_ws, date(2026, 7, 1))["rows"]]


def test_payment_after_the_as_of_date_does_not_count(reports_ws):
    rows = {r["receivable"]: r for r in overdue_report(reports_ws, D)["rows"]}
    assert (rows["RCV-03"]["paid"], rows["RCV-03"]["balance"]) == (0, 100000)
    later = {r["receivable"] for r in overdue_report(reports_ws, date(2026, 7, 2))["rows"]}
    assert "RCV-03" not in later


def test_written_off_receivable_leaves_the_ledger_on_its_date(reports_ws):
    before = {r["receivable"]: r for r in overdue_report(reports_ws, date(2026, 6, 14))["rows"]}
    assert (before["RCV-09"]["days_overdue"], before["RCV-09"]["bucket"], before["RCV-09"]["balance"]) == (105, "91+", 40000)
    assert "RCV-09" not in {r["receivable"] for r in overdue_report(reports_ws, date(2026, 6, 15))["rows"]}


def test_promise_is_shown_and_awaited(reports_ws):
    rows = {r["receivable"]: r for r in overdue_report(reports_ws, D)["rows"]}
    assert rows["RCV-05"]["last_action"] == {"date": date(2026, 6, 1), "channel": "phone", "by": "wang",
                                             "note": None, "promised": date(2026, 7, 5)}
    assert rows["RCV-05"]["next_step"] == {"action": "await", "date": date(2026, 7, 5)}
    assert rows["RCV-07"]["last_action"] is None


@pytest.mark.parametrize("receivable, step", [
    ("RCV-01", ("agency", date(2026, 6, 29))),   # phone, email, onsite done; agency reached at 90 days
    ("RCV-02", ("agency", date(2026, 6, 30))),   # reached today; a letter does not do the agency level
    ("RCV-03", ("onsite", date(2026, 5, 30))),   # nothing logged: the highest reached level
    ("RCV-04", ("agency", date(2026, 7, 30))),   # every reached level done: the first unreached one
    ("RCV-05", ("await", date(2026, 7, 5))),     # promised after D
    ("RCV-06", ("onsite", date(2026, 6, 30))),   # the promise of 06-20 was broken
    ("RCV-07", ("phone", date(2026, 6, 30))),    # one day overdue
])
def test_next_step_in_the_ledger(reports_ws, receivable, step):
    row = next(r for r in overdue_report(reports_ws, D)["rows"] if r["receivable"] == receivable)
    assert (row["next_step"]["action"], row["next_step"]["date"]) == step


TEAM = """\
company: {name: 测试培训有限公司}
team:
  - {id: lin, name: 林海, role: manager}
  - {id: zhang, name: 张伟, role: rep, manager: lin}
  - {id: chen, name: 陈静, role: legal}
  - {id: zhao, name: 赵敏, role: finance}
"""


ONE = {
    "customers/c.yaml": "{id: CUS-1, name: 甲公司, owner: zhang, created: 2026-01-01}\n",
    "contracts/c.yaml": """\
        id: CT-1
        customer: CUS-1
        owner: zhang
        title: 培训
        status: signed
        created: 2026-01-02
        signed: 2026-01-10
        items: [{name: 培训, quantity: 1, unit_price: 10000}]
        amount: 10000
        approvals:
          - {stage: manager, by: lin, date: 2026-01-03, decision: approved}
          - {stage: legal, by: chen, date: 2026-01-04, decision: approved}
          - {stage: finance, by: zhao, date: 2026-01-05, decision: approved}
        """,
}


def one_receivable(workspace, collection_log="", config_extra=""):
    text = "id: RCV-1\ncontract: CT-1\namount: 10000\ndue: 2026-03-01\n"
    if collection_log:
        text += "collection:\n" + collection_log
    root = workspace({**ONE, "receivables/r.yaml": text}, config=TEAM + config_extra)
    ws = load(root)
    assert [p for p in ws.problems if p.is_error] == []
    return ws


@pytest.mark.parametrize("log, as_of, step", [
    ("", date(2026, 3, 2), ("phone", date(2026, 3, 2))),                      # 1 day: phone from due + 1
    ("  - {date: 2026-03-02, by: zhang, channel: phone}\n", date(2026, 3, 5),
     ("email", date(2026, 3, 8))),                                              # phone done: next level, future
    ("  - {date: 2026-03-02, by: zhang, channel: email}\n", date(2026, 3, 5),
     ("email", date(2026, 3, 8))),                                              # a later channel does the phone level
    ("  - {date: 2026-03-05, by: zhang, channel: phone}\n", date(2026, 3, 10),
     ("email", date(2026, 3, 8))),                                              # a phone call does not do the email level
    ("  - {date: 2026-03-07, by: zhang, channel: email}\n", date(2026, 3, 10),
     ("email", date(2026, 3, 8))),                                              # an email before due + 7 does not count
    ("  - {date: 2026-03-02, by: zhang, channel: phone, promised: 2026-03-20}\n", date(2026, 3, 20),
     ("await", date(2026, 3, 20))),                                             # promise due today: still awaited
    ("  - {date: 2026-03-02, by: zhang, channel: phone, promised: 2026-03-20}\n", date(2026, 3, 21),
     ("email", date(2026, 3, 8))),                                              # broken promise: escalate
    ("  - {date: 2026-06-01, by: zhao, channel: agency}\n", date(2026, 6, 5), None),  # every level done
])
def test_each_escalation_rule(workspace, log, as_of, step):
    rows = overdue_report(one_receivable(workspace, log), as_of)["rows"]
    got = rows[0]["next_step"]
    assert (got["action"], got["date"]) == step if step else got is None


def test_empty_ledger_still_lists_every_bucket_of_the_configured_aging(workspace):
    ws = one_receivable(workspace, config_extra="rules: {aging_buckets: [15, 45]}\n")
    assert overdue_report(ws, date(2026, 2, 1)) == {
        "as_of": date(2026, 2, 1), "rows": [],
        "totals": {"balance": 0, "count": 0, "buckets": {"1-15": 0, "16-45": 0, "46+": 0}}}
    assert overdue_report(ws, date(2026, 3, 17))["totals"]["buckets"] == {"1-15": 0, "16-45": 10000, "46+": 0}
