"""The dashboard's figures, by hand, on tests/fixtures/reports as of 2026-06-30 (period 2026-Q2);
the command line compares them with the reports' JSON in tests/cli/test_dashboard.py.

Overdue as of 06-30 (see tests/fixtures/reports/receivables): zhang RCV-01 60,000 (91 days, 91+),
RCV-02 100,000 (90, 61-90), RCV-03 100,000 (61, 61-90), RCV-04 100,000 (60, 31-60) = 360,000;
wang RCV-05 50,000 (31, 31-60), RCV-06 50,000 (30, 1-30), RCV-07 50,000 (1, 1-30) = 150,000;
RCV-09 is written off. Total 510,000 in 7 receivables.

Fell due (due in the month, up to 06-30): 2026-03 RCV-01 100,000 + RCV-09 50,000 = 150,000;
04 RCV-02 100,000 + RCV-03 100,000 + RCV-10 50,000 + RCV-11 20,000 + RCV-12 60,000 = 330,000;
05 RCV-04 100,000 + RCV-05 50,000 + RCV-06 50,000 = 200,000; 06 RCV-07 50,000 + RCV-08 50,000 +
RCV-14 100,000 = 200,000 (RCV-13 and RCV-15 fall due in July).
Collected: 03 RCV-09 10,000; 04 RCV-01 40,000 + RCV-11 20,000 + RCV-12 60,000 = 120,000;
05 nothing; 06 RCV-10 50,000 + RCV-14 100,000 = 150,000 (RCV-03's payment of 07-02 is later).
Signed per month: 2025-11 CT-2025-02 300,000; 2025-12 CT-2025-01 400,000 (CT-2025-03 is
terminated); 2026-04 200,000; 05 100,000; 06 90,000.
Funnel Q2: visited CUS-A, B, C, E, F = 5; of them without a counted contract before Q2 B, E, F = 3;
new customers CUS-B and CUS-D = 2; conversion 1/3 (CUS-B).
Calls (phone visits) in Q2: zhang V-04 05-10 (ISO week 2026-W19, not effective), wang V-07 04-20
(W17), zhou V-10 05-20 (W21): 3 calls, 2 effective.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from helpers.workspaces import write_workspace
from salesctl import api
from salesctl.dashboard.figures import dashboard_figures, default_period, months_ending
from salesctl.load.pipeline import load
from salesctl.model.periods import parse_period

D = date(2026, 6, 30)
Q2 = parse_period("2026-Q2")


def figures(root, period=Q2, as_of=D):
    ws = load(root)
    assert ws.problems == []
    return dashboard_figures(ws, period, as_of)


def test_through_the_api(reports_root):
    ws = load(reports_root)
    # the quarter of 2026-06-30 is 2026-Q2; a label or a Period may be given
    assert api.dashboard(ws, D) == api.dashboard(ws, D, "2026-Q2") == dashboard_figures(ws, Q2, D)
    assert api.dashboard(ws, D)["collection"]["totals"]["balance"] == 510000
    assert api.dashboard_page(ws, api.dashboard(ws, D), command="x").startswith('<!DOCTYPE html>\n<html lang="zh-CN">')


def test_the_default_period_is_the_quarter_of_the_as_of_date():
    assert default_period(date(2026, 11, 30)) == parse_period("2026-Q4")
    assert default_period(date(2026, 1, 1)) == parse_period("2026-Q1")
    assert default_period(date(2026, 3, 31)) == parse_period("2026-Q1")
    assert default_period(date(2026, 4, 1)) == parse_period("2026-Q2")


def test_twelve_months_end_with_the_month_of_the_day():
    assert [m.label for m in months_ending(date(2026, 2, 15))] == [
        "2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11",
        "2025-12", "2026-01", "2026-02"]
    assert [m.label for m in months_ending(date(2026, 12, 31), 2)] == ["2026-11", "2026-12"]


def test_overdue_totals_buckets_per_owner_and_the_largest(reports_root):
    collection = figures(reports_root)["collection"]
    assert collection["totals"] == {"balance": Decimal("510000"), "count": 7, "buckets": {
        "1-30": Decimal("100000"), "31-60": Decimal("150000"), "61-90": Decimal("200000"), "91+": Decimal("60000")}}
    assert [(g["owner"], g["count"], g["balance"], g["buckets"]) for g in collection["by_owner"]] == [
        ("zhang", 4, Decimal("360000"), {"1-30": 0, "31-60": 100000, "61-90": 200000, "91+": 60000}),
        ("wang", 3, Decimal("150000"), {"1-30": 100000, "31-60": 50000, "61-90": 0, "91+": 0})]
    # the largest balance first; equal balances by id
    assert [(r["receivable"], r["balance"]) for r in collection["largest"]] == [
        ("RCV-02", 100000), ("RCV-03", 100000), ("RCV-04", 100000), ("RCV-01", 60000),
        ("RCV-05", 50000), ("RCV-06", 50000), ("RCV-07", 50000)]


def test_collected_against_what_fell_due_per_month(reports_root):
    months = figures(reports_root)["collection"]["months"]
    assert [m["month"] for m in months] == [f"2025-{m:02d}" for m in range(7, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]
    shown = {m["month"]: (m["collected"], m["fell_due"]) for m in months if m["collected"] or m["fell_due"]}
    assert shown == {"2026-03": (10000, 150000), "2026-04": (120000, 330000), "2026-05": (0, 200000),
                     "2026-06": (150000, 200000)}


def test_what_fell_due_stops_at_the_as_of_date(reports_root):
    # as of 06-29: RCV-07 (due 06-29) has fallen due, RCV-08 (06-30) not yet: 50,000 + 100,000
    months = figures(reports_root, as_of=date(2026, 6, 29))["collection"]["months"]
    assert months[-1] == {"month": "2026-06", "collected": 150000, "fell_due": 150000}


def test_the_ten_largest_overdue_receivables(tmp_path):
    # twelve overdue receivables of 1,000 .. 12,000: the ten largest are 12,000 down to 3,000
    receivables = "".join(f"- {{id: R{n:02d}, contract: C1, amount: {n * 1000}, due: 2026-05-01}}\n" for n in range(1, 13))
    root = write_workspace(tmp_path / "ws", {
        "customers/c.yaml": "- {id: K1, name: 甲公司, owner: zhang, created: 2026-01-01}\n",
        "contracts/c.yaml": """\
            - id: C1
              customer: K1
              owner: zhang
              title: 培训
              status: signed
              created: 2026-01-02
              signed: 2026-01-10
              items: [{name: 课程, quantity: 1, unit_price: 78000}]
              amount: 78000
              approvals:
                - {stage: manager, by: lin, date: 2026-01-03, decision: approved}
                - {stage: legal, by: chen, date: 2026-01-04, decision: approved}
                - {stage: finance, by: zhao, date: 2026-01-05, decision: approved}
            """,
        "receivables/r.yaml": receivables})
    largest = figures(root)["collection"]["largest"]
    assert [r["receivable"] for r in largest] == [f"R{n:02d}" for n in range(12, 2, -1)]


def test_sales_per_rep_per_month_and_the_funnel(reports_root):
    sales = figures(reports_root)["sales"]
    assert {r["rep"]: (r["signed_amount"], r["target"]) for r in sales["kpi"]["rows"]} == {
        "lin": (0, None), "zhang": (300000, 300000), "wang": (90000, 180000), "zhou": (0, 120000)}
    signed = {m["month"]: m["signed_amount"] for m in sales["months"] if m["signed_amount"]}
    assert signed == {"2025-11": 300000, "2025-12": 400000, "2026-04": 200000, "2026-05": 100000, "2026-06": 90000}
    funnel = sales["funnel"]
    assert (funnel["visited_customers"], funnel["prospects"], funnel["new_customers"]) == (5, 3, 2)
    assert round(funnel["conversion_rate"], 4) == 0.3333


def test_monthly_sales_end_with_the_period_when_it_is_over(reports_root):
    # 2025-Q4 ended before 06-30: its twelve months are 2025-01 .. 2025-12
    months = figures(reports_root, parse_period("2025-Q4"))["sales"]["months"]
    assert (months[0]["month"], months[-1]["month"]) == ("2025-01", "2025-12")
    # a period not over yet stops at the as-of month: 2026 as of 06-30 ends with 2026-06
    assert figures(reports_root, parse_period("2026"))["sales"]["months"][-1]["month"] == "2026-06"


def test_calls_per_rep_and_week(reports_root):
    activity = figures(reports_root)["activity"]
    assert activity["by"] == "week" and (activity["total"]["calls"], activity["total"]["effective_calls"]) == (3, 2)
    calls = {(r["rep"], r["bucket"]): (r["calls"], r["effective_calls"]) for r in activity["rows"] if r["calls"]}
    assert calls == {("zhang", "2026-W19"): (1, 0), ("wang", "2026-W17"): (1, 1), ("zhou", "2026-W21"): (1, 1)}
    # every week of the quarter for every rep: 2026-W14 (from 04-01) to 2026-W27 (to 06-30), 14 weeks x 3 reps
    assert len(activity["rows"]) == 42
    assert figures(reports_root, parse_period("2026-Q3"))["activity"] is None  # no call in Q3 by 06-30


def test_no_pool_rule_no_pool_section(reports_root):
    assert figures(reports_root)["pool"] is None  # the fixture's salesctl.yaml has no `pool`


def test_reviews_of_the_period(reports_root):
    reviews = figures(reports_root)["reviews"]
    assert [(r["rep"], r["total"], r["grade"]) for r in reviews["rows"]] == [
        ("wang", 65.5, "C"), ("zhang", 91.5, "A"), ("zhou", 18.5, "D")]
    assert figures(reports_root, parse_period("2026-Q3"))["reviews"] is None  # none in Q3


def test_a_section_without_data_is_none(workspace):
    doc = dashboard_figures(load(workspace()), Q2, D)
    assert (doc["collection"], doc["sales"], doc["reviews"]) == (None, None, None)
    assert (doc["period"], doc["start"], doc["end"], doc["as_of"]) == ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), D)


def test_targets_alone_are_enough_for_the_sales_section(workspace):
    root = workspace(config=None, files={"salesctl.yaml": """\
        company: {name: 星河}
        team:
          - {id: zhang, name: 张伟, role: rep}
        targets:
          2026:
            zhang: {year: 400000}
        """})
    sales = dashboard_figures(load(root), Q2, D)["sales"]
    # Q2 target = year / 4 = 100,000
    assert [(r["rep"], r["signed_amount"], r["target"]) for r in sales["kpi"]["rows"]] == [("zhang", 0, 100000)]
