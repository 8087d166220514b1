"""What the pool shows: the `pool` listing, `pool --due`, `report load` and the pool-warning reminder,
hand-computed from one literal workspace as of 2026-11-30 (POOL_CONFIG: follow_up_days 30, deal_days
90, tier A 45 / 180, warn_days 3).

  L1 zhang  A, key       visited by zhang 11-01 (effective)         key: never due
  L2 zhang  B            created 11-01; visited by wang 11-20         due 11-01 + 30 = 12-01
  L3 zhang  no tier      created 10-01; visited by zhang 10-31       due 10-31 + 30 = 11-30 (deal 12-30)
  L4 wang   C            claimed by wang today; draft contract K3    protected (open contract)
  L5 pool   C            created 01-01, never owned
  L6 liu    C, lost      its contract K2 completed and paid          lost: never due
  L7 pool   B            released from zhang 11-20
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from helpers.pool import POOL_CONFIG
from salesctl.load.pipeline import load
from salesctl.remind.remind import reminders
from salesctl.reports.load import load_report
from salesctl.reports.pool import pool_report

D = date(2026, 11, 30)
APPROVED = """\
approvals:
  - {stage: manager, by: lin, date: 2026-02-01, decision: approved}
  - {stage: legal, by: chen, date: 2026-02-01, decision: approved}
  - {stage: finance, by: ops, date: 2026-02-01, decision: approved}
