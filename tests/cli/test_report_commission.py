"""`salesctl report commission` through the command line (figures: tests/unit/reports/test_commission.py)."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from datetime import datetime

import openpyxl  # the [xlsx] extra, part of [dev]
import pytest

OCTOBER = ("--period", "2026-10", "--as-of", "2026-10-31")


@pytest.fixture
def root(fixture_workspace):
    return fixture_workspace("pay")


def test_json_document(run, root):
    result = run("-C", root, "report", "commission", *OCTOBER, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout, object_pairs_hook=list)
    assert [k for k, _ in doc] == ["period", "start", "end", "base", "method", "rows", "total"]
    assert (dict(doc)["base"], dict(doc)["method"]) == ("collected", "marginal")
    zhang = dict(dict(doc)["rows"][0])
    assert list(zhang) == ["rep", "name", "base", "attainment", "eligible", "tiers", "accelerator", "clawback",
                           "commission", "grade", "bonus", "total"]
    assert [dict(line) for line in zhang["tiers"]] == [
        {"from": 0, "to": 100000, "rate": 0.03, "amount": 100000, "commission": 3000},
        {"from": 100000, "to": None, "rate": 0.05, "amount": 60000, "commission": 3000}]
    text = result.stdout
    assert '"commission": 5400.00,' in text and '"total": -300.05' in text and '"clawback": 900.05,' in text
    assert [k for k, _ in dict(doc)["total"]] == ["base", "accelerator", "clawback", "commission", "bonus", "total"]


def test_table_says_which_base_and_method_were_used(run, root):
    lines = run("-C", root, "report", "commission", *OCTOBER).stdout.splitlines()
    assert lines[0] == "提成与绩效奖金 2026-10 (2026-10-01 – 2026-10-31)"
    assert lines[1] == "提成基数: 回款 (collected); 计算方法: 超额累进，各段按本段比例 (marginal)"
    assert lines[3].split() == ["销售", "姓名", "提成基数", "完成率", "达标", "分段提成", "加速提成", "坏账扣回", "提成",
                                "等级", "绩效奖金", "应发合计"]
    assert lines[5].split() == ["zhang", "张伟", "160,000.00", "80.0%", "是", "0.00-100,000.00", "@", "3%", "on",
                                "100,000.00", "=", "3,000.00", "0.00", "600.00", "5,400.00", "A", "2,000.00",
                                "7,400.00"]
    assert lines[6].split() == ["100,000.00+", "@", "5%", "on", "60,000.00", "=", "3,000.00"]  # the second tier line
    assert lines[-1].split() == ["合计", "325,999.99", "360.00", "900.05", "6,539.95", "3,000.00", "9,539.95"]


def test_whole_method_is_named(run, root):
    config = root / "salesctl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("method: marginal", "method: whole"), encoding="utf-8")
    out = run("-C", root, "report", "commission", *OCTOBER).stdout
    assert "计算方法: 全额累进，按达到的最高段比例计全额 (whole)" in out
    assert "100,000.00+ @ 5% on 160,000.00 = 8,000.00" in out


def test_csv_for_payroll(run, root):
    text = run("-C", root, "report", "commission", *OCTOBER, "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["period", "commission.base", "commission.method", "rep", "name", "base", "attainment",
                             "eligible", "tiers", "accelerator", "clawback", "commission", "grade", "bonus", "total"]
    assert [(r["rep"], r["commission"], r["bonus"], r["total"]) for r in rows] == [
        ("zhang", "5400.00", "2000.00", "7400.00"), ("wang", "0.00", "1000.00", "1000.00"),
        ("liu", "1440.00", "0.00", "1440.00"), ("sun", "-300.05", "0.00", "-300.05")]  # no total line
    assert rows[0]["tiers"] == "0.00-100000.00 @ 0.03 on 100000.00 = 3000.00; 100000.00+ @ 0.05 on 60000.00 = 3000.00"
    assert (rows[0]["commission.base"], rows[0]["commission.method"], rows[1]["eligible"]) == (
        "collected", "marginal", "false")


def test_detail_csv_is_one_line_per_record(run, root):
    text = run("-C", root, "report", "commission", *OCTOBER, "--detail", "--format", "csv").stdout
    assert text.splitlines() == [
        "period,rep,name,kind,receivable,contract,customer,date,amount",
        "2026-10,zhang,张伟,payment,Z0-R1,Z0,K-1,2026-10-05,120000.00",
        "2026-10,zhang,张伟,payment,Z1-R1,Z1,K-1,2026-10-20,40000.00",
        "2026-10,zhang,张伟,clawback,Z0-R2,Z0,K-1,2026-10-15,20000.00",
        "2026-10,wang,王芳,payment,W1-R1,W1,K-2,2026-10-25,79999.99",
        "2026-10,liu,刘洋,payment,L1-R1,L1,K-3,2026-10-28,36000.00",
        "2026-10,sun,孙磊,payment,S0-R1,S0,K-4,2026-10-10,50000.00",
        "2026-10,sun,孙磊,clawback,S0-R2,S0,K-4,2026-10-31,10001.50",
    ]


def test_detail_json_and_table(run, root):
    doc = json.loads(run("-C", root, "report", "commission", *OCTOBER, "--detail", "--format", "json").stdout)
    assert doc["rows"][0]["payments"][1] == {"receivable": "Z1-R1", "contract": "Z1", "customer": "K-1",
                                             "date": "2026-10-20", "amount": 40000.0, "method": "转账", "ref": "B-77"}
    assert doc["rows"][3]["clawed_back"] == [{"receivable": "S0-R2", "contract": "S0", "customer": "K-4",
                                              "date": "2026-10-31", "reason": "客户注销", "balance": 10001.5}]
    table = run("-C", root, "report", "commission", *OCTOBER, "--detail").stdout.splitlines()
    assert "明细" in table
    assert table[-1].split() == ["sun", "孙磊", "clawback", "S0-R2", "S0", "K-4", "2026-10-31", "10,001.50"]


def test_workbook_for_payroll(run, root, tmp_path):
    target = tmp_path / "out" / "commission-2026-10.xlsx"
    result = run("-C", root, "report", "commission", *OCTOBER, "--detail", "-o", target)
    assert result.exit_code == 0 and result.stdout == "" and f"wrote {target}" in result.stderr
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["commission", "detail"]
    rows = list(book["commission"].iter_rows(values_only=True))
    assert rows[0][:6] == ("period", "commission.base", "commission.method", "rep", "name", "base")
    assert rows[1][3:6] == ("zhang", "张伟", 160000) and rows[1][-1] == 7400
    assert rows[-1][3] == "合计" and rows[-1][-1] == 9539.95  # the total line
    assert book["commission"]["F2"].number_format == "#,##0.00"
    detail = list(book["detail"].iter_rows(values_only=True))
    assert detail[1] == ("2026-10", "zhang", "张伟", "payment", "Z0-R1", "Z0", "K-1", datetime(2026, 10, 5), 120000)
    assert list(target.parent.iterdir()) == [target]  # no temporary file left


def test_another_suffix_gets_the_format_output(run, root, tmp_path):
    target = tmp_path / "commission.csv"
    assert run("-C", root, "report", "commission", *OCTOBER, "--format", "csv", "-o", target).exit_code == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfperiod,commission.base,")  # BOM: Excel reads the Chinese names


def test_a_failed_write_leaves_nothing(run, root, tmp_path, monkeypatch):
    target = tmp_path / "commission.xlsx"

    def refuse(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    result = run("-C", root, "report", "commission", *OCTOBER, "-o", target)
    assert result.exit_code == 2 and "cannot write" in result.stderr and "No space left" in result.stderr
    assert list(tmp_path.iterdir()) == [root]


def test_xlsx_without_openpyxl_says_how_to_install_it(run, root, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    result = run("-C", root, "report", "commission", *OCTOBER, "-o", tmp_path / "c.xlsx")
    assert result.exit_code == 2 and "pip install 'salesctl[xlsx]'" in result.stderr
    assert not (tmp_path / "c.xlsx").exists()


def test_default_period_is_the_month_of_the_as_of_date(run, root):
    doc = json.loads(run("-C", root, "report", "commission", "--as-of", "2026-10-31", "--format", "json").stdout)
    assert (doc["period"], doc["total"]["total"]) == ("2026-10", 9539.95)


def test_a_range_that_is_a_quarter_pays_the_quarter_bonus(run, root):
    doc = json.loads(run("-C", root, "report", "commission", "--from", "2026-10-01", "--to", "2026-12-31",
                         "--as-of", "2026-12-31", "--format", "json").stdout)
    assert doc["period"] == "2026-10-01..2026-12-31" and doc["rows"][0]["bonus"] == 6000


@pytest.mark.parametrize("args, message", [
    (["--period", "2026-13"], "month must be 01-12"),
    (["--from", "2026-10-01"], "--from and --to go together"),
    (["-o", "."], "--output"),
])
def test_usage_errors(run, root, args, message):
    result = run("-C", root, "report", "commission", *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_records_with_errors_are_left_out_with_a_warning(run, root):
    (root / "receivables" / "broken.yaml").write_text("{id: X-1, contract: NOPE, amount: 5, due: 2026-10-01}\n",
                                                      encoding="utf-8")
    result = run("-C", root, "report", "commission", *OCTOBER, "--format", "json")
    assert result.exit_code == 0 and "warning: 1 error in the workspace" in result.stderr
    assert run("-C", root, "report", "commission", *OCTOBER, "--strict").exit_code == 1


def test_help_has_examples(run):
    text = run("report", "commission", "--help").stdout
    assert "Example:" in text and "--detail" in text and ".xlsx" in text
