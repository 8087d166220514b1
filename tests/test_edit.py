"""Round-trip editing: only the added or changed lines differ, everything else stays byte-identical."""

from __future__ import annotations

import difflib
import textwrap
from datetime import date
from decimal import Decimal

import pytest

from salesctl.edit import EditError, Style, YamlFile, new_file
from salesctl.records import SCHEMAS

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
        "id: X\namount: 100\ndue: 2026-01-02\n"


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
    with pytest.raises(EditError, match="edit it by hand"):
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
