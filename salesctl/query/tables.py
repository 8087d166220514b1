"""The workspace as relational tables (docs/commands.md#tables: sql, export) and the read-only database.

The tables follow the record formats (`records.SCHEMAS`) and the derived fields (`derive.DERIVED`),
so a new field appears here by itself:
- one table per collection, one row per record, `id` its primary key; the columns are the
  fields (snake_case, as in YAML) followed by the derived fields, computed as of a date;
- a mapping becomes one column per sub-field, `<field>_<sub>` (visits `next_date`, receivables
  `written_off_reason`, `next_step_action`, `last_action_channel`);
- a list of entries becomes a child table (contacts, contract_items, approvals, payments,
  collection_actions) whose first columns are the parent's id, named after the parent
  (`customer`, `contract`, `receivable`), and `idx`, the entry's position in the list from 0;
- a list of values (tags) and the review scores (self, manager) are JSON text, for json_each()
  and json_extract();
- `activity` holds every rep's figures of `report activity --by day`, one row per rep and day from
  the first day any rep visited or signed to the as-of date.
Values: text and dates (ISO) are TEXT, whole numbers and booleans (0/1) INTEGER, money and other
numbers REAL. An amount has at most 15 significant digits (≤ 9,999,999,999,999.99, two decimals),
which a REAL keeps exactly: it reads back as the same Decimal (`from_sql`).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..derive import DERIVED
from ..errors import SQLError, SQLRefused, SQLStopped
from ..model.records import COLLECTIONS, SCHEMAS, SINGULAR, Field
from ..reports.activity import daily_activity
from .query import pick, record_row

TABLE_NAMES = ("team", "customers", "contacts", "visits", "contracts", "contract_items", "approvals",
               "receivables", "payments", "collection_actions", "reviews", "activity")
CHILD_TABLES = {
    ("customers", "contacts"): "contacts",
    ("contracts", "items"): "contract_items",
    ("contracts", "approvals"): "approvals",
    ("receivables", "payments"): "payments",
    ("receivables", "collection"): "collection_actions",
}
TEAM_COLUMNS = ("id", "name", "role", "group", "manager", "email")
ACTIVITY_COLUMNS = {"rep": Field("ref", ref="team"), "date": Field("date"), "workdays": Field("int"),
                    "calls": Field("int"), "effective_calls": Field("int"), "visits": Field("int"),
                    "effective": Field("int"), "customers": Field("int"), "deals": Field("int"),
                    "signed_amount": Field("amount"), "target_calls": Field("int"), "target_effective": Field("int")}
SQL_TYPES = {"amount": "REAL", "number": "REAL", "int": "INTEGER", "bool": "INTEGER"}


@dataclass(frozen=True)
class Column:
    name: str
    field: Field  # the type of the values (for SQL, JSON text, Excel formats)
    path: tuple  # where the value is in a row (or in an entry, for a child table)

    @property
    def sql_type(self) -> str:
        return SQL_TYPES.get(self.field.kind, "TEXT")


@dataclass
class Table:
    name: str
    columns: list  # of Column
    key: tuple  # primary key column names
    rows: list  # of tuples of Python values (Decimal, date, bool, list, ...)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


# --- the layout ----------------------------------------------------------------------------

def record_columns(collection: str) -> list[Column]:
    """The columns of a collection's own table: fields, then derived fields; mappings flattened."""
    columns = []
    for name, spec in {**SCHEMAS[collection], **DERIVED[collection]}.items():
        if spec.kind == "list" and spec.item.kind == "map":
            continue  # a child table
        if spec.kind == "map":
            columns.extend(Column(f"{name}_{sub}", sub_spec, (name, sub)) for sub, sub_spec in spec.schema.items())
        else:
            columns.append(Column(name, spec, (name,)))
    return columns


