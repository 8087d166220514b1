"""Properties of the tier methods, for tiers whose rates rise band by band.

Bands start on whole hundreds of yuan and rates are whole tenths of a percent, as commission plans
are written. Each tier line is rounded to cents on its own, so a plan with bands a few cents wide
could make the marginal sum exceed the whole-band figure by a cent; with bands at least 100 yuan
wide and rates at least 0.1% apart, whole exceeds marginal by at least 100 x 0.1% = 0.10 before
rounding, more than the rounding of five lines can take back.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from salesctl.reports.commission import tier_lines

CENT = Decimal("0.01")


@st.composite
def rising_tiers(draw):
    count = draw(st.integers(1, 5))
    starts = [draw(st.integers(0, 100))]
    for _ in range(count - 1):
        starts.append(starts[-1] + draw(st.integers(1, 5000)))
    rates = sorted(draw(st.lists(st.integers(1, 300), min_size=count, max_size=count, unique=True)))
    return [{"from": Decimal(start * 100), "rate": Decimal(rate) / 1000} for start, rate in zip(starts, rates)]


def commission(base: Decimal, tiers: list, method: str) -> Decimal:
    return sum((line["commission"] for line in tier_lines(base, tiers, method)), Decimal(0))


def bases(tiers):
    top = int(tiers[-1]["from"] * 2 + 100000)
    return st.integers(0, top * 100).map(lambda cents: Decimal(cents) / 100)


@given(st.data())
def test_marginal_is_continuous_and_non_decreasing(data):
    tiers = data.draw(rising_tiers())
    low, high = sorted([data.draw(bases(tiers)), data.draw(bases(tiers))])
    assert commission(low, tiers, "marginal") <= commission(high, tiers, "marginal")
    # one more cent of base moves one line by at most rate x 0.01 <= 0.003 plus a cent of rounding
    assert commission(low + CENT, tiers, "marginal") - commission(low, tiers, "marginal") <= 2 * CENT
    for tier in tiers:  # no jump at any band edge
        edge = tier["from"]
        if edge >= CENT:
            assert commission(edge, tiers, "marginal") - commission(edge - CENT, tiers, "marginal") <= 2 * CENT
        assert commission(edge + CENT, tiers, "marginal") - commission(edge, tiers, "marginal") <= 2 * CENT


@given(st.data())
def test_whole_is_non_decreasing_and_never_below_marginal(data):
    tiers = data.draw(rising_tiers())
    low, high = sorted([data.draw(bases(tiers)), data.draw(bases(tiers))])
    assert commission(low, tiers, "whole") <= commission(high, tiers, "whole")
    edges = [tier["from"] + step for tier in tiers for step in (-CENT, 0, CENT, Decimal(100)) if tier["from"] + step >= 0]
    for base in (low, high, *edges):
        assert commission(base, tiers, "whole") >= commission(base, tiers, "marginal")
    for base in edges:  # at each band's start whole jumps up, never down
        assert commission(base, tiers, "whole") <= commission(base + CENT, tiers, "whole")
