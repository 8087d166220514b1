"""The relational tables of `sql` and `export`: their columns, the records and derived values in them
as of a date, and the read-only database (the commands: tests/cli/test_sql.py)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from helpers.query import AS_OF
from salesctl.errors import SQLError, SQLRefused
from salesctl.query.tables import TABLE_NAMES, Column, from_sql, layout, open_database, to_sql
from salesctl.model.records import Field

TODAY = date.fromisoformat(AS_OF)

COLUMNS = {
    "team": "id name role group manager email",
    "customers": "id name owner status tier key follow_up_days industry size region source created tags notes "
                 "last_contact days_since_contact",
    "contacts": "customer idx name title phone email primary",
    "visits": "id customer rep date channel kind effective summary feedback satisfaction next_date next_action",
    "contracts": "id customer owner title status created signed start end currency amount payment_terms template "
                 "notes completed terminated_date terminated_by terminated_reason paid balance pending_stage "
                 "waiting_since waiting_days counted",
    "contract_items": "contract idx name quantity unit unit_price",
    "approvals": "contract idx stage by date decision comment terms",
    "receivables": "id contract amount due invoice written_off_date written_off_by written_off_reason customer owner "
                   "paid balance status days_overdue bucket next_step_action next_step_date last_action_date "
                   "last_action_by last_action_channel last_action_note last_action_promised",
    "payments": "receivable idx date amount method ref",
    "collection_actions": "receivable idx date by channel note promised",
    "reviews": "id rep period reviewer self manager comment",
    "activity": "rep date workdays calls effective_calls visits effective customers deals signed_amount target_calls "
                "target_effective",
}


@pytest.fixture(scope="module")
def db(query_ws):
    return open_database(query_ws, TODAY)


def rows(db, sql):
    return db.query(sql)[1]


def test_the_tables_and_their_columns():
    tables = layout()
    assert tuple(tables) == TABLE_NAMES
    assert {name: " ".join(c.name for c in columns) for name, columns in tables.items()} == COLUMNS


def test_column_types(db):
    types = {name: dict(rows(db, f"SELECT name, type FROM pragma_table_info('{name}')")) for name in TABLE_NAMES}
    assert types["receivables"]["amount"] == "REAL" and types["receivables"]["balance"] == "REAL"
    assert types["receivables"]["due"] == "TEXT" and types["receivables"]["days_overdue"] == "INTEGER"
    assert types["customers"]["key"] == "INTEGER" and types["contract_items"]["quantity"] == "REAL"
    assert rows(db, "SELECT name FROM pragma_table_info('payments') WHERE pk > 0 ORDER BY pk") == [
        ("receivable",), ("idx",)]


def test_records_and_derived_columns_as_of(db):
    assert rows(db, "SELECT id, customer, owner, paid, balance, status, days_overdue, bucket, next_step_action, "
                    "next_step_date, last_action_channel FROM receivables ORDER BY id") == [
        ("RCV-0001", "CUS-0001", "zhang", 40000.0, 0.0, "paid", 0, None, None, None, None),
        ("RCV-0002", "CUS-0001", "zhang", 20000.0, 40000.0, "overdue", 61, "61-90", "onsite", "2026-10-30", "phone"),
        ("RCV-0003", "CUS-0002", "wang", 0.0, 30000.5, "open", 0, None, None, None, None),
    ]
    assert rows(db, "SELECT id, paid, balance, pending_stage, waiting_since, waiting_days, counted, currency "
                    "FROM contracts") == [
        ("CON-0001", 60000.0, 40000.0, None, "2026-02-12", 291, 1, "CNY"),
        ("CON-0002", 0.0, 30000.5, "legal", "2026-11-03", 27, 0, "CNY"),
    ]
    assert rows(db, "SELECT id, key, follow_up_days, last_contact, days_since_contact FROM customers") == [
        ("CUS-0001", 1, 14, "2026-11-20", 10), ("CUS-0002", 0, 60, "2026-09-15", 76),
        ("CUS-0003", 0, 10, "2026-10-01", 60)]


def test_money_is_exact():
    for amount in (Decimal("0.01"), Decimal("30000.50"), Decimal("9999999999999.99"), Decimal("1234567.89")):
        column = Column("amount", Field("amount"), ("amount",))
        assert from_sql(column, to_sql(amount)) == amount


def test_derived_columns_follow_the_date(query_ws):
    early = open_database(query_ws, date(2026, 10, 5))
    assert rows(early, "SELECT paid, balance, days_overdue, bucket FROM receivables WHERE id = 'RCV-0002'") == [
        (0.0, 60000.0, 5, "1-30")]


def test_child_tables_carry_parent_and_position(db):
    assert rows(db, "SELECT customer, idx, name, \"primary\" FROM contacts") == [
        ("CUS-0001", 0, "王强", 1), ("CUS-0001", 1, "李娜", None), ("CUS-0002", 0, "Zhao Lei", None)]
    assert rows(db, "SELECT contract, idx, stage, by FROM approvals WHERE contract = 'CON-0001'") == [
        ("CON-0001", 0, "manager", "lin"), ("CON-0001", 1, "legal", "chen"), ("CON-0001", 2, "finance", "zhao")]
    assert rows(db, "SELECT * FROM contract_items") == [
        ("CON-0001", 0, "管理培训", 2.0, "场", 50000.0), ("CON-0002", 0, "安全培训", 1.0, None, 30000.5)]
    assert rows(db, "SELECT * FROM payments") == [
        ("RCV-0001", 0, "2026-03-18", 40000.0, "转账", None), ("RCV-0002", 0, "2026-10-10", 20000.0, "转账", "B-1")]
    assert rows(db, "SELECT * FROM collection_actions") == [("RCV-0002", 0, "2026-10-01", "zhang", "phone", "已催", None)]
    assert rows(db, "SELECT id, next_date, next_action FROM visits WHERE next_date IS NOT NULL") == [
        ("VIS-0001", "2026-12-05", "报价")]


def test_team_lists_and_scores(db):
    assert rows(db, 'SELECT id, role, "group", manager FROM team WHERE "group" IS NOT NULL') == [
        ("zhang", "rep", "east", "lin"), ("wang", "rep", "north", "lin")]
    assert rows(db, "SELECT c.id FROM customers c, json_each(c.tags) t WHERE t.value = 'vip'") == [("CUS-0001",)]
    assert rows(db, "SELECT json_extract(self, '$.teamwork'), json_extract(manager, '$.teamwork') FROM reviews") == [
        (80, 70)]


def test_joins_across_tables(db):
    assert rows(db, """
        SELECT c.name, SUM(r.balance) FROM receivables r JOIN customers c ON c.id = r.customer
        WHERE r.status IN ('open', 'partial', 'overdue') GROUP BY c.name ORDER BY 2 DESC""") == [
        ("华东精密机械有限公司", 40000.0), ("北方物流集团", 30000.5)]


@pytest.mark.parametrize("statement, denied", [
    ("INSERT INTO team VALUES ('x', 'x', 'rep', NULL, NULL, NULL)", "INSERT team"),
    ("REPLACE INTO customers (id) VALUES ('CUS-0001')", "INSERT customers"),
    ("UPDATE receivables SET balance = 0", "UPDATE receivables"),
    ("DELETE FROM receivables", "DELETE receivables"),
    ("DROP TABLE receivables", "changing the database schema"),
    ("CREATE TABLE x (a)", "changing the database schema"),
    ("CREATE TEMP VIEW v AS SELECT 1", "changing the database schema"),
    ("ALTER TABLE team ADD COLUMN x", "ALTER TABLE"),
    ("ATTACH DATABASE '/tmp/salesctl-attack.db' AS x", "ATTACH /tmp/salesctl-attack.db"),
    ("DETACH DATABASE main", "DETACH"),
    ("VACUUM INTO '/tmp/salesctl-copy.db'", "ATTACH"),
    ("PRAGMA query_only = OFF", "PRAGMA query_only OFF"),
    ("PRAGMA user_version = 7", "PRAGMA user_version 7"),
    ("PRAGMA writable_schema = ON", "PRAGMA writable_schema"),
    ("PRAGMA journal_mode = DELETE", "PRAGMA journal_mode"),
    ("BEGIN", "TRANSACTION"),
    ("SAVEPOINT s", "SAVEPOINT"),
    ("REINDEX", "REINDEX"),
    ("ANALYZE", "changing the database schema"),
    ("SELECT * FROM pragma_user_version", "table-valued function"),
])
def test_statements_that_write_are_refused(db, statement, denied):
    with pytest.raises(SQLRefused) as info:
        db.query(statement)
    assert denied in str(info.value)
    assert rows(db, "SELECT COUNT(*) FROM receivables") == [(3,)]  # nothing changed


def test_reading_pragmas_and_table_functions_are_allowed(db):
    assert ("balance",) in [(r[1],) for r in rows(db, "PRAGMA table_info(receivables)")]
    assert ("team",) in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")
    assert rows(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) "
                    "SELECT SUM(i) FROM n") == [(6,)]
    assert rows(db, "SELECT COUNT(*) FROM json_tree('{\"a\": [1, 2]}')") == [(4,)]


@pytest.mark.parametrize("statement, message", [
    ("SELEC 1", 'near "SELEC": syntax error'),
    ("SELECT * FROM clients", "no such table: clients"),
    ("SELECT nmae FROM customers", "no such column: nmae"),
    ("SELECT 1; SELECT 2", "one statement at a time"),
    ("  ", "no SQL statement given"),
    ("SELECT '\udcff'", "the statement holds bytes that are not UTF-8"),  # byte 0xff in the argument
])
def test_bad_sql_is_an_error_not_a_refusal(db, statement, message):
    with pytest.raises(SQLError) as info:
        db.query(statement)
    assert not isinstance(info.value, SQLRefused)
    assert message in str(info.value)


def test_the_manual_lists_these_columns():
    from helpers.workspaces import ROOT

    manual = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `(\w+)` \| `([\w ]+)` \|$", manual, re.M))
    assert listed == COLUMNS
