"""Money and fractions: amounts are `Decimal` with at most two decimals, never floats.

An amount a record may hold lies between 0 and `MAX_AMOUNT`; computed amounts (a target split
over months, a share of a contract) are rounded half up to the cent by `money`. A fraction that
reports show as a percentage is a `Ratio`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
ZERO = Decimal("0")
MAX_AMOUNT = Decimal("9999999999999.99")


class Ratio(float):
    """A fraction (0.85): a number in JSON, a percentage (85.0%) in tables."""


def money(value: Decimal) -> Decimal:
    """An amount rounded half up to the cent, exactly whatever its size."""
    with localcontext() as ctx:
        ctx.prec = 60
        return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(value: Decimal) -> str:
    """An amount as people read it: thousands separators and two decimals (1,234,567.80)."""
    return f"{money(value):,.2f}"
