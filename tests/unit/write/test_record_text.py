"""The text of new records and of changed fields: the fast renderer writes exactly what ruamel's
emitter writes, in every style, and knows exactly what `parse` reads from it; `nested.set_at`
changes one value inside a record and nothing else."""

from __future__ import annotations

import difflib
import io
import string
import textwrap
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesctl.load.parse import parse_bytes
from salesctl.model.parsed import ParsedFile, RawRecord
from salesctl.write.edit import YamlFile, new_file, new_file_parsed, new_file_read
from salesctl.write.nested import set_at
from salesctl.write.style import (_TYPED, _TYPED_FIRST, EditError, Style, _scalar, dumper, plain_record, plain_text,
                                  prepare)

TRICKY = ["杭州云帆网络科技有限公司", "139 1762 5580", "13800138000", "007", "yes", "no", "null", "~", "", "1:20",
          "CMB:2611300012", "a: b", "a #b", "#x", "- x", "-x", "x:", " lead", "trail ", "it's", "'q'", '"d"',
          "2026-01-01", "1e3", "0x1F", "=", "<<", "*a", "&a", "!t", "%p", "@m", "`b", "|", ">", "?", "a?b", "a,b",
          "[x]", "{x}", "...", "---", "x\ny", "tab\there", "\u2028", "\x85", "C#", "-1", ".5", "a:b", "a]", "a}"]
TEXTS = st.one_of(
    st.sampled_from(TRICKY),
    st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), max_size=12),
)
SCALARS = st.one_of(TEXTS, st.booleans(), st.integers(-10**6, 10**9),
                    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
                    st.dates(date(1900, 1, 1), date(2999, 12, 31)))
NAMES = st.sampled_from(["id", "name", "owner", "phone", "tags", "next", "contacts", "items", "notes", "y", "on", "key"])
FLAT = st.dictionaries(NAMES, SCALARS, max_size=4)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.lists(FLAT, max_size=3), FLAT)
RECORDS = st.dictionaries(NAMES, VALUES, min_size=1, max_size=6)
STYLES = st.builds(lambda mapping, offset, extra, flow, entries: Style(mapping=mapping, sequence=offset + 2 + extra,
                                                                        offset=offset, flow=flow, entries_flow=entries),
                   st.integers(1, 4), st.integers(0, 3), st.integers(0, 2),
                   st.dictionaries(NAMES, st.booleans(), max_size=3), st.booleans())


def ruamel(record: dict, style: Style) -> str:
    stream = io.StringIO()
    dumper(style).dump(prepare(record, style), stream)
    return stream.getvalue()


@settings(max_examples=600, deadline=None)
@given(RECORDS, STYLES)
def test_the_fast_text_is_ruamels_text(record, style):
    fast = plain_text(record, style)
    if fast is not None:  # None: a shape or text it leaves to ruamel
        assert fast == ruamel(record, style)


def starts_as_typed_text_can(text: str) -> bool:
    """The quoting looks at the patterns only for printable text that starts so (the rest is
    escaped): it must miss none they match."""
    return not text.isprintable() or not _TYPED.match(text) or text == "" or text[0] in _TYPED_FIRST


@settings(max_examples=1500, deadline=None)
@given(st.one_of(TEXTS, st.text(alphabet=string.printable, max_size=10),
                 st.text(alphabet="0123456789-+._:eExXoObBaAfF~nNuUlLyYsStTrR<=!&* \t", max_size=10)))
def test_text_a_reader_would_type_starts_with_a_character_it_is_tried_for(text):
    assert starts_as_typed_text_can(text)


def test_no_short_ascii_text_the_patterns_match_starts_otherwise():
    chars = string.printable
    assert all(starts_as_typed_text_can(a + b) for a in chars for b in [""] + list(chars))


def test_a_text_is_spelt_for_where_it_stands_however_often_it_was_spelt_before():
    for _ in range(2):  # the second time from memory
        assert (_scalar("a,b", False), _scalar("a,b", True)) == ("a,b", None)
        assert (_scalar("x:1", True), _scalar("x:1", False)) == ("'x:1'", "x:1")
        assert _scalar("1:20", False) == "'1:20'" and _scalar("yes", True) == "'yes'"


