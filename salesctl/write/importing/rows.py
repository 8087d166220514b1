"""From the cells of a row to what it says: typed values by field, its key, and a new record.

A row's values are kept by field path (`("contacts", 0, "phone")`), each with the column it came
from, so that every problem found later — by the record checks or the workspace rules — can be
told at the cell that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...model.problems import problem
from ...model.records import items_total
from .columns import schema_of
from .values import convert, is_empty, written_amount


@dataclass(eq=False)
class Row:
    number: int  # the row number the spreadsheet shows
    cells: tuple
    values: dict = field(default_factory=dict)  # path -> typed value
    where: dict = field(default_factory=dict)  # path -> column number
    problems: list = field(default_factory=list)
    key: tuple | None = None
    match: object = None  # the existing record its key finds (payments: the receivable)
    entry: int | None = None  # payments: the existing payment its key finds
    outcome: object = None  # plan.Outcome, once planned

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.problems)

    def column_of(self, path: tuple) -> int:
        """The column that best tells where a problem at `path` lies: the column of that field, of
        the first field inside it, or of the field it lies in; the first column of the row else."""
        if path in self.where:
            return self.where[path]
        inside = [n for p, n in self.where.items() if p[:len(path)] == path]
        if inside:
            return min(inside)
        around = [n for p, n in self.where.items() if path[:len(p)] == p]
        return min(around) if around else min(self.where.values(), default=1)


def read_rows(data, columns, lookup, config, *, sheet: str, progress=None) -> list[Row]:
    """Every data row with its cells converted by the field of their column."""
    targets = [c for c in columns if c.target is not None]
    rows = []
    for count, source in enumerate(data, 1):
        row = Row(source.number, source.cells)
        cells = source.cells
        for column in targets:
            cell = cells[column.number - 1] if column.number <= len(cells) else None
            if is_empty(cell):
                continue
            value, code, message = convert(column.target.spec, cell, lookup, config)
            if code:
                row.problems.append(problem(code, sheet, (row.number, column.number), f"{column.heading}: {message}"))
            else:
                row.values[column.target.path] = value
                row.where[column.target.path] = column.number
        rows.append(row)
        if progress is not None and count % 1000 == 0:
            progress("rows", count, len(data))
    return rows


def nested(collection: str, values: dict) -> dict:
    """The row's values as a record's fields, in the order of the record format: sub-fields
    grouped into their mapping, list entries into their list (by index)."""
    schema = schema_of(collection)
    out: dict = {}
    for path, value in values.items():
        if len(path) == 1:
            out[path[0]] = value
        elif len(path) == 2:
            out.setdefault(path[0], {})[path[1]] = value
        else:
            out.setdefault(path[0], {}).setdefault(path[1], {})[path[2]] = value
    for name, spec in schema.items():
        if name not in out or not isinstance(out[name], dict):
            continue
        if spec.kind == "list":
            entry = spec.item.schema
            out[name] = [_ordered(out[name][i], entry) for i in sorted(out[name])]
        else:
            out[name] = _ordered(out[name], spec.schema)
    return _ordered(out, schema)


def _ordered(values: dict, schema: dict) -> dict:
    return {name: values[name] for name in schema if name in values}


def new_record(collection: str, row: Row) -> dict:
    """The record a row adds: its values, the one contact of a customer marked primary, and a
    contract's amount summed from its items when the sheet gives none."""
    record = nested(collection, row.values)
    if collection == "customers" and len(record.get("contacts", ())) == 1:
        record["contacts"][0].setdefault("primary", True)
    if collection == "contracts" and "amount" not in record and record.get("items"):
        items = record["items"]
        if all("quantity" in i and "unit_price" in i for i in items):
            record["amount"] = written_amount(items_total(items))
            record = nested_order(collection, record)
    return record


def nested_order(collection: str, record: dict) -> dict:
    return _ordered(record, schema_of(collection))


def missing_required(collection: str, row: Row, columns) -> list:
    """(field, column number or None) of each required field a new record from `row` lacks: the
    column is None when the sheet has no column for it. The id is made when missing; a contract's
    amount is summed from its items."""
    given = {c.target.path[0]: c.number for c in columns if c.target is not None}
    missing = []
    for name, spec in schema_of(collection).items():
        if not spec.required or name == "id" or (name,) in row.values or any(p[0] == name for p in row.values):
            continue
        if collection == "contracts" and name == "amount" and any(p[0] == "items" for p in row.values):
            continue
        missing.append((name, given.get(name)))
    return missing


def same(old, new) -> bool:
    """Whether a sheet's value says nothing new: text equal once trimmed, numbers equal as
    numbers (12000 is 12000.00), lists element by element."""
    if isinstance(old, str) and isinstance(new, str):
        return old.strip() == new.strip()
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(same(a, b) for a, b in zip(old, new))
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    return old == new
