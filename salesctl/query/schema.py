"""JSON Schema (draft 2020-12) of the record files, generated from `records.SCHEMAS`, so that an
editor's YAML language server offers completion, hover text and red squiggles while typing.

The schema says what `validate` says about one file on its own: fields and their types, required
fields, enums (the approval stages and review indicators come from the workspace config), ids,
dates and amounts. Rules across fields or records (amount = Σ items, references that exist,
approval order) stay with `validate`. An empty value is an absent value, so optional fields accept
null. Only keywords that draft-07 validators read the same way are used (type, enum, pattern,
properties, required, additionalProperties, propertyNames, items, minimum, maximum, anyOf, $ref),
because the common YAML language servers still validate with draft-07 semantics.
"""

from __future__ import annotations

from ..model.fields import DATE_PATTERN, DIGEST_PATTERN, ID_PATTERN
from ..model.money import MAX_AMOUNT
from ..model.records import COLLECTIONS, SCHEMAS, SINGULAR, Field, choices
from ..render.locale import headings

DIALECT = "https://json-schema.org/draft/2020-12/schema"
PERIOD_PATTERN = r"^\d{4}(-(Q[1-4]|0[1-9]|1[0-2]))?$"
_REFERS_TO = {"team": "a team member (salesctl.yaml team)", "customers": "a customer", "contracts": "a contract"}


def file_schema(collection: str, config) -> dict:
    """A file of `collection`: one record, a list of records, or nothing (empty or only comments)."""
    name = SINGULAR[collection]
    return {
        "$schema": DIALECT,
        "title": f"salesctl {collection} file",
        "description": f"One {name} (a mapping of fields) or a list of {collection}.",
        "anyOf": [{"$ref": f"#/$defs/{name}"},
                  {"type": "array", "items": {"$ref": f"#/$defs/{name}"}},
                  {"type": "null"}],
        "$defs": {name: record_schema(collection, config)},
    }


def workspace_schema(config) -> dict:
    """Every record format in one document: `$defs` holds one record schema per collection."""
    return {
        "$schema": DIALECT,
        "title": "salesctl record files",
        "description": "A file of any collection: one record or a list of records of one format.",
        "anyOf": [{"$ref": f"#/$defs/{SINGULAR[c]}"} for c in COLLECTIONS]
                 + [{"type": "array", "items": {"anyOf": [{"$ref": f"#/$defs/{SINGULAR[c]}"} for c in COLLECTIONS]}},
                    {"type": "null"}],
        "$defs": {SINGULAR[c]: record_schema(c, config) for c in COLLECTIONS},
    }


def record_schema(collection: str, config) -> dict:
    schema = _mapping(SCHEMAS[collection], config)
    schema["title"] = SINGULAR[collection]
    return schema


def _mapping(fields: dict, config) -> dict:
    return {
        "type": "object",
        "properties": {name: field_schema(name, spec, config) for name, spec in fields.items()},
        "required": [name for name, spec in fields.items() if spec.required],
        "additionalProperties": False,
    }


def field_schema(name: str, spec: Field, config) -> dict:
    """One field's schema, with a description (in the workspace locale's heading) for hovers."""
    schema, what = _typed(spec, config)
    if spec.default is not None:
        schema["default"] = spec.default
    label = headings(config.locale).get(name)
    schema["description"] = (f"{label}: " if label and label != name else "") + what + (
        " (required)" if spec.required else "")
    return schema if spec.required else _nullable(schema)


def _typed(spec: Field, config) -> tuple[dict, str]:
    kind = spec.kind
    if kind == "id":
        return {"type": ["string", "integer"], "pattern": ID_PATTERN.pattern}, \
            "an id: letters, digits, '.', '_', '-', at most 64"
    if kind == "ref":
        return {"type": ["string", "integer"], "pattern": ID_PATTERN.pattern}, f"the id of {_REFERS_TO[spec.ref]}"
    if kind in ("text", "phone"):
        return {"type": ["string", "number"]}, "a phone number" if kind == "phone" else "text"
    if kind == "email":
        return {"type": "string"}, "an e-mail address (local@domain.tld)"
    if kind == "date":
        return {"type": "string", "pattern": DATE_PATTERN.pattern}, "a date, YYYY-MM-DD"
    if kind == "amount":
        return {"type": "number", "minimum": 0, "maximum": float(MAX_AMOUNT)}, \
            "an amount: a number ≥ 0 with at most 2 decimals"
    if kind == "number":
        return {"type": "number", "minimum": 0}, "a number ≥ 0"
    if kind == "int":
        schema = {"type": "integer"}
        for key, bound in (("minimum", spec.minimum), ("maximum", spec.maximum)):
            if bound is not None:
                schema[key] = bound
        return schema, "a whole number"
    if kind == "bool":
        return {"type": "boolean"}, "true or false"
    if kind == "enum":
        allowed = list(choices(spec, config))
        return {"enum": allowed}, "one of " + ", ".join(allowed)
    if kind == "digest":
        return {"type": "string", "pattern": DIGEST_PATTERN.pattern}, \
            "the digest of the contract's terms this decision was made on: 16 hex digits"
    if kind == "period":
        return {"type": ["string", "integer"], "pattern": PERIOD_PATTERN}, "a period: YYYY, YYYY-Qn or YYYY-MM"
    if kind == "list":
        item, what = _typed(spec.item, config)
        return {"type": "array", "items": _nullable(item)}, f"a list; each: {what}"
    if kind == "map":
        return _mapping(spec.schema, config), "a mapping of fields"
    if kind == "scores":
        indicators = config.subjective_indicators()
        return {"type": "object", "propertyNames": {"enum": indicators},
                "additionalProperties": {"type": "number", "minimum": 0, "maximum": 100}}, \
            f"scores 0-100 by indicator ({', '.join(indicators)})"
    raise ValueError(f"no JSON Schema for field kind {kind!r}")


def _nullable(schema: dict) -> dict:
    """The same schema, also accepting null (an empty value is an absent value)."""
    schema = dict(schema)
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    else:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema["type"] = [*types, "null"]
    return schema
