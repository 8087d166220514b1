"""Derived values (docs/derived.md), each defined once, all computed as of a date D.

Only payments, collection actions, visits and approvals dated on or before D count.
Every report, query and reminder calls these functions; none recomputes them.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from .model.config import bucket_labels
from .model.money import ZERO
from .model.records import COLLECTION_ACTION, COLLECTION_CHANNELS, Field, Record

COUNTED_STATUSES = ("signed", "completed")
UNPAID = ("open", "partial", "overdue")
RECEIVABLE_STATUSES = ("written_off", "paid", "overdue", "partial", "open")  # in order of precedence


# --- contracts -----------------------------------------------------------------------------

def is_counted(contract: Record) -> bool:
    """A counted contract has status signed or completed and a signed date."""
    return contract.get("status") in COUNTED_STATUSES and contract.get("signed") is not None


def approvals_until(contract: Record, as_of: date) -> list[dict]:
    return [a for a in contract.get("approvals", ()) if a["date"] <= as_of]


class ApprovalStep(NamedTuple):
    """One approval entry, with the chain as it stood just before it."""

    index: int  # the entry's position in the contract's `approvals`
    entry: dict
    standing: dict  # stage -> index of its approval in force before this entry
    last_rejection: int  # index of the latest rejection before this entry; -1 when none


class ApprovalState(NamedTuple):
    steps: list  # of ApprovalStep, one per entry that counts, in the order written
    standing: dict  # stage -> index of its approval in force after every entry
    pending_stage: str | None  # the first stage of the chain not in force; None when all are


def approval_state(contract, chain: list, as_of: date | None) -> ApprovalState:
    """Where a contract stands in the approval chain as of D (None: every entry, whatever its date).

    Entries count in the order written. An approval puts its stage in force; a rejection sends
    the contract back, so that its stage and every later stage need approving again (earlier
    stages stay approved, though the chain may also restart from its first stage). Derived
    values, the `approvals` rule, `approve` and `remind` all read the chain from here.
    """
    steps = []
    standing: dict = {}
    last_rejection = -1
    for index, entry in enumerate(contract.get("approvals", ())):
        if as_of is not None and entry["date"] > as_of:
            continue
        steps.append(ApprovalStep(index, entry, dict(standing), last_rejection))
        stage = entry["stage"]
        if entry["decision"] == "rejected":
            last_rejection = index
            for later in chain[chain.index(stage):]:
                standing.pop(later, None)
        else:
            standing[stage] = index
    pending = next((stage for stage in chain if stage not in standing), None)
    return ApprovalState(steps, standing, pending)


def pending_stage(contract: Record, chain: list, as_of: date):
    """The first stage of the approval chain not approved (or sent back by a rejection); None when all are."""
    return approval_state(contract, chain, as_of).pending_stage


def counted_until(ws, as_of: date) -> list[Record]:
    """The counted contracts signed on or before D, in signing order (then by id): what every KPI
    of signed contracts counts."""
    return sorted((c for c in ws.records["contracts"] if is_counted(c) and c["signed"] <= as_of),
                  key=lambda c: (c["signed"], c.id))


def counted_by_owner(ws, as_of: date) -> dict:
    """{owner: their counted contracts signed on or before D}, each in signing order."""
    owners: dict = {}
    for contract in counted_until(ws, as_of):
        owners.setdefault(contract["owner"], []).append(contract)
    return owners


def signed_in(contracts, period) -> list[Record]:
    """The contracts signed within `period`, in the order given."""
    return [c for c in contracts if c["signed"] in period]


def signed_amount(contracts) -> Decimal:
    """The signed_amount KPI of some counted contracts: the sum of their amounts."""
    return sum((c["amount"] for c in contracts), ZERO)


def waiting_since(contract: Record, as_of: date) -> date | None:
    """The date of the contract's latest approval entry, else its created date."""
    dates = [a["date"] for a in approvals_until(contract, as_of)]
    return max(dates) if dates else contract.get("created")


def waiting_days(contract: Record, as_of: date) -> int | None:
    since = waiting_since(contract, as_of)
    return (as_of - since).days if since else None


