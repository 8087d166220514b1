"""Planning an import: each row of a sheet adds a record, updates one, or changes nothing.

The steps: find the heading row and what each column gives (`columns`); convert every cell
(`values`, `rows`); find each row's record by its key; make the new records' files and the edits
of existing files (`files`); check the whole result once, as every writer does (`plan.check`);
tie every problem back to the row and column it comes from. Nothing here touches the disk: the
CLI writes the plan with `storage.apply`, all of it or none.

Without `set_aside`, one row with an error stops the import. With it (`--rejects`), the rows with
errors are left out and the others planned and checked again, until what is left checks clean.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

from ...load.parse import parse_bytes
from ...load.pipeline import collector_paused
from ...model.problems import problem, sort_key
from ...model.records import PAYMENT, items_total
from ...query.query import record_row
from ...errors import Refused
from ..plan import Plan, check
from ..style import EditError
from ..writers import DATED
from .columns import ColumnError, dotted, header_row, match_columns, named_entries, parse_mapping, schema_of
from .files import Files, IdMaker
from .rows import Row, missing_required, nested_order, new_record, read_rows, same
from .values import Lookup, is_empty, written_amount

DEFAULT_KEYS = {
    "customers": ("name",), "visits": ("customer", "rep", "date", "channel"),
    "contracts": ("customer", "title", "created"), "receivables": ("contract", "due"),
    "payments": ("receivable", "date", "amount"),
}
MAX_PASSES = 10  # set_aside: plan and check again at most this many times


@dataclass
class Outcome:
    """What one row does."""

    row: int
    action: str  # add | update | unchanged | rejected
    id: str | None = None  # the record (payments: the receivable)
    entry: int | None = None  # payments: the payment's index in the receivable's list
    changes: dict = field(default_factory=dict)  # dotted field -> (before, after)


@dataclass
class Result:
    collection: str
    sheet: object  # sheets.Sheet
    header: int | None  # the heading's row number
    columns: list
    key: tuple
    outcomes: list
    problems: list
    plan: Plan | None = None  # None: nothing may be written
    rejected: list = field(default_factory=list)  # the rows with errors (sheets.Row), in order

    @property
    def blocked(self) -> bool:
        return self.plan is None

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)


def key_fields(collection: str, key: str | None, columns) -> tuple:
    """The fields that find a row's record: --key, else the id when the sheet has an id column,
    else the collection's default key. Payments are always looked for in their receivable."""
    given = {c.target.path for c in columns if c.target is not None}
    if not key:
        return ("id",) if ("id",) in given and collection != "payments" else DEFAULT_KEYS[collection]
    schema = schema_of(collection)
    names = tuple(dict.fromkeys(part.strip() for part in key.split(",") if part.strip()))
    if not names:
        raise ColumnError("--key: name a field (e.g. --key name)")
    for name in names:
        if name not in schema or schema[name].kind in ("list", "map", "scores"):
            fields = ", ".join(n for n, s in schema.items() if s.kind not in ("list", "map", "scores"))
            raise ColumnError(f"--key {key}: {name!r} is not a field of {collection} (fields: {fields})")
        if (name,) not in given:
            raise ColumnError(f"--key {key}: the sheet has no column for {name}")
    if collection == "payments" and "receivable" not in names:
        names = ("receivable",) + names
    return names


