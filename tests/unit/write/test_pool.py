"""The pool's writers as library calls (salesctl.write.pool): sweep, claim, assign, allocate.

Each returns a checked plan; `storage.apply` writes it. Refusals raise `Refused` naming the reason
and plan nothing. As of 2026-11-30 with POOL_CONFIG: follow_up_days 30, deal_days 90 (tier A 45 /
180), reclaim_days 30, daily_claims 2, max_customers 3; reps zhang, wang, liu in that team order.
"""

from __future__ import annotations

import os
import signal
from datetime import date

import pytest

from helpers.pool import POOL_CONFIG, tree
from salesctl import storage
from salesctl.load.pipeline import load
from salesctl.write import pool
from salesctl.errors import BadInput, Refused

D = date(2026, 11, 30)

SWEEP = {
    "customers/S1.yaml": "id: S1\nname: 甲公司\nowner: zhang   # 华东\ntier: B\ncreated: 2026-09-01\n",
    "customers/S2.yaml": "id: S2\nname: 乙公司\nowner: wang\ncreated: 2026-08-01\n",
    "customers/S3.yaml": "id: S3\nname: 丙公司\nowner: liu\ntier: A\ncreated: 2026-10-18\n",
    "customers/S4.yaml": "id: S4\nname: 丁公司\nowner: zhang\nkey: true\ncreated: 2020-01-01\n",
    "customers/S5.yaml": "id: S5\nname: 戊公司\nowner: zhang\nstatus: lost\ncreated: 2020-01-01\n",
    "customers/S6.yaml": "id: S6\nname: 己公司\ncreated: 2020-01-01\n",
    "customers/S7.yaml": "id: S7\nname: 庚公司\nowner: zhang\ncreated: 2026-10-31\n",
    "visits/2026.yaml": """\
        - {id: V1, customer: S1, rep: zhang, date: 2026-10-10, channel: onsite}
        - {id: V2, customer: S2, rep: wang, date: 2026-11-20, channel: phone}
        """,
}


def write(root, plan):
    storage.apply(root, plan.files, note="; ".join(plan.summary))


# --- sweep ---------------------------------------------------------------------------------

def test_sweep_releases_each_customer_due_on_or_before_the_date(workspace):
    root = workspace(SWEEP, config=POOL_CONFIG)
    plan = pool.sweep(load(root), by="lin", on=D)
    # S1: zhang's visit 10-10 + 30 = 11-09 (follow_up); S2: created 08-01 + 90 = 10-30 (deal; its
    # follow_up is 11-20 + 30 = 12-20); S7: created 10-31 + 30 = 11-30, today (follow_up).
    # S3 (tier A: 10-18 + 45 = 12-02) is not due yet; S4 is a key account, S5 lost, S6 in the pool.
    assert [(r["customer"], r["owner"], r["pool_due"], r["pool_reason"], r["reason"]) for r in plan.rows] == [
        ("S1", "zhang", date(2026, 11, 9), "follow_up", "no effective visit for 30 days"),
        ("S2", "wang", date(2026, 10, 30), "deal", "no deal within 90 days"),
        ("S7", "zhang", date(2026, 11, 30), "follow_up", "no effective visit for 30 days"),
    ]
    assert sorted(change.path for change in plan.files) == ["customers/S1.yaml", "customers/S2.yaml", "customers/S7.yaml"]
    write(root, plan)
    assert (root / "customers/S1.yaml").read_text(encoding="utf-8") == (
        "id: S1\nname: 甲公司\nowner: null   # 华东\n"
        "assignments:\n"
        "  - date: 2026-11-30\n    from: zhang\n    to: null\n    by: lin\n    reason: no effective visit for 30 days\n"
        "tier: B\ncreated: 2026-09-01\n")
    after = load(root)
    assert after.problems == []
    assert [c.id for c in after.records["customers"] if c.get("owner") is None] == ["S1", "S2", "S6", "S7"]