def child_columns(collection: str, field: str) -> list[Column]:
    """Parent id, idx, then the entry's fields."""
    parent = SINGULAR[collection]
    entry = SCHEMAS[collection][field].item.schema
    return [Column(parent, Field("ref", ref=collection), ()), Column("idx", Field("int"), ()),
            *(Column(name, spec, (name,)) for name, spec in entry.items())]


def layout() -> dict[str, list[Column]]:
    """Every table's columns, in the order of TABLE_NAMES."""
    tables = {"team": [Column(name, Field("text"), (name,)) for name in TEAM_COLUMNS],
              "activity": [Column(name, spec, (name,)) for name, spec in ACTIVITY_COLUMNS.items()]}
    for collection in COLLECTIONS:
        tables[collection] = record_columns(collection)
        for (parent, field), child in CHILD_TABLES.items():
            if parent == collection:
                tables[child] = child_columns(collection, field)
    return {name: tables[name] for name in TABLE_NAMES}


# --- the rows ------------------------------------------------------------------------------

def workspace_tables(ws, as_of: date) -> list[Table]:
    """All tables of the workspace, derived columns as of `as_of`; records in id order."""
    columns = layout()
    rows: dict[str, list] = {name: [] for name in TABLE_NAMES}
    rows["team"] = [tuple(member.get(c) for c in TEAM_COLUMNS) for member in ws.config.team]
    for collection in COLLECTIONS:
        for record in sorted(ws.records[collection], key=lambda r: str(r.id)):
            row = record_row(ws, record, as_of)
            rows[collection].append(tuple(pick(row, c.path) for c in columns[collection]))
            for (parent, field), child in CHILD_TABLES.items():
                if parent == collection:
                    for idx, entry in enumerate(row.get(field, ())):
                        rows[child].append((record.id, idx, *(pick(entry, c.path) for c in columns[child][2:])))
    rows["activity"] = [(row["rep"], date.fromisoformat(row["bucket"]), *(row[c] for c in list(ACTIVITY_COLUMNS)[2:]))
                        for row in daily_activity(ws, as_of)]
    return [Table(name, columns[name], _key(name), rows[name]) for name in TABLE_NAMES]


def _key(name: str) -> tuple:
    if name == "activity":
        return ("rep", "date")
    for (parent, _), child in CHILD_TABLES.items():
        if child == name:
            return (SINGULAR[parent], "idx")
    return ("id",)


_NATIVE = {str, int, type(None)}  # stored as they are (bool is not int here: type(True) is bool)