def plan_import(ws, collection: str, sheet, *, key: str | None = None, mapping=(), as_of: date,
                set_aside: bool = False, progress=None) -> Result:
    """The plan of importing `sheet` into `collection`, checked against the whole workspace.

    ColumnError for a bad --map or --key (a usage error); every problem of the sheet, its rows and
    the result comes back in `Result.problems`, each at the row and column it comes from.
    `progress(stage, done, total)` is called now and then on long sheets. Planned with the cyclic
    collector paused, as every writer's plan (`run._built`): thousands of rows build as many small
    containers as a load, and no reference cycles (its re-scans took a quarter of the plan's time).
    """
    if sheet.problems:
        return Result(collection, sheet, None, [], (), [], list(sheet.problems))
    with collector_paused():
        targets = parse_mapping(collection, mapping)
        head = header_row(sheet.rows, collection, targets)
        if head is None:
            raise ColumnError(f"{sheet.name} is empty: it has no heading row")
        header = sheet.rows[head]
        data = [row for row in sheet.rows[head + 1:] if any(not is_empty(c) for c in row.cells)]
        width = max([len(header.cells), *(len(row.cells) for row in data)])
        filled = {i + 1 for row in data for i, cell in enumerate(row.cells) if not is_empty(cell)}
        columns, problems = match_columns(collection, tuple(header.cells) + (None,) * (width - len(header.cells)),
                                          targets, sheet=sheet.name, row=header.number, filled=filled)
        keys = key_fields(collection, key, columns)
        rows = read_rows(data, columns, Lookup(ws), ws.config, sheet=sheet.name, progress=progress)
        planner = _Planner(ws, collection, sheet, header.number, columns, keys, as_of, progress)
        outcomes, plan, more = planner.run(rows, set_aside, blocked=any(p.is_error for p in problems))
        problems = problems + more + [p for row in rows for p in row.problems]
        problems.sort(key=lambda p: (0, p.line, p.column, p.code) if p.path == sheet.name else (1, *sort_key(p)))
        rejected = [source for source, row in zip(data, rows) if row.failed]
        return Result(collection, sheet, header.number, columns, keys, outcomes, problems, plan, rejected)


