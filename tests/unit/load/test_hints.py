"""The YAML mistakes people make by hand point at their cause: a full-width colon, a tab, a
thousands separator inside {…} (through `parse_bytes`, as every load reads a file)."""

from __future__ import annotations

from salesctl.load.parse import parse_bytes


def problems(text: str) -> list:
    return parse_bytes(text.encode("utf-8")).problems


def test_a_full_width_colon_is_reported_on_its_own_line():
    # the parser itself complains on line 3 ("could not find expected ':'")
    assert problems("id: CUS-1\nname：华东机械\nowner: zhang\n") == [
        ("yaml-syntax", 2, 5, "a full-width colon '：' after 'name': YAML needs an ASCII ':' and a space (name: 华东机械)")]


def test_a_full_width_colon_inside_a_value_is_no_mistake():
    assert problems("id: CUS-1\nname: 华东机械：总部\n") == []


def test_a_tab_says_yaml_indents_with_spaces():
    assert problems("id: CUS-1\nname: 甲\n\towner: zhang\n") == [
        ("yaml-syntax", 3, 1, "found a tab character that violates indentation: YAML indents with spaces, not tabs")]


def test_a_thousands_separator_inside_a_flow_mapping():
    text = "id: CT-1\nitems:\n  - {name: 课程, quantity: 1, unit_price: 16,000}\n  - {name: 教材, quantity: 2, unit_price: 1,250.50}\n"
    # column 41: "  - {name: 课程, quantity: 1, unit_price: " is 40 characters
    assert [p for p in problems(text) if p[0] == "yaml-syntax"] == [
        ("yaml-syntax", 3, 41, "unit_price: 16,000 inside {…} reads as 16 (a comma ends a value there); write 16000 "
                               "without thousands separators"),
        ("yaml-syntax", 4, 41, "unit_price: 1,250.50 inside {…} reads as 1 (a comma ends a value there); write 1250.50 "
                               "without thousands separators")]


def test_separators_in_block_style_or_quoted_are_left_to_the_field_checks():
    assert problems("id: CT-1\namount: 16,000\nitems:\n  - {name: '1,000 人', quantity: 1, unit_price: 16000}\n") == []
