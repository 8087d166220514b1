"""Typed field checks shared by records and the workspace config.

Each check takes a raw parsed value and returns `(typed_value, code, message)`: a typed value on
success, else the problem code and message. The record format itself lives in `records`.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from .money import CENT, MAX_AMOUNT

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMAIL_PATTERN = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[A-Za-z]{2,}$")
PHONE_CHARS = re.compile(r"^[0-9 +\-()]*$")
DIGEST_PATTERN = re.compile(r"^[0-9a-fA-F]{16}$")
# Dates far from date.min/max, so that adding any configured number of days never overflows
# (and a typed 0206 for 2026 is caught).
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2999, 12, 31)
MAX_DAYS = 36_500  # the largest day count a setting may hold: 100 years


_DATES: dict = {}


def parse_date(value):
    """A date field: a YAML date or a quoted ISO string, `YYYY-MM-DD` exactly."""
    if isinstance(value, date):
        if DATE_MIN <= value <= DATE_MAX:
            return value, None, None
        return None, "bad-date", f"{value} is out of range ({DATE_MIN} to {DATE_MAX})"
    known = _DATES.get(value) if isinstance(value, str) else None
    if known is not None:
        return known, None, None
    if not isinstance(value, str) or not DATE_PATTERN.match(value.strip()):
        return None, "bad-date", f"{_show(value)} is not a date (YYYY-MM-DD)"
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None, "bad-date", f"{_show(value)} is not a real date"
    if not DATE_MIN <= day <= DATE_MAX:
        return None, "bad-date", f"{_show(value)} is out of range ({DATE_MIN} to {DATE_MAX})"
    if len(_DATES) < 100_000:
        _DATES[value] = day
    return day, None, None


def to_decimal(value):
    """A YAML number as an exact Decimal; floats go through their shortest repr (what was typed)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = repr(value)
    try:
        result = Decimal(value)
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def parse_amount(value):
    """Money: a number, at least 0, at most 2 decimals."""
    number = to_decimal(value)
    if number is None:
        return None, "bad-amount", f"{_show(value)} is not an amount (a plain number such as 12000.50)"
    if number < 0:
        return None, "bad-amount", f"amount {_show(value)} is negative"
    if number > MAX_AMOUNT:
        return None, "bad-amount", f"amount {_show(value)} is too large"
    if number != number.quantize(CENT):
        return None, "bad-amount", f"amount {_show(value)} has more than 2 decimals"
    return abs(number), None, None  # abs: -0.0 is 0


def parse_number(value, *, minimum=0):
    """A quantity, weight or score: an int when whole (so it never prints as money), else a Decimal."""
    number = to_decimal(value)
    if number is None:
        return None, "bad-type", f"{_show(value)} is not a number"
    if number < minimum:
        return None, "bad-value", f"{_show(value)} is below {minimum}"
    if number > MAX_AMOUNT:
        return None, "bad-value", f"{_show(value)} is too large"
    number = number + 0  # -0 is 0
    return (int(number) if number == number.to_integral_value() else number), None, None


def parse_int(value, *, minimum=None, maximum=None):
    if isinstance(value, bool) or not isinstance(value, int):
        return None, "bad-type", f"{_show(value)} is not a whole number"
    if minimum is not None and value < minimum or maximum is not None and value > maximum:
        bounds = f"{minimum if minimum is not None else ''}–{maximum if maximum is not None else ''}"
        return None, "bad-value", f"{value} is out of range ({bounds})"
    return value, None, None


def parse_bool(value):
    if not isinstance(value, bool):
        return None, "bad-type", f"{_show(value)} is not true or false"
    return value, None, None


def parse_text(value):
    """Free text; a number typed where text is expected (size: 300) is kept as its text."""
    if isinstance(value, str):
        return value, None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value), None, None
    return None, "bad-type", f"expected text, found {_kind(value)}"


def parse_id(value):
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None, "bad-type", f"expected an id, found {_kind(value)}"
    if not ID_PATTERN.fullmatch(value):  # `$` alone would let a trailing newline through
        return None, "bad-value", f"{_show(value)} is not a valid id (letters, digits, '.', '_', '-'; at most 64)"
    return value, None, None


def parse_digest(value):
    """The digest of a contract's terms, as an approval records it: 16 hex digits, quoted when
    YAML would read them as a number."""
    if isinstance(value, str) and DIGEST_PATTERN.fullmatch(value):
        return value.lower(), None, None
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    hint = " (in quotes: YAML reads it as a number)" if number else ""
    return None, "bad-value", f"{_show(value)} is not a terms digest: 16 hex digits, 0-9 and a-f{hint}"


def check_email(value):
    """Message when an address is not of the form local@domain.tld, else None."""
    return None if EMAIL_PATTERN.match(value) else f"{_show(value)} is not an e-mail address (local@domain.tld)"


def check_phone(value):
    digits = sum(ch.isdigit() for ch in value)
    if not PHONE_CHARS.match(value) or digits < 7:
        return f"{_show(value)} is not a phone number (digits, spaces, +-(), at least 7 digits)"
    return None


def _kind(value) -> str:
    return {dict: "a mapping", list: "a list", type(None): "nothing", bool: "true/false"}.get(
        type(value), "text" if isinstance(value, str) else "a number"
    )


def _show(value) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