def typed(value):
    """A value with the type of every part spelt out: 1, 1.0 and True compare equal, but read apart."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [typed(v) for v in value])
    return (type(value).__name__, repr(value))


def read_back(record: dict, style: Style) -> ParsedFile | None:
    plain = plain_record(record, style)
    if plain is None:
        return None
    text, data, positions = plain
    assert text == plain_text(record, style)
    return ParsedFile([RawRecord(data, positions)], [], True)


def assert_read_as_parsed(record: dict, style: Style):
    fast = read_back(record, style)
    if fast is None:  # None: a shape, text or key it leaves to the parser
        return
    parsed = parse_bytes(plain_text(record, style).encode("utf-8"))
    assert typed(fast) == typed(parsed)  # the records, every value's type, every position and their order


ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)  # emoji too


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(NAMES, st.one_of(VALUES, st.lists(st.dictionaries(ANY_TEXT, SCALARS, max_size=3), max_size=2),
                                        st.dictionaries(ANY_TEXT, st.one_of(SCALARS, ANY_TEXT), max_size=3)),
                       min_size=1, max_size=6), STYLES)
def test_what_the_fast_text_reads_as_is_what_parse_reads(record, style):
    assert_read_as_parsed(record, style)


@pytest.mark.parametrize("text", TRICKY)
def test_every_tricky_text_reads_back_as_parse_reads_it_in_every_place(text):
    for style in (Style(), Style(flow={"a": True}, entries_flow=True), Style(mapping=3, sequence=5, offset=1)):
        for record in ({"a": text}, {"a": [text, "x"]}, {"a": [{"b": text}, {text or "k": 1}]}, {"a": {"b": text}},
                       {text or "k": 1, "b": {text or "k": 2}}, {"a": [], "b": {}, "c": [{"d": text}]}):
            assert_read_as_parsed(record, style)


def test_a_record_parse_would_read_otherwise_is_left_to_parse():
    assert plain_record({}, Style()) is None  # no record at all
    assert plain_record({"a": 1, "<<<<<<< x": 2}, Style()) is None  # a merge conflict's marker
    assert plain_record({1: "a"}, Style()) is None  # a key that is not text
    assert plain_record({"a": {True: 1}}, Style()) is None
    for record in ({"a": 1, "<<<<<<< x": 2}, {1: "a", True: "b"}):
        assert plain_text(record, Style()) == ruamel(record, Style())  # the text itself is still the fast one's


def test_a_new_file_reads_back_as_parse_reads_it_without_parsing():
    customer = {"id": "CUS-0003", "name": "杭州云帆🚀", "created": date(2026, 11, 3), "amount": Decimal("12000.50"),
                "contacts": [{"name": "赵磊", "phone": "0571-8888 1234", "primary": True}], "tags": ["2026", "x"],
                "next": {"date": date(2026, 12, 1), "action": "回访"}, "count": 3, "rate": Decimal("7")}
    for style in (Style(), Style(flow={"tags": True, "next": True}, entries_flow=True), Style(mapping=4, sequence=2, offset=0)):
        text, parsed = new_file_read(customer, style)
        assert typed(parsed) == typed(parse_bytes(text.encode("utf-8")))
        assert parsed.records[0].data["amount"] == 12000.5 and parsed.records[0].data["rate"] == 7


@pytest.mark.parametrize("text", TRICKY)
def test_every_tricky_text_is_written_as_ruamel_writes_it_in_every_place(text):
    for style in (Style(), Style(flow={"a": True}, entries_flow=True), Style(mapping=3, sequence=5, offset=1)):
        for record in ({"a": text}, {"a": [text, "x"]}, {"a": [{"b": text}]}, {"a": {"b": text}}, {text or "k": 1}):
            fast = plain_text(record, style)
            assert fast is None or fast == ruamel(record, style), (record, style)


def test_the_records_writers_make_take_the_fast_path():
    customer = {"id": "CUS-0003", "name": "杭州云帆", "owner": "wang", "key": True, "created": date(2026, 11, 3),
                "contacts": [{"name": "赵磊", "phone": "0571-8888 1234", "primary": True}], "tags": ["互联网", "2026"],
                "next": {"date": date(2026, 12, 1), "action": "回访"}, "amount": Decimal("12000.50")}
    for style in (Style(), Style(flow={"tags": True}, entries_flow=True), Style(mapping=4, sequence=2, offset=0)):
        assert plain_text(customer, style) == ruamel(customer, style)
    assert new_file(customer, Style()) == textwrap.dedent("""\
        id: CUS-0003
        name: 杭州云帆
        owner: wang
        key: true
        created: 2026-11-03
        contacts:
          - name: 赵磊
            phone: 0571-8888 1234
            primary: true
        tags:
          - 互联网
          - '2026'
        next:
          date: 2026-12-01
          action: 回访
        amount: 12000.50
        """)


CUSTOMER = """\
id: CUS-0001   # 老客户
name: 上海华东精密机械股份有限公司
tier: A
contacts:
  - name: 周建国
    phone: "139 1762 5580"   # 手机
    primary: true
  - {name: 吴敏, phone: '021-5898 3301'}
