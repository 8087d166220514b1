"""`salesctl report kpi` through the command line: the JSON document, the table, CSV by group, periods
(the figures: tests/unit/reports/test_kpi.py, against tests/fixtures/reports as of 2026-06-30)."""

from __future__ import annotations

import csv
import io
import json

import pytest

KEYS = ["signed_amount", "contracts", "target", "attainment", "collected", "new_customers", "visits",
        "effective_visits", "conversion_rate", "avg_cycle_days", "satisfaction", "repeat_rate", "overdue_balance"]


def test_json_document(run, reports_root):
    result = run("-C", reports_root, "report", "kpi", "--period", "2026-Q2", "--as-of", "2026-06-30", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout, object_pairs_hook=list)
    assert [k for k, _ in doc] == ["period", "start", "end", "rows", "total"]
    assert dict(doc)["start"] == "2026-04-01"
    assert [k for k, _ in dict(doc)["rows"][1]] == ["rep", "name", *KEYS, "rank"]
    assert [k for k, _ in dict(doc)["total"]] == KEYS
    text = result.stdout
    assert '"attainment": 0.65,' in text and '"conversion_rate": 0.3333,' in text and '"avg_cycle_days": 127.3,' in text
    assert '"signed_amount": 390000.00,' in text and '"satisfaction": 4.40,' in text  # satisfaction: two decimals


def test_table_shows_percentages_and_a_total_row(run, reports_root):
    result = run("-C", reports_root, "report", "kpi", "--period", "2026-Q2", "--as-of", "2026-06-30")
    lines = result.stdout.splitlines()
    assert lines[0] == "销售业绩指标 2026-Q2 (2026-04-01 – 2026-06-30)"
    assert lines[2].split()[:6] == ["销售", "姓名", "签约金额", "合同数", "目标", "完成率"]
    assert lines[6].split() == ["wang", "王芳", "90,000.00", "1", "180,000.00", "50.0%", "50,000.00", "1", "2", "2",
                                "101.0", "4.50", "0.0%", "150,000.00", "2"]
    assert lines[-1].split() == ["合计", "390,000.00", "3", "600,000.00", "65.0%", "270,000.00", "2", "8", "6",
                                 "33.3%", "127.3", "4.40", "33.3%", "510,000.00"]


def test_csv_has_fractions_and_one_line_per_rep(run, reports_root):
    result = run("-C", reports_root, "report", "kpi", "--period", "2026-Q2", "--by", "group", "--as-of", "2026-06-30",
                 "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["group"] for r in rows] == ["east", "north", ""]
    assert rows[0]["attainment"] == "0.7143" and rows[0]["signed_amount"] == "300000.00"


def test_default_period_is_the_year_of_the_as_of_date(run, reports_root):
    result = run("-C", reports_root, "report", "kpi", "--as-of", "2026-06-30", "--format", "json")
    doc = json.loads(result.stdout)
    assert (doc["period"], doc["start"], doc["end"]) == ("2026", "2026-01-01", "2026-12-31")


def test_from_to(run, reports_root):
    result = run("-C", reports_root, "report", "kpi", "--from", "2026-04-01", "--to", "2026-06-30", "--as-of",
                 "2026-06-30", "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["period"] == "2026-04-01..2026-06-30" and doc["total"]["target"] == 600000


@pytest.mark.parametrize("args, message", [
    (["--period", "2026-Q5"], "not a period"),
    (["--period", "2026-13"], "month must be 01-12"),
    (["--period", "26"], "not a period"),
    (["--from", "2026-04-01"], "--from and --to go together"),
    (["--period", "2026", "--from", "2026-01-01", "--to", "2026-02-01"], "either --period or --from/--to"),
    (["--from", "2026-05-01", "--to", "2026-04-01"], "before --from"),
    (["--from", "2026-02-30", "--to", "2026-04-01"], "--from"),
    (["--by", "region"], "--by"),
])
def test_bad_periods_are_usage_errors(run, reports_root, args, message):
    result = run("-C", reports_root, "report", "kpi", *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_help_has_an_example(run):
    result = run("report", "kpi", "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout and "--from" in result.stdout
