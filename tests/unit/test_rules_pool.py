"""The ownership history's rule (owner-history), its references, and the `pool` settings of
salesctl.yaml with their defaults and checks."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.pool import POOL_CONFIG
from helpers.workspaces import CONFIG
from salesctl.load.parse import parse_bytes
from salesctl.load.pipeline import load
from salesctl.model.config import load_config


def problems(workspace, customer: str, config=POOL_CONFIG):
    root = workspace({"customers/C1.yaml": customer}, config=config)
    return [(p.code, p.line, p.message) for p in load(root).problems]


def customer(*entries: str, owner: str = "wang") -> str:
    lines = "".join(f"  - {entry}\n" for entry in entries)
    return f"id: C1\nname: 甲\nowner: {owner}\nassignments:\n{lines}created: 2026-01-01\n"


def test_a_consistent_history_has_no_problem(workspace):
    text = customer("{date: 2026-03-01, from: zhang, to: null, by: ops, reason: no effective visit for 30 days}",
                    "{date: 2026-03-01, from: null, to: wang, by: wang, reason: claim}")
    assert problems(workspace, text) == []


def test_a_change_of_owner_dated_after_the_as_of_date_is_a_future_date(workspace):
    root = workspace({"customers/C1.yaml": customer("{date: 2026-12-05, from: zhang, to: wang, by: lin}")},
                     config=POOL_CONFIG)
    assert [(p.code, p.line, p.message) for p in load(root, as_of=date(2026, 11, 30)).problems] == [
        ("future-date", 5, "change of owner dated 2026-12-05 is in the future (after 2026-11-30)")]
    assert load(root, as_of=date(2026, 12, 5)).problems == []


def test_a_customer_without_owner_is_in_the_pool_and_valid(workspace):
    assert problems(workspace, "id: C1\nname: 甲\ncreated: 2026-01-01\n") == []
    assert problems(workspace, "id: C1\nname: 甲\nowner: null\ncreated: 2026-01-01\n") == []


@pytest.mark.parametrize("entries, owner, expected", [
    (["{date: 2026-05-01, from: zhang, to: liu, by: lin}", "{date: 2026-04-01, from: liu, to: wang, by: lin}"], "wang",
     [("owner-history", 6, "assignments.1: dated 2026-04-01, before the entry above it (2026-05-01)")]),
    (["{date: 2026-04-01, from: zhang, to: liu, by: lin}", "{date: 2026-05-01, from: zhang, to: wang, by: lin}"], "wang",
     [("owner-history", 6, "assignments.1: from 'zhang', but the entry above it gave the customer to 'liu'")]),
    (["{date: 2026-04-01, from: zhang, to: wang, by: lin}"], "liu",
     [("owner-history", 3, "owner is 'liu', but the last entry of assignments (2026-04-01) gives the customer to 'wang'")]),
    (["{date: 2026-04-01, from: zhang, to: null, by: lin}"], "null",
     []),
    (["{date: 2026-04-01, from: zhang, to: null, by: lin}"], "zhang",
     [("owner-history", 3, "owner is 'zhang', but the last entry of assignments (2026-04-01) gives the customer to "
                           "the public pool (null)")]),
    (["{date: 2026-04-01, from: wang, to: wang, by: lin}"], "wang",
     [("owner-history", 5, "assignments.0: from and to are both 'wang'")]),
    (["{date: 2026-04-01, by: lin}"], "null",
     [("owner-history", 5, "assignments.0: from and to are both the public pool (null)")]),
])
def test_each_rule_of_the_history(workspace, entries, owner, expected):
    assert problems(workspace, customer(*entries, owner=owner)) == expected


def test_the_owner_of_a_customer_in_the_pool_must_match_even_when_absent(workspace):
    text = "id: C1\nname: 甲\nassignments:\n  - {date: 2026-04-01, from: null, to: wang, by: wang}\ncreated: 2026-01-01\n"
    assert problems(workspace, text) == [
        ("owner-history", 3, "owner is the public pool (null), but the last entry of assignments (2026-04-01) gives "
                             "the customer to 'wang'")]


def test_from_to_and_by_must_be_team_members(workspace):
    text = customer("{date: 2026-04-01, from: ghost, to: wang, by: nobody}")
    assert problems(workspace, text) == [
        ("unknown-ref", 5, "assignments.0.from: no team member 'ghost'"),
        ("unknown-ref", 5, "assignments.0.by: no team member 'nobody'"),
    ]


def test_an_entry_needs_a_date_and_who_made_it(workspace):
    text = customer("{from: zhang, to: wang}", owner="wang")
    codes = [code for code, *_ in problems(workspace, text)]
    assert codes.count("missing-field") == 2


# --- pool settings -------------------------------------------------------------------------

def config_of(text: str):
    parsed = parse_bytes(text.encode())
    return load_config(parsed.records[0].data, parsed.records[0].positions)


def test_without_pool_every_limit_is_off_and_the_defaults_hold():
    cfg, found = config_of(CONFIG)
    assert found == []
    assert cfg.pool == {"follow_up_days": None, "deal_days": None, "tiers": {}, "protect": ["key", "open_contract"],
                        "warn_days": 3, "reclaim_days": None, "daily_claims": None, "max_customers": None}


def test_pool_settings_are_read():
    cfg, found = config_of(POOL_CONFIG + "  protect: [key]\n")
    assert found == []
    assert cfg.pool == {"follow_up_days": 30, "deal_days": 90, "tiers": {"A": {"follow_up_days": 45, "deal_days": 180}},
                        "protect": ["key"], "warn_days": 3, "reclaim_days": 30, "daily_claims": 2, "max_customers": 3}


def test_null_turns_a_limit_off_and_keeps_other_defaults():
    cfg, found = config_of(CONFIG + "pool: {follow_up_days: null, warn_days: null, protect: null, "
                                    "tiers: {B: {deal_days: null}}}\n")
    assert found == []
    assert cfg.pool["follow_up_days"] is None and cfg.pool["warn_days"] == 3
    assert cfg.pool["protect"] == ["key", "open_contract"] and cfg.pool["tiers"] == {"B": {"deal_days": None}}


@pytest.mark.parametrize("setting, code, message", [
    ("pool: {follow_up_days: 0}", "bad-config", "pool.follow_up_days: 0 is out of range (1–36500)"),
    ("pool: {deal_days: ninety}", "bad-config", "pool.deal_days: 'ninety' is not a whole number"),
    ("pool: {warn_days: -1}", "bad-config", "pool.warn_days: -1 is out of range (0–36500)"),
    ("pool: {max_customers: 1.5}", "bad-config", "pool.max_customers: 1.5 is not a whole number"),
    ("pool: {daily_claims: true}", "bad-config", "pool.daily_claims: True is not a whole number"),
    ("pool: {protect: [key, vip]}", "bad-config", "pool.protect must list what is never released (key, open_contract), or be []"),
    ("pool: {protect: key}", "bad-config", "pool.protect must list what is never released (key, open_contract), or be []"),
    ("pool: {tiers: {A: {deal_days: 0}}}", "bad-config", "pool.tiers.A.deal_days: 0 is out of range (1–36500)"),
    ("pool: {tiers: {D: {deal_days: 9}}}", "unknown-field", "unknown setting 'pool.tiers.D'"),
    ("pool: {tiers: {A: {follow_up: 9}}}", "unknown-field", "unknown setting 'pool.tiers.A.follow_up'; did you mean 'follow_up_days'?"),
    ("pool: {reclaim: 30}", "unknown-field", "unknown setting 'pool.reclaim'; did you mean 'reclaim_days'?"),
    ("pool: [30]", "bad-config", "pool must be a mapping"),
])
def test_bad_pool_settings_are_problems_and_the_default_stays(setting, code, message):
    cfg, found = config_of(CONFIG + setting + "\n")
    assert [(p.code, p.message) for p in found] == [(code, message)]
    assert cfg.pool["follow_up_days"] is None and cfg.pool["protect"] == ["key", "open_contract"]
    assert cfg.pool["warn_days"] == 3 and cfg.pool["tiers"] == ({"A": {}} if "tiers: {A" in setting else {})


POOL_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**9), st.text(max_size=5),
                        st.lists(st.sampled_from(["key", "open_contract", "vip", 1]), max_size=3),
                        st.dictionaries(st.sampled_from(["A", "B", "D", 1]),
                                        st.one_of(st.none(), st.integers(-2, 50),
                                                  st.dictionaries(st.sampled_from(["follow_up_days", "deal_days", "x"]),
                                                                  st.one_of(st.none(), st.integers(-2, 10**6),
                                                                            st.text(max_size=3)), max_size=3)),
                                        max_size=3))


@settings(max_examples=150, deadline=None)
@given(st.one_of(POOL_VALUES, st.dictionaries(st.sampled_from(
    ["follow_up_days", "deal_days", "tiers", "protect", "warn_days", "reclaim_days", "daily_claims", "max_customers",
     "extra"]), POOL_VALUES, max_size=8)))
def test_any_pool_section_gives_usable_settings(pool):
    """Whatever `pool` holds, the settings are usable: bad values are problems and defaults stay."""
    from datetime import date, timedelta

    raw = {"company": {"name": "x"}, "team": [{"id": "a", "name": "A", "role": "rep"}], "pool": pool}
    cfg, found = load_config(raw, {})
    assert all(p.code in ("bad-config", "unknown-field") for p in found)
    settings_ = cfg.pool
    assert set(settings_["protect"]) <= {"key", "open_contract"}
    day = date(2999, 12, 31)
    for key in ("follow_up_days", "deal_days", "warn_days", "reclaim_days"):
        assert settings_[key] is None or isinstance(settings_[key], int) and not isinstance(settings_[key], bool)
        day + timedelta(days=settings_[key] or 0)  # every date the rules lead to exists
    for tier, limits in settings_["tiers"].items():
        assert tier in ("A", "B", "C") and set(limits) <= {"follow_up_days", "deal_days"}
        assert all(v is None or isinstance(v, int) and v >= 1 for v in limits.values())
    for key in ("daily_claims", "max_customers"):
        assert settings_[key] is None or isinstance(settings_[key], int) and settings_[key] >= 0