def test_sweep_twice_the_same_day_changes_nothing_the_second_time(workspace):
    root = workspace(SWEEP, config=POOL_CONFIG)
    write(root, pool.sweep(load(root), by="lin", on=D))
    before = tree(root)
    again = pool.sweep(load(root), by="lin", on=D)
    assert (again.files, again.rows) == ([], [])
    write(root, again)
    assert tree(root) == before


def test_sweep_leaves_a_customer_with_errors_out_and_says_so(workspace):
    root = workspace({**SWEEP, "customers/S8.yaml": "id: S8\nname: 辛公司\nowner: zhang\ntier: Z\ncreated: 2020-01-01\n"},
                     config=POOL_CONFIG)
    plan = pool.sweep(load(root), by="lin", on=D)
    assert [r["customer"] for r in plan.rows] == ["S1", "S2", "S7"]
    assert plan.notes == ["1 customer with errors left out; run salesctl validate"]


def test_only_a_manager_or_an_admin_sweeps(workspace):
    root = workspace(SWEEP, config=POOL_CONFIG)
    with pytest.raises(Refused, match=r"^zhang \(张伟\) has role rep; the pool sweep is for members with role "
                                      r"manager or admin; nothing written$"):
        pool.sweep(load(root), by="zhang", on=D)
    assert pool.sweep(load(root), by="ops", on=D).rows  # the admin (what cron runs as)


def test_a_sweep_cannot_write_history_before_a_later_change(workspace):
    root = workspace({"customers/S1.yaml": """\
        id: S1
        name: 甲公司
        owner: wang
        assignments:
          - {date: 2026-12-01, from: zhang, to: wang, by: lin, reason: assign}
        created: 2026-09-01
        """}, config=POOL_CONFIG)
    with pytest.raises(Refused, match="S1 changes owner on 2026-12-01, after 2026-11-30"):
        pool.sweep(load(root), by="lin", on=D)


# --- claim ---------------------------------------------------------------------------------

POOL = {
    "customers/P1.yaml": """\
        id: P1
        name: 甲公司
        owner: null
        assignments:
          - {date: 2026-11-20, from: liu, to: null, by: ops, reason: no effective visit for 30 days}
        created: 2026-06-01
        """,
    "customers/P2.yaml": "id: P2\nname: 乙公司\ncreated: 2026-11-01\n",
    "customers/P3.yaml": "id: P3\nname: 丙公司\ncreated: 2026-11-02\n",
    "customers/P4.yaml": "id: P4\nname: 丁公司\ncreated: 2026-11-03\n",
    "customers/O1.yaml": "id: O1\nname: 戊公司\nowner: wang\nkey: true\ncreated: 2026-01-01\n",
}


def test_claim_takes_a_customer_from_the_pool(workspace):
    root = workspace(POOL, config=POOL_CONFIG)
    plan = pool.claim(load(root), "P1", by="zhang", on=D)
    assert plan.summary == ["P1: claimed by zhang from the public pool (customers/P1.yaml)"]
    write(root, plan)
    assert (root / "customers/P1.yaml").read_text(encoding="utf-8") == (
        "id: P1\nname: 甲公司\nowner: zhang\nassignments:\n"
        "  - {date: 2026-11-20, from: liu, to: null, by: ops, reason: no effective visit for 30 days}\n"
        "  - {date: 2026-11-30, from: null, to: zhang, by: zhang, reason: claim}\n"
        "created: 2026-06-01\n")


def test_claiming_a_customer_nobody_ever_owned_adds_the_owner(workspace):
    root = workspace(POOL, config=POOL_CONFIG)
    write(root, pool.claim(load(root), "P2", by="wang", on=D))
    assert (root / "customers/P2.yaml").read_text(encoding="utf-8") == (
        "id: P2\nname: 乙公司\nowner: wang\nassignments:\n"
        "  - {date: 2026-11-30, from: null, to: wang, by: wang, reason: claim}\n"
        "created: 2026-11-01\n")  # the style of the other files' entries (flow)


