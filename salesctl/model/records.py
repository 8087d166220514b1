"""What a record is: the five record formats (docs/workspace.md#customers … #reviews) and typed
records built from raw data.

The formats are data (`SCHEMAS`), so that the checks, the did-you-mean, the JSON Schema and the
query field list all come from one description.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Callable

from . import fields as F
from .money import CENT, ZERO
from .parsed import position
from .problems import close_matches, problem

COLLECTIONS = ("customers", "visits", "contracts", "receivables", "reviews")
SHARED_TEXT = 40  # texts up to this length are shared between records (ids, names, channels, …)
SINGULAR = {"customers": "customer", "visits": "visit", "contracts": "contract",
            "receivables": "receivable", "reviews": "review"}


@dataclass(frozen=True)
class Field:
    kind: str  # id text date amount number int bool enum ref email phone period digest list map scores
    required: bool = False
    choices: tuple | str | None = None  # enum values, or "approval_chain" to take them from config
    ref: str | None = None  # for kind ref: team | customers | contracts
    item: "Field | None" = None  # for kind list
    schema: dict | None = None  # for kind map
    minimum: int | None = None
    maximum: int | None = None
    default: object = None


def choices(spec: Field, config) -> tuple | None:
    """The values an enum field takes; the approval stages and aging buckets come from the config."""
    if spec.choices == "approval_chain":
        return tuple(config.rules["approval_chain"])
    if spec.choices == "aging_buckets":
        return tuple(config.bucket_labels())
    return spec.choices


def _req(kind, **kw):
    return Field(kind, required=True, **kw)


CONTACT = {
    "name": _req("text"), "title": Field("text"), "phone": Field("phone"),
    "email": Field("email"), "primary": Field("bool"),
}
ITEM = {"name": _req("text"), "quantity": _req("number"), "unit": Field("text"), "unit_price": _req("amount")}
APPROVAL = {
    "stage": _req("enum", choices="approval_chain"), "by": _req("ref", ref="team"), "date": _req("date"),
    "decision": _req("enum", choices=("approved", "rejected")), "comment": Field("text"),
    "terms": Field("digest"),
}
PAYMENT = {"date": _req("date"), "amount": _req("amount"), "method": Field("text"), "ref": Field("text")}
COLLECTION_CHANNELS = ("phone", "wechat", "email", "onsite", "letter", "agency", "legal")  # and the actions of rules.escalation
COLLECTION_ACTION = {
    "date": _req("date"), "by": _req("ref", ref="team"), "channel": _req("enum", choices=COLLECTION_CHANNELS),
    "note": Field("text"), "promised": Field("date"),
}
ACTION_KEYS = ("date", "channel", "by", "note", "promised")  # a collection action as reports show it
WRITE_OFF = {"date": _req("date"), "by": _req("ref", ref="team"), "reason": _req("text")}
ASSIGNMENT = {  # one change of owner; `from`/`to` null (absent): the public pool
    "date": _req("date"), "from": Field("ref", ref="team"), "to": Field("ref", ref="team"),
    "by": _req("ref", ref="team"), "reason": Field("text"),
}
TERMINATION = {"date": _req("date"), "by": _req("ref", ref="team"), "reason": _req("text")}

SCHEMAS: dict[str, dict[str, Field]] = {
    "customers": {
        "id": _req("id"), "name": _req("text"), "owner": Field("ref", ref="team"),
        "assignments": Field("list", item=Field("map", schema=ASSIGNMENT)),
        "status": Field("enum", choices=("lead", "prospect", "customer", "lost"), default="prospect"),
        "tier": Field("enum", choices=("A", "B", "C")), "key": Field("bool", default=False),
        "follow_up_days": Field("int", minimum=1, maximum=F.MAX_DAYS), "industry": Field("text"), "size": Field("text"),
        "region": Field("text"),
        "source": Field("enum", choices=("web", "phone", "exhibition", "referral", "association", "other")),
        "created": _req("date"), "contacts": Field("list", item=Field("map", schema=CONTACT)),
        "tags": Field("list", item=Field("text")), "notes": Field("text"),
    },
    "visits": {
        "id": _req("id"), "customer": _req("ref", ref="customers"), "rep": _req("ref", ref="team"),
        "date": _req("date"), "channel": _req("enum", choices=("onsite", "phone", "video", "email", "wechat", "other")),
        "kind": Field("enum", choices=("development", "negotiation", "after_sales", "complaint"), default="development"),
        "effective": Field("bool", default=True), "summary": Field("text"), "feedback": Field("text"),
        "satisfaction": Field("int", minimum=1, maximum=5),
        "next": Field("map", schema={"date": _req("date"), "action": _req("text")}),
    },
    "contracts": {
        "id": _req("id"), "customer": _req("ref", ref="customers"), "owner": _req("ref", ref="team"),
        "title": _req("text"),
        "status": _req("enum", choices=("draft", "in_review", "approved", "signed", "completed", "terminated")),
        "created": _req("date"), "signed": Field("date"), "start": Field("date"), "end": Field("date"),
        "currency": Field("text"), "items": _req("list", item=Field("map", schema=ITEM)),
        "amount": _req("amount"), "payment_terms": Field("text"), "template": Field("id"),
        "approvals": Field("list", item=Field("map", schema=APPROVAL)), "notes": Field("text"),
        "completed": Field("date"), "terminated": Field("map", schema=TERMINATION),
    },
    "receivables": {
        "id": _req("id"), "contract": _req("ref", ref="contracts"), "amount": _req("amount"), "due": _req("date"),
        "invoice": Field("text"), "payments": Field("list", item=Field("map", schema=PAYMENT)),
        "collection": Field("list", item=Field("map", schema=COLLECTION_ACTION)),
        "written_off": Field("map", schema=WRITE_OFF),
    },
    "reviews": {
        "id": _req("id"), "rep": _req("ref", ref="team"), "period": _req("period"),
        "reviewer": Field("ref", ref="team"), "self": Field("scores"), "manager": Field("scores"),
        "comment": Field("text"),
    },
}


@dataclass(eq=False)
class Record:
    """One record: typed field values plus where each field was written.

    Never changed once built: workspaces and caches share records, so `has_errors` set by the
    cross-record rules is set on a copy (`load.pipeline._flag_broken`).
    """

    collection: str
    data: dict
    path: str  # relative to the workspace root, with forward slashes
    index: int  # position among the records of its file
    positions: dict = field(repr=False)
    single_file: bool = False
    has_errors: bool = False

    @property
    def id(self):
        return self.data.get("id")

    @property
    def key(self) -> tuple:
        return (self.path, self.index)

    def get(self, name, default=None):
        return self.data.get(name, default)

    def __getitem__(self, name):
        return self.data[name]

    def pos(self, *keys) -> tuple[int, int]:
        """Line and column of a field (or the nearest enclosing value that has one)."""
        return position(self.positions, keys)


class RecordBuilder:
    """Types raw records against `SCHEMAS`, collecting problems instead of raising."""

    def __init__(self, config):
        self.config = config
        self.indicators = tuple(config.subjective_indicators())
        self.all_indicators = tuple(i["name"] for i in config.review["indicators"])
        # what typing reads from the config: a typed-record cache entry is valid only for these
        self.fingerprint = repr((tuple(config.rules["approval_chain"]), self.indicators, self.all_indicators))
        # Equal short texts, dates and amounts become one shared object (they are immutable):
        # thousands of records then hold a few hundred owners, channels, days and prices, and the
        # record cache stores and rebuilds each once.
        self._texts: dict[str, str] = {}
        self._dates: dict = {}
        self._amounts: dict[str, Decimal] = {}  # by text: 1.5 and 1.50 are equal, but not written alike

    def build(self, collection: str, raw, path: str, index: int, positions: dict, single: bool, problems: list):
        if not isinstance(raw, dict):
            problems.append(problem("not-a-record", path, positions.get((), (1, 1)),
                                    f"expected a {SINGULAR[collection]} (a mapping of fields), found {F._kind(raw)}"))
            return None
        record = Record(collection, {}, path, index, positions, single)
        before = len(problems)
        record.data = self._mapping(SCHEMAS[collection], raw, (), record, problems)
        record.has_errors = any(p.is_error for p in problems[before:])
        return record

    def _shared(self, value):
        if type(value) is str:
            return self._texts.setdefault(value, value) if len(value) <= SHARED_TEXT else value
        if isinstance(value, date):
            return self._dates.setdefault(value, value)
        if type(value) is Decimal:
            return self._amounts.setdefault(str(value), value)
        return value

    def _mapping(self, schema: dict, raw: dict, at: tuple, record: Record, problems: list) -> dict:
        out = {}
        required, defaults, keys = _shape(schema)
        for name, value in raw.items():
            spec = schema.get(name)
            if spec is None:
                guess = close_matches(str(name), schema)
                hint = f"; did you mean {guess[0]!r}?" if guess else ""
                self._problem(problems, record, "unknown-field", at + (name,), f"unknown field {_dotted(at + (name,))!r}{hint}")
                continue
            if value is None:
                continue  # an empty value is an absent value
            name = keys[name]  # the schema's own key: one string object for every record
            if spec.kind == "text" and type(value) is str:
                out[name] = self._shared(value)  # the common case, without the general machinery
                continue
            typed = self._value(spec, value, at + (name,), record, problems)
            if typed is not None:
                out[name] = typed
        for name in required:
            if name not in out and raw.get(name) is None:
                self._problem(problems, record, "missing-field", at, f"missing required field {_dotted(at + (name,))!r}")
        for name, default in defaults:
            if name not in out:
                out[name] = default
        return out

    def _value(self, spec: Field, value, at: tuple, record: Record, problems: list):
        kind = spec.kind
        if kind == "list":
            if not isinstance(value, list):
                self._problem(problems, record, "bad-type", at, f"{_dotted(at)!r} must be a list, found {F._kind(value)}")
                return None
            items = []
            for i, item in enumerate(value):
                typed = self._value(spec.item, item, at + (i,), record, problems) if item is not None else None
                if typed is not None:
                    items.append(typed)
            return items
        if kind == "map":
            if not isinstance(value, dict):
                self._problem(problems, record, "bad-type", at, f"{_dotted(at)!r} must be a mapping, found {F._kind(value)}")
                return None
            typed = self._mapping(spec.schema, value, at, record, problems)
            complete = all(name in typed for name, f in spec.schema.items() if f.required)
            return typed if complete else None  # an incomplete entry has its problem and is left out
        if kind == "scores":
            return self._scores(value, at, record, problems)
        check = self._checks[kind]
        typed, code, message = check(self, spec, value)
        if code:
            self._problem(problems, record, code, at, f"{_dotted(at)}: {message}")
            return None
        if kind == "email" and (msg := F.check_email(typed)):
            self._problem(problems, record, "bad-email", at, f"{_dotted(at)}: {msg}")
        if kind == "phone" and (msg := F.check_phone(typed)):
            self._problem(problems, record, "bad-phone", at, f"{_dotted(at)}: {msg}")
        return self._shared(typed)

    def _scores(self, value, at, record, problems):
        if not isinstance(value, dict):
            self._problem(problems, record, "bad-type", at, f"{_dotted(at)!r} must map indicator names to scores")
            return None
        out = {}
        for name, score in value.items():
            if name not in self.indicators:
                guess = close_matches(str(name), self.indicators)
                hint = f"; did you mean {guess[0]!r}?" if guess else ""
                why = "is computed from its metric" if name in self.all_indicators else "is not a subjective indicator of review.indicators"
                self._problem(problems, record, "unknown-field", at + (name,), f"{_dotted(at + (name,))!r} {why}{hint}")
                continue
            typed, code, message = F.parse_number(score)
            if code is None and typed > 100:
                code, message = "bad-value", f"{score} is above 100"
            if code:
                self._problem(problems, record, code, at + (name,), f"{_dotted(at + (name,))}: {message}")
                continue
            out[name] = typed
        return out

    def _problem(self, problems, record, code, at, message):
        problems.append(problem(code, record.path, record.pos(*at), message, record=record.key))

    def _enum(self, spec, value):
        allowed = choices(spec, self.config)
        if not isinstance(value, str) or value not in allowed:
            return None, "bad-value", f"{F._show(value)} is not one of {', '.join(allowed)}"
        return value, None, None

    def _period(self, spec, value):
        from .periods import parse_period, PeriodError

        try:
            parse_period(str(value))
        except PeriodError as exc:
            return None, "bad-value", str(exc)
        return str(value), None, None

    _checks: dict[str, Callable] = {
        "id": lambda self, spec, v: F.parse_id(v),
        "ref": lambda self, spec, v: F.parse_id(v),
        "text": lambda self, spec, v: F.parse_text(v),
        "email": lambda self, spec, v: F.parse_text(v) if isinstance(v, str) else (None, "bad-type", "expected text"),
        "phone": lambda self, spec, v: F.parse_text(v),
        "date": lambda self, spec, v: F.parse_date(v),
        "amount": lambda self, spec, v: F.parse_amount(v),
        "number": lambda self, spec, v: F.parse_number(v),
        "int": lambda self, spec, v: F.parse_int(v, minimum=spec.minimum, maximum=spec.maximum),
        "bool": lambda self, spec, v: F.parse_bool(v),
        "digest": lambda self, spec, v: F.parse_digest(v),
        "enum": _enum,
        "period": _period,
    }


_SHAPES: dict = {}


def _shape(schema: dict) -> tuple:
    """The required field names, the defaults and {name: the schema's own key} of a schema,
    computed once per schema."""
    shape = _SHAPES.get(id(schema))
    if shape is None:
        required = tuple(n for n, f in schema.items() if f.required)
        defaults = tuple((n, f.default) for n, f in schema.items() if f.default is not None)
        shape = _SHAPES[id(schema)] = (required, defaults, {n: n for n in schema})
    return shape


def _dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path) if path else "record"


def items_total(items) -> Decimal:
    """A contract's amount by definition: Σ quantity × unit_price of typed items, rounded half-up to cents."""
    with localcontext() as ctx:
        ctx.prec = 60  # exact: quantity × unit_price alone may need 32 digits, beyond the default 28
        total = sum((i["quantity"] * i["unit_price"] for i in items), ZERO)
        return total.quantize(CENT, rounding=ROUND_HALF_UP)


def collection_of(kind: str) -> str | None:
    """`customer` or `customers` -> `customers`."""
    kind = kind.lower()
    if kind in SCHEMAS:
        return kind
    for plural, singular in SINGULAR.items():
        if kind == singular:
            return plural
    return None
