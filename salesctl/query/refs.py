"""Fields of a referenced record, reached through the reference: `customer.name` on a visit, a
contract or a receivable, `contract.owner` on a receivable. While a query needs them, each row
holds the referenced record's fields under `referred_key(field)`, a key no field name can take.
"""

from __future__ import annotations

REFERRED = ("customers", "contracts")  # the collections a dotted path may go on into


def referred_key(name: str) -> tuple:
    return ("referred", name)


def references(fields: dict) -> dict[str, str]:
    """The fields (name -> `Field`) that name a customer or a contract, and the collection each names."""
    return {name: spec.ref for name, spec in fields.items() if spec.kind == "ref" and spec.ref in REFERRED}


def field_path(name: str, refs: dict) -> tuple:
    """Where a field is in a row: `next.date` -> ('next', 'date'); `customer.name`, a field of the
    record `customer` refers to, under referred_key('customer')."""
    head, _, rest = name.partition(".")
    if rest and head in refs:
        return (referred_key(head), *rest.split("."))
    return tuple(name.split("."))


def through(paths) -> list[str]:
    """The references that paths (as `field_path` gives them) go through, each once."""
    return list(dict.fromkeys(path[0][1] for path in paths if isinstance(path[0], tuple)))


def attach(ws, rows: list[dict], refs: dict, names) -> None:
    """Give each row the fields of the records its references `names` name (None: no such record)."""
    for row in rows:
        for name in names:
            referred = ws.get(refs[name], row.get(name))
            row[referred_key(name)] = dict(referred.data) if referred is not None else None


def detach(rows: list[dict], names) -> None:
    for row in rows:
        for name in names:
            del row[referred_key(name)]
