"""`salesctl set ID FIELD=VALUE...`: change any field of any record, through the checks of every
writer, with a diff that shows only the change (`nested`).

FIELD is dotted into mappings and lists (`next.date`, `contacts.0.phone`, `self.teamwork`); VALUE
is typed as `new` types it (`writers.draft_record`); `FIELD=` with nothing removes the field.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..model.problems import close_matches
from ..model.records import SCHEMAS, SINGULAR, Field
from .args import id_arg, text_arg
from .nested import remove_at, set_at
from ..errors import BadInput
from .plan import Plan, check
from .writers import _Files, _typed_arg

_NUMBER = re.compile(r"^[0-9]{1,13}(?:\.[0-9]+)?$")


def set_fields(ws, record_id: str, assignments, *, force: bool = False) -> Plan:
    """Set (or with an empty value remove) fields of the record `record_id`, of any collection."""
    record = ws.find(id_arg(record_id))
    if record is None:
        raise BadInput(f"no record with id {record_id!r}")
    if not assignments:
        raise BadInput("nothing to set: give FIELD=VALUE (FIELD= removes the field)")
    changes = {}
    for item in assignments:
        name, sep, text = str(item).partition("=")
        name = name.strip()
        if not sep or not name:
            raise BadInput(f"{item!r}: expected FIELD=VALUE (FIELD= removes the field)")
        path, spec, order = field_path(record.collection, name, ws.config)
        if path in changes:
            raise BadInput(f"{name} is given twice")
        text = text_arg(text, name)
        changes[path] = (None if text.strip() == "" else typed(name, spec, text), order)

    def edit(doc):
        for path, (value, order) in changes.items():
            if value is None:
                remove_at(doc, record.id, path)
            else:
                set_at(doc, record.id, path, value, order)

    files = _Files(ws)
    files.edit(record.path, record.collection, edit)
    summary = [f"{record.id}: {_dotted(path)} {_done(value)} ({record.path})" for path, (value, _) in changes.items()]
    return check(ws, Plan(files.changes(), summary), force=force)


def field_path(collection: str, name: str, config) -> tuple[tuple, Field, list]:
    """`contacts.0.phone` -> (('contacts', 0, 'phone'), its Field, the field order of the mapping
    it is in), checked against the record format; BadInput naming what is wrong."""
    schema, spec, order, path = SCHEMAS[collection], None, list(SCHEMAS[collection]), []
    for part in name.split("."):
        shown = _dotted(path)
        if spec is not None and spec.kind == "list":
            if not part.isdigit():
                raise BadInput(f"{name}: {shown} is a list; name an entry by its number from 0 ({shown}.0)")
            path.append(int(part))
            spec = spec.item
            continue
        if spec is not None and spec.kind == "scores":
            indicators = [i["name"] for i in config.review["indicators"] if not i.get("metric")]
            schema, order = dict.fromkeys(indicators, Field("number", maximum=100)), indicators
        elif spec is not None:
            if spec.kind != "map":
                raise BadInput(f"{name}: {shown} is a single value, it has no {part!r}")
            schema, order = spec.schema, list(spec.schema)
        if part not in schema:
            guess = close_matches(part, schema)
            hint = f"; did you mean {guess[0]!r}?" if guess else ""
            where = f"{shown} has" if path else f"a {SINGULAR[collection]} has"
            raise BadInput(f"{name}: {where} no field {part!r}{hint}")
        spec = schema[part]
        path.append(part)
    return tuple(path), spec, order


def typed(name: str, spec: Field, text: str):
    """A value from the command line as the field's type (as `new` types it)."""
    if spec.kind == "number":
        value = text.strip()
        if not _NUMBER.match(value):
            raise BadInput(f"{name}: {value!r} is not a number such as 2 or 2.5")
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else number
    return _typed_arg(name, spec, text)


def _dotted(path) -> str:
    return ".".join(str(part) for part in path)


def _done(value) -> str:
    if value is None:
        return "removed"
    if isinstance(value, (list, dict)):
        return "set"
    return f"set to {str(value).lower() if isinstance(value, bool) else value}"
