"""A customer's ownership history (`assignments`) read as of a date: who owned it, since when, who
released it to the public pool (公海), and what the team's claims and loads come to that day.

These read the records alone; the pool dates, which also read visits and contracts, are
`derive.pool_due_reason`.
"""

from __future__ import annotations

from datetime import date, timedelta

from .records import Record

CLAIM = "claim"  # the reason of an entry written by `claim`


def _latest_entry(customer: Record, as_of: date) -> dict | None:
    """The latest `assignments` entry dated ≤ D (the later one in the list on a tie)."""
    latest = None
    for entry in customer.get("assignments", ()):
        if entry["date"] <= as_of and (latest is None or entry["date"] >= latest["date"]):
            latest = entry
    return latest


def owner_on(customer: Record, as_of: date):
    """Who owns the customer on D: the `to` of the latest entry dated ≤ D, else the `from` of the
    earliest entry (who had it before its history began), else `owner`. None: in the pool."""
    entries = customer.get("assignments")
    if not entries:
        return customer.get("owner")
    latest = _latest_entry(customer, as_of)
    if latest is not None:
        return latest.get("to")
    return min(entries, key=lambda entry: entry["date"]).get("from")


def in_pool(customer: Record, as_of: date) -> bool:
    return owner_on(customer, as_of) is None


def assigned(customer: Record, as_of: date) -> date | None:
    """The date of the latest entry dated ≤ D, else the customer's created date."""
    latest = _latest_entry(customer, as_of)
    return latest["date"] if latest is not None else customer.get("created")


def latest_release(customer: Record, as_of: date) -> dict | None:
    """The latest entry dated ≤ D that put the customer in the pool (`to` null)."""
    latest = None
    for entry in customer.get("assignments", ()):
        if entry["date"] <= as_of and entry.get("to") is None and (latest is None or entry["date"] >= latest["date"]):
            latest = entry
    return latest


def pool_since(customer: Record, as_of: date) -> date | None:
    """Since when a customer in the pool has been there: its latest release, else its created date."""
    release = latest_release(customer, as_of)
    return release["date"] if release is not None else customer.get("created")


def reclaim_locked_until(customer: Record, rep: str, as_of: date, reclaim_days: int | None) -> date | None:
    """The day `rep` may take the customer again, when its latest release (≤ D) was from `rep` less
    than reclaim_days before D; None when nothing holds `rep` back."""
    release = latest_release(customer, as_of)
    if not reclaim_days or release is None or release.get("from") != rep:
        return None
    until = release["date"] + timedelta(days=reclaim_days)
    return until if until > as_of else None


def claims_on(ws, day: date) -> dict:
    """{member: the claim entries they made dated `day`} over every customer."""
    claims: dict = {}
    for customer in ws.records["customers"]:
        for entry in customer.get("assignments", ()):
            if entry["date"] == day and entry.get("reason") == CLAIM:
                claims[entry["by"]] = claims.get(entry["by"], 0) + 1
    return claims


def owned_counts(ws, as_of: date) -> dict:
    """{member: how many customers they own on D}."""
    counts: dict = {}
    for customer in ws.records["customers"]:
        owner = owner_on(customer, as_of)
        if owner is not None:
            counts[owner] = counts.get(owner, 0) + 1
    return counts
