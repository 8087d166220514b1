"""Report periods (`YYYY`, `YYYY-Qn`, `YYYY-MM`, or an explicit from/to range), the buckets a
period splits into (days, ISO weeks, months) and the working-day calendar."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, timedelta
from typing import NamedTuple

from ..errors import PeriodError

_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2})))?$")


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
    from .fields import DATE_MAX, DATE_MIN  # here: `report --help` reads BUCKETS and should import no more

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
    from .fields import DATE_MAX, DATE_MIN

    if start < DATE_MIN or end > DATE_MAX:
        raise PeriodError(f"{start}..{end}: dates must lie between {DATE_MIN} and {DATE_MAX}")
    return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def calendar_period(period: Period) -> Period | None:
    """The month, quarter or year a period is exactly (a --from/--to range may be one); None otherwise."""
    if period.kind != "range":
        return period
    start = period.start
    for label in (f"{start.year}-{start.month:02d}", quarter_of(start), str(start.year)):
        candidate = parse_period(label)
        if candidate.end == period.end and candidate.start == start:
            return candidate
    return None


BUCKETS = ("day", "week", "month")


def buckets(period: Period, by: str) -> list[Period]:
    """The days, ISO weeks (Monday to Sunday) or calendar months of a period, each clipped to it.

    Labels: `YYYY-MM-DD`, `YYYY-Www` (the ISO year and week, so 2027-01-01 is in 2026-W53), `YYYY-MM`.
    """
    out, cursor = [], period.start
    while cursor <= period.end:
        if by == "day":
            end, label = cursor, cursor.isoformat()
        elif by == "week":
            year, week, weekday = cursor.isocalendar()
            end, label = cursor + timedelta(days=7 - weekday), f"{year}-W{week:02d}"
        elif by == "month":
            end, label = date(cursor.year, cursor.month, monthrange(cursor.year, cursor.month)[1]), cursor.strftime("%Y-%m")
        else:
            raise ValueError(f"unknown bucket {by!r} (one of {', '.join(BUCKETS)})")
        end = min(end, period.end)
        out.append(Period(label, cursor, end))
        cursor = end + timedelta(days=1)
    return out


class Calendar(NamedTuple):
    """Working days: Monday to Friday, minus `holidays`, plus make-up `workdays` (调休)."""

    holidays: frozenset = frozenset()
    workdays: frozenset = frozenset()

    def is_workday(self, day: date) -> bool:
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)

    def workdays_in(self, start: date, end: date) -> int:
        """The working days from start to end, both included (0 when end is before start)."""
        days = (end - start).days + 1
        if days <= 0:
            return 0
        weeks, rest = divmod(days, 7)
        weekdays = 5 * weeks + sum(1 for i in range(rest) if (start.weekday() + i) % 7 < 5)
        off = sum(1 for d in self.holidays if start <= d <= end and d.weekday() < 5 and d not in self.workdays)
        extra = sum(1 for d in self.workdays if start <= d <= end and d.weekday() >= 5)
        return weekdays - off + extra
