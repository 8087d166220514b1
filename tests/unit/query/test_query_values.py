"""Query values relative to the as-of date (`today`, `today+N`, `today-N`) wherever a date is
compared. Fields through a reference: tests/unit/query/test_refs.py; the command:
tests/cli/test_everyday_checks.py."""

from __future__ import annotations

from datetime import date

import pytest

from helpers.workspaces import write_workspace
from salesctl.errors import QueryError
from salesctl.load.pipeline import load
from salesctl.query.query import compile_query

AS_OF = date(2026, 11, 30)
FILES = {
    "customers/c.yaml": """\
        - {id: CUS-1, name: 杭州云帆网络科技有限公司, owner: wang, tier: A, created: 2026-01-05}
        - {id: CUS-2, name: 苏州恒瑞医药, owner: zhang, tier: B, created: 2026-01-06}
        """,
    "contracts/c.yaml": """\
        - {id: CT-1, customer: CUS-1, owner: wang, title: 培训, status: draft, created: 2026-11-01,
           items: [{name: 课程, quantity: 1, unit_price: 1000}], amount: 1000}
        - {id: CT-2, customer: CUS-2, owner: zhang, title: 培训, status: draft, created: 2026-11-01,
           items: [{name: 课程, quantity: 1, unit_price: 3000}], amount: 3000}
        """,
    "receivables/r.yaml": """\
        - {id: RCV-1, contract: CT-1, amount: 1000, due: 2026-12-07}
        - {id: RCV-2, contract: CT-2, amount: 1000, due: 2026-12-08}
        - {id: RCV-3, contract: CT-2, amount: 2000, due: 2026-11-23}
        """,
    "visits/v.yaml": """\
        - {id: V-1, customer: CUS-1, rep: wang, date: 2026-11-23, channel: phone}
        - {id: V-2, customer: CUS-2, rep: zhang, date: 2026-11-22, channel: phone}
        """,
}


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return load(write_workspace(tmp_path_factory.mktemp("q") / "ws", FILES)).usable()


def ids(ws, collection, **parts):
    query = compile_query(collection, ws.config, today=AS_OF, **parts)
    return [row["id"] for row in query.run(ws, AS_OF)]


@pytest.mark.parametrize("where, expected", [
    ("due <= today+7", ["RCV-1", "RCV-3"]),   # 2026-11-30 + 7 = 2026-12-07
    ("due > today+7", ["RCV-2"]),
    ("due < today", ["RCV-3"]),
    ("due = today-7", ["RCV-3"]),             # 2026-11-30 - 7 = 2026-11-23
    ("due >= TODAY-7", ["RCV-1", "RCV-2", "RCV-3"]),
])
def test_today_counts_from_the_as_of_date(ws, where, expected):
    assert ids(ws, "receivables", where=[where]) == expected


def test_today_reaches_dates_inside_mappings_and_lists(ws):
    assert ids(ws, "receivables", where=["next_step.date <= today"]) == ["RCV-3"]  # phone on 2026-11-24


@pytest.mark.parametrize("where, message", [
    ("due < today+x", "-w 'due < today+x': due is a date; 'today+x' is not a date (YYYY-MM-DD, today, today+N or "
                      "today-N)"),
    ("due < today+40000", "-w 'due < today+40000': due: 'today+40000' is too far (at most 36500 days)"),
    ("amount > today", "-w 'amount > today': amount is a number; 'today' is not a number"),
])
def test_bad_relative_dates_are_query_errors(ws, where, message):
    with pytest.raises(QueryError) as error:
        compile_query("receivables", ws.config, where=[where], today=AS_OF)
    assert str(error.value) == message