def to_sql(value):
    """A Python value as SQLite stores it (see the module docstring)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(_plain(value), ensure_ascii=False)
    return value


def from_sql(column: Column, value):
    """A stored value back as the Python value it was built from (the inverse of `to_sql`)."""
    if value is None:
        return None
    kind = column.field.kind
    if kind == "bool":
        return bool(value)
    if kind in ("amount", "number"):
        return Decimal(repr(float(value)))
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "scores":
        return json.loads(value, parse_float=Decimal, parse_int=Decimal)
    if kind == "list":
        return json.loads(value)
    return value


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def create_tables(connection: sqlite3.Connection, tables: list[Table]) -> None:
    """CREATE and fill every table (identifiers quoted: `group` and `primary` are SQL keywords)."""
    for table in tables:
        columns = ", ".join(f'"{c.name}" {c.sql_type}' for c in table.columns)
        key = ", ".join(f'"{k}"' for k in table.key)
        connection.execute(f'CREATE TABLE "{table.name}" ({columns}, PRIMARY KEY ({key}))')
        marks = ", ".join("?" * len(table.columns))
        connection.executemany(f'INSERT INTO "{table.name}" VALUES ({marks})',
                               (tuple(v if type(v) in _NATIVE else to_sql(v) for v in row) for row in table.rows))


# --- the read-only database for `salesctl sql` ----------------------------------------------

@dataclass(frozen=True)
class Limits:
    """How far one statement may go.

    `seconds`: a progress handler stops the statement at this deadline (fetching its rows included).
    `memory_mb`: SQLite's memory, the workspace tables included, is capped there (temporary tables
    and sorts are kept in memory, so they count too, and no temporary file is written); so is the
    size of the rows returned, as Python holds them. SQLite's cap is for the whole process and can
    only be lowered: the lowest asked for in a process holds for every database opened after it.
    """

    seconds: float = 5.0
    memory_mb: int = 256


# What a query may do. Anything else (INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, ATTACH, DETACH,
# transactions, savepoints, other pragmas, VACUUM INTO) is denied by the authorizer; on top of it
# the connection is `query_only`.
_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE}
READ_PRAGMAS = ("table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
                "foreign_key_list", "database_list", "collation_list", "function_list", "module_list",
                "pragma_list", "compile_options")
# The functions a statement may call: SQLite's own for analysis (those of a later SQLite than the
# one at hand are simply not there). Left out: full-text search and R-tree internals
# (fts3_tokenizer() hands out and takes in raw pointers), load_extension, sqlite_log, and the ones
# that only make sense for a database that is written to.
FUNCTIONS = frozenset("""
    avg count group_concat max min sum total string_agg median percentile percentile_cont percentile_disc
    row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
    date time datetime julianday unixepoch strftime timediff current_date current_time current_timestamp
    length octet_length lower upper trim ltrim rtrim substr substring replace instr like glob printf format
    quote hex unhex char unicode concat concat_ws soundex unistr
    abs round sign ceil ceiling floor trunc ln log log2 log10 exp pow power sqrt mod pi degrees radians
    sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh random randomblob
    json json_array json_array_length json_error_position json_extract json_insert json_object json_patch
    json_pretty json_quote json_remove json_replace json_set json_type json_valid json_group_array
    json_group_object jsonb jsonb_array jsonb_extract jsonb_insert jsonb_object jsonb_patch jsonb_remove
    jsonb_replace jsonb_set jsonb_group_array jsonb_group_object -> ->>
    coalesce ifnull iif if nullif typeof likelihood likely unlikely sqlite_version
