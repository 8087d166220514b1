"""salesctl.yaml settings of the public pool (公海): when a neglected customer goes back to the pool,
what protects it, and the limits on claims. `model.config` reads them with every other setting,
through the same checker: a wrong value is `bad-config`, an unknown key `unknown-field`, and the
default stands.
"""

from __future__ import annotations

from . import fields as F

# No `pool` key: every limit off (null), `protect` and `warn_days` as below. `tiers` overrides
# follow_up_days / deal_days per tier.
DEFAULT_POOL = {
    "follow_up_days": None, "deal_days": None, "tiers": {}, "protect": ["key", "open_contract"], "warn_days": 3,
    "reclaim_days": None, "daily_claims": None, "max_customers": None,
}
POOL_TIERS = ("A", "B", "C")
POOL_TIER_KEYS = ("follow_up_days", "deal_days")
PROTECT = ("key", "open_contract")


def tier_limits(pool: dict, tier) -> tuple:
    """(follow_up_days, deal_days) of a customer tier: the tier's override of each, else the pool's."""
    override = pool["tiers"].get(tier, {})
    return override.get("follow_up_days", pool["follow_up_days"]), override.get("deal_days", pool["deal_days"])


def read_pool_settings(c, raw: dict) -> None:
    """Check `pool` into the config `c.cfg` being read. Null keeps a key's default, except for the
    two limits, where null means off (as in a tier's override, where an absent key means the
    pool's own limit)."""
    pool = c.mapping(raw.get("pool"), ("pool",)) or {}
    cfg = c.cfg.pool
    for key, value in pool.items():
        at = ("pool", key)
        if key not in DEFAULT_POOL:
            c.unknown(at, DEFAULT_POOL)
        elif key == "tiers":
            cfg["tiers"] = _tiers(c, value)
        elif key == "protect":
            if value is None:
                continue
            if not isinstance(value, list) or not all(isinstance(item, str) and item in PROTECT for item in value):
                c.bad(at, f"pool.protect must list what is never released ({', '.join(PROTECT)}), or be []")
            else:
                cfg["protect"] = list(dict.fromkeys(value))
        elif value is not None:
            days = c.integer(value, at, minimum=1 if key in POOL_TIER_KEYS else 0,
                             maximum=F.MAX_DAYS if key.endswith("_days") else None)
            if days is not None:
                cfg[key] = days


def _tiers(c, value) -> dict:
    tiers = c.mapping(value, ("pool", "tiers")) or {}
    out = {}
    for tier, limits in tiers.items():
        at = ("pool", "tiers", tier)
        if tier not in POOL_TIERS:
            c.unknown(at, POOL_TIERS)
            continue
        limits = c.mapping(limits, at) or {}
        out[tier] = {}
        for key, days in limits.items():
            if key not in POOL_TIER_KEYS:
                c.unknown(at + (key,), POOL_TIER_KEYS)
            elif days is None:
                out[tier][key] = None  # off for this tier
            else:
                days = c.integer(days, at + (key,), minimum=1, maximum=F.MAX_DAYS)
                if days is not None:
                    out[tier][key] = days
    return out
