"""A report document as one sheet of a workbook: the columns, their headings in the locale, a row per
row of the document and a total row, values kept as they are (money as Decimal, ratios as `Ratio`,
dates as dates) for the workbook writer (`query.export.write_sheet`) to format.

Any report whose document holds `rows` (mappings) and a `total` or `totals` mapping becomes a sheet
this way, whatever its columns: a mapping inside a row is spread over one column per key
(`last_action.date`), and a document without a total gets one that counts its rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from .locale import headings

# Mappings keyed by labels rather than field names (aging buckets, review indicators): their columns
# are headed by the label alone (`1-30`, `teamwork`).
LABELLED = ("buckets", "scores")


@dataclass
class Sheet:
    title: str
    columns: list[str]  # the keys of the document, dotted inside a mapping
    headings: list[str]
    rows: list[list]
    total: list


def report_sheet(doc: dict, locale: str, title: str, labels: dict | None = None) -> Sheet:
    """`doc` as a sheet titled `title`, headings in `locale` (or as `labels` has them for this
    report: the bucket of the activity report is a day, a week or a month), the total row last."""
    rows = doc["rows"]
    total = doc.get("total") or doc.get("totals") or {"count": len(rows)}
    spread = _spread(rows + [total])
    flat_rows = [_flat(row, spread) for row in rows]
    flat_total = _flat(total, spread)
    columns = list(dict.fromkeys(key for row in flat_rows for key in row))
    columns += [key for key in flat_total if key not in columns]
    if not flat_rows or columns[0] in flat_total:
        columns.insert(0, "")  # a column of its own for the total's label
    words = {**headings(locale), **(labels or {})}
    return Sheet(title, columns, [_heading(column, words) for column in columns],
                 [[row.get(column) for column in columns] for row in flat_rows],
                 [words["total_row"]] + [flat_total.get(column) for column in columns[1:]])


def _spread(rows: list[dict]) -> dict[str, list]:
    """The keys holding a mapping in some row, and the union of their keys in order."""
    found: dict[str, dict] = {}
    for row in rows:
        for key, value in row.items():
            if isinstance(value, dict):
                found.setdefault(key, {}).update(dict.fromkeys(value))
    return {key: list(keys) for key, keys in found.items()}


def _flat(row: dict, spread: dict) -> dict:
    flat = {}
    for key, value in row.items():
        if key in spread:
            for sub in spread[key]:
                flat[f"{key}.{sub}"] = (value or {}).get(sub)
        else:
            flat[key] = value
    return flat


def _heading(column: str, words: dict) -> str:
    parent, dot, child = column.partition(".")
    if not dot:
        return words.get(column, column)
    if parent in LABELLED:
        return child
    return f"{words.get(parent, parent)}.{words.get(child, child)}"
