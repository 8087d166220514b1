"""The writers as a library: each returns a plan checked against the whole workspace, typing only the
files it changes; next ids; payment plans (through the command line, with git diffs:
tests/cli/test_writers.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from salesctl.write import writers
from salesctl.load.pipeline import load


def test_a_writer_checks_its_plan_typing_only_the_files_it_changes(writers_repo, monkeypatch):
    """The files the plan leaves alone keep the records the workspace was loaded with; a rule
    that breaks one of them still refuses the plan."""
    import salesctl.load.pipeline

    r = writers_repo()
    ws = load(r.root)
    parsed = []
    real = salesctl.load.pipeline.parse_bytes
    monkeypatch.setattr(salesctl.load.pipeline, "parse_bytes", lambda data: parsed.append(data) or real(data))
    plan = writers.pay(ws, "RCV-0002", Decimal("100"), on=date(2026, 11, 30))
    assert [change.path for change in plan.files] == ["receivables/RCV-0002.yaml"]
    assert [data for data in parsed if not data.startswith(b"company")] == [plan.files[0].after]
    extra = writers.draft_record(ws, "receivables", ["contract=CT-2026-001", "amount=1", "due=2026-12-31"],
                                 on=date(2026, 11, 30))
    with pytest.raises(writers.Refused) as refused:  # the contract, in a file the plan leaves alone
        writers.new(ws, "receivables", record=extra)
    assert [(p.code, p.path) for p in refused.value.problems] == [("over-scheduled", "contracts/CT-2026-001.yaml")]


def test_next_id_follows_the_collections_pattern(writers_repo):
    ws = load(writers_repo().root)
    assert writers.next_id(ws, "customers", date(2026, 11, 30)) == "CUS-0013"
    assert writers.next_id(ws, "contracts", date(2026, 11, 30)) == "CT-2026-004"
    assert writers.next_id(ws, "contracts", date(2027, 1, 2)) == "CT-2027-001"
    assert writers.next_id(ws, "visits", date(2026, 11, 30)) == "V-2026-0009"
    assert writers.next_id(ws, "receivables", date(2026, 11, 30), taken=["RCV-0004"]) == "RCV-0005"
    assert writers.next_id(ws, "reviews", date(2026, 11, 30)) == "REV-0001"


def test_ids_without_a_number_are_a_template_of_the_records_fields(writers_repo):
    r = writers_repo(extra={"reviews/2026-Q3.yaml": "- {id: REV-2026-Q3-zhang, rep: zhang, period: 2026-Q3, reviewer: lin}\n"})
    ws = load(r.root)
    assert writers.next_id(ws, "reviews", date(2026, 12, 31), {"rep": "wang", "period": "2026-Q4"}) == "REV-2026-Q4-wang"
    assert writers.next_id(ws, "reviews", date(2026, 12, 31), {"rep": "wang"}) == "REV-0001"


def test_a_plan_is_checked_against_the_whole_workspace(writers_repo):
    r = writers_repo()
    ws = load(r.root)
    plan = writers.pay(ws, "RCV-0002", Decimal("100"), on=date(2026, 11, 30))
    assert [c.path for c in plan.files] == ["receivables/RCV-0002.yaml"]
    assert plan.files[0].before == (r.root / "receivables/RCV-0002.yaml").read_bytes()
    with pytest.raises(writers.Refused) as refused:
        writers.pay(ws, "RCV-0002", Decimal("79000.01"), on=date(2026, 11, 30))
    assert [p.code for p in refused.value.problems] == ["overpaid"]
    assert r.unchanged()


def test_parse_plan():
    assert writers.parse_plan("30%@signed, 70% @ end + 30") == [
        writers.Part(Decimal("30"), True, "signed", 0), writers.Part(Decimal("70"), True, "end", 30)]
    assert writers.parse_plan("12000.50@2027-01-31") == [writers.Part(Decimal("12000.50"), False, "2027-01-31", 0)]