class _Planner:
    def __init__(self, ws, collection, sheet, header, columns, keys, as_of, progress):
        self.ws, self.collection, self.sheet, self.header = ws, collection, sheet, header
        self.columns, self.keys, self.as_of, self.progress = columns, keys, as_of, progress
        self.schema = schema_of(collection)
        self.entries = named_entries(collection)
        self.refs = [c.target.path for c in columns if c.target is not None and c.target.spec.kind == "ref"]
        self.noun = "payment" if collection == "payments" else collection[:-1]
        self._shown: dict = {}

    def run(self, rows: list[Row], set_aside: bool, blocked: bool):
        """(outcomes, the checked plan or None, problems tied to no row)."""
        self._match(rows)
        problems, lacking = self._missing(rows)
        blocked = blocked or bool(problems)
        passes = 0
        while True:
            active = [row for row in rows if not row.failed and row.number not in lacking]
            plan, unplaced = self._build_and_check(active)
            passes += 1
            blocked = blocked or any(p.is_error for p in unplaced)
            if blocked or not set_aside or passes == MAX_PASSES or not any(row.failed for row in active):
                break
        if blocked or any(row.failed for row in (active if set_aside else rows)):
            plan = None
        outcomes = [row.outcome if not row.failed and row.outcome is not None else
                    Outcome(row.number, "rejected", row.match.id if row.match is not None else None)
                    for row in rows]  # no outcome: a row that lacks a column the sheet does not have
        return outcomes, plan, problems + unplaced

    def _adds(self, row: Row) -> bool:
        return row.match is None or (self.collection == "payments" and row.entry is None)

    def _missing(self, rows) -> tuple[list, set]:
        """Required fields that new records lack: at the cell when the column is there, else once
        for the sheet (no column gives it). (those problems of the sheet, the rows they concern)"""
        lacking: dict = {}
        for row in rows:
            if row.failed or not self._adds(row):
                continue
            for name, column in missing_required(self.collection, row, self.columns):
                if column is None:
                    lacking.setdefault(name, []).append(row.number)
                else:
                    row.problems.append(problem("missing-field", self.sheet.name, (row.number, column),
                                                f"{name} is empty; a new {self.noun} needs it"))
        problems = [problem("missing-field", self.sheet.name, (self.header, 1),
                            f"no column gives {name!r}, which a new {self.noun} needs ({_rows(numbers)} would add "
                            f"one); name a column with --map COLUMN={name}")
                    for name, numbers in lacking.items()]
        return problems, {number for numbers in lacking.values() for number in numbers}

    def _match(self, rows: list[Row]):
        """Each row's record (payments: receivable and payment) found by its key; a key found
        twice in the sheet or in several records is an error of the row."""
        keys, payments, name = self.keys, self.collection == "payments", self.sheet.name
        index: dict = {}
        if not payments:
            for record in self.ws.records[self.collection]:
                value = tuple(record.data.get(f) for f in keys)
                if None not in value:
                    index.setdefault(value, []).append(record)
        seen, ids, used = {}, {}, set()
        for row in rows:
            if row.failed:
                continue
            row.key = tuple(row.values.get((f,)) for f in keys)
            where = (row.number, row.where.get((keys[0],), 1))
            if payments:
                row.match = self.ws.get("receivables", row.key[0]) if row.key[0] is not None else None
                if row.match is not None and None not in row.key:
                    for i, entry in enumerate(row.match.get("payments", ())):
                        if (row.match.id, i) not in used and all(same(entry.get(f), v) for f, v in zip(keys[1:], row.key[1:])):
                            row.entry = i
                            used.add((row.match.id, i))
                            break
                continue
            if None in row.key:
                continue  # a new record; what it lacks is reported as missing
            if row.key in seen:
                row.problems.append(problem("duplicate-id", name, where, f"row {seen[row.key]} has the same "
                                            f"{', '.join(keys)}; a sheet gives each {self.noun} once"))
                continue
            seen[row.key] = row.number
            found = index.get(row.key, [])
            given_id = row.values.get(("id",))
            if len(found) > 1:
                row.problems.append(problem("bad-value", name, where, f"{', '.join(keys)} {_shown_key(row.key)} "
                                            f"finds {len(found)} {self.collection} ({', '.join(str(r.id) for r in found)}); "
                                            f"give an id column or another --key"))
            elif found:
                row.match = found[0]
                if given_id is not None and given_id != found[0].id:
                    row.problems.append(problem("bad-value", name, (row.number, row.where[("id",)]),
                                                f"id {given_id} differs from {found[0].id}, the {self.noun} with "
                                                f"{', '.join(keys)} {_shown_key(row.key)}"))
            elif given_id is not None:
                first = ids.setdefault(given_id, row.number)
                if first != row.number or self.ws.get(self.collection, given_id) is not None:
                    other = f"row {first}" if first != row.number else "in the workspace"
                    row.problems.append(problem("duplicate-id", name, (row.number, row.where[("id",)]),
                                                f"id {given_id} is already another {self.noun}'s ({other})"))

    # --- the plan --------------------------------------------------------------------------

    def _build_and_check(self, active: list[Row]):
        """Plan the active rows and check the plan: (plan, problems tied to no row)."""
        files = Files(self.ws, self.collection)
        parsed, adds = {}, []
        for row in active:
            if self.collection == "payments":
                self._payment(row, files)
            elif row.match is None:
                adds.append(row)
            else:
                self._update(row, files)
        if adds:
            parsed = self._create(adds, files)
        done = [row for row in active if not row.failed]
        counts = ", ".join(f"{sum(1 for r in done if r.outcome.action == a)} {a}" for a in ("add", "update"))
        plan = Plan(files.changes(), [f"import {self.sheet.name} into {self.collection}: {counts}"],
                            ids=[row.outcome.id for row in adds if not row.failed])
        if len(done) < len(active):
            return plan, []
        try:
            check(self.ws, plan, parsed=parsed)
            found = plan.warnings
        except Refused as exc:
            if not exc.problems:
                raise
            found = exc.problems
        return plan, _Placer(self, files, parsed, active).place(found)

    def _create(self, adds: list[Row], files: Files) -> dict:
        """One file per new record, `<collection>/<id>.yaml`; ids in row order."""
        parsed = {}
        ids = IdMaker(self.ws, self.collection, {row.values[("id",)] for row in adds if ("id",) in row.values})
        dated = DATED.get(self.collection)
        for count, row in enumerate(adds, 1):
            record = new_record(self.collection, row)
            if "id" not in record:
                day = record.get(dated) if dated else None
                record = nested_order(self.collection, {**record, "id": ids.make(record, day or self.as_of)})
            rel = f"{self.collection}/{record['id']}.yaml"
            row.outcome = Outcome(row.number, "add", record["id"])
            if os.path.lexists(os.path.join(self.ws.root, rel)):
                row.problems.append(self._at(row, ("id",), "duplicate-id", f"{rel} already exists"))
                continue
            try:
                parsed[rel] = files.create(rel, record, row)
            except EditError as exc:
                row.problems.append(self._at(row, (), "bad-value", str(exc)))
            if self.progress is not None and count % 1000 == 0:
                self.progress("files", count, len(adds))
        return parsed

    def _update(self, row: Row, files: Files):
        record, data = row.match, row.match.data
        edits = []  # (path, before, after, shown as); a path (list, None) appends an entry
        for name, spec in self.schema.items():
            given = {p: v for p, v in row.values.items() if p[0] == name}
            if not given:
                continue
            if name in self.entries:
                edits += self._entry_edits(data, name, given)
            elif spec.kind == "map":
                old = data.get(name) or {}
                subs = [((name, p[1]), old.get(p[1]), v, dotted(p)) for p, v in given.items() if not same(old.get(p[1]), v)]
                if subs and name not in data:
                    edits.append(((name,), None, {p[1]: v for p, v in given.items()}, name))
                else:
                    edits += subs
            elif not same(data.get(name), given[(name,)]) and not same(self._shown_value(record, name), given[(name,)]):
                edits.append(((name,), data.get(name), given[(name,)], name))
        if self.collection == "contracts" and ("amount",) not in row.values and any(e[0][0] == "items" for e in edits):
            edits += self._amount_edit(data, edits)
        self._edit(row, files, record, "update" if edits else "unchanged", None, edits)

    def _entry_edits(self, data: dict, name: str, given: dict) -> list:
        """Edits of a named list (contacts, items) from a row's entries: an entry is found by its
        name (without a name, by its position) and its fields set; one not found is added (a
        customer's first contact as primary)."""
        existing = list(data.get(name) or [])
        grouped: dict = {}
        for path, value in given.items():
            grouped.setdefault(path[1], {})[path[2]] = value
        edits = []
        for position, values in sorted(grouped.items()):
            if "name" in values:
                at = next((i for i, e in enumerate(existing) if same(e.get("name"), values["name"])), None)
            else:
                at = position if position < len(existing) else None
            if at is None:
                entry = {sub: values[sub] for sub in self.entries[name] if sub in values}
                if name == "contacts" and "primary" not in entry and not any(e.get("primary") for e in existing):
                    entry["primary"] = True
                edits.append(((name, None), None, entry, f"{name}.{len(existing)}"))
                existing.append(entry)
                continue
            edits += [((name, at, sub), existing[at].get(sub), value, f"{name}.{at}.{sub}")
                      for sub, value in values.items() if not same(existing[at].get(sub), value)]
        return edits

    def _amount_edit(self, data: dict, edits) -> list:
        """A contract whose items change gets the amount they sum to (unless the sheet gives one)."""
        items = [dict(i) for i in data.get("items") or []]
        for path, _, value, _ in edits:
            if path[0] == "items":
                if path[1] is None:
                    items.append(value)
                else:
                    items[path[1]][path[2]] = value
        if not all("quantity" in i and "unit_price" in i for i in items):
            return []
        total = written_amount(items_total(items))
        return [] if same(data.get("amount"), total) else [(("amount",), data.get("amount"), total, "amount")]

    def _payment(self, row: Row, files: Files):
        receivable = row.match
        entry = {name: row.values[(name,)] for name in PAYMENT if (name,) in row.values}
        if row.entry is None:
            at = len(receivable.get("payments", ())) + sum(1 for r in files.rows.get(receivable.path, ())
                                                           if r.match is receivable and r.entry is None)
            self._edit(row, files, receivable, "add", at, [(("payments", None), None, entry, f"payments.{at}")])
            return
        old = receivable["payments"][row.entry]
        edits = [(("payments", row.entry, name), old.get(name), value, f"payments.{row.entry}.{name}")
                 for name, value in entry.items() if not same(old.get(name), value)]
        self._edit(row, files, receivable, "update" if edits else "unchanged", row.entry, edits)

    def _edit(self, row: Row, files: Files, record, action: str, entry, edits: list):
        row.outcome = Outcome(row.number, action, record.id, entry, {shown: (old, new) for _, old, new, shown in edits})
        if not edits:
            return
        try:
            files.edit(record, row, [(path, new) for path, _, new, _ in edits])
        except (EditError, Refused) as exc:
            row.problems.append(self._at(row, (), "yaml-syntax", f"{record.id} ({record.path}) cannot be changed: {exc}"))

    def _shown_value(self, record, name: str):
        """The value a field shows in salesctl's tables and exports: the currency a contract falls
        back to, the follow-up days that apply to a customer."""
        row = self._shown.get(id(record))
        if row is None:
            row = self._shown[id(record)] = record_row(self.ws, record, self.as_of)
        return row.get(name)

    def _at(self, row: Row, path: tuple, code: str, message: str, severity=None):
        return problem(code, self.sheet.name, (row.number, row.column_of(path)), message, severity=severity)


