"""`salesctl query`: the -w grammar on every type, lists, derived fields, sorting, fields, formats."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import date
from decimal import Decimal

import pytest
from ruamel.yaml import YAML
from wcwidth import wcswidth

from conftest import write_workspace
from query_fixture import AS_OF, FILES
from salesctl import derive
from salesctl.errors import QueryError
from salesctl.query.query import DERIVED, compile_query, field_catalogue, resolve_collection
from salesctl.model.records import COLLECTIONS
from salesctl.load.pipeline import load

TODAY = date.fromisoformat(AS_OF)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return write_workspace(tmp_path_factory.mktemp("query") / "ws", FILES)


@pytest.fixture(scope="module")
def ws(root):
    return load(root).usable()


def ids(ws, collection, *where, sort=(), limit=None):
    query = compile_query(collection, ws.config, where=where, sort=sort, limit=limit)
    return [row["id"] for row in query.run(ws, TODAY)]


def usage_error(ws, collection, **parts) -> str:
    with pytest.raises(QueryError) as info:
        compile_query(collection, ws.config, **parts)
    return str(info.value)


# --- fields --------------------------------------------------------------------------------

def test_the_fixture_is_valid(root):
    assert [p.format() for p in load(root).problems] == []


def test_derived_field_types_cover_exactly_what_derive_computes(ws):
    for collection in COLLECTIONS:
        record = ws.records[collection][0]
        assert set(DERIVED[collection]) == set(derive.derived_fields(ws, record, TODAY)), collection


def test_catalogue_has_stored_derived_and_dotted_fields(ws):
    customers = field_catalogue("customers", ws.config)
    assert {"name", "contacts", "contacts.name", "contacts.primary", "tags", "days_since_contact"} <= set(customers)
    receivables = field_catalogue("receivables", ws.config)
    assert {"payments.amount", "collection.channel", "written_off.reason", "next_step.action",
            "last_action.channel", "bucket", "status"} <= set(receivables)
    reviews = field_catalogue("reviews", ws.config)
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
def test_text(ws, where, expected):
    assert ids(ws, "customers", where) == expected


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
def test_dates(ws, where, expected):
    assert ids(ws, "customers", where) == expected


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
def test_numbers(ws, where, expected):
    assert ids(ws, "receivables", where) == expected


@pytest.mark.parametrize("collection, where, expected", [
    ("customers", "key = true", ["CUS-0001"]),
    ("customers", "key = FALSE", ["CUS-0002", "CUS-0003"]),  # the default applies
    ("customers", "key != true", ["CUS-0002", "CUS-0003"]),
    ("visits", "effective = false", ["VIS-0002"]),
    ("visits", "effective > false", ["VIS-0001", "VIS-0003"]),
    ("visits", "effective ~ ^t", ["VIS-0001", "VIS-0003"]),
    ("contracts", "counted = true", ["CON-0001"]),
])
def test_booleans(ws, collection, where, expected):
    assert ids(ws, collection, where) == expected


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
def test_null_is_absent(ws, collection, where, expected):
    assert ids(ws, collection, where) == expected


def test_quoted_null_is_text(ws):
    assert ids(ws, "customers", "region = 'null'") == []


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
def test_lists_and_nested_fields(ws, collection, where, expected):
    assert ids(ws, collection, where) == expected


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
def test_derived_fields(ws, collection, where, expected):
    assert ids(ws, collection, where) == expected


def test_derived_fields_follow_as_of(ws):
    query = compile_query("receivables", ws.config, where=["status = overdue"])
    assert [r["id"] for r in query.run(ws, date(2026, 9, 30))] == []  # due that day: not yet overdue
    rows = query.run(ws, date(2026, 10, 5))
    assert [(r["id"], r["paid"], r["days_overdue"], r["bucket"]) for r in rows] == [
        ("RCV-0002", Decimal("0"), 5, "1-30")]  # the payment of 10-10 does not count yet


def test_several_conditions_must_all_hold(ws):
    assert ids(ws, "customers", "owner = zhang", "days_since_contact > 30") == ["CUS-0003"]


# --- sorting, selecting, limiting ---------------------------------------------------------

def test_default_order_is_by_id(ws):
    assert ids(ws, "visits") == ["VIS-0001", "VIS-0002", "VIS-0003"]


def test_sort_descending_and_by_several_keys(ws):
    assert ids(ws, "receivables", sort=["-balance"]) == ["RCV-0002", "RCV-0003", "RCV-0001"]
    assert ids(ws, "receivables", sort=["owner", "-amount"]) == ["RCV-0003", "RCV-0002", "RCV-0001"]
    assert ids(ws, "visits", sort=["rep", "date"]) == ["VIS-0002", "VIS-0003", "VIS-0001"]


def test_sort_is_stable(ws):
    # equal keys keep the id order, ascending or descending
    assert ids(ws, "customers", sort=["owner"]) == ["CUS-0002", "CUS-0001", "CUS-0003"]
    assert ids(ws, "customers", sort=["-owner"]) == ["CUS-0001", "CUS-0003", "CUS-0002"]
    assert ids(ws, "receivables", sort=["days_overdue"]) == ["RCV-0001", "RCV-0003", "RCV-0002"]


def test_absent_values_sort_last_either_way(ws):
    assert ids(ws, "customers", sort=["tier"]) == ["CUS-0001", "CUS-0002", "CUS-0003"]
    assert ids(ws, "customers", sort=["-tier"]) == ["CUS-0002", "CUS-0001", "CUS-0003"]


def test_a_list_sorts_by_its_first_value(ws):
    assert ids(ws, "customers", sort=["contacts.name"]) == ["CUS-0002", "CUS-0001", "CUS-0003"]


def test_limit_applies_after_sorting(ws):
    assert ids(ws, "receivables", sort=["-balance"], limit=1) == ["RCV-0002"]
    assert ids(ws, "receivables", limit=0) == []


def test_select_keeps_the_shape_of_lists(ws):
    query = compile_query("customers", ws.config, fields=["id,contacts.name", "tags"])
    row = query.run(ws, TODAY)[0]
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
    ("customers", {"where": ["created > 2026-02-30"]}, "created is a date; '2026-02-30' is not a date"),
    ("customers", {"where": ["created > yesterday"]}, "'yesterday' is not a date (YYYY-MM-DD)"),
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
def test_usage_errors(ws, collection, parts, message):
    assert message in usage_error(ws, collection, **parts)


# --- the command --------------------------------------------------------------------------

def test_table_has_locale_headings_and_lines_up_chinese(run, root):
    result = run("-C", root, "query", "customers", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["编号", "名称", "负责人", "状态"]
    assert len({wcswidth(line.rstrip()) for line in lines[:2]}) == 1
    name_column = lines[2].index("华东")
    assert all(wcswidth(line[:line.index(name)]) == wcswidth(lines[2][:name_column])
               for line, name in zip(lines[2:], ["华东", "北方", "Lotus"]))


def test_table_headings_in_english_and_for_dotted_fields(run, workspace):
    from conftest import CONFIG

    root = workspace(FILES, config=CONFIG + "locale: en_US\n")
    result = run("-C", root, "query", "customers", "-f", "id,days_since_contact,contacts.name", "--as-of", AS_OF)
    assert result.stdout.splitlines()[0].split("  ")[0] == "ID"
    assert "Days since contact" in result.stdout and "Contacts.Name" in result.stdout
    zh = run("-C", workspace(FILES), "query", "customers", "-f", "contacts.name", "--as-of", AS_OF)
    assert zh.stdout.splitlines()[0].strip() == "联系人.名称"


def test_json_is_a_list_of_records_with_derived_fields(run, root):
    result = run("-C", root, "query", "receivables", "-w", "id = RCV-0002", "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0
    assert '"balance": 40000.00' in result.stdout  # money: 2 decimals
    assert json.loads(result.stdout) == [{
        "id": "RCV-0002", "contract": "CON-0001", "amount": 60000, "due": "2026-09-30", "invoice": "INV-88",
        "payments": [{"date": "2026-10-10", "amount": 20000, "method": "转账", "ref": "B-1"}],
        "collection": [{"date": "2026-10-01", "by": "zhang", "channel": "phone", "note": "已催"}],
        "customer": "CUS-0001", "owner": "zhang", "paid": 20000, "balance": 40000, "status": "overdue",
        "days_overdue": 61, "bucket": "61-90", "next_step": {"action": "onsite", "date": "2026-10-30"},
        "last_action": {"date": "2026-10-01", "by": "zhang", "channel": "phone", "note": "已催"},
    }]


def test_json_with_fields_has_exactly_those_fields(run, root):
    result = run("-C", root, "query", "contracts", "-f", "id", "-f", "balance,approvals.stage",
                 "--format", "json", "--as-of", AS_OF)
    assert json.loads(result.stdout) == [
        {"id": "CON-0001", "balance": 40000, "approvals.stage": ["manager", "legal", "finance"]},
        {"id": "CON-0002", "balance": 30000.5, "approvals.stage": ["manager"]},
    ]


def test_yaml(run, root):
    result = run("-C", root, "query", "customers", "-w", "id = CUS-0003", "--format", "yaml", "--as-of", AS_OF)
    assert YAML(typ="safe").load(result.stdout) == [{
        "id": "CUS-0003", "name": "Lotus Trading", "owner": "zhang", "status": "lead", "key": False,
        "follow_up_days": 10, "created": date(2026, 10, 1), "last_contact": date(2026, 10, 1),
        "days_since_contact": 60,
    }]


def test_csv_has_every_field_by_default_and_lists_joined(run, root):
    result = run("-C", root, "query", "customers", "--format", "csv", "--as-of", AS_OF)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["id", "name", "owner", "status", "tier", "key", "follow_up_days", "industry", "size",
                             "region", "source", "created", "contacts", "tags", "notes", "last_contact",
                             "days_since_contact"]
    assert rows[0]["tags"] == "vip; manufacturing"
    assert rows[0]["key"] == "true" and rows[2]["tier"] == ""
    assert json.loads(rows[1]["contacts"]) == {"name": "Zhao Lei", "email": "zl@bf.example"}


def test_csv_with_fields(run, root):
    result = run("-C", root, "query", "receivables", "-w", "balance > 0", "-s", "-balance", "-f", "id,balance,due",
                 "--format", "csv", "--as-of", AS_OF)
    assert result.stdout == "id,balance,due\nRCV-0002,40000.00,2026-09-30\nRCV-0003,30000.50,2026-12-15\n"


def test_ids(run, root):
    result = run("-C", root, "query", "receivable", "-w", "status ~ overdue|open", "--limit", "5",
                 "--format", "ids", "--as-of", AS_OF)
    assert result.stdout == "RCV-0002\nRCV-0003\n"


def test_nothing_matches(run, root):
    table = run("-C", root, "query", "customers", "-w", "tier = C", "--as-of", AS_OF)
    assert table.exit_code == 0 and table.stdout == "" and "no customers match" in table.stderr
    assert run("-C", root, "query", "customers", "-w", "tier = C", "--format", "json").stdout == "[]\n"
    assert run("-C", root, "query", "customers", "-w", "tier = C", "--format", "csv").stdout.startswith("id,name,")


@pytest.mark.parametrize("args, message", [
    (["query", "customer", "-w", "nmae = x"], "did you mean 'name'?"),
    (["query", "clients"], "no collection 'clients'"),
    (["query", "customers", "--limit", "-1"], "--limit"),
    (["query", "customers", "--format", "xml"], "'xml' is not one of"),
])
def test_bad_input_is_a_usage_error(run, root, args, message):
    result = run("-C", root, *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_records_with_errors_are_left_out_with_one_warning(run, workspace):
    root = workspace({**FILES, "customers/CUS-0009.yaml": "id: CUS-0009\nname: 坏记录\nowner: nobody\ncreated: 2026-01-01\n"})
    result = run("-C", root, "query", "customers", "--format", "ids")
    assert result.exit_code == 0
    assert result.stdout == "CUS-0001\nCUS-0002\nCUS-0003\n"
    assert result.stderr == ("warning: 1 errors in the workspace, records with errors left out; "
                             "run salesctl validate\n")
    strict = run("-C", root, "query", "customers", "--strict")
    assert strict.exit_code == 1 and "unknown-ref" in strict.stderr


# --- ~ is bounded: a pattern runs in time linear in the text ------------------------------

# Notes that a backtracking engine takes minutes over with (a+)+$ (30 a's and a '!': it tries every
# split of the a's between the two +), and a YAML block that ends with a newline.
BACKTRACKING = {
    "customers/CUS-0001.yaml": "{id: CUS-0001, name: 甲, owner: zhang, created: 2026-01-05, notes: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!}\n",
    "customers/CUS-0002.yaml": "{id: CUS-0002, name: 乙, owner: zhang, created: 2026-01-05, notes: aaa}\n",
    "customers/CUS-0003.yaml": "id: CUS-0003\nname: 丙\nowner: zhang\ncreated: 2026-01-05\nnotes: |\n  first line\n  paid in full\n",
}
NESTED = "(" * 5000 + "a" + ")" * 5000


@pytest.fixture(scope="module")
def backtracking(tmp_path_factory):
    root = write_workspace(tmp_path_factory.mktemp("backtracking") / "ws", BACKTRACKING)
    return root, load(root).usable()


def test_a_backtracking_pattern_answers_at_once(ws):
    query = compile_query("customers", ws.config, where=["notes ~ (a+)+$", "notes ~ (a|aa)+$"])
    # 26 a's and a '!': a backtracking engine needs 2**25 tries for the first (seconds); a linear one
    # a few microseconds for both
    started = time.monotonic()
    assert [c.holds({"notes": "a" * 26 + "!"}) for c in query.conditions] == [False, False]
    assert [c.holds({"notes": "a" * 26}) for c in query.conditions] == [True, True]
    assert time.monotonic() - started < 1


def test_deeply_nested_groups_are_an_ordinary_pattern(backtracking, run):
    root, ws = backtracking
    assert ids(ws, "customers", f"notes ~ ^{NESTED}") == ["CUS-0001", "CUS-0002"]
    result = run("-C", root, "query", "customers", "-w", f"notes ~ ^{NESTED}", "--format", "ids")
    assert (result.exit_code, result.stdout) == (0, "CUS-0001\nCUS-0002\n")


@pytest.mark.parametrize("pattern, message", [
    ("a{4294967296}", "invalid repetition size: {4294967296} (a repetition goes up to 1000, nested ones multiplied)"),
    ("a{1,1001}", "invalid repetition size: {1,1001} (a repetition goes up to 1000"),
    ("a\\\\{5000}", "invalid repetition size: {5000}"),  # an escaped backslash, then a count
    ("(?:a{100}){11}", "invalid repetition size: {11} (a repetition goes up to 1000, nested ones multiplied)"),
    ("a(?=b)", "invalid perl operator: (?= (look-around is not supported)"),
    ("(a)\\1", "invalid escape sequence: \\1 (back-references and \\Z are not supported; \\z is the end"),
    ("\udcff", "'\\udcff' is not a regular expression: it holds bytes that are not UTF-8"),  # argv byte 0xff
])
def test_patterns_beyond_the_engine_are_usage_errors(ws, pattern, message):
    assert message in usage_error(ws, "customers", where=[f"name ~ {pattern}"])


def test_a_huge_repetition_is_a_usage_error_not_an_internal_error(run, root):
    result = run("-C", root, "query", "customers", "-w", "name ~ a{4294967296}")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: -w 'name ~ a{4294967296}': 'a{4294967296}' is not a regular expression: "
                                  "invalid repetition size: {4294967296} (a repetition goes up to 1000, nested ones "
                                  "multiplied)\n")


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


# --- show ---------------------------------------------------------------------------------

def test_show_a_customer_with_its_contracts_receivables_and_visits(run, root):
    result = run("-C", root, "show", "CUS-0001", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("客户 CUS-0001  (customers/CUS-0001.yaml)\n")
    assert "负责人        zhang 张伟\n" in text  # a team member with their name
    assert "未联系天数    10\n" in text and "跟进周期(天)  14\n" in text
    assert "\n联系人\n" in text and "采购经理" in text
    assert "\n合同 (1)\n" in text and "\n应收款 (2)\n" in text and "\n拜访 (2)\n" in text
    assert text.index("VIS-0001") < text.index("VIS-0003")  # newest visit first
    assert "onsite 2026-10-30" in text


def test_show_json_document(run, root):
    result = run("-C", root, "show", "RCV-0002", "--format", "json", "--as-of", AS_OF)
    document = json.loads(result.stdout)
    assert document["collection"] == "receivables" and document["path"] == "receivables/RCV-0002.yaml"
    assert document["record"]["balance"] == 40000 and document["record"]["bucket"] == "61-90"
    assert [r["id"] for r in document["related"]["contracts"]] == ["CON-0001"]
    assert [r["id"] for r in document["related"]["customers"]] == ["CUS-0001"]


def test_show_yaml_contract(run, root):
    result = run("-C", root, "show", "CON-0002", "--format", "yaml", "--as-of", AS_OF)
    document = YAML(typ="safe").load(result.stdout)
    assert document["record"]["pending_stage"] == "legal" and document["record"]["waiting_days"] == 27
    assert [r["id"] for r in document["related"]["receivables"]] == ["RCV-0003"]


def test_show_visits_respect_as_of(run, root):
    result = run("-C", root, "show", "CUS-0001", "--format", "json", "--as-of", "2026-07-01")
    document = json.loads(result.stdout)
    assert [v["id"] for v in document["related"]["visits"]] == ["VIS-0003"]
    assert document["record"]["last_contact"] == "2026-06-01"


def test_show_an_unknown_id_suggests_the_right_one(run, root):
    result = run("-C", root, "show", "CUS-001")
    assert result.exit_code == 2 and "no record with id 'CUS-001'; did you mean 'CUS-0001'?" in result.stderr


def test_show_a_record_with_errors_says_so(run, workspace):
    root = workspace({"customers/CUS-0009.yaml": "id: CUS-0009\nname: 坏记录\nowner: nobody\ncreated: 2026-01-01\n"})
    result = run("-C", root, "show", "CUS-0009")
    assert result.exit_code == 1
    assert "CUS-0009 (customers/CUS-0009.yaml) has errors and is left out; run salesctl validate" in result.stderr


def test_show_an_id_used_in_two_collections_notes_the_other(run, workspace):
    root = workspace({**FILES, "visits/X-1.yaml": "{id: CUS-0003, customer: CUS-0003, rep: zhang, date: 2026-11-01, channel: phone}\n"})
    result = run("-C", root, "show", "CUS-0003", "--as-of", AS_OF)
    assert result.exit_code == 0 and result.stdout.startswith("客户 CUS-0003")
    assert "note: CUS-0003 is also a visit (visits/X-1.yaml)" in result.stderr
