"""The dashboard's figures, gathered by calling the report functions with the dashboard's options.

Every number the page shows is taken from a report document computed here (`report overdue`,
`report kpi`, `report activity --by week`, `report review`), so it equals that report's JSON for
the same --as-of and period by construction. The few counts no report prints (what fell due per month, the first two steps
of the funnel) are defined next to the report figure they stand beside.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..model.periods import Period, parse_period
from ..reports.activity import activity_report
from ..reports.kpi import Facts, Tally, kpi_report, rep_tallies
from ..reports.overdue import group_rows, overdue_report
from ..reports.pool import pool_report
from ..reports.review import review_report

MONTHS = 12      # the monthly charts cover a year
LARGEST = 10     # overdue receivables listed by balance


def default_period(as_of: date) -> Period:
    """The quarter of --as-of: targets and reviews are set by quarter, and a weekly look at the
    quarter so far is what a manager acts on (a month is too short early on, a year too long)."""
    return parse_period(f"{as_of.year}-Q{(as_of.month - 1) // 3 + 1}")


def months_ending(day: date, count: int = MONTHS) -> list[Period]:
    """The `count` calendar months up to and including the month of `day`, oldest first."""
    index = day.year * 12 + day.month - 1
    return [parse_period(f"{i // 12:04d}-{i % 12 + 1:02d}") for i in range(index - count + 1, index + 1)]


def dashboard_figures(ws, period: Period, as_of: date) -> dict:
    """The document the page is drawn from: one part per section, each made of report figures;
    a section is None when the workspace holds nothing it could show."""
    records = ws.records
    has_sales = bool(records["contracts"] or records["visits"] or ws.config.targets)
    collection_months, sales_months = months_ending(as_of), months_ending(min(period.end, as_of))
    facts = Facts(ws, as_of)  # the workspace indexed once for every report below
    periods = {p.label: p for p in (period, *collection_months, *sales_months)}
    kpi = {label: kpi_report(ws, p, as_of, facts=facts) for label, p in periods.items()}
    reviews = review_report(ws, as_of, period, facts=facts)
    activity = activity_report(ws, period, as_of, by="week", facts=facts)
    return {
        "period": period.label, "start": period.start, "end": period.end, "as_of": as_of,
        "collection": collection_figures(ws, as_of, collection_months, kpi) if records["receivables"] else None,
        "sales": sales_figures(ws, period, as_of, sales_months, kpi, facts) if has_sales else None,
        "activity": activity if activity["total"]["calls"] else None,
        "pool": pool_figures(ws, as_of),
        "reviews": reviews if reviews["rows"] else None,
    }


# --- collection --------------------------------------------------------------------------

def collection_figures(ws, as_of: date, months: list[Period], kpi: dict) -> dict:
    """Overdue totals and buckets per owner (`report overdue`, `--by owner`), the largest overdue
    receivables, and per month collected (`report kpi` total) against what fell due."""
    ledger = overdue_report(ws, as_of)
    by_owner = group_rows(ws, ledger["rows"], "owner", ws.config.bucket_labels())  # `--by owner` of the same rows
    largest = sorted(ledger["rows"], key=lambda row: (-row["balance"], row["receivable"]))[:LARGEST]
    due = fell_due(ws, months, as_of)
    return {
        "totals": ledger["totals"],
        "by_owner": by_owner,
        "largest": largest,
        "months": [{"month": m.label, "collected": kpi[m.label]["total"]["collected"], "fell_due": due[m.label]}
                   for m in months],
    }


def fell_due(ws, months: list[Period], as_of: date) -> dict[str, Decimal]:
    """Per month, Σ amount of the receivables due in it (up to --as-of): what was to be collected,
    whatever has become of it since (paid, still open or written off)."""
    sums = {m.label: Decimal("0") for m in months}
    first, last = months[0].start, min(months[-1].end, as_of)
    for receivable in ws.records["receivables"]:
        due = receivable["due"]
        if first <= due <= last:
            sums[f"{due.year:04d}-{due.month:02d}"] += receivable["amount"]
    return sums


# --- sales -------------------------------------------------------------------------------

def sales_figures(ws, period: Period, as_of: date, months: list[Period], kpi: dict, facts: Facts) -> dict:
    """`report kpi` for the period (signed amount and target per rep), signed amount per month
    over the 12 months up to the end of the period (or --as-of, when earlier), and the funnel."""
    return {
        "kpi": kpi[period.label],
        "months": [{"month": m.label, "signed_amount": kpi[m.label]["total"]["signed_amount"]} for m in months],
        "funnel": funnel(ws, period, as_of, kpi[period.label]["total"], facts),
    }


def funnel(ws, period: Period, as_of: date, kpi_total: dict, facts: Facts | None = None) -> dict:
    """Visited customers → prospects → new customers in the period, over the whole team.

    visited_customers: distinct customers visited in the period; prospects: those of them with no
    counted contract signed before it (what `conversion_rate` is a share of); new_customers and
    conversion_rate: the `report kpi` total row. A new customer need not have been visited in
    the period, so the last step is not always part of the first two.
    """
    team = Tally()
    for tally in rep_tallies(ws, period, as_of, facts).values():
        team = team.merge(tally)
    return {
        "visited_customers": len({visit["customer"] for visit in team.visits}),
        "prospects": len(team.candidates),
        "new_customers": kpi_total["new_customers"],
        "conversion_rate": kpi_total["conversion_rate"],
    }


# --- pool --------------------------------------------------------------------------------

def pool_figures(ws, as_of: date) -> dict | None:
    """`pool --due` (owned customers due to go back to the public pool by --as-of plus
    `pool.warn_days`): `{as_of, until, rows: [{id, name, owner, pool_due, pool_reason}]}`; None
    while the workspace sets no pool rule (neither `follow_up_days` nor `deal_days`, for any tier)."""
    settings = ws.config.pool
    if not any(limits.get(key) is not None for limits in (settings, *settings["tiers"].values())
               for key in ("follow_up_days", "deal_days")):
        return None
    return pool_report(ws, as_of, due=settings["warn_days"])
