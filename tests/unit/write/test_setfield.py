"""`set` as a library call: edits at a dotted path that change only what they name (a scalar in
place, quotes kept; a field added where the record format puts it; a field removed with its lines,
or with its text inside `{…}`), values typed by the record format, and paths checked first."""

from __future__ import annotations

from datetime import date

import pytest

from salesctl.errors import BadInput, EditError, Refused
from salesctl.load.pipeline import load
from salesctl.write.edit import YamlFile
from salesctl.write.nested import remove_at, set_at
from salesctl.write.setfield import set_fields

VISITS = """\
# 11月拜访

- id: V-1
  customer: CUS-1
  rep: zhang
  date: 2026-11-03
  channel: onsite
  summary: 介绍课程   # 初次拜访
  next:
    date: 2026-11-20
    action: 报价

- id: V-2
  customer: CUS-1
  rep: zhang
  date: 2026-11-12
  channel: phone
  next: {date: 2026-11-26, action: 回访}
"""
CUSTOMER = """\
id: CUS-1
name: 甲公司
owner: zhang
created: 2026-01-05
contacts:
  - name: 王经理
    phone: "0571-8888 1234"
  - {name: 李工, title: 工程师}
tags: [老客户, 制造业]
notes: |
  第一行
  第二行
"""
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


# --- set_fields: the writer ------------------------------------------------------------------

@pytest.fixture
def ws(workspace):
    return load(workspace({"customers/CUS-1.yaml": CUSTOMER, "visits/2026-11.yaml": VISITS}), as_of=date(2026, 11, 30))


def test_set_types_values_by_the_record_format_and_says_what_it_did(ws):
    plan = set_fields(ws, "V-1", ["satisfaction=5", "effective=false", "next.date=2026-11-22", "summary="])
    text = plan.files[0].after.decode("utf-8")
    assert text == VISITS.replace("  summary: 介绍课程   # 初次拜访\n", "  effective: false\n  satisfaction: 5\n") \
        .replace("2026-11-20", "2026-11-22")
    assert plan.summary == ["V-1: satisfaction set to 5 (visits/2026-11.yaml)",
                            "V-1: effective set to false (visits/2026-11.yaml)",
                            "V-1: next.date set to 2026-11-22 (visits/2026-11.yaml)",
                            "V-1: summary removed (visits/2026-11.yaml)"]


@pytest.mark.parametrize("assignments, message", [
    (["tire=A"], "tire: a customer has no field 'tire'; did you mean 'tier'?"),
    (["contacts.name=王"], "contacts.name: contacts is a list; name an entry by its number from 0 (contacts.0)"),
    (["contacts.0.mobile=1"], "contacts.0.mobile: contacts.0 has no field 'mobile'"),
    (["name.first=王"], "name.first: name is a single value, it has no 'first'"),
    (["tier"], "'tier': expected FIELD=VALUE (FIELD= removes the field)"),
    (["tier=A", "tier=B"], "tier is given twice"),
    (["created=2026-02-30"], "created: '2026-02-30' is not a real date"),
    ([], "nothing to set: give FIELD=VALUE (FIELD= removes the field)"),
])
def test_set_checks_every_path_and_value_before_anything(ws, assignments, message):
    with pytest.raises(BadInput) as bad:
        set_fields(ws, "CUS-1", assignments)
    assert str(bad.value) == message


def test_set_goes_through_the_checks_of_every_writer(ws):
    with pytest.raises(Refused) as refused:
        set_fields(ws, "CUS-1", ["owner=nobody"])
    assert [p.code for p in refused.value.problems] == ["unknown-ref"]
    with pytest.raises(BadInput, match="^no record with id 'CUS-9'$"):
        set_fields(ws, "CUS-9", ["tier=A"])
