"""`report review` roll-ups of monthly reviews into a quarter or year, and ranks; `report kpi` ranks.

One subjective indicator scored by the manager alone, so a review's total is its manager's score.
Reviews: zhang 2026-10 91, 2026-11 84.3; wang 2026-10 70 and an exact 2026-Q4 review 88; liu 2026-Q3 80
and 2026-10 95; sun 2026-11 88.
- 2026-Q4: zhang rolls up (91.0 + 84.3) / 2 = 87.65 -> 87.7 (half-up; half-even would give 87.6), grade B,
  2 parts; wang has an exact review (88.0): no roll-up; liu 95.0 (1 part, Q3 is outside); sun 88.0.
  Ranks among the rows of exactly 2026-Q4: liu 95.0 -> 1, wang 88.0 and sun 88.0 -> 2, zhang 87.7 -> 4.
- 2026: nobody has a yearly review: zhang 87.7 (2 parts); wang (88 + 70) / 2 = 79.0 (2); liu (80 + 95) / 2
  = 87.5 (2); sun 88.0 (1). Ranks: sun 1, zhang 2, liu 3, wang 4.
"""

from __future__ import annotations

from datetime import date

import pytest

from salesctl.model.periods import parse_period
from salesctl.reports.kpi import kpi_report, ranks
from salesctl.reports.review import period_grades, review_report
from salesctl.load.pipeline import load

D = date(2026, 12, 31)
TEAM = """\
company: {name: 测试}
team:
  - {id: lin, name: 林海, role: manager}
  - {id: zhang, name: 张伟, role: rep, manager: lin}
  - {id: wang, name: 王芳, role: rep, manager: lin}
  - {id: liu, name: 刘洋, role: rep, manager: lin}
  - {id: sun, name: 孙磊, role: rep, manager: lin}
  - {id: zhou, name: 周杰, role: rep, manager: lin}
review:
  self_weight: 0
  indicators: [{name: overall, weight: 100}]
"""
REVIEWS = """\
- {id: R-1, rep: zhang, period: 2026-10, manager: {overall: 91}}
- {id: R-2, rep: zhang, period: 2026-11, manager: {overall: 84.3}}
- {id: R-3, rep: wang, period: 2026-10, manager: {overall: 70}}
- {id: R-4, rep: wang, period: 2026-Q4, manager: {overall: 88}}
- {id: R-5, rep: liu, period: 2026-Q3, manager: {overall: 80}}
- {id: R-6, rep: liu, period: 2026-10, manager: {overall: 95}}
- {id: R-7, rep: sun, period: 2026-11, manager: {overall: 88}}
"""


@pytest.fixture
def ws(workspace):
    ws = load(workspace({"reviews/2026.yaml": REVIEWS}, config=TEAM))
    assert ws.problems == []
    return ws


def table(doc):
    return [(r["review"], r["rep"], r["period"], r["total"], r["grade"], r["parts"], r["rank"]) for r in doc["rows"]]


def test_a_quarter_rolls_up_the_months_of_reps_without_a_quarterly_review(ws):
    assert table(review_report(ws, D, parse_period("2026-Q4"))) == [
        # months, then the quarter they make up; reviews by id
        ("R-1", "zhang", "2026-10", 91.0, "A", None, None),
        ("R-3", "wang", "2026-10", 70.0, "C", None, None),
        ("R-6", "liu", "2026-10", 95.0, "A", None, None),
        ("R-2", "zhang", "2026-11", 84.3, "B", None, None),
        ("R-7", "sun", "2026-11", 88.0, "B", None, None),
        ("R-4", "wang", "2026-Q4", 88.0, "B", None, 2),
        # roll-ups in team order; zhou has no review inside the quarter: no row
        (None, "zhang", "2026-Q4", 87.7, "B", 2, 4),
        (None, "liu", "2026-Q4", 95.0, "A", 1, 1),
        (None, "sun", "2026-Q4", 88.0, "B", 1, 2),
    ]


def test_a_year_rolls_up_every_review_inside_it_once(ws):
    rows = [r for r in table(review_report(ws, D, parse_period("2026"))) if r[0] is None]
    assert rows == [(None, "zhang", "2026", 87.7, "B", 2, 2), (None, "wang", "2026", 79.0, "B", 2, 4),
                    (None, "liu", "2026", 87.5, "B", 2, 3), (None, "sun", "2026", 88.0, "B", 1, 1)]


def test_a_month_has_no_roll_up_and_ranks_its_reviews(ws):
    assert table(review_report(ws, D, parse_period("2026-10"))) == [
        ("R-1", "zhang", "2026-10", 91.0, "A", None, 2), ("R-3", "wang", "2026-10", 70.0, "C", None, 3),
        ("R-6", "liu", "2026-10", 95.0, "A", None, 1)]


def test_without_a_period_nothing_rolls_up_or_ranks(ws):
    rows = table(review_report(ws, D))
    assert len(rows) == 7 and {r[-1] for r in rows} == {None} and {r[-2] for r in rows} == {None}


def test_roll_up_scores_are_means_per_indicator(workspace):
    config = TEAM.replace("indicators: [{name: overall, weight: 100}]",
                          "indicators: [{name: overall, weight: 50}, {name: teamwork, weight: 50}]")
    reviews = ("- {id: R-1, rep: zhang, period: 2026-10, manager: {overall: 90, teamwork: 81}}\n"
               "- {id: R-2, rep: zhang, period: 2026-11, manager: {overall: 71}}\n")
    ws = load(workspace({"reviews/r.yaml": reviews}, config=config))
    row = review_report(ws, D, parse_period("2026-Q4"))["rows"][-1]
    # R-1 total (90 + 81) / 2 = 85.5; R-2 has only overall: 71.0; mean total (85.5 + 71) / 2 = 78.25 -> 78.3;
    # overall (90 + 71) / 2 = 80.5; teamwork only R-1's: 81.0
    assert (row["scores"], row["total"], row["grade"], row["parts"]) == ({"overall": 80.5, "teamwork": 81.0}, 78.3, "B", 2)


def test_the_grade_of_a_period_comes_from_its_review_or_roll_up(ws):
    assert period_grades(ws, D, parse_period("2026-Q4")) == {"wang": "B", "zhang": "B", "liu": "A", "sun": "B"}
    assert period_grades(ws, D, parse_period("2026-10")) == {"zhang": "A", "wang": "C", "liu": "A"}


@pytest.mark.parametrize("values, expected", [
    ([5, 3, 5, 1], [1, 3, 1, 4]),
    ([2, 2, 2], [1, 1, 1]),
    ([None, 7, 7, 6], [None, 1, 1, 3]),
    ([], []),
])
def test_ties_share_a_rank_and_the_next_rank_skips(values, expected):
    assert ranks(values) == expected


def test_kpi_rows_rank_by_signed_amount(fixture_workspace):
    # October: liu 120,000, zhang 80,000, wang 79,999.99, sun 0 (tests/fixtures/pay)
    doc = kpi_report(load(fixture_workspace("pay")), parse_period("2026-10"), date(2026, 10, 31))
    assert [(r["rep"], r["rank"]) for r in doc["rows"]] == [("zhang", 2), ("wang", 3), ("liu", 1), ("sun", 4)]
    assert "rank" not in doc["total"]
