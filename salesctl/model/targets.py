"""The signed-amount target of a rep for a period, from the `targets` of salesctl.yaml.

A target may be given for a year, a quarter or a month; the others are derived from it
(docs/config.md#target-lookup): a year is the sum of its quarters, a quarter the sum of its
months or a quarter of the year, a month a third of its quarter or a twelfth of the year.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal

from .money import ZERO, money
from .periods import Period


def target_for(config, rep: str, period: Period) -> Decimal | None:
    """The signed-amount target of `rep` for `period`; None when none can be derived.

    A year, quarter or month is looked up as docs/config.md#target-lookup says. A --from/--to range
    is the sum of the calendar years, quarters and months it is made of (largest first); a range
    that cuts a month has none.
    """
    parts = _calendar_parts(period.start, period.end)
    if parts is None:
        return None
    total = ZERO
    for kind, year, number in parts:
        keys = config.targets.get(year, {}).get(rep, {})
        if kind == "year":
            value = year_target(keys)
        elif kind == "quarter":
            value = quarter_target(keys, number)
        else:
            value = month_target(keys, number)
        if value is None:
            return None
        total += value
    return total


def year_target(keys: dict) -> Decimal | None:
    """Explicit `year`, else the sum of its quarters when every quarter is given (or all its months)."""
    if "year" in keys:
        return keys["year"]
    quarters = [_given_quarter(keys, q) for q in range(1, 5)]
    return sum(quarters, ZERO) if all(q is not None for q in quarters) else None


def quarter_target(keys: dict, quarter: int) -> Decimal | None:
    """Explicit `Qn`, else the sum of its months when all three are given, else year / 4."""
    given = _given_quarter(keys, quarter)
    if given is not None:
        return given
    return money(keys["year"] / 4) if "year" in keys else None


def month_target(keys: dict, month: int) -> Decimal | None:
    """Explicit `MM`, else its quarter / 3 when the quarter is given, else year / 12."""
    name = f"{month:02d}"
    if name in keys:
        return keys[name]
    quarter = f"Q{(month - 1) // 3 + 1}"
    if quarter in keys:
        return money(keys[quarter] / 3)
    return money(keys["year"] / 12) if "year" in keys else None


def _given_quarter(keys: dict, quarter: int) -> Decimal | None:
    if f"Q{quarter}" in keys:
        return keys[f"Q{quarter}"]
    months = [f"{m:02d}" for m in range(3 * quarter - 2, 3 * quarter + 1)]
    return sum((keys[m] for m in months), ZERO) if all(m in keys for m in months) else None


def _calendar_parts(start: date, end: date) -> list[tuple] | None:
    """[(year|quarter|month, year, number)] covering start..end exactly; None if a month is cut."""
    if start.day != 1:
        return None
    parts, cursor = [], start
    while cursor <= end:
        year, month = cursor.year, cursor.month
        if month == 1 and date(year, 12, 31) <= end:
            parts.append(("year", year, None))
            nxt = date(year, 12, 31)
        elif month % 3 == 1 and _month_end(year, month + 2) <= end:
            parts.append(("quarter", year, (month + 2) // 3))
            nxt = _month_end(year, month + 2)
        elif _month_end(year, month) <= end:
            parts.append(("month", year, month))
            nxt = _month_end(year, month)
        else:
            return None
        cursor = nxt + timedelta(days=1)
    return parts


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])
