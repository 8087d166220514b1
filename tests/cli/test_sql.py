"""`salesctl sql` and `salesctl export`: formats, refusals, round trips through SQLite, CSV and Excel
(the tables themselves: tests/unit/query/test_tables.py)."""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from datetime import date, datetime
from decimal import Decimal

import openpyxl  # the [xlsx] extra, part of [dev]
import pytest
from ruamel.yaml import YAML

from helpers.query import AS_OF
from salesctl.render.output import cell_text
from salesctl.query.tables import TABLE_NAMES, from_sql, workspace_tables
from salesctl.load.pipeline import load

TODAY = date.fromisoformat(AS_OF)


# --- money ----------------------------------------------------------------------------------

def test_money_sums_to_the_cent(run, workspace):
    cents = workspace({"contracts/C-1.yaml": """\
        {id: C-1, customer: K-1, owner: zhang, title: t, status: draft, created: 2026-01-01, amount: 0.30,
         items: [{name: a, quantity: 1, unit_price: 0.30}]}""",
                       "customers/K-1.yaml": "{id: K-1, name: k, owner: zhang, created: 2026-01-01}",
                       "receivables/R-1.yaml": "{id: R-1, contract: C-1, amount: 0.10, due: 2026-02-01}",
                       "receivables/R-2.yaml": "{id: R-2, contract: C-1, amount: 0.20, due: 2026-02-01}"})
    assert load(cents).problems == []
    result = run("-C", cents, "sql", "SELECT SUM(amount) AS total FROM receivables", "--format", "csv")
    assert result.stdout == "total\n0.30\n"  # 0.1 + 0.2 in floating point, shown as the cents it is


# --- the sql command ----------------------------------------------------------------------

SUMS = "SELECT owner, SUM(balance) AS balance, COUNT(*) AS n FROM receivables GROUP BY owner ORDER BY owner DESC"


def test_sql_table(run, query_root):
    result = run("-C", query_root, "sql", SUMS, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "owner      balance    n",
        "-------  ---------  ---",
        "zhang    40,000.00    2",
        "wang     30,000.50    1",
    ]


def test_sql_csv_json_yaml(run, query_root):
    assert run("-C", query_root, "sql", SUMS, "--format", "csv", "--as-of", AS_OF).stdout == (
        "owner,balance,n\nzhang,40000.00,2\nwang,30000.50,1\n")
    result = run("-C", query_root, "sql", SUMS, "--format", "json", "--as-of", AS_OF)
    assert '"balance": 30000.50' in result.stdout
    assert json.loads(result.stdout) == [{"owner": "zhang", "balance": 40000, "n": 2},
                                         {"owner": "wang", "balance": 30000.5, "n": 1}]
    yaml = run("-C", query_root, "sql", SUMS, "--format", "yaml", "--as-of", AS_OF).stdout
    assert YAML(typ="safe").load(yaml) == [{"owner": "zhang", "balance": 40000.0, "n": 2},
                                           {"owner": "wang", "balance": 30000.5, "n": 1}]


def test_sql_repeated_column_names_stay_apart(run, query_root):
    result = run("-C", query_root, "sql", "SELECT r.id, c.id FROM receivables r JOIN contracts c ON c.id = r.contract "
                                    "WHERE r.id = 'RCV-0003'", "--format", "json")
    assert json.loads(result.stdout) == [{"id": "RCV-0003", "id_2": "CON-0002"}]


def test_sql_no_rows(run, query_root):
    result = run("-C", query_root, "sql", "SELECT id FROM customers WHERE 0")
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == "(no rows)\n"


def test_sql_write_is_refused_with_exit_1(run, query_root):
    result = run("-C", query_root, "sql", "DELETE FROM customers")
    assert result.exit_code == 1
    assert result.stderr == "error: refused: salesctl sql only reads; not allowed: DELETE customers\n"


def test_sql_bad_statement_is_a_usage_error(run, query_root):
    result = run("-C", query_root, "sql", "SELECT * FROM clients")
    assert result.exit_code == 2 and "SQL: no such table: clients" in result.stderr


# --- export -------------------------------------------------------------------------------

def test_export_sqlite_reads_back_equal(run, query_root, query_ws, tmp_path):
    target = tmp_path / "out" / "sales.sqlite"
    result = run("-C", query_root, "export", "--format", "sqlite", "-o", target, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    # 29 record rows + activity: zhang and wang, each day from CON-0001's signing (2026-02-20) to 2026-11-30:
    # 9 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 = 284 days, 568 rows
    assert result.stderr == f"exported 12 tables, 597 rows to {target}\n"
    connection = sqlite3.connect(target)
    for table in workspace_tables(query_ws, TODAY):
        stored = connection.execute(f'SELECT * FROM "{table.name}"').fetchall()
        back = [tuple(from_sql(c, v) for c, v in zip(table.columns, row)) for row in stored]
        expected = [tuple(v if v != [] else None for v in row) for row in table.rows]
        assert back == expected, table.name
    assert list(tmp_path.joinpath("out").iterdir()) == [target]  # no temporary file left


def test_export_sqlite_replaces_an_old_export(run, query_root, tmp_path):
    target = tmp_path / "sales.db"
    target.write_bytes(b"old")
    assert run("-C", query_root, "export", "-o", target).exit_code == 0
    assert sqlite3.connect(target).execute("SELECT COUNT(*) FROM customers").fetchone() == (3,)


def test_export_csv_reads_back_equal(run, query_root, query_ws, tmp_path):
    target = tmp_path / "csv"
    result = run("-C", query_root, "export", "-o", target, "--as-of", AS_OF)
    assert result.exit_code == 0 and "597 rows to" in result.stderr and "(12 files)" in result.stderr
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{name}.csv" for name in TABLE_NAMES)
    assert target.joinpath("customers.csv").read_bytes().startswith(b"\xef\xbb\xbfid,name,")  # BOM: Excel
    for table in workspace_tables(query_ws, TODAY):
        with open(target / f"{table.name}.csv", encoding="utf-8-sig", newline="") as fh:
            read = list(csv.reader(fh))
        assert read[0] == table.column_names
        assert read[1:] == [[cell_text(v, table=False) for v in row] for row in table.rows], table.name
    receivables = (target / "receivables.csv").read_text(encoding="utf-8-sig").splitlines()
    assert receivables[2].startswith("RCV-0002,CON-0001,60000.00,2026-09-30,INV-88,")


def test_export_xlsx_reads_back_equal(run, query_root, query_ws, tmp_path):
    target = tmp_path / "sales.xlsx"
    assert run("-C", query_root, "export", "-o", target, "--as-of", AS_OF).exit_code == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == list(TABLE_NAMES)
    for table in workspace_tables(query_ws, TODAY):
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


def test_xlsx_without_openpyxl_says_how_to_install_it(run, query_root, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now raises ImportError
    result = run("-C", query_root, "export", "--format", "xlsx", "-o", tmp_path / "x.xlsx")
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
def test_export_usage_errors(run, query_root, args, message):
    result = run("-C", query_root, "export", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_export_csv_onto_a_file_is_a_usage_error(run, query_root, tmp_path):
    target = tmp_path / "taken"
    target.write_text("x")
    result = run("-C", query_root, "export", "--format", "csv", "-o", target)
    assert result.exit_code == 2 and "is a file; a CSV export is a folder" in result.stderr
