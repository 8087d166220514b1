"""`salesctl report overdue` through the command line: the JSON document, grouped views, filters,
table, CSV and YAML (the figures: tests/unit/reports/test_overdue.py)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from ruamel.yaml import YAML

BUCKETS = {"1-30": 100000, "31-60": 150000, "61-90": 200000, "91+": 60000}  # as of 2026-06-30


def ordered(text):
    """JSON text -> nested lists of (key, value) pairs, so that key order can be asserted."""
    return json.loads(text, object_pairs_hook=list)


def test_json_document_keys_order_and_numbers(run, reports_root):
    result = run("-C", reports_root, "report", "overdue", "--as-of", "2026-06-30", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = ordered(result.stdout)
    assert [k for k, _ in doc] == ["as_of", "rows", "totals"]
    assert doc[0] == ("as_of", "2026-06-30")
    first = dict(doc[1][1][0])
    assert list(first) == ["receivable", "contract", "customer", "customer_name", "owner", "due", "amount", "paid",
                           "balance", "days_overdue", "bucket", "last_action", "next_step"]
    assert [k for k, _ in first["last_action"]] == ["date", "channel", "by", "note", "promised"]
    assert dict(first["last_action"]) == {"date": "2026-05-01", "channel": "onsite", "by": "zhang",
                                          "note": "拜访财务总监", "promised": None}
    assert dict(first["next_step"]) == {"action": "agency", "date": "2026-06-29"}
    totals = doc[2][1]
    assert [k for k, _ in totals] == ["balance", "count", "buckets"]
    assert dict(totals)["buckets"] == list(BUCKETS.items())
    assert '"amount": 100000.00,' in result.stdout and '"balance": 510000.00,' in result.stdout


@pytest.mark.parametrize("by, rows", [
    ("customer", [("CUS-A", "东方机械有限公司", 4, 360000, {"1-30": 0, "31-60": 100000, "61-90": 200000, "91+": 60000}),
                  ("CUS-C", "西部医药有限公司", 3, 150000, {"1-30": 100000, "31-60": 50000, "61-90": 0, "91+": 0})]),
    ("owner", [("zhang", "张伟", 4, 360000, {"1-30": 0, "31-60": 100000, "61-90": 200000, "91+": 60000}),
               ("wang", "王芳", 3, 150000, {"1-30": 100000, "31-60": 50000, "61-90": 0, "91+": 0})]),
])
def test_grouped_views_largest_balance_first(run, reports_root, by, rows):
    result = run("-C", reports_root, "report", "overdue", "--by", by, "--as-of", "2026-06-30", "--format", "json")
    doc = ordered(result.stdout)
    assert [k for k, _ in doc] == ["as_of", "by", "rows", "totals"]
    assert dict(doc)["by"] == by
    got = [dict(r) for r in dict(doc)["rows"]]
    assert [list(r) for r in got] == [[by, "name", "count", "balance", "buckets"]] * 2
    assert [(r[by], r["name"], r["count"], r["balance"], dict(r["buckets"])) for r in got] == rows
    assert dict(dict(doc)["totals"])["balance"] == 510000


def test_min_days_and_owner_filters(run, reports_root):
    def ids(*args):
        result = run("-C", reports_root, "report", "overdue", "--as-of", "2026-06-30", "--format", "json", *args)
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)
        return [r["receivable"] for r in doc["rows"]], doc["totals"]["balance"]

    assert ids("--min-days", "31") == (["RCV-01", "RCV-02", "RCV-03", "RCV-04", "RCV-05"], 410000)
    assert ids("--min-days", "91") == (["RCV-01"], 60000)
    assert ids("--owner", "wang") == (["RCV-05", "RCV-06", "RCV-07"], 150000)
    assert ids("--owner", "wang", "--min-days", "31") == (["RCV-05"], 50000)
    assert ids("--owner", "zhou") == ([], 0)


@pytest.mark.parametrize("args, message", [
    (["--owner", "nobody"], "'nobody' is not a team member"),
    (["--min-days", "-1"], "--min-days"),
    (["--min-days", "x"], "--min-days"),
    (["--by", "region"], "--by"),
    (["--format", "xml"], "--format"),
])
def test_bad_options_are_usage_errors(run, reports_root, args, message):
    result = run("-C", reports_root, "report", "overdue", "--as-of", "2026-06-30", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_table_in_chinese_with_bucket_totals(run, reports_root):
    result = run("-C", reports_root, "report", "overdue", "--as-of", "2026-06-30")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "逾期应收台账 截至 2026-06-30"
    assert lines[2].split()[:4] == ["应收款", "合同", "客户名称", "负责人"]
    assert "2026-06-01 电话 (承诺付款 2026-07-05)" in result.stdout
    assert "催收机构 2026-06-29" in result.stdout
    assert lines[-1].split() == ["合计", "7", "510,000.00", "100,000.00", "150,000.00", "200,000.00", "60,000.00"]


def test_table_in_english(run, reports_root):
    config = reports_root / "salesctl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("locale: zh_CN", "locale: en_US"), encoding="utf-8")
    result = run("-C", reports_root, "report", "overdue", "--by", "owner", "--as-of", "2026-06-30")
    lines = result.stdout.splitlines()
    assert lines[0] == "Overdue receivables as of 2026-06-30"
    assert lines[2].split() == ["Owner", "Name", "Count", "Balance", "1-30", "31-60", "61-90", "91+"]
    assert lines[4].split() == ["zhang", "张伟", "4", "360,000.00", "0.00", "100,000.00", "200,000.00", "60,000.00"]
    assert lines[-1].split()[0] == "Total"


def test_csv_spreads_last_action_and_next_step_over_columns(run, reports_root):
    result = run("-C", reports_root, "report", "overdue", "--as-of", "2026-06-30", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 7
    assert rows[4] == {
        "receivable": "RCV-05", "contract": "CT-2025-02", "customer": "CUS-C", "customer_name": "西部医药有限公司",
        "owner": "wang", "due": "2026-05-30", "amount": "50000.00", "paid": "0.00", "balance": "50000.00",
        "days_overdue": "31", "bucket": "31-60", "last_action.date": "2026-06-01", "last_action.channel": "phone",
        "last_action.by": "wang", "last_action.note": "", "last_action.promised": "2026-07-05",
        "next_step.action": "await", "next_step.date": "2026-07-05"}
    grouped = run("-C", reports_root, "report", "overdue", "--by", "customer", "--as-of", "2026-06-30", "--format", "csv")
    assert grouped.stdout.splitlines()[:2] == ["customer,name,count,balance,1-30,31-60,61-90,91+",
                                               "CUS-A,东方机械有限公司,4,360000.00,0.00,100000.00,200000.00,60000.00"]


def test_yaml_is_the_json_document(run, reports_root):
    result = run("-C", reports_root, "report", "overdue", "--as-of", "2026-06-30", "--format", "yaml")
    doc = YAML(typ="safe").load(result.stdout)
    assert doc["totals"]["count"] == 7 and doc["totals"]["buckets"]["61-90"] == 200000
    assert doc["rows"][0]["next_step"] == {"action": "agency", "date": date(2026, 6, 29)}


def test_workspace_with_errors_still_reports_with_one_warning(run, reports_root):
    (reports_root / "receivables" / "broken.yaml").write_text("id: RCV-99\ncontract: CT-404\namount: 1\ndue: 2026-01-01\n",
                                                              encoding="utf-8")
    result = run("-C", reports_root, "report", "overdue", "--as-of", "2026-06-30", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == ("warning: 1 error in the workspace, records with errors left out; "
                             "run salesctl validate\n")
    assert json.loads(result.stdout)["totals"]["count"] == 7
    strict = run("-C", reports_root, "report", "overdue", "--as-of", "2026-06-30", "--strict")
    assert strict.exit_code == 1 and "unknown-ref" in strict.stderr and strict.stdout == ""


def test_no_workspace_is_a_usage_error(run, tmp_path):
    result = run("-C", tmp_path, "report", "overdue")
    assert result.exit_code == 2 and "no salesctl.yaml" in result.stderr


def test_help_has_an_example(run):
    result = run("report", "overdue", "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout and "--min-days" in result.stdout