""".split())
# Table-valued functions are created on first use by a write to sqlite_master, which the
# authorizer would deny: create them before it is installed.
_TABLE_FUNCTIONS = ("json_each", "json_tree", *(f"pragma_{p}" for p in READ_PRAGMAS))
_SCHEMA_TABLES = ("sqlite_master", "sqlite_temp_master")
_ACTIONS = {getattr(sqlite3, f"SQLITE_{name}"): name.replace("_", " ") for name in (
    "CREATE_INDEX", "CREATE_TABLE", "CREATE_TEMP_INDEX", "CREATE_TEMP_TABLE", "CREATE_TEMP_TRIGGER",
    "CREATE_TEMP_VIEW", "CREATE_TRIGGER", "CREATE_VIEW", "DELETE", "DROP_INDEX", "DROP_TABLE",
    "DROP_TEMP_INDEX", "DROP_TEMP_TABLE", "DROP_TEMP_TRIGGER", "DROP_TEMP_VIEW", "DROP_TRIGGER", "DROP_VIEW",
    "INSERT", "PRAGMA", "TRANSACTION", "UPDATE", "ATTACH", "DETACH", "ALTER_TABLE", "REINDEX", "ANALYZE",
    "CREATE_VTABLE", "DROP_VTABLE", "SAVEPOINT")}
_PROGRESS_STEPS = 1000  # SQLite virtual-machine steps between two looks at the clock
_MB = 1 << 20


class ReadOnlyDatabase:
    """An in-memory SQLite database of the workspace that SQLite itself keeps read-only, each
    statement within `limits`."""

    def __init__(self, tables: list[Table], limits: Limits = Limits()):
        self.limits = limits
        self.connection = sqlite3.connect(":memory:", isolation_level=None)
        self.connection.execute(f"PRAGMA hard_heap_limit = {limits.memory_mb * _MB}")
        self.connection.execute("PRAGMA temp_store = MEMORY")
        try:
            create_tables(self.connection, tables)
        except MemoryError:
            raise SQLStopped(f"the workspace tables need more than {limits.memory_mb} MB of memory", "memory") from None
        for function in _TABLE_FUNCTIONS:
            self.connection.execute(f"SELECT * FROM {function} LIMIT 0").fetchall()
        self.connection.execute("PRAGMA query_only = ON")
        self._denied: list[tuple] = []
        self._deadline = 0.0
        self._timed_out = False
        self.connection.set_authorizer(self._authorize)
        self.connection.set_progress_handler(self._past_deadline, _PROGRESS_STEPS)

    def _authorize(self, action, arg1, arg2, database, trigger):
        if (action in _ALLOWED or (action == sqlite3.SQLITE_PRAGMA and arg1 in READ_PRAGMAS)
                or (action == sqlite3.SQLITE_FUNCTION and arg2.lower() in FUNCTIONS)):
            return sqlite3.SQLITE_OK
        self._denied.append((action, arg1, arg2))
        return sqlite3.SQLITE_DENY

    def _past_deadline(self) -> bool:
        """Asked by SQLite as the statement runs: true stops it (SQLITE_INTERRUPT)."""
        self._timed_out = time.monotonic() > self._deadline
        return self._timed_out

    def _refusal(self) -> str:
        """What was denied, in the user's terms. SQLite asks first about its own schema table:
        an update there is a table-valued function being set up, any other write a schema change."""
        action, arg1, arg2 = self._denied[0] if self._denied else (None, None, None)
        if action == sqlite3.SQLITE_FUNCTION:
            return (f"salesctl sql does not offer the function {arg2}(); it offers SQLite's aggregate, window, "
                    "date and time, text, math and JSON functions")
        if arg1 in _SCHEMA_TABLES:
            if action == sqlite3.SQLITE_UPDATE:
                what = f"this table-valued function (available: {', '.join(_TABLE_FUNCTIONS)})"
            else:
                what = "changing the database schema (CREATE, DROP, ANALYZE ...)"
        else:
            words = [_ACTIONS.get(action, "writing"), arg1, arg2 if action == sqlite3.SQLITE_PRAGMA else None]
            what = " ".join(str(w) for w in words if w)
        return f"salesctl sql only reads; not allowed: {what}"

    def query(self, sql: str) -> tuple[list[str], list[tuple]]:
        """Column names and rows of one read-only statement."""
        if not sql.strip():
            raise SQLError("no SQL statement given")
        self._denied = []
        self._timed_out = False
        self._deadline = time.monotonic() + self.limits.seconds
        try:
            cursor = self.connection.execute(sql)
            rows = self._fetch(cursor)
        except MemoryError:
            raise SQLStopped(f"the statement needed more than {self.limits.memory_mb} MB of memory", "memory") from None
        except UnicodeEncodeError:  # SQLite reads UTF-8; an argument of other bytes arrives as lone surrogates
            raise SQLError("the statement holds bytes that are not UTF-8") from None
        except (sqlite3.Error, sqlite3.Warning) as exc:
            if self._timed_out:
                raise SQLStopped(f"the statement ran longer than {self.limits.seconds:g} seconds", "time") from None
            if self._denied or getattr(exc, "sqlite_errorname", "") == "SQLITE_READONLY":
                raise SQLRefused(self._refusal()) from None
            raise SQLError(str(exc)) from None
        return [d[0] for d in cursor.description or ()], rows

    def _fetch(self, cursor) -> list[tuple]:
        """The rows, until they take more memory than the limit (counted as Python holds them)."""
        rows, size = [], 0
        for row in cursor:
            size += sys.getsizeof(row) + sum(map(sys.getsizeof, row))
            if size > self.limits.memory_mb * _MB:
                cursor.close()
                raise SQLStopped(f"the result is larger than {self.limits.memory_mb} MB", "memory")
            rows.append(row)
        return rows


def open_database(ws, as_of: date, limits: Limits = Limits()) -> ReadOnlyDatabase:
    return ReadOnlyDatabase(workspace_tables(ws, as_of), limits)
