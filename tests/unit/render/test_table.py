"""salesctl's own tables are tabulate's, to the character: the `simple` layout of every table and
the `plain` one of `show`, for the cells salesctl lays out itself (lines of ASCII and CJK text, one
or several) and for any other, which go to tabulate."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate

from salesctl.render import table

# ASCII, the ends of each wide range, characters of the narrow ranges (Latin-1, dashes, quotes,
# symbols), and characters outside them all: Cyrillic, a combining mark, a zero-width space, a
# half-width katakana, an emoji, a tab, a carriage return, a line break, a colour code.
CHARACTERS = st.sampled_from(list("aZ09 -.:,()#%") + list("\u3000\u3029\u3030\u303e\u3041\u3096\u309b\u30ff"
                                                           "\u3400\u4dbf\u4e00\u9fff\uac00\ud7a3\uff01\uff60\uffe0\uffe6"
                                                           "王芳华东机械有限公司，（）。")
                             + list("\u00a0é·×–—“”…℃№→①─")
                             + ["я", "\u0301", "\u200b", "\uff71", "😀", "\t", "\r", "\n", "\x1b[31m"])
TEXT = st.lists(CHARACTERS, max_size=8).map("".join)
KNOWN = st.text(alphabet=st.sampled_from(list("aZ09 -.:\n") + list("王芳华东机械，（）。\u3000") + list("\u00a0é·–…℃")),
                max_size=8)


@st.composite
def tables(draw, text=TEXT):
    columns = draw(st.integers(1, 5))
    headers = draw(st.lists(text, min_size=columns, max_size=columns))
    body = draw(st.lists(st.lists(text, min_size=columns, max_size=columns), max_size=6))
    align = draw(st.lists(st.sampled_from(["left", "right"]), min_size=columns, max_size=columns))
    return headers, body, align


@settings(max_examples=1000)
@given(tables())
def test_a_table_is_tabulates_simple_table(drawn):
    headers, body, align = drawn
    assert table.simple(body, headers, align) == tabulate(body, headers=headers, tablefmt="simple", colalign=align,
                                                          disable_numparse=True)


@settings(max_examples=1000)
@given(tables())
def test_label_and_value_lines_are_tabulates_plain_table(drawn):
    _, body, _ = drawn
    assert table.plain(body) == tabulate(body, tablefmt="plain", disable_numparse=True)


@settings(max_examples=200)
@given(tables(KNOWN))
def test_tables_of_ascii_and_cjk_text_do_not_need_tabulate(drawn):
    headers, body, align = drawn
    expected = tabulate(body, headers=headers, tablefmt="simple", colalign=align, disable_numparse=True)
    with mock.patch.object(table, "_tabulate", side_effect=AssertionError("tabulate was called")):
        assert table.simple(body, headers, align) == expected


@pytest.mark.parametrize("ranges, columns", [(table._WIDE, 2), (table._NARROW, 1)])
def test_every_character_laid_out_without_tabulate_is_as_wide_as_wcwidth_says(ranges, columns):
    """wcwidth is what tabulate measures a cell with."""
    wcwidth = pytest.importorskip("wcwidth")
    pairs = [(ord(first), ord(last)) for first, last in re.findall(r"(.)-(.)", ranges, re.S)]
    assert pairs and "".join(f"{chr(a)}-{chr(b)}" for a, b in pairs) == ranges  # the ranges as written
    for first, last in pairs:
        for code in range(first, last + 1):
            assert wcwidth.wcwidth(chr(code)) == columns == table.width(chr(code)), hex(code)


def test_a_cell_that_is_not_text_goes_to_tabulate():
    body = [["rank", 3], ["total", "92.5"]]
    assert table.plain(body) == tabulate(body, tablefmt="plain", disable_numparse=True) == "rank   3\ntotal  92.5"


def test_cells_of_several_lines_make_rows_of_several_lines():
    """As `report commission --detail` prints each tier on a line; tabulate drops a row whose
    cells are all empty once any cell has several lines, and so does salesctl."""
    body = [["zhang", "0-200: 4,000\n200-500: 4,606", "8,606"], ["", "", ""]]
    with mock.patch.object(table, "_tabulate", side_effect=AssertionError("tabulate was called")):
        text = table.simple(body, ["销售", "分段提成", "提成"], ["left", "left", "right"])
    assert text.split("\n") == ["销售    分段提成          提成",
                                "------  --------------  ------",
                                "zhang   0-200: 4,000     8,606",
                                "        200-500: 4,606"]
