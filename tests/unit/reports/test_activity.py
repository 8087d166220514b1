"""`report activity` against hand-computed figures of tests/fixtures/activity (October 2026, as of 2026-10-31).

October 2026 has 18 working days: 22 weekdays, minus the holidays 1, 2, 5, 6, 7, plus Saturday the
10th. Daily targets: reps 10 calls and 4 effective; wang (by team id) 6 calls and no effective target.

zhang: calls V-1, V-2, V-4, V-6 = 4, effective calls V-1, V-4, V-6 = 3; visits V-1..V-6 = 6, effective
V-1, V-3, V-4, V-6 = 4; customers with an effective visit CUS-1 (V-1, V-3), CUS-3 (V-4), CUS-4 (V-6) = 3;
one deal, C-1 50,000 on 10-09; per day 4 / 18 = 0.22 -> 0.2 and 4 / 18 -> 0.2; targets 10 x 18 = 180,
4 x 18 = 72.
wang: calls V-7 (on the holiday 10-01), V-8 (not effective) = 2, effective calls 1; visits 2, effective 1;
customers CUS-2 = 1; per day 2 / 18 = 0.11 -> 0.1, 1 / 18 = 0.06 -> 0.1; targets 6 x 18 = 108, none.
zhou: nothing, every figure 0; targets 180 and 72.
lin (a manager) and V-10 (2026-11-02) are not counted.
Total: calls 6, effective calls 4, visits 8, effective 5, customers {CUS-1, CUS-2, CUS-3, CUS-4} = 4 (zhang's
visit to CUS-2 was not effective, wang's was), deals 1, 50,000; per day over 18 x 3 reps = 54 days:
6 / 54 = 0.11 -> 0.1, 5 / 54 = 0.09 -> 0.1; targets 180 + 108 + 180 = 468 and 72 + 72 = 144.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from salesctl.model.periods import parse_period, period_range
from salesctl.reports.activity import ACTIVITY_KEYS, activity_reps, activity_report, daily_activity, per_day
from salesctl.load.pipeline import load

D = date(2026, 10, 31)
OCTOBER = parse_period("2026-10")
#            workdays calls eff.calls visits effective customers deals signed  calls/day eff/day  targets
MONTH = {
    "zhang": (18, 4, 3, 6, 4, 3, 1, Decimal(50000), 0.2, 0.2, 180, 72),
    "wang": (18, 2, 1, 2, 1, 1, 0, Decimal(0), 0.1, 0.1, 108, None),
    "zhou": (18, 0, 0, 0, 0, 0, 0, Decimal(0), 0.0, 0.0, 180, 72),
}
TOTAL = (18, 6, 4, 8, 5, 4, 1, Decimal(50000), 0.1, 0.1, 468, 144)


@pytest.fixture
def ws(fixture_workspace):
    ws = load(fixture_workspace("activity"))
    assert ws.problems == []
    return ws


def figures(row):
    return tuple(row[key] for key in ACTIVITY_KEYS)


def test_a_month_per_rep_and_the_total(ws):
    doc = activity_report(ws, OCTOBER, D, by="month")
    assert (doc["period"], doc["start"], doc["end"], doc["by"]) == ("2026-10", date(2026, 10, 1), D, "month")
    assert [(r["rep"], r["name"], r["bucket"]) for r in doc["rows"]] == [
        ("zhang", "张伟", "2026-10"), ("wang", "王芳", "2026-10"), ("zhou", "周杰", "2026-10")]
    assert {r["rep"]: figures(r) for r in doc["rows"]} == MONTH
    assert list(doc["total"]) == list(ACTIVITY_KEYS)
    assert figures(doc["total"]) == TOTAL


def test_weeks_with_the_holidays_and_the_make_up_saturday(ws):
    # Weeks of October: W40 = 1-4 (holidays and a weekend: 0 working days), W41 = 5-11 (8, 9 and Saturday 10:
    # 3 days), W42 = 12-18, W43 = 19-25, W44 = 26-31 (clipped; 5 days each).
    rows = [r for r in activity_report(ws, OCTOBER, D, by="week")["rows"]]
    zhang = {r["bucket"]: figures(r) for r in rows if r["rep"] == "zhang"}
    assert zhang == {
        # 0 working days: rates null, targets 10 x 0 = 0
        "2026-W40": (0, 0, 0, 0, 0, 0, 0, Decimal(0), None, None, 0, 0),
        # V-1, V-2 (10-08), V-3 (10-09), V-4 (10-10), C-1 (10-09): 3 calls / 3 days = 1.0; 3 effective / 3 = 1.0
        "2026-W41": (3, 3, 2, 4, 3, 2, 1, Decimal(50000), 1.0, 1.0, 30, 12),
        "2026-W42": (5, 0, 0, 1, 0, 0, 0, Decimal(0), 0.0, 0.0, 50, 20),   # V-5, not effective
        "2026-W43": (5, 0, 0, 0, 0, 0, 0, Decimal(0), 0.0, 0.0, 50, 20),   # no visit: listed all the same
        "2026-W44": (5, 1, 1, 1, 1, 1, 0, Decimal(0), 0.2, 0.2, 50, 20),   # V-6: 1 / 5
    }
    wang = {r["bucket"]: figures(r) for r in rows if r["rep"] == "wang"}
    assert wang["2026-W40"] == (0, 1, 1, 1, 1, 1, 0, Decimal(0), None, None, 0, None)  # the holiday call
    assert wang["2026-W43"] == (5, 1, 0, 1, 0, 0, 0, Decimal(0), 0.2, 0.0, 30, None)


def test_days_the_make_up_workday_and_a_holiday(ws):
    rows = {(r["rep"], r["bucket"]): r for r in activity_report(ws, OCTOBER, D, by="day")["rows"]}
    assert len(rows) == 31 * 3  # every day for every rep
    assert figures(rows["zhang", "2026-10-10"]) == (1, 1, 1, 1, 1, 1, 0, Decimal(0), 1.0, 1.0, 10, 4)  # Saturday, worked
    assert figures(rows["zhang", "2026-10-11"]) == (0, 0, 0, 0, 0, 0, 0, Decimal(0), None, None, 0, 0)  # Sunday
    assert figures(rows["wang", "2026-10-01"]) == (0, 1, 1, 1, 1, 1, 0, Decimal(0), None, None, 0, None)  # holiday
    # V-1 and V-2: 2 calls, 1 effective; only CUS-1 was reached (V-2 to CUS-2 was not effective)
    assert figures(rows["zhang", "2026-10-08"])[:6] == (1, 2, 1, 2, 1, 1)


def test_reps_with_no_activity_get_zero_rows(ws):
    doc = activity_report(ws, parse_period("2026-11"), date(2026, 11, 30), by="month")
    # November 2026: 21 weekdays, no holiday; V-10 (zhang, 11-02) is the only visit.
    assert [(r["rep"], r["workdays"], r["calls"], r["calls_per_day"]) for r in doc["rows"]] == [
        ("zhang", 21, 1, 0.0), ("wang", 21, 0, 0.0), ("zhou", 21, 0, 0.0)]  # 1 / 21 = 0.05 -> 0.0


def test_only_visits_dated_by_the_as_of_date_count(ws):
    # as of 2026-10-29, V-6 (10-30) has not happened yet
    zhang = activity_report(ws, OCTOBER, date(2026, 10, 29), by="month")["rows"][0]
    assert (zhang["calls"], zhang["visits"], zhang["customers"]) == (3, 5, 2)


def test_a_rep_or_a_group_alone(ws):
    east = activity_report(ws, OCTOBER, D, by="month", reps=activity_reps(ws, group="east"))
    assert [r["rep"] for r in east["rows"]] == ["zhang", "zhou"]
    # total over 2 reps: 4 calls / (18 x 2) = 0.11 -> 0.1; targets 180 + 180
    assert (east["total"]["calls"], east["total"]["calls_per_day"], east["total"]["target_calls"]) == (4, 0.1, 360)
    lin = activity_report(ws, OCTOBER, D, by="month", reps=activity_reps(ws, rep="lin"))
    assert figures(lin["rows"][0]) == (18, 0, 0, 1, 1, 1, 0, Decimal(0), 0.0, 0.1, None, None)  # V-9; no target
    assert lin["total"]["effective_per_day"] == 0.1  # 1 / 18 = 0.056 -> 0.1


def test_a_custom_range_is_bucketed_and_clipped(ws):
    doc = activity_report(ws, period_range(date(2026, 10, 8), date(2026, 10, 14)), D, by="week")
    # 8-11 (Thursday to Sunday): 8, 9 and Saturday 10 worked; 12-14: Monday to Wednesday
    assert [(r["bucket"], r["workdays"]) for r in doc["rows"] if r["rep"] == "zhang"] == [
        ("2026-W41", 3), ("2026-W42", 3)]
    assert doc["total"]["workdays"] == 6


@pytest.mark.parametrize("count, days, rate", [(1, 4, 0.3), (5, 2, 2.5), (3, 8, 0.4), (1, 8, 0.1), (1, 40, 0.0),
                                               (0, 5, 0.0), (7, 0, None)])
def test_rates_round_half_up_to_one_decimal(count, days, rate):
    assert per_day(count, days) == rate  # 1 / 4 = 0.25 -> 0.3 (not 0.2); 3 / 8 = 0.375 -> 0.4


def test_the_sql_table_has_every_rep_and_day(ws):
    rows = daily_activity(ws, D)
    # from V-7 (10-01), the first visit or deal of any rep, to 2026-10-31: 31 days x 3 reps
    assert len(rows) == 93 and rows[0]["bucket"] == "2026-10-01"
    assert sum(r["calls"] for r in rows) == 6 and sum(r["workdays"] for r in rows if r["rep"] == "zhou") == 18
