"""Edits at a dotted path (write/nested.py) that change only what they name: a scalar in place,
quotes kept; a field added where the record format puts it; a field removed with its lines, or with
its text inside `{…}`. The writer that uses them, `set`: tests/unit/write/test_setfield.py."""

from __future__ import annotations

from datetime import date

import pytest

from helpers.edits import CUSTOMER, VISITS
from salesctl.errors import EditError
from salesctl.write.edit import YamlFile
from salesctl.write.nested import remove_at, set_at

VISIT_ORDER = ["id", "customer", "rep", "date", "channel", "kind", "effective", "summary", "feedback",
               "satisfaction", "next"]


def edited(text: str, edit) -> str:
    doc = YamlFile(text, name="f.yaml")
    edit(doc)
    return doc.text


@pytest.mark.parametrize("path, value, old, new", [
    (("next", "date"), date(2026, 11, 21), "    date: 2026-11-20\n", "    date: 2026-11-21\n"),
    (("summary",), "介绍内训课程", "  summary: 介绍课程   # 初次拜访\n", "  summary: 介绍内训课程   # 初次拜访\n"),
    (("satisfaction",), 4, "  summary: 介绍课程   # 初次拜访\n",
     "  summary: 介绍课程   # 初次拜访\n  satisfaction: 4\n"),  # after summary, before next: the record format's order
])
def test_a_value_is_replaced_in_place_or_added_in_order(path, value, old, new):
    assert edited(VISITS, lambda doc: set_at(doc, "V-1", path, value, VISIT_ORDER)) == VISITS.replace(old, new, 1)


def test_inside_braces_a_value_is_replaced_and_a_field_removed_with_its_comma():
    result = edited(VISITS, lambda doc: set_at(doc, "V-2", ("next", "action"), "上门", VISIT_ORDER))
    assert result == VISITS.replace("action: 回访}", "action: 上门}")
    result = edited(VISITS, lambda doc: remove_at(doc, "V-2", ("next", "action")))
    assert result == VISITS.replace("{date: 2026-11-26, action: 回访}", "{date: 2026-11-26}")
    result = edited(VISITS, lambda doc: remove_at(doc, "V-2", ("next", "date")))
    assert result == VISITS.replace("{date: 2026-11-26, action: 回访}", "{action: 回访}")


def test_a_field_is_removed_with_all_its_lines():
    result = edited(VISITS, lambda doc: remove_at(doc, "V-1", ("next",)))
    assert result == VISITS.replace("  next:\n    date: 2026-11-20\n    action: 报价\n", "")
    result = edited(CUSTOMER, lambda doc: remove_at(doc, "CUS-1", ("notes",)))
    assert result == CUSTOMER.replace("notes: |\n  第一行\n  第二行\n", "")


def test_quotes_stay_and_list_entries_are_reached_by_number():
    result = edited(CUSTOMER, lambda doc: set_at(doc, "CUS-1", ("contacts", 0, "phone"), "0571-8888 6666", []))
    assert result == CUSTOMER.replace('"0571-8888 1234"', '"0571-8888 6666"')
    result = edited(CUSTOMER, lambda doc: set_at(doc, "CUS-1", ("contacts", 1, "title"), "总工程师", []))
    assert result == CUSTOMER.replace("title: 工程师}", "title: 总工程师}")
    result = edited(CUSTOMER, lambda doc: set_at(doc, "CUS-1", ("tags", 1), "机械", []))
    assert result == CUSTOMER.replace("[老客户, 制造业]", "[老客户, 机械]")


def test_a_list_or_a_block_text_given_a_new_value_is_rewritten_where_it_stood():
    result = edited(CUSTOMER, lambda doc: set_at(doc, "CUS-1", ("tags",), ["重点"], []))
    assert result == CUSTOMER.replace("[老客户, 制造业]", "[重点]")
    result = edited(CUSTOMER, lambda doc: set_at(doc, "CUS-1", ("notes",), "一行", []))
    assert result == CUSTOMER.replace("notes: |\n  第一行\n  第二行\n", "notes: 一行\n")


def test_a_missing_mapping_is_added_with_the_field():
    result = edited(VISITS.replace("  next: {date: 2026-11-26, action: 回访}\n", ""),
                    lambda doc: set_at(doc, "V-2", ("next", "date"), date(2026, 12, 1), VISIT_ORDER))
    assert result == VISITS.replace("  next: {date: 2026-11-26, action: 回访}\n", "  next:\n    date: 2026-12-01\n")


def test_line_ends_and_a_missing_final_newline_are_kept():
    crlf = CUSTOMER.replace("\n", "\r\n")
    assert edited(crlf, lambda doc: remove_at(doc, "CUS-1", ("tags",))) == crlf.replace("tags: [老客户, 制造业]\r\n", "")
    bare = "id: CUS-1\nname: 甲公司\nowner: zhang\ncreated: 2026-01-05\nnotes: 备注"
    assert edited(bare, lambda doc: remove_at(doc, "CUS-1", ("notes",))) == "id: CUS-1\nname: 甲公司\nowner: zhang\ncreated: 2026-01-05"
    assert edited(bare, lambda doc: set_at(doc, "CUS-1", ("notes",), ["a"], [])) == bare.replace("notes: 备注", "notes:\n  - a")


def test_what_cannot_be_edited_in_place_is_refused():
    with pytest.raises(EditError, match="name is the first field of a list entry"):
        edited(CUSTOMER, lambda doc: remove_at(doc, "CUS-1", ("contacts", 0, "name")))
    with pytest.raises(EditError, match="^CUS-1 has no industry$"):
        edited(CUSTOMER, lambda doc: remove_at(doc, "CUS-1", ("industry",)))
    with pytest.raises(EditError, match="^CUS-1: contacts.5.name is not in f.yaml$"):
        edited(CUSTOMER, lambda doc: set_at(doc, "CUS-1", ("contacts", 5, "name"), "x", []))
