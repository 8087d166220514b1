"""A customer's owner as of a date, from its `assignments` (salesctl.model.ownership): owner_on,
in_pool, assigned, the latest release, the reclaim lock, claims and owned counts, worked out by hand
from literal records (the pool dates that build on them: tests/unit/test_derive_pool.py)."""

from __future__ import annotations

from datetime import date

import pytest

from helpers.pool import POOL_CONFIG
from salesctl.load.pipeline import load
from salesctl.model import ownership

D = date(2026, 11, 30)


def customers(root_files: dict, workspace):
    ws = load(workspace(root_files, config=POOL_CONFIG))
    assert [p.format() for p in ws.problems if p.is_error] == []
    return ws.usable()


# --- owner_on, assigned, latest release --------------------------------------------------------

HISTORY = """\
id: C1
name: 甲
owner: null
assignments:
  - {date: 2026-10-01, from: zhang, to: wang, by: lin, reason: assign}
  - {date: 2026-11-10, from: wang, to: null, by: ops, reason: no effective visit for 30 days}
  - {date: 2026-11-10, from: null, to: liu, by: liu, reason: claim}
  - {date: 2026-11-20, from: liu, to: null, by: lin, reason: assign}
created: 2026-06-01
"""


@pytest.mark.parametrize("day, owner, assigned_on, since", [
    (date(2026, 9, 30), "zhang", date(2026, 6, 1), None),  # before any entry: the first entry's from
    (date(2026, 10, 1), "wang", date(2026, 10, 1), None),
    (date(2026, 11, 10), "liu", date(2026, 11, 10), date(2026, 11, 10)),  # the later of two same-day entries
    (date(2026, 11, 30), None, date(2026, 11, 20), date(2026, 11, 20)),
])
def test_owner_on_assigned_and_latest_release_as_of_each_date(workspace, day, owner, assigned_on, since):
    ws = customers({"customers/C1.yaml": HISTORY}, workspace)
    c1 = ws.get("customers", "C1")
    assert ownership.owner_on(c1, day) == owner
    assert ownership.in_pool(c1, day) is (owner is None)
    assert ownership.assigned(c1, day) == assigned_on
    release = ownership.latest_release(c1, day)
    assert (release["date"] if release else None) == since


def test_reclaim_lock_holds_for_the_rep_it_left_for_reclaim_days(workspace):
    # Released from liu on 11-20, reclaim_days 30: liu may take it again from 12-20.
    ws = customers({"customers/C1.yaml": HISTORY}, workspace)
    c1 = ws.get("customers", "C1")
    assert ownership.reclaim_locked_until(c1, "liu", D, 30) == date(2026, 12, 20)
    assert ownership.reclaim_locked_until(c1, "liu", date(2026, 12, 20), 30) is None
    assert ownership.reclaim_locked_until(c1, "wang", D, 30) is None  # not the latest release
    assert ownership.reclaim_locked_until(c1, "liu", D, None) is None


def test_claims_and_owned_counts(workspace):
    ws = customers({"customers/C1.yaml": HISTORY,
                    "customers/C2.yaml": "{id: C2, name: 乙, owner: liu, created: 2026-06-01}\n"}, workspace)
    assert ownership.claims_on(ws, date(2026, 11, 10)) == {"liu": 1}
    assert ownership.claims_on(ws, D) == {}
    assert ownership.owned_counts(ws, D) == {"liu": 1}
    assert ownership.owned_counts(ws, date(2026, 11, 10)) == {"liu": 2}
