"""`sql` within bounds, as a library: a statement stops at its deadline or memory cap and calls only
the functions offered (through the command: tests/cli/test_bounds.py).

What could hang runs in a process of its own (or under a watchdog), so that a lost bound fails its
test instead of stopping the suite."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date

import pytest

from helpers.query import AS_OF
from helpers.workspaces import ROOT
from salesctl.errors import SQLRefused, SQLStopped
from salesctl.query.tables import Limits, open_database

TODAY = date.fromisoformat(AS_OF)
ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "


def stopped(database, statement) -> tuple[SQLStopped, float]:
    """The stop of `statement` and the seconds it took; a watchdog interrupts it after 20 s."""
    watchdog = threading.Timer(20, database.connection.interrupt)
    watchdog.start()
    started = time.monotonic()
    try:
        with pytest.raises(SQLStopped) as info:
            database.query(statement)
    finally:
        watchdog.cancel()
    return info.value, time.monotonic() - started


# --- the deadline ------------------------------------------------------------------------

@pytest.mark.parametrize("select", ["SELECT count(*) FROM c", "SELECT x FROM c"])
def test_an_endless_statement_stops_at_the_deadline(query_ws, select):
    database = open_database(query_ws, TODAY, Limits(seconds=0.2))
    stop, seconds = stopped(database, ENDLESS + select)
    assert (str(stop), stop.limit) == ("the statement ran longer than 0.2 seconds", "time")
    assert seconds < 2
    assert database.query("SELECT count(*) FROM customers")[1] == [(3,)]  # the next statement runs


def test_the_deadline_is_per_statement(query_ws):
    database = open_database(query_ws, TODAY, Limits(seconds=0.1))
    time.sleep(0.2)  # opened longer ago than the limit: the clock starts with each statement
    assert database.query("SELECT count(*) FROM receivables")[1] == [(3,)]


# --- the memory cap (in a process of its own: SQLite's cap is for the whole process) ------

def test_the_library_stops_a_result_beyond_the_cap(query_root):
    code = ("import sys\nfrom datetime import date\nfrom salesctl.query.tables import Limits, SQLStopped, open_database\n"
            "from salesctl.load.pipeline import load\n"
            "database = open_database(load(sys.argv[1]).usable(), date(2026, 11, 30), Limits(60, 16))\n"
            "try:\n    database.query(sys.argv[2])\nexcept SQLStopped as stop:\n    print(stop.limit, stop)\n")
    done = subprocess.run([sys.executable, "-c", code, str(query_root), ENDLESS + "SELECT x FROM c"],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout == "memory the result is larger than 16 MB\n"


# --- the functions offered ---------------------------------------------------------------

@pytest.mark.parametrize("statement, function", [
    ("SELECT fts3_tokenizer('simple')", "fts3_tokenizer"),  # hands out a pointer (a memory address)
    ("SELECT load_extension('/tmp/x.so')", "load_extension"),
    ("SELECT sqlite_log(1, 'x')", "sqlite_log"),
    ("SELECT id FROM customers WHERE name MATCH 'x'", "match"),
    ("SELECT upper(name) FROM customers WHERE fts3_tokenizer('simple') IS NOT NULL", "fts3_tokenizer"),
])
def test_functions_not_offered_are_refused(query_ws, statement, function):
    database = open_database(query_ws, TODAY)
    with pytest.raises(SQLRefused) as info:
        database.query(statement)
    assert str(info.value) == (f"salesctl sql does not offer the function {function}(); it offers SQLite's aggregate, "
                               "window, date and time, text, math and JSON functions")


# Receivables: RCV-0001 40,000.00 due 2026-03-20, RCV-0002 60,000.00 due 2026-09-30, RCV-0003
# 30,000.50 due 2026-12-15 (tests/helpers/query.py).
@pytest.mark.parametrize("statement, expected", [
    ("SELECT count(*), sum(amount), total(amount), min(due), max(due) FROM receivables",
     [(3, 130000.5, 130000.5, "2026-03-20", "2026-12-15")]),  # 40,000 + 60,000 + 30,000.50
    ("SELECT avg(amount) FROM receivables WHERE id != 'RCV-0003'", [(50000.0,)]),  # (40,000 + 60,000) / 2
    ("SELECT group_concat(id, ',') FROM (SELECT id FROM customers ORDER BY id)",
     [("CUS-0001,CUS-0002,CUS-0003",)]),
    ("SELECT id, row_number() OVER (ORDER BY amount DESC), lag(id) OVER (ORDER BY id), "
     "sum(amount) OVER (ORDER BY id) FROM receivables ORDER BY id",
     [("RCV-0001", 2, None, 40000.0), ("RCV-0002", 1, "RCV-0001", 100000.0), ("RCV-0003", 3, "RCV-0002", 130000.5)]),
    ("SELECT rank() OVER w, dense_rank() OVER w, ntile(2) OVER w, first_value(id) OVER w FROM receivables "
     "WINDOW w AS (ORDER BY id) ORDER BY id LIMIT 1", [(1, 1, 1, "RCV-0001")]),
    ("SELECT date('2026-11-30', '+1 day'), strftime('%Y-%m', '2026-11-30'), "
     "julianday('2026-11-30') - julianday('2026-11-01'), datetime('2026-11-30 08:00', '+90 minutes'), "
     "time('08:00', '+30 minutes'), unixepoch('1970-01-02')",
     [("2026-12-01", "2026-11", 29.0, "2026-11-30 09:30:00", "08:30:00", 86400)]),
    ("SELECT upper('ab'), lower('AB'), substr('salesctl', 1, 5), replace('a-b', '-', '+'), instr('abc', 'c'), "
     "printf('%05.1f', 3.14159), trim('  x '), length('华东'), 'abc' LIKE 'A%', 'abc' GLOB 'a*', hex('A'), "
     "quote('it''s'), char(72, 105), unicode('A')",
     [("AB", "ab", "sales", "a+b", 3, "003.1", "x", 2, 1, 1, "41", "'it''s'", "Hi", 65)]),
    ("SELECT abs(-2), round(2.5), ceil(1.2), floor(1.8), sqrt(16), power(2, 10), mod(7, 3), sign(-3), "
     "max(1, 5, 3), min(4, 2)", [(2, 3.0, 2.0, 1.0, 4.0, 1024.0, 1.0, -1, 5, 2)]),
    ("SELECT json_extract('{\"a\": [1, 2]}', '$.a[1]'), json_array_length('[1, 2, 3]'), "
     "'{\"a\": 1}' ->> 'a', '{\"a\": 1}' -> 'a', json_object('k', 1), json_valid('{'), json_type('[]')",
     [(2, 3, 1, "1", '{"k":1}', 0, "array")]),
    ("SELECT json_group_array(id) FROM (SELECT id FROM customers ORDER BY id)",
     [('["CUS-0001","CUS-0002","CUS-0003"]',)]),
    ("SELECT t.value FROM customers c, json_each(c.tags) t WHERE c.id = 'CUS-0001'", [("vip",), ("manufacturing",)]),
    ("SELECT coalesce(NULL, 1), ifnull(NULL, 2), iif(1, 'y', 'n'), nullif(1, 1), typeof(1.5), "
     "CAST('12' AS INTEGER), sqlite_version() IS NOT NULL, likely(1)", [(1, 2, "y", None, "real", 12, 1, 1)]),
])
def test_ordinary_functions_keep_working(query_ws, statement, expected):
    assert open_database(query_ws, TODAY).query(statement)[1] == expected
