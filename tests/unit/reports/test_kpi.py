"""`report kpi` and the target lookup as a library, against hand-computed figures of the fixture
workspace (the command: tests/cli/test_report_kpi.py).

Period 2026-Q2 as of 2026-06-30, by hand from tests/fixtures/reports:
- zhang: CT-2026-01 (CUS-B, 200,000, new customer, first contact V-02 02-10: 69 days) and CT-2026-02
  (CUS-A, 100,000, repeat customer, first contact V-01 2025-10-15: 212 days) → 300,000 of target
  Q2 300,000 = 100%; collected 40,000 (RCV-01 04-10) + 60,000 (RCV-12) + 100,000 (RCV-14) =
  200,000; visits V-03, V-04 (not effective), V-06; conversion: CUS-B and CUS-F had no counted
  contract before Q2, CUS-B became new → 1/2; cycle (69 + 212) / 2 = 140.5; satisfaction
  (5 + 3) / 2 = 4.00; repeat: CUS-A of {CUS-A, CUS-B} → 1/2; overdue RCV-01..04 = 360,000.
- wang: CT-2026-03 (CUS-D, 90,000, new, never visited: first contact = created 03-01: 101 days);
  target = months 04 + 05 + 06 = 180,000 → 50%; collected RCV-10 50,000; visits V-07, V-08 to
  CUS-C, which signed in 2025 → conversion null; satisfaction (4 + 5) / 2 = 4.50; repeat 0/1;
  overdue RCV-05..07 = 150,000.
- zhou: no counted contract; target year 480,000 / 4 = 120,000 → 0%; collected 20,000 on the
  terminated CT-2025-03; visits V-09 (not effective), V-10 to CUS-E, not converted → 0/1;
  satisfaction, cycle and repeat rate null.
- lin (a manager, shown because of visit V-11): no target, satisfaction 5.00.
- total: 390,000 of 600,000 = 65%; conversion over {CUS-B, CUS-F, CUS-E} = 1/3; cycle
  (69 + 212 + 101) / 3 = 127.3 (not the 120.75 average of the rows); satisfaction
  (5 + 3 + 4 + 5 + 5) / 5 = 4.40; repeat {CUS-A} of {CUS-A, CUS-B, CUS-D} = 1/3.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from salesctl.model.periods import parse_period, period_range
from salesctl.reports.kpi import kpi_report, target_for
from salesctl.load.pipeline import load

D = date(2026, 6, 30)
Q2 = parse_period("2026-Q2")
KEYS = ["signed_amount", "contracts", "target", "attainment", "collected", "new_customers", "visits",
        "effective_visits", "conversion_rate", "avg_cycle_days", "satisfaction", "repeat_rate", "overdue_balance"]

#      signed, n, target, attain, collected, new, visits, eff, conversion, cycle, satisf, repeat, overdue
ROWS_Q2 = {
    "lin": (0, 0, None, None, 0, 0, 1, 1, None, None, 5.0, None, 0),
    "zhang": (300000, 2, 300000, 1.0, 200000, 1, 3, 2, 0.5, 140.5, 4.0, 0.5, 360000),
    "wang": (90000, 1, 180000, 0.5, 50000, 1, 2, 2, None, 101.0, 4.5, 0.0, 150000),
    "zhou": (0, 0, 120000, 0.0, 20000, 0, 2, 1, 0.0, None, None, None, 0),
}
TOTAL_Q2 = (390000, 3, 600000, 0.65, 270000, 2, 8, 6, 1 / 3, 127.3, 4.4, 1 / 3, 510000)


def figures(row):
    return tuple(row[k] for k in KEYS)


def test_every_kpi_per_rep(reports_ws):
    doc = kpi_report(reports_ws, Q2, D)
    assert (doc["period"], doc["start"], doc["end"]) == ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30))
    assert [(r["rep"], r["name"]) for r in doc["rows"]] == [("lin", "林海"), ("zhang", "张伟"), ("wang", "王芳"),
                                                           ("zhou", "周杰")]  # team order; qian, chen, zhao: no figures
    assert {r["rep"]: figures(r) for r in doc["rows"]} == ROWS_Q2


def test_total_row_recomputes_ratios_and_means(reports_ws):
    total = kpi_report(reports_ws, Q2, D)["total"]
    assert list(total) == KEYS
    assert figures(total) == pytest.approx(TOTAL_Q2)
    assert total["avg_cycle_days"] != (140.5 + 101.0) / 2


def test_by_group_merges_members_and_keeps_the_total(reports_ws):
    doc = kpi_report(reports_ws, Q2, D, by="group")
    assert [r["group"] for r in doc["rows"]] == ["east", "north", None]  # lin has no group
    east = doc["rows"][0]
    assert list(east) == ["group", *KEYS, "rank"]
    # zhang + zhou: 300,000 of 420,000; conversion over {CUS-B, CUS-F, CUS-E}; cycle of zhang's contracts
    assert figures(east) == pytest.approx((300000, 2, 420000, 300000 / 420000, 220000, 1, 5, 3, 1 / 3, 140.5, 4.0,
                                           0.5, 360000))
    assert figures(doc["rows"][2]) == ROWS_Q2["lin"]
    assert doc["total"] == kpi_report(reports_ws, Q2, D)["total"]


def test_year_counts_only_what_happened_by_the_as_of_date(reports_ws):
    rows = {r["rep"]: r for r in kpi_report(reports_ws, parse_period("2026"), D)["rows"]}
    assert (rows["zhang"]["target"], rows["zhang"]["attainment"]) == (1200000, 0.25)
    assert (rows["zhang"]["visits"], rows["zhang"]["conversion_rate"]) == (4, 0.5)  # V-02 in February too
    assert (rows["wang"]["target"], rows["wang"]["attainment"]) == (None, None)    # only months 04-06 given
    assert rows["wang"]["collected"] == 60000  # 10,000 on RCV-09 in March, before its write-off
    assert rows["zhang"]["collected"] == 200000  # RCV-03's payment of 07-02 is after the as-of date


def test_contract_signed_after_the_as_of_date_is_not_counted(reports_ws):
    zhang = {r["rep"]: r for r in kpi_report(reports_ws, Q2, date(2026, 5, 1))["rows"]}["zhang"]
    assert (zhang["rep"], zhang["signed_amount"], zhang["contracts"], zhang["new_customers"]) == ("zhang", 200000, 1, 1)
    assert zhang["repeat_rate"] == 0.0  # CT-2026-02 (CUS-A) is signed on 05-15


def test_overdue_balance_as_of_the_end_of_the_period(reports_ws):
    rows = {r["rep"]: r for r in kpi_report(reports_ws, parse_period("2026-Q1"), D)["rows"]}
    # as of 03-31: RCV-09 was overdue with 40,000 left (written off only on 06-15); RCV-01 is due that day
    assert (rows["wang"]["overdue_balance"], rows["zhang"]["overdue_balance"]) == (40000, 0)
    custom = {r["rep"]: r for r in kpi_report(reports_ws, period_range(date(2026, 4, 1), date(2026, 5, 31)), D)["rows"]}
    assert custom["wang"]["overdue_balance"] == 140000  # RCV-09 40,000 + RCV-10 50,000 + RCV-05 50,000


def test_custom_range_sums_the_month_targets(reports_ws):
    doc = kpi_report(reports_ws, period_range(date(2026, 4, 1), date(2026, 5, 31)), D)
    assert doc["period"] == "2026-04-01..2026-05-31"
    assert {r["rep"]: r["target"] for r in doc["rows"]} == {"zhang": 200000, "wang": 110000, "zhou": 80000}
    cut = kpi_report(reports_ws, period_range(date(2026, 4, 15), date(2026, 5, 31)), D)
    assert cut["total"]["target"] is None and cut["total"]["attainment"] is None


def test_month_period(reports_ws):
    rows = {r["rep"]: r for r in kpi_report(reports_ws, parse_period("2026-05"), D)["rows"]}
    assert (rows["zhang"]["signed_amount"], rows["zhang"]["target"], rows["zhang"]["attainment"]) == (100000, 100000, 1.0)
    assert (rows["wang"]["target"], rows["zhou"]["target"]) == (60000, 40000)


# --- target lookup (docs/config.md#target-lookup) ------------------------------------------------------

TARGETS = """\
targets:
  2026:
    zhang: {year: 1000000, Q1: 250000, "04": 70000, "05": 80000, "06": 90000}
    wang: {Q1: 100000, Q2: 110000, Q3: 120000, Q4: 130000}
    chen: {"01": 10, "02": 20, "03": 30, "04": 40, "05": 50, "06": 60, "07": 70, "08": 80, "09": 90, "10": 100, "11": 110, "12": 120}
    zhao: {Q1: 100000, Q2: 100000, Q3: 100000}
    lin: {"01": 1000, "02": 2000}
