"""`salesctl report review` through the command line: grades at their boundaries, the JSON document,
table and CSV, periods (the scores and totals: tests/unit/reports/test_review.py)."""

from __future__ import annotations

import json

import pytest

from helpers.reviews import SUBJECTIVE


@pytest.mark.parametrize("score, total, grade", [("90", 90.0, "A"), ("89.94", 89.9, "B"), ("89.95", 90.0, "A"),
                                                 ("75", 75.0, "B"), ("74.9", 74.9, "C"), ("60", 60.0, "C"),
                                                 ("59.9", 59.9, "D")])
def test_grade_at_the_boundaries_through_the_command(run, workspace, score, total, grade):
    root = workspace({"reviews/r.yaml": f"{{id: R-1, rep: zhang, period: 2026-Q1, manager: {{overall: {score}}}}}\n"},
                     config=SUBJECTIVE)
    result = run("-C", root, "report", "review", "--format", "json", "--as-of", "2026-06-30")
    row = json.loads(result.stdout)["rows"][0]
    assert (row["total"], row["grade"]) == (total, grade)


def test_json_document(run, reports_root):
    result = run("-C", reports_root, "report", "review", "--period", "2026-Q2", "--as-of", "2026-06-30", "--format",
                 "json")
    doc = json.loads(result.stdout, object_pairs_hook=list)
    assert [k for k, _ in doc] == ["period", "rows"] and dict(doc)["period"] == "2026-Q2"
    first = dict(dict(doc)["rows"][0])
    assert list(first) == ["review", "rep", "name", "period", "scores", "total", "grade", "parts", "rank"]
    assert first["scores"] == [("sales", 50.0), ("satisfaction", 90.0), ("teamwork", 80.0), ("attitude", 70.0)]


def test_table_and_csv(run, reports_root):
    table = run("-C", reports_root, "report", "review", "--as-of", "2026-06-30").stdout.splitlines()
    assert table[0] == "绩效考核"
    assert table[2].split() == ["考核", "销售", "姓名", "期间", "sales", "satisfaction", "teamwork", "attitude", "总分", "等级",
                                "合并考核数", "排名"]
    assert table[6].split() == ["REV-Q2-zhou", "zhou", "周杰", "2026-Q2", "0.0", "80.0", "18.5", "D"]
    csv_text = run("-C", reports_root, "report", "review", "--as-of", "2026-06-30", "--format", "csv").stdout
    assert csv_text.splitlines()[:2] == [
        "review,rep,name,period,scores.sales,scores.satisfaction,scores.teamwork,scores.attitude,total,grade,parts,rank",
        "REV-Q2-wang,wang,王芳,2026-Q2,50.0,90.0,80.0,70.0,65.5,C,,"]  # scores with one decimal, as in tables


def test_a_period_without_reviews_says_so(run, reports_root, workspace):
    result = run("-C", reports_root, "report", "review", "--period", "2025-Q1", "--as-of", "2026-06-30")
    assert (result.exit_code, result.stdout) == (0, "绩效考核 2025-Q1\n\n没有期间在 2025-Q1 之内的绩效考核。\n")
    english = workspace({}, config="locale: en_US\n" + SUBJECTIVE)
    result = run("-C", english, "report", "review")
    assert (result.exit_code, result.stdout) == (0, "Performance reviews\n\nThe workspace has no performance reviews yet.\n")
    as_json = run("-C", reports_root, "report", "review", "--period", "2025-Q1", "--format", "json")
    assert json.loads(as_json.stdout) == {"period": "2025-Q1", "rows": []}


def test_bad_period_is_a_usage_error(run, reports_root):
    result = run("-C", reports_root, "report", "review", "--period", "Q2")
    assert result.exit_code == 2 and "not a period" in result.stderr


def test_help_has_an_example(run):
    result = run("report", "review", "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout
