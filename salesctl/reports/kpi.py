"""`report kpi`: the KPIs (docs/derived.md#kpis) per rep or group.

A rep's figures are first gathered as a `Tally` of the underlying contracts, payments, visits and
customers; group rows and the total row merge tallies and recompute every ratio and mean from
them, so that no ratio is ever averaged.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter

from .. import derive
from ..model.money import ZERO, Fixed, Hundredths, Ratio, Tenths
from ..model.periods import Period
from ..model.targets import target_for

KPI_KEYS = ("signed_amount", "contracts", "target", "attainment", "collected", "new_customers", "visits",
            "effective_visits", "conversion_rate", "avg_cycle_days", "satisfaction", "repeat_rate",
            "overdue_balance")
ROW_ROLES = ("rep", "lead")


# --- tallies ---------------------------------------------------------------------------------

@dataclass
class Tally:
    """What a row's KPIs are computed from; merging tallies gives group and total rows."""

    contracts: list = field(default_factory=list)         # counted contracts signed in P
    targets: list = field(default_factory=list)           # the targets that exist
    payments: list = field(default_factory=list)          # (receivable, payment) of the payments dated in P
    new_customers: set = field(default_factory=set)
    visits: list = field(default_factory=list)            # visits in P
    candidates: set = field(default_factory=set)          # visited in P, no counted contract before P
    cycles: list = field(default_factory=list)            # days from first contact to signing
    signed_customers: set = field(default_factory=set)    # with a counted contract signed in P
    repeat_customers: set = field(default_factory=set)    # ... that had one signed before P
    overdue_balance: Decimal = ZERO

    def merge(self, other: "Tally") -> "Tally":
        return Tally(
            self.contracts + other.contracts, self.targets + other.targets, self.payments + other.payments,
            self.new_customers | other.new_customers, self.visits + other.visits,
            self.candidates | other.candidates, self.cycles + other.cycles,
            self.signed_customers | other.signed_customers, self.repeat_customers | other.repeat_customers,
            self.overdue_balance + other.overdue_balance)

    @property
    def active(self) -> bool:
        return bool(self.contracts or self.targets or self.payments or self.visits or self.overdue_balance)


def figures(tally: Tally) -> dict:
    """The KPIs (without rep/name) computed from one tally."""
    signed = derive.signed_amount(tally.contracts)
    target = sum(tally.targets, ZERO) if tally.targets else None
    satisfaction = [v["satisfaction"] for v in tally.visits if v.get("satisfaction") is not None]
    exact = attainment(signed, target)
    return {
        "signed_amount": signed,
        "contracts": len(tally.contracts),
        "target": target,
        "attainment": None if exact is None else Ratio(exact),
        "collected": sum((payment["amount"] for _, payment in tally.payments), ZERO),
        "new_customers": len(tally.new_customers),
        "visits": len(tally.visits),
        "effective_visits": sum(1 for v in tally.visits if v.get("effective", True)),
        "conversion_rate": _share(tally.candidates & tally.new_customers, tally.candidates),
        "avg_cycle_days": _mean(tally.cycles, Tenths),
        "satisfaction": _mean(satisfaction, Hundredths),
        "repeat_rate": _share(tally.repeat_customers, tally.signed_customers),
        "overdue_balance": tally.overdue_balance,
    }


def attainment(signed: Decimal, target: Decimal | None) -> Decimal | None:
    """signed_amount / target, exact (thresholds compare it); None without a target or with a target of 0."""
    return signed / target if target else None


def ranks(values: list) -> list:
    """Competition ranks, highest value first: equal values share a rank and the next rank skips
    (1, 1, 3); a None value has no rank."""
    ordered = sorted((v for v in values if v is not None), reverse=True)
    return [None if v is None else ordered.index(v) + 1 for v in values]


def _share(part: set, whole: set) -> Ratio | None:
    return Ratio(len(part) / len(whole)) if whole else None


def _mean(values: list, kind: type[Fixed]) -> Fixed | None:
    """The mean rounded half-up to the decimals of `kind`."""
    if not values:
        return None
    place = Decimal(1).scaleb(-kind.places)
    return kind((Decimal(sum(values)) / len(values)).quantize(place, rounding=ROUND_HALF_UP))


