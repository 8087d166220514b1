"""`report overdue`: the collection ledger, checked figure by figure against the fixture workspace."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from ruamel.yaml import YAML

from salesctl.reports.overdue import overdue_report
from salesctl.load.pipeline import load

from reports_fixture import reports_root, reports_ws  # noqa: F401  (fixtures)

D = date(2026, 6, 30)  # the as-of date the fixture workspace (tests/fixtures/reports) is built for

# As of 2026-06-30: (receivable, days overdue, bucket, paid, balance), longest overdue first.
LEDGER = [
    ("RCV-01", 91, "91+", 40000, 60000),     # due 03-31
    ("RCV-02", 90, "61-90", 0, 100000),      # due 04-01
    ("RCV-03", 61, "61-90", 0, 100000),      # due 04-30; paid 07-02, after the as-of date
    ("RCV-04", 60, "31-60", 0, 100000),      # due 05-01
    ("RCV-05", 31, "31-60", 0, 50000),       # due 05-30
    ("RCV-06", 30, "1-30", 0, 50000),        # due 05-31
    ("RCV-07", 1, "1-30", 0, 50000),         # due 06-29
]
BUCKETS = {"1-30": 100000, "31-60": 150000, "61-90": 200000, "91+": 60000}


def ordered(text):
    """JSON text -> nested lists of (key, value) pairs, so that key order can be asserted."""
    return json.loads(text, object_pairs_hook=list)


def test_ledger_rows_buckets_and_totals(reports_ws):
    doc = overdue_report(reports_ws, D)
    assert [(r["receivable"], r["days_overdue"], r["bucket"], r["paid"], r["balance"]) for r in doc["rows"]] == LEDGER
    assert doc["totals"] == {"balance": Decimal("510000"), "count": 7, "buckets": BUCKETS}
    # not in the ledger: due today (RCV-08), written off (RCV-09), paid (RCV-10..12, 14), not yet due (13, 15)


@pytest.mark.parametrize("receivable, days, label", [(r[0], r[1], r[2]) for r in LEDGER])
def test_each_bucket_boundary(reports_ws, receivable, days, label):
    row = next(r for r in overdue_report(reports_ws, D)["rows"] if r["receivable"] == receivable)
    assert (row["days_overdue"], row["bucket"]) == (days, label)


def test_receivable_due_today_is_not_overdue(reports_ws):
    assert "RCV-08" not in [r["receivable"] for r in overdue_report(reports_ws, D)["rows"]]
    assert "RCV-08" in [r["receivable"] for r in overdue_report(reports_ws, date(2026, 7, 1))["rows"]]


def test_payment_after_the_as_of_date_does_not_count(reports_ws):
    rows = {r["receivable"]: r for r in overdue_report(reports_ws, D)["rows"]}
    assert (rows["RCV-03"]["paid"], rows["RCV-03"]["balance"]) == (0, 100000)
    later = {r["receivable"] for r in overdue_report(reports_ws, date(2026, 7, 2))["rows"]}
    assert "RCV-03" not in later


def test_written_off_receivable_leaves_the_ledger_on_its_date(reports_ws):
    before = {r["receivable"]: r for r in overdue_report(reports_ws, date(2026, 6, 14))["rows"]}
    assert (before["RCV-09"]["days_overdue"], before["RCV-09"]["bucket"], before["RCV-09"]["balance"]) == (105, "91+", 40000)
    assert "RCV-09" not in {r["receivable"] for r in overdue_report(reports_ws, date(2026, 6, 15))["rows"]}


def test_promise_is_shown_and_awaited(reports_ws):
    rows = {r["receivable"]: r for r in overdue_report(reports_ws, D)["rows"]}
    assert rows["RCV-05"]["last_action"] == {"date": date(2026, 6, 1), "channel": "phone", "by": "wang",
                                             "note": None, "promised": date(2026, 7, 5)}
    assert rows["RCV-05"]["next_step"] == {"action": "await", "date": date(2026, 7, 5)}
    assert rows["RCV-07"]["last_action"] is None


@pytest.mark.parametrize("receivable, step", [
    ("RCV-01", ("agency", date(2026, 6, 29))),   # phone, email, onsite done; agency reached at 90 days
    ("RCV-02", ("agency", date(2026, 6, 30))),   # reached today; a letter does not do the agency level
    ("RCV-03", ("onsite", date(2026, 5, 30))),   # nothing logged: the highest reached level
    ("RCV-04", ("agency", date(2026, 7, 30))),   # every reached level done: the first unreached one
    ("RCV-05", ("await", date(2026, 7, 5))),     # promised after D
    ("RCV-06", ("onsite", date(2026, 6, 30))),   # the promise of 06-20 was broken
    ("RCV-07", ("phone", date(2026, 6, 30))),    # one day overdue
])
def test_next_step_in_the_ledger(reports_ws, receivable, step):
    row = next(r for r in overdue_report(reports_ws, D)["rows"] if r["receivable"] == receivable)
    assert (row["next_step"]["action"], row["next_step"]["date"]) == step


TEAM = """\
company: {name: 测试培训有限公司}
team:
  - {id: lin, name: 林海, role: manager}
  - {id: zhang, name: 张伟, role: rep, manager: lin}
  - {id: chen, name: 陈静, role: legal}
  - {id: zhao, name: 赵敏, role: finance}
