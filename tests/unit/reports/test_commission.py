"""`report commission` against hand-computed figures of tests/fixtures/pay (October 2026, as of 2026-10-31).

Settings: base collected, marginal tiers 3% from 0 and 5% from 100,000, threshold 0.8, accelerator 1%
at 120% attainment, clawback 3%; bonus month {A: 2000, B: 1000, C: 0}, quarter {A: 6000}, year
{A: 20000, B: 8000}. Monthly reviews of October: zhang 92 (A), wang 80 (B), liu 65 (C), sun none.

zhang: collected 120,000 (Z0-R1, 10-05) + 40,000 (Z1-R1, 10-20) = 160,000; attainment 80,000 / 100,000
= 0.8, exactly the threshold: eligible. Tiers 100,000 x 3% = 3,000.00 and 60,000 x 5% = 3,000.00.
Clawback: Z0-R2 written off 10-15 with 30,000 - 10,000 paid = 20,000 x 3% = 600.00. Commission 6,000 -
600 = 5,400.00; bonus A 2,000; total 7,400.00.
wang: collected 79,999.99; attainment 79,999.99 / 100,000 = 0.7999999, just below: not eligible. Tier
79,999.99 x 3% = 2,399.9997 -> 2,400.00, not paid. No clawback: W0-R2 was written off in September,
W0-R3 on 11-05, after D. Commission 0; bonus B 1,000; total 1,000.00.
liu: collected 36,000; attainment 120,000 / 100,000 = 1.2, at the accelerator: 36,000 x 1% = 360.00.
Tier 36,000 x 3% = 1,080.00; commission 1,440.00; bonus C 0; total 1,440.00.
sun: no target, so not eligible; collected 50,000, tier 1,500.00 not paid. Clawback: S0-R2 written
off on D itself, 10,001.50 x 3% = 300.045 -> 300.05 (half-up; half-even would give 300.04).
Commission -300.05 (payroll deducts it); no review: grade null, bonus 0; total -300.05.
Total: base 160,000 + 79,999.99 + 36,000 + 50,000 = 325,999.99; accelerator 360.00; clawback 600 +
300.05 = 900.05; commission 5,400 + 0 + 1,440 - 300.05 = 6,539.95; bonus 3,000; total 9,539.95.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from salesctl.model.periods import parse_period, period_range
from salesctl.reports.commission import COMMISSION_KEYS, TOTAL_KEYS, commission_report, tier_lines
from salesctl.load.pipeline import load

D = date(2026, 10, 31)
OCTOBER = parse_period("2026-10")
BANDS_3_5_8 = [{"from": Decimal(0), "rate": Decimal("0.03")}, {"from": Decimal(500000), "rate": Decimal("0.05")},
              {"from": Decimal(1000000), "rate": Decimal("0.08")}]


def lines(base, method, tiers=BANDS_3_5_8):
    return [(line["from"], line["to"], float(line["rate"]), line["amount"], line["commission"])
            for line in tier_lines(Decimal(base), tiers, method)]


# --- tiers at the band edges ---------------------------------------------------------------

def test_marginal_on_a_band_edge_stays_in_the_band_below():
    # 500,000 is band 2's `from`: band 2 is not entered, 500,000 x 3% = 15,000.00
    assert lines("500000", "marginal") == [(0, 500000, 0.03, 500000, Decimal("15000.00"))]
    # one cent above: 0.01 x 5% = 0.0005 -> 0.00
    assert lines("500000.01", "marginal") == [(0, 500000, 0.03, 500000, Decimal("15000.00")),
                                              (500000, 1000000, 0.05, Decimal("0.01"), Decimal("0.00"))]


def test_whole_on_a_band_edge_takes_that_band_on_everything():
    assert lines("500000", "whole") == [(500000, 1000000, 0.05, 500000, Decimal("25000.00"))]  # 500,000 x 5%
    # one cent below: 499,999.99 x 3% = 14,999.9997 -> 15,000.00
    assert lines("499999.99", "whole") == [(0, 500000, 0.03, Decimal("499999.99"), Decimal("15000.00"))]


def test_marginal_and_whole_give_different_money():
    # marginal 1,200,000: 500,000 x 3% + 500,000 x 5% + 200,000 x 8% = 15,000 + 25,000 + 16,000 = 56,000
    assert [line[-1] for line in lines("1200000", "marginal")] == [15000, 25000, 16000]
    assert lines("1200000", "marginal")[-1][:2] == (1000000, None)  # the last band has no upper end
    # whole 1,200,000: 1,200,000 x 8% = 96,000
    assert lines("1200000", "whole") == [(1000000, None, 0.08, 1200000, Decimal("96000.00"))]
    # exactly on the last edge: marginal 15,000 + 25,000 = 40,000; whole 1,000,000 x 8% = 80,000
    assert sum(line[-1] for line in lines("1000000", "marginal")) == 40000
    assert lines("1000000", "whole")[0][-1] == 80000


def test_nothing_below_the_first_band():
    assert lines("0", "marginal") == []
    assert lines("0", "whole") == [(0, 500000, 0.03, 0, Decimal("0.00"))]  # the band with from <= 0
    above_zero = [{"from": Decimal(1000), "rate": Decimal("0.03")}]
    assert lines("999.99", "marginal", above_zero) == lines("999.99", "whole", above_zero) == []
    # marginal counts from the band's start, whole takes all: 2,000 - 1,000 = 1,000 x 3% vs 2,000 x 3%
    assert lines("2000", "marginal", above_zero)[0][-2:] == (1000, Decimal("30.00"))
    assert lines("2000", "whole", above_zero)[0][-2:] == (2000, Decimal("60.00"))


def test_each_line_rounds_half_up_to_cents():
    five = [{"from": Decimal(0), "rate": Decimal("0.05")}]
    assert lines("100.50", "marginal", five)[0][-1] == Decimal("5.03")  # 5.025 -> 5.03 (half-even: 5.02)


# --- the report ----------------------------------------------------------------------------

@pytest.fixture
def root(fixture_workspace):
    return fixture_workspace("pay")


def report(root, period=OCTOBER, as_of=D, replace=(), **options):
    config = root / "salesctl.yaml"
    text = config.read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    ws = load(root)
    assert [p for p in ws.problems if p.is_error] == []
    return commission_report(ws, period, as_of, **options)


def money(row):
    return tuple(row[key] for key in ("base", "accelerator", "clawback", "commission", "grade", "bonus", "total"))


def test_every_rep_by_hand(root):
    doc = report(root)
    assert (doc["period"], doc["start"], doc["end"], doc["base"], doc["method"]) == (
        "2026-10", date(2026, 10, 1), D, "collected", "marginal")
    rows = {row["rep"]: row for row in doc["rows"]}
    assert list(rows) == ["zhang", "wang", "liu", "sun"]  # role rep, in team order; not lin
    assert list(rows["zhang"]) == ["rep", "name", *COMMISSION_KEYS]
    assert {rep: money(row) for rep, row in rows.items()} == {
        "zhang": (160000, 0, Decimal("600.00"), Decimal("5400.00"), "A", 2000, Decimal("7400.00")),
        "wang": (Decimal("79999.99"), 0, 0, 0, "B", 1000, 1000),
        "liu": (36000, Decimal("360.00"), 0, Decimal("1440.00"), "C", 0, Decimal("1440.00")),
        "sun": (50000, 0, Decimal("300.05"), Decimal("-300.05"), None, 0, Decimal("-300.05")),
    }
    assert [(rep, row["eligible"]) for rep, row in rows.items()] == [
        ("zhang", True), ("wang", False), ("liu", True), ("sun", False)]
    assert rows["zhang"]["attainment"] == 0.8 and rows["sun"]["attainment"] is None
    assert [(line["amount"], line["commission"]) for line in rows["zhang"]["tiers"]] == [
        (100000, Decimal("3000.00")), (60000, Decimal("3000.00"))]
    assert rows["wang"]["tiers"][0]["commission"] == Decimal("2400.00")  # shown, not paid
    assert list(doc["total"]) == list(TOTAL_KEYS)
    assert doc["total"] == {"base": Decimal("325999.99"), "accelerator": Decimal("360.00"),
                            "clawback": Decimal("900.05"), "commission": Decimal("6539.95"), "bonus": 3000,
                            "total": Decimal("9539.95")}


def test_whole_tiers(root):
    rows = {row["rep"]: row for row in report(root, replace=[("method: marginal", "method: whole")])["rows"]}
    # zhang: 160,000 reaches the 100,000 band: 160,000 x 5% = 8,000.00; 8,000 - 600 = 7,400.00
    assert [(line["from"], line["amount"], line["commission"]) for line in rows["zhang"]["tiers"]] == [
        (100000, 160000, Decimal("8000.00"))]
    assert (rows["zhang"]["commission"], rows["zhang"]["total"]) == (Decimal("7400.00"), Decimal("9400.00"))
    assert rows["liu"]["commission"] == Decimal("1440.00")  # 36,000 stays in the first band: as marginal


def test_base_signed(root):
    doc = report(root, replace=[("base: collected", "base: signed")], detail=True)
    rows = {row["rep"]: row for row in doc["rows"]}
    assert doc["base"] == "signed"
    # zhang: 80,000 x 3% = 2,400 - 600 = 1,800.00; liu: 100,000 x 3% + 20,000 x 5% = 4,000 + 120,000 x 1% = 1,200
    assert (rows["zhang"]["base"], rows["zhang"]["commission"]) == (80000, Decimal("1800.00"))
    assert (rows["liu"]["base"], rows["liu"]["accelerator"], rows["liu"]["commission"]) == (
        120000, Decimal("1200.00"), Decimal("5200.00"))
    assert [c["contract"] for c in rows["zhang"]["contracts"]] == ["Z1"] and "payments" not in rows["zhang"]
    assert rows["sun"]["tiers"] == [] and rows["sun"]["contracts"] == []


def test_without_a_threshold_everyone_is_paid(root):
    rows = {row["rep"]: row for row in report(root, replace=[("threshold: 0.8", "threshold: null")])["rows"]}
    assert (rows["sun"]["eligible"], rows["sun"]["commission"]) == (True, Decimal("1199.95"))  # 1,500 - 300.05
    assert rows["wang"]["commission"] == Decimal("2400.00")


def test_threshold_just_below_and_at(root):
    # a threshold of 0.7999 lets wang's 79,999.99 / 100,000 = 0.7999999 through; 0.8 (the fixture) does not
    rows = {row["rep"]: row for row in report(root, replace=[("threshold: 0.8", "threshold: 0.7999")])["rows"]}
    assert rows["wang"]["eligible"] and rows["wang"]["commission"] == Decimal("2400.00")


def test_clawback_in_and_out_of_the_period(root):
    # November as of 11-30: W0-R3, written off 11-05 with nothing paid by then, 20,000 x 3% = 600.00 (the
    # 5,000 recovered on 11-20 does not lower the balance written off)
    november = {row["rep"]: row for row in report(root, parse_period("2026-11"), date(2026, 11, 30))["rows"]}
    assert (november["wang"]["clawback"], november["wang"]["commission"]) == (Decimal("600.00"), Decimal("-600.00"))
    assert november["zhang"]["clawback"] == 0  # Z0-R2 was clawed back in October
    # as of 10-30, sun's write-off of 10-31 has not happened
    early = {row["rep"]: row for row in report(root, as_of=date(2026, 10, 30))["rows"]}
    assert (early["sun"]["clawback"], early["sun"]["total"]) == (0, 0)
    # no clawback rate: nothing deducted
    off = {row["rep"]: row for row in report(root, replace=[("clawback_rate: 0.03", "clawback_rate: 0")])["rows"]}
    assert (off["zhang"]["clawback"], off["zhang"]["commission"]) == (0, Decimal("6000.00"))


@pytest.mark.parametrize("period, as_of, bonuses", [
    # October: month bonus by the monthly grade
    (parse_period("2026-10"), D, {"zhang": 2000, "wang": 1000, "liu": 0, "sun": 0}),
    # Q4: each rep's October review rolls up into the quarter (grades A, B, C); quarter {A: 6000}, no B or C
    (parse_period("2026-Q4"), date(2026, 12, 31), {"zhang": 6000, "wang": 0, "liu": 0, "sun": 0}),
    # the year: {A: 20000, B: 8000}, no C
    (parse_period("2026"), date(2026, 12, 31), {"zhang": 20000, "wang": 8000, "liu": 0, "sun": 0}),
    # a --from/--to range that is exactly October is October
    (period_range(date(2026, 10, 1), date(2026, 10, 31)), D, {"zhang": 2000, "wang": 1000, "liu": 0, "sun": 0}),
    # a range that is no month, quarter or year has no grade and no bonus
    (period_range(date(2026, 10, 1), date(2026, 10, 30)), D, {"zhang": 0, "wang": 0, "liu": 0, "sun": 0}),
])
def test_bonus_by_grade_and_period_kind(root, period, as_of, bonuses):
    rows = report(root, period, as_of)["rows"]
    assert {row["rep"]: row["bonus"] for row in rows} == bonuses
    if period.label.endswith("10-30"):
        assert all(row["grade"] is None for row in rows)


def test_no_commission_settings_pay_only_the_bonus(root):
    config = root / "salesctl.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[:text.index("commission:")] + text[text.index("bonus:"):], encoding="utf-8")
    doc = commission_report(load(root), OCTOBER, D)
    assert (doc["base"], doc["method"]) == ("collected", "marginal")
    assert [(row["tiers"], row["commission"], row["total"]) for row in doc["rows"]] == [
        ([], 0, 2000), ([], 0, 1000), ([], 0, 0), ([], 0, 0)]


def test_detail_traces_every_yuan(root):
    rows = {row["rep"]: row for row in report(root, detail=True)["rows"]}
    zhang = rows["zhang"]
    assert list(zhang)[-2:] == ["payments", "clawed_back"]
    assert [(p["receivable"], p["contract"], p["customer"], p["date"], p["amount"], p["ref"]) for p in zhang["payments"]] == [
        ("Z0-R1", "Z0", "K-1", date(2026, 10, 5), 120000, None),
        ("Z1-R1", "Z1", "K-1", date(2026, 10, 20), 40000, "B-77")]
    assert sum(p["amount"] for p in zhang["payments"]) == zhang["base"]
    assert zhang["clawed_back"] == [{"receivable": "Z0-R2", "contract": "Z0", "customer": "K-1",
                                     "date": date(2026, 10, 15), "reason": "客户破产", "balance": 20000}]
    assert rows["wang"]["clawed_back"] == []  # September's and November's write-offs are not October's
    for row in rows.values():
        assert sum(p["amount"] for p in row["payments"]) == row["base"]