class Facts:
    """The workspace facts as of D that every tally reads, indexed once per report: counted contracts
    signed by D per owner, receivables and their payments dated by D per contract owner, visits
    dated by D per rep; and what tallies of several periods ask again (a dashboard tallies every
    rep for thirteen periods): each rep's overdue balance per day, each customer's first contact."""

    def __init__(self, ws, as_of: date):
        self.ws, self.as_of = ws, as_of
        self.first_counted: dict = {}  # customer -> its earliest counted contract
        for contract in derive.counted_until(ws, as_of):
            self.first_counted.setdefault(contract["customer"], contract)
        self.counted_by_owner = derive.counted_by_owner(ws, as_of)
        owner_of = {c.id: c.get("owner") for c in ws.records["contracts"]}
        self.receivables_by_owner: dict = {}
        for receivable in ws.records["receivables"]:
            self.receivables_by_owner.setdefault(owner_of.get(receivable.get("contract")), []).append(receivable)
        self.payments_by_owner = {owner: [(r, p) for r in receivables for p in derive.payments_until(r, as_of)]
                                  for owner, receivables in self.receivables_by_owner.items()}
        self._signed_dates = {owner: [c["signed"] for c in contracts] for owner, contracts in self.counted_by_owner.items()}
        self._payments_by_date: dict = {}  # rep -> (the dates of its payments sorted, the payments in that order)
        self._overdue_balances: dict = {}  # (rep, day) -> balance
        self._first_contacts: dict = {}  # customer -> date or None
        self._unsettled: dict = {}  # rep -> (the days its receivables were settled, sorted; the receivables)
        self._visits_by_date: dict = {}  # rep -> (the dates of its visits sorted, their places)
        self.visits_by_rep: dict = {}
        for visit in ws.records["visits"]:
            data = visit.data  # the fields themselves: this loop sees every visit of the workspace
            if data["date"] <= as_of:
                self.visits_by_rep.setdefault(data["rep"], []).append(visit)

    def signed_before(self, customer_id, day: date) -> bool:
        """Whether the customer had a counted contract signed before `day`."""
        first = self.first_counted.get(customer_id)
        return first is not None and first["signed"] < day

    def first_contact(self, customer_id) -> date | None:
        """The customer's earliest visit by anyone (≤ D), else its created date."""
        if customer_id not in self._first_contacts:
            self._first_contacts[customer_id] = self._first_contact(customer_id)
        return self._first_contacts[customer_id]

    def _first_contact(self, customer_id) -> date | None:
        visits = derive.visits_until(self.ws, customer_id, self.as_of)
        if visits:
            return visits[0]["date"]
        customer = self.ws.get("customers", customer_id)
        return customer.get("created") if customer else None

    def overdue_balance(self, rep: str, day: date) -> Decimal:
        """The balance of the rep's receivables overdue on `day`."""
        key = (rep, day)
        if key not in self._overdue_balances:
            if rep not in self._unsettled:
                receivables = self.receivables_by_owner.get(rep, ())
                settled = sorted(((derive.settled_since(r) or date.max, r) for r in receivables), key=itemgetter(0))
                self._unsettled[rep] = ([since for since, _ in settled], [r for _, r in settled])
            days, receivables = self._unsettled[rep]
            self._overdue_balances[key] = derive.overdue_balance(receivables[bisect_right(days, day):], day)
        return self._overdue_balances[key]

    def visits_in(self, rep: str, period: Period) -> list:
        """The rep's visits dated in `period`, in workspace order: found by date in an index made
        on the first ask, not by reading all of the rep's visits for every period."""
        if rep not in self._visits_by_date:
            visits = self.visits_by_rep.get(rep, [])
            order = sorted(range(len(visits)), key=lambda i: visits[i].data["date"])
            self._visits_by_date[rep] = ([visits[i].data["date"] for i in order], order)
        dates, order = self._visits_by_date[rep]
        found = sorted(order[bisect_left(dates, period.start):bisect_right(dates, period.end)])
        visits = self.visits_by_rep[rep] if found else ()
        return [visits[i] for i in found]

    def contracts_in(self, rep: str, period: Period) -> list:
        """The rep's counted contracts signed in `period` (`derive.signed_in`): a slice of the rep's
        contracts, which are in signing order."""
        dates = self._signed_dates.get(rep, ())
        return self.counted_by_owner[rep][bisect_left(dates, period.start):bisect_right(dates, period.end)] if dates else []

    def payments_in(self, rep: str, period: Period) -> list:
        """(receivable, payment) of the rep's payments dated in `period`, in date order (what they
        add up to does not depend on it): a slice of an index made on the first ask."""
        if rep not in self._payments_by_date:
            dated = sorted((pair for pair in self.payments_by_owner.get(rep, ()) if pair[1]["date"] is not None),
                           key=lambda pair: pair[1]["date"])
            self._payments_by_date[rep] = ([p["date"] for _, p in dated], dated)
        dates, dated = self._payments_by_date[rep]
        return dated[bisect_left(dates, period.start):bisect_right(dates, period.end)]

    def tally(self, rep: str, period: Period) -> Tally:
        ws = self.ws
        t = Tally()
        t.contracts = self.contracts_in(rep, period)
        target = target_for(ws.config, rep, period)
        t.targets = [target] if target is not None else []
        t.payments = self.payments_in(rep, period)
        t.overdue_balance = self.overdue_balance(rep, min(period.end, self.as_of))
        t.new_customers = {c["customer"] for c in t.contracts if self.first_counted[c["customer"]] is c}
        t.visits = self.visits_in(rep, period)
        t.candidates = {v["customer"] for v in t.visits if not self.signed_before(v["customer"], period.start)}
        for contract in t.contracts:
            contact = self.first_contact(contract["customer"])
            if contact is not None:
                t.cycles.append((contract["signed"] - contact).days)
        t.signed_customers = {c["customer"] for c in t.contracts}
        t.repeat_customers = {c for c in t.signed_customers if self.signed_before(c, period.start)}
        return t


