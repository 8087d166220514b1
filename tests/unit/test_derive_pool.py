"""The pool's derived values (derive.py): pool_due and pool_reason, and the customer's derived
fields, each worked out by hand from literal records, as of 2026-11-30 unless said otherwise (the
ownership they build on: tests/unit/model/test_ownership.py).

Pool rules of POOL_CONFIG: follow_up_days 30, deal_days 90; tier A 45 / 180; protect key and
open_contract (the default); warn_days 3.
"""

from __future__ import annotations

from datetime import date

import pytest

from helpers.pool import POOL_CONFIG
from salesctl import derive
from salesctl.load.pipeline import load
from salesctl.model import ownership

D = date(2026, 11, 30)
APPROVED = """approvals:
  - {stage: manager, by: lin, date: 2026-01-10, decision: approved}
  - {stage: legal, by: chen, date: 2026-01-10, decision: approved}
  - {stage: finance, by: ops, date: 2026-01-10, decision: approved}
"""


def contract(cid: str, customer: str, status: str, signed: str | None = None) -> str:
    text = (f"id: {cid}\ncustomer: {customer}\nowner: zhang\ntitle: 培训\nstatus: {status}\ncreated: 2026-01-05\n"
            f"items: [{{name: 课程, quantity: 1, unit_price: 1000}}]\namount: 1000\n")
    if signed:
        text += f"signed: {signed}\n"
    if status in ("approved", "signed", "completed"):
        text += APPROVED
    return text


def customers(root_files: dict, workspace, config=POOL_CONFIG):
    ws = load(workspace(root_files, config=config))
    assert [p.format() for p in ws.problems if p.is_error] == []
    return ws.usable()


VISITS = """\
- {id: V1, customer: C1, rep: zhang, date: 2026-10-10, channel: onsite}
- {id: V2, customer: C1, rep: wang, date: 2026-11-01, channel: phone}
- {id: V3, customer: C1, rep: zhang, date: 2026-11-05, channel: phone, effective: false}
- {id: V4, customer: C1, rep: zhang, date: 2026-12-05, channel: phone}
- {id: V5, customer: C2, rep: zhang, date: 2026-11-20, channel: onsite}
"""


@pytest.fixture
def ws(workspace):
    """C1 and C2 owned by zhang, tier B, never reassigned."""
    files = {
        "customers/all.yaml": """\
            - {id: C1, name: 甲, owner: zhang, tier: B, created: 2026-09-01}
            - {id: C2, name: 乙, owner: zhang, tier: B, created: 2026-08-01}
            """,
        "visits/all.yaml": VISITS,
    }
    return customers(files, workspace)


def test_follow_up_counts_only_the_owners_effective_visits_up_to_the_date(ws):
    # C1: assigned = created 09-01; zhang's effective visits ≤ 11-30: 10-10 (wang's 11-01 is not the
    # owner's, zhang's 11-05 is not effective, 12-05 is after the date).
    # follow_up: max(09-01, 10-10) + 30 = 11-09; deal: 09-01 + 90 = 11-30. The earlier: 11-09.
    c1 = ws.get("customers", "C1")
    assert derive.pool_due_reason(ws, c1, D) == (date(2026, 11, 9), "follow_up", 30)
    assert (derive.pool_due(ws, c1, D), derive.pool_reason(ws, c1, D)) == (date(2026, 11, 9), "follow_up")


def test_deal_when_no_counted_contract_is_signed_since_assigned(ws):
    # C2: assigned = created 08-01; follow_up: max(08-01, 11-20) + 30 = 12-20; deal: 08-01 + 90 = 10-30.
    c2 = ws.get("customers", "C2")
    assert derive.pool_due_reason(ws, c2, D) == (date(2026, 10, 30), "deal", 90)


def test_a_visit_after_the_date_does_not_count_as_of_that_date(ws):
    # As of 12-31 the 12-05 visit counts: follow_up 12-05 + 30 = 2027-01-04; deal 11-30 is earlier.
    c1 = ws.get("customers", "C1")
    assert derive.pool_due_reason(ws, c1, date(2026, 12, 31)) == (date(2026, 11, 30), "deal", 90)


