"""Asking questions of one collection: `-w FIELD OP VALUE` conditions, sorting and field selection.

A query is compiled first (`compile_query`): every field, operator and value is checked against
the record format (`records.SCHEMAS`) and the derived fields (`derive.DERIVED`, docs/derived.md), so a
typo is a usage error before any record is read. It then runs over a workspace as of a date.
Rows are the record's fields plus its derived fields (`record_row`), one place for query, show,
sql and export alike.
"""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from .. import derive
from ..derive import DERIVED
from ..errors import QueryError
from ..model.fields import GIVEN_DATE, MAX_DAYS, date_from_text
from ..model.problems import close_matches
from ..model.records import COLLECTIONS, SCHEMAS, SINGULAR, Field, choices, collection_of
from ..model.terms import terms_digest
from . import refs

OPERATORS = ("=", "!=", ">", ">=", "<", "<=", "~")
_TODAY = re.compile(r"^today(?:(?P<sign>[+-])(?P<days>[0-9]{1,5}))?$", re.I)
TEXT_KINDS = ("id", "ref", "text", "email", "phone", "period", "enum")
NUMBER_KINDS = ("amount", "number", "int")
_COMPARE = {"=": operator.eq, ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_CONDITION = re.compile(r"^\s*(?P<field>[^\s=!<>~]*)\s*(?P<op>!=|>=|<=|=|>|<|~)\s*(?P<value>.*?)\s*$", re.S)

# `~` patterns run on RE2, which has no backtracking: a search takes time linear in the text, so no
# pattern can make a query hang. RE2 bounds a counted repetition at 1000 (nested counts multiplied)
# but reads a count of ten digits or more as literal text: every count above the bound is caught
# first, so that all of them give the same error. A brace after an odd number of backslashes is text.
MAX_REPEAT = 1000
_COUNTED = re.compile(r"(?<!\\)(?:\\\\)*(\{(\d+)(?:,(\d*))?\})")
_PATTERN_HINTS = {
    "invalid repetition size": f"a repetition goes up to {MAX_REPEAT}, nested ones multiplied",
    "invalid perl operator": "look-around is not supported",
    "invalid escape sequence": "back-references and \\Z are not supported; \\z is the end of the text",
}


@functools.cache
def _pattern_options():
    """RE2's options for `-w FIELD~PATTERN`, made on the first pattern (importing RE2 costs a
    command without one a few milliseconds)."""
    import re2

    options = re2.Options()
    options.case_sensitive = False
    options.never_capture = True  # only whether it matches: groups would cost memory, unused
    options.log_errors = False  # a bad pattern is a QueryError, not a line on stderr
    return options


# --- the fields of a collection ------------------------------------------------------------

def resolve_collection(text: str) -> str:
    """`customer` or `customers` -> `customers`; QueryError naming the collections otherwise."""
    collection = collection_of(text)
    if collection is None:
        guess = close_matches(text.lower(), (*COLLECTIONS, *SINGULAR.values()))
        hint = f"; did you mean {collection_of(guess[0])!r}?" if guess else ""
        raise QueryError(f"no collection {text!r}{hint} (collections: {', '.join(COLLECTIONS)})")
    return collection


def field_catalogue(collection: str, config) -> dict[str, Field]:
    """Every field a query may name in `collection`: stored, derived and dotted sub-fields.

    A derived field of the same name as a stored one (a customer's follow_up_days) replaces it:
    queries see the value that applies.
    """
    fields: dict[str, Field] = {}

    def add(prefix: str, schema: dict):
        for name, spec in schema.items():
            path = prefix + name
            fields[path] = spec
            inner = leaf(spec)
            if inner.kind == "map":
                add(path + ".", inner.schema)
            elif inner.kind == "scores":
                for indicator in config.subjective_indicators():
                    fields[f"{path}.{indicator}"] = Field("number", maximum=100)

    add("", {**SCHEMAS[collection], **DERIVED[collection]})
    for name, target in references(collection).items():
        add(name + ".", SCHEMAS[target])
    return fields


def references(collection: str) -> dict[str, str]:
    """{'customer': 'customers'} for visits and contracts; receivables also name a contract (`refs`)."""
    return refs.references({**SCHEMAS[collection], **DERIVED[collection]})


def field_path(collection: str, name: str) -> tuple:
    return refs.field_path(name, references(collection))


def reads(collection: str, through=None) -> frozenset:
    """The collections a query of `collection` reads: its own, those of its derived fields
    (`derive.DERIVED_READS`) and those its references name; with `through` (reference names),
    only those references' (see `Query.referred`)."""
    named = references(collection)
    targets = named.values() if through is None else [named[name] for name in through if name in named]
    return frozenset((collection, *derive.DERIVED_READS[collection], *targets))


def text_reads(collection: str, where=(), sort=(), fields=()) -> frozenset:
    """`reads` of a query given as texts, before it is compiled (which takes the workspace's config):
    a query of receivables by status does not load the customers. A text `compile_query` refuses
    names nothing here: the query fails before it reads a record."""
    names = [match.group("field") for text in where if (match := _CONDITION.match(text))]
    names += [text[1:] if text.startswith("-") else text for text in sort]
    names += [name for text in fields for name in text.split(",")]
    return reads(collection, {name.strip().partition(".")[0] for name in names if "." in name})


def top_fields(collection: str) -> list[str]:
    """The top-level fields of a collection in output order: stored fields, then derived ones."""
    return list({**SCHEMAS[collection], **DERIVED[collection]})


def leaf(spec: Field) -> Field:
    """The type a comparison sees: a list compares its elements."""
    return spec.item if spec.kind == "list" else spec


def is_composite(spec: Field) -> bool:
    """A group of fields (a mapping, or a list of mappings): compared only with null."""
    return leaf(spec).kind in ("map", "scores")


def resolve_field(collection: str, name: str, config, *, context: str) -> tuple[str, Field]:
    """The field `name` names, or a QueryError saying which fields exist (and the likely one)."""
    catalogue = field_catalogue(collection, config)
    if name in catalogue:
        return name, catalogue[name]
    guess = close_matches(name, catalogue)
    if guess:
        hint = f"; did you mean {guess[0]!r}?"
    else:
        hint = f"; fields: {', '.join(top_fields(collection))}"
    shown = f"{name!r}" if name else "(nothing)"
    raise QueryError(f"{context}: {collection} have no field {shown}{hint}")


def _sub_fields(name: str, collection: str, config) -> str:
    return ", ".join(f for f in field_catalogue(collection, config) if f.startswith(name + "."))


# --- conditions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    """`FIELD OP VALUE`, typed; `value` is None for null, a compiled pattern for `~`."""

    text: str
    path: tuple
    op: str
    value: object
    # `status = overdue`: one top-level field, compared for (in)equality with a value
    single: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        single = len(self.path) == 1 and type(self.path[0]) is str and self.op in ("=", "!=") and self.value is not None
        object.__setattr__(self, "single", single)

    def holds(self, row: dict) -> bool:
        if self.single:  # what `leaves` gives such a field unless it is a list: one value, or None
            value = row.get(self.path[0])
            if type(value) is not list:
                hit = value is not None and value == self.value
                return hit if self.op == "=" else not hit
        values = leaves(row, self.path)
        if self.op in ("=", "!="):
            if self.value is None:
                hit = not values or any(v is None for v in values)
            else:
                hit = any(v == self.value for v in values if v is not None)
            return hit if self.op == "=" else not hit
        present = [v for v in values if v is not None]
        if self.op == "~":
            return any(self.value.search(text) for v in present for text in searched_texts(v))
        compare = _COMPARE[self.op]
        return any(compare(v, self.value) for v in present)


def parse_condition(collection: str, text: str, config, today: date | None = None) -> Condition:
    context = f"-w {text!r}"
    match = _CONDITION.match(text)
    if not match:
        raise QueryError(f"{context}: expected FIELD OP VALUE, e.g. 'balance > 0' (OP: {' '.join(OPERATORS)})")
    name, op, raw = match.group("field"), match.group("op"), match.group("value")
    name, spec = resolve_field(collection, name, config, context=context)
    if op == "=" and raw.startswith("="):
        raise QueryError(f"{context}: the operator is = (one sign), not ==")
    if raw == "":
        raise QueryError(f"{context}: missing value after {op} (write null for an absent field)")
    is_null = raw.lower() == "null"
    raw = _unquote(raw)
    if is_null:
        if op not in ("=", "!="):
            raise QueryError(f"{context}: null only goes with = and != ({name} = null: the field is absent)")
        return Condition(text, field_path(collection, name), op, None)
    if is_composite(spec):
        raise QueryError(f"{context}: {name} is a group of fields; compare one of them "
                         f"({_sub_fields(name, collection, config)}) or test it with = null / != null")
    if op == "~":
        return Condition(text, field_path(collection, name), op, compile_pattern(raw, context=context))
    value = typed_value(leaf(spec), raw, config, context=f"{context}: {name}", today=today)
    return Condition(text, field_path(collection, name), op, value)


def compile_pattern(raw: str, *, context: str):
    """`raw` as a case-insensitive RE2 pattern (see `_pattern_options`); QueryError saying why not."""
    import re2

    counts = [m for m in _COUNTED.finditer(raw) if any(n and int(n) > MAX_REPEAT for n in m.groups()[1:])]
    if counts:
        reason = f"invalid repetition size: {counts[0].group(1)}"
    else:
        try:
            return re2.compile(raw, _pattern_options())
        except re2.error as exc:
            reason = exc.args[0].decode("utf-8", "replace") if isinstance(exc.args[0], bytes) else str(exc)
        except UnicodeEncodeError:  # RE2 reads UTF-8; an argument of other bytes arrives as lone surrogates
            reason = "it holds bytes that are not UTF-8"
    hint = next((h for start, h in _PATTERN_HINTS.items() if reason.startswith(start)), None)
    raise QueryError(f"{context}: {raw!r} is not a regular expression: {reason}" + (f" ({hint})" if hint else ""))


def typed_value(spec: Field, raw: str, config, *, context: str, today: date | None = None):
    """`raw` as the field's type: a date (also `today`, `today+N`, `today-N` days from `today`), a
    Decimal, a bool or text (checked against an enum)."""
    kind = spec.kind
    if kind == "date":
        relative = _TODAY.match(raw)
        if relative and today is None:
            raise QueryError(f"{context}: {raw!r} needs the as-of date to count from")
        if relative:
            days = int(relative["days"] or 0) * (-1 if relative["sign"] == "-" else 1)
            if abs(days) > MAX_DAYS:
                raise QueryError(f"{context}: {raw!r} is too far (at most {MAX_DAYS} days)")
            return today + timedelta(days=days)
        day, code, message = date_from_text(raw)
        if code is None:
            return day
        if GIVEN_DATE.fullmatch(raw.strip()):  # the shape of a date, but no such day
            raise QueryError(f"{context} is a date; {message}")
        raise QueryError(f"{context} is a date; {raw!r} is not a date (YYYY-MM-DD, YYYYMMDD, today, today+N or today-N)")
    if kind in NUMBER_KINDS:
        try:
            number = Decimal(raw)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise QueryError(f"{context} is a number; {raw!r} is not a number")
        return number
    if kind == "bool":
        if raw.lower() not in ("true", "false"):
            raise QueryError(f"{context} is true or false; {raw!r} is neither")
        return raw.lower() == "true"
    allowed = choices(spec, config) if kind == "enum" else None
    if allowed and raw not in allowed:
        guess = close_matches(raw, allowed)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        raise QueryError(f"{context} is one of {', '.join(allowed)}; {raw!r} is not{hint}")
    return raw


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return raw


def searched_texts(value) -> tuple[str, ...]:
    """What `~` searches: the value's text, and the text without the newline that ends a YAML block
    (`notes: |`), so that `$` matches before it as well, as it does in Python's `re`."""
    text = text_of(value)
    return (text, text[:-1]) if text.endswith("\n") else (text,)


def text_of(value) -> str:
    """A value as `~` sees it: dates as ISO text, booleans as true/false, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


# --- reading values out of a row -----------------------------------------------------------

def leaves(value, path: tuple) -> list:
    """Every value at `path`, looking into each element of a list: the values a condition tests.

    An absent field gives [None]; an empty list gives [].
    """
    if isinstance(value, list):
        return [v for item in value for v in leaves(item, path)]
    if not path:
        return [value]
    if isinstance(value, dict):
        return leaves(value.get(path[0]), path[1:])
    return [None]


def pick(value, path: tuple):
    """The value at `path` keeping its shape: a field inside a list of entries gives a list."""
    if not path:
        return value
    if isinstance(value, list):
        return [pick(item, path) for item in value]
    if isinstance(value, dict):
        return pick(value.get(path[0]), path[1:])
    return None


def record_row(ws, record, as_of: date) -> dict:
    """A record's fields (in format order, defaults applied) plus its derived fields as of `as_of`."""
    data = dict(record.data)
    if record.collection == "contracts":
        data.setdefault("currency", ws.config.currency)
    row = {name: data[name] for name in SCHEMAS[record.collection] if name in data}
    row.update(derive.derived_fields(ws, record, as_of))
    return {name: row[name] for name in top_fields(record.collection) if name in row}


def probe_row(ws, record, as_of: date, tested) -> dict:
    """What conditions test of a record: the values of `record_row`, but of the derived fields only
    those `tested` names, in no particular order. Conditions on derived fields alone (`status =
    overdue`) test those values without a copy of every stored one."""
    derived = derive.derived_fields(ws, record, as_of, tested)
    if len(derived) == len(tested):
        return derived
    row = {**record.data, **derived}
    if record.collection == "contracts" and "currency" not in record.data and "currency" in tested:
        row["currency"] = ws.config.currency
    return row


# --- sorting and the compiled query --------------------------------------------------------

@dataclass(frozen=True)
class SortKey:
    path: tuple
    descending: bool

    def key(self, row: dict):
        """Absent values sort last in either direction; a list sorts by its first value."""
        value = next((v for v in leaves(row, self.path) if v is not None), None)
        if self.descending:
            return (True, value) if value is not None else (False,)
        return (False, value) if value is not None else (True,)


def parse_sort(collection: str, text: str, config) -> SortKey:
    descending = text.startswith("-")
    name = text[1:] if descending else text
    name, spec = resolve_field(collection, name.strip(), config, context=f"-s {text!r}")
    if is_composite(spec):
        raise QueryError(f"-s {text!r}: {name} is a group of fields; sort by one of them "
                         f"({_sub_fields(name, collection, config)})")
    return SortKey(field_path(collection, name), descending)


def parse_fields(collection: str, texts, config) -> list[str]:
    """`-f id,name -f owner` -> ['id', 'name', 'owner'] (each checked, duplicates dropped)."""
    names: list[str] = []
    for text in texts:
        for name in text.split(","):
            name = name.strip()
            if not name:
                continue
            name, _ = resolve_field(collection, name, config, context=f"-f {text!r}")
            if name not in names:
                names.append(name)
    if not names:
        raise QueryError("-f: no field named (e.g. -f id,name,owner)")
    return names


@dataclass(frozen=True)
class Query:
    collection: str
    conditions: tuple = ()
    order: tuple = ()
    columns: tuple | None = None  # None: every field
    limit: int | None = None

    def run(self, ws, as_of: date) -> list[dict]:
        """The matching rows (all fields plus derived), in id order, then sorted, then limited.

        A row carries the fields of the records it refers to (`refs`) while the query
        needs them (a condition, a sort key, a selected column), and only then."""
        named, through = references(self.collection), self.referred()
        unread = reads(self.collection, through) - set(ws.loaded)
        if unread:
            raise QueryError(f"the query reads {', '.join(sorted(unread))}, which the workspace was loaded "
                             f"without (see `salesctl.api.query_reads`)")
        records = sorted(ws.records[self.collection], key=lambda r: str(r.data.get("id")))  # `Record.id`
        if self.conditions:  # test with the derived fields the conditions read; derive the rest for the rows kept
            paths = [c.path for c in self.conditions]
            tested = {path[0][1] if isinstance(path[0], tuple) else path[0] for path in paths}
            probes = [probe_row(ws, r, as_of, tested) for r in records]
            refs.attach(ws, probes, named, refs.through(paths))
            records = [r for r, probe in zip(records, probes) if all(c.holds(probe) for c in self.conditions)]
        rows = [record_row(ws, r, as_of) for r in records]
        refs.attach(ws, rows, named, through)
        for key in reversed(self.order):  # Python's sort is stable: the first key ends up major
            rows.sort(key=key.key, reverse=key.descending)
        rows = rows if self.limit is None else rows[: self.limit]
        if self.columns is None:
            refs.detach(rows, through)
        return rows

    def referred(self) -> list[str]:
        """The references whose records' fields the query reads."""
        paths = [c.path for c in self.conditions] + [k.path for k in self.order]
        paths += [field_path(self.collection, name) for name in self.columns or ()]
        return refs.through(paths)

    def select(self, row: dict, columns) -> dict:
        return {name: pick(row, field_path(self.collection, name)) for name in columns}


def compile_query(collection: str, config, *, where=(), sort=(), fields=(), limit=None,
                  today: date | None = None) -> Query:
    """Check every part of a query against the collection's fields; QueryError on the first bad one.
    `today` is the day `today`, `today+N` and `today-N` count from (the as-of date)."""
    conditions = tuple(parse_condition(collection, text, config, today) for text in where)
    order = tuple(parse_sort(collection, text, config) for text in sort)
    columns = tuple(parse_fields(collection, fields, config)) if fields else None
    if limit is not None and limit < 0:
        raise QueryError(f"--limit {limit}: must be 0 or more")
    return Query(collection, conditions, order, columns, limit)


# --- one record and what is related to it (show) ---------------------------------------------

RECENT_VISITS = 5


def related_records(ws, record, as_of: date) -> dict[str, list[dict]]:
    """The rows a user looks at next: a customer's contracts, their receivables and its last
    visits (newest first, at most RECENT_VISITS, dated ≤ as_of); a contract's customer and
    receivables; a receivable's contract and customer; a visit's customer."""

    def rows(records):
        return [record_row(ws, r, as_of) for r in records if r is not None]

    def by_due(receivables):
        return sorted(receivables, key=lambda r: (r["due"], str(r.id)))

    collection = record.collection
    if collection == "customers":
        contracts = sorted(ws.contracts_of(record.id), key=lambda c: str(c.id))
        return {
            "contracts": rows(contracts),
            "receivables": rows(by_due([r for c in contracts for r in ws.receivables_of(c.id)])),
            "visits": rows(derive.visits_until(ws, record.id, as_of)[::-1][:RECENT_VISITS]),
        }
    if collection == "contracts":
        return {"customers": rows([ws.get("customers", record.get("customer"))]),
                "receivables": rows(by_due(ws.receivables_of(record.id)))}
    if collection == "receivables":
        contract = derive.receivable_contract(ws, record)
        customer = ws.get("customers", contract.get("customer")) if contract else None
        return {"contracts": rows([contract]), "customers": rows([customer])}
    if collection == "visits":
        return {"customers": rows([ws.get("customers", record.get("customer"))])}
    return {}


def describe(ws, record, as_of: date) -> dict:
    """What `show` prints: the record with its derived fields, and its related records; for a
    contract also the digest of its terms and the approvals given for other terms."""
    document = {"collection": record.collection, "path": record.path, "record": record_row(ws, record, as_of),
                "related": related_records(ws, record, as_of)}
    if record.collection == "contracts":
        document["terms"] = terms_digest(record, ws.config.currency)
        document["stale_approvals"] = derive.stale_approvals(ws, record, as_of)
    return document