def scheduled_amount(ws, contract: Record) -> Decimal:
    """What a contract's receivables sum to, whatever their dates: the part of its amount scheduled."""
    return sum((r.get("amount", ZERO) for r in ws.receivables_of(contract.id)), ZERO)


def contract_paid(ws, contract: Record, as_of: date) -> Decimal:
    return sum((receivable_paid(r, as_of) for r in ws.receivables_of(contract.id)), ZERO)


def contract_balance(ws, contract: Record, as_of: date) -> Decimal:
    return sum((receivable_balance(r, as_of) for r in ws.receivables_of(contract.id)), ZERO)


# --- receivables ---------------------------------------------------------------------------

def payments_until(receivable: Record, as_of: date) -> list[dict]:
    return [p for p in receivable.get("payments", ()) if p["date"] <= as_of]


def receivable_paid(receivable: Record, as_of: date) -> Decimal:
    return sum((p["amount"] for p in payments_until(receivable, as_of)), ZERO)


def receivable_balance(receivable: Record, as_of: date) -> Decimal:
    return receivable.get("amount", ZERO) - receivable_paid(receivable, as_of)


def is_written_off(receivable: Record, as_of: date) -> bool:
    written_off = receivable.get("written_off")
    return bool(written_off) and written_off.get("date") is not None and written_off["date"] <= as_of


def receivable_status(receivable: Record, as_of: date) -> str:
    """written_off | paid | overdue | partial | open, in that order of precedence."""
    if is_written_off(receivable, as_of):
        return "written_off"
    paid = receivable_paid(receivable, as_of)
    balance = receivable.get("amount", ZERO) - paid
    if balance <= 0:
        return "paid"
    if receivable["due"] < as_of:
        return "overdue"
    return "partial" if paid > 0 else "open"


def is_unpaid(receivable: Record, as_of: date) -> bool:
    return receivable_status(receivable, as_of) in UNPAID


def days_overdue(receivable: Record, as_of: date) -> int:
    if receivable_status(receivable, as_of) != "overdue":
        return 0
    return (as_of - receivable["due"]).days


def bucket(days: int, edges: list) -> str | None:
    """The aging bucket label (`1-30` … `91+`, see `bucket_labels`) for a number of days overdue;
    None when not overdue."""
    if days <= 0:
        return None
    return bucket_labels(edges)[bisect_left(edges, days)]


def bucket_balances(overdue, labels: list[str]) -> dict[str, Decimal]:
    """The overdue balance per aging bucket: each (bucket label, balance) of `overdue` added to
    its bucket; every label of `labels` present, 0 when empty."""
    buckets = {label: ZERO for label in labels}
    for label, balance in overdue:
        buckets[label] += balance
    return buckets


def collection_until(receivable: Record, as_of: date) -> list[dict]:
    return [a for a in receivable.get("collection", ()) if a["date"] <= as_of]


def last_action(receivable: Record, as_of: date) -> dict | None:
    """The latest collection action dated ≤ D (the later entry wins a tie)."""
    latest = None
    for action in collection_until(receivable, as_of):
        if latest is None or action["date"] >= latest["date"]:
            latest = action
    return latest


def next_step(receivable: Record, as_of: date, escalation: list) -> dict | None:
    """What collection should do next on an overdue receivable (docs/derived.md#next_step)."""
    if receivable_status(receivable, as_of) != "overdue":
        return None
    latest = last_action(receivable, as_of)
    if latest is not None and latest.get("promised") is not None and latest["promised"] >= as_of:
        return {"action": "await", "date": latest["promised"]}
    due = receivable["due"]
    overdue_days = (as_of - due).days
    actions = collection_until(receivable, as_of)
    channels = [level["action"] for level in escalation]
    for index in range(len(escalation) - 1, -1, -1):
        level = escalation[index]
        if level["after_days"] > overdue_days:
            continue
        start = due + timedelta(days=level["after_days"])
        later_channels = set(channels[index:])
        done = any(a["date"] >= start and a["channel"] in later_channels for a in actions)
        if not done:
            return {"action": level["action"], "date": start}
        break  # the highest reached level is done
    for level in escalation:
        if level["after_days"] > overdue_days:
            return {"action": level["action"], "date": due + timedelta(days=level["after_days"])}
    return None