@pytest.mark.parametrize("customer, by, message", [
    ("O1", "zhang", "O1 is owned by wang (王芳); only customers in the public pool can be claimed (a manager moves it "
                    "with salesctl assign); nothing written"),
    ("P1", "liu", "P1 was released from liu on 2026-11-20; liu may claim it again from 2026-12-20 "
                  "(pool.reclaim_days: 30); nothing written"),
    ("P1", "chen", "chen (陈静) has role legal; claiming customers is for members with role rep or lead or manager; "
                   "nothing written"),
])
def test_claim_refusals_name_their_reason(workspace, customer, by, message):
    root = workspace(POOL, config=POOL_CONFIG)
    with pytest.raises(Refused) as refused:
        pool.claim(load(root), customer, by=by, on=D)
    assert str(refused.value) == message


def test_claims_per_day_are_limited(workspace):
    root = workspace(POOL, config=POOL_CONFIG)
    for customer in ("P2", "P3"):  # daily_claims: 2
        write(root, pool.claim(load(root), customer, by="liu", on=D))
    before = tree(root)
    with pytest.raises(Refused, match=r"^liu has made 2 claims dated 2026-11-30, the daily limit "
                                      r"\(pool.daily_claims: 2\); nothing written$"):
        pool.claim(load(root), "P4", by="liu", on=D)
    assert tree(root) == before
    write(root, pool.claim(load(root), "P4", by="liu", on=date(2026, 12, 1)))  # a new day


def test_claims_stop_at_max_customers(workspace):
    # wang owns O1; two claims (the daily limit) make 3, max_customers; the next day's is refused.
    root = workspace(POOL, config=POOL_CONFIG)
    for customer in ("P2", "P3"):
        write(root, pool.claim(load(root), customer, by="wang", on=D))
    with pytest.raises(Refused, match=r"^wang owns 3 customers, the most a member may own "
                                      r"\(pool.max_customers: 3\); nothing written$"):
        pool.claim(load(root), "P4", by="wang", on=date(2026, 12, 1))


def test_claiming_ones_own_customer_writes_nothing(workspace):
    root = workspace(POOL, config=POOL_CONFIG)
    plan = pool.claim(load(root), "O1", by="wang", on=D)
    assert (plan.files, plan.summary) == ([], ["O1 is already wang's; nothing written"])


def test_claim_of_an_unknown_or_broken_customer(workspace):
    root = workspace({**POOL, "customers/P9.yaml": "id: P9\nname: 坏\ncreated: 2026-13-01\n"}, config=POOL_CONFIG)
    with pytest.raises(BadInput, match="no customer 'P0' in the workspace"):
        pool.claim(load(root), "P0", by="wang", on=D)
    with pytest.raises(Refused, match=r"^P9 \(customers/P9.yaml\) has errors; fix them first"):
        pool.claim(load(root), "P9", by="wang", on=D)


# --- assign --------------------------------------------------------------------------------

def test_assign_moves_customers_and_releases_them(workspace):
    root = workspace(POOL, config=POOL_CONFIG)
    plan = pool.assign(load(root), ["O1", "P2"], to="liu", by="lin", on=D, reason="区域调整")
    assert plan.summary == ["O1: wang (王芳) → liu (刘洋) (区域调整)", "P2: the public pool → liu (刘洋) (区域调整)"]
    write(root, plan)
    assert (root / "customers/O1.yaml").read_text(encoding="utf-8") == (
        "id: O1\nname: 戊公司\nowner: liu\nassignments:\n"
        "  - date: 2026-11-30\n    from: wang\n    to: liu\n    by: lin\n    reason: 区域调整\n"
        "key: true\ncreated: 2026-01-01\n")  # block entries: the newest other files show no entries
    write(root, pool.assign(load(root), ["O1"], to=None, by="lin", on=D))
    assert load(root).get("customers", "O1")["assignments"][-1] == {
        "date": D, "from": "liu", "by": "lin", "reason": "assign"}  # to: null reads as absent


