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
from .model.ownership import assigned, owner_on
from .model.poolconfig import tier_limits
from .model.terms import terms_digest
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


def _binds(recorded: str | None, terms: str | None) -> bool:
    """An approval binds terms when it recorded none (written by hand, or before approvals
    recorded them) or recorded these."""
    return recorded is None or terms is None or recorded == terms


class ApprovalStep(NamedTuple):
    """One approval entry, with the chain as it stood just before it."""

    index: int  # the entry's position in the contract's `approvals`
    entry: dict
    standing: dict  # stage -> index of its approval in force before this entry, for this entry's terms
    last_rejection: int  # index of the latest rejection before this entry; -1 when none


class ApprovalState(NamedTuple):
    steps: list  # of ApprovalStep, one per entry that counts, in the order written
    standing: dict  # stage -> index of its approval in force after every entry, for the current terms
    pending_stage: str | None  # the first stage of the chain not in force; None when all are
    stale: dict  # stage -> index of its latest approval, given for other terms than the current ones


def approval_state(contract, chain: list, as_of: date | None, *, currency: str) -> ApprovalState:
    """Where a contract stands in the approval chain as of D (None: every entry, whatever its date).

    Entries count in the order written. An approval puts its stage in force; a rejection sends
    the contract back, so that its stage and every later stage need approving again (earlier
    stages stay approved, though the chain may also restart from its first stage). An approval
    that recorded the terms it approved stands only for those terms: once the contract's terms
    (`model.terms.contract_terms`, in the workspace `currency` by default) change, it is *stale* and counts as
    absent; likewise each entry counts only the earlier approvals given for its own terms, so
    that after a change the chain is approved again in order. Derived values, the `approvals`
    rule, `approve` and `remind` all read the chain from here.
    """
    entries = contract.get("approvals") or ()
    # computed only when some entry recorded terms: hand-written histories never pay for it
    current = terms_digest(contract, currency) if any(e.get("terms") for e in entries) else None
    steps = []
    latest: dict = {}  # stage -> index of its latest approval not sent back by a rejection
    last_rejection = -1
    for index, entry in enumerate(entries):
        if as_of is not None and entry["date"] > as_of:
            continue
        steps.append(ApprovalStep(index, entry, _in_force(latest, entries, entry.get("terms")), last_rejection))
        stage = entry["stage"]
        if entry["decision"] == "rejected":
            last_rejection = index
            for later in chain[chain.index(stage):]:
                latest.pop(later, None)
        else:
            latest[stage] = index
    standing = _in_force(latest, entries, current)
    stale = {stage: index for stage, index in latest.items() if stage not in standing}
    pending = next((stage for stage in chain if stage not in standing), None)
    return ApprovalState(steps, standing, pending, stale)


def _in_force(latest: dict, entries, terms: str | None) -> dict:
    return {stage: index for stage, index in latest.items() if _binds(entries[index].get("terms"), terms)}


def pending_stage(contract: Record, chain: list, as_of: date, *, currency: str):
    """The first stage of the approval chain not approved (sent back by a rejection, or approved
    for other terms than the current ones); None when all are."""
    return approval_state(contract, chain, as_of, currency=currency).pending_stage


def stale_approvals(ws, contract: Record, as_of: date | None) -> list[dict]:
    """The approvals that would be in force had the contract's terms not changed since, oldest
    first, and who gave them: [{stage, by, name, date, terms}], `terms` the digest they approved."""
    state = approval_state(contract, ws.config.rules["approval_chain"], as_of, currency=ws.config.currency)
    rows = []
    for index in sorted(state.stale.values()):
        entry = contract["approvals"][index]
        member = ws.member(entry["by"]) or {}
        rows.append({"stage": entry["stage"], "by": entry["by"], "name": member.get("name"), "date": entry["date"],
                     "terms": entry["terms"]})
    return rows


def may_decide(ws, contract, stage: str, member_id) -> bool:
    """Whether a team member may approve or reject a stage of a contract: the `manager` stage the
    owner's manager or any member with role manager; any other stage a member with that role, or
    with role admin."""
    member = ws.member(member_id)
    if member is None:
        return False
    if stage == "manager":
        owner = ws.member(contract.get("owner")) or {}
        return member.get("role") == "manager" or owner.get("manager") == member_id
    return member.get("role") in (stage, "admin")