def receivable_contract(ws, receivable: Record) -> Record | None:
    return ws.get("contracts", receivable.get("contract"))


# --- customers -----------------------------------------------------------------------------

def visits_until(ws, customer_id, as_of: date) -> list[Record]:
    return [v for v in ws.visits_of(customer_id) if v["date"] <= as_of]


def last_contact(ws, customer: Record, as_of: date) -> date | None:
    """The latest visit date (≤ D), else the customer's created date."""
    visits = visits_until(ws, customer.id, as_of)
    return visits[-1]["date"] if visits else customer.get("created")


def days_since_contact(ws, customer: Record, as_of: date) -> int | None:
    contact = last_contact(ws, customer, as_of)
    return (as_of - contact).days if contact else None


def follow_up_days(customer: Record, rules: dict) -> int | None:
    """The customer's own limit, else the key-account limit when key, else its tier's, else None."""
    if customer.get("follow_up_days") is not None:
        return customer["follow_up_days"]
    limits = rules["follow_up_days"]
    if customer.get("key"):
        return limits.get("key")
    tier = customer.get("tier")
    return limits.get(tier) if tier else None


# --- all derived fields of a record, as query/show/sql expose them --------------------------

# The type of each derived value, as queries, tables and the JSON Schema see it; `derived_fields` gives
# the values. `choices` "approval_chain" and "aging_buckets" are taken from the workspace config.
DERIVED: dict[str, dict[str, Field]] = {
    "customers": {
        "last_contact": Field("date"), "days_since_contact": Field("int"), "follow_up_days": Field("int"),
    },
    "visits": {},
    "contracts": {
        "paid": Field("amount"), "balance": Field("amount"),
        "pending_stage": Field("enum", choices="approval_chain"), "waiting_since": Field("date"),
        "waiting_days": Field("int"), "counted": Field("bool"),
    },
    "receivables": {
        "customer": Field("ref", ref="customers"), "owner": Field("ref", ref="team"),
        "paid": Field("amount"), "balance": Field("amount"),
        "status": Field("enum", choices=RECEIVABLE_STATUSES), "days_overdue": Field("int"),
        "bucket": Field("enum", choices="aging_buckets"),
        "next_step": Field("map", schema={"action": Field("enum", choices=("await",) + COLLECTION_CHANNELS),
                                          "date": Field("date")}),
        "last_action": Field("map", schema=COLLECTION_ACTION),
    },
    "reviews": {},
}


def derived_fields(ws, record: Record, as_of: date) -> dict:
    """The derived values of a record as of D, the fields of `DERIVED` for its collection."""
    rules = ws.config.rules
    if record.collection == "receivables":
        contract = receivable_contract(ws, record)
        overdue = days_overdue(record, as_of)
        return {
            "customer": contract.get("customer") if contract else None,
            "owner": contract.get("owner") if contract else None,
            "paid": receivable_paid(record, as_of),
            "balance": receivable_balance(record, as_of),
            "status": receivable_status(record, as_of),
            "days_overdue": overdue,
            "bucket": bucket(overdue, rules["aging_buckets"]),
            "next_step": next_step(record, as_of, rules["escalation"]),
            "last_action": last_action(record, as_of),
        }
    if record.collection == "contracts":
        return {
            "paid": contract_paid(ws, record, as_of),
            "balance": contract_balance(ws, record, as_of),
            "pending_stage": pending_stage(record, rules["approval_chain"], as_of),
            "waiting_since": waiting_since(record, as_of),
            "waiting_days": waiting_days(record, as_of),
            "counted": is_counted(record),
        }
    if record.collection == "customers":
        return {
            "last_contact": last_contact(ws, record, as_of),
            "days_since_contact": days_since_contact(ws, record, as_of),
            "follow_up_days": follow_up_days(record, rules),
        }
    return {}