def test_assign_beyond_max_customers_is_refused_whole_unless_forced(workspace):
    # wang owns O1 (1); P2, P3, P4 would make 4 > 3.
    root = workspace(POOL, config=POOL_CONFIG)
    with pytest.raises(Refused, match=r"^wang owns 1 customers; 3 more would make 4, beyond pool.max_customers "
                                      r"\(3\); nothing written \(--force assigns them anyway\)$"):
        pool.assign(load(root), ["P2", "P3", "P4"], to="wang", by="lin", on=D)
    plan = pool.assign(load(root), ["P2", "P3", "P4"], to="wang", by="lin", on=D, force=True)
    assert len(plan.files) == 3


def test_assign_leaves_customers_already_there_and_refuses_who_may_not(workspace):
    root = workspace(POOL, config=POOL_CONFIG)
    plan = pool.assign(load(root), ["O1", "P2"], to="wang", by="ops", on=D)
    assert [c.path for c in plan.files] == ["customers/P2.yaml"]
    assert plan.summary[-1] == "O1: already owned by wang; left as it is"
    with pytest.raises(Refused, match="^wang .王芳. has role rep; assigning customers is for members with role manager"):
        pool.assign(load(root), ["P2"], to="wang", by="wang", on=D)
    with pytest.raises(Refused, match="^chen .陈静. has role legal; customers are owned by members with role rep, lead, manager"):
        pool.assign(load(root), ["P2"], to="chen", by="lin", on=D)
    with pytest.raises(BadInput, match="--to: no team member 'ghost'"):
        pool.assign(load(root), ["P2"], to="ghost", by="lin", on=D)


# --- allocate ------------------------------------------------------------------------------

ALLOCATION = {
    "customers/O1.yaml": "id: O1\nname: 甲\nowner: zhang\nkey: true\ncreated: 2026-01-01\n",
    "customers/O2.yaml": "id: O2\nname: 乙\nowner: wang\nkey: true\ncreated: 2026-01-01\n",
    "customers/O3.yaml": "id: O3\nname: 丙\nowner: wang\nkey: true\ncreated: 2026-01-01\n",
    "customers/P1.yaml": "id: P1\nname: 丁\nowner: null\nassignments:\n"
                         "  - {date: 2026-10-01, from: zhang, to: null, by: ops}\ntier: B\ncreated: 2026-06-01\n",
    "customers/P2.yaml": "id: P2\nname: 戊\nowner: null\nassignments:\n"
                         "  - {date: 2026-11-20, from: liu, to: null, by: ops}\ntier: A\ncreated: 2026-06-01\n",
    "customers/P3.yaml": "id: P3\nname: 己\ntier: A\ncreated: 2026-11-10\n",
    "customers/P4.yaml": "id: P4\nname: 庚\ncreated: 2026-01-01\n",
    "customers/P5.yaml": "id: P5\nname: 辛\ntier: C\ncreated: 2026-11-01\n",
    "customers/P6.yaml": "id: P6\nname: 壬\nowner: null\nassignments:\n"
                         "  - {date: 2026-10-01, from: wang, to: null, by: ops}\ntier: B\ncreated: 2026-06-01\n",
    "customers/P7.yaml": "id: P7\nname: 癸\nstatus: lost\ntier: A\ncreated: 2026-01-01\n",
    "customers/P8.yaml": "id: P8\nname: 子\nowner: null\nassignments:\n"
                         "  - {date: 2026-11-25, from: wang, to: null, by: ops}\ntier: B\ncreated: 2026-06-01\n",
}


