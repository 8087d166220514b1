"""render.output: one value, one text in every format (the command line: tests/cli/test_output.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from salesctl.model.money import Hundredths, Ratio, Tenths
from salesctl.render.output import cell_text, render_rows, to_json, to_yaml


def test_yaml_repeats_a_shared_value_instead_of_an_alias():
    day, amount = date(2026, 4, 3), Decimal("0")
    text = to_yaml({"rows": [{"date": day, "paid": amount}, {"waiting_since": day, "paid": amount}]})
    assert text == ("rows:\n"
                    "- date: 2026-04-03\n"
                    "  paid: 0.00\n"
                    "- waiting_since: 2026-04-03\n"
                    "  paid: 0.00\n")


def test_fixed_decimals_read_the_same_in_every_format():
    row = {"avg_cycle_days": Tenths(118), "satisfaction": Hundredths(3.9), "total": Tenths(100), "share": Ratio(0.5)}
    columns = list(row)
    assert to_json(row, indent=0).replace("\n", "") == \
        '{"avg_cycle_days": 118.0,"satisfaction": 3.90,"total": 100.0,"share": 0.5}'
    assert to_yaml(row) == "avg_cycle_days: 118.0\nsatisfaction: 3.90\ntotal: 100.0\nshare: 0.5\n"
    assert render_rows([row], columns, "csv") == "avg_cycle_days,satisfaction,total,share\n118.0,3.90,100.0,0.5\n"
    assert [cell_text(v, table=True) for v in row.values()] == ["118.0", "3.90", "100.0", "50.0%"]


def test_a_fixed_figure_is_still_the_number():
    assert Tenths(82.3) == 82.3 and Hundredths(4) == 4.0
    assert Tenths(82.3) > Tenths(82.25)
    assert f"{Tenths(7)}" == "7.0" and f"{Tenths(7):.3f}" == "7.000"
