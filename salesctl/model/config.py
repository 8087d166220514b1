"""salesctl.yaml: the workspace config with every default of docs/config.md and its own checks."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from . import fields as F
from .parsed import position
from .mailconfig import DEFAULT_SMTP, read_smtp
from .payconfig import DEFAULT_COMMISSION, read_pay_settings
from .periods import Calendar
from .poolconfig import DEFAULT_POOL, read_pool_settings
from .problems import Problem, close_matches, problem
from .records import COLLECTION_CHANNELS

CONFIG_FILE = "salesctl.yaml"
ROLES = ("rep", "lead", "manager", "legal", "finance", "admin")
LOCALES = ("zh_CN", "en_US")
METRICS = ("attainment", "satisfaction")
TARGET_KEYS = ("year", "Q1", "Q2", "Q3", "Q4") + tuple(f"{m:02d}" for m in range(1, 13))

DEFAULT_RULES = {
    "aging_buckets": [30, 60, 90],
    "due_soon_days": 7,
    "escalation": [
        {"after_days": 1, "action": "phone"},
        {"after_days": 7, "action": "email"},
        {"after_days": 30, "action": "onsite"},
        {"after_days": 90, "action": "agency"},
    ],
    "follow_up_days": {"key": 14, "A": 30, "B": 60, "C": 90},
    "approval_chain": ["manager", "legal", "finance"],
    "approval_stale_days": 3,
}
DEFAULT_REVIEW = {
    "self_weight": 30,
    "indicators": [
        {"name": "sales", "weight": 50, "metric": "attainment"},
        {"name": "satisfaction", "weight": 20, "metric": "satisfaction"},
        {"name": "teamwork", "weight": 15},
        {"name": "attitude", "weight": 15},
    ],
    "grades": {"A": 90, "B": 75, "C": 60, "D": 0},
}
CHANNELS = ("email", "wecom", "dingtalk")
NOTIFY_KEYS = ("via", "webhook_env", "secret_env")
DEFAULT_NOTIFY = [{"via": "email", "webhook_env": None, "secret_env": None}]
WEBHOOK_ENV = {"wecom": "SALESCTL_WECOM_WEBHOOK", "dingtalk": "SALESCTL_DINGTALK_WEBHOOK"}
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
URL_LIKE = re.compile(r"(?i)^\s*[a-z][a-z0-9+.-]*://|qyapi\.weixin\.qq\.com|oapi\.dingtalk\.com|access_token=")
SECRET_LIKE = re.compile(r"SEC[0-9a-fA-F]{32,}")  # a DingTalk robot secret: SEC and 64 hex digits
MOBILE = re.compile(r"[0-9+\- ]+")
TOP_KEYS = ("company", "currency", "locale", "timezone", "team", "targets", "rules", "review", "smtp", "notify",
            "calendar", "activity", "commission", "bonus", "pool")


@dataclass
class Config:
    company: dict = field(default_factory=dict)
    currency: str = "CNY"
    locale: str = "zh_CN"
    team: list = field(default_factory=list)
    targets: dict = field(default_factory=dict)  # year -> rep -> key -> Decimal
    rules: dict = field(default_factory=lambda: copy.deepcopy(DEFAULT_RULES))
    review: dict = field(default_factory=lambda: copy.deepcopy(DEFAULT_REVIEW))
    smtp: dict = field(default_factory=lambda: dict(DEFAULT_SMTP))
    notify: list = field(default_factory=lambda: copy.deepcopy(DEFAULT_NOTIFY))
    calendar: Calendar = field(default_factory=Calendar)
    activity: dict = field(default_factory=dict)  # role or team id -> {calls, effective}: daily targets
    commission: dict = field(default_factory=lambda: copy.deepcopy(DEFAULT_COMMISSION))
    bonus: dict = field(default_factory=dict)  # month|quarter|year -> grade -> Decimal
    timezone: str | None = None  # an IANA name; None: the system's
    bad_emails: dict = field(default_factory=dict)  # member id -> what its `email` holds that is not an address
    pool: dict = field(default_factory=lambda: copy.deepcopy(DEFAULT_POOL))
    positions: dict = field(default_factory=dict, repr=False)

    def today(self) -> date:
        """What day it is where the workspace is: in its `timezone`, else in the system's."""
        if not self.timezone:
            return date.today()
        from zoneinfo import ZoneInfo  # the time zone database only for a workspace that names a zone

        return datetime.now(ZoneInfo(self.timezone)).date()

    @property
    def members(self) -> dict:
        return {m["id"]: m for m in self.team}

    def member(self, member_id):
        for m in self.team:
            if m["id"] == member_id:
                return m
        return None

    def bucket_labels(self) -> list[str]:
        return bucket_labels(self.rules["aging_buckets"])

    def subjective_indicators(self) -> list[str]:
        """The review indicators scored by people (self and manager), not from a metric."""
        return [i["name"] for i in self.review["indicators"] if not i.get("metric")]

    def daily_targets(self, member: dict) -> dict:
        """A member's daily activity targets {calls, effective}: those of its team id, else of its role."""
        return self.activity.get(member["id"], self.activity.get(member.get("role"), {}))

    def pos(self, *keys):
        return position(self.positions, keys)


