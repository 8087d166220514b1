"""Render rows as table, csv, json or yaml — one renderer for every command that prints data.

JSON follows docs/commands.md#output-formats: dates as ISO strings, money (Decimal) as numbers with 2 decimals,
ratios (`Ratio`) as fractions. Tables show money with thousands separators and ratios as
percentages, with headings in the workspace locale and CJK-aware column widths.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

from ..model.money import Fixed, Ratio, money, money_text
from . import table



# --- JSON -------------------------------------------------------------------------------

def to_json(data, indent: int = 2) -> str:
    out: list[str] = []
    _json(data, out.append, indent, 0)
    return "".join(out) + "\n"


def _json(value, write, indent, level):
    """Write `value` as indented JSON. Strings are escaped by the json module's own C function (what
    json.dumps(ensure_ascii=False) calls), and scalars inside a mapping or list are written in place:
    a query's rows hold tens of thousands of them."""
    if isinstance(value, dict):
        if not value:
            write("{}")
            return
        pad = "\n" + " " * (indent * (level + 1))
        separator = "{" + pad
        for key, item in value.items():
            kind = type(item)
            if kind is str:
                write(separator + _string(str(key)) + ": " + _string(item))
            elif kind is dict or kind is list or kind is tuple or isinstance(item, (dict, list, tuple)):
                write(separator + _string(str(key)) + ": ")
                _json(item, write, indent, level + 1)
            else:
                write(separator + _string(str(key)) + ": " + json_scalar(item))
            separator = "," + pad
        write("\n" + " " * (indent * level) + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            write("[]")
            return
        pad = "\n" + " " * (indent * (level + 1))
        separator = "[" + pad
        for item in value:
            write(separator)
            _json(item, write, indent, level + 1)
            separator = "," + pad
        write("\n" + " " * (indent * level) + "]")
    else:
        write(json_scalar(value))


_string = json.encoder.encode_basestring  # a str as JSON, non-ASCII kept: json.dumps(s, ensure_ascii=False)


def json_scalar(value) -> str:
    if type(value) is str:
        return _string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{money(value):f}"
    if isinstance(value, date):
        return '"' + value.isoformat() + '"'
    if isinstance(value, Fixed):
        return str(value)
    if isinstance(value, float):
        return json.dumps(round(value, 4)) if value == value and abs(value) != float("inf") else "null"
    if isinstance(value, int):
        return str(value)
    return _string(str(value))


# --- YAML -------------------------------------------------------------------------------

def to_yaml(data) -> str:
    """Block-style YAML, each value written out where it appears (no anchors or aliases)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False
    rep = yaml.representer
    rep.add_representer(Decimal, lambda r, d: r.represent_scalar("tag:yaml.org,2002:float", f"{money(d):f}"))
    rep.add_representer(Ratio, lambda r, d: r.represent_float(round(float(d), 4)))
    rep.add_multi_representer(Fixed, lambda r, d: r.represent_scalar("tag:yaml.org,2002:float", str(d)))
    rep.add_representer(tuple, lambda r, d: r.represent_list(list(d)))
    rep.ignore_aliases = lambda data: True  # a date or amount met twice is written twice, never &id001/*id001
    buffer = io.StringIO()
    yaml.dump(_plain(data), buffer)
    return buffer.getvalue()


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# --- table and csv ----------------------------------------------------------------------

def cell_text(value, *, table: bool) -> str:
    """How one value reads in a table cell (table=True) or a CSV field."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Ratio):
        return f"{float(value) * 100:.1f}%" if table else f"{round(float(value), 4)}"
    if isinstance(value, Decimal):
        return money_text(value) if table else f"{money(value):f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Fixed):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        if table and set(value) >= {"action", "date"}:
            return f"{value['action']} {cell_text(value['date'], table=True)}"
        return to_json(value, indent=0).replace("\n", "").strip() if not table else ", ".join(
            f"{k}={cell_text(v, table=True)}" for k, v in value.items() if v is not None)
    if isinstance(value, (list, tuple)):
        return "; ".join(cell_text(v, table=table) for v in value)
    return str(value)


PERSON_KEYS = ("rep", "by", "owner", "manager")  # a `name` column after one of these is a person's


def to_table(rows: list[dict], columns: list[str], headings: dict | None = None) -> str:
    """Rows as an aligned table under the headings of `headings` (a locale's); the `name` of a person
    (a column after rep, by, owner or manager) is headed as a person's name (姓名), a customer's
    name as a name (名称)."""
    headings = headings or {}
    at = columns.index("name") if "name" in columns else 0
    if at and columns[at - 1] in PERSON_KEYS and "person_name" in headings:
        headings = {**headings, "name": headings["person_name"]}
    values = headings.get("values", {})
    shown = {c: values.get("channel" if c == "next_step" else c.rpartition(".")[2], {}) for c in columns}
    yes_no = values.get("bool", {})
    body = [[_shown(row.get(c), shown[c], yes_no) for c in columns] for row in rows]
    numeric = [all(isinstance(row.get(c), (int, float, Decimal)) and not isinstance(row.get(c), bool)
                   for row in rows if row.get(c) is not None) for c in columns]
    align = ["right" if n else "left" for n in numeric]
    return table.simple(body, [headings.get(c, c) for c in columns], align) + "\n"


def _shown(value, words: dict, yes_no: dict) -> str:
    """A table cell in the locale: an enum value in its words (`values` of the locale), a bool as 是/否."""
    if isinstance(value, bool):
        return yes_no.get(value) or cell_text(value, table=True)
    if isinstance(value, str) and value in words:
        return words[value]
    if isinstance(value, dict) and set(value) >= {"action", "date"} and value["action"] in words:
        return cell_text({**value, "action": words[value["action"]]}, table=True)  # next_step: 上门 2026-11-15
    return cell_text(value, table=True)


def to_csv(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell_text(row.get(c), table=False) for c in columns])
    return buffer.getvalue()


def render_rows(rows: list[dict], columns: list[str], fmt: str, headings: dict | None = None, document=None) -> str:
    """Rows as the chosen format; `document` (default: the rows) is what json/yaml print."""
    if fmt == "json":
        return to_json(rows if document is None else document)
    if fmt == "yaml":
        return to_yaml(rows if document is None else document)
    if fmt == "csv":
        return to_csv(rows, columns)
    if not rows:
        return ""
    return to_table(rows, columns, headings)