def rep_tallies(ws, period: Period, as_of: date, facts: Facts | None = None) -> dict[str, Tally]:
    """A tally per team member who has a row: every rep and lead, and anyone else with figures."""
    facts = facts or Facts(ws, as_of)
    tallies = {}
    for member in ws.config.team:
        tally = facts.tally(member["id"], period)
        if member.get("role") in ROW_ROLES or tally.active:
            tallies[member["id"]] = tally
    return tallies


def rep_figures(ws, as_of: date, wanted, facts: Facts | None = None) -> dict[tuple, dict]:
    """{(period, rep): KPIs} for each wanted (period, rep) pair (what review scoring reads); `facts`
    when the caller has them already."""
    if not wanted:
        return {}
    facts = facts or Facts(ws, as_of)
    return {(period, rep): figures(facts.tally(rep, period)) for period, rep in wanted}


def kpi_report(ws, period: Period, as_of: date, *, by: str = "rep", facts: Facts | None = None) -> dict:
    """The `report kpi` document (docs/commands.md#report-kpi): one row per rep (or group) and a total row."""
    tallies = rep_tallies(ws, period, as_of, facts)
    if by == "group":
        groups: dict = {}
        for rep, tally in tallies.items():
            group = ws.member(rep).get("group")
            groups[group] = groups[group].merge(tally) if group in groups else tally
        order = sorted(groups, key=lambda g: g is None)  # team order of first appearance, no group last
        rows = [{"group": g, **figures(groups[g])} for g in order]
    else:
        rows = [{"rep": rep, "name": ws.member(rep)["name"], **figures(tally)} for rep, tally in tallies.items()]
    for row, rank in zip(rows, ranks([row["signed_amount"] for row in rows])):  # the total row has none
        row["rank"] = rank
    total = Tally()
    for tally in tallies.values():
        total = total.merge(tally)
    return {"period": period.label, "start": period.start, "end": period.end, "rows": rows, "total": figures(total)}
