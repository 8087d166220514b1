"""`report activity`: calls, effective communications and deals per rep and day, ISO week or month.

Each row is a KPI tally (`kpi.Tally`) of the rep's visits and counted contracts in one bucket, so
visits, effective visits, deals and signed amount are the KPI definitions themselves; calls are the
visits by phone. Rates and targets are per working day of the workspace calendar.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..model.money import Tenths
from ..model.periods import Period, buckets
from .kpi import Facts, Tally, figures

TENTH = Decimal("0.1")
ACTIVITY_KEYS = ("workdays", "calls", "effective_calls", "visits", "effective", "customers", "deals", "signed_amount",
                 "calls_per_day", "effective_per_day", "target_calls", "target_effective")


def activity_figures(tally: Tally, workdays: int, targets: list, reps: int = 1) -> dict:
    """A row's figures from its tally; `targets` are the daily targets {calls, effective} of its reps,
    `workdays` the working days each rep had (rates are per working day of every rep)."""
    kpis = figures(tally)
    calls = [v for v in tally.visits if v["channel"] == "phone"]
    return {
        "workdays": workdays,
        "calls": len(calls),
        "effective_calls": sum(1 for v in calls if v.get("effective", True)),
        "visits": kpis["visits"],
        "effective": kpis["effective_visits"],
        "customers": len({v["customer"] for v in tally.visits if v.get("effective", True)}),
        "deals": kpis["contracts"],
        "signed_amount": kpis["signed_amount"],
        "calls_per_day": per_day(len(calls), workdays * reps),
        "effective_per_day": per_day(kpis["effective_visits"], workdays * reps),
        "target_calls": _target(targets, "calls", workdays),
        "target_effective": _target(targets, "effective", workdays),
    }


def per_day(count: int, days: int) -> Tenths | None:
    """count / days to one decimal, half-up; None without a working day."""
    if not days:
        return None
    return Tenths((Decimal(count) / days).quantize(TENTH, rounding=ROUND_HALF_UP))


def _target(targets: list, key: str, workdays: int) -> int | None:
    """Σ daily target × working days over the reps that have this target; None when none has."""
    given = [t[key] for t in targets if key in t]
    return sum(given) * workdays if given else None


def activity_reps(ws, *, rep: str | None = None, group: str | None = None) -> list[dict]:
    """The team members listed: `rep` alone when given, else every member with role rep (of `group`)."""
    if rep is not None:
        return [ws.member(rep)]
    return [m for m in ws.config.team if m.get("role") == "rep" and (group is None or m.get("group") == group)]


def activity_report(ws, period: Period, as_of: date, *, by: str = "day", reps: list | None = None,
                    facts: Facts | None = None) -> dict:
    """The `report activity` document: one row per rep and bucket (every bucket, zero rows included),
    then a total row for the whole period; `facts` when the caller has them already."""
    members = activity_reps(ws) if reps is None else reps
    facts = facts or Facts(ws, as_of)
    calendar = ws.config.calendar
    spans = buckets(period, by)
    starts = [span.start for span in spans]
    workdays = [calendar.workdays_in(span.start, span.end) for span in spans]
    rows, everything = [], Tally()
    for member in members:
        contracts = [[] for _ in spans]
        visits = [[] for _ in spans]
        for contract in facts.counted_by_owner.get(member["id"], ()):
            if contract["signed"] in period:
                contracts[bisect_right(starts, contract["signed"]) - 1].append(contract)
        for visit in facts.visits_in(member["id"], period):
            visits[bisect_right(starts, visit["date"]) - 1].append(visit)
        targets = [ws.config.daily_targets(member)]
        quiet: dict = {}  # workdays -> the figures of a bucket without visits or deals
        for span, days, signed, made in zip(spans, workdays, contracts, visits):
            if signed or made:
                counted = activity_figures(Tally(contracts=signed, visits=made), days, targets)
            else:
                counted = quiet.get(days) or quiet.setdefault(days, activity_figures(Tally(), days, targets))
            rows.append({"rep": member["id"], "name": member["name"], "bucket": span.label, **counted})
            everything.contracts += signed
            everything.visits += made
    total_days = calendar.workdays_in(period.start, period.end)
    total = activity_figures(everything, total_days, [ws.config.daily_targets(m) for m in members], len(members))
    return {"period": period.label, "start": period.start, "end": period.end, "by": by, "rows": rows, "total": total}


def daily_activity(ws, as_of: date) -> list[dict]:
    """Every rep's activity per day, from the first day any rep visited or signed to D (the `sql` table)."""
    facts = Facts(ws, as_of)
    reps = activity_reps(ws)
    days = [v["date"] for m in reps for v in facts.visits_by_rep.get(m["id"], ())]
    days += [c["signed"] for m in reps for c in facts.counted_by_owner.get(m["id"], ())]
    if not days:
        return []
    return activity_report(ws, Period("", min(days), as_of), as_of, by="day", reps=reps)["rows"]