def bucket_labels(edges: list) -> list[str]:
    """The aging bucket labels of `rules.aging_buckets`: [30, 60, 90] -> 1-30, 31-60, 61-90, 91+."""
    labels, low = [], 1
    for edge in edges:
        labels.append(f"{low}-{edge}")
        low = edge + 1
    labels.append(f"{low}+")
    return labels


class _Checker:
    def __init__(self, positions):
        self.positions = positions
        self.problems: list = []
        self.cfg = Config(positions=positions)

    def bad(self, at, message, code="bad-config"):
        self.problems.append(problem(code, CONFIG_FILE, self.cfg.pos(*at), message))

    def unknown(self, at, known):
        guess = close_matches(str(at[-1]), known)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        self.bad(at, f"unknown setting {'.'.join(map(str, at))!r}{hint}", code="unknown-field")

    def mapping(self, value, at) -> dict | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.bad(at, f"{'.'.join(map(str, at))} must be a mapping")
            return None
        return value

    def integer(self, value, at, minimum=0, maximum=None):
        typed, code, message = F.parse_int(value, minimum=minimum, maximum=maximum)
        if code:
            self.bad(at, f"{'.'.join(map(str, at))}: {message}")
        return typed


def read_config(parsed) -> tuple[Config, list, Problem | None]:
    """The config from salesctl.yaml as parsed (`model.parsed.ParsedFile`, or None when there is no file):
    (config, problems, the problem that leaves no usable config or None).

    A file that does not parse, holds nothing, or holds anything but one mapping gives no
    usable config: without the team and the rules no record can be checked, so the defaults
    stand in only for `validate` to report the rest.
    """
    if parsed is None:
        return Config(), [], None
    problems = [problem(code, CONFIG_FILE, (line, column), message) for code, line, column, message in parsed.problems]
    if not parsed.records:
        if not problems:
            problems.append(problem("bad-config", CONFIG_FILE, (1, 1), "salesctl.yaml is empty; company and team are required"))
        return Config(), problems, next((p for p in problems if p.is_error), problems[0])
    first = parsed.records[0]
    if len(parsed.records) > 1 or isinstance(first.data, dict) and not parsed.single:
        unusable = problem("bad-config", CONFIG_FILE, position(first.positions, ()),
                           "salesctl.yaml must be one mapping of settings, not a list or several documents")
        return Config(), [unusable, *problems], unusable
    config, config_problems = load_config(first.data, first.positions)
    return config, config_problems + problems, None if isinstance(first.data, dict) else config_problems[0]