"""
ONE = {
    "customers/c.yaml": "{id: CUS-1, name: 甲公司, owner: zhang, created: 2026-01-01}\n",
    "contracts/c.yaml": """\
        id: CT-1
        customer: CUS-1
        owner: zhang
        title: 培训
        status: signed
        created: 2026-01-02
        signed: 2026-01-10
        items: [{name: 培训, quantity: 1, unit_price: 10000}]
        amount: 10000
        approvals:
          - {stage: manager, by: lin, date: 2026-01-03, decision: approved}
          - {stage: legal, by: chen, date: 2026-01-04, decision: approved}
          - {stage: finance, by: zhao, date: 2026-01-05, decision: approved}
        """,
}


def one_receivable(workspace, collection_log="", config_extra=""):
    text = "id: RCV-1\ncontract: CT-1\namount: 10000\ndue: 2026-03-01\n"
    if collection_log:
        text += "collection:\n" + collection_log
    root = workspace({**ONE, "receivables/r.yaml": text}, config=TEAM + config_extra)
    ws = load(root)
    assert [p for p in ws.problems if p.is_error] == []
    return ws


@pytest.mark.parametrize("log, as_of, step", [
    ("", date(2026, 3, 2), ("phone", date(2026, 3, 2))),                      # 1 day: phone from due + 1
    ("  - {date: 2026-03-02, by: zhang, channel: phone}\n", date(2026, 3, 5),
     ("email", date(2026, 3, 8))),                                              # phone done: next level, future
    ("  - {date: 2026-03-02, by: zhang, channel: email}\n", date(2026, 3, 5),
     ("email", date(2026, 3, 8))),                                              # a later channel does the phone level
    ("  - {date: 2026-03-05, by: zhang, channel: phone}\n", date(2026, 3, 10),
     ("email", date(2026, 3, 8))),                                              # a phone call does not do the email level
    ("  - {date: 2026-03-07, by: zhang, channel: email}\n", date(2026, 3, 10),
     ("email", date(2026, 3, 8))),                                              # an email before due + 7 does not count
    ("  - {date: 2026-03-02, by: zhang, channel: phone, promised: 2026-03-20}\n", date(2026, 3, 20),
     ("await", date(2026, 3, 20))),                                             # promise due today: still awaited
    ("  - {date: 2026-03-02, by: zhang, channel: phone, promised: 2026-03-20}\n", date(2026, 3, 21),
     ("email", date(2026, 3, 8))),                                              # broken promise: escalate
    ("  - {date: 2026-06-01, by: zhao, channel: agency}\n", date(2026, 6, 5), None),  # every level done
])
def test_each_escalation_rule(workspace, log, as_of, step):
    rows = overdue_report(one_receivable(workspace, log), as_of)["rows"]
    got = rows[0]["next_step"]
    assert (got["action"], got["date"]) == step if step else got is None


def test_empty_ledger_still_lists_every_bucket_of_the_configured_aging(workspace):
    ws = one_receivable(workspace, config_extra="rules: {aging_buckets: [15, 45]}\n")
    assert overdue_report(ws, date(2026, 2, 1)) == {
        "as_of": date(2026, 2, 1), "rows": [],
        "totals": {"balance": 0, "count": 0, "buckets": {"1-15": 0, "16-45": 0, "46+": 0}}}
    assert overdue_report(ws, date(2026, 3, 17))["totals"]["buckets"] == {"1-15": 0, "16-45": 10000, "46+": 0}


# --- through the command line ------------------------------------------------------------

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
    assert "2026-06-01 phone (承诺付款 2026-07-05)" in result.stdout
    assert "agency 2026-06-29" in result.stdout
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
    assert result.stderr == ("warning: 1 errors in the workspace, records with errors left out; "
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
