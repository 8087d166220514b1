"""The public pool's writers (公海): sweep, claim, assign and allocate, each one plan written whole.

Every call decides from the ownership history (`model.ownership`: owner_on, latest_release, …) and
the pool dates of `derive` (pool_due_reason) as
of the date its entries carry, and returns a plan checked against the whole workspace
(`plan.check`), refused whole when any part of it cannot be done. A change of owner is two edits
of the customer's file: `owner` set in place and one entry appended to `assignments`; a sweep or an
allocation over hundreds of customers is still one plan, written all or nothing by `storage.apply`.
Decisions read the records without errors (as read commands do); a customer with errors is left
out of a sweep or an allocation, and refused by name to claim and assign.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..derive import pool_due_reason
from ..model.ownership import (CLAIM, claims_on, in_pool, latest_release, owned_counts, owner_on, pool_since,
                               reclaim_locked_until)
from .args import text_arg
from ..errors import BadInput, Refused
from .plan import Plan, check
from .writers import ORDER, _Files, _record

MANAGING_ROLES = ("manager", "admin")  # who may sweep, assign and allocate
OWNING_ROLES = ("rep", "lead", "manager")  # who may own customers: claim, and the target of assign
RELEASE_REASONS = {"follow_up": "no effective visit for {days} days", "deal": "no deal within {days} days"}
ASSIGN, ALLOCATE = "assign", "allocate"
TIER_ORDER = {"A": 0, "B": 1, "C": 2, None: 3}


@dataclass
class PoolPlan(Plan):
    rows: list = field(default_factory=list)  # one row per customer moved, for the user
    notes: list = field(default_factory=list)  # what was left out, and why
    locale: str | None = None  # the workspace's, for printing the rows
    names: dict = field(default_factory=dict)  # team id -> name, for printing the rows


def _who(ws, member) -> str:
    if member is None:
        return "the public pool"
    found = ws.member(member)
    return f"{member} ({found['name']})" if found else repr(member)


def _actor(ws, by: str, roles: tuple, what: str):
    """Refuse an actor whose role does not allow `what`."""
    member = ws.member(by)
    if member.get("role") not in roles:
        raise Refused(f"{_who(ws, by)} has role {member.get('role')}; {what} is for members with role "
                      f"{' or '.join(roles)}; nothing written")


def _customer(ws, customer_id: str):
    customer = _record(ws, "customers", customer_id)
    if customer.has_errors:
        raise Refused(f"{customer.id} ({customer.path}) has errors; fix them first (salesctl validate); "
                      f"nothing written")
    return customer


class _Moves:
    """The changes of owner of one write, dated `on` and made by `by`."""

    def __init__(self, ws, on: date, by: str):
        self.ws, self.on, self.by = ws, on, by
        self.files = _Files(ws)
        self.moved: list[str] = []

    def move(self, customer, to: str | None, reason: str):
        """`owner` set to `to` (null: the pool) and the entry {date, from, to, by, reason} appended."""
        later = [entry["date"] for entry in customer.get("assignments", ()) if entry["date"] > self.on]
        if later:
            raise Refused(f"{customer.id} changes owner on {max(later)}, after {self.on}: an entry dated {self.on} "
                          f"would break the order of its history; nothing written")
        entry = {"date": self.on, "from": owner_on(customer, self.on), "to": to, "by": self.by, "reason": reason}

        def change(doc):
            doc.put_value(customer.id, "owner", to, ORDER["customers"])
            doc.append_entry(customer.id, "assignments", entry, ORDER["customers"])

        self.files.edit(customer.path, "customers", change)
        self.moved.append(customer.id)

    def plan(self, summary: list, **extra) -> PoolPlan:
        plan = PoolPlan(self.files.changes(), summary, **extra, locale=self.ws.config.locale,
                        names={m.get("id"): m.get("name") for m in self.ws.config.team})
        return check(self.ws, plan) if plan.files else plan


def _usable(ws):
    """The records without errors, as read commands see them (the workspace itself when none has any)."""
    return ws.usable() if ws.error_count else ws


def _left_out(ws, usable) -> list[str]:
    broken = len(ws.records["customers"]) - len(usable.records["customers"])
    if not broken:
        return []
    return [f"{broken} customer{'s' if broken != 1 else ''} with errors left out; run salesctl validate"]


# --- sweep ---------------------------------------------------------------------------------

def sweep(ws, *, by: str, on: date) -> PoolPlan:
    """Release to the pool every customer whose pool_due is on or before `on`."""
    _actor(ws, by, MANAGING_ROLES, "the pool sweep")
    usable = _usable(ws)
    moves, rows = _Moves(ws, on, by), []
    for customer in sorted(usable.records["customers"], key=lambda c: str(c.id)):
        due = pool_due_reason(usable, customer, on)
        if due is None or due.date > on:
            continue
        reason = RELEASE_REASONS[due.reason].format(days=due.days)
        rows.append({"customer": customer.id, "name": customer["name"], "owner": owner_on(customer, on),
                     "pool_due": due.date, "pool_reason": due.reason, "reason": reason})
        moves.move(customer, None, reason)
    summary = [f"{row['customer']}: released from {row['owner']} to the public pool ({row['reason']})" for row in rows]
    return moves.plan(summary, rows=rows, notes=_left_out(ws, usable))


# --- claim ---------------------------------------------------------------------------------

def claim(ws, customer_id: str, *, by: str, on: date) -> Plan:
    """`by` takes a customer from the pool, within the limits of `pool`."""
    _actor(ws, by, OWNING_ROLES, "claiming customers")
    customer = _customer(ws, customer_id)
    owner = owner_on(customer, on)
    if owner == by:
        return Plan([], [f"{customer.id} is already {by}'s; nothing written"])
    if owner is not None:
        raise Refused(f"{customer.id} is owned by {_who(ws, owner)}; only customers in the public pool can be claimed "
                      f"(a manager moves it with salesctl assign); nothing written")
    pool = ws.config.pool
    until = reclaim_locked_until(customer, by, on, pool["reclaim_days"])
    if until is not None:
        released = latest_release(customer, on)["date"]
        raise Refused(f"{customer.id} was released from {by} on {released}; {by} may claim it again from {until} "
                      f"(pool.reclaim_days: {pool['reclaim_days']}); nothing written")
    made = claims_on(ws, on).get(by, 0)
    if pool["daily_claims"] is not None and made >= pool["daily_claims"]:
        raise Refused(f"{by} has made {made} claim{'s' if made != 1 else ''} dated {on}, the daily limit "
                      f"(pool.daily_claims: {pool['daily_claims']}); nothing written")
    owned = owned_counts(ws, on).get(by, 0)
    if pool["max_customers"] is not None and owned >= pool["max_customers"]:
        raise Refused(f"{by} owns {owned} customers, the most a member may own (pool.max_customers: "
                      f"{pool['max_customers']}); nothing written")
    moves = _Moves(ws, on, by)
    moves.move(customer, by, CLAIM)
    return moves.plan([f"{customer.id}: claimed by {by} from the public pool ({customer.path})"])


# --- assign --------------------------------------------------------------------------------

def assign(ws, customer_ids, *, to: str | None, by: str, on: date, reason: str | None = None,
           force: bool = False) -> Plan:
    """Move customers to `to` (None: release them to the pool); all of them, or none.

    Refused when the move would take `to` beyond pool.max_customers, unless `force`.
    """
    _actor(ws, by, MANAGING_ROLES, "assigning customers")
    if to is not None:
        target = ws.member(to)
        if target is None:
            raise BadInput(f"--to: no team member {to!r} (or 'pool' to release the customers)")
        if target.get("role") not in OWNING_ROLES:
            raise Refused(f"{_who(ws, to)} has role {target.get('role')}; customers are owned by members with role "
                          f"{', '.join(OWNING_ROLES)}; nothing written")
    reason = text_arg(reason, "--reason") or ASSIGN
    customers = list({c.id: c for c in (_customer(ws, cid) for cid in customer_ids)}.values())
    moving = [c for c in customers if owner_on(c, on) != to]
    limit = ws.config.pool["max_customers"]
    if to is not None and limit is not None and not force:
        owned = owned_counts(ws, on).get(to, 0)
        if owned + len(moving) > limit:
            raise Refused(f"{to} owns {owned} customers; {len(moving)} more would make {owned + len(moving)}, beyond "
                          f"pool.max_customers ({limit}); nothing written (--force assigns them anyway)")
    moves = _Moves(ws, on, by)
    summary = []
    for customer in moving:
        summary.append(f"{customer.id}: {_who(ws, owner_on(customer, on))} → {_who(ws, to)} ({reason})")
        moves.move(customer, to, reason)
    summary += [f"{c.id}: already {'in the public pool' if to is None else 'owned by ' + to}; left as it is"
                for c in customers if c not in moving]
    return moves.plan(summary)


# --- allocate ------------------------------------------------------------------------------

def allocation_reps(ws, *, group: str | None = None, names=None) -> list[str]:
    """The reps an allocation hands customers to, in team order: role rep, in `group`, among `names`."""
    team = ws.config.team
    reps = [m for m in team if m.get("role") == "rep"]
    if group is not None:
        if not any(m.get("group") == group for m in team):
            raise BadInput(f"--group: no team member is in group {group!r}")
        reps = [m for m in reps if m.get("group") == group]
    if names is not None:
        for name in names:
            member = ws.member(name)
            if member is None:
                raise BadInput(f"--to: no team member {name!r}")
            if member.get("role") != "rep":
                raise BadInput(f"--to: {name} has role {member.get('role')}; allocate hands customers to reps")
            if group is not None and member.get("group") != group:
                raise BadInput(f"--to: {name} is not in group {group!r}")
        reps = [m for m in reps if m["id"] in names]
    if not reps:
        raise BadInput(f"no rep to allocate to{f' in group {group!r}' if group is not None else ''}")
    return [m["id"] for m in reps]


def allocate(ws, *, by: str, on: date, group: str | None = None, names=None, limit: int | None = None) -> PoolPlan:
    """Hand the pool's customers (not lost) out: tier A, B, C, then none, each longest in the pool
    first (then by id), each to the eligible rep owning the fewest customers at that moment (team
    order on a tie). A rep at pool.max_customers is not eligible, nor the rep a customer was
    released from within pool.reclaim_days. At most `limit` customers."""
    _actor(ws, by, MANAGING_ROLES, "allocating customers")
    reps = allocation_reps(ws, group=group, names=names)
    usable = _usable(ws)
    pool = ws.config.pool
    counts = owned_counts(ws, on)
    owned = {rep: counts.get(rep, 0) for rep in reps}
    waiting = [c for c in usable.records["customers"] if in_pool(c, on) and c.get("status") != "lost"]
    waiting.sort(key=lambda c: (TIER_ORDER[c.get("tier")], pool_since(c, on), str(c.id)))
    moves, rows, left = _Moves(ws, on, by), [], []
    for customer in waiting:
        if limit is not None and len(rows) >= limit:
            break
        eligible = [rep for rep in reps if (pool["max_customers"] is None or owned[rep] < pool["max_customers"])
                    and reclaim_locked_until(customer, rep, on, pool["reclaim_days"]) is None]
        if not eligible:
            left.append(customer.id)
            continue
        rep = min(eligible, key=lambda r: owned[r])  # the first of the fewest: team order
        owned[rep] += 1
        since = pool_since(customer, on)
        rows.append({"customer": customer.id, "name": customer["name"], "tier": customer.get("tier"),
                     "since": since, "days": (on - since).days, "owner": rep})
        moves.move(customer, rep, ALLOCATE)
    summary = [f"{row['customer']}: allocated to {row['owner']}" for row in rows]
    notes = _left_out(ws, usable)
    if left:
        notes.append(f"left in the pool, no rep may take them (pool.max_customers or pool.reclaim_days): "
                     f"{', '.join(left)}")
    return moves.plan(summary, rows=rows, notes=notes)
