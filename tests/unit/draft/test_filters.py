"""The template filters: amounts in capitals (cny_upper), money, dates and words in Chinese and English
(the drafts that use them: tests/unit/draft/test_render.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from salesctl.draft.filters import cny_upper, date_cn, date_en, money, num, share, words_en


# ---------------------------------------------------------------------------
# cny_upper: hand-checked amounts.  Forms marked PBoC are the examples of the
# People's Bank of China rules for filling in bills (正确填写票据和结算凭证的
# 基本规定); where those rules allow two forms we write the documented one.
# ---------------------------------------------------------------------------

CNY_UPPER_CASES = [
    (0, "零元整"),
    ("0.00", "零元整"),
    ("0.01", "壹分"),
    ("0.05", "伍分"),
    ("0.1", "壹角"),
    ("0.5", "伍角"),
    ("0.55", "伍角伍分"),
    (1, "壹元整"),
    ("1.05", "壹元零伍分"),
    ("1.5", "壹元伍角"),
    ("2.36", "贰元叁角陆分"),
    (10, "壹拾元整"),
    ("10.50", "壹拾元伍角"),
    (15, "壹拾伍元整"),
    ("20.08", "贰拾元零捌分"),
    (100, "壹佰元整"),
    (101, "壹佰零壹元整"),
    (110, "壹佰壹拾元整"),
    ("325.04", "叁佰贰拾伍元零肆分"),  # PBoC
    (1000, "壹仟元整"),
    (1001, "壹仟零壹元整"),
    (1010, "壹仟零壹拾元整"),
    ("1010.05", "壹仟零壹拾元零伍分"),
    (1100, "壹仟壹佰元整"),
    ("1409.50", "壹仟肆佰零玖元伍角"),  # PBoC: no 整 after 角
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),  # PBoC allows 元零叁角 too
    ("6007.14", "陆仟零柒元壹角肆分"),  # PBoC
    (10000, "壹万元整"),
    (10001, "壹万零壹元整"),
    (10010, "壹万零壹拾元整"),
    (10100, "壹万零壹佰元整"),
    (11000, "壹万壹仟元整"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),  # PBoC
    ("30000.00", "叁万元整"),
    (100001, "壹拾万零壹元整"),
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    (120000, "壹拾贰万元整"),
    (405000, "肆拾万伍仟元整"),
    (1000000, "壹佰万元整"),
    (1000010, "壹佰万零壹拾元整"),
    (2000100, "贰佰万零壹佰元整"),
    ("5000000.60", "伍佰万元陆角"),
    ("10000000.01", "壹仟万元零壹分"),
    ("12345678.90", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角"),
    (100000000, "壹亿元整"),
    (100000001, "壹亿零壹元整"),
    (100010000, "壹亿零壹万元整"),
    (100100000, "壹亿零壹拾万元整"),
    (110000000, "壹亿壹仟万元整"),
    (1000000000, "壹拾亿元整"),
    (1000000000000, "壹万亿元整"),
    ("1234567890123.45", "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分"),
    ("9999999999999.99", "玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize("amount,expected", CNY_UPPER_CASES, ids=[str(a) for a, _ in CNY_UPPER_CASES])
def test_cny_upper_table(amount, expected):
    assert cny_upper(amount) == expected
    assert cny_upper(D(str(amount))) == expected
    if isinstance(amount, int):
        assert cny_upper(str(amount)) == expected


def test_cny_upper_table_is_large_enough():
    assert len(CNY_UPPER_CASES) >= 30


@pytest.mark.parametrize("value,fragment", [
    (-1, "negative"),
    (D("-0.01"), "negative"),
    (D("10000000000000"), "above"),
    (D("9999999999999.991"), "above"),
    (D("1.234"), "more than 2 decimals"),
    ("0.001", "more than 2 decimals"),
    ("abc", "not an amount"),
    (True, "not an amount"),
    (None, "not an amount"),
    (D("NaN"), "not an amount"),
    ("Infinity", "not an amount"),
    ([1], "not an amount"),
])
def test_cny_upper_refuses(value, fragment):
    with pytest.raises(ValueError, match=fragment):
        cny_upper(value)


def test_cny_upper_accepts_trailing_zero_decimals():
    assert cny_upper(D("1.230")) == "壹元贰角叁分"
    assert cny_upper(" 1,200.00 ") == "壹仟贰佰元整"


@pytest.mark.parametrize("value,expected", [
    (D("1234567.8"), "1,234,567.80"),
    (0, "0.00"),
    (5, "5.00"),
    ("1234.5", "1,234.50"),
    (D("0.005"), "0.01"),  # half up, not banker's rounding
    (D("2.675"), "2.68"),
    (2.675, "2.68"),  # a float goes through its repr, not its binary value
    (D("-1234.5"), "-1,234.50"),
    (D("-0.001"), "0.00"),
    (D("9999999999999.99"), "9,999,999,999,999.99"),
    (D("1E+3"), "1,000.00"),
])
def test_money(value, expected):
    assert money(value) == expected


def test_money_refuses_non_amounts():
    with pytest.raises(ValueError):
        money("twelve")


def test_dates_and_words():
    assert date_cn(dt.date(2026, 3, 20)) == "2026年3月20日"
    assert date_cn(dt.datetime(2026, 12, 1, 9, 30)) == "2026年12月1日"
    assert date_cn("2026-03-20") == "2026年3月20日"
    assert date_en(dt.date(2026, 3, 20)) == "March 20, 2026"
    with pytest.raises(ValueError):
        date_cn("20.3.2026")
    assert words_en(120000) == "One Hundred Twenty Thousand Only"
    assert words_en(D("1010.05")) == "One Thousand Ten and 05/100"
    assert words_en(0) == "Zero Only"
    assert words_en(D("21.5")) == "Twenty-One and 50/100"
    assert num(D("2.50")) == "2.5" and num(D("100")) == "100" and num(3) == "3"
    assert share(D(36000), D(120000)) == "30%" and share(1, 3) == "33.33%" and share(1, 0) == ""
