"""What changed between two loaded workspaces, record by record, and what it does to the money.

Records are matched by (collection, id), so a record moved to another file is unchanged (it is
listed under `moved`) and a renamed id is a removal plus an addition. Fields are compared as typed
values (Decimal amounts, dates, defaults filled in), so rewriting `5000` as `5000.00` or quoting a
date is no change; so are the settings of salesctl.yaml, as read. The effect on the figures is
computed as of one date with the functions of `derive`, the signed amounts as `report kpi` counts
them, attainment and review grades by the reports' own definitions; `compare` gives them each
side's usable records (records with errors left out, as the reports do).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from .. import derive
from ..model.config import Config
from ..model.money import ZERO, Ratio
from ..model.periods import parse_period, quarter_of
from ..model.records import COLLECTIONS, Record
from ..model.targets import target_for

ABSENT = object()


# --- records -------------------------------------------------------------------------------

def record_index(ws) -> dict[str, dict]:
    """{collection: {id: record}}, the first record of an id winning (as `Workspace.get` does)."""
    return {collection: ws.by_id(collection) for collection in COLLECTIONS}


def field_changes(old, new, at: str = "") -> list[dict]:
    """[{field, old, new}] for every leaf that differs; dotted fields, list items by position."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes = []
        for key in [*old, *(k for k in new if k not in old)]:
            changes += field_changes(old.get(key, ABSENT), new.get(key, ABSENT), f"{at}.{key}" if at else str(key))
        return changes
    if isinstance(old, list) and isinstance(new, list) and old and new:
        changes = []
        for i in range(max(len(old), len(new))):
            changes += field_changes(old[i] if i < len(old) else ABSENT, new[i] if i < len(new) else ABSENT, f"{at}.{i}")
        return changes
    if old is ABSENT and new is ABSENT or _same(old, new):
        return []
    return [{"field": at, "old": None if old is ABSENT else old, "new": None if new is ABSENT else new}]


