"""`set` as a library call (write/setfield.py): values typed by the record format, every path and
value checked before anything, and the result checked as every write. The edits it makes:
tests/unit/write/test_nested.py; the command: tests/cli/test_set.py."""

from __future__ import annotations

from datetime import date

import pytest

from helpers.edits import CUSTOMER, VISITS
from salesctl.errors import BadInput, Refused
from salesctl.load.pipeline import load
from salesctl.write.setfield import set_fields


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
