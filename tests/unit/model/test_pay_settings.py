"""salesctl.yaml settings of activity and pay: calendar, activity, commission, bonus; defaults and checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from salesctl.model.config import load_config
from salesctl.model.payconfig import DEFAULT_COMMISSION
from salesctl.load.parse import parse_bytes

TEAM = {"company": {"name": "x"}, "team": [{"id": "zhang", "name": "张伟", "role": "rep"},
                                          {"id": "lin", "name": "林海", "role": "manager"}]}


def config(**settings):
    cfg, problems = load_config({**TEAM, **settings}, {})
    return cfg, [(p.code, p.message) for p in problems]


def test_defaults_pay_nothing_and_count_monday_to_friday():
    cfg, problems = config()
    assert problems == []
    assert (cfg.calendar.holidays, cfg.calendar.workdays, cfg.activity, cfg.bonus) == (frozenset(), frozenset(), {}, {})
    assert cfg.commission == DEFAULT_COMMISSION
    assert cfg.commission["tiers"] == [] and cfg.commission["threshold"] is None


def test_every_setting_read():
    cfg, problems = config(
        calendar={"holidays": [date(2026, 10, 1), "2026-10-02"], "workdays": ["2026-10-10"]},
        activity={"rep": {"calls": 60, "effective": 15}, "zhang": {"calls": 40}},
        commission={"base": "signed", "method": "whole", "tiers": [{"from": 0, "rate": 0.03}, {"from": 500000, "rate": 0.05}],
                    "threshold": 0.8, "accelerator": {"attainment": 1.2, "rate": 0.01}, "clawback_rate": 0.0325},
        bonus={"month": {"A": 2000, "B": 1000.5}, "year": {"A": 20000}})
    assert problems == []
    assert cfg.calendar.holidays == {date(2026, 10, 1), date(2026, 10, 2)} and cfg.calendar.workdays == {date(2026, 10, 10)}
    assert cfg.commission == {
        "base": "signed", "method": "whole", "threshold": Decimal("0.8"), "clawback_rate": Decimal("0.0325"),
        "tiers": [{"from": Decimal(0), "rate": Decimal("0.03")}, {"from": Decimal(500000), "rate": Decimal("0.05")}],
        "accelerator": {"attainment": Decimal("1.2"), "rate": Decimal("0.01")}}
    assert cfg.bonus == {"month": {"A": Decimal(2000), "B": Decimal("1000.5")}, "year": {"A": Decimal(20000)}}


def test_a_team_id_wins_over_the_role_as_a_whole():
    cfg, _ = config(activity={"rep": {"calls": 60, "effective": 15}, "zhang": {"calls": 40}, "manager": {"effective": 2}})
    assert cfg.daily_targets({"id": "zhang", "role": "rep"}) == {"calls": 40}  # no effective target of its own
    assert cfg.daily_targets({"id": "wang", "role": "rep"}) == {"calls": 60, "effective": 15}
    assert cfg.daily_targets({"id": "lin", "role": "manager"}) == {"effective": 2}
    assert cfg.daily_targets({"id": "chen", "role": "legal"}) == {}


@pytest.mark.parametrize("settings, message", [
    ({"calendar": {"holidays": ["2026-02-30"]}}, "calendar.holidays: '2026-02-30' is not a real date"),
    ({"calendar": {"workdays": "2026-10-10"}}, "calendar.workdays must be a list of dates"),
    ({"calendar": {"holidays": ["2026-10-10"], "workdays": ["2026-10-10"]}},
     "calendar: 2026-10-10 is both a holiday and a make-up workday"),
    ({"activity": {"sales": {"calls": 5}}}, "activity: 'sales' is neither a role"),
    ({"activity": {"rep": {"calls": -1}}}, "activity.rep.calls: -1 is out of range"),
    ({"activity": {"rep": {"calls": 2.5}}}, "activity.rep.calls: 2.5 is not a whole number"),
    ({"commission": {"base": "paid", "tiers": [{"from": 0, "rate": 0.03}]}}, "commission.base 'paid' is not one of"),
    ({"commission": {"method": "flat", "tiers": [{"from": 0, "rate": 0.03}]}}, "commission.method 'flat' is not one of"),
    ({"commission": {"base": "signed"}}, "commission.tiers is required"),
    ({"commission": {"tiers": [{"from": 100, "rate": 0.03}, {"from": 100, "rate": 0.05}]}},
     "each band's `from` must be above the previous one's"),
    ({"commission": {"tiers": [{"from": -1, "rate": 0.03}]}}, "commission.tiers.0.from: amount -1 is negative"),
    ({"commission": {"tiers": [{"from": 0, "rate": 0.03125}]}}, "is not a rate"),
    ({"commission": {"tiers": [{"from": 0, "rate": 3}]}}, "is not a rate"),
    ({"commission": {"tiers": [{"from": 0, "rate": 0.03}], "threshold": "80%"}}, "commission.threshold: '80%' is not a rate"),
    ({"commission": {"tiers": [{"from": 0, "rate": 0.03}], "accelerator": {"attainment": 1.2}}},
     "commission.accelerator.rate: None is not a rate"),
    ({"commission": {"tiers": [{"from": 0, "rate": 0.03}], "clawback_rate": -0.03}}, "commission.clawback_rate"),
    ({"bonus": {"month": {"S": 5000}}}, "bonus.month: 'S' is not a grade of review.grades (A, B, C, D)"),
    ({"bonus": {"month": {"A": 2000.001}}}, "bonus.month.A: amount 2000.001 has more than 2 decimals"),
])
def test_a_wrong_value_is_bad_config_and_pays_nothing_wrong(settings, message):
    cfg, problems = config(**settings)
    assert [code for code, _ in problems] == ["bad-config"], problems
    assert message in problems[0][1]
    if "commission" in settings and "tiers" in message:
        assert cfg.commission["tiers"] == []  # no usable tiers: no commission


def test_unknown_keys_are_warnings_with_a_did_you_mean():
    _, problems = config(calendar={"holiday": []}, activity={"rep": {"call": 5}},
                         commission={"tiers": [{"from": 0, "rate": 0.03, "to": 10}], "treshold": 0.8},
                         bonus={"monthly": {}})
    assert problems == [
        ("unknown-field", "unknown setting 'calendar.holiday'; did you mean 'holidays'?"),
        ("unknown-field", "unknown setting 'activity.rep.call'; did you mean 'calls'?"),
        ("unknown-field", "unknown setting 'commission.treshold'; did you mean 'threshold'?"),
        ("unknown-field", "unknown setting 'commission.tiers.0.to'"),
        ("unknown-field", "unknown setting 'bonus.monthly'; did you mean 'month'?"),
    ]


def test_the_sample_workspace_sets_every_pay_setting():
    from helpers.workspaces import SAMPLE

    parsed = parse_bytes((SAMPLE / "salesctl.yaml").read_bytes())
    raw = parsed.records[0].data
    assert {"calendar", "activity", "commission", "bonus"} <= set(raw)