def test_a_tie_is_follow_up(workspace):
    # assigned 09-01 (created); zhang's visit 10-01: follow_up 10-01 + 30 = 10-31; deal: 09-01 + 90 = 11-30.
    # With deal_days 60: deal 09-01 + 60 = 10-31, the same day: follow_up.
    config = POOL_CONFIG.replace("deal_days: 90", "deal_days: 60")
    ws = customers({"customers/C1.yaml": "{id: C1, name: 甲, owner: zhang, created: 2026-09-01}\n",
                    "visits/V1.yaml": "{id: V1, customer: C1, rep: zhang, date: 2026-10-01, channel: phone}\n"},
                   workspace, config)
    assert derive.pool_due_reason(ws, ws.get("customers", "C1"), D) == (date(2026, 10, 31), "follow_up", 30)


def test_a_counted_contract_signed_since_assigned_stops_the_deal_limit(workspace):
    # C1 created 08-01, contract completed and signed 09-15, paid (no receivable): not open.
    # deal: none; follow_up: no visits, 08-01 + 30 = 08-31.
    ws = customers({"customers/C1.yaml": "{id: C1, name: 甲, owner: zhang, created: 2026-08-01}\n",
                    "contracts/K1.yaml": contract("K1", "C1", "completed", "2026-09-15")}, workspace)
    # completed with no receivable: under-scheduled is a warning, nothing unpaid
    assert derive.pool_due_reason(ws, ws.get("customers", "C1"), D) == (date(2026, 8, 31), "follow_up", 30)


def test_a_contract_signed_before_the_customer_changed_hands_does_not_count(workspace):
    # Signed 09-15, but wang handed the customer to zhang on 10-01: assigned 10-01;
    # deal: 10-01 + 90 = 12-30; follow_up: 10-01 + 30 = 10-31 (no visits): 10-31.
    # With follow_up off, the deal limit shows: 12-30.
    config = POOL_CONFIG.replace("follow_up_days: 30", "follow_up_days: null")
    ws = customers({"customers/C1.yaml": """\
                        id: C1
                        name: 甲
                        owner: zhang
                        assignments:
                          - {date: 2026-10-01, from: wang, to: zhang, by: lin, reason: assign}
                        created: 2026-08-01
                        """,
                    "contracts/K1.yaml": contract("K1", "C1", "completed", "2026-09-15")}, workspace, config)
    assert derive.pool_due_reason(ws, ws.get("customers", "C1"), D) == (date(2026, 12, 30), "deal", 90)


def test_a_contract_signed_after_the_date_does_not_count_yet(workspace):
    # Signed 12-10, after the date: as of 11-30 deal = 08-01 + 90 = 10-30 still (follow_up off).
    config = POOL_CONFIG.replace("follow_up_days: 30", "follow_up_days: null")
    ws = customers({"customers/C1.yaml": "{id: C1, name: 甲, owner: zhang, created: 2026-08-01}\n",
                    "contracts/K1.yaml": contract("K1", "C1", "completed", "2026-12-10")}, workspace, config)
    c1 = ws.get("customers", "C1")
    assert derive.pool_due_reason(ws, c1, D) == (date(2026, 10, 30), "deal", 90)
    assert derive.pool_due_reason(ws, c1, date(2026, 12, 10)) is None


def test_tier_overrides_and_a_null_override_turns_a_limit_off(workspace):
    # Tier A: follow_up 45, deal 180. Created 06-01, no visits: follow_up 07-16, deal 11-28: 07-16.
    # Tier B with {deal_days: null}: follow_up 30 → 07-01, no deal limit; with follow_up off too: none.
    files = {"customers/all.yaml": """\
        - {id: A1, name: 甲, owner: zhang, tier: A, created: 2026-06-01}
        - {id: B1, name: 乙, owner: zhang, tier: B, created: 2026-06-01}
        """}
    ws = customers(files, workspace, POOL_CONFIG.replace("tiers: {A: {follow_up_days: 45, deal_days: 180}}",
                                                         "tiers: {A: {follow_up_days: 45, deal_days: 180}, "
                                                         "B: {deal_days: null}}"))
    assert derive.pool_due_reason(ws, ws.get("customers", "A1"), D) == (date(2026, 7, 16), "follow_up", 45)
    assert derive.pool_due_reason(ws, ws.get("customers", "B1"), D) == (date(2026, 7, 1), "follow_up", 30)
    off = customers(files, workspace, POOL_CONFIG.replace("tiers: {A: {follow_up_days: 45, deal_days: 180}}",
                                                          "tiers: {B: {deal_days: null, follow_up_days: null}}"))
    assert derive.pool_due_reason(off, off.get("customers", "B1"), D) is None


