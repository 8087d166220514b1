"""Report periods: `YYYY`, `YYYY-Qn`, `YYYY-MM`, or an explicit from/to range."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date
from typing import NamedTuple

from .fields import DATE_MAX, DATE_MIN

_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2})))?$")


class PeriodError(ValueError):
    pass


class Period(NamedTuple):
    label: str
    start: date
    end: date  # inclusive

    def __contains__(self, day) -> bool:  # type: ignore[override]
        return day is not None and self.start <= day <= self.end

    @property
    def kind(self) -> str:
        """year, quarter, month or range: what the target lookup keys on."""
        match = _PERIOD.match(self.label)
        if not match:
            return "range"
        return "quarter" if match.group(2) else "month" if match.group(3) else "year"


def parse_period(text: str) -> Period:
    match = _PERIOD.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise PeriodError(f"{text!r} is not a period (YYYY, YYYY-Qn or YYYY-MM)")
    year = int(match.group(1))
    if not DATE_MIN.year <= year <= DATE_MAX.year:
        raise PeriodError(f"{text!r}: year out of range ({DATE_MIN.year}-{DATE_MAX.year})")
    if match.group(2):
        quarter = int(match.group(2))
        first = 3 * quarter - 2
        return Period(text.strip(), date(year, first, 1), date(year, first + 2, monthrange(year, first + 2)[1]))
    if match.group(3):
        month = int(match.group(3))
        if not 1 <= month <= 12:
            raise PeriodError(f"{text!r}: month must be 01-12")
        return Period(text.strip(), date(year, month, 1), date(year, month, monthrange(year, month)[1]))
    return Period(text.strip(), date(year, 1, 1), date(year, 12, 31))


def period_range(start: date, end: date) -> Period:
    if end < start:
        raise PeriodError(f"--to {end} is before --from {start}")
    if start < DATE_MIN or end > DATE_MAX:
        raise PeriodError(f"{start}..{end}: dates must lie between {DATE_MIN} and {DATE_MAX}")
    return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
