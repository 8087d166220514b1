"""A date typed on the command line reads the same everywhere — `--as-of`, `--from`/`--to`, a
writer's `--date`, FIELD=VALUE and query values: YYYY-MM-DD or YYYYMMDD; a day that does not exist
is "not a real date". The library: `salesctl.model.fields.date_from_text`."""

from __future__ import annotations

from datetime import date

import pytest

from salesctl.model.fields import date_from_text


@pytest.mark.parametrize("text, day", [
    ("2026-11-30", date(2026, 11, 30)), ("20261130", date(2026, 11, 30)), (" 20240229 ", date(2024, 2, 29)),
])
def test_both_ways_of_writing_a_date_are_read(text, day):
    assert date_from_text(text) == (day, None, None)


@pytest.mark.parametrize("text, message", [
    ("2026-02-30", "'2026-02-30' is not a real date"),
    ("20260230", "'20260230' is not a real date"),
    ("2026113", "'2026113' is not a date (YYYY-MM-DD or YYYYMMDD)"),
    ("2026/11/30", "'2026/11/30' is not a date (YYYY-MM-DD or YYYYMMDD)"),
    ("202611-30", "'202611-30' is not a date (YYYY-MM-DD or YYYYMMDD)"),
])
def test_what_is_not_a_date_says_why(text, message):
    assert date_from_text(text) == (None, "bad-date", message)


def test_a_payment_date_may_be_typed_without_dashes(writers_repo, run):
    r = writers_repo()
    result = run("-C", r.root, "--as-of", "20261130", "pay", "RCV-0002", "100", "--date", "20261125")
    assert result.exit_code == 0, result.stderr
    assert r.diff() == ["+payments:", "+  - {date: 2026-11-25, amount: 100}"]


def test_a_field_value_and_a_query_value_may_be_typed_without_dashes(writers_repo, run):
    r = writers_repo()
    result = run("-C", r.root, "--as-of", "2026-11-30", "new", "customer", "name=苏州新材料有限公司", "owner=zhang",
                 "created=20261120")
    assert result.exit_code == 0, result.stderr
    new_id = result.stdout.strip()
    assert "created: 2026-11-20" in r.read(f"customers/{new_id}.yaml")
    found = run("-C", r.root, "--as-of", "2026-11-30", "query", "customers", "-w", "created=20261120", "--format", "ids")
    assert (found.exit_code, found.stdout) == (0, f"{new_id}\n")


def test_a_period_bound_that_is_no_day_is_named_as_such(run, workspace):
    result = run("-C", workspace(), "report", "kpi", "--from", "2026-02-30", "--to", "2026-03-31")
    assert result.exit_code == 2
    assert "Invalid value for '--from': '2026-02-30' is not a real date" in result.stderr
    assert "does not match the format" not in result.stderr
    ok = run("-C", workspace(), "report", "kpi", "--from", "20260201", "--to", "20260331", "--format", "json")
    assert ok.exit_code == 0, ok.stderr
    assert '"start": "2026-02-01",\n  "end": "2026-03-31"' in ok.stdout
