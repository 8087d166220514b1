"""salesctl.yaml settings of activity and pay: the holiday calendar, daily activity targets,
commission and bonus. `model.config` reads them with every other setting, through the same
checker: a wrong value is `bad-config`, an unknown key `unknown-field`, and the default stands.
"""

from __future__ import annotations

from decimal import Decimal

from . import fields as F
from .periods import Calendar

CALENDAR_KEYS = ("holidays", "workdays")
ACTIVITY_KEYS = ("calls", "effective")
# No `commission` key pays no commission: no tiers, no accelerator, no clawback.
DEFAULT_COMMISSION = {"base": "collected", "method": "marginal", "tiers": [], "threshold": None, "accelerator": None,
                      "clawback_rate": 0}
BASES = ("collected", "signed")
COMMISSION_METHODS = ("marginal", "whole")
TIER_KEYS = ("from", "rate")
ACCELERATOR_KEYS = ("attainment", "rate")
BONUS_KINDS = ("month", "quarter", "year")
RATE_PLACES = Decimal("0.0001")  # rates have at most 4 decimals (3.25% is 0.0325), so every output shows them exactly


def read_pay_settings(c, raw: dict, roles) -> None:
    """Check `calendar`, `activity`, `commission` and `bonus` into the config `c.cfg` being read."""
    _calendar(c, raw)
    _activity(c, raw, roles)
    _commission(c, raw)
    _bonus(c, raw)


def _known(c, mapping: dict, at: tuple, keys) -> dict:
    for key in mapping:
        if key not in keys:
            c.unknown(at + (key,), keys)
    return mapping


def _calendar(c, raw):
    calendar = _known(c, c.mapping(raw.get("calendar"), ("calendar",)) or {}, ("calendar",), CALENDAR_KEYS)
    days: dict = {key: {} for key in CALENDAR_KEYS}  # key -> date -> its index in the list
    for key in CALENDAR_KEYS:
        value = calendar.get(key)
        if value is not None and not isinstance(value, list):
            c.bad(("calendar", key), f"calendar.{key} must be a list of dates (YYYY-MM-DD)")
            continue
        for i, item in enumerate(value or ()):
            day, code, message = F.parse_date(item)
            if code:
                c.bad(("calendar", key, i), f"calendar.{key}: {message}")
            else:
                days[key].setdefault(day, i)
    for day, i in days["workdays"].items():
        if day in days["holidays"]:
            c.bad(("calendar", "workdays", i), f"calendar: {day} is both a holiday and a make-up workday")
    c.cfg.calendar = Calendar(frozenset(days["holidays"]), frozenset(days["workdays"]))


def _activity(c, raw, roles):
    activity = c.mapping(raw.get("activity"), ("activity",)) or {}
    members = {m["id"] for m in c.cfg.team}
    for name, targets in activity.items():
        at = ("activity", name)
        who = str(name) if isinstance(name, int) and not isinstance(name, bool) else name  # an id typed as a number
        if who not in members and who not in roles:
            c.bad(at, f"activity: {name!r} is neither a role ({', '.join(roles)}) nor a team member")
            continue
        out = {}
        for key, value in _known(c, c.mapping(targets, at) or {}, at, ACTIVITY_KEYS).items():
            if key in ACTIVITY_KEYS and value is not None:
                number = c.integer(value, at + (key,), maximum=100_000)
                if number is not None:
                    out[key] = number
        c.cfg.activity[who] = out


def _rate(c, value, at, maximum=1):
    """A fraction such as 0.03 (3%): a number from 0 to `maximum` with at most 4 decimals."""
    number = F.to_decimal(value)
    if number is None or not 0 <= number <= maximum or number != number.quantize(RATE_PLACES):
        c.bad(at, f"{'.'.join(map(str, at))}: {F._show(value)} is not a rate (a fraction from 0 to {maximum} "
                  "with at most 4 decimals, e.g. 0.03 for 3%)")
        return None
    return number + 0


def _commission(c, raw):
    if raw.get("commission") is None:
        return
    commission = _known(c, c.mapping(raw["commission"], ("commission",)) or {}, ("commission",), DEFAULT_COMMISSION)
    settings = c.cfg.commission
    for key, choices in (("base", BASES), ("method", COMMISSION_METHODS)):
        if key in commission:
            if commission[key] in choices:
                settings[key] = commission[key]
            else:
                c.bad(("commission", key), f"commission.{key} {commission[key]!r} is not one of {', '.join(choices)}")
    tiers = commission.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        c.bad(("commission", "tiers") if "tiers" in commission else ("commission",),
              "commission.tiers is required: a list of bands {from, rate}, e.g. [{from: 0, rate: 0.03}]")
    else:
        parsed = []
        for i, tier in enumerate(tiers):
            at = ("commission", "tiers", i)
            tier = _known(c, c.mapping(tier, at) or {}, at, TIER_KEYS)
            start, code, message = F.parse_amount(tier.get("from"))
            if code:
                c.bad(at + ("from",), f"commission.tiers.{i}.from: {message}")
            rate = _rate(c, tier.get("rate"), at + ("rate",))
            if code is None and rate is not None:
                parsed.append({"from": start, "rate": rate})
        starts = [t["from"] for t in parsed]
        if len(parsed) == len(tiers) and starts == sorted(set(starts)):
            settings["tiers"] = parsed
        elif len(parsed) == len(tiers):
            c.bad(("commission", "tiers"), "commission.tiers: each band's `from` must be above the previous one's")
    if commission.get("threshold") is not None:
        settings["threshold"] = _rate(c, commission["threshold"], ("commission", "threshold"), maximum=100)
    if commission.get("accelerator") is not None:
        at = ("commission", "accelerator")
        accelerator = _known(c, c.mapping(commission["accelerator"], at) or {}, at, ACCELERATOR_KEYS)
        attainment = _rate(c, accelerator.get("attainment"), at + ("attainment",), maximum=100)
        rate = _rate(c, accelerator.get("rate"), at + ("rate",))
        if attainment is not None and rate is not None:
            settings["accelerator"] = {"attainment": attainment, "rate": rate}
    if commission.get("clawback_rate") is not None:
        settings["clawback_rate"] = _rate(c, commission["clawback_rate"], ("commission", "clawback_rate")) or 0


def _bonus(c, raw):
    bonus = _known(c, c.mapping(raw.get("bonus"), ("bonus",)) or {}, ("bonus",), BONUS_KINDS)
    grades = c.cfg.review["grades"]
    for kind in BONUS_KINDS:
        amounts = {}
        for grade, amount in (c.mapping(bonus.get(kind), ("bonus", kind)) or {}).items():
            at = ("bonus", kind, grade)
            value, code, message = F.parse_amount(amount)
            if str(grade) not in grades:
                c.bad(at, f"bonus.{kind}: {grade!r} is not a grade of review.grades ({', '.join(grades)})")
            elif code:
                c.bad(at, f"bonus.{kind}.{grade}: {message}")
            else:
                amounts[str(grade)] = value
        if amounts:
            c.cfg.bonus[kind] = amounts
