"""The query library: the -w grammar on every type, lists, derived fields, sorting, fields, the bounds
of `~` (the commands: tests/cli/test_query.py)."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest

from helpers.query import AS_OF, BACKTRACKING, NESTED
from helpers.workspaces import write_workspace
from salesctl import derive
from salesctl.errors import QueryError
from salesctl.query.query import DERIVED, Condition, compile_query, field_catalogue, resolve_collection
from salesctl.model.records import COLLECTIONS
from salesctl.load.pipeline import load

TODAY = date.fromisoformat(AS_OF)


def ids(ws, collection, *where, sort=(), limit=None):
    query = compile_query(collection, ws.config, where=where, sort=sort, limit=limit)
    return [row["id"] for row in query.run(ws, TODAY)]


def usage_error(ws, collection, **parts) -> str:
    with pytest.raises(QueryError) as info:
        compile_query(collection, ws.config, **parts)
    return str(info.value)


# --- fields --------------------------------------------------------------------------------

def test_the_fixture_is_valid(query_root):
    assert [p.format() for p in load(query_root).problems] == []


def test_derived_field_types_cover_exactly_what_derive_computes(query_ws):
    for collection in COLLECTIONS:
        record = query_ws.records[collection][0]
        assert set(DERIVED[collection]) == set(derive.derived_fields(query_ws, record, TODAY)), collection


def test_catalogue_has_stored_derived_and_dotted_fields(query_ws):
    customers = field_catalogue("customers", query_ws.config)
    assert {"name", "contacts", "contacts.name", "contacts.primary", "tags", "days_since_contact"} <= set(customers)
    receivables = field_catalogue("receivables", query_ws.config)
    assert {"payments.amount", "collection.channel", "written_off.reason", "next_step.action",
            "last_action.channel", "bucket", "status"} <= set(receivables)
    reviews = field_catalogue("reviews", query_ws.config)
    assert {"self.teamwork", "manager.attitude"} <= set(reviews)
    assert "self.sales" not in reviews  # computed from its metric, never scored by hand


def test_collection_names_singular_plural_and_typos():
    assert resolve_collection("customer") == "customers"
    assert resolve_collection("Receivables") == "receivables"
    with pytest.raises(QueryError, match="did you mean 'contracts'"):
        resolve_collection("contract5")


# --- each operator on each type ------------------------------------------------------------

@pytest.mark.parametrize("where, expected", [
    ("name = Lotus Trading", ["CUS-0003"]),
    ("name = lotus trading", []),  # = is exact; ~ ignores case
    ("name ~ lotus", ["CUS-0003"]),
    ("name ~ ^华东", ["CUS-0001"]),
    ("name != Lotus Trading", ["CUS-0001", "CUS-0002"]),
    ("region > 北", ["CUS-0002"]),  # text compares by code point (上 < 北); absent never orders
    ("region < 北京", ["CUS-0001"]),
    ("owner = zhang", ["CUS-0001", "CUS-0003"]),
    ("name = 'Lotus Trading'", ["CUS-0003"]),  # quotes are optional
])
def test_text(query_ws, where, expected):
    assert ids(query_ws, "customers", where) == expected


@pytest.mark.parametrize("where, expected", [
    ("created = 2026-03-01", ["CUS-0002"]),
    ("created != 2026-03-01", ["CUS-0001", "CUS-0003"]),
    ("created > 2026-03-01", ["CUS-0003"]),
    ("created >= 2026-03-01", ["CUS-0002", "CUS-0003"]),
    ("created < 2026-03-01", ["CUS-0001"]),
    ("created <= 2026-03-01", ["CUS-0001", "CUS-0002"]),
    ("created ~ ^2026-0", ["CUS-0001", "CUS-0002"]),
    ("last_contact >= 2026-10-01", ["CUS-0001", "CUS-0003"]),
])
def test_dates(query_ws, where, expected):
    assert ids(query_ws, "customers", where) == expected


@pytest.mark.parametrize("where, expected", [
    ("amount = 30000.5", ["RCV-0003"]),  # numbers compare by value: 30000.5 = 30000.50
    ("amount != 30000.50", ["RCV-0001", "RCV-0002"]),
    ("amount > 40000", ["RCV-0002"]),
    ("amount >= 40000", ["RCV-0001", "RCV-0002"]),
    ("amount < 40000", ["RCV-0003"]),
    ("amount <= 40000", ["RCV-0001", "RCV-0003"]),
    ("amount ~ \\.5$", ["RCV-0003"]),
    ("balance > 0", ["RCV-0002", "RCV-0003"]),
    ("paid = 0", ["RCV-0003"]),
    ("days_overdue > 60", ["RCV-0002"]),
    ("days_overdue = 0", ["RCV-0001", "RCV-0003"]),
])
def test_numbers(query_ws, where, expected):
    assert ids(query_ws, "receivables", where) == expected


@pytest.mark.parametrize("collection, where, expected", [
    ("customers", "key = true", ["CUS-0001"]),
    ("customers", "key = FALSE", ["CUS-0002", "CUS-0003"]),  # the default applies
    ("customers", "key != true", ["CUS-0002", "CUS-0003"]),
    ("visits", "effective = false", ["VIS-0002"]),
    ("visits", "effective > false", ["VIS-0001", "VIS-0003"]),
    ("visits", "effective ~ ^t", ["VIS-0001", "VIS-0003"]),
    ("contracts", "counted = true", ["CON-0001"]),
])
def test_booleans(query_ws, collection, where, expected):
    assert ids(query_ws, collection, where) == expected


@pytest.mark.parametrize("collection, where, expected", [
    ("customers", "tier = null", ["CUS-0003"]),
    ("customers", "tier != null", ["CUS-0001", "CUS-0002"]),
    ("customers", "tier != A", ["CUS-0002", "CUS-0003"]),  # != is the opposite of =: absent included
    ("customers", "tier <= B", ["CUS-0001", "CUS-0002"]),
    ("customers", "tags = null", ["CUS-0003"]),
    ("customers", "contacts = null", ["CUS-0003"]),
    ("customers", "contacts.title = null", ["CUS-0002", "CUS-0003"]),  # a contact without a title
    ("visits", "next = null", ["VIS-0002", "VIS-0003"]),
    ("visits", "next != null", ["VIS-0001"]),
    ("receivables", "written_off = NULL", ["RCV-0001", "RCV-0002", "RCV-0003"]),
    ("contracts", "pending_stage = null", ["CON-0001"]),
    ("receivables", "next_step = null", ["RCV-0001", "RCV-0003"]),
])
def test_null_is_absent(query_ws, collection, where, expected):
    assert ids(query_ws, collection, where) == expected


def test_quoted_null_is_text(query_ws):
    assert ids(query_ws, "customers", "region = 'null'") == []


# --- lists: a list matches when any element does --------------------------------------------

@pytest.mark.parametrize("collection, where, expected", [
    ("customers", "tags = vip", ["CUS-0001"]),
    ("customers", "tags = manufacturing", ["CUS-0001"]),
    ("customers", "tags != vip", ["CUS-0002", "CUS-0003"]),  # no tag equals vip
    ("customers", "tags ~ ^LOG", ["CUS-0002"]),
    ("customers", "contacts.name ~ 王", ["CUS-0001"]),
    ("customers", "contacts.name = 李娜", ["CUS-0001"]),
    ("customers", "contacts.primary = true", ["CUS-0001"]),
    ("customers", "contacts.email ~ example$", ["CUS-0001", "CUS-0002"]),
    ("receivables", "payments.amount > 30000", ["RCV-0001"]),
    ("receivables", "payments.date >= 2026-10-01", ["RCV-0002"]),
    ("receivables", "collection.channel = phone", ["RCV-0002"]),
    ("contracts", "items.unit_price < 50000", ["CON-0002"]),
    ("contracts", "approvals.stage = finance", ["CON-0001"]),
    ("contracts", "approvals.comment ~ 同意", ["CON-0002"]),
    ("reviews", "self.teamwork >= 80", ["REV-0001"]),
    ("reviews", "manager.attitude = null", ["REV-0001"]),
])
def test_lists_and_nested_fields(query_ws, collection, where, expected):
    assert ids(query_ws, collection, where) == expected


# --- derived fields -----------------------------------------------------------------------

@pytest.mark.parametrize("collection, where, expected", [
    ("receivables", "status = overdue", ["RCV-0002"]),
    ("receivables", "status ~ open|partial|overdue", ["RCV-0002", "RCV-0003"]),  # unpaid
    ("receivables", "bucket = 61-90", ["RCV-0002"]),
    ("receivables", "next_step.action = onsite", ["RCV-0002"]),
    ("receivables", "next_step.date = 2026-10-30", ["RCV-0002"]),
    ("receivables", "last_action.channel = phone", ["RCV-0002"]),
    ("receivables", "customer = CUS-0002", ["RCV-0003"]),
    ("receivables", "owner = zhang", ["RCV-0001", "RCV-0002"]),
    ("contracts", "pending_stage = legal", ["CON-0002"]),
    ("contracts", "waiting_days <= 27", ["CON-0002"]),
    ("contracts", "waiting_since = 2026-11-03", ["CON-0002"]),
    ("contracts", "balance = 40000", ["CON-0001"]),
    ("contracts", "paid > 0", ["CON-0001"]),
    ("contracts", "currency = CNY", ["CON-0001", "CON-0002"]),  # the workspace default
    ("customers", "days_since_contact > 30", ["CUS-0002", "CUS-0003"]),
    ("customers", "follow_up_days = 14", ["CUS-0001"]),  # key account: rules, not its own
    ("customers", "follow_up_days = 10", ["CUS-0003"]),  # its own
])
def test_derived_fields(query_ws, collection, where, expected):
    assert ids(query_ws, collection, where) == expected


def test_derived_fields_follow_as_of(query_ws):
    query = compile_query("receivables", query_ws.config, where=["status = overdue"])
    assert [r["id"] for r in query.run(query_ws, date(2026, 9, 30))] == []  # due that day: not yet overdue
    rows = query.run(query_ws, date(2026, 10, 5))
    assert [(r["id"], r["paid"], r["days_overdue"], r["bucket"]) for r in rows] == [
        ("RCV-0002", Decimal("0"), 5, "1-30")]  # the payment of 10-10 does not count yet


def test_several_conditions_must_all_hold(query_ws):
    assert ids(query_ws, "customers", "owner = zhang", "days_since_contact > 30") == ["CUS-0003"]


# --- sorting, selecting, limiting ---------------------------------------------------------

def test_default_order_is_by_id(query_ws):
    assert ids(query_ws, "visits") == ["VIS-0001", "VIS-0002", "VIS-0003"]


def test_sort_descending_and_by_several_keys(query_ws):
    assert ids(query_ws, "receivables", sort=["-balance"]) == ["RCV-0002", "RCV-0003", "RCV-0001"]
    assert ids(query_ws, "receivables", sort=["owner", "-amount"]) == ["RCV-0003", "RCV-0002", "RCV-0001"]
    assert ids(query_ws, "visits", sort=["rep", "date"]) == ["VIS-0002", "VIS-0003", "VIS-0001"]


def test_sort_is_stable(query_ws):
    # equal keys keep the id order, ascending or descending
    assert ids(query_ws, "customers", sort=["owner"]) == ["CUS-0002", "CUS-0001", "CUS-0003"]
    assert ids(query_ws, "customers", sort=["-owner"]) == ["CUS-0001", "CUS-0003", "CUS-0002"]
    assert ids(query_ws, "receivables", sort=["days_overdue"]) == ["RCV-0001", "RCV-0003", "RCV-0002"]


def test_absent_values_sort_last_either_way(query_ws):
    assert ids(query_ws, "customers", sort=["tier"]) == ["CUS-0001", "CUS-0002", "CUS-0003"]
    assert ids(query_ws, "customers", sort=["-tier"]) == ["CUS-0002", "CUS-0001", "CUS-0003"]


def test_a_list_sorts_by_its_first_value(query_ws):
    assert ids(query_ws, "customers", sort=["contacts.name"]) == ["CUS-0002", "CUS-0001", "CUS-0003"]


def test_limit_applies_after_sorting(query_ws):
    assert ids(query_ws, "receivables", sort=["-balance"], limit=1) == ["RCV-0002"]
    assert ids(query_ws, "receivables", limit=0) == []


def test_select_keeps_the_shape_of_lists(query_ws):
    query = compile_query("customers", query_ws.config, fields=["id,contacts.name", "tags"])
    row = query.run(query_ws, TODAY)[0]
    assert query.select(row, query.columns) == {"id": "CUS-0001", "contacts.name": ["王强", "李娜"],
                                                "tags": ["vip", "manufacturing"]}


# --- bad expressions are usage errors that name the field --------------------------------

@pytest.mark.parametrize("collection, parts, message", [
    ("receivables", {"where": ["balanse > 0"]}, "receivables have no field 'balanse'; did you mean 'balance'?"),
    ("customers", {"where": ["contacts.nmae ~ 王"]}, "did you mean 'contacts.name'?"),
    ("customers", {"where": ["zzz = 1"]}, "customers have no field 'zzz'; fields: id, name, owner,"),
    ("customers", {"where": ["name"]}, "expected FIELD OP VALUE"),
    ("customers", {"where": ["= x"]}, "customers have no field (nothing)"),
    ("customers", {"where": ["name =="]}, "the operator is = (one sign), not =="),
    ("customers", {"where": ["name ="]}, "missing value after ="),
    ("customers", {"where": ["tier > null"]}, "null only goes with = and !="),
    ("customers", {"where": ["name ~ ("]}, "'(' is not a regular expression"),
    ("customers", {"where": ["created > 2026-02-30"]}, "created is a date; '2026-02-30' is not a real date"),
    ("customers", {"where": ["created > yesterday"]}, "'yesterday' is not a date (YYYY-MM-DD, YYYYMMDD, today, today+N or today-N)"),
    ("receivables", {"where": ["amount > 1,000"]}, "amount is a number; '1,000' is not a number"),
    ("receivables", {"where": ["amount > NaN"]}, "'NaN' is not a number"),
    ("customers", {"where": ["key = yes"]}, "key is true or false; 'yes' is neither"),
    ("receivables", {"where": ["status = overdu"]}, "did you mean 'overdue'?"),
    ("receivables", {"where": ["bucket = 91"]}, "bucket is one of 1-30, 31-60, 61-90, 91+"),
    ("contracts", {"where": ["pending_stage = lawyer"]}, "pending_stage is one of manager, legal, finance"),
    ("customers", {"where": ["contacts = 王强"]}, "contacts is a group of fields; compare one of them (contacts.name,"),
    ("receivables", {"where": ["next_step ~ onsite"]}, "next_step.action, next_step.date"),
    ("receivables", {"sort": ["-next_step"]}, "-s '-next_step': next_step is a group of fields; sort by one"),
    ("receivables", {"sort": ["-balanse"]}, "-s '-balanse': receivables have no field 'balanse'; did you mean"),
    ("customers", {"fields": ["id,nmae"]}, "-f 'id,nmae': customers have no field 'nmae'; did you mean 'name'?"),
    ("customers", {"fields": [","]}, "-f: no field named"),
    ("customers", {"limit": -1}, "--limit -1: must be 0 or more"),
])
def test_usage_errors(query_ws, collection, parts, message):
    assert message in usage_error(query_ws, collection, **parts)


# --- ~ is bounded: a pattern runs in time linear in the text ------------------------------

@pytest.fixture(scope="module")
def backtracking(tmp_path_factory):
    root = write_workspace(tmp_path_factory.mktemp("backtracking") / "ws", BACKTRACKING)
    return root, load(root).usable()


def test_a_backtracking_pattern_answers_at_once(query_ws):
    query = compile_query("customers", query_ws.config, where=["notes ~ (a+)+$", "notes ~ (a|aa)+$"])
    # 26 a's and a '!': a backtracking engine needs 2**25 tries for the first (seconds); a linear one
    # a few microseconds for both
    started = time.monotonic()
    assert [c.holds({"notes": "a" * 26 + "!"}) for c in query.conditions] == [False, False]
    assert [c.holds({"notes": "a" * 26}) for c in query.conditions] == [True, True]
    assert time.monotonic() - started < 1


def test_deeply_nested_groups_are_an_ordinary_pattern(backtracking):
    _, ws = backtracking
    assert ids(ws, "customers", f"notes ~ ^{NESTED}") == ["CUS-0001", "CUS-0002"]


@pytest.mark.parametrize("pattern, message", [
    ("a{4294967296}", "invalid repetition size: {4294967296} (a repetition goes up to 1000, nested ones multiplied)"),
    ("a{1,1001}", "invalid repetition size: {1,1001} (a repetition goes up to 1000"),
    ("a\\\\{5000}", "invalid repetition size: {5000}"),  # an escaped backslash, then a count
    ("(?:a{100}){11}", "invalid repetition size: {11} (a repetition goes up to 1000, nested ones multiplied)"),
    ("a(?=b)", "invalid perl operator: (?= (look-around is not supported)"),
    ("(a)\\1", "invalid escape sequence: \\1 (back-references and \\Z are not supported; \\z is the end"),
    ("\udcff", "'\\udcff' is not a regular expression: it holds bytes that are not UTF-8"),  # argv byte 0xff
])
def test_patterns_beyond_the_engine_are_usage_errors(query_ws, pattern, message):
    assert message in usage_error(query_ws, "customers", where=[f"name ~ {pattern}"])


@pytest.mark.parametrize("where, expected", [
    ("notes ~ full$", ["CUS-0003"]),  # $ also before the newline that ends a YAML block
    ("notes ~ ^paid", []),  # ^ is the start of the value, not of a line
    ("notes ~ (?m)^paid", ["CUS-0003"]),
    ("name ~ \\p{Han}", ["CUS-0001", "CUS-0002", "CUS-0003"]),
    ("notes ~ A{3}", ["CUS-0001", "CUS-0002"]),
    ("notes ~ a\\{3}", []),  # an escaped brace is text
    ("name ~ \\w", []),  # \w is ASCII: [0-9A-Za-z_]
])
def test_pattern_syntax(backtracking, where, expected):
    _, ws = backtracking
    assert ids(ws, "customers", where) == expected


@pytest.mark.parametrize("collection, where", [
    ("receivables", ("status = overdue",)),  # derived fields alone: tested without the stored ones
    ("receivables", ("status = overdue", "amount > 1000")),
    ("receivables", ("customer.name ~ 有限",)),  # a derived reference
    ("receivables", ("contract.title ~ 培训",)),  # a stored one
    ("customers", ("follow_up_days > 10",)),  # a name both stored and derived: the derived value
    ("contracts", ("balance > 0", "currency = CNY")),
])
def test_a_condition_holds_for_exactly_the_rows_it_describes(query_ws, collection, where):
    """Whatever the query tests, the rows kept are those whose full row satisfies every condition."""
    from salesctl.query.query import record_row

    query = compile_query(collection, query_ws.config, where=where)
    full = [record_row(query_ws, r, TODAY) for r in sorted(query_ws.records[collection], key=lambda r: r.id)]
    refs_query = compile_query(collection, query_ws.config, where=where, fields=("id",))
    from salesctl.query import refs
    from salesctl.query.query import references

    refs.attach(query_ws, full, references(collection), refs_query.referred())
    expected = [row["id"] for row in full if all(c.holds(row) for c in query.conditions)]
    assert ids(query_ws, collection, *where) == expected


@pytest.mark.parametrize("op", ["=", "!="])
@pytest.mark.parametrize("value", ["overdue", Decimal("0"), 0, date(2026, 1, 1), True])
def test_a_condition_on_one_field_holds_as_the_general_test_says(op, value):
    """`status = overdue` is tested on the value itself; the answer is that of `leaves`."""
    rows = [{}, {"f": None}, {"f": value}, {"f": "other"}, {"f": [value, "x"]}, {"f": []}, {"f": [None]},
            {"f": {"a": value}}, {"f": Decimal("0.00")}, {"f": False}, {"f": 1}]
    fast = Condition("f", ("f",), op, value)
    general = Condition("f", ("f",), op, value)
    object.__setattr__(general, "single", False)
    assert fast.single
    assert [fast.holds(row) for row in rows] == [general.holds(row) for row in rows]