def test_allocation_order_and_choice_of_rep(workspace):
    """Tier A, B, C, none; longest in the pool first, then id; the fewest customers, then team order;
    no rep at max_customers (3), nor the rep a customer left within reclaim_days (30).

    Owned before: zhang 1, wang 2, liu 0. In order:
      P3 (A, since 11-10)  all eligible, liu has fewest (0)            -> liu   (liu 1)
      P2 (A, since 11-20)  liu left it 11-20: locked; zhang 1 < wang 2 -> zhang (zhang 2)
      P1 (B, since 10-01)  zhang 2, wang 2, liu 1 (zhang's lock ended 10-31) -> liu (liu 2)
      P6 (B, since 10-01)  2, 2, 2: team order                          -> zhang (zhang 3, full)
      P8 (B, since 11-25)  wang left it 11-25: locked; zhang full       -> liu   (liu 3, full)
      P5 (C, since 11-01)  zhang and liu full                           -> wang  (wang 3, full)
      P4 (none, 01-01)     everyone full: stays in the pool
    P7 is lost: never handed out.
    """
    root = workspace(ALLOCATION, config=POOL_CONFIG)
    plan = pool.allocate(load(root), by="lin", on=D)
    assert [(r["customer"], r["tier"], r["since"], r["days"], r["owner"]) for r in plan.rows] == [
        ("P3", "A", date(2026, 11, 10), 20, "liu"),
        ("P2", "A", date(2026, 11, 20), 10, "zhang"),
        ("P1", "B", date(2026, 10, 1), 60, "liu"),
        ("P6", "B", date(2026, 10, 1), 60, "zhang"),
        ("P8", "B", date(2026, 11, 25), 5, "liu"),
        ("P5", "C", date(2026, 11, 1), 29, "wang"),
    ]
    assert plan.notes == ["left in the pool, no rep may take them (pool.max_customers or pool.reclaim_days): P4"]
    write(root, plan)
    ws = load(root)
    assert ws.problems == []
    assert ws.get("customers", "P5")["assignments"] == [{"date": D, "to": "wang", "by": "lin", "reason": "allocate"}]


@pytest.mark.parametrize("options, expected", [
    ({"limit": 2}, [("P3", "liu"), ("P2", "zhang")]),
    # north is liu alone: P3 -> liu (1); P2 locked for liu; P1 -> liu (2); P6 -> liu (3); then liu is full.
    ({"group": "north"}, [("P3", "liu"), ("P1", "liu"), ("P6", "liu")]),
    # zhang 1, wang 2: P3 -> zhang (2); P2 -> zhang (3, full); P1 -> wang (3, full); nobody left.
    ({"names": ["zhang", "wang"]}, [("P3", "zhang"), ("P2", "zhang"), ("P1", "wang")]),
])
def test_allocation_to_some_reps_or_some_customers(workspace, options, expected):
    root = workspace(ALLOCATION, config=POOL_CONFIG)
    plan = pool.allocate(load(root), by="lin", on=D, **options)
    assert [(r["customer"], r["owner"]) for r in plan.rows] == expected


@pytest.mark.parametrize("options, message", [
    ({"group": "west"}, "--group: no team member is in group 'west'"),
    ({"names": ["chen"]}, "--to: chen has role legal; allocate hands customers to reps"),
    ({"names": ["ghost"]}, "--to: no team member 'ghost'"),
    ({"group": "north", "names": ["zhang"]}, "--to: zhang is not in group 'north'"),
])
def test_allocation_to_whom_is_a_usage_question(workspace, options, message):
    root = workspace(ALLOCATION, config=POOL_CONFIG)
    with pytest.raises(BadInput, match=f"^{message}$"):
        pool.allocate(load(root), by="lin", on=D, **options)


# --- hundreds of customers in one write ----------------------------------------------------

def many_customers(count: int) -> dict:
    """`count` customers owned by zhang and wang since 2026-01-01, never visited: all due 01-31."""
    return {f"customers/C{n:03d}.yaml": f"id: C{n:03d}\nname: 客户{n}\nowner: {('zhang', 'wang')[n % 2]}\n"
                                        f"created: 2026-01-01\n" for n in range(count)}


