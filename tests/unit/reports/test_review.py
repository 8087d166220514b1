"""`report review`: indicator scores, weighted totals and grades, by hand.

Fixture reviews of 2026-Q2 (weights sales 50, satisfaction 20, teamwork 15, attitude 15; self 30 %):
- zhang: attainment 100 % → 100; satisfaction 4.00 → 80; teamwork 0.3 × 90 + 0.7 × 80 = 83;
  attitude 0.3 × 80 + 0.7 × 90 = 87; total (5000 + 1600 + 1245 + 1305) / 100 = 91.5 → A.
- wang: 50 % → 50; 4.50 → 90; teamwork manager only 80; attitude self only 70;
  total (2500 + 1800 + 1200 + 1050) / 100 = 65.5 → C.
- zhou: 0 % → 0; no satisfaction, no attitude score: left out of both sums;
  total (0 + 15 × 80) / (50 + 15) = 18.46 → 18.5 → D.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from helpers.reviews import SUBJECTIVE
from salesctl.model.periods import parse_period
from salesctl.reports.review import grade_for, review_report, subjective_score, weighted_total
from salesctl.load.pipeline import load

D = date(2026, 6, 30)


def test_scores_totals_and_grades(reports_ws):
    doc = review_report(reports_ws, D)
    assert doc["period"] is None
    assert [(r["review"], r["scores"], r["total"], r["grade"]) for r in doc["rows"]] == [
        ("REV-Q2-wang", {"sales": 50.0, "satisfaction": 90.0, "teamwork": 80.0, "attitude": 70.0}, 65.5, "C"),
        ("REV-Q2-zhang", {"sales": 100.0, "satisfaction": 80.0, "teamwork": 83.0, "attitude": 87.0}, 91.5, "A"),
        ("REV-Q2-zhou", {"sales": 0.0, "satisfaction": None, "teamwork": 80.0, "attitude": None}, 18.5, "D"),
    ]


def test_period_filter_keeps_the_reviews_within_it(reports_ws):
    year = review_report(reports_ws, D, parse_period("2026"))["rows"]
    assert [row["review"] for row in year] == ["REV-Q2-wang", "REV-Q2-zhang", "REV-Q2-zhou", None, None, None]  # + roll-ups
    assert len(review_report(reports_ws, D, parse_period("2026-Q2"))["rows"]) == 3
    assert review_report(reports_ws, D, parse_period("2026-Q3")) == {"period": "2026-Q3", "rows": []}
    assert review_report(reports_ws, D, parse_period("2026-05"))["rows"] == []  # a quarter is not within a month


def test_metrics_follow_the_as_of_date(reports_ws):
    # as of 2026-05-01 zhang had signed 200,000 of 300,000 in Q2 and one visit with satisfaction 5
    zhang = review_report(reports_ws, date(2026, 5, 1))["rows"][1]
    assert zhang["scores"]["sales"] == 66.7 and zhang["scores"]["satisfaction"] == 100.0


@pytest.mark.parametrize("total, grade", [
    ("100", "A"), ("90.0", "A"), ("89.9", "B"), ("75.0", "B"), ("74.9", "C"), ("60.0", "C"), ("59.9", "D"), ("0", "D"),
])
def test_grade_boundaries(total, grade):
    assert grade_for(Decimal(total), {"A": 90, "B": 75, "C": 60, "D": 0}) == grade


def test_no_grade_below_the_lowest_minimum_or_without_a_total():
    assert grade_for(Decimal("59.9"), {"A": 90, "B": 75, "C": 60}) is None
    assert grade_for(None, {"A": 90}) is None


def test_subjective_blend():
    assert subjective_score(Decimal(90), Decimal(80), 30) == Decimal("83")
    assert subjective_score(Decimal(90), None, 30) == 90
    assert subjective_score(None, Decimal(80), 30) == 80
    assert subjective_score(None, None, 30) is None


def test_total_rounds_half_up_to_one_decimal():
    indicators = [{"name": "a", "weight": Decimal(50)}, {"name": "b", "weight": Decimal(50)}]
    assert weighted_total({"a": Decimal("89.9"), "b": Decimal("90")}, indicators) == Decimal("90.0")  # 89.95
    assert weighted_total({"a": None, "b": None}, indicators) is None


def test_rep_without_target_has_no_sales_score(workspace):
    config = SUBJECTIVE.replace("self_weight: 0\n  indicators: [{name: overall, weight: 100}]",
                                "indicators: [{name: sales, weight: 60, metric: attainment}, {name: overall, weight: 40}]")
    root = workspace({"reviews/r.yaml": "{id: R-1, rep: zhang, period: 2026, self: {overall: 70}, manager: {overall: 90}}\n"},
                     config=config)
    row = review_report(load(root), D)["rows"][0]
    assert (row["scores"], row["total"], row["grade"]) == ({"sales": None, "overall": 84.0}, 84.0, "B")
