"""`report … -o FILE`: a formatted workbook for .xlsx (headings in the locale, money as numbers with
two decimals, dates as dates, a frozen header, a total row), the --format output otherwise."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from helpers.workspaces import CONFIG

openpyxl = pytest.importorskip("openpyxl")

FILES = {
    "customers/CUS-1.yaml": "id: CUS-1\nname: 甲公司\nowner: zhang\ncreated: 2026-01-05\n",
    "contracts/CT-1.yaml": """\
        id: CT-1
        customer: CUS-1
        owner: zhang
        title: 销售培训
        status: signed
        created: 2026-03-01
        signed: 2026-03-10
        items: [{name: 课程, quantity: 1, unit_price: 30000}]
        amount: 30000
        approvals:
          - {stage: manager, by: lin, date: 2026-03-02, decision: approved}
          - {stage: legal, by: chen, date: 2026-03-03, decision: approved}
          - {stage: finance, by: zhao, date: 2026-03-04, decision: approved}
        """,
    "receivables/RCV-1.yaml": """\
        id: RCV-1
        contract: CT-1
        amount: 10000
        due: 2026-10-31
        payments:
          - {date: 2026-11-01, amount: 2500.25}
        """,
    "receivables/RCV-2.yaml": "id: RCV-2\ncontract: CT-1\namount: 20000\ndue: 2026-09-01\n",
}


def values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_overdue_ledger_as_a_workbook(workspace, run, tmp_path):
    root = workspace(FILES)
    target = tmp_path / "台账.xlsx"
    result = run("-C", root, "--as-of", "2026-11-30", "report", "overdue", "-o", target)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", f"wrote {target}\n")
    sheet = openpyxl.load_workbook(target)["逾期应收台账"]
    rows = values(sheet)
    assert rows[0][:12] == ["应收款", "合同", "客户", "客户名称", "负责人", "到期日", "金额", "已收", "余额", "逾期天数",
                            "账龄", "最近催收"]  # no receivable has a collection action
    # RCV-2: due 2026-09-01, 90 days overdue; RCV-1: 10,000 - 2,500.25 = 7,499.75, 30 days
    assert rows[1][:11] == ["RCV-2", "CT-1", "CUS-1", "甲公司", "zhang", dt.datetime(2026, 9, 1), 20000, 0, 20000, 90,
                            "61-90"]
    assert rows[2][:11] == ["RCV-1", "CT-1", "CUS-1", "甲公司", "zhang", dt.datetime(2026, 10, 31), 10000, 2500.25,
                            7499.75, 30, "1-30"]
    heading = dict(zip(rows[0], rows[3]))  # the total row: 7,499.75 + 20,000 = 27,499.75 in two receivables
    assert (heading["应收款"], heading["余额"], heading["笔数"], heading["1-30"], heading["61-90"], heading["91+"]) == (
        "合计", 27499.75, 2, 7499.75, 20000, 0)
    assert sheet.freeze_panes == "A2"
    assert sheet["I2"].number_format == "#,##0.00" and sheet["F2"].is_date
    assert sheet["A1"].font.b and not sheet["A2"].font.b


def test_kpis_in_english_with_ratios_as_percentages(workspace, run, tmp_path):
    root = workspace(FILES, CONFIG + "locale: en_US\ntargets: {2026: {zhang: {Q1: 60000}}}\n")
    target = tmp_path / "kpi.xlsx"
    assert run("-C", root, "--as-of", "2026-11-30", "report", "kpi", "--period", "2026-Q1", "-o", target).exit_code == 0
    sheet = openpyxl.load_workbook(target)["Sales KPIs 2026-Q1"]
    rows = values(sheet)
    assert rows[0][:6] == ["Rep", "Name", "Signed", "Contracts", "Target", "Attainment"]
    assert rows[1][:6] == ["zhang", "张伟", 30000, 1, 60000, 0.5]  # 30,000 / 60,000
    assert sheet["F2"].number_format == "0.0%" and sheet["C2"].number_format == "#,##0.00"
    assert rows[-1][0] == "Total"


def test_any_other_suffix_gets_the_format_output(workspace, run, tmp_path):
    root = workspace(FILES)
    shown = run("-C", root, "--as-of", "2026-11-30", "report", "overdue", "--format", "csv").stdout
    target = tmp_path / "ledger.txt"
    result = run("-C", root, "--as-of", "2026-11-30", "report", "overdue", "--format", "csv", "--output", target)
    assert (result.exit_code, result.stdout) == (0, "")
    assert target.read_text(encoding="utf-8") == shown
    result = run("-C", root, "--as-of", "2026-11-30", "report", "review", "-o", tmp_path / "review.json", "--format", "json")
    assert (tmp_path / "review.json").read_text(encoding="utf-8") == '{\n  "period": null,\n  "rows": []\n}\n'


def test_a_file_that_cannot_be_written_is_a_usage_error(workspace, run, tmp_path, monkeypatch):
    root = workspace(FILES)
    (tmp_path / "out.xlsx").mkdir()
    result = run("-C", root, "report", "overdue", "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 2 and "is a directory" in result.stderr
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # the xlsx extra not installed
    result = run("-C", root, "report", "kpi", "-o", tmp_path / "kpi.xlsx")
    assert result.exit_code == 2 and "pip install 'salesctl[xlsx]'" in result.stderr
    assert not (tmp_path / "kpi.xlsx").exists()


def test_a_report_added_later_takes_the_same_option(workspace, run, tmp_path):
    """report activity: rows of rep and day, the total row last, as every report document."""
    root = workspace({**FILES, "visits/v.yaml": "- {id: V-1, customer: CUS-1, rep: zhang, date: 2026-11-02, "
                                                "channel: phone}\n"})
    target = tmp_path / "activity.xlsx"
    result = run("-C", root, "--as-of", "2026-11-30", "report", "activity", "--period", "2026-11", "--by", "month",
                 "--rep", "zhang", "-o", target)
    assert result.exit_code == 0, result.stderr
    rows = values(openpyxl.load_workbook(target)["销售活动量 2026-11"])
    # November 2026 has 21 working days (Mondays to Fridays, no holiday set); one phone visit
    assert [row[:5] for row in rows] == [["销售", "名称", "月份", "工作日", "电话"], ["zhang", "张伟", "2026-11", 21, 1],
                                         ["合计", None, None, 21, 1]]