def load_config(raw, positions: dict) -> tuple[Config, list]:
    """Config from parsed salesctl.yaml; every problem is `bad-config` (unknown keys warn)."""
    c = _Checker(positions)
    cfg = c.cfg
    if not isinstance(raw, dict):
        c.bad((), f"salesctl.yaml must be a mapping of settings, found {F._kind(raw)}")
        return cfg, c.problems
    for key in raw:
        if key not in TOP_KEYS:
            c.unknown((key,), TOP_KEYS)

    company = c.mapping(raw.get("company"), ("company",)) or {}
    if not isinstance(company.get("name"), str) or not company.get("name"):
        c.bad(("company",) if "company" in raw else (), "company.name is required")
    cfg.company = {
        "name": company.get("name"), "address": company.get("address"), "tax_id": _text(company.get("tax_id")),
        "phone": _text(company.get("phone")), "representative": company.get("representative"),
        "bank": {"name": None, "account": None},
    }
    bank = c.mapping(company.get("bank"), ("company", "bank")) or {}
    cfg.company["bank"] = {"name": bank.get("name"), "account": _text(bank.get("account"))}

    if "currency" in raw:
        if not isinstance(raw["currency"], str) or not raw["currency"]:
            c.bad(("currency",), "currency must be a currency code such as CNY")
        else:
            cfg.currency = raw["currency"]
    if "locale" in raw:
        if raw["locale"] not in LOCALES:
            c.bad(("locale",), f"locale {raw['locale']!r} is not one of {', '.join(LOCALES)}")
        else:
            cfg.locale = raw["locale"]

    if "timezone" in raw:
        cfg.timezone = _timezone(c, raw["timezone"])

    _team(c, raw)
    _targets(c, raw)
    _rules(c, raw)
    _review(c, raw)
    read_smtp(c, raw)
    _notify(c, raw)
    read_pay_settings(c, raw, ROLES)
    read_pool_settings(c, raw)
    return cfg, c.problems


