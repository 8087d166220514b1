"""What every command prints: no YAML aliases, one rounding in every format (the library side:
tests/unit/render/test_output.py)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from helpers.workspaces import SAMPLE

AS_OF = ("--as-of", "2026-11-30")


@pytest.mark.parametrize("args", [
    ["report", "overdue"],              # paid 0.00 on several rows: one Decimal object
    ["query", "receivables"],
    ["query", "contracts"],
    ["show", "CT-2026-005"],            # waiting_since is the date of the last approval
    ["report", "kpi", "--period", "2026"],
    ["report", "review"],
])
def test_yaml_output_has_no_anchors_or_aliases(run, args):
    result = run("-C", SAMPLE, *AS_OF, *args, "--format", "yaml")
    assert result.exit_code == 0, result.stderr
    assert "&id" not in result.stdout and "*id" not in result.stdout


def _csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_kpi_figures_have_the_same_decimals_in_every_format(run):
    base = ["-C", SAMPLE, *AS_OF, "report", "kpi", "--period", "2026"]
    rows = _csv_rows(run(*base, "--format", "csv").stdout)
    raw_json = run(*base, "--format", "json").stdout
    yaml_text = run(*base, "--format", "yaml").stdout
    table = run(*base).stdout
    for row in rows:
        cycle, satisfaction = row["avg_cycle_days"], row["satisfaction"]
        assert len(cycle.split(".")[1]) == 1 and len(satisfaction.split(".")[1]) == 2, row
        assert f'"avg_cycle_days": {cycle},' in raw_json and f'"satisfaction": {satisfaction},' in raw_json
        assert f"avg_cycle_days: {cycle}\n" in yaml_text and f"satisfaction: {satisfaction}\n" in yaml_text
        line = next(line for line in table.splitlines() if line.startswith(row["rep"] + " "))
        assert cycle in line.split() and satisfaction in line.split()
    json.loads(raw_json)  # still JSON


def test_review_scores_have_one_decimal_in_csv_as_in_tables(run):
    rows = _csv_rows(run("-C", SAMPLE, *AS_OF, "report", "review", "--format", "csv").stdout)
    figures = [value for row in rows for key, value in row.items() if key.startswith("scores.") or key == "total"]
    assert figures and all(value == "" or len(value.split(".")[1]) == 1 for value in figures)
