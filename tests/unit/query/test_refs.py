"""Fields of a referenced record through the reference (query/refs.py): `customer.name` on visits,
contracts and receivables, `contract.owner` on receivables, in conditions, sort keys and selected
fields; rows carry them only while the query needs them."""

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



def test_fields_of_the_referenced_customer_and_contract(ws):
    assert ids(ws, "receivables", where=["customer.name ~ 云帆"]) == ["RCV-1"]
    assert ids(ws, "receivables", where=["contract.owner = zhang"]) == ["RCV-2", "RCV-3"]
    assert ids(ws, "visits", where=["customer.tier = B"]) == ["V-2"]
    assert ids(ws, "contracts", where=["customer.owner != wang"]) == ["CT-2"]
    assert ids(ws, "receivables", sort=["-contract.amount", "-due"]) == ["RCV-2", "RCV-3", "RCV-1"]


def test_selected_fields_of_a_referenced_record_and_rows_without_them(ws):
    query = compile_query("visits", ws.config, fields=["id,customer.name"], today=AS_OF)
    assert [query.select(row, query.columns) for row in query.run(ws, AS_OF)] == [
        {"id": "V-1", "customer.name": "杭州云帆网络科技有限公司"}, {"id": "V-2", "customer.name": "苏州恒瑞医药"}]
    whole = compile_query("visits", ws.config, where=["customer.name ~ 恒瑞"], today=AS_OF).run(ws, AS_OF)
    assert [list(row) for row in whole] == [["id", "customer", "rep", "date", "channel", "kind", "effective"]]


def test_a_reference_is_not_a_mapping_of_its_own_record(ws):
    with pytest.raises(QueryError, match="reviews have no field 'rep.name'"):
        compile_query("reviews", ws.config, where=["rep.name = 张伟"], today=AS_OF)
