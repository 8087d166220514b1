"""The report documents (`salesctl.reports`) as the command line prints them: JSON or YAML as they
are, CSV with nested values spread over columns, tables with headings and titles in the locale.
"""

from __future__ import annotations

from ..model.records import ACTION_KEYS
from .locale import headings
from .output import render_rows, to_csv, to_table

LEDGER_COLUMNS = ["receivable", "contract", "customer", "customer_name", "owner", "due", "amount", "paid", "balance",
                  "days_overdue", "bucket"]


# --- overdue -----------------------------------------------------------------------------

def render_overdue(doc: dict, fmt: str, config) -> str:
    """The ledger (one row per receivable, or per customer or owner with subtotals), then a total
    row with a column per aging bucket of `config`."""
    if fmt in ("json", "yaml"):
        return render_rows([], [], fmt, document=doc)
    by = doc.get("by", "receivable")
    labels = config.bucket_labels()
    words = headings(config.locale)
    if by != "receivable":
        rows = [_flat_group_row(row) for row in doc["rows"]]
        columns = [by, "name", "count", "balance", *labels]
    elif fmt == "csv":
        rows = [_flat_ledger_row(row) for row in doc["rows"]]
        columns = [*LEDGER_COLUMNS, *[f"last_action.{key}" for key in ACTION_KEYS], "next_step.action", "next_step.date"]
    else:
        rows = [{**row, "last_action": _action_cell(row["last_action"], words)} for row in doc["rows"]]
        columns = [c for c in LEDGER_COLUMNS if c != "customer"] + ["last_action", "next_step"]
    if fmt == "csv":
        return to_csv(rows, columns)
    text = f"{words['overdue_title']} {words['as_of']} {doc['as_of'].isoformat()}\n\n"
    if rows:
        text += to_table(rows, columns, words) + "\n"
    total = {"": words["total_row"], **_flat_group_row(doc["totals"])}
    return text + to_table([total], ["", "count", "balance", *labels], words)


def _flat_ledger_row(row: dict) -> dict:
    """A ledger row for CSV: last action and next step spread over dotted columns."""
    flat = {k: v for k, v in row.items() if k not in ("last_action", "next_step")}
    for key in ACTION_KEYS:
        flat[f"last_action.{key}"] = (row["last_action"] or {}).get(key)
    flat["next_step.action"] = (row["next_step"] or {}).get("action")
    flat["next_step.date"] = (row["next_step"] or {}).get("date")
    return flat


def _flat_group_row(row: dict) -> dict:
    """A group row (or the totals) with one column per aging bucket."""
    flat = {k: v for k, v in row.items() if k != "buckets"}
    flat.update(row["buckets"])
    return flat


def _action_cell(action: dict | None, words: dict) -> str:
    """`2026-11-02 phone`, plus the promised date when the action carries one."""
    if action is None:
        return ""
    text = f"{action['date'].isoformat()} {action['channel']}"
    if action.get("promised"):
        text += f" ({words['promised']} {action['promised'].isoformat()})"
    return text


# --- kpi ---------------------------------------------------------------------------------

class Places(float):
    """A mean shown in a table with its fixed decimals (101.0 days, 4.00 points), not as 101 or 4."""

    def __new__(cls, value: float, places: int):
        number = super().__new__(cls, value)
        number.places = places
        return number

    def __format__(self, spec):
        return format(float(self), f".{self.places}f")


def render_kpi(doc: dict, fmt: str, *, by: str, locale: str) -> str:
    """One row per rep (or group) and the total row; the columns are the KPIs of the document."""
    key = ["group"] if by == "group" else ["rep", "name"]
    columns = [*key, *doc["total"]]
    if fmt in ("json", "yaml", "csv"):
        return render_rows(doc["rows"], columns, fmt, document=doc)
    words = headings(locale)
    rows = [_kpi_cells(row) for row in [*doc["rows"], {key[0]: words["total_row"], **doc["total"]}]]
    title = f"{words['kpi_title']} {doc['period']} ({doc['start'].isoformat()} – {doc['end'].isoformat()})\n\n"
    return title + to_table(rows, columns, words)


def _kpi_cells(row: dict) -> dict:
    cells = dict(row)
    for name, places in (("avg_cycle_days", 1), ("satisfaction", 2)):
        if cells[name] is not None:
            cells[name] = Places(cells[name], places)
    return cells


# --- review ------------------------------------------------------------------------------

def render_review(doc: dict, fmt: str, config) -> str:
    """One row per review: a column per indicator of `config`, the total and the grade."""
    if fmt in ("json", "yaml"):
        return render_rows([], [], fmt, document=doc)
    names = [i["name"] for i in config.review["indicators"]]
    columns = ["review", "rep", "name", "period", *[f"scores.{n}" for n in names], "total", "grade"]
    rows = [{**{k: v for k, v in row.items() if k != "scores"},
             **{f"scores.{n}": score for n, score in row["scores"].items()}} for row in doc["rows"]]
    if fmt == "csv":
        return to_csv(rows, columns)
    words = headings(config.locale)
    for row in rows:
        for column in columns[4:-1]:
            if row[column] is not None:
                row[column] = Places(row[column], 1)
    text = f"{words['review_title']} {doc['period'] or ''}".rstrip() + "\n\n"
    if rows:
        text += to_table(rows, columns, {**words, **{f"scores.{n}": n for n in names}})
    return text
