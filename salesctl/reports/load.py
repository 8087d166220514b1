"""`report load`: how many customers each rep carries, and how well, as of D — what a manager
looks at before allocating.

Ownership comes from `model.ownership`, the pool dates and open contracts from `derive`, the
overdue balances from the collection ledger (`reports.overdue`); this module only counts them per
rep.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .. import derive
from ..model import ownership
from .overdue import overdue_rows

TIERS = ("A", "B", "C", "none")
LOAD_KEYS = ("customers", "key", "tiers", "active", "due", "open_contracts", "overdue_balance", "claims_today")
ACTIVE_DAYS = 30  # `active`: an effective visit by the rep dated D−29 to D


def _empty() -> dict:
    return {"customers": 0, "key": 0, "tiers": {tier: 0 for tier in TIERS}, "active": 0, "due": 0,
            "open_contracts": 0, "overdue_balance": Decimal("0"), "claims_today": 0}


def load_rows(ws, as_of: date, *, group: str | None = None) -> list[dict]:
    """One row per team member with role rep (in `group`), in team order."""
    reps = [m for m in ws.config.team if m.get("role") == "rep" and (group is None or m.get("group") == group)]
    rows = {m["id"]: {"rep": m["id"], "name": m["name"], **_empty()} for m in reps}
    warn_until = as_of + timedelta(days=ws.config.pool["warn_days"])
    active_from = as_of - timedelta(days=ACTIVE_DAYS - 1)
    for customer in ws.records["customers"]:
        owner = ownership.owner_on(customer, as_of)
        row = rows.get(owner)
        if row is None:
            continue
        row["customers"] += 1
        row["key"] += bool(customer.get("key"))
        row["tiers"][customer.get("tier") or "none"] += 1
        row["active"] += any(v.get("rep") == owner and v.get("effective", True) and active_from <= v["date"] <= as_of
                             for v in ws.visits_of(customer.id))
        due = derive.pool_due(ws, customer, as_of)
        row["due"] += due is not None and due <= warn_until
    for contract in ws.records["contracts"]:
        row = rows.get(contract.get("owner"))
        if row is not None and derive.is_open_contract(ws, contract, as_of):
            row["open_contracts"] += 1
    for overdue in overdue_rows(ws, as_of):
        row = rows.get(overdue["owner"])
        if row is not None:
            row["overdue_balance"] += overdue["balance"]
    for member, claims in ownership.claims_on(ws, as_of).items():
        if member in rows:
            rows[member]["claims_today"] = claims
    return list(rows.values())


def total_row(rows: list[dict]) -> dict:
    total = _empty()
    for row in rows:
        for key in LOAD_KEYS:
            if key == "tiers":
                for tier in TIERS:
                    total["tiers"][tier] += row["tiers"][tier]
            else:
                total[key] += row[key]
    return total


def load_report(ws, as_of: date, *, group: str | None = None) -> dict:
    """The `report load` document: `{as_of, group, rows, total}`."""
    rows = load_rows(ws, as_of, group=group)
    return {"as_of": as_of, "group": group, "rows": rows, "total": total_row(rows)}