"""


def contract(cid, customer, owner, status, signed=None):
    text = (f"id: {cid}\ncustomer: {customer}\nowner: {owner}\ntitle: 培训\nstatus: {status}\ncreated: 2026-01-10\n"
            f"items: [{{name: 课程, quantity: 1, unit_price: 10000}}]\namount: 10000\n")
    return text + (f"signed: {signed}\n" + APPROVED if signed else "")


FILES = {
    "customers/all.yaml": """\
        - {id: L1, name: 一号公司, owner: zhang, tier: A, key: true, created: 2026-01-01}
        - {id: L2, name: 二号公司, owner: zhang, tier: B, created: 2026-11-01}
        - {id: L3, name: 三号公司, owner: zhang, created: 2026-10-01}
        - id: L4
          name: 四号公司
          owner: wang
          assignments:
            - {date: 2026-11-30, from: null, to: wang, by: wang, reason: claim}
          tier: C
          created: 2026-06-01
        - {id: L5, name: 五号公司, tier: C, created: 2026-01-01}
        - {id: L6, name: 六号公司, owner: liu, status: lost, tier: C, created: 2020-01-01}
        - id: L7
          name: 七号公司
          owner: null
          assignments:
            - {date: 2026-11-20, from: zhang, to: null, by: ops, reason: no effective visit for 30 days}
          tier: B
          created: 2026-05-01
        """,
    "visits/2026.yaml": """\
        - {id: V1, customer: L1, rep: zhang, date: 2026-11-01, channel: onsite}
        - {id: V2, customer: L2, rep: wang, date: 2026-11-20, channel: phone}
        - {id: V3, customer: L3, rep: zhang, date: 2026-10-31, channel: phone}
        - {id: V4, customer: L4, rep: wang, date: 2026-11-29, channel: phone, effective: false}
        """,
    "contracts/K1.yaml": contract("K1", "L1", "zhang", "signed", "2026-02-10"),
    "contracts/K2.yaml": contract("K2", "L6", "liu", "completed", "2026-02-10"),
    "contracts/K3.yaml": contract("K3", "L4", "wang", "draft"),
    "receivables/R1.yaml": "{id: R1, contract: K1, amount: 10000, due: 2026-10-01, "
                           "payments: [{date: 2026-10-01, amount: 4000}]}\n",
    "receivables/R2.yaml": "{id: R2, contract: K2, amount: 10000, due: 2026-03-01, "
                           "payments: [{date: 2026-03-01, amount: 10000}]}\n",
}


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    from helpers.workspaces import write_workspace

    workspace = load(write_workspace(tmp_path_factory.mktemp("pool") / "ws", FILES, POOL_CONFIG))
    assert [p.format() for p in workspace.problems] == []
    return workspace.usable()


def test_pool_lists_the_customers_nobody_owns_longest_first(ws):
    assert pool_report(ws, D) == {"as_of": D, "rows": [
        # L5: never owned, since created 01-01: 333 days (Jan 30 + Feb 28 + … + Nov 29 = 333)
        {"id": "L5", "name": "五号公司", "tier": "C", "since": date(2026, 1, 1), "from": None, "reason": None,
         "days": 333},
        {"id": "L7", "name": "七号公司", "tier": "B", "since": date(2026, 11, 20), "from": "zhang",
         "reason": "no effective visit for 30 days", "days": 10},
    ]}


def test_pool_as_of_an_earlier_date(ws):
    # On 11-19 zhang still had L7, and L4 was in the pool (wang claims it on 11-30), since 06-01:
    # 11-19 − 01-01 = 322 days, 11-19 − 06-01 = 171 days.
    rows = pool_report(ws, date(2026, 11, 19))["rows"]
    assert [(row["id"], row["since"], row["days"]) for row in rows] == [
        ("L5", date(2026, 1, 1), 322), ("L4", date(2026, 6, 1), 171)]


@pytest.mark.parametrize("days, expected", [
    (3, [("L3", date(2026, 11, 30)), ("L2", date(2026, 12, 1))]),  # until 12-03, soonest first
    (0, [("L3", date(2026, 11, 30))]),
])
def test_due_lists_owned_customers_due_within_the_days(ws, days, expected):
    doc = pool_report(ws, D, due=days)
    assert [(row["id"], row["pool_due"]) for row in doc["rows"]] == expected
    assert all(row["owner"] == "zhang" and row["pool_reason"] == "follow_up" for row in doc["rows"])


def test_report_load_counts_per_rep_and_sums(ws):
    doc = load_report(ws, D)
    rows = {row["rep"]: row for row in doc["rows"]}
    assert list(rows) == ["zhang", "wang", "liu"]  # team order, role rep only
    # zhang: L1 L2 L3; key L1; active L1 (zhang's visit 11-01 = D − 29; L3's 10-31 is a day too early;
    # L2's visit is wang's); due L2 (12-01) and L3 (11-30) ≤ D + 3; K1 open (signed); R1 overdue
    # 10,000 − 4,000 = 6,000.
    assert rows["zhang"] == {"rep": "zhang", "name": "张伟", "customers": 3, "key": 1,
                             "tiers": {"A": 1, "B": 1, "C": 0, "none": 1}, "active": 1, "due": 2,
                             "open_contracts": 1, "overdue_balance": Decimal("6000"), "claims_today": 0}
    # wang: L4 (visit not effective; protected by K3, a draft: open); claimed today.
    assert rows["wang"] == {"rep": "wang", "name": "王芳", "customers": 1, "key": 0,
                            "tiers": {"A": 0, "B": 0, "C": 1, "none": 0}, "active": 0, "due": 0,
                            "open_contracts": 1, "overdue_balance": Decimal("0"), "claims_today": 1}
    # liu: L6, lost; K2 completed and paid: not open.
    assert rows["liu"]["customers"] == 1 and rows["liu"]["open_contracts"] == 0 and rows["liu"]["due"] == 0
    assert doc["total"] == {"customers": 5, "key": 1, "tiers": {"A": 1, "B": 1, "C": 2, "none": 1}, "active": 1,
                            "due": 2, "open_contracts": 2, "overdue_balance": Decimal("6000"), "claims_today": 1}


def test_report_load_of_a_group(ws):
    doc = load_report(ws, D, group="north")
    assert [row["rep"] for row in doc["rows"]] == ["liu"] and doc["total"]["customers"] == 1


def test_pool_warning_goes_to_the_owner_for_what_is_due_within_warn_days(ws):
    items = {person["to"]: [(i["kind"], i["ref"], i["date"], i["message"]) for i in person["items"]]
             for person in reminders(ws, D)}
    assert [i for i in items["zhang"] if i[0] == "pool-warning"] == [
        ("pool-warning", "L3", date(2026, 11, 30), "三号公司 将于 2026-11-30 退回公海：30 天内无有效拜访"),
        ("pool-warning", "L2", date(2026, 12, 1), "二号公司 将于 2026-12-01 退回公海：30 天内无有效拜访"),
    ]
    assert [i for person, found in items.items() if person != "zhang" for i in found if i[0] == "pool-warning"] == []


def test_a_pool_date_already_past_still_warns_until_the_sweep(ws):
    items = [i for person in reminders(ws, date(2026, 12, 1)) for i in person["items"] if i["kind"] == "pool-warning"]
    assert [(i["ref"], i["message"]) for i in items] == [
        ("L3", "三号公司 已于 2026-11-30 达到回收条件，下次回收时退回公海：30 天内无有效拜访"),
        ("L2", "二号公司 将于 2026-12-01 退回公海：30 天内无有效拜访"),
    ]


def test_a_customer_in_the_pool_gets_no_dormant_or_pool_warning(ws):
    # L5 (tier C, follow_up_days 90 for dormant) has had no contact for 333 days, but nobody owns it.
    refs = [(i["kind"], i["ref"]) for person in reminders(ws, D) for i in person["items"]]
    assert not [ref for ref in refs if ref[1] in ("L5", "L7")]
    assert ("dormant", "L1") in refs  # owned: the key account's 14 days, 11-01 to 11-30 is 29
