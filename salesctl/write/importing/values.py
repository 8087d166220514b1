"""A cell's value as the field's type: dates, amounts, booleans, enums, team members, customers.

Each conversion returns `(value, code, message)` like the field checks of `fields` (which do the
final checks: ranges, two decimals, ids): a typed value, else a validation code and why.

Accepted, beyond what the YAML files take:
- dates `YYYY-MM-DD`, `YYYY/M/D`, `YYYY.M.D`, `YYYY年M月D日`, each optionally followed by a time
  (`2026-03-12 10:23:45`, as CRM exports write it: the day is kept), and Excel date cells;
- amounts with thousands separators (`1,234,567.80`) or a leading `¥`/`￥`; Excel number cells,
  taken through their shortest decimal form (`repr`), so more than 2 decimals is an error, never
  a rounding;
- booleans true/false, yes/no, 是/否, 1/0 (any case) and Excel TRUE/FALSE cells;
- enum values in any case (`a` for tier `A`);
- team members by id, name or e-mail; customers by id or exact name; contracts and receivables by
  id; lists of text (tags) separated by `;`, `,` or their full-width forms.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from ...model import fields as F
from ...model.problems import close_matches

_DATE = re.compile(r"^(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|年(\d{1,2})月(\d{1,2})日?)"
                   r"(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_AMOUNT = re.compile(r"^[¥￥]?\s*(\d{1,3}(?:[,，]\d{3})+|\d+)(\.\d+)?$")
_LIST = re.compile(r"[;；,，]")
TRUE = ("true", "yes", "是", "1")
FALSE = ("false", "no", "否", "0")


def is_empty(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def text_of(cell) -> str:
    """A cell as text: numbers as written (13917625580, not 1.3917625580e10), dates ISO."""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat(sep=" ")
    if isinstance(cell, (date, time)):
        return cell.isoformat()
    return str(cell)


def to_date(cell):
    if isinstance(cell, datetime):
        return F.parse_date(cell.date())
    if isinstance(cell, date):
        return F.parse_date(cell)
    if not isinstance(cell, str):
        return None, "bad-date", (f"{text_of(cell)} is a number, not a date: format the cell as a date, or write "
                                  f"YYYY-MM-DD")
    match = _DATE.match(cell.strip())
    if not match:
        return None, "bad-date", f"{F._show(cell.strip())} is not a date (YYYY-MM-DD, YYYY/M/D, YYYY.M.D or YYYY年M月D日)"
    year, month, day = match[1], match[3] or match[5], match[4] or match[6]
    try:
        typed = date(int(year), int(month), int(day))
    except ValueError:
        return None, "bad-date", f"{F._show(cell.strip())} is not a real date"
    return F.parse_date(typed)


def _decimal(cell, what: str):
    """A number cell or a number written as text, exactly; (Decimal, None) or (None, reason)."""
    if isinstance(cell, bool):
        return None, f"{text_of(cell)} is not {what}"
    if isinstance(cell, (int, float)):
        number = F.to_decimal(cell)
        return (number, None) if number is not None else (None, f"{cell} is not {what}")
    text = str(cell).strip()
    negative = text.startswith("-")
    match = _AMOUNT.match(text[1:].strip() if negative else text)
    if not match:
        return None, f"{F._show(text)} is not {what}"
    try:
        number = Decimal(re.sub(r"[,，]", "", match[1]) + (match[2] or ""))
    except InvalidOperation:
        return None, f"{F._show(text)} is not {what}"
    return -number if negative else number, None


def to_amount(cell):
    number, reason = _decimal(cell, "an amount (12000.50, 12,000.50 or ¥12,000.50)")
    if reason:
        return None, "bad-amount", reason
    typed, code, message = F.parse_amount(number)
    return (written_amount(typed), None, None) if code is None else (typed, code, message)


def written_amount(value: Decimal) -> Decimal:
    """An amount as writers write it: 10800, or 10800.50."""
    cents = value.quantize(F.CENT)
    return cents.quantize(Decimal(1)) if cents == cents.to_integral_value() else cents


def to_number(cell):
    number, reason = _decimal(cell, "a number")
    if reason:
        return None, "bad-type", reason
    return F.parse_number(number)


def to_int(cell, spec):
    number, reason = _decimal(cell, "a whole number")
    if reason:
        return None, "bad-type", reason
    if number != number.to_integral_value():
        return None, "bad-type", f"{text_of(cell)} is not a whole number"
    return F.parse_int(int(number), minimum=spec.minimum, maximum=spec.maximum)


def to_bool(cell):
    if isinstance(cell, bool):
        return cell, None, None
    text = text_of(cell).casefold()
    if text in TRUE:
        return True, None, None
    if text in FALSE:
        return False, None, None
    return None, "bad-type", f"{F._show(text_of(cell))} is not true or false (true/false, yes/no, 是/否, 1/0)"


def to_enum(cell, choices):
    text = text_of(cell)
    for choice in choices:
        if text.casefold() == choice.casefold():
            return choice, None, None
    guess = close_matches(text, choices)
    hint = f"; did you mean {guess[0]!r}?" if guess else ""
    return None, "bad-value", f"{F._show(text)} is not one of {', '.join(choices)}{hint}"


def to_list(cell):
    return [part.strip() for part in _LIST.split(text_of(cell)) if part.strip()], None, None


class Lookup:
    """References by what a sheet holds: team members by id, name or e-mail; customers by id or
    exact name; contracts and receivables by id."""

    def __init__(self, ws):
        self.ws = ws
        self.members = {m["id"]: m["id"] for m in ws.config.team}
        self._names = _index((str(m.get("name", "")), m["id"]) for m in ws.config.team)
        self._emails = _index((str(m.get("email", "")).casefold(), m["id"]) for m in ws.config.team)
        self._customer_names = None

    def team(self, text: str):
        if text in self.members:
            return text, None, None
        for index, key, what in ((self._names, text, "named"), (self._emails, text.casefold(), "with the e-mail")):
            ids = index.get(key)
            if ids and len(ids) == 1:
                return ids[0], None, None
            if ids:
                return None, "bad-value", f"{len(ids)} team members are {what} {text!r} ({', '.join(ids)}); give the id"
        return None, "unknown-ref", f"no team member {text!r} (an id, name or e-mail of the team in salesctl.yaml)"

    def customer(self, text: str):
        if self.ws.get("customers", text) is not None:
            return text, None, None
        if self._customer_names is None:
            self._customer_names = _index((str(r.get("name")), r.id) for r in self.ws.records["customers"]
                                          if r.get("name") is not None and r.id is not None)
        ids = self._customer_names.get(text)
        if ids and len(ids) == 1:
            return ids[0], None, None
        if ids:
            return None, "bad-value", f"{len(ids)} customers are named {text!r} ({', '.join(ids)}); give the id"
        return None, "unknown-ref", f"no customer {text!r} (an id or the exact name of a customer)"

    def record(self, collection: str, text: str):
        typed, code, message = F.parse_id(text)
        if code:
            return typed, code, message
        if self.ws.get(collection, typed) is None:
            return None, "unknown-ref", f"no {collection[:-1]} {typed!r}"
        return typed, None, None


def _index(pairs) -> dict:
    found: dict = {}
    for key, value in pairs:
        if key:
            found.setdefault(key, []).append(value)
    return found


def convert(spec, cell, lookup: Lookup, config):
    """A non-empty cell as a value of the field `spec`."""
    kind = spec.kind
    if kind == "date":
        return to_date(cell)
    if kind == "amount":
        return to_amount(cell)
    if kind == "number":
        return to_number(cell)
    if kind == "int":
        return to_int(cell, spec)
    if kind == "bool":
        return to_bool(cell)
    if kind == "enum":
        choices = tuple(config.rules["approval_chain"]) if spec.choices == "approval_chain" else spec.choices
        return to_enum(cell, choices)
    if kind == "list":
        return to_list(cell)
    text = text_of(cell)
    if kind == "id":
        return F.parse_id(text)
    if kind == "ref":
        if spec.ref == "team":
            return lookup.team(text)
        if spec.ref == "customers":
            return lookup.customer(text)
        return lookup.record(spec.ref, text)
    return text, None, None
