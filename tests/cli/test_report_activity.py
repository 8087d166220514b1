"""`salesctl report activity` through the command line (figures: tests/unit/reports/test_activity.py)."""

from __future__ import annotations

import csv
import io
import json

import pytest

AS_OF = ("--as-of", "2026-10-31")


@pytest.fixture
def root(fixture_workspace):
    return fixture_workspace("activity")


def test_json_document(run, root):
    result = run("-C", root, "report", "activity", "--period", "2026-10", "--by", "month", *AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout, object_pairs_hook=list)
    assert [k for k, _ in doc] == ["period", "start", "end", "by", "rows", "total"]
    first = dict(dict(doc)["rows"][0])
    assert list(first) == ["rep", "name", "bucket", "workdays", "calls", "effective_calls", "visits", "effective",
                           "customers", "deals", "signed_amount", "calls_per_day", "effective_per_day", "target_calls",
                           "target_effective"]
    # zhang: 4 calls / 18 working days = 0.2; 180 = 10 x 18
    assert (first["bucket"], first["calls"], first["calls_per_day"], first["target_calls"]) == ("2026-10", 4, 0.2, 180)
    assert '"signed_amount": 50000.00,' in result.stdout and '"target_effective": null' in result.stdout
    assert dict(dict(doc)["total"])["customers"] == 4


def test_default_period_is_the_month_of_the_as_of_date_by_day(run, root):
    doc = json.loads(run("-C", root, "report", "activity", *AS_OF, "--format", "json").stdout)
    assert (doc["period"], doc["by"], len(doc["rows"])) == ("2026-10", "day", 31 * 3)


def test_table_has_a_title_every_week_and_a_total_row(run, root):
    lines = run("-C", root, "report", "activity", "--period", "2026-10", "--by", "week", *AS_OF).stdout.splitlines()
    assert lines[0] == "销售活动量 2026-10 (2026-10-01 – 2026-10-31)"
    assert lines[2].split() == ["销售", "姓名", "周", "工作日", "电话", "有效电话", "拜访", "有效", "沟通客户", "成交",
                                "签约金额", "日均电话", "日均有效", "电话目标", "有效目标"]
    assert lines[5].split() == ["zhang", "张伟", "2026-W41", "3", "3", "2", "4", "3", "2", "1", "50,000.00", "1.0", "1.0",
                                "30", "12"]
    assert len(lines) == 4 + 3 * 5 + 1  # title, blank, heading, rule; 3 reps x 5 weeks; total
    # total: 6 calls / (18 x 3) = 0.1, 5 effective / 54 = 0.1
    assert lines[-1].split() == ["合计", "18", "6", "4", "8", "5", "4", "1", "50,000.00", "0.1", "0.1", "468", "144"]


def test_csv_has_one_line_per_rep_and_bucket(run, root):
    text = run("-C", root, "report", "activity", "--period", "2026-10", "--by", "week", *AS_OF, "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 15 and rows[0]["bucket"] == "2026-W40"
    assert (rows[0]["calls_per_day"], rows[0]["target_calls"]) == ("", "0")  # no working day in 1-4 October


def test_iso_weeks_across_the_new_year(run, root):
    doc = json.loads(run("-C", root, "report", "activity", "--period", "2027-01", "--by", "week", "--rep", "zhou",
                         "--as-of", "2027-01-31", "--format", "json").stdout)
    assert [(r["bucket"], r["workdays"]) for r in doc["rows"]] == [
        ("2026-W53", 1), ("2027-W01", 5), ("2027-W02", 5), ("2027-W03", 5), ("2027-W04", 5)]  # Friday 1 January


def test_rep_and_group(run, root):
    doc = json.loads(run("-C", root, "report", "activity", "--by", "month", "--group", "east", *AS_OF,
                         "--format", "json").stdout)
    assert [r["rep"] for r in doc["rows"]] == ["zhang", "zhou"]
    doc = json.loads(run("-C", root, "report", "activity", "--by", "month", "--rep", "lin", *AS_OF,
                         "--format", "json").stdout)
    assert [(r["rep"], r["visits"]) for r in doc["rows"]] == [("lin", 1)]


@pytest.mark.parametrize("args, message", [
    (["--rep", "nobody"], "'nobody' is not a team member"),
    (["--group", "west"], "no team member is in group 'west'"),
    (["--rep", "zhang", "--group", "east"], "give --rep or --group, not both"),
    (["--by", "quarter"], "--by"),
    (["--period", "2026-10", "--from", "2026-10-01", "--to", "2026-10-31"], "either --period or --from/--to"),
])
def test_usage_errors(run, root, args, message):
    result = run("-C", root, "report", "activity", *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_records_with_errors_are_left_out_with_a_warning(run, root):
    (root / "visits" / "broken.yaml").write_text("- {id: V-99, customer: CUS-1, rep: zhang, date: 2026-10-40, "
                                                 "channel: phone}\n", encoding="utf-8")
    result = run("-C", root, "report", "activity", "--by", "month", *AS_OF, "--format", "json")
    assert result.exit_code == 0 and "warning: 1 error in the workspace" in result.stderr
    assert json.loads(result.stdout)["rows"][0]["calls"] == 4  # V-99 left out
    assert run("-C", root, "report", "activity", *AS_OF, "--strict").exit_code == 1


def test_yaml_and_help(run, root):
    result = run("-C", root, "report", "activity", "--by", "month", *AS_OF, "--format", "yaml")
    assert result.exit_code == 0 and "calls_per_day: 0.2" in result.stdout
    help_text = run("report", "activity", "--help").stdout
    assert "Example:" in help_text and "--group" in help_text