def test_500_customers_swept_and_allocated_each_in_one_write(workspace, monkeypatch):
    root = workspace(many_customers(500), config=POOL_CONFIG.replace("max_customers: 3", "max_customers: null"))
    writes = []
    real_apply = storage.apply
    monkeypatch.setattr(storage, "apply", lambda root, changes, note="": writes.append(len(changes))
                        or real_apply(root, changes, note))
    sweep = pool.sweep(load(root), by="lin", on=D)
    assert len(sweep.files) == len(sweep.rows) == 500
    write(root, sweep)
    assert all(c.get("owner") is None for c in load(root).records["customers"])
    allocation = pool.allocate(load(root), by="lin", on=D)
    write(root, allocation)
    assert writes == [500, 500]
    ws = load(root)
    assert ws.problems == []
    # All untiered and in the pool since today: by id. zhang left the even ones today and wang the
    # odd ones (reclaim_days 30: locked for them). From 0 each, the fewest, then team order:
    #   C000 (not zhang): wang 0, liu 0 -> wang    C001 (not wang): zhang 0, liu 0 -> zhang
    #   C002: wang 1, liu 0 -> liu                 C003: zhang 1, liu 1 -> zhang
    #   C004: wang 1, liu 1 -> wang                C005: zhang 2, liu 1 -> liu
    # then the same six again: 2 each per six; 500 = 83 × 6 + 2 (one more for wang and zhang).
    owners = [c.get("owner") for c in ws.records["customers"]]
    assert owners[:7] == ["wang", "zhang", "liu", "zhang", "wang", "liu", "wang"]
    assert {rep: owners.count(rep) for rep in ("zhang", "wang", "liu")} == {"zhang": 167, "wang": 167, "liu": 166}


def records_of(root) -> dict:
    """The customers' files (a killed writer's hidden temporary files left out)."""
    return {rel: data for rel, data in tree(root).items() if not rel.rpartition("/")[2].startswith(".")}


def test_a_sweep_killed_at_any_moment_of_its_write_leaves_all_or_nothing(workspace):
    root = workspace(many_customers(200), config=POOL_CONFIG)
    before = records_of(root)
    plan = pool.sweep(load(root), by="lin", on=D)
    assert len(plan.files) == 200
    after = {**before, **{c.path: c.after for c in plan.files}}
    seen = []
    for kill_at in (1, 2, 100, 200, 201):  # the n-th rename: the journal's first, then the 200 files
        pid = os.fork()
        if pid == 0:  # the child never returns into pytest
            try:
                calls = [0]
                real_replace = os.replace

                def replace(*args, **kwargs):
                    calls[0] += 1
                    if calls[0] == kill_at:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return real_replace(*args, **kwargs)

                os.replace = replace
                storage.apply(root, plan.files, note="sweep")
            finally:
                os._exit(1)
        os.waitpid(pid, 0)
        load(root)  # the next command, any command, finishes what the journal holds
        state = records_of(root)
        seen.append("old" if state == before else "new" if state == after else "mixed")
        for rel, data in before.items():  # back to the start for the next kill
            (root / rel).write_bytes(data)
    # killed before the journal was in place: nothing written; after it: finished by the next command
    assert seen == ["old", "new", "new", "new", "new"]


def test_an_empty_owner_is_filled_in_place_in_block_and_flow_records(workspace):
    root = workspace({
        "customers/P1.yaml": "id: P1\nname: 甲公司\nowner:      # 待分配\ncreated: 2026-11-01\n",
        "customers/more.yaml": "- {id: P2, name: 乙公司, owner: , created: 2026-11-01}\n"
                               "- {id: P3, name: 丙公司, owner: ~, created: 2026-11-01}\n",
    }, config=POOL_CONFIG.replace("daily_claims: 2", "daily_claims: 3"))
    for customer in ("P1", "P2", "P3"):
        write(root, pool.claim(load(root), customer, by="liu", on=D))
    assert (root / "customers/P1.yaml").read_text(encoding="utf-8") == (
        "id: P1\nname: 甲公司\nowner: liu      # 待分配\nassignments:\n"
        "  - date: 2026-11-30\n    from: null\n    to: liu\n    by: liu\n    reason: claim\n"
        "created: 2026-11-01\n")
    assert (root / "customers/more.yaml").read_text(encoding="utf-8") == (
        "- {id: P2, name: 乙公司, owner: liu, created: 2026-11-01, assignments: "
        "[{date: 2026-11-30, from: null, to: liu, by: liu, reason: claim}]}\n"
        "- {id: P3, name: 丙公司, owner: liu, created: 2026-11-01, assignments: "
        "[{date: 2026-11-30, from: null, to: liu, by: liu, reason: claim}]}\n")
    assert load(root).problems == []
