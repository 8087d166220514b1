"""A draft of a contract with errors (`draft --force`): every value that is missing or wrong reads as
a marker such as 【待核对：RCV-0011.amount】 in its place, so that the draft renders whole and its
reader sees what to fix before it is sent.
"""

from __future__ import annotations

from ..model.records import SCHEMAS
from ..render.locale import headings


class Flagged(str):
    """A missing or wrong value in a forced draft: the marker text. It absorbs arithmetic (a sum of
    amounts with one flagged is flagged), orders before nothing, and filters pass it through."""

    def _absorb(self, *_):
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _absorb
    __neg__ = __abs__ = __round__ = _absorb

    def _never(self, other):
        return False

    __lt__ = __le__ = __gt__ = __ge__ = _never
    __hash__ = str.__hash__


def marker(where: str, locale: str) -> Flagged:
    return Flagged(headings(locale)["draft_flagged"].format(where=where))


def flag_fields(data: dict, record, problems, locale: str) -> dict:
    """A copy of `record`'s data with a marker for each field a problem names that the record could
    not keep (a bad value is left out when typing) and each required field it lacks, nested entries
    (`items.0.unit_price`) included."""
    out = _copy(data)
    paths = {tuple(p.message.split(":", 1)[0].split(".")) for p in problems if p.record == record.key}
    paths |= {(name,) for name, spec in SCHEMAS[record.collection].items() if spec.required}
    for path in paths:
        parent = out
        for step in path[:-1]:
            parent = parent[int(step)] if isinstance(parent, list) and step.isdigit() and int(step) < len(parent) \
                else parent.get(step) if isinstance(parent, dict) else None
            if parent is None:
                break
        if isinstance(parent, dict) and path[-1] not in parent and _is_field(record.collection, path):
            parent[path[-1]] = marker(f"{record.id}.{'.'.join(path)}", locale)
    return out


def _is_field(collection: str, path: tuple) -> bool:
    """Whether `path` (of a problem message) names a field of the collection's format."""
    schema = SCHEMAS[collection]
    for step in path:
        if step.isdigit():
            continue
        spec = schema.get(step) if isinstance(schema, dict) else None
        if spec is None:
            return False
        schema = spec.item.schema if spec.kind == "list" and spec.item is not None else spec.schema
    return True


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def flagged_record(record_id: str, collection: str, locale: str) -> dict:
    """A record a contract names but the workspace lacks (an unknown customer): its id, and a
    marker for each of its required fields."""
    return {"id": record_id, **{name: marker(f"{record_id}.{name}", locale)
                                for name, spec in SCHEMAS[collection].items() if spec.required and name != "id"}}
