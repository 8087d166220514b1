"""Ranks and roll-ups through the command line: `report kpi` and `report review`.

tests/fixtures/reports, 2026-Q2 as of 2026-06-30: signed zhang 300,000, wang 90,000, lin 0, zhou 0; the
three Q2 reviews total zhang 91.5 (A), wang 65.5 (C), zhou 18.5 (D) (see tests/reports/).
"""

from __future__ import annotations

import csv
import io
import json

import pytest

Q2 = ("--period", "2026-Q2", "--as-of", "2026-06-30")


@pytest.fixture
def root(fixture_workspace):
    return fixture_workspace("reports")


def test_kpi_rank_with_a_tie(run, root):
    doc = json.loads(run("-C", root, "report", "kpi", *Q2, "--format", "json").stdout)
    # zhang 1, wang 2, then lin and zhou tie at 0: both 3
    assert [(r["rep"], r["rank"]) for r in doc["rows"]] == [("lin", 3), ("zhang", 1), ("wang", 2), ("zhou", 3)]
    assert "rank" not in doc["total"]
    rows = list(csv.DictReader(io.StringIO(run("-C", root, "report", "kpi", *Q2, "--format", "csv").stdout)))
    assert list(rows[0])[-1] == "rank" and [r["rank"] for r in rows] == ["3", "1", "2", "3"]


def test_kpi_groups_rank_too(run, root):
    doc = json.loads(run("-C", root, "report", "kpi", *Q2, "--by", "group", "--format", "json").stdout)
    # east (zhang + zhou) 300,000, north (wang) 90,000, no group (lin) 0
    assert [(r["group"], r["rank"]) for r in doc["rows"]] == [("east", 1), ("north", 2), (None, 3)]


def test_review_of_the_year_rolls_up_the_quarter(run, root):
    doc = json.loads(run("-C", root, "report", "review", "--period", "2026", "--as-of", "2026-06-30",
                         "--format", "json").stdout)
    rollups = [(r["review"], r["rep"], r["period"], r["total"], r["grade"], r["parts"], r["rank"])
               for r in doc["rows"] if r["review"] is None]
    # each rep's only review inside 2026 is its Q2 one: 1 part, its total; ranked among the 2026 rows
    assert rollups == [(None, "zhang", "2026", 91.5, "A", 1, 1), (None, "wang", "2026", 65.5, "C", 1, 2),
                       (None, "zhou", "2026", 18.5, "D", 1, 3)]
    assert {r["rank"] for r in doc["rows"] if r["review"] is not None} == {None}


def test_review_table_and_csv_show_parts_and_rank(run, root):
    lines = run("-C", root, "report", "review", "--period", "2026", "--as-of", "2026-06-30").stdout.splitlines()
    assert lines[-3].split() == ["zhang", "张伟", "2026", "100.0", "80.0", "83.0", "87.0", "91.5", "A", "1", "1"]
    text = run("-C", root, "report", "review", "--period", "2026-Q2", "--as-of", "2026-06-30", "--format", "csv").stdout
    assert text.splitlines()[1] == "REV-Q2-wang,wang,王芳,2026-Q2,50,90,80,70,65.5,C,,2"
