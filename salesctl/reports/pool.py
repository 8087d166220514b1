"""`salesctl pool`: the customers in the public pool (公海), or those due to go back to it.

Every value comes from `model.ownership` (owner_on, pool_since, latest_release) and `derive`
(pool_due_reason); this module only selects and orders them.
"""

from __future__ import annotations

from datetime import date, timedelta

from .. import derive
from ..model import ownership


def pool_rows(ws, as_of: date) -> list[dict]:
    """Customers in the pool on D, the longest there first (then by id). `since`: the date of the
    latest release (≤ D), else `created`; `from`, `reason`: that release's, else null."""
    rows = []
    for customer in ws.records["customers"]:
        if not ownership.in_pool(customer, as_of):
            continue
        release = ownership.latest_release(customer, as_of) or {}
        since = ownership.pool_since(customer, as_of)
        rows.append({"id": customer.id, "name": customer["name"], "tier": customer.get("tier"), "since": since,
                     "from": release.get("from"), "reason": release.get("reason"), "days": (as_of - since).days})
    rows.sort(key=lambda row: (-row["days"], row["id"]))
    return rows


def due_rows(ws, as_of: date, days: int) -> list[dict]:
    """Owned customers whose pool_due is on or before D + `days` (past dates included: not yet
    swept), the soonest first (then by id)."""
    until = as_of + timedelta(days=days)
    rows = []
    for customer in ws.records["customers"]:
        due = derive.pool_due_reason(ws, customer, as_of)
        if due is not None and due.date <= until:
            rows.append({"id": customer.id, "name": customer["name"], "owner": ownership.owner_on(customer, as_of),
                         "pool_due": due.date, "pool_reason": due.reason})
    rows.sort(key=lambda row: (row["pool_due"], row["id"]))
    return rows


def pool_report(ws, as_of: date, *, due: int | None = None) -> dict:
    """`{as_of, rows}` of the pool; with `due` (days ahead), `{as_of, until, rows}` of what is due."""
    if due is None:
        return {"as_of": as_of, "rows": pool_rows(ws, as_of)}
    return {"as_of": as_of, "until": as_of + timedelta(days=due), "rows": due_rows(ws, as_of, due)}
