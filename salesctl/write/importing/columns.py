"""Which field each column of a sheet gives, from its heading.

A heading names a field by (first match wins):
1. `--map COLUMN=FIELD` (an empty FIELD ignores the column);
2. the field's name (`owner`), or its dotted path (`contacts.0.phone`, `next.date`);
3. a column name of salesctl's own tables and exports (`next_date`, `written_off_reason`; the
   child table `payments.csv` for payments);
4. a heading salesctl prints in either locale (`负责人`, `Owner`, `客户名称`);
5. for customers and contracts, whose contacts and items are lists of named entries, a heading
   of an entry's field (`电话`, `email`, `数量`, `unit_price`) gives the row's one entry (index 0),
   and the list's own heading (`联系人`, `服务项目`) that entry's name.
Headings compare after Unicode NFKC (full-width letters and brackets as ASCII), trimmed, without
the `*` that import templates put on required columns, and ignoring case. The columns salesctl
computes (derived fields, a child table's `idx`, the problems column of a file of rows set aside)
are recognised and skipped without a warning, so that an export imports back as it is.

Everything here is read from the record formats (`records.SCHEMAS`), the derived fields
(`query.DERIVED`), the table layout (`tables`) and the heading tables (`headings`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ...errors import ColumnError
from ...render.locale import LABELS
from ...model.problems import close_matches, problem
from ...query.query import DERIVED
from ...model.records import PAYMENT, SCHEMAS, Field
from ...query.tables import child_columns, record_columns

IMPORTED = ("customers", "visits", "contracts", "receivables", "payments")
# payments are rows added to existing receivables: the receivable they belong to, then the entry
PAYMENTS = {"receivable": Field("ref", required=True, ref="receivables"), **PAYMENT}
# report columns that name an importable field: a customer's name in visits and contracts
REPORT_COLUMNS = {"customer_name": {"customers": "name", "visits": "customer", "contracts": "customer"}}
PROBLEMS_COLUMN = "import_problems"  # the last column of the rows set aside (--rejects): what was wrong
MAX_ENTRY = 99  # contacts.99.phone: the highest list index a heading may name
HEADER_SEARCH = 10  # the heading row is looked for among the first rows (a title may come first)


@dataclass(frozen=True)
class Target:
    path: tuple  # ("owner",), ("contacts", 0, "phone"), ("next", "date")
    spec: Field  # the type of the value at `path`
    matched: str  # map | field | path | export | heading | entry


@dataclass(frozen=True)
class Column:
    number: int  # 1-based
    heading: str
    target: Target | None  # None: not imported
    computed: bool = False  # a column salesctl computes: skipped without a warning

    @property
    def field(self) -> str | None:
        return dotted(self.target.path) if self.target else None


def schema_of(collection: str) -> dict:
    return PAYMENTS if collection == "payments" else SCHEMAS[collection]


def dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path)


def normalized(heading) -> str:
    """A heading as headings compare: NFKC, trimmed, no required-column `*`, case folded."""
    text = unicodedata.normalize("NFKC", str(heading)).strip().strip("*").strip()
    return text.casefold()


# --- what a collection's headings may be ---------------------------------------------------

def resolve_path(collection: str, text: str) -> Target:
    """A field name or dotted path of `collection` as a target; ColumnError saying why not."""
    schema = schema_of(collection)
    parts = [p.strip() for p in str(text).split(".")]
    path, spec, current = [], None, schema
    index = 0
    while index < len(parts):
        part = parts[index]
        if current is None or part not in current:
            known = list(current or ())
            guess = close_matches(part, known)
            hint = f"; did you mean {guess[0]!r}?" if guess else (f"; fields: {', '.join(known)}" if known else "")
            where = f" in {dotted(path)}" if path else ""
            raise ColumnError(f"{text!r}: no field {part!r}{where}{hint}")
        spec = current[part]
        path.append(part)
        index += 1
        if spec.kind == "list" and spec.item.kind == "map":
            entry = 0
            if index < len(parts) and parts[index].isdigit():
                entry = int(parts[index])
                index += 1
            if entry > MAX_ENTRY:
                raise ColumnError(f"{text!r}: entry {entry} is beyond {MAX_ENTRY}")
            path.append(entry)
            current = spec.item.schema
            if index == len(parts):  # `contacts` alone: the entry's name
                if "name" not in current:
                    raise ColumnError(f"{text!r} is a list of entries; name one of their fields "
                                      f"({', '.join(f'{text}.0.{f}' for f in current)})")
                path.append("name")
                spec = current["name"]
        elif spec.kind == "map":
            current = spec.schema
            if index == len(parts):
                raise ColumnError(f"{text!r} is a group of fields; name one of them "
                                  f"({', '.join(f'{text}.{f}' for f in current)})")
        elif spec.kind == "scores" or (spec.kind == "list" and index < len(parts)):
            raise ColumnError(f"{text!r}: a sheet cannot give {dotted(path)} (a group of values)")
        else:
            current = None
    return Target(tuple(path), spec, "path" if len(path) > 1 else "field")


def named_entries(collection: str) -> dict:
    """The list fields of a collection whose entries are named things (contacts, items): a sheet
    gives one of them per row. {list field: entry schema}."""
    return {name: spec.item.schema for name, spec in schema_of(collection).items()
            if spec.kind == "list" and spec.item.kind == "map" and "name" in spec.item.schema}


@lru_cache(maxsize=None)
def catalogue(collection: str) -> tuple[dict, set]:
    """({normalized heading: Target} for every heading a sheet of `collection` may use, and the
    normalized headings of computed columns). Earlier kinds of match win over later ones; two
    fields sharing a heading of the same kind make it ambiguous, and it names neither."""
    schema = schema_of(collection)
    found: dict = {}

    def add(names: dict):
        taken, ambiguous = {}, set()
        for heading, target in names.items():
            key = normalized(heading)
            if key in found or not key:
                continue
            if key in taken and taken[key].path != target.path:
                ambiguous.add(key)
            taken[key] = target
        found.update({k: v for k, v in taken.items() if k not in ambiguous})

    add({name: Target((name,), spec, "field") for name, spec in schema.items()
                  if spec.kind not in ("map", "scores") and not (spec.kind == "list" and spec.item.kind == "map")})
    if collection == "payments":
        exported = {c.name: Target(c.path, c.field, "export") for c in child_columns("receivables", "payments")[2:]}
    else:
        exported = {c.name: Target(c.path, c.field, "export") for c in record_columns(collection)
                    if c.path[0] in schema and len(c.path) > 1}
    add(exported)
    for labels in LABELS.values():
        names = {labels[name]: Target((name,), spec, "heading") for name, spec in schema.items()
                 if name in labels and spec.kind not in ("map", "scores", "list")}
        names.update({labels[name]: Target((name,), spec, "heading") for name, spec in schema.items()
                      if name in labels and spec.kind == "list" and spec.item.kind != "map"})
        for report, fields in REPORT_COLUMNS.items():
            if collection in fields and report in labels:
                name = fields[collection]
                names[labels[report]] = Target((name,), schema[name], "heading")
                names.setdefault(report, Target((name,), schema[name], "heading"))
        add(names)
    for labels in [None, *LABELS.values()]:
        label = {}.get if labels is None else labels.get
        entries = {}
        for field, entry in named_entries(collection).items():
            entries[label(field) or field] = Target((field, 0, "name"), entry["name"], "entry")
            entries.update({label(sub) or sub: Target((field, 0, sub), spec, "entry") for sub, spec in entry.items()
                            if sub not in schema and sub != "name" and (labels is None or sub in labels)})
        add(entries)
    if collection == "payments":
        names = {"idx", PROBLEMS_COLUMN}
    else:
        derived = DERIVED[collection]
        names = set(derived) | {c.name for c in record_columns(collection) if c.path[0] in derived} | {PROBLEMS_COLUMN}
    computed = {normalized(name) for name in names}
    for labels in LABELS.values():
        computed |= {normalized(labels[name]) for name in names if name in labels}
    return found, computed - set(found)


# --- matching a heading row ----------------------------------------------------------------

def parse_mapping(collection: str, items) -> dict:
    """`--map COLUMN=FIELD` items as {normalized column: Target, or None to skip the column}."""
    mapping = {}
    for item in items:
        column, sep, field = str(item).rpartition("=")
        if not sep or not column.strip():
            raise ColumnError(f"--map {item!r}: expected COLUMN=FIELD (e.g. --map 客户级别=tier)")
        key = normalized(column)
        if key in mapping:
            raise ColumnError(f"--map: column {column.strip()!r} is mapped twice")
        if field.strip():
            try:
                target = resolve_path(collection, field.strip())
            except ColumnError as exc:
                raise ColumnError(f"--map {item!r}: {exc}") from None
            mapping[key] = Target(target.path, target.spec, "map")
        else:
            mapping[key] = None
    return mapping


def header_row(rows, collection: str, mapping: dict) -> int | None:
    """The index in `rows` of the heading row: the first of the first rows with a heading that
    names a field (a title or a note may come before it), else the first row that is not blank."""
    known, computed = catalogue(collection)
    first = None
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        cells = [normalized(c) for c in row.cells if c is not None and str(c).strip()]
        if not cells:
            continue
        if first is None:
            first = index
        if any(c in mapping or c in known or c in computed or _is_path(collection, c) for c in cells):
            return index
    if first is None:
        first = next((i for i, row in enumerate(rows) if any(c is not None and str(c).strip() for c in row.cells)), None)
    return first


def _is_path(collection: str, text: str) -> bool:
    if "." not in text:
        return False
    try:
        resolve_path(collection, text)
    except ColumnError:
        return False
    return True


def match_columns(collection: str, cells, mapping: dict, *, sheet: str, row: int, filled=()) -> tuple[list, list]:
    """(columns, problems) for a heading row. `filled` holds the numbers of the columns that have
    a value below the heading: an unnamed column holding values is worth a warning."""
    known, computed = catalogue(collection)
    columns, problems, used = [], [], {}
    for number, cell in enumerate(cells, 1):
        heading = "" if cell is None else str(cell).strip()
        key = normalized(heading)
        target, skipped = None, False
        if key and key in mapping:
            target, skipped = mapping[key], mapping[key] is None
        elif key in known:
            target = known[key]
        elif "." in key:
            try:
                target = resolve_path(collection, key)
            except ColumnError as exc:
                problems.append(problem("unknown-field", sheet, (row, number), f"column {heading!r}: {exc}; ignored"))
                skipped = True
        column = Column(number, heading, target, computed=key in computed)
        columns.append(column)
        if target is None:
            if not skipped and not column.computed:
                if heading:
                    problems.append(problem("unknown-field", sheet, (row, number), _unmapped(collection, heading, known)))
                elif number in filled:
                    problems.append(problem("unknown-field", sheet, (row, number),
                                            f"column {number} has no heading; its values are ignored"))
            continue
        other = used.setdefault(target.path, column)
        if other is not column:
            problems.append(problem("duplicate-key", sheet, (row, number),
                                    f"columns {other.number} ({other.heading!r}) and {number} ({heading!r}) both "
                                    f"give {dotted(target.path)}"))
    unused = [key for key in mapping if not any(normalized(c.heading) == key for c in columns)]
    if unused:
        names = ", ".join(repr(c.heading) for c in columns if c.heading)
        raise ColumnError(f"--map: no column {', '.join(repr(k) for k in unused)} in {sheet} (columns: {names})")
    return columns, problems


def _unmapped(collection: str, heading: str, known: dict) -> str:
    guess = close_matches(normalized(heading), [k for k in known if known[k].matched != "entry"])
    hint = f" (did you mean {guess[0]!r}?)" if guess else ""
    return (f"column {heading!r} matches no field of {collection}{hint}; ignored (give it one with "
            f"--map '{heading}=FIELD')")