def authority(ws, contract, stage: str) -> str:
    """Who may decide a stage (`may_decide`), in words."""
    if stage == "manager":
        owner = ws.member(contract.get("owner")) or {}
        boss = f"the owner's manager ({owner['manager']}) or " if owner.get("manager") else ""
        return f"only {boss}a member with role manager may"
    return f"only a member with role {stage} or admin may"


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
    return [p for p in receivable.data.get("payments", ()) if p["date"] <= as_of]


def receivable_paid(receivable: Record, as_of: date) -> Decimal:
    return sum([p["amount"] for p in payments_until(receivable, as_of)], ZERO)


def receivable_balance(receivable: Record, as_of: date) -> Decimal:
    return receivable.get("amount", ZERO) - receivable_paid(receivable, as_of)


def is_written_off(receivable: Record, as_of: date) -> bool:
    written_off = receivable.data.get("written_off")
    return bool(written_off) and written_off.get("date") is not None and written_off["date"] <= as_of


def receivable_status(receivable: Record, as_of: date) -> str:
    """written_off | paid | overdue | partial | open, in that order of precedence."""
    if is_written_off(receivable, as_of):
        return "written_off"
    paid = receivable_paid(receivable, as_of)
    balance = receivable.data.get("amount", ZERO) - paid
    if balance <= 0:
        return "paid"
    if receivable.data["due"] < as_of:
        return "overdue"
    return "partial" if paid > 0 else "open"


def overdue_balance(receivables, as_of: date) -> Decimal:
    """The balance of those of `receivables` overdue on `as_of` (only one due before it can be)."""
    return sum((receivable_balance(r, as_of) for r in receivables if r.data.get("due") is not None
                and r.data["due"] < as_of and receivable_status(r, as_of) == "overdue"), ZERO)


def settled_since(receivable: Record) -> date | None:
    """The first day from which the receivable is written off or paid on every later day, else
    None: overdue on no day from then. Amounts are never negative, so payments only add up."""
    data = receivable.data
    paid, amount = ZERO, data.get("amount", ZERO)
    paid_on = date.min if amount <= 0 else None
    for payment in sorted(data.get("payments", ()), key=lambda p: p["date"]):
        paid += payment["amount"]
        if paid_on is None and paid >= amount:
            paid_on = payment["date"]
    written_off = (data.get("written_off") or {}).get("date")
    return min((day for day in (written_off, paid_on) if day is not None), default=None)


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


# --- customers: when they go back to the public pool (公海) ----------------------------------
# Who owns a customer on a date, and since when: `model.ownership`.

OPEN_STATUSES = ("draft", "in_review", "approved", "signed")
POOL_REASONS = ("follow_up", "deal")


def is_open_contract(ws, contract: Record, as_of: date) -> bool:
    """In status draft, in_review, approved or signed, or with a receivable unpaid on D."""
    return contract.get("status") in OPEN_STATUSES or any(is_unpaid(r, as_of) for r in ws.receivables_of(contract.id))


def is_protected(ws, customer: Record, as_of: date, protect) -> bool:
    """Whether an item of `pool.protect` covers the customer: `key` (a key account),
    `open_contract` (one of its contracts is open on D)."""
    if "key" in protect and customer.get("key"):
        return True
    return "open_contract" in protect and any(is_open_contract(ws, c, as_of) for c in ws.contracts_of(customer.id))


def last_effective_visit(ws, customer_id, rep, as_of: date) -> date | None:
    """The date of the rep's latest effective visit to the customer dated ≤ D."""
    latest = None
    for visit in ws.visits_of(customer_id):  # oldest first
        if visit["date"] > as_of:
            break
        if visit.get("rep") == rep and visit.get("effective", True):
            latest = visit["date"]
    return latest


class PoolDue(NamedTuple):
    date: date
    reason: str  # follow_up | deal
    days: int  # the limit that gives it


def pool_due_reason(ws, customer: Record, as_of: date) -> PoolDue | None:
    """When an owned customer goes back to the pool, and why; None when it does not (in the pool
    already, lost, protected, or no limit applies).

    follow_up: the later of `assigned` and the owner's latest effective visit (≤ D), plus
    follow_up_days; deal: `assigned` plus deal_days, while no counted contract of the customer is
    signed on or after `assigned` (and on or before D). The earlier wins; follow_up on a tie.
    """
    pool = ws.config.pool
    follow_up, deal = tier_limits(pool, customer.get("tier"))
    owner = owner_on(customer, as_of)
    start = assigned(customer, as_of)
    if (follow_up is None and deal is None) or owner is None or start is None or customer.get("status") == "lost":
        return None
    if is_protected(ws, customer, as_of, pool["protect"]):
        return None
    candidates = []
    if follow_up is not None:
        visited = last_effective_visit(ws, customer.id, owner, as_of)
        candidates.append(PoolDue(max(start, visited or start) + timedelta(days=follow_up), "follow_up", follow_up))
    if deal is not None and not any(is_counted(c) and start <= c["signed"] <= as_of for c in ws.contracts_of(customer.id)):
        candidates.append(PoolDue(start + timedelta(days=deal), "deal", deal))
    return min(candidates, key=lambda due: (due.date, POOL_REASONS.index(due.reason))) if candidates else None