def test_without_a_pool_section_nothing_is_ever_due(workspace):
    from helpers.workspaces import CONFIG

    ws = customers({"customers/C1.yaml": "{id: C1, name: 甲, owner: zhang, created: 2020-01-01}\n"}, workspace, CONFIG)
    c1 = ws.get("customers", "C1")
    assert derive.pool_due_reason(ws, c1, D) is None
    assert (ownership.owner_on(c1, D), ownership.in_pool(c1, D), ownership.assigned(c1, D)) == ("zhang", False,
                                                                                          date(2020, 1, 1))


# --- protect -------------------------------------------------------------------------------

PROTECTED = {
    "customers/all.yaml": """\
        - {id: KEY, name: 重点, owner: zhang, key: true, created: 2026-01-01}
        - {id: DRAFT, name: 草稿合同, owner: zhang, created: 2026-01-01}
        - {id: UNPAID, name: 欠款, owner: zhang, created: 2026-01-01}
        - {id: PAID, name: 结清, owner: zhang, created: 2026-01-01}
        - {id: LOST, name: 流失, owner: zhang, status: lost, created: 2026-01-01}
        - {id: POOL, name: 公海, created: 2026-01-01}
        """,
    "contracts/DRAFT-1.yaml": contract("DRAFT-1", "DRAFT", "draft"),
    "contracts/UNPAID-1.yaml": contract("UNPAID-1", "UNPAID", "completed", "2026-02-01"),
    "contracts/PAID-1.yaml": contract("PAID-1", "PAID", "completed", "2026-02-01"),
    "receivables/R1.yaml": "{id: R1, contract: UNPAID-1, amount: 1000, due: 2026-03-01, payments: [{date: 2026-03-01, amount: 400}]}\n",
    "receivables/R2.yaml": "{id: R2, contract: PAID-1, amount: 1000, due: 2026-03-01, payments: [{date: 2026-03-01, amount: 1000}]}\n",
}


def test_protect_items_key_and_open_contract(workspace):
    # Every one created 01-01 and never visited: follow_up 01-31 unless protected, lost or in the pool.
    # PAID: its contract is signed 02-01 (after assigned), so no deal limit; follow_up 01-31.
    ws = customers(PROTECTED, workspace)
    due = {c.id: derive.pool_due(ws, c, D) for c in ws.records["customers"]}
    assert due == {"KEY": None, "DRAFT": None, "UNPAID": None, "PAID": date(2026, 1, 31), "LOST": None, "POOL": None}


def test_protect_lists_what_it_protects(workspace):
    # protect [key]: open contracts no longer protect. DRAFT (no counted contract): deal 01-01 + 90 =
    # 04-01, follow_up 01-31: 01-31. UNPAID (signed 02-01 after assigned): follow_up 01-31.
    ws = customers(PROTECTED, workspace, POOL_CONFIG + "  protect: [key]\n")
    due = {c.id: derive.pool_due(ws, c, D) for c in ws.records["customers"]}
    assert due == {"KEY": None, "DRAFT": date(2026, 1, 31), "UNPAID": date(2026, 1, 31), "PAID": date(2026, 1, 31),
                   "LOST": None, "POOL": None}
    bare = customers(PROTECTED, workspace, POOL_CONFIG + "  protect: []\n")
    assert derive.pool_due(bare, bare.get("customers", "KEY"), D) == date(2026, 1, 31)


def test_a_receivable_paid_after_the_date_still_protects_as_of_the_date(workspace):
    files = {**PROTECTED, "receivables/R1.yaml": "{id: R1, contract: UNPAID-1, amount: 1000, due: 2026-03-01, "
                                                 "payments: [{date: 2026-12-05, amount: 1000}]}\n"}
    ws = customers(files, workspace)
    unpaid = ws.get("customers", "UNPAID")
    assert derive.pool_due(ws, unpaid, D) is None
    assert derive.pool_due(ws, unpaid, date(2026, 12, 5)) == date(2026, 1, 31)


def test_derived_fields_of_a_customer(ws):
    row = derive.derived_fields(ws, ws.get("customers", "C1"), D)
    assert {k: row[k] for k in ("owner_on", "in_pool", "assigned", "pool_due", "pool_reason")} == {
        "owner_on": "zhang", "in_pool": False, "assigned": date(2026, 9, 1), "pool_due": date(2026, 11, 9),
        "pool_reason": "follow_up"}
