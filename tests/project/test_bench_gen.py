"""bench/gen.py: a generated workspace is valid (no errors, no warnings), deterministic, in both layouts.

The benchmark only means something on a workspace that takes salesctl's normal path, so a small
scale is generated here and loaded through the same loader every command uses.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from helpers.workspaces import ROOT
from salesctl import derive
from salesctl.load.pipeline import load

_spec = importlib.util.spec_from_file_location("bench_gen", ROOT / "bench" / "gen.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

AS_OF = date(2026, 11, 30)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    """A generated workspace at scale 0.03 (1 rep, 15 customers, 300 visits, 30 contracts), loaded once."""
    out = tmp_path_factory.mktemp("bench") / "single"
    gen.generate(str(out), scale=0.03, layout="single")
    return load(out)


@pytest.mark.parametrize("layout", ["single", "grouped"])
def test_generated_workspace_has_no_problems(tmp_path, layout):
    result = gen.generate(str(tmp_path / layout), scale=0.01, layout=layout)
    ws = load(tmp_path / layout)
    assert [p.format() for p in ws.problems] == []
    assert result["counts"] == {"reps": 1, "customers": 5, "visits": 100, "contracts": 10, "receivables": 30, "reviews": 2}
    assert {c: len(rs) for c, rs in ws.records.items()} == {
        "customers": 5, "visits": 100, "contracts": 10, "receivables": 30, "reviews": 2}


def test_layouts_place_files_as_documented(tmp_path):
    gen.generate(str(tmp_path / "single"), scale=0.01, layout="single")
    gen.generate(str(tmp_path / "grouped"), scale=0.01, layout="grouped")
    assert (tmp_path / "single" / "customers" / "CUS-00001.yaml").is_file()
    assert (tmp_path / "single" / "visits" / "VIS-000001.yaml").is_file()
    grouped = tmp_path / "grouped"
    assert len(list((grouped / "customers").glob("*.yaml"))) == 1  # one file per owner, one rep
    assert all(p.parent.name == p.name[:4] for p in (grouped / "visits").rglob("*.yaml"))  # visits/2026/2026-03.yaml
    assert (grouped / ".gitignore").read_text() == ".salesctl/\n"


def test_money_adds_up_exactly(ws):
    for contract in ws.records["contracts"]:
        items = sum((i["quantity"] * i["unit_price"] for i in contract["items"]), Decimal(0))
        assert contract["amount"] == items
        scheduled = sum((r["amount"] for r in ws.receivables_of(contract.id)), Decimal(0))
        if derive.is_counted(contract):
            assert scheduled == contract["amount"]
        else:
            assert scheduled <= contract["amount"]
    for receivable in ws.records["receivables"]:
        signed = ws.get("contracts", receivable["contract"])["signed"]
        assert derive.receivable_paid(receivable, AS_OF) <= receivable["amount"]
        assert all(p["date"] >= signed for p in receivable.get("payments", ()))


def test_nothing_happens_after_the_last_day(ws):
    dated = [v["date"] for v in ws.records["visits"]]
    dated += [a["date"] for c in ws.records["contracts"] for a in c.get("approvals", ())]
    dated += [p["date"] for r in ws.records["receivables"] for p in r.get("payments", ())]
    dated += [a["date"] for r in ws.records["receivables"] for a in r.get("collection", ())]
    assert max(dated) <= gen.END
    assert min(dated) >= gen.START


def test_receivables_are_in_every_state(ws):
    statuses = Counter(derive.receivable_status(r, AS_OF) for r in ws.records["receivables"])
    assert {"paid", "open", "overdue"} <= set(statuses)


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        gen.generate(str(tmp_path / name), scale=0.01, seed=seed)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assert (tmp_path / "a" / "salesctl.yaml").read_bytes() != (tmp_path / "c" / "salesctl.yaml").read_bytes()


def test_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "ws"
    assert gen.main(["--scale", "0.01", "-o", str(out)]) == 0
    assert "wrote 148 files (1 reps, 5 customers, 100 visits" in capsys.readouterr().err
    assert gen.main(["--scale", "0.01", "-o", str(out)]) == 1
    assert "use --force" in capsys.readouterr().err
    assert gen.main(["--scale", "0.01", "-o", str(out), "--force", "--layout", "grouped"]) == 0
    assert not (out / "visits" / "VIS-000001.yaml").exists()  # replaced, not mixed


def test_force_never_deletes_a_directory_that_is_not_a_workspace(tmp_path, capsys):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    assert gen.main(["--scale", "0.01", "-o", str(precious), "--force"]) == 1
    assert "not a salesctl workspace" in capsys.readouterr().err
    assert (precious / "notes.txt").read_text() == "keep me"


def test_bad_arguments_are_usage_errors(tmp_path, capsys):
    for argv in (["--scale", "0", "-o", str(tmp_path / "x")], ["--layout", "flat", "-o", str(tmp_path / "x")], []):
        with pytest.raises(SystemExit) as exit_:
            gen.main(argv)
        assert exit_.value.code == 2
    assert not (tmp_path / "x").exists()


def test_text_is_quoted_only_when_yaml_would_misread_it():
    assert gen.scalar("上海华信科技有限公司") == "上海华信科技有限公司"
    assert gen.scalar("200-500人") == '"200-500人"'  # starts with a digit
    assert gen.scalar("yes") == '"yes"'  # would be a boolean
    assert gen.scalar("a: b") == '"a: b"'
    assert gen.scalar("01") == '"01"'
    assert gen.money(1234550) == "12345.50" and gen.money(100) == "1"


def test_the_pay_reports_have_something_to_compute(ws):
    from salesctl.model.periods import parse_period
    from salesctl.reports.activity import activity_report
    from salesctl.reports.commission import commission_report

    config = ws.config
    assert config.calendar.holidays and config.calendar.workdays and config.activity["rep"] == {"calls": 3, "effective": 1}
    assert len(config.commission["tiers"]) == 3 and config.bonus["year"]["A"] == 20000
    year = parse_period("2026")
    assert activity_report(ws, year, AS_OF, by="month")["total"]["calls"] > 0  # phone visits
    doc = commission_report(ws, year, AS_OF, detail=True)
    assert doc["total"]["base"] > 0 and any(row["payments"] for row in doc["rows"])
