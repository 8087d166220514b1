"""Round-trip editing: only the added or changed lines differ, everything else stays byte-identical."""

from __future__ import annotations

import difflib
import textwrap
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesctl.write import edit as edit_module
from salesctl.write.edit import YamlFile, new_file
from salesctl.errors import EditError
from salesctl.write.style import Style
from salesctl.model.records import SCHEMAS

ORDER = list(SCHEMAS["receivables"])
PAYMENT = {"date": date(2026, 11, 30), "amount": Decimal("1000.50"), "method": "转账"}


def changed(before: str, after: str) -> list[str]:
    """The +/- lines of a diff, as `git diff` shows them."""
    return [line.rstrip("\n") for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def edit(text: str, operation, **kwargs) -> str:
    text = textwrap.dedent(text)
    doc = YamlFile(text, **kwargs)
    operation(doc)
    return doc.text


RECEIVABLE = """\
    # 应收款：首付款
    id: RCV-0001
    contract: CT-2026-001   # 合同
    amount: 36000.50
    due: 2026-04-19
    invoice: "25312000000019823"
    payments:
      - {date: 2026-04-18, amount: 1000, method: 银行转账}   # 首笔
      - date: 2026-04-20
        amount: 2000

    # 催收记录
    collection:
      - {date: 2026-05-01, by: zhang, channel: phone, note: '已催'}
    """


def test_an_entry_goes_after_the_last_one_and_comments_below_stay_put():
    before = textwrap.dedent(RECEIVABLE)
    after = edit(RECEIVABLE, lambda d: d.append_entry("RCV-0001", "payments", PAYMENT, ORDER))
    assert changed(before, after) == [
        "+  - date: 2026-11-30",
        "+    amount: 1000.50",
        "+    method: 转账",
    ]
    assert after.index("method: 转账") < after.index("# 催收记录")


def test_an_entry_follows_the_style_of_the_last_entry():
    before = textwrap.dedent(RECEIVABLE)
    entry = {"date": date(2026, 11, 30), "by": "zhang", "channel": "phone", "note": "yes"}
    after = edit(RECEIVABLE, lambda d: d.append_entry("RCV-0001", "collection", entry, ORDER))
    assert changed(before, after) == ["+  - {date: 2026-11-30, by: zhang, channel: phone, note: 'yes'}"]


def test_a_new_field_goes_where_the_record_format_puts_it():
    text = """\
        id: RCV-0002
        contract: CT-2026-001
        amount: 100
        due: 2026-04-19
        # 催收记录
        collection:
          - {date: 2026-05-01, by: zhang, channel: phone}
        """
    after = edit(text, lambda d: d.append_entry("RCV-0002", "payments", PAYMENT, ORDER))
    assert changed(textwrap.dedent(text), after) == [
        "+payments:",
        "+  - {date: 2026-11-30, amount: 1000.50, method: 转账}",
    ]
    assert after.index("payments:") < after.index("# 催收记录")


def test_a_many_record_file_keeps_its_mixed_indentation():
    text = """\
        # 2026年11月
        - id: RCV-0001
          contract: CT-1
          amount: 100
          due: 2026-04-19
          payments:
            - {date: 2026-04-18, amount: 10}
          # 余款待付

        - id: RCV-0002
          contract: CT-1
          amount: 200
          due: 2026-05-19
        """
    before = textwrap.dedent(text)
    after = edit(text, lambda d: d.append_entry("RCV-0001", "payments", PAYMENT, ORDER))
    assert changed(before, after) == ["+    - {date: 2026-11-30, amount: 1000.50, method: 转账}"]
    after = edit(text, lambda d: d.append_entry("RCV-0002", "payments", PAYMENT, ORDER))
    assert changed(before, after) == ["+  payments:", "+    - {date: 2026-11-30, amount: 1000.50, method: 转账}"]
    assert after.endswith("  due: 2026-05-19\n  payments:\n    - {date: 2026-11-30, amount: 1000.50, method: 转账}\n")


def test_a_record_is_appended_at_the_end_with_the_files_spacing():
    spaced = """\
        - id: V-0001
          customer: CUS-0001
          next:
            date: 2026-12-01
            action: 回访

        - id: V-0002
          customer: CUS-0002
        """
    record = {"id": "V-0003", "customer": "CUS-0003", "next": {"date": date(2026, 12, 2), "action": "报价"}}
    after = edit(spaced, lambda d: d.add_record(record))
    assert changed(textwrap.dedent(spaced), after) == [
        "+", "+- id: V-0003", "+  customer: CUS-0003", "+  next:", "+    date: 2026-12-02", "+    action: 报价"]
    tight = "- id: V-0001\n  customer: CUS-0001\n"
    assert edit(tight, lambda d: d.add_record({"id": "V-0002", "customer": "C"})) == \
        tight + "- id: V-0002\n  customer: C\n"


def test_records_written_as_flow_mappings_get_a_flow_mapping():
    text = "- {id: V-1, customer: C-1}\n- {id: V-2, customer: C-2}   # 电话\n"
    after = edit(text, lambda d: d.add_record({"id": "V-3", "customer": "C, 3"}))
    assert after == text + "- {id: V-3, customer: 'C, 3'}\n"
    after = edit(text, lambda d: d.add_field("V-2", "tags", ["a", "b"], ["id", "customer", "tags"]))
    assert changed(text, after) == ["-- {id: V-2, customer: C-2}   # 电话", "+- {id: V-2, customer: C-2, tags: [a, b]}   # 电话"]


@pytest.mark.parametrize("text, expected", [
    ("", "- id: V-1\n"),
    ("# 12月拜访记录\n", "# 12月拜访记录\n\n- id: V-1\n"),
])
def test_an_empty_file_gets_its_first_record_as_a_list(text, expected):
    assert edit(text, lambda d: d.add_record({"id": "V-1"})) == expected


def test_a_record_cannot_be_appended_to_a_one_record_file():
    with pytest.raises(EditError, match="single record"):
        edit("id: CUS-0001\nname: x\n", lambda d: d.add_record({"id": "CUS-0002"}))


@pytest.mark.parametrize("text, expected", [
    ("id: X\npayments: []\n", "id: X\npayments: [{date: 2026-11-30, amount: 1000.50, method: 转账}]\n"),
    ("id: X\npayments: [{date: 2026-01-01, amount: 5} ]\n",
     "id: X\npayments: [{date: 2026-01-01, amount: 5}, {date: 2026-11-30, amount: 1000.50, method: 转账} ]\n"),
    ("id: X\npayments: ~\n", "id: X\npayments: [{date: 2026-11-30, amount: 1000.50, method: 转账}]\n"),
    ("id: X\npayments:   # 暂无\ndue: 2026-01-01\n",
     "id: X\npayments:   # 暂无\n  - date: 2026-11-30\n    amount: 1000.50\n    method: 转账\ndue: 2026-01-01\n"),
])
def test_flow_lists_and_empty_values_are_filled_in_place(text, expected):
    assert edit(text, lambda d: d.append_entry("X", "payments", PAYMENT, ORDER)) == expected


def test_a_value_is_replaced_and_its_comment_kept():
    text = "id: CT-1\nstatus: in_review   # 审批中\ncreated: 2026-01-01\n"
    after = edit(text, lambda d: d.set_value("CT-1", "status", "approved"))
    assert after == "id: CT-1\nstatus: approved   # 审批中\ncreated: 2026-01-01\n"


def test_line_ends_byte_order_mark_and_missing_final_newline_are_kept():
    crlf = "\ufeffid: X\r\namount: 100\r\n"
    doc = YamlFile(crlf)
    doc.append_entry("X", "payments", {"date": date(2026, 1, 2), "amount": Decimal(5)}, ORDER)
    assert doc.encode().decode("utf-8") == crlf + "payments:\r\n  - date: 2026-01-02\r\n    amount: 5\r\n"
    assert edit("id: X\namount: 100", lambda d: d.add_field("X", "due", date(2026, 1, 2), ORDER)) == \
        "id: X\namount: 100\ndue: 2026-01-02"


def test_a_kept_block_scalar_keeps_its_trailing_blank_lines():
    text = "id: X\nnotes: |+\n  保留\n\n"
    after = edit(text, lambda d: d.add_field("X", "written_off", {"date": date(2026, 1, 1)}, ["id", "notes", "written_off"]))
    assert after == text + "written_off:\n  date: 2026-01-01\n"


def test_amounts_are_written_as_typed_and_ambiguous_words_quoted():
    entry = {"date": date(2026, 1, 2), "amount": Decimal("0.30"), "method": "no", "ref": "2026-01-02"}
    after = edit("id: X\n", lambda d: d.add_field("X", "payments", [entry], ORDER))
    assert after == "id: X\npayments:\n  - date: 2026-01-02\n    amount: 0.30\n    method: 'no'\n    ref: '2026-01-02'\n"


def test_indentation_is_that_of_the_file_else_of_a_sample():
    flat = "id: X\ncollection:\n- date: 2026-01-01\n  by: zhang\n  channel: phone\n"
    after = edit(flat, lambda d: d.add_field("X", "payments", [{"date": date(2026, 1, 2), "amount": 5}], ORDER))
    assert changed(flat, after) == ["+payments:", "+- date: 2026-01-02", "+  amount: 5"]
    sample = "id: Y\npayments:\n    -   {date: 2026-01-01, amount: 1}\n"
    after = edit("id: X\n", lambda d: d.add_field("X", "payments", [{"date": date(2026, 1, 2), "amount": 5}], ORDER),
                 samples=[sample])
    assert after == "id: X\npayments:\n    -   {date: 2026-01-02, amount: 5}\n"


def test_a_new_file_follows_the_sample_style():
    style = Style.detect("id: C\nitems:\n- {name: a, quantity: 1, unit_price: 2}\ncontacts:\n- name: x\n")
    record = {"id": "CT-2", "items": [{"name": "内训", "quantity": 2, "unit_price": Decimal(6000)}],
              "contacts": [{"name": "王", "phone": "138 0000 0000"}]}
    assert new_file(record, style) == ("id: CT-2\nitems:\n- {name: 内训, quantity: 2, unit_price: 6000}\n"
                                       "contacts:\n- name: 王\n  phone: 138 0000 0000\n")


def test_an_edit_that_would_change_other_data_is_refused():
    text = "id: X\npayments:\n  - &p {date: 2026-01-01, amount: 1}\n  - *p\n"
    with pytest.raises(EditError, match=r"^cannot add to payments of X \(file:2\): its last entry is an alias of YAML "
                                        r"anchor &p \(line 3\); edit it by hand$"):
        edit(text, lambda d: d.append_entry("X", "payments", PAYMENT, ORDER))


@pytest.mark.parametrize("text, message", [
    ("id: X\n  bad: [\n", "does not parse"),
    ("id: X\npayments: 5\n", "is not a list"),
])
def test_files_that_cannot_be_edited_say_why(text, message):
    with pytest.raises(EditError, match=message):
        edit(text, lambda d: d.append_entry("X", "payments", PAYMENT, ORDER))


def test_a_missing_record_is_an_error():
    with pytest.raises(EditError, match="no record 'Y'"):
        edit("- id: X\n", lambda d: d.append_entry("Y", "payments", PAYMENT, ORDER))


def test_a_sample_that_does_not_parse_teaches_nothing():
    assert Style.detect("id: [unclosed\n", "items:\n- {name: a}\n").flow == {"items": True}
    assert Style.detect("id: [unclosed\n") == Style()
    assert Style.detect("\t# 制表符缩进的注释\n") == Style()  # `parse` reads it as empty; the composer refuses it


SAMPLE_PIECES = st.sampled_from(["- ", "  ", "    ", "payments:", "collection:", "written_off:", "id: R", "&a ", "*a",
                                 "<<: ", "\n", "{", "}", "[", "]", ", ", "date: 2026-01-01", "? ", ": ", "x", "!!map ",
                                 "!!seq ", "# c", "|\n  t", "---\n", "\t"])


@settings(max_examples=300, deadline=None)
@given(st.lists(SAMPLE_PIECES, max_size=25).map("".join),
       st.sampled_from(["id: X\n", "id: X\ncollection:\n- date: 2026-01-01\n", "- id: X\n", "- {id: X}\n", "-\n  id: X\n"]))
def test_no_other_file_can_make_a_write_fail(sample, text):
    """Whatever another file of the collection holds, the style learned from it writes text that
    reads back as written."""
    doc = YamlFile(text, samples=[sample])
    doc.append_entry("X", "payments", PAYMENT, ORDER)
    doc.append_entry("X", "collection", {"date": date(2026, 1, 2), "by": "zhang"}, ORDER)
    doc.add_field("X", "written_off", {"date": date(2026, 1, 2), "reason": "破产"}, ORDER)
    if text.startswith("-"):
        doc.add_record({"id": "Y", "payments": [PAYMENT], "written_off": {"date": date(2026, 1, 3)}})


# --- text that YAML would read as something else ---------------------------------------------

FLOW_AND_BLOCK = "id: X\npayments:\n  - {date: 2026-01-01, amount: 1}\ncollection:\n  - date: 2026-01-01\n    by: zhang\n"


@pytest.mark.parametrize("text, flow, block", [
    ("CMB:2611300012", "'CMB:2611300012'", "CMB:2611300012"),  # libyaml refuses `a:b` inside {…}
    ("行业:制造", "'行业:制造'", "行业:制造"),
    ("https://x.cn/a?b=1#c", "'https://x.cn/a?b=1#c'", "https://x.cn/a?b=1#c"),
    ("?x", "'?x'", "?x"),
    ("0?", "'0?'", "0?"),  # libyaml ends a plain scalar at a `?` inside {…}
    ("1:20", "'1:20'", "'1:20'"),  # a YAML 1.1 reader takes it for 80 (sexagesimal)
    ("<<", "'<<'", "'<<'"),  # a merge key
    ("007", "'007'", "'007'"),
    ("1e3", "'1e3'", "'1e3'"),
    ("Off", "'Off'", "'Off'"),
    ("0b11", "'0b11'", "'0b11'"),
    ("2026-01-01", "'2026-01-01'", "'2026-01-01'"),
    ("招行回单 CMB2611300012", "招行回单 CMB2611300012", "招行回单 CMB2611300012"),
])
def test_text_is_quoted_where_a_yaml_reader_would_misread_it(text, flow, block):
    after = edit(FLOW_AND_BLOCK, lambda d: d.append_entry("X", "payments", {"date": date(2026, 1, 2), "ref": text}, ORDER))
    assert changed(FLOW_AND_BLOCK, after) == [f"+  - {{date: 2026-01-02, ref: {flow}}}"]
    note = {"date": date(2026, 1, 2), "note": text}
    after = edit(FLOW_AND_BLOCK, lambda d: d.append_entry("X", "collection", note, ORDER))
    assert changed(FLOW_AND_BLOCK, after) == ["+  - date: 2026-01-02", f"+    note: {block}"]
    after = edit("- {id: X, note: a}\n", lambda d: d.set_value("X", "note", text))
    assert after == f"- {{id: X, note: {flow}}}\n"


def test_a_key_is_quoted_like_a_value():
    scores = {"行业:制造": 5, "007": 4}
    after = edit("- {id: X}\n", lambda d: d.add_field("X", "manager", scores, ["id", "manager"]))
    assert after == "- {id: X, manager: {'行业:制造': 5, '007': 4}}\n"
    after = edit("id: X\n", lambda d: d.add_field("X", "manager", scores, ["id", "manager"]))
    assert after == "id: X\nmanager:\n  行业:制造: 5\n  '007': 4\n"


def test_an_edit_that_does_not_parse_back_is_our_bug_not_the_files(monkeypatch):
    monkeypatch.setattr(edit_module, "render", lambda value, style, flow=False: ["date: [2026\n"])
    doc = YamlFile(FLOW_AND_BLOCK, name="r.yaml")
    with pytest.raises(EditError) as raised:
        doc.append_entry("X", "collection", {"date": date(2026, 1, 2)}, ORDER)
    assert str(raised.value) == ("internal error: the text salesctl made for r.yaml does not parse (line 8, column 1: "
                                 "did not find expected ',' or ']'); nothing written. This is a bug in salesctl, not a "
                                 "problem in your files: please report it")
    with pytest.raises(EditError, match="^internal error: the text salesctl made for a new file does not parse"):
        new_file({"id": "X"}, Style())


def test_a_value_that_would_read_back_as_something_else_is_our_bug(monkeypatch):
    monkeypatch.setattr(edit_module, "render", lambda value, style, flow=False: ["invoice: 007\n"])  # read as 7
    with pytest.raises(EditError, match="^internal error: the text salesctl made for file reads back as other values "
                                        "than those written; nothing written"):
        edit("id: X\n", lambda d: d.add_field("X", "invoice", "007", ORDER))


# --- anchors, aliases and merge keys -------------------------------------------------------

SHARED = """\
    - &base
      id: R-1
      payments: &p [{date: 2026-01-01, amount: 1}]
    - id: R-2
      payments: *p
    - <<: *base
      id: R-3
    - id: R-4
      payments: &q
        - {date: 2026-01-01, amount: 1}
      status: &s open
    """


@pytest.mark.parametrize("record_id, message", [
    ("R-1", "cannot add to payments of R-1 (f.yaml:1): the record is YAML anchor &base, shared with R-3 "
            "(an alias or a merge key); edit it by hand"),
    ("R-2", "cannot add to payments of R-2 (f.yaml:5): the list is an alias of YAML anchor &p (line 3), "
            "shared with R-1, R-3; edit it by hand"),
    ("R-3", "cannot add to payments of R-3 (f.yaml:6): its payments come from a YAML merge key (<<); edit it by hand"),
    ("R-4", "cannot add to payments of R-4 (f.yaml:9): the list is YAML anchor &q; edit it by hand"),
])
def test_lists_shared_through_anchors_are_refused_and_say_so(record_id, message):
    with pytest.raises(EditError) as raised:
        edit(SHARED, lambda d: d.append_entry(record_id, "payments", PAYMENT, ORDER), name="f.yaml")
    assert str(raised.value) == message


def test_shared_values_are_not_replaced_and_unshared_ones_are():
    with pytest.raises(EditError, match=r"^cannot change status of R-4 \(f.yaml:11\): the value is YAML anchor &s;"):
        edit(SHARED, lambda d: d.set_value("R-4", "status", "closed"), name="f.yaml")
    after = edit(SHARED, lambda d: d.append_entry("R-3", "collection", {"date": date(2026, 1, 2)}, ORDER))
    assert changed(textwrap.dedent(SHARED), after) == ["+  collection:", "+    - {date: 2026-01-02}"]


def test_aliases_and_merge_keys_teach_no_style():
    merged = "- &base\n  id: R-1\n  written_off:\n      date: 2026-01-01\n- <<: *base\n  id: R-2\n  extra: *base\n"
    assert Style.detect(merged).mapping == 4
    assert Style.detect("- &b {id: R-1}\n- <<: *b\n  id: R-2\n- x: *b\n") == Style()


# --- where added text goes, and line ends ------------------------------------------------------

def test_comments_under_the_last_record_stay_with_it_and_a_closing_comment_stays_last():
    text = """\
        - id: V-1
          customer: C-1

        - id: V-2
          customer: C-2
          # 等回电

        # 11月到此
        """
    after = edit(text, lambda d: d.add_record({"id": "V-3", "customer": "C-3"}))
    assert after == textwrap.dedent(text).replace("# 11月到此", "- id: V-3\n  customer: C-3\n\n# 11月到此")
    assert all(line.startswith("+") for line in changed(textwrap.dedent(text), after))


def test_a_comment_under_the_last_entry_stays_with_it():
    text = "id: X\npayments:\n  - date: 2026-01-01\n    amount: 1\n    # 部分\n  # 余款\ndue: 2026-01-01\n"
    after = edit(text, lambda d: d.append_entry("X", "payments", PAYMENT, ORDER))
    assert changed(text, after) == ["+  - date: 2026-11-30", "+    amount: 1000.50", "+    method: 转账"]
    assert after.index("# 部分") < after.index("method: 转账") < after.index("# 余款")


def test_a_missing_final_newline_stays_missing():
    crlf = "id: X\r\ncollection:\r\n  - date: 2026-01-01\r\n    by: zhang"
    after = edit(crlf, lambda d: d.append_entry("X", "collection", {"date": date(2026, 1, 2), "by": "wang"}, ORDER))
    assert after == crlf + "\r\n  - date: 2026-01-02\r\n    by: wang"
    after = edit("- id: V-1   # 末行", lambda d: d.add_record({"id": "V-2"}))
    assert after == "- id: V-1   # 末行\n- id: V-2"


def test_a_list_gets_the_dashes_of_its_own_file():
    """Not a sample's (its records indented), nor the column of a tag before the list."""
    after = edit("-\n  id: V-1\n", lambda d: d.add_record({"id": "V-2"}), samples=["  - id: V-9\n    customer: D\n"])
    assert after == "-\n  id: V-1\n- id: V-2\n"
    text = "id: X\npayments: !!seq\n  - {date: 2026-01-01, amount: 1}\n"
    after = edit(text, lambda d: d.append_entry("X", "payments", PAYMENT, ORDER))
    assert changed(text, after) == ["+  - {date: 2026-11-30, amount: 1000.50, method: 转账}"]