def pool_due(ws, customer: Record, as_of: date) -> date | None:
    due = pool_due_reason(ws, customer, as_of)
    return due.date if due else None


def pool_reason(ws, customer: Record, as_of: date) -> str | None:
    due = pool_due_reason(ws, customer, as_of)
    return due.reason if due else None


# --- all derived fields of a record, as query/show/sql expose them --------------------------

# The type of each derived value, as queries, tables and the JSON Schema see it; `derived_fields` gives
# the values. `choices` "approval_chain" and "aging_buckets" are taken from the workspace config.
DERIVED: dict[str, dict[str, Field]] = {
    "customers": {
        "last_contact": Field("date"), "days_since_contact": Field("int"), "follow_up_days": Field("int"),
        "owner_on": Field("ref", ref="team"), "in_pool": Field("bool"), "assigned": Field("date"),
        "pool_due": Field("date"), "pool_reason": Field("enum", choices=POOL_REASONS),
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

# The other collections `derived_fields` reads for a record of each collection: a customer's last
# contact is its latest visit and its pool due date looks at its contracts and their receivables, a
# contract's balance sums its receivables, a receivable's customer and owner are its contract's.
DERIVED_READS: dict[str, tuple] = {
    "customers": ("visits", "contracts", "receivables"), "visits": (), "contracts": ("receivables",), "receivables": ("contracts",),
    "reviews": (),
}


def _contract_field(name: str):
    def value(ws, receivable, as_of):
        contract = receivable_contract(ws, receivable)
        return contract.get(name) if contract else None

    return value


# How each derived value is computed: (ws, record, as_of) -> value, per collection, in `DERIVED` order.
_DERIVE = {
    "customers": {
        "last_contact": last_contact,
        "days_since_contact": days_since_contact,
        "follow_up_days": lambda ws, customer, as_of: follow_up_days(customer, ws.config.rules),
        "owner_on": lambda ws, customer, as_of: owner_on(customer, as_of),
        "in_pool": lambda ws, customer, as_of: owner_on(customer, as_of) is None,
        "assigned": lambda ws, customer, as_of: assigned(customer, as_of),
        "pool_due": pool_due,
        "pool_reason": pool_reason,
    },
    "visits": {},
    "contracts": {
        "paid": contract_paid,
        "balance": contract_balance,
        "pending_stage": lambda ws, contract, as_of: pending_stage(
            contract, ws.config.rules["approval_chain"], as_of, currency=ws.config.currency),
        "waiting_since": lambda ws, contract, as_of: waiting_since(contract, as_of),
        "waiting_days": lambda ws, contract, as_of: waiting_days(contract, as_of),
        "counted": lambda ws, contract, as_of: is_counted(contract),
    },
    "receivables": {
        "customer": _contract_field("customer"),
        "owner": _contract_field("owner"),
        "paid": lambda ws, receivable, as_of: receivable_paid(receivable, as_of),
        "balance": lambda ws, receivable, as_of: receivable_balance(receivable, as_of),
        "status": lambda ws, receivable, as_of: receivable_status(receivable, as_of),
        "days_overdue": lambda ws, receivable, as_of: days_overdue(receivable, as_of),
        "bucket": lambda ws, receivable, as_of: bucket(days_overdue(receivable, as_of), ws.config.rules["aging_buckets"]),
        "next_step": lambda ws, receivable, as_of: next_step(receivable, as_of, ws.config.rules["escalation"]),
        "last_action": lambda ws, receivable, as_of: last_action(receivable, as_of),
    },
    "reviews": {},
}


def derived_fields(ws, record: Record, as_of: date, only=None) -> dict:
    """The derived values of a record as of D, the fields of `DERIVED` for its collection; with
    `only` (names), just those: a query computes what its conditions test before the rest."""
    derive = _DERIVE[record.collection]
    if only is not None:
        return {name: derive[name](ws, record, as_of) for name in only if name in derive}
    return {name: value(ws, record, as_of) for name, value in derive.items()}
