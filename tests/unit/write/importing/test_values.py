"""Every value format a sheet may use: dates, amounts, numbers, booleans, enums, lists, team members
and customers by what a sheet holds."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from helpers.importing import FILES
from helpers.workspaces import CONFIG, write_workspace
from salesctl.model.records import SCHEMAS, Field
from salesctl.load.pipeline import load
from salesctl.write.importing.values import Lookup, convert, text_of, to_amount, to_bool, to_date, to_enum, to_int


@pytest.mark.parametrize("cell", ["2026-03-05", "2026-3-5", "2026/3/5", "2026/03/05", "2026.3.5", "2026年3月5日",
                                  "2026年03月05日", " 2026-03-05 ", "2026-03-05 10:23:45", "2026/3/5 9:05",
                                  "2026-03-05T10:23", datetime(2026, 3, 5), datetime(2026, 3, 5, 17, 30), date(2026, 3, 5)])
def test_dates_in_every_format(cell):
    assert to_date(cell) == (date(2026, 3, 5), None, None)


@pytest.mark.parametrize("cell, message", [
    ("2026/13/40", "'2026/13/40' is not a real date"),
    ("2026-02-29", "'2026-02-29' is not a real date"),  # 2026 is no leap year
    ("3/5/2026", "'3/5/2026' is not a date (YYYY-MM-DD, YYYY/M/D, YYYY.M.D or YYYY年M月D日)"),
    ("2026-03/05", "'2026-03/05' is not a date (YYYY-MM-DD, YYYY/M/D, YYYY.M.D or YYYY年M月D日)"),
    ("1899-12-31", "1899-12-31 is out of range (1900-01-01 to 2999-12-31)"),
    (46086, "46086 is a number, not a date: format the cell as a date, or write YYYY-MM-DD"),
    (time(9, 30), "09:30:00 is a number, not a date: format the cell as a date, or write YYYY-MM-DD"),
])
def test_what_is_not_a_date(cell, message):
    assert to_date(cell) == (None, "bad-date", message)


@pytest.mark.parametrize("cell, amount", [
    ("12000", Decimal("12000")), ("12000.5", Decimal("12000.50")), ("12,000.50", Decimal("12000.50")),
    ("1,234,567.80", Decimal("1234567.80")), ("¥12,000", Decimal("12000")), ("￥ 800.00", Decimal("800")),
    ("12，000", Decimal("12000")), (30000, Decimal("30000")), (1234.5, Decimal("1234.50")), (0.1, Decimal("0.10")),
    ("0", Decimal("0")),
])
def test_amounts_with_separators_and_yuan_signs_stay_exact(cell, amount):
    value, code, _ = to_amount(cell)
    assert code is None and value == amount and isinstance(value, Decimal)


def test_amounts_are_written_as_writers_write_them():
    assert str(to_amount("12,000.00")[0]) == "12000"  # 12000, not 12000.00
    assert str(to_amount(1234.5)[0]) == "1234.50"


@pytest.mark.parametrize("cell, message", [
    ("1,234.567", "amount 1234.567 has more than 2 decimals"),
    (1234.567, "amount 1234.567 has more than 2 decimals"),  # a float cell, through its repr: never rounded
    (0.30000000000000004, "amount 0.30000000000000004 has more than 2 decimals"),  # 0.1 + 0.2 computed in Excel
    ("-500", "amount -500 is negative"),
    ("12,00", "'12,00' is not an amount (12000.50, 12,000.50 or ¥12,000.50)"),
    ("一万", "'一万' is not an amount (12000.50, 12,000.50 or ¥12,000.50)"),
    (True, "true is not an amount (12000.50, 12,000.50 or ¥12,000.50)"),
    ("1e3", "'1e3' is not an amount (12000.50, 12,000.50 or ¥12,000.50)"),
])
def test_what_is_not_an_amount(cell, message):
    assert to_amount(cell) == (None, "bad-amount", message)


@pytest.mark.parametrize("cell", [True, "true", "TRUE", "yes", "Yes", "是", "1", 1, 1.0])
def test_true(cell):
    assert to_bool(cell) == (True, None, None)


@pytest.mark.parametrize("cell", [False, "false", "False", "no", "NO", "否", "0", 0])
def test_false(cell):
    assert to_bool(cell) == (False, None, None)


def test_what_is_not_a_boolean():
    assert to_bool("也许") == (None, "bad-type", "'也许' is not true or false (true/false, yes/no, 是/否, 1/0)")
    assert to_bool(2) == (None, "bad-type", "'2' is not true or false (true/false, yes/no, 是/否, 1/0)")


def test_whole_numbers():
    spec = Field("int", minimum=1, maximum=5)
    assert to_int("4", spec) == (4, None, None)
    assert to_int(4.0, spec) == (4, None, None)
    assert to_int("4.5", spec) == (None, "bad-type", "4.5 is not a whole number")
    assert to_int(6, spec) == (None, "bad-value", "6 is out of range (1–5)")


def test_enums_in_any_case():
    assert to_enum("a", ("A", "B", "C")) == ("A", None, None)
    assert to_enum("ONSITE", ("onsite", "phone")) == ("onsite", None, None)
    assert to_enum("phnoe", ("onsite", "phone")) == (None, "bad-value", "'phnoe' is not one of onsite, phone; did you "
                                                                      "mean 'phone'?")


def test_text_cells_that_are_numbers_read_as_written():
    assert text_of(13917625580) == "13917625580"
    assert text_of(13917625580.0) == "13917625580"  # a number cell Excel stored as a float
    assert text_of(12.5) == "12.5"
    assert text_of(" 139 1762 5580 ") == "139 1762 5580"
    assert text_of(datetime(2026, 3, 5)) == "2026-03-05"


@pytest.fixture(scope="module")
def lookup(tmp_path_factory):
    files = {**FILES, "customers/CUS-0003.yaml": "id: CUS-0003\nname: 重名公司\nowner: wang\ncreated: 2026-01-01\n",
             "customers/CUS-0004.yaml": "id: CUS-0004\nname: 重名公司\nowner: wang\ncreated: 2026-01-02\n"}
    config = CONFIG + "  - {id: zhang2, name: 张伟, role: rep, email: zhang.wei@example.com}\n"
    return Lookup(load(write_workspace(tmp_path_factory.mktemp("ws"), files, config)))


@pytest.mark.parametrize("cell", ["wang", "王芳", "wang@example.com", "WANG@Example.com"])
def test_team_members_by_id_name_or_email(lookup, cell):
    assert convert(SCHEMAS["customers"]["owner"], cell, lookup, None) == ("wang", None, None)


def test_team_members_that_are_not_one(lookup):
    owner = SCHEMAS["customers"]["owner"]
    assert convert(owner, "张伟", lookup, None) == (None, "bad-value", "2 team members are named '张伟' (zhang, zhang2); "
                                                                      "give the id")
    assert convert(owner, "zhang", lookup, None) == ("zhang", None, None)  # the id decides
    assert convert(owner, "李四", lookup, None) == (None, "unknown-ref", "no team member '李四' (an id, name or e-mail of "
                                                                         "the team in salesctl.yaml)")


def test_customers_by_id_or_exact_name(lookup):
    customer = SCHEMAS["visits"]["customer"]
    assert convert(customer, "CUS-0002", lookup, None) == ("CUS-0002", None, None)
    assert convert(customer, "苏州恒瑞医药科技有限公司", lookup, None) == ("CUS-0002", None, None)
    assert convert(customer, "苏州恒瑞医药", lookup, None) == (None, "unknown-ref", "no customer '苏州恒瑞医药' (an id or "
                                                                                  "the exact name of a customer)")
    assert convert(customer, "重名公司", lookup, None) == (None, "bad-value", "2 customers are named '重名公司' "
                                                                            "(CUS-0003, CUS-0004); give the id")


def test_contracts_and_receivables_by_id(lookup):
    assert convert(SCHEMAS["receivables"]["contract"], "CT-2026-001", lookup, None) == ("CT-2026-001", None, None)
    assert convert(SCHEMAS["receivables"]["contract"], "CT-2026-999", lookup, None) == (
        None, "unknown-ref", "no contract 'CT-2026-999'")


def test_tags_split_on_semicolons_and_commas(lookup):
    tags = SCHEMAS["customers"]["tags"]
    assert convert(tags, "制造业; 领导力；年度框架,老客户，重点", lookup, None) == (
        ["制造业", "领导力", "年度框架", "老客户", "重点"], None, None)
