"""Typing raw records: equal immutable values become one object, and keep how they were written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from salesctl.model.config import Config
from salesctl.model.records import RecordBuilder


def _receivable(builder, n: int, amount, due="2026-11-30"):
    problems: list = []
    record = builder.build("receivables", {"id": f"REC-{n}", "contract": "CON-1", "amount": amount, "due": due},
                           f"receivables/REC-{n}.yaml", 0, {}, True, problems)
    assert problems == []
    return record


def test_equal_amounts_dates_and_short_texts_are_one_object_across_records():
    builder = RecordBuilder(Config())
    first, second = _receivable(builder, 1, 87300), _receivable(builder, 2, 87300)
    assert first["amount"] == Decimal("87300") and first["due"] == date(2026, 11, 30)
    for name in ("amount", "due", "contract"):
        assert first[name] is second[name]


def test_amounts_equal_in_value_but_written_otherwise_stay_apart():
    builder = RecordBuilder(Config())
    whole, tenths = _receivable(builder, 1, 2), _receivable(builder, 2, 2.0)
    assert whole["amount"] == tenths["amount"]
    assert (str(whole["amount"]), str(tenths["amount"])) == ("2", "2.0")