tags: [制造业, 老客户]
notes: 年度框架
"""


def changed(text: str, path: tuple, value, order=()) -> list[str]:
    doc = YamlFile(text, name="c.yaml")
    set_at(doc, "CUS-0001", path, value, list(order))
    return [line for line in difflib.unified_diff(text.splitlines(), doc.text.splitlines(), lineterm="", n=0)][2:]


def test_set_path_replaces_one_value_keeping_its_quotes_and_comment():
    assert changed(CUSTOMER, ("contacts", 0, "phone"), "139 1762 0000") == [
        "@@ -6 +6 @@", '-    phone: "139 1762 5580"   # 手机', '+    phone: "139 1762 0000"   # 手机']
    assert changed(CUSTOMER, ("contacts", 1, "phone"), "021-5898 0000") == [
        "@@ -8 +8 @@", "-  - {name: 吴敏, phone: '021-5898 3301'}", "+  - {name: 吴敏, phone: '021-5898 0000'}"]
    assert changed(CUSTOMER, ("tier",), "B") == ["@@ -3 +3 @@", "-tier: A", "+tier: B"]


def test_set_path_adds_a_missing_key_where_the_format_puts_it():
    assert changed(CUSTOMER, ("contacts", 0, "email"), "zhou@example.com", ["name", "title", "phone", "email", "primary"]) == [
        "@@ -6,0 +7 @@", "+    email: zhou@example.com"]
    assert changed(CUSTOMER, ("contacts", 1, "email"), "wu@example.com") == [
        "@@ -8 +8 @@", "-  - {name: 吴敏, phone: '021-5898 3301'}",
        "+  - {name: 吴敏, phone: '021-5898 3301', email: wu@example.com}"]
    assert changed(CUSTOMER, ("owner",), "zhang", ["id", "name", "owner", "tier"]) == [
        "@@ -2,0 +3 @@", "+owner: zhang"]


def test_set_path_writes_a_list_or_mapping_anew_in_its_style():
    assert changed(CUSTOMER, ("tags",), ["制造业", "新"]) == ["@@ -9 +9 @@", "-tags: [制造业, 老客户]", "+tags: [制造业, 新]"]
    text = "id: CUS-0001\ntags:\n  - 甲\n  - 乙\nnotes: x\n"
    assert changed(text, ("tags",), ["丙"]) == ["@@ -3,2 +3 @@", "-  - 甲", "-  - 乙", "+  - 丙"]


def test_set_path_refuses_a_path_the_record_does_not_have():
    with pytest.raises(EditError, match="CUS-0001: contacts.5.phone is not in c.yaml"):
        changed(CUSTOMER, ("contacts", 5, "phone"), "1")


def test_text_that_parse_would_flag_is_refused_as_parse_refuses_it():
    record = {"id": "X", "note": "x{a:16,000}"}  # plain YAML, but `parse` warns of a thousands separator in {…}
    assert plain_record(record, Style()) is not None
    messages = []
    for write in (new_file_read, new_file_parsed):
        with pytest.raises(EditError, match="does not parse .*16,000 inside") as raised:
            write(record, Style())
        messages.append(str(raised.value))
    assert messages[0] == messages[1]
