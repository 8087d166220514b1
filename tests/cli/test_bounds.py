"""`query ~` and `sql` within bounds, through the command: a pattern cannot make a query hang, and a
statement stops at its deadline or memory cap and calls only the functions offered (the library:
tests/unit/query/test_tables_bounds.py).

What could hang runs in a process of its own (or under a watchdog), so that a lost bound fails its
test instead of stopping the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from helpers.query import AS_OF
from helpers.workspaces import ROOT, write_workspace

ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "


def salesctl(root, *args, seconds=20):
    """`salesctl ARGS` in a process of its own: (exit code, stdout, stderr, seconds taken)."""
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "salesctl", "-C", str(root), "--as-of", AS_OF, *args],
                              capture_output=True, text=True, timeout=seconds,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        pytest.fail(f"salesctl {' '.join(args)} still running after {seconds} s")
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


# --- query ~ ------------------------------------------------------------------------------

def test_a_backtracking_pattern_on_a_31_character_field_answers_at_once(tmp_path):
    root = write_workspace(tmp_path / "ws", {
        "customers/CUS-0001.yaml": "{id: CUS-0001, name: 甲, owner: zhang, created: 2026-01-05, notes: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!}\n",
        "customers/CUS-0002.yaml": "{id: CUS-0002, name: 乙, owner: zhang, created: 2026-01-05, notes: aaa}\n",
    })
    code, out, err, seconds = salesctl(root, "query", "customers", "-w", "notes ~ (a+)+$", "--format", "ids")
    assert (code, out, err) == (0, "CUS-0002\n", "")


# --- sql: the deadline --------------------------------------------------------------------

def test_an_endless_statement_through_the_command(query_root):
    code, out, err, seconds = salesctl(query_root, "sql", ENDLESS + "SELECT count(*) FROM c", "--timeout", "0.5")
    assert (code, out) == (1, "")
    assert err == "error: stopped: the statement ran longer than 0.5 seconds; allow more with --timeout SECONDS\n"
    assert seconds < 10


# --- sql: the memory cap (each in a process of its own: SQLite's cap is for the whole process) ---

def test_rows_beyond_the_cap_are_not_collected(query_root):
    code, out, err, _ = salesctl(query_root, "sql", ENDLESS + "SELECT x FROM c", "--memory", "16", "--timeout", "60")
    assert (code, out) == (1, "")
    assert err == "error: stopped: the result is larger than 16 MB; allow more with --memory MB\n"


def test_a_sort_beyond_the_cap_is_stopped(query_root):
    code, out, err, _ = salesctl(query_root, "sql", ENDLESS + "SELECT x FROM c ORDER BY x DESC", "--memory", "16",
                                 "--timeout", "60")
    assert (code, out) == (1, "")
    assert err == "error: stopped: the statement needed more than 16 MB of memory; allow more with --memory MB\n"


def test_a_string_beyond_the_cap_is_stopped(query_root):
    code, _, err, _ = salesctl(query_root, "sql", "SELECT length(printf('%.*c', 100000000, 'x'))", "--memory", "16")
    assert (code, err) == (1, "error: stopped: the statement needed more than 16 MB of memory; "
                              "allow more with --memory MB\n")


def test_tables_beyond_the_cap_say_so(tmp_path):
    # 2,000 customers with 1,000 characters of notes: 2 MB of text, more than a 1 MB cap
    notes = "备注" * 500
    root = write_workspace(tmp_path / "ws", {
        f"customers/CUS-{n:04d}.yaml": f"{{id: CUS-{n:04d}, name: 客户{n}, owner: zhang, created: 2026-01-05, notes: {notes}}}\n"
        for n in range(1, 2001)})
    code, _, err, _ = salesctl(root, "sql", "SELECT count(*) FROM customers", "--memory", "1")
    assert (code, err) == (1, "error: stopped: the workspace tables need more than 1 MB of memory; "
                              "allow more with --memory MB\n")
    code, out, _, _ = salesctl(root, "sql", "SELECT count(*) FROM customers", "--format", "csv", "--memory", "64")
    assert (code, out) == (0, "count(*)\n2000\n")


@pytest.mark.parametrize("args", [["--timeout", "0"], ["--timeout", "-1"], ["--timeout", "soon"], ["--memory", "0"]])
def test_limits_must_be_positive(run, query_root, args):
    result = run("-C", query_root, "sql", "SELECT 1", *args)
    assert result.exit_code == 2 and "Invalid value for" in result.stderr


# --- sql: the functions offered -----------------------------------------------------------

def test_a_refused_function_through_the_command(run, query_root):
    result = run("-C", query_root, "sql", "SELECT fts3_tokenizer('simple')")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("error: refused: salesctl sql does not offer the function fts3_tokenizer(); it offers "
                             "SQLite's aggregate, window, date and time, text, math and JSON functions\n")