def _text(value):
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _timezone(c: _Checker, name) -> str | None:
    """An IANA time zone name (Asia/Shanghai) that this machine knows, else None (the system's)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
        return name
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        c.bad(("timezone",), f"timezone {name!r} is not a known time zone (an IANA name such as Asia/Shanghai)")
        return None


def _team(c: _Checker, raw):
    team = raw.get("team")
    if not isinstance(team, list) or not team:
        c.bad(("team",) if "team" in raw else (), "team is required: a list of members {id, name, role}")
        return
    seen: dict = {}  # member id -> its index in the team list
    for i, m in enumerate(team):
        at = ("team", i)
        if not isinstance(m, dict):
            c.bad(at, "a team member must be a mapping {id, name, role, ...}")
            continue
        for key in m:
            if key not in ("id", "name", "role", "group", "manager", "email", "mobile"):
                c.unknown(at + (key,), ("id", "name", "role", "group", "manager", "email", "mobile"))
        member_id, code, message = F.parse_id(m.get("id"))
        if code:
            c.bad(at + ("id",), f"team member id: {message}")
            continue
        if member_id in seen:
            c.bad(at + ("id",), f"duplicate team member id {member_id!r}")
            continue
        seen[member_id] = i
        if m.get("role") not in ROLES:
            c.bad(at + ("role",), f"team member {member_id!r}: role {m.get('role')!r} is not one of {', '.join(ROLES)}")
        if not m.get("name"):
            c.bad(at, f"team member {member_id!r}: name is required")
        email = m.get("email")
        if email is not None and (not isinstance(email, str) or F.check_email(email)):
            c.problems.append(problem("bad-email", CONFIG_FILE, c.cfg.pos(*at, "email"),
                                      f"team member {member_id!r}: {F.check_email(str(email))}"))
            c.cfg.bad_emails[member_id] = str(email)
            email = None
        manager, group = m.get("manager"), _text(m.get("group"))
        if manager is not None:
            manager, code, _ = F.parse_id(manager)  # an id written as a number is its text, as for `id`
            if code:  # a list or mapping here broke every command
                c.bad(at + ("manager",), f"team member {member_id!r}: manager must be a team member id")
        if group is not None and not isinstance(group, str):
            c.bad(at + ("group",), f"team member {member_id!r}: group must be text")
            group = None
        mobile = _text(m.get("mobile"))
        if mobile is not None and (not isinstance(mobile, str) or not MOBILE.fullmatch(mobile)):
            c.bad(at + ("mobile",), f"team member {member_id!r}: mobile must be digits (with +, - or spaces)")
            mobile = None
        c.cfg.team.append({
            "id": member_id, "name": str(m.get("name") or member_id), "role": m.get("role"),
            "group": group, "manager": manager, "email": email, "mobile": mobile,
        })
    for m in c.cfg.team:
        if m["manager"] is not None and m["manager"] not in seen:
            c.bad(("team", seen[m["id"]], "manager"), f"team member {m['id']!r}: manager {m['manager']!r} is not a team member")


def _targets(c: _Checker, raw):
    targets = c.mapping(raw.get("targets"), ("targets",)) or {}
    members = {m["id"] for m in c.cfg.team}
    for year, reps in targets.items():
        try:
            year_number = int(year)
        except (TypeError, ValueError):
            c.bad(("targets", year), f"targets: {year!r} is not a year")
            continue
        reps = c.mapping(reps, ("targets", year)) or {}
        for rep, keys in reps.items():
            at = ("targets", year, rep)
            if rep not in members:
                c.bad(at, f"targets {year}: {rep!r} is not a team member")
            keys = c.mapping(keys, at) or {}
            out = {}
            for key, amount in keys.items():
                name = f"{key:02d}" if isinstance(key, int) and 1 <= key <= 12 else str(key)
                if name not in TARGET_KEYS:
                    c.bad(at + (key,), f"targets {year}.{rep}: {key!r} is not year, Q1..Q4 or a month 01..12")
                    continue
                value, code, message = F.parse_amount(amount)
                if code:
                    c.bad(at + (key,), f"targets {year}.{rep}.{name}: {message}")
                    continue
                out[name] = value
            c.cfg.targets.setdefault(year_number, {})[rep] = out


def _rules(c: _Checker, raw):
    rules = c.mapping(raw.get("rules"), ("rules",)) or {}
    cfg = c.cfg
    for key in rules:
        if key not in DEFAULT_RULES:
            c.unknown(("rules", key), DEFAULT_RULES)
    if "aging_buckets" in rules:
        edges = rules["aging_buckets"]
        if (not isinstance(edges, list) or not edges
                or not all(isinstance(e, int) and not isinstance(e, bool) and e > 0 for e in edges)
                or edges != sorted(set(edges))):
            c.bad(("rules", "aging_buckets"), "rules.aging_buckets must be increasing whole numbers of days, e.g. [30, 60, 90]")
        else:
            cfg.rules["aging_buckets"] = edges
    for key in ("due_soon_days", "approval_stale_days"):
        if key in rules:
            value = c.integer(rules[key], ("rules", key), maximum=F.MAX_DAYS)
            if value is not None:
                cfg.rules[key] = value
    if "escalation" in rules:
        levels = rules["escalation"]
        parsed = []
        if not isinstance(levels, list):
            c.bad(("rules", "escalation"), "rules.escalation must be a list of {after_days, action}")
        else:
            for i, level in enumerate(levels):
                at = ("rules", "escalation", i)
                if not isinstance(level, dict):
                    c.bad(at, "an escalation level is {after_days, action}")
                    continue
                days = c.integer(level.get("after_days"), at + ("after_days",), maximum=F.MAX_DAYS)
                if level.get("action") not in COLLECTION_CHANNELS:
                    c.bad(at + ("action",), f"escalation action {level.get('action')!r} is not one of {', '.join(COLLECTION_CHANNELS)}")
                    continue
                if days is not None:
                    parsed.append({"after_days": days, "action": level["action"]})
            if [p["after_days"] for p in parsed] != sorted({p["after_days"] for p in parsed}):
                c.bad(("rules", "escalation"), "rules.escalation levels must have increasing after_days")
            else:
                cfg.rules["escalation"] = parsed
    if "follow_up_days" in rules:
        fud = c.mapping(rules["follow_up_days"], ("rules", "follow_up_days")) or {}
        for key, value in fud.items():
            if key not in ("key", "A", "B", "C"):
                c.unknown(("rules", "follow_up_days", key), ("key", "A", "B", "C"))
                continue
            days = c.integer(value, ("rules", "follow_up_days", key), minimum=1, maximum=F.MAX_DAYS)
            if days is not None:
                cfg.rules["follow_up_days"][key] = days
    if "approval_chain" in rules:
        chain = rules["approval_chain"]
        if (not isinstance(chain, list) or not chain or len(set(map(str, chain))) != len(chain)
                or not all(stage in ROLES for stage in chain)):
            c.bad(("rules", "approval_chain"), f"rules.approval_chain must list distinct roles ({', '.join(ROLES)})")
        else:
            cfg.rules["approval_chain"] = chain


def _review(c: _Checker, raw):
    review = c.mapping(raw.get("review"), ("review",)) or {}
    cfg = c.cfg
    for key in review:
        if key not in DEFAULT_REVIEW:
            c.unknown(("review", key), DEFAULT_REVIEW)
    if "self_weight" in review:
        weight = c.integer(review["self_weight"], ("review", "self_weight"), 0, 100)
        if weight is not None:
            cfg.review["self_weight"] = weight
    if "indicators" in review:
        indicators = review["indicators"]
        parsed, ok = [], isinstance(indicators, list) and bool(indicators)
        for i, ind in enumerate(indicators if isinstance(indicators, list) else []):
            at = ("review", "indicators", i)
            if not isinstance(ind, dict) or not isinstance(ind.get("name"), str):
                c.bad(at, "an indicator is {name, weight, metric}")
                ok = False
                continue
            weight, code, message = F.parse_number(ind.get("weight"))
            if code:
                c.bad(at + ("weight",), f"indicator {ind['name']!r}: weight {message}")
                ok = False
                continue
            metric = ind.get("metric")
            if metric is not None and metric not in METRICS:
                c.bad(at + ("metric",), f"indicator {ind['name']!r}: metric {metric!r} is not one of {', '.join(METRICS)}")
                ok = False
                continue
            parsed.append({"name": ind["name"], "weight": weight, "metric": metric})
        if not ok:
            c.bad(("review", "indicators"), "review.indicators must be a list of {name, weight, metric}")
        elif sum(p["weight"] for p in parsed) != 100:
            c.bad(("review", "indicators"), f"review.indicators weights sum to {sum(p['weight'] for p in parsed)}, not 100")
        else:
            cfg.review["indicators"] = parsed
    if "grades" in review:
        grades = c.mapping(review["grades"], ("review", "grades")) or {}
        parsed = {}
        for name, minimum in grades.items():
            value, code, message = F.parse_number(minimum)
            if code:
                c.bad(("review", "grades", name), f"grade {name}: {message}")
            else:
                parsed[str(name)] = value
        if parsed:
            cfg.review["grades"] = parsed


def _notify(c: _Checker, raw):
    """Where `remind --send` delivers. Webhook URLs and secrets are read from the environment only:
    salesctl.yaml is committed, and whoever reads a webhook URL can post in the group."""
    if "notify" not in raw:
        return
    channels = raw["notify"]
    if not isinstance(channels, list) or not channels:
        c.bad(("notify",), "notify must list the channels, e.g. [{via: email}, {via: wecom}]")
        return
    parsed = []
    for i, entry in enumerate(channels):
        at = ("notify", i)
        if not isinstance(entry, dict):
            c.bad(at, "a notify channel is a mapping {via, webhook_env, secret_env}")
            continue
        before = len(c.problems)
        for key, value in entry.items():
            if isinstance(value, str) and URL_LIKE.search(value):
                c.bad(at + (key,), "notify: a webhook URL does not belong in salesctl.yaml (it is committed, and "
                                   "anyone who reads it can post in the group): put it in an environment variable "
                                   "and give that variable's name as webhook_env")
            elif key not in NOTIFY_KEYS:
                c.unknown(at + (key,), NOTIFY_KEYS)
        via = entry.get("via")
        if via not in CHANNELS:
            c.bad(at + ("via",) if "via" in entry else at, f"notify: via {via!r} is not one of {', '.join(CHANNELS)}")
        elif via in (p["via"] for p in parsed):
            c.bad(at + ("via",), f"notify: {via} is listed twice")
        channel = {"via": via, "webhook_env": None, "secret_env": None}
        for key in ("webhook_env", "secret_env"):
            name = entry.get(key)
            if name is None or via not in CHANNELS or isinstance(name, str) and URL_LIKE.search(name):
                continue
            if via == "email" or (via == "wecom" and key == "secret_env"):
                c.bad(at + (key,), f"notify: {via} takes no {key}"
                                   + (" (WeCom group robots do not sign their requests)" if via == "wecom" else ""))
            elif not isinstance(name, str) or not ENV_NAME.fullmatch(name):
                c.bad(at + (key,), f"notify: {key} {name!r} is not the name of an environment variable")
            elif SECRET_LIKE.fullmatch(name):
                c.bad(at + (key,), f"notify: {key} looks like the robot's secret itself; a secret does not belong in "
                                   f"salesctl.yaml: put it in an environment variable and give that variable's name")
            else:
                channel[key] = name
        if any(p.is_error for p in c.problems[before:]):
            continue  # a channel set up wrongly is not used (validate names the mistake)
        if via != "email" and channel["webhook_env"] is None:
            channel["webhook_env"] = WEBHOOK_ENV[via]
        parsed.append(channel)
    if parsed:
        c.cfg.notify = parsed
