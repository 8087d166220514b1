"""Which field each column gives: field names, dotted paths, export column names, the headings
salesctl prints in both locales, the entries of contacts and items, --map; what is skipped."""

from __future__ import annotations

import pytest

from salesctl.write.importing.columns import ColumnError, header_row, match_columns, parse_mapping, resolve_path
from salesctl.write.importing.sheets import Row


def fields(collection, headings, mapping=()):
    columns, problems = match_columns(collection, headings, parse_mapping(collection, mapping), sheet="s.csv", row=1)
    return [c.field for c in columns], [p.format() for p in problems]


def test_field_names_in_any_case():
    assert fields("customers", ["id", "Name", " OWNER ", "follow_up_days"]) == (
        ["id", "name", "owner", "follow_up_days"], [])


def test_headings_salesctl_prints_in_either_locale():
    # 名称/客户名称 and 负责人 (zh_CN), Key account (en_US); required-column marks and full-width brackets
    assert fields("customers", ["*客户名称", "负责人", "等级", "Key account", "跟进周期（天）", "创建日期"]) == (
        ["name", "owner", "tier", "key", "follow_up_days", "created"], [])
    assert fields("visits", ["客户名称", "销售", "日期", "方式", "有效", "满意度"]) == (
        ["customer", "rep", "date", "channel", "effective", "satisfaction"], [])
    assert fields("payments", ["应收款", "日期", "金额", "付款方式"]) == (["receivable", "date", "amount", "method"], [])


def test_one_contact_or_one_item_per_row():
    assert fields("customers", ["name", "联系人", "电话", "邮箱", "email"])[0] == [
        "name", "contacts.0.name", "contacts.0.phone", "contacts.0.email", "contacts.0.email"]
    assert fields("contracts", ["服务项目", "数量", "单位", "单价"])[0] == [
        "items.0.name", "items.0.quantity", "items.0.unit", "items.0.unit_price"]


def test_dotted_paths_and_the_column_names_of_exports():
    assert fields("customers", ["contacts.1.phone", "contacts.title"])[0] == ["contacts.1.phone", "contacts.0.title"]
    assert fields("visits", ["next.date", "next_action"])[0] == ["next.date", "next.action"]
    assert fields("receivables", ["written_off_reason", "written_off.by"])[0] == [
        "written_off.reason", "written_off.by"]


def test_computed_columns_of_exports_are_skipped_without_a_warning():
    assert fields("receivables", ["id", "customer", "paid", "balance", "status", "next_step_action", "逾期天数"]) == (
        ["id", None, None, None, None, None, None], [])
    assert fields("payments", ["receivable", "idx", "date", "amount"]) == (["receivable", None, "date", "amount"], [])
    assert fields("customers", ["name", "导入问题"]) == (["name", None], [])  # the problems column of rows set aside


def test_an_unmatched_column_is_a_warning_naming_it():
    assert fields("customers", ["客户名称", "客户级别", "nmae"])[1] == [
        "s.csv:1:2: warning[unknown-field]: column '客户级别' matches no field of customers; ignored (give it one "
        "with --map '客户级别=FIELD')",
        "s.csv:1:3: warning[unknown-field]: column 'nmae' matches no field of customers (did you mean 'name'?); "
        "ignored (give it one with --map 'nmae=FIELD')"]


def test_map_gives_a_column_a_field_or_skips_it():
    assert fields("customers", ["客户名称", "客户级别", "手机", "旧编号"],
                  ["客户级别=tier", "手机=contacts.0.phone", "旧编号="]) == (
        ["name", "tier", "contacts.0.phone", None], [])


def test_two_columns_giving_one_field_are_an_error():
    assert fields("customers", ["name", "客户名称"])[1] == [
        "s.csv:1:2: error[duplicate-key]: columns 1 ('name') and 2 ('客户名称') both give name"]


def test_an_unnamed_column_holding_values_is_a_warning():
    columns, problems = match_columns("customers", ["name", None, ""], {}, sheet="s.csv", row=1, filled={1, 2})
    assert [p.format() for p in problems] == [
        "s.csv:1:2: warning[unknown-field]: column 2 has no heading; its values are ignored"]


@pytest.mark.parametrize("item, message", [
    ("客户级别=teir", "--map '客户级别=teir': 'teir': no field 'teir'; did you mean 'tier'?"),
    ("客户级别", "--map '客户级别': expected COLUMN=FIELD (e.g. --map 客户级别=tier)"),
    ("下一步=next", "--map '下一步=next': 'next' is a group of fields; name one of them (next.date, next.action)"),
    ("x=contacts.0.mobile", "--map 'x=contacts.0.mobile': 'contacts.0.mobile': no field 'mobile' in contacts.0; "
                            "fields: name, title, phone, email, primary"),
])
def test_a_bad_map_is_a_usage_error(item, message):
    with pytest.raises(ColumnError) as raised:
        parse_mapping("visits" if "next" in item else "customers", [item])
    assert str(raised.value) == message


def test_a_mapped_column_that_is_not_there_is_a_usage_error():
    with pytest.raises(ColumnError, match=r"--map: no column '客户级别' in s.csv \(columns: 'name'\)"):
        fields("customers", ["name"], ["客户级别=tier"])


def test_contacts_alone_is_the_contacts_name():
    assert resolve_path("customers", "contacts").path == ("contacts", 0, "name")


def test_the_heading_row_comes_after_a_title():
    rows = [Row(1, ("客户导入模板（请勿修改表头）",)), Row(2, ()), Row(3, ("客户名称", "负责人")), Row(4, ("甲", "张伟"))]
    assert header_row(rows, "customers", {}) == 2
    assert header_row([Row(1, ("甲公司", "乙")), Row(2, ("x", "y"))], "customers", {}) == 0  # nothing known: the first
    assert header_row([Row(1, ()), Row(2, (None, ""))], "customers", {}) is None