"""


@pytest.fixture
def config(workspace):
    from textwrap import dedent

    team = dedent("""\
        company: {name: 测试}
        team:
          - {id: lin, name: 林海, role: manager}
          - {id: zhang, name: 张伟, role: rep}
          - {id: wang, name: 王芳, role: rep}
          - {id: chen, name: 陈静, role: rep}
          - {id: zhao, name: 赵敏, role: rep}
        """)
    ws = load(workspace({}, config=team + TARGETS))
    assert ws.problems == []
    return ws.config


@pytest.mark.parametrize("rep, period, expected", [
    ("zhang", "2026", "1000000"),        # explicit year
    ("zhang", "2026-Q1", "250000"),      # explicit quarter
    ("zhang", "2026-Q2", "240000"),      # no Q2: the sum of its three months, not year / 4
    ("zhang", "2026-Q3", "250000"),      # no Q3, no months: year / 4
    ("zhang", "2026-05", "80000"),       # explicit month
    ("zhang", "2026-02", "83333.33"),    # no month: its quarter / 3, to the cent
    ("zhang", "2026-08", "83333.33"),    # no month, no quarter: year / 12, to the cent
    ("wang", "2026", "460000"),          # no year: the sum of its four quarters
    ("wang", "2026-11", "43333.33"),     # Q4 / 3
    ("chen", "2026", "780"),             # twelve months: every quarter is given by its months
    ("chen", "2026-Q3", "240"),
    ("zhao", "2026", None),              # three quarters only: no year
    ("zhao", "2026-Q4", None),
    ("zhao", "2026-10", None),
    ("lin", "2026-Q1", None),            # two months of three: no quarter
    ("lin", "2026-01", "1000"),
    ("zhang", "2025", None),             # no targets that year
    ("nobody", "2026", None),
])
def test_target_lookup(config, rep, period, expected):
    assert target_for(config, rep, parse_period(period)) == (Decimal(expected) if expected else None)


@pytest.mark.parametrize("start, end, expected", [
    ("2026-01-01", "2026-06-30", "490000"),      # Q1 250,000 + Q2 240,000
    ("2026-02-01", "2026-04-30", "236666.66"),   # 83,333.33 + 83,333.33 + 70,000
    ("2026-01-01", "2026-12-31", "1000000"),     # the whole year: the year's target
    ("2026-01-01", "2026-01-15", None),          # cuts a month
    ("2026-01-02", "2026-01-31", None),
    ("2026-12-01", "2027-01-31", None),          # no 2027 target
])
def test_target_lookup_for_a_custom_range(config, start, end, expected):
    period = period_range(date.fromisoformat(start), date.fromisoformat(end))
    assert target_for(config, "zhang", period) == (Decimal(expected) if expected else None)


def test_zero_target_has_no_attainment(workspace):
    team = ("company: {name: 测试}\nteam:\n  - {id: zhang, name: 张伟, role: rep}\n"
            "targets: {2026: {zhang: {year: 0}}}\n")
    row = kpi_report(load(workspace({}, config=team)), parse_period("2026"), D)["rows"][0]
    assert (row["target"], row["attainment"], row["conversion_rate"], row["satisfaction"]) == (0, None, None, None)


def test_the_facts_answer_each_period_as_a_scan_of_every_record_does():
    from helpers.workspaces import SAMPLE
    from salesctl import derive
    from salesctl.load.pipeline import load
    from salesctl.model.periods import parse_period
    from salesctl.reports.kpi import Facts

    as_of = date(2026, 11, 30)
    ws = load(SAMPLE, as_of=as_of).usable()
    facts = Facts(ws, as_of)
    assert facts.visits_in("sun", parse_period("2026")) and facts.overdue_balance("sun", as_of) > 0
    assert facts.contracts_in("sun", parse_period("2026")) and facts.payments_in("sun", parse_period("2026"))
    assert facts.contracts_in("nobody", parse_period("2026")) == facts.payments_in("nobody", parse_period("2026")) == []
    for label in ("2026", "2026-Q3", "2026-10", "2026-11", "2025-12"):
        period = parse_period(label)
        for rep in facts.visits_by_rep:
            assert facts.visits_in(rep, period) == [v for v in facts.visits_by_rep[rep] if v["date"] in period]
        for rep in facts.counted_by_owner:
            assert facts.contracts_in(rep, period) == derive.signed_in(facts.counted_by_owner[rep], period)
        for rep, payments in facts.payments_by_owner.items():  # the same payments, in date order
            found = facts.payments_in(rep, period)
            assert [p["date"] for _, p in found] == sorted(p["date"] for _, p in found)
            assert sorted(map(id, (p for _, p in found))) == sorted(id(p) for _, p in payments if p["date"] in period)
        day = min(period.end, as_of)
        for rep, receivables in facts.receivables_by_owner.items():
            assert facts.overdue_balance(rep, day) == sum(
                (derive.receivable_balance(r, day) for r in receivables if derive.receivable_status(r, day) == "overdue"),
                Decimal("0"))


def test_the_facts_count_what_falls_on_the_first_and_last_day_of_a_period(reports_ws):
    from datetime import timedelta

    from salesctl import derive
    from salesctl.reports.kpi import Facts

    facts = Facts(reports_ws, D)
    days = {c["signed"] for contracts in facts.counted_by_owner.values() for c in contracts}
    days |= {p["date"] for payments in facts.payments_by_owner.values() for _, p in payments}
    one = timedelta(days=1)
    checked = 0
    for day in sorted(days):
        for start, end in ((day, day), (day - one, day), (day, day + one), (day + one, day + 30 * one),
                           (day - 30 * one, day - one)):
            period = period_range(start, end)
            for rep, contracts in facts.counted_by_owner.items():
                assert facts.contracts_in(rep, period) == derive.signed_in(contracts, period)
                checked += len(facts.contracts_in(rep, period))
            for rep, payments in facts.payments_by_owner.items():
                assert sorted(id(p) for _, p in facts.payments_in(rep, period)) == sorted(
                    id(p) for _, p in payments if p["date"] in period)
                checked += len(facts.payments_in(rep, period))
    assert checked > 3 * len(days)  # each day counted in the three periods that hold it
