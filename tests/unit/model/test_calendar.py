"""Working days (the calendar), the buckets a period splits into, and the calendar period of a range.

The calendar is the National Day arrangement of 2026: October 1-7 off (the 3rd and 4th are a
weekend), Sunday September 20 and Saturday October 10 worked instead (调休).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesctl.model.periods import Calendar, buckets, calendar_period, parse_period, period_range

HOLIDAYS = frozenset(date(2026, 10, d) for d in (1, 2, 5, 6, 7))
NATIONAL_DAY = Calendar(HOLIDAYS, frozenset({date(2026, 9, 20), date(2026, 10, 10)}))


@pytest.mark.parametrize("day, workday", [
    (date(2026, 10, 1), False),   # Thursday, a holiday
    (date(2026, 10, 3), False),   # Saturday
    (date(2026, 10, 8), True),    # Thursday
    (date(2026, 10, 10), True),   # Saturday, a make-up workday
    (date(2026, 10, 11), False),  # Sunday
    (date(2026, 9, 20), True),    # Sunday, a make-up workday
])
def test_a_working_day_is_a_weekday_not_on_holiday_or_a_make_up_day(day, workday):
    assert NATIONAL_DAY.is_workday(day) is workday


def test_a_month_with_holidays_and_a_make_up_workday():
    # October 2026 has 22 weekdays (Thursday 1st to Friday 30th: 2 + 5 + 5 + 5 + 5), 5 of them holidays
    # (1, 2, 5, 6, 7), plus Saturday the 10th worked: 22 - 5 + 1 = 18.
    assert NATIONAL_DAY.workdays_in(date(2026, 10, 1), date(2026, 10, 31)) == 18
    # September 2026: 22 weekdays (Tuesday 1st: 4 + 5 + 5 + 5 + 3) plus Sunday the 20th = 23.
    assert NATIONAL_DAY.workdays_in(date(2026, 9, 1), date(2026, 9, 30)) == 23
    # The week of Monday 5 October: 5, 6, 7 off, 8 and 9 worked, Saturday 10 worked, Sunday 11 off = 3.
    assert NATIONAL_DAY.workdays_in(date(2026, 10, 5), date(2026, 10, 11)) == 3


def test_a_holiday_on_a_weekend_is_not_taken_off_twice():
    with_weekend = Calendar(HOLIDAYS | {date(2026, 10, 3), date(2026, 10, 4)}, NATIONAL_DAY.workdays)
    assert with_weekend.workdays_in(date(2026, 10, 1), date(2026, 10, 31)) == 18


def test_no_calendar_is_monday_to_friday_and_an_empty_range_has_none():
    assert Calendar().workdays_in(date(2026, 10, 1), date(2026, 10, 31)) == 22
    assert Calendar().workdays_in(date(2026, 10, 2), date(2026, 10, 1)) == 0
    assert Calendar().workdays_in(date(2026, 10, 3), date(2026, 10, 4)) == 0  # a weekend


@given(st.dates(date(2026, 9, 1), date(2026, 11, 30)), st.integers(0, 90))
def test_counting_agrees_with_looking_at_every_day(start, length):
    end = start + timedelta(days=length)
    assert NATIONAL_DAY.workdays_in(start, end) == sum(
        NATIONAL_DAY.is_workday(start + timedelta(days=i)) for i in range(length + 1))


# --- buckets --------------------------------------------------------------------------------

def spans(period, by):
    return [(b.label, b.start.isoformat(), b.end.isoformat()) for b in buckets(period, by)]


def test_iso_weeks_across_a_month_and_a_year_boundary():
    # 2026-12-01 is a Tuesday of week 49; 2026 has 53 ISO weeks, the last from Monday 28 December to
    # Sunday 3 January 2027, so the first days of January 2027 are week 2026-W53.
    assert spans(parse_period("2026-12"), "week") == [
        ("2026-W49", "2026-12-01", "2026-12-06"), ("2026-W50", "2026-12-07", "2026-12-13"),
        ("2026-W51", "2026-12-14", "2026-12-20"), ("2026-W52", "2026-12-21", "2026-12-27"),
        ("2026-W53", "2026-12-28", "2026-12-31")]
    assert spans(parse_period("2027-01"), "week") == [
        ("2026-W53", "2027-01-01", "2027-01-03"), ("2027-W01", "2027-01-04", "2027-01-10"),
        ("2027-W02", "2027-01-11", "2027-01-17"), ("2027-W03", "2027-01-18", "2027-01-24"),
        ("2027-W04", "2027-01-25", "2027-01-31")]
    across = period_range(date(2026, 12, 28), date(2027, 1, 3))
    assert spans(across, "week") == [("2026-W53", "2026-12-28", "2027-01-03")]


def test_months_and_days_are_clipped_to_the_period():
    assert spans(period_range(date(2026, 1, 15), date(2026, 3, 10)), "month") == [
        ("2026-01", "2026-01-15", "2026-01-31"), ("2026-02", "2026-02-01", "2026-02-28"),
        ("2026-03", "2026-03-01", "2026-03-10")]
    days = spans(parse_period("2026-02"), "day")
    assert len(days) == 28 and days[0] == ("2026-02-01", "2026-02-01", "2026-02-01")


def test_an_unknown_bucket_is_refused():
    with pytest.raises(ValueError):
        buckets(parse_period("2026-02"), "fortnight")


@pytest.mark.parametrize("start, end, label", [
    ("2026-10-01", "2026-10-31", "2026-10"),
    ("2026-07-01", "2026-09-30", "2026-Q3"),
    ("2026-01-01", "2026-12-31", "2026"),
    ("2026-10-01", "2026-10-30", None),
    ("2026-10-02", "2026-10-31", None),
    ("2026-10-01", "2026-11-30", None),   # two months are no calendar period
])
def test_the_calendar_period_of_a_range(start, end, label):
    found = calendar_period(period_range(date.fromisoformat(start), date.fromisoformat(end)))
    assert (found.label if found else None) == label


def test_a_calendar_period_is_itself():
    assert calendar_period(parse_period("2026-Q4")) == parse_period("2026-Q4")