def _same(a, b) -> bool:
    """Equal as typed values; a bool never equals a number (True == 1 in Python)."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def record_changes(ws_a, ws_b) -> tuple[list[dict], list[dict]]:
    """(changes, moved): records added, removed or changed from `ws_a` to `ws_b`, and records
    that only moved to another file. Ordered by collection, then id."""
    old_index, new_index = record_index(ws_a), record_index(ws_b)
    changes, moved = [], []
    for collection in COLLECTIONS:
        old, new = old_index[collection], new_index[collection]
        differing = [rid for rid in old.keys() | new.keys() if old.get(rid) is not new.get(rid)]  # shared: same
        for record_id in sorted(differing, key=str):
            a, b = old.get(record_id), new.get(record_id)
            if a is not None and b is not None and a.path == b.path and (a.data is b.data or a.data == b.data):
                continue  # decided without walking the fields
            entry = {"collection": collection, "id": record_id, "old_path": a.path if a else None,
                     "new_path": b.path if b else None}
            if a is None:
                changes.append({"change": "added", **entry})
            elif b is None:
                changes.append({"change": "removed", **entry})
            else:
                fields = field_changes(a.data, b.data)
                if fields:
                    changes.append({"change": "changed", **entry, "fields": fields})
                else:
                    moved.append(entry)
    return changes, moved


# --- effect on the figures -----------------------------------------------------------------

def receivable_effect(ws_a, ws_b, as_of: date) -> list[dict]:
    """Receivables whose balance or status as of D differs: [{receivable, contract, old, new}],
    old/new being {balance, status}, or null where the receivable is absent."""
    def state(ws):
        return {r.id: r for r in ws.records["receivables"] if r.id is not None}

    old, new = state(ws_a), state(ws_b)
    rows = []
    for rid in sorted(old.keys() | new.keys(), key=str):
        if rid in old and rid in new and old[rid].data is new[rid].data:
            continue  # the same typed record on both sides (see load.revisions.SharedTyping)
        before = _receivable_state(old.get(rid), as_of)
        after = _receivable_state(new.get(rid), as_of)
        if before != after:
            contract = (new.get(rid) or old.get(rid)).get("contract")
            rows.append({"receivable": rid, "contract": contract, "old": before, "new": after})
    return rows


def _receivable_state(receivable: Record | None, as_of: date) -> dict | None:
    if receivable is None:
        return None
    return {"balance": derive.receivable_balance(receivable, as_of), "status": derive.receivable_status(receivable, as_of)}


class Overdue:
    """Each receivable's days overdue and overdue balance as of D, computed once per record:
    both sides of a diff hold the very same records for the files they share."""

    def __init__(self, as_of: date):
        self.as_of = as_of
        self._known: dict = {}  # id(record) -> (record, days, balance); the record keeps its id

    def __call__(self, receivable: Record) -> tuple[int, Decimal]:
        known = self._known.get(id(receivable))
        if known is None:
            days = derive.days_overdue(receivable, self.as_of)
            balance = derive.receivable_balance(receivable, self.as_of) if days > 0 else ZERO
            known = self._known[id(receivable)] = (receivable, days, balance)
        return known[1], known[2]


def overdue_by_bucket(ws, overdue: Overdue) -> dict[str, Decimal]:
    """Overdue balance per aging bucket label (every label present)."""
    edges = ws.config.rules["aging_buckets"]
    days_and_balances = (overdue(receivable) for receivable in ws.records["receivables"])
    return derive.bucket_balances(((derive.bucket(days, edges), balance) for days, balance in days_and_balances
                                   if days > 0), ws.config.bucket_labels())


def overdue_effect(ws_a, ws_b, as_of: date) -> dict:
    """{buckets: {LABEL: {old, new, delta}}, total: {old, new, delta}}; labels of both sides
    (the new side's first), 0 where a side has no such bucket (its aging_buckets differ)."""
    overdue = Overdue(as_of)
    old, new = overdue_by_bucket(ws_a, overdue), overdue_by_bucket(ws_b, overdue)
    labels = [*new, *(label for label in old if label not in new)]
    buckets = {label: _delta(old.get(label, ZERO), new.get(label, ZERO)) for label in labels}
    total = _delta(sum(old.values(), ZERO), sum(new.values(), ZERO))
    return {"buckets": buckets, "total": total}


def _delta(old: Decimal, new: Decimal) -> dict:
    return {"old": old, "new": new, "delta": new - old}


def signed_effect(ws_a, ws_b, as_of: date) -> list[dict]:
    """Signed amount (the KPI, `derive.signed_amount`) per rep for each quarter a changed contract is
    signed in: [{period, rep, name, old, new, delta}] for each rep whose amount changed, then one
    row per period with rep null (the team's total), by period then rep."""
    old_contracts = {c.id: c for c in ws_a.records["contracts"]}
    new_contracts = {c.id: c for c in ws_b.records["contracts"]}
    touched = set()
    for cid in old_contracts.keys() | new_contracts.keys():
        a, b = old_contracts.get(cid), new_contracts.get(cid)
        if a is not None and b is not None and (a.data is b.data or a.data == b.data):
            continue
        touched |= {(quarter_of(c["signed"]), c.get("owner")) for c in (a, b) if c is not None and derive.is_counted(c)}
    if not touched:
        return []
    members = {m["id"] for m in ws_a.config.team} | {m["id"] for m in ws_b.config.team} | {r for _, r in touched}
    periods = {label: parse_period(label) for label in sorted({label for label, _ in touched})}
    wanted = [(period, rep) for period in periods.values() for rep in sorted(members, key=str)]
    old, new = _signed_amounts(ws_a, as_of, wanted), _signed_amounts(ws_b, as_of, wanted)
    rows = []
    for label, period in periods.items():
        before = {rep: old[period, rep] for p, rep in wanted if p is period}
        after = {rep: new[period, rep] for p, rep in wanted if p is period}
        for rep in before:
            if before[rep] != after[rep]:
                member = ws_b.member(rep) or ws_a.member(rep)
                rows.append({"period": label, "rep": rep, "name": member["name"] if member else None,
                             **_delta(before[rep], after[rep])})
        if before != after:
            rows.append({"period": label, "rep": None, "name": None,
                         **_delta(sum(before.values(), ZERO), sum(after.values(), ZERO))})
    return rows


def _signed_amounts(ws, as_of: date, wanted) -> dict:
    """{(period, rep): signed amount} for each wanted pair, as `report kpi` counts it."""
    owners = derive.counted_by_owner(ws, as_of)
    return {(period, rep): derive.signed_amount(derive.signed_in(owners.get(rep, ()), period))
            for period, rep in wanted}


def stale_effect(ws_a, ws_b, as_of: date) -> list[dict]:
    """The approvals stale on the new side that were not on the old one: [{contract, stage, by,
    name, date, terms}] (`terms`: what they approved), by contract, then entry. Over every
    contract, with or without errors, as `validate` reports approval-stale."""
    old = ws_a.by_id("contracts")
    rows = []
    for cid, contract in sorted(ws_b.by_id("contracts").items(), key=lambda item: str(item[0])):
        before = old.get(cid)
        if before is not None and before.data is contract.data and ws_a.config.currency == ws_b.config.currency:
            continue  # the same typed record on both sides, in the same currency
        was = {_approval_key(row) for row in derive.stale_approvals(ws_a, before, as_of)} if before is not None else set()
        rows += [{"contract": cid, **row} for row in derive.stale_approvals(ws_b, contract, as_of)
                 if _approval_key(row) not in was]
    return rows


def _approval_key(row: dict) -> tuple:
    return row["stage"], row["by"], row["date"], row["terms"]


# --- salesctl.yaml -------------------------------------------------------------------------

SETTINGS = tuple(f.name for f in dataclasses.fields(Config) if f.name not in ("positions", "bad_emails"))


def config_changes(config_a: Config, config_b: Config) -> list[dict]:
    """[{field, old, new}] of the settings that differ, as read (defaults filled in, so writing a
    default out is no change); team members by id, targets by year and rep."""
    return field_changes(_settings(config_a), _settings(config_b))


def _settings(config: Config) -> dict:
    plain = {name: getattr(config, name) for name in SETTINGS}
    plain["team"] = {member.get("id"): member for member in config.team}
    plain["calendar"] = {"holidays": sorted(config.calendar.holidays), "workdays": sorted(config.calendar.workdays)}
    return plain


def attainment_effect(ws_a, ws_b, as_of: date, changes: list[dict]) -> list[dict]:
    """Target and attainment (signed amount / target, as `report kpi`) of each rep whose targets
    changed, for the year and each quarter of it: [{period, rep, name, target, attainment}] with
    {old, new} each, where either moved."""
    touched = sorted({tuple(c["field"].split(".")[1:3]) for c in changes if c["field"].startswith("targets.")
                      and c["field"].count(".") >= 2}, key=lambda pair: (int(pair[0]), pair[1]))
    rows = []
    owners_a, owners_b = derive.counted_by_owner(ws_a, as_of), derive.counted_by_owner(ws_b, as_of)
    for year, rep in touched:
        for label in (year, *(f"{year}-Q{q}" for q in range(1, 5))):
            period = parse_period(label)
            old = _attainment(ws_a.config, owners_a, rep, period)
            new = _attainment(ws_b.config, owners_b, rep, period)
            if old != new:
                member = ws_b.member(rep) or ws_a.member(rep)
                rows.append({"period": label, "rep": rep, "name": member["name"] if member else None,
                             "target": {"old": old[0], "new": new[0]}, "attainment": {"old": old[1], "new": new[1]}})
    return rows


def _attainment(config, owners: dict, rep: str, period) -> tuple:
    from ..reports.kpi import attainment

    target = target_for(config, rep, period)
    exact = attainment(derive.signed_amount(derive.signed_in(owners.get(rep, ()), period)), target)
    return target, None if exact is None else Ratio(exact)


def grade_effect(ws_a, ws_b, as_of: date) -> list[dict]:
    """The reviews whose weighted total or grade moved (`report review`): [{review, rep, name,
    period, total, grade}] with {old, new} each; a review on one side only is not listed."""
    from ..reports.review import review_report

    old = {row["review"]: row for row in review_report(ws_a, as_of)["rows"]}
    rows = []
    for row in review_report(ws_b, as_of)["rows"]:
        before = old.get(row["review"])
        if before is not None and (before["total"], before["grade"]) != (row["total"], row["grade"]):
            rows.append({"review": row["review"], "rep": row["rep"], "name": row["name"], "period": row["period"],
                         "total": {"old": before["total"], "new": row["total"]},
                         "grade": {"old": before["grade"], "new": row["grade"]}})
    return rows


def _reviews_touched(ws_a, ws_b, changes: list[dict]) -> bool:
    """Whether a changed record can move a review's score: a review itself, or a visit (satisfaction)
    or contract (attainment) of a reviewed rep dated within one of that rep's review periods."""
    days = set()  # (rep, date)
    for change in changes:
        if change["collection"] == "reviews":
            return True
        for ws in (ws_a, ws_b):
            record = ws.get(change["collection"], change["id"])
            if record is not None and change["collection"] == "visits":
                days.add((record.get("rep"), record.get("date")))
            elif record is not None and change["collection"] == "contracts":
                days.add((record.get("owner"), record.get("signed")))
    periods = {}
    for review in ws_b.records["reviews"]:
        periods.setdefault(review["rep"], []).append(parse_period(review["period"]))
    return any(day is not None and period.start <= day <= period.end
               for rep, day in days for period in periods.get(rep, ()))


# --- the whole diff ------------------------------------------------------------------------

def compare(ws_a, ws_b, as_of: date) -> dict:
    """The `diff` document, less the revisions: summary, record changes, moves, effect on figures."""
    changes, moved = record_changes(ws_a, ws_b)
    settings = config_changes(ws_a.config, ws_b.config)
    summary = {kind: sum(1 for c in changes if c["change"] == kind) for kind in ("added", "removed", "changed")}
    summary["moved"] = len(moved)
    summary["config"] = len(settings)
    summary["errors"] = {"old": ws_a.error_count, "new": ws_b.error_count}
    usable_a, usable_b = ws_a.usable(), ws_b.usable()
    reviews_may_move = bool(settings) or _reviews_touched(ws_a, ws_b, changes)
    return {
        "as_of": as_of,
        "summary": summary,
        "records": changes,
        "moved": moved,
        "config": settings,
        "effect": {
            "receivables": receivable_effect(usable_a, usable_b, as_of),
            "overdue": overdue_effect(usable_a, usable_b, as_of),
            "signed": signed_effect(usable_a, usable_b, as_of),
            "attainment": attainment_effect(usable_a, usable_b, as_of, settings),
            "grades": grade_effect(usable_a, usable_b, as_of) if reviews_may_move else [],
            "approvals": stale_effect(ws_a, ws_b, as_of),
        },
    }
