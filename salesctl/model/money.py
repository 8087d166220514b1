"""Money and fractions: amounts are `Decimal` with at most two decimals, never floats.

An amount a record may hold lies between 0 and `MAX_AMOUNT`; computed amounts (a target split
over months, a share of a contract) are rounded half up to the cent by `money`. A fraction that
reports show as a percentage is a `Ratio`; a mean or a score, a `Tenths` or `Hundredths`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
ZERO = Decimal("0")
MAX_AMOUNT = Decimal("9999999999999.99")


class Ratio(float):
    """A fraction (0.85): a number in JSON, a percentage (85.0%) in tables."""


class Fixed(float):
    """A figure rounded to `places` decimals and written with exactly that many in every format
    (JSON, YAML, CSV, tables, workbooks): 118.0 days, never 118 in one format and 118.0 in another."""

    places = 1

    def __str__(self):
        return format(float(self), f".{self.places}f")

    def __format__(self, spec):
        return format(float(self), spec) if spec else str(self)


class Tenths(Fixed):
    """A day count or a score: one decimal (avg_cycle_days 118.0, a review total 82.3)."""


class Hundredths(Fixed):
    """A satisfaction, on its scale of 1 to 5: two decimals (3.90)."""

    places = 2


def money(value: Decimal) -> Decimal:
    """An amount rounded half up to the cent, exactly whatever its size."""
    with localcontext() as ctx:
        ctx.prec = 60
        return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(value: Decimal) -> str:
    """An amount as people read it: thousands separators and two decimals (1,234,567.80)."""
    return f"{money(value):,.2f}"
