"""A report document as one sheet: columns spread from nested mappings, headings in the locale, the
total row (the document's own, or one that counts the rows)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from salesctl.render.output import Ratio
from salesctl.render.sheets import report_sheet

LEDGER = {
    "as_of": date(2026, 11, 30),
    "rows": [
        {"receivable": "RCV-2", "balance": Decimal("20000"), "last_action": None,
         "next_step": {"action": "onsite", "date": date(2026, 10, 1)}},
        {"receivable": "RCV-1", "balance": Decimal("7499.75"),
         "last_action": {"date": date(2026, 11, 2), "channel": "phone"}, "next_step": None},
    ],
    "totals": {"balance": Decimal("27499.75"), "count": 2, "buckets": {"1-30": Decimal("7499.75"), "91+": Decimal("0")}},
}


def test_nested_mappings_are_spread_and_the_totals_fill_their_columns():
    sheet = report_sheet(LEDGER, "zh_CN", "逾期应收台账")
    assert sheet.columns == ["receivable", "balance", "last_action.date", "last_action.channel", "next_step.action",
                             "next_step.date", "count", "buckets.1-30", "buckets.91+"]
    assert sheet.headings == ["应收款", "余额", "最近催收.日期", "最近催收.方式", "下一步催收.动作", "下一步催收.日期",
                              "笔数", "1-30", "91+"]
    assert sheet.rows == [
        ["RCV-2", Decimal("20000"), None, None, "onsite", date(2026, 10, 1), None, None, None],
        ["RCV-1", Decimal("7499.75"), date(2026, 11, 2), "phone", None, None, None, None, None]]
    assert sheet.total == ["合计", Decimal("27499.75"), None, None, None, None, 2, Decimal("7499.75"), Decimal("0")]


def test_the_total_label_takes_the_first_column_or_one_of_its_own():
    kpi = {"rows": [{"rep": "zhang", "name": "张伟", "attainment": Ratio(0.5)}], "total": {"attainment": Ratio(0.5)}}
    sheet = report_sheet(kpi, "en_US", "Sales KPIs")
    assert (sheet.headings, sheet.total) == (["Rep", "Name", "Attainment"], ["Total", None, Ratio(0.5)])
    empty = report_sheet({"rows": [], "totals": {"count": 0, "balance": Decimal(0)}}, "zh_CN", "逾期应收台账")
    assert (empty.columns, empty.headings, empty.total) == (["", "count", "balance"], ["", "笔数", "余额"],
                                                            ["合计", 0, Decimal(0)])


def test_a_document_without_a_total_gets_one_that_counts_its_rows():
    reviews = {"period": None, "rows": [{"review": "R-1", "scores": {"teamwork": 80.0}, "total": 80.0},
                                        {"review": "R-2", "scores": {"teamwork": 70.0}, "total": 70.0}]}
    sheet = report_sheet(reviews, "zh_CN", "绩效考核")
    assert sheet.headings == ["考核", "teamwork", "总分", "笔数"]
    assert sheet.total == ["合计", None, None, 2]
