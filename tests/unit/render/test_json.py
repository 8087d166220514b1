"""JSON output: the same text as json.dumps(indent=2, ensure_ascii=False) for plain values, with
money as numbers of two decimals, dates as ISO strings and ratios rounded to four places."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesctl.model.money import Ratio
from salesctl.render.output import to_json

PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PLAIN)
def test_plain_values_read_as_json_dumps_writes_them(value):
    assert to_json(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def test_a_document_with_money_dates_ratios_and_texts():
    document = {
        "id": "RCV-1", "客户": "华东机械", "amount": Decimal("26687.5"), "paid": Decimal("0.005"),
        "due": date(2026, 3, 1), "rate": Ratio(2 / 3), "note": 'say "hi"\n\u2028\x01', "key": True,
        "missing": None, "days": 30, "empty": {}, "none": [], "pair": ("a", 1), 7: "seven",
    }
    # 26687.5 -> "26687.50"; 0.005 rounds half up to "0.01"; 2/3 -> 0.6667; a tuple is a list; the key 7 a text
    assert to_json(document) == """{
  "id": "RCV-1",
  "客户": "华东机械",
  "amount": 26687.50,
  "paid": 0.01,
  "due": "2026-03-01",
  "rate": 0.6667,
  "note": "say \\"hi\\"\\n\u2028\\u0001",
  "key": true,
  "missing": null,
  "days": 30,
  "empty": {},
  "none": [],
  "pair": [
    "a",
    1
  ],
  "7": "seven"
}
"""


def test_indent_zero_as_cells_use_it():
    assert to_json([{"a": Decimal("1")}], indent=0) == '[\n{\n"a": 1.00\n}\n]\n'