class _Placer:
    """Ties the problems of a check to the rows they come from: a problem in a file the plan
    writes belongs to the rows that write that record, one in another record to the rows that
    refer to it (the receivables that over-schedule a contract). The column is that of the field
    the problem is about, or of the reference."""

    def __init__(self, planner: _Planner, files: Files, parsed: dict, active: list):
        self.planner, self.files, self.parsed, self.active = planner, files, parsed, active
        self._positions: dict = {}
        self._records = None
        self._referring = None

    def place(self, found) -> list:
        """Add each problem to its rows; return those that belong to none."""
        unplaced = []
        for p in found:
            record_id, pairs = self._written(p) if p.path in self.files.rows else self._referred(p)
            if not pairs:
                unplaced.append(p)
            for row, path in pairs:
                entry = row.outcome.entry if row.outcome is not None else None
                if entry is not None and path[:2] == ("payments", entry):
                    path = path[2:]  # a payment's row gives the entry's fields
                row.problems.append(self.planner._at(row, path, p.code, f"{record_id}: {p.message}", p.severity))
        return unplaced

    def _written(self, p):
        ids = self.files.ids_in(p.path)
        record_id = ids[p.record[1]] if p.record is not None and p.record[1] < len(ids) else None
        rows = [r for r in self.files.rows[p.path] if record_id is None or r.outcome.id == record_id]
        if p.path not in self._positions:
            parsed = self.parsed.get(p.path) or parse_bytes(self.files.after(p.path))
            # the deepest key at a position: a list entry starts where its first key does
            self._positions[p.path] = {tuple(pos): path for raw in parsed.records for path, pos in raw.positions.items()}
        at = self._positions[p.path].get((p.line, p.column), ())
        return record_id or (rows[0].outcome.id if rows else None), [(row, at) for row in rows]

    def _referred(self, p):
        if p.record is None:
            return None, []
        if self._records is None:
            self._records = {r.key: r for r in self.planner.ws}
            self._referring = {}
            for row in self.active:
                for path in self.planner.refs:
                    if path in row.values:
                        self._referring.setdefault(row.values[path], []).append((row, path))
        record = self._records.get(p.record)
        if record is None:
            return None, []
        return record.id, self._referring.get(record.id, [])


def _rows(numbers: list) -> str:
    shown = ", ".join(str(n) for n in numbers[:3]) + (", …" if len(numbers) > 3 else "")
    return f"row {shown}" if len(numbers) == 1 else f"rows {shown}"


def _shown_key(values: tuple) -> str:
    return "/".join(str(v) for v in values)
