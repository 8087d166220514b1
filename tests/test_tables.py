"""`salesctl sql` and `salesctl export`: the tables and their columns, read-only SQL, round trips."""

from __future__ import annotations

import csv
import re
import json
import sqlite3
import sys
from datetime import date, datetime
from decimal import Decimal

import openpyxl  # the [xlsx] extra, part of [dev]
import pytest
from ruamel.yaml import YAML

from conftest import write_workspace
from query_fixture import AS_OF, FILES
from salesctl.render.output import cell_text
from salesctl.model.records import Field
from salesctl.errors import SQLError, SQLRefused
from salesctl.query.tables import TABLE_NAMES, Column, from_sql, layout, open_database, to_sql, workspace_tables
from salesctl.load.pipeline import load

TODAY = date.fromisoformat(AS_OF)

COLUMNS = {
    "team": "id name role group manager email",
    "customers": "id name owner status tier key follow_up_days industry size region source created tags notes "
                 "last_contact days_since_contact",
    "contacts": "customer idx name title phone email primary",
    "visits": "id customer rep date channel kind effective summary feedback satisfaction next_date next_action",
    "contracts": "id customer owner title status created signed start end currency amount payment_terms template "
                 "notes paid balance pending_stage waiting_since waiting_days counted",
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
def root(tmp_path_factory):
    return write_workspace(tmp_path_factory.mktemp("tables") / "ws", FILES)


@pytest.fixture(scope="module")
def ws(root):
    return load(root).usable()


@pytest.fixture(scope="module")
def db(ws):
    return open_database(ws, TODAY)


def rows(db, sql):
    return db.query(sql)[1]


# --- the tables ---------------------------------------------------------------------------

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


def test_derived_columns_follow_the_date(ws):
    early = open_database(ws, date(2026, 10, 5))
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


def test_money_is_exact(root, workspace):
    for amount in (Decimal("0.01"), Decimal("30000.50"), Decimal("9999999999999.99"), Decimal("1234567.89")):
        column = Column("amount", Field("amount"), ("amount",))
        assert from_sql(column, to_sql(amount)) == amount
    cents = workspace({"contracts/C-1.yaml": """\
        {id: C-1, customer: K-1, owner: zhang, title: t, status: draft, created: 2026-01-01, amount: 0.30,
         items: [{name: a, quantity: 1, unit_price: 0.30}]}""",
                       "customers/K-1.yaml": "{id: K-1, name: k, owner: zhang, created: 2026-01-01}",
                       "receivables/R-1.yaml": "{id: R-1, contract: C-1, amount: 0.10, due: 2026-02-01}",
                       "receivables/R-2.yaml": "{id: R-2, contract: C-1, amount: 0.20, due: 2026-02-01}"})
    assert load(cents).problems == []
    from click.testing import CliRunner
    from salesctl.cli import cli

    result = CliRunner().invoke(cli, ["-C", str(cents), "sql", "SELECT SUM(amount) AS total FROM receivables",
                                      "--format", "csv"])
    assert result.stdout == "total\n0.30\n"  # 0.1 + 0.2 in floating point, shown as the cents it is


# --- read-only, enforced by SQLite --------------------------------------------------------

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


# --- the sql command ----------------------------------------------------------------------

SUMS = "SELECT owner, SUM(balance) AS balance, COUNT(*) AS n FROM receivables GROUP BY owner ORDER BY owner DESC"


def test_sql_table(run, root):
    result = run("-C", root, "sql", SUMS, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "owner      balance    n",
        "-------  ---------  ---",
        "zhang    40,000.00    2",
        "wang     30,000.50    1",
    ]


def test_sql_csv_json_yaml(run, root):
    assert run("-C", root, "sql", SUMS, "--format", "csv", "--as-of", AS_OF).stdout == (
        "owner,balance,n\nzhang,40000.00,2\nwang,30000.50,1\n")
    result = run("-C", root, "sql", SUMS, "--format", "json", "--as-of", AS_OF)
    assert '"balance": 30000.50' in result.stdout
    assert json.loads(result.stdout) == [{"owner": "zhang", "balance": 40000, "n": 2},
                                         {"owner": "wang", "balance": 30000.5, "n": 1}]
    yaml = run("-C", root, "sql", SUMS, "--format", "yaml", "--as-of", AS_OF).stdout
    assert YAML(typ="safe").load(yaml) == [{"owner": "zhang", "balance": 40000.0, "n": 2},
                                           {"owner": "wang", "balance": 30000.5, "n": 1}]


def test_sql_repeated_column_names_stay_apart(run, root):
    result = run("-C", root, "sql", "SELECT r.id, c.id FROM receivables r JOIN contracts c ON c.id = r.contract "
                                    "WHERE r.id = 'RCV-0003'", "--format", "json")
    assert json.loads(result.stdout) == [{"id": "RCV-0003", "id_2": "CON-0002"}]


def test_sql_no_rows(run, root):
    result = run("-C", root, "sql", "SELECT id FROM customers WHERE 0")
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == "(no rows)\n"


def test_sql_write_is_refused_with_exit_1(run, root):
    result = run("-C", root, "sql", "DELETE FROM customers")
    assert result.exit_code == 1
    assert result.stderr == "error: refused: salesctl sql only reads; not allowed: DELETE customers\n"


def test_sql_bad_statement_is_a_usage_error(run, root):
    result = run("-C", root, "sql", "SELECT * FROM clients")
    assert result.exit_code == 2 and "SQL: no such table: clients" in result.stderr


# --- export -------------------------------------------------------------------------------

def test_export_sqlite_reads_back_equal(run, root, ws, tmp_path):
    target = tmp_path / "out" / "sales.sqlite"
    result = run("-C", root, "export", "--format", "sqlite", "-o", target, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    # 29 record rows + activity: zhang and wang, each day from CON-0001's signing (2026-02-20) to 2026-11-30:
    # 9 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 = 284 days, 568 rows
    assert result.stderr == f"exported 12 tables, 597 rows to {target}\n"
    connection = sqlite3.connect(target)
    for table in workspace_tables(ws, TODAY):
        stored = connection.execute(f'SELECT * FROM "{table.name}"').fetchall()
        back = [tuple(from_sql(c, v) for c, v in zip(table.columns, row)) for row in stored]
        expected = [tuple(v if v != [] else None for v in row) for row in table.rows]
        assert back == expected, table.name
    assert list(tmp_path.joinpath("out").iterdir()) == [target]  # no temporary file left


def test_export_sqlite_replaces_an_old_export(run, root, tmp_path):
    target = tmp_path / "sales.db"
    target.write_bytes(b"old")
    assert run("-C", root, "export", "-o", target).exit_code == 0
    assert sqlite3.connect(target).execute("SELECT COUNT(*) FROM customers").fetchone() == (3,)


def test_export_csv_reads_back_equal(run, root, ws, tmp_path):
    target = tmp_path / "csv"
    result = run("-C", root, "export", "-o", target, "--as-of", AS_OF)
    assert result.exit_code == 0 and "597 rows to" in result.stderr and "(12 files)" in result.stderr
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{name}.csv" for name in TABLE_NAMES)
    assert target.joinpath("customers.csv").read_bytes().startswith(b"\xef\xbb\xbfid,name,")  # BOM: Excel
    for table in workspace_tables(ws, TODAY):
        with open(target / f"{table.name}.csv", encoding="utf-8-sig", newline="") as fh:
            read = list(csv.reader(fh))
        assert read[0] == table.column_names
        assert read[1:] == [[cell_text(v, table=False) for v in row] for row in table.rows], table.name
    receivables = (target / "receivables.csv").read_text(encoding="utf-8-sig").splitlines()
    assert receivables[2].startswith("RCV-0002,CON-0001,60000.00,2026-09-30,INV-88,")


def test_export_xlsx_reads_back_equal(run, root, ws, tmp_path):
    target = tmp_path / "sales.xlsx"
    assert run("-C", root, "export", "-o", target, "--as-of", AS_OF).exit_code == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == list(TABLE_NAMES)
    for table in workspace_tables(ws, TODAY):
        sheet = book[table.name]
        read = list(sheet.iter_rows(values_only=True))
        assert list(read[0]) == table.column_names
        expected = [tuple(_as_excel(v) for v in row) for row in table.rows]
        assert [tuple(r) for r in read[1:]] == expected, table.name
    assert book["receivables"]["C2"].number_format == "#,##0.00"
    assert book["receivables"]["D2"].number_format == "yyyy-mm-dd"
    assert book["customers"].freeze_panes == "A2"


def _as_excel(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (list, dict)):
        return cell_text(value, table=False) if value else None
    return value


def test_xlsx_text_that_looks_like_a_formula_stays_text(run, workspace, tmp_path):
    root = workspace({"customers/K-1.yaml": "{id: K-1, name: '=HYPERLINK(\"http://x\")', owner: zhang, "
                                            "created: 2026-01-01}"})
    target = tmp_path / "x.xlsx"
    assert run("-C", root, "export", "-o", target).exit_code == 0
    cell = openpyxl.load_workbook(target)["customers"]["B2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'


def test_xlsx_without_openpyxl_says_how_to_install_it(run, root, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now raises ImportError
    result = run("-C", root, "export", "--format", "xlsx", "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 2
    assert "xlsx export needs openpyxl: pip install 'salesctl[xlsx]'" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("args, message", [
    (["-o", "report.txt"], "cannot tell the format from 'report.txt'"),
    (["--format", "sqlite", "-o", "."], "is a folder; a SQLite export is one file"),
    (["--format", "xlsx", "-o", "."], "is a folder; an xlsx export is one file"),
    (["--format", "pdf", "-o", "x"], "'pdf' is not one of"),
    ([], "Missing option '-o'"),
])
def test_export_usage_errors(run, root, args, message):
    result = run("-C", root, "export", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_export_csv_onto_a_file_is_a_usage_error(run, root, tmp_path):
    target = tmp_path / "taken"
    target.write_text("x")
    result = run("-C", root, "export", "--format", "csv", "-o", target)
    assert result.exit_code == 2 and "is a file; a CSV export is a folder" in result.stderr


def test_the_manual_lists_these_columns():
    from conftest import ROOT

    manual = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `(\w+)` \| `([\w ]+)` \|$", manual, re.M))
    assert listed == COLUMNS
