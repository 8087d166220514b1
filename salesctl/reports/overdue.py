"""`report overdue`: the collection ledger of overdue receivables, with aging buckets.

Every figure comes from `derive` (status, balance, days overdue, bucket, last action, next step);
this module only selects, groups and totals them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .. import derive
from ..model.records import ACTION_KEYS



def overdue_rows(ws, as_of: date, *, min_days: int = 0, owner: str | None = None) -> list[dict]:
    """One ledger row per overdue receivable, the longest overdue first (then by receivable id)."""
    rules = ws.config.rules
    rows = []
    for receivable in ws.records["receivables"]:
        if derive.receivable_status(receivable, as_of) != "overdue":
            continue
        days = derive.days_overdue(receivable, as_of)
        contract = derive.receivable_contract(ws, receivable)
        owner_id = contract.get("owner") if contract else None
        if days < min_days or (owner is not None and owner_id != owner):
            continue
        customer_id = contract.get("customer") if contract else None
        customer = ws.get("customers", customer_id)
        action = derive.last_action(receivable, as_of)
        rows.append({
            "receivable": receivable.id,
            "contract": receivable.get("contract"),
            "customer": customer_id,
            "customer_name": customer.get("name") if customer else None,
            "owner": owner_id,
            "due": receivable["due"],
            "amount": receivable["amount"],
            "paid": derive.receivable_paid(receivable, as_of),
            "balance": derive.receivable_balance(receivable, as_of),
            "days_overdue": days,
            "bucket": derive.bucket(days, rules["aging_buckets"]),
            "last_action": {key: action.get(key) for key in ACTION_KEYS} if action else None,
            "next_step": derive.next_step(receivable, as_of, rules["escalation"]),
        })
    rows.sort(key=lambda row: (-row["days_overdue"], row["receivable"]))
    return rows


def bucket_balances(rows: list[dict], labels: list[str]) -> dict:
    """Balance per aging bucket of ledger rows (`derive.bucket_balances`)."""
    return derive.bucket_balances(((row["bucket"], row["balance"]) for row in rows), labels)


def totals(rows: list[dict], labels: list[str]) -> dict:
    return {"balance": sum((row["balance"] for row in rows), Decimal("0")), "count": len(rows),
            "buckets": bucket_balances(rows, labels)}


def group_rows(ws, rows: list[dict], by: str, labels: list[str]) -> list[dict]:
    """One row per customer or owner `{KEY, name, count, balance, buckets}`, largest balance first."""
    groups: dict = {}
    for row in rows:
        groups.setdefault(row[by], []).append(row)
    out = []
    for key, members in groups.items():
        if by == "customer":
            name = members[0]["customer_name"]
        else:
            member = ws.member(key)
            name = member["name"] if member else None
        out.append({by: key, "name": name, "count": len(members),
                    "balance": sum((row["balance"] for row in members), Decimal("0")),
                    "buckets": bucket_balances(members, labels)})
    out.sort(key=lambda group: (-group["balance"], str(group[by] or "")))
    return out


def overdue_report(ws, as_of: date, *, by: str = "receivable", min_days: int = 0, owner: str | None = None) -> dict:
    """The `report overdue` document (docs/commands.md#report-overdue)."""
    labels = ws.config.bucket_labels()
    rows = overdue_rows(ws, as_of, min_days=min_days, owner=owner)
    total = totals(rows, labels)
    if by == "receivable":
        return {"as_of": as_of, "rows": rows, "totals": total}
    return {"as_of": as_of, "by": by, "rows": group_rows(ws, rows, by, labels), "totals": total}
