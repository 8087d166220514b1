"""Property-based tests: whatever the input, a result or a clear error — never a traceback,
a hang or a wrong total.

Each property names what any input must satisfy; hypothesis looks for an input that breaks it.
Examples are kept modest (at most 200 each, no per-example deadline) so the file runs in well
under a minute on 2 cores.
"""

from __future__ import annotations

import marshal
import ntpath
import posixpath
import tempfile
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from salesctl import derive
from salesctl.model.config import load_config
from salesctl.draft.filters import cny_upper, money
from salesctl.model.fields import DATE_MAX, DATE_MIN, MAX_AMOUNT, parse_amount, parse_date, parse_id
from salesctl.render.output import to_json
from salesctl.load.parse import parse_bytes
from salesctl.errors import PeriodError
from salesctl.model.periods import parse_period, period_range
from salesctl.model.problems import CODES
from salesctl.errors import QueryError
from salesctl.query.query import compile_query
from salesctl.model.records import COLLECTIONS
from salesctl.reports.kpi import kpi_report
from salesctl.reports.overdue import overdue_report
from salesctl.reports.review import review_report
from salesctl.load.pipeline import load
from salesctl.load.paths import listing_order

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORKSPACES = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CENT = Decimal("0.01")


class MemorySource:
    """A workspace held in memory: `load(root, source=...)` reads it like files on disk."""

    def __init__(self, files: dict[str, bytes]):
        self._files = files
        self.label = "memory"

    def files(self):
        """In the order every source lists files (`paths.listing_order`), which loads rely on."""
        return [(rel, ("memory", index)) for index, rel in enumerate(sorted(self._files, key=listing_order))]

    def read(self, rel):
        return self._files[rel]


def _yaml_text(data) -> bytes:
    yaml = YAML(typ="safe")  # the C emitter: the pure one writes `{a: x?}`, which libyaml refuses
    yaml.allow_unicode = True
    import io

    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue().encode("utf-8")


# --- strategies ----------------------------------------------------------------------------

HOSTILE_TEXT = st.sampled_from([
    "", " ", "12,000", "-0", "-0.0", "1e309", ".nan", "NaN", "inf", "0x10", "1_000", "١٢٣",
    "../../etc/passwd", "/etc/passwd", "..", ".", "CUS-0001/../x", "a\x00b", "\u202eevil", "张伟",
    "2026-02-30", "2026-1-5", "0001-01-01", "9999-12-31", "2026-01-05T10:00:00", "20260105",
    "zhang\r\nBcc: evil@example.com", "x@y.com\nSubject: hi", "=?utf-8?b?SGk=?=", "<<<<<<< HEAD",
    "{{ 7*7 }}", "{% for %}", "' OR 1=1 --", "${HOME}", "$(rm -rf ~)", "A" * 70,
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20), HOSTILE_TEXT,
    st.dates(), st.decimals(places=2, allow_nan=False, allow_infinity=False, max_value=10**14, min_value=-10).map(float),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8) | HOSTILE_TEXT, inner, max_size=4)), max_leaves=12)

NEAR = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
# what --as-of accepts: any day salesctl can compute with, its ends included
AS_OF = st.one_of(NEAR, st.dates(min_value=DATE_MIN, max_value=DATE_MAX), st.sampled_from([DATE_MIN, DATE_MAX]))
RECORD_DAYS = st.one_of(NEAR, NEAR, NEAR, st.sampled_from([DATE_MIN, DATE_MAX, date(2999, 12, 25)]))
CENTS = st.integers(1, 10**8).map(lambda n: Decimal(n) / 100)
TEAM = ["lin", "zhang", "wang", "chen", "zhao"]
REPS = ["zhang", "wang"]
CHAIN = ["manager", "legal", "finance"]
APPROVER = {"manager": "lin", "legal": "chen", "finance": "zhao"}


def _plain(value):
    """YAML-ready: money as a plain number (exact: at most 15 digits), dates as ISO text."""
    if isinstance(value, Decimal):
        return float(value) if value != int(value) else int(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _split(draw, total: Decimal, parts: int) -> list[Decimal]:
    """`parts` amounts of at least 0.01 whose sum is at most `total`."""
    cents = int(total * 100)
    if cents < parts:
        return []
    cuts = sorted(draw(st.lists(st.integers(1, cents - 1), min_size=parts - 1, max_size=parts - 1, unique=True))) \
        if parts > 1 and cents > parts else []
    bounds = [0, *cuts, cents]
    amounts = [Decimal(b - a) / 100 for a, b in zip(bounds, bounds[1:]) if b > a]
    if draw(st.booleans()) and amounts:
        amounts[-1] -= Decimal(draw(st.integers(0, int(amounts[-1] * 100) - 1))) / 100  # leave some unscheduled
    return amounts


@st.composite
def valid_records(draw):
    """A consistent set of records (every reference resolves, every rule holds)."""
    customers = [{"id": f"C{n}", "name": draw(st.text(min_size=1, max_size=8)), "owner": draw(st.sampled_from(REPS)),
                  "created": draw(RECORD_DAYS),
                  **draw(st.fixed_dictionaries({}, optional={"tier": st.sampled_from("ABC"), "key": st.booleans(),
                                                             "status": st.sampled_from(["lead", "customer", "lost"]),
                                                             "follow_up_days": st.integers(1, 400)}))}
                 for n in range(draw(st.integers(1, 3)))]
    ids = [c["id"] for c in customers]
    visits = []
    for n in range(draw(st.integers(0, 4))):
        visit = {"id": f"V{n}", "customer": draw(st.sampled_from(ids)), "rep": draw(st.sampled_from(REPS)),
                 "date": draw(RECORD_DAYS), "channel": draw(st.sampled_from(["onsite", "phone", "wechat"])),
                 "effective": draw(st.booleans())}
        if draw(st.booleans()):
            visit["satisfaction"] = draw(st.integers(1, 5))
        if draw(st.booleans()):
            visit["next"] = {"date": draw(RECORD_DAYS), "action": "回访"}
        visits.append(visit)
    contracts, receivables = [], []
    for n in range(draw(st.integers(0, 3))):
        created = draw(NEAR)
        status = draw(st.sampled_from(["draft", "in_review", "approved", "signed", "completed", "terminated"]))
        items = [{"name": "培训", "quantity": draw(st.integers(1, 20)), "unit_price": draw(CENTS)}
                 for _ in range(draw(st.integers(1, 3)))]
        contract = {"id": f"K{n}", "customer": draw(st.sampled_from(ids)), "owner": draw(st.sampled_from(REPS)),
                    "title": "合同", "status": status, "created": created, "items": items,
                    "amount": sum((i["quantity"] * i["unit_price"] for i in items), Decimal(0))}
        day = created
        if status in ("approved", "signed", "completed"):
            contract["approvals"] = []
            for stage in CHAIN:
                day += timedelta(days=draw(st.integers(0, 5)))
                contract["approvals"].append({"stage": stage, "by": APPROVER[stage], "date": day, "decision": "approved"})
        elif status == "in_review" and draw(st.booleans()):
            day += timedelta(days=1)
            contract["approvals"] = [{"stage": "manager", "by": "lin", "date": day, "decision": "approved"}]
        if status in ("signed", "completed"):
            day += timedelta(days=draw(st.integers(0, 30)))
            contract["signed"] = day
        contracts.append(contract)
        for amount in _split(draw, contract["amount"], draw(st.integers(0, 3))):
            receivable = {"id": f"R{len(receivables)}", "contract": contract["id"], "amount": amount,
                          "due": draw(RECORD_DAYS)}
            payments = _split(draw, amount, draw(st.integers(0, 2)))
            if payments:
                receivable["payments"] = [{"date": draw(st.dates(day, date(2028, 12, 31))), "amount": p} for p in payments]
            if draw(st.booleans()):
                receivable["collection"] = [
                    {"date": draw(RECORD_DAYS), "by": contract["owner"],
                     "channel": draw(st.sampled_from(["phone", "email", "onsite", "agency"])),
                     **({"promised": draw(RECORD_DAYS)} if draw(st.booleans()) else {})}
                    for _ in range(draw(st.integers(1, 3)))]
                receivable["collection"].sort(key=lambda a: a["date"])
            if draw(st.integers(0, 9)) == 0:
                receivable["written_off"] = {"date": draw(RECORD_DAYS), "by": "zhao", "reason": "破产"}
            receivables.append(receivable)
    reviews = [{"id": f"RV{n}", "rep": draw(st.sampled_from(REPS)),
                "period": draw(st.sampled_from(["2026", "2026-Q3", "2026-07"])),
                "self": {"teamwork": draw(st.integers(0, 100))}, "manager": {"attitude": draw(st.integers(0, 100))}}
               for n in range(draw(st.integers(0, 2)))]
    return {"customers": customers, "visits": visits, "contracts": contracts, "receivables": receivables,
            "reviews": reviews}


@st.composite
def workspaces(draw):
    """The files of a small workspace: valid records, then a few spoiled by hostile values."""
    files = {"salesctl.yaml": _yaml_text({
        "company": {"name": "星河"},
        "team": [{"id": m, "name": m, "role": r, **({"manager": "lin"} if r == "rep" else {})}
                 for m, r in zip(TEAM, ["manager", "rep", "rep", "legal", "finance"])],
    })}
    collections = draw(valid_records())
    for collection, records in collections.items():
        for record in records:
            if draw(st.integers(0, 5)) == 0:  # spoil one field, or drop it
                name = draw(st.sampled_from(sorted(record)))
                if draw(st.booleans()):
                    record[name] = draw(VALUES)
                else:
                    del record[name]
        if records:
            files[f"{collection}/all.yaml"] = _yaml_text(_plain(records))
    if draw(st.integers(0, 3)) == 0:
        files["customers/junk.yaml"] = _yaml_text(_plain(draw(VALUES)))
    return files


def _load(files):
    return load(Path("/nonexistent-workspace"), source=MemorySource(files))


# --- the loader ----------------------------------------------------------------------------

def _check_parsed(parsed):
    assert all(code in CODES and line >= 1 and column >= 1 for code, line, column, _ in parsed.problems)
    if any(code in ("yaml-syntax", "not-utf8") for code, *_ in parsed.problems):
        assert parsed.records == []  # a file that does not parse adds no records
    marshal.dumps([(r.data, dict(r.positions)) for r in parsed.records])  # the cache can store it


@PROPERTY
@given(st.binary(max_size=2000))
@example(b"[" * 100_000 + b"]" * 100_000)  # once a segfault in the C composer
@example(b"\xef\xbb\xbf<<<<<<< HEAD\n")
@example(b"true: 1\n1: 2\n")  # once a false duplicate-key (True == 1)
def test_any_bytes_parse_to_data_or_problems(raw):
    _check_parsed(parse_bytes(raw))


YAMLISH = st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"#%@`,?\n\t 01.~<=") + ["\u2028", "\ufeff", "é", "张"]),
                  max_size=200)


@PROPERTY
@given(YAMLISH)
def test_yaml_like_text_parses_to_data_or_problems(text):
    _check_parsed(parse_bytes(text.encode("utf-8")))


JSONABLE = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**18), 10**18) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20)


@PROPERTY
@given(st.dictionaries(st.text(min_size=1, max_size=10), JSONABLE, max_size=5))
def test_what_is_written_is_what_is_read(data):
    """A mapping written as YAML comes back equal: no value is silently changed."""
    parsed = parse_bytes(_yaml_text(data))
    assert parsed.problems == []
    assert [r.data for r in parsed.records] == ([data] if data else [{}])


@WORKSPACES
@given(workspaces(), st.lists(AS_OF, min_size=1, max_size=3))
def test_any_workspace_loads_and_every_derived_value_lies_in_its_range(files, days):
    """Whatever the workspace, every derived field is computed and within its range; the values
    themselves are compared with a clerk's ledger below."""
    ws = _load(files)
    assert all(p.code in CODES and p.path in files or p.path.split("/")[0] in COLLECTIONS for p in ws.problems)
    usable = ws.usable()
    chain = ws.config.rules["approval_chain"]
    labels = ws.config.bucket_labels()
    for as_of in days:
        for record in usable:
            fields = derive.derived_fields(usable, record, as_of)
            if record.collection == "receivables":
                assert fields["status"] in ("written_off", "paid", "overdue", "partial", "open")
                assert Decimal(0) <= fields["paid"] <= record["amount"]  # valid records are never overpaid
                assert (fields["days_overdue"] > 0) == (fields["status"] == "overdue")
                assert fields["bucket"] in labels if fields["days_overdue"] else fields["bucket"] is None
            elif record.collection == "contracts":
                assert fields["pending_stage"] in (*chain, None)
                assert Decimal(0) <= fields["paid"] and fields["balance"] <= record["amount"]


@st.composite
def ledgers(draw):
    """One receivable as a clerk writes it down: an amount and payments in whole cents (never
    above the amount), the due day, maybe a write-off."""
    amount = draw(st.integers(1, 10**9))
    payments, left = [], amount
    for _ in range(draw(st.integers(0, 3))):
        if left:
            cents = draw(st.integers(1, left))
            payments.append((draw(NEAR), cents))
            left -= cents
    return amount, draw(NEAR), payments, draw(st.none() | NEAR)


def _clerk(amount: int, due: date, payments: list, written_off, as_of: date) -> tuple:
    """The receivable as of `as_of` from a ledger kept one day at a time, in cents: (paid, balance,
    status, days overdue, aging bucket). It shares no code with `derive`."""
    paid = days_late = 0
    day = min(due, as_of, *(when for when, _ in payments))
    while day <= as_of:
        paid += sum(cents for when, cents in payments if when == day)
        if day > due:
            days_late += 1
        day += timedelta(days=1)
    if written_off is not None and written_off <= as_of:
        status = "written_off"
    elif paid >= amount:
        status = "paid"
    elif days_late:
        status = "overdue"
    else:
        status = "partial" if paid else "open"
    late = days_late if status == "overdue" else 0
    bucket = (None if late == 0 else "1-30" if late <= 30 else "31-60" if late <= 60 else "61-90" if late <= 90
              else "91+")
    return paid, amount - paid, status, late, bucket


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


@PROPERTY
@given(ledgers(), NEAR)
@example((10000_00, date(2026, 3, 1), [(date(2026, 3, 1), 4000_00)], None), date(2026, 3, 1))  # due today: not late
@example((10000_00, date(2026, 3, 1), [(date(2026, 3, 31), 4000_00)], None), date(2026, 3, 31))  # 30 days: 1-30
@example((10000_00, date(2026, 3, 1), [], None), date(2026, 4, 1))  # 31 days: 31-60
@example((10000_00, date(2026, 3, 1), [(date(2026, 4, 1), 10000_00)], None), date(2026, 4, 1))  # paid that day
@example((10000_00, date(2026, 3, 1), [], date(2026, 5, 30)), date(2026, 5, 30))  # written off that day
def test_a_receivable_reads_as_the_clerks_ledger(ledger, as_of):
    amount, due, payments, written_off = ledger
    text = f"id: R-1\ncontract: CT-1\namount: {_money(amount)}\ndue: {due}\n"
    if payments:
        text += "payments:\n" + "".join(f"  - {{date: {when}, amount: {_money(cents)}}}\n" for when, cents in payments)
    if written_off is not None:
        text += f"written_off: {{date: {written_off}, by: zhao, reason: 破产}}\n"
    ws = _load({"salesctl.yaml": WRITER_CONFIG.encode(), "receivables/R-1.yaml": text.encode()})
    r = ws.get("receivables", "R-1")  # its contract does not exist (unknown-ref), which derive does not read
    paid, balance, status, late, bucket = _clerk(amount, due, payments, written_off, as_of)
    assert derive.receivable_paid(r, as_of) == Decimal(paid) / 100
    assert derive.receivable_balance(r, as_of) == Decimal(balance) / 100
    assert derive.receivable_status(r, as_of) == status
    assert derive.days_overdue(r, as_of) == late
    assert derive.bucket(derive.days_overdue(r, as_of), ws.config.rules["aging_buckets"]) == bucket


@FEW
@given(workspaces(), AS_OF, st.sampled_from(["2026", "2026-Q3", "2026-07", "2027-Q1"]))
def test_reports_give_a_result_and_their_totals_add_up(files, as_of, label):
    ws = _load(files).usable()
    document = overdue_report(ws, as_of)
    rows = document["rows"]
    assert document["totals"]["balance"] == sum((row["balance"] for row in rows), Decimal(0))
    assert document["totals"]["balance"] == sum(document["totals"]["buckets"].values(), Decimal(0))
    assert document["totals"]["count"] == len(rows)
    for by in ("customer", "owner"):
        grouped = overdue_report(ws, as_of, by=by)
        assert sum((g["balance"] for g in grouped["rows"]), Decimal(0)) == document["totals"]["balance"]
    period = parse_period(label)
    kpi = kpi_report(ws, period, as_of)
    assert kpi["total"]["signed_amount"] == sum((row["signed_amount"] for row in kpi["rows"]), Decimal(0))
    assert kpi["total"]["contracts"] == sum(row["contracts"] for row in kpi["rows"])
    kpi_report(ws, period, as_of, by="group")
    review_report(ws, as_of, period)
    to_json(document)


@PROPERTY
@given(st.dictionaries(st.sampled_from(["company", "currency", "locale", "team", "targets", "rules", "review",
                                        "smtp", "extra"]), VALUES, max_size=8),
       st.fixed_dictionaries({}, optional={
           "aging_buckets": st.lists(st.integers(-5, 10**6), max_size=4) | VALUES,
           "escalation": st.lists(st.fixed_dictionaries({"after_days": st.integers(-5, 10**12) | VALUES,
                                                         "action": st.sampled_from(["phone", "email", "legal", "x"])}),
                                  max_size=4),
           "due_soon_days": st.integers(-5, 10**12) | VALUES, "approval_stale_days": st.integers(-5, 10**12),
           "follow_up_days": st.dictionaries(st.sampled_from(["key", "A", "B", "C", "D"]), st.integers(-5, 10**12)),
           "approval_chain": st.lists(st.sampled_from(["manager", "legal", "finance", "rep", "boss"]), max_size=4)}),
       st.lists(st.fixed_dictionaries(
           {"id": st.sampled_from(TEAM) | VALUES, "name": st.text(max_size=5) | VALUES,
            "role": st.sampled_from(["rep", "manager", "legal", "boss"]) | VALUES},
           optional={"manager": st.sampled_from(TEAM) | VALUES, "group": st.sampled_from(["east", 1]) | VALUES,
                     "email": st.sampled_from(["a@b.cn", "a@b.cn\r\nBcc: c@d.cn"]) | VALUES}) | VALUES, max_size=4),
       AS_OF)
@example(raw={}, rules={}, team=[{"id": "zhang", "name": "张伟", "role": "rep", "manager": ["lin"]}],
         as_of=date(2026, 1, 1))  # once a TypeError in every command
@example(raw={}, rules={}, team=[{"id": "zhang", "name": "张伟", "role": "rep", "manager": 0}],
         as_of=date(2026, 1, 1))  # a manager id written as a number stayed a number
@example(raw={}, rules={}, team=[{"id": 0, "name": "零", "role": "rep", "manager": "zhang"}],
         as_of=date(2026, 1, 1))  # an unknown manager of a member whose id is a number: StopIteration
def test_any_config_gives_usable_settings(raw, rules, team, as_of):
    """Whatever salesctl.yaml says, the config is usable: bad values are problems, defaults stay."""
    if rules:
        raw["rules"] = rules
    if team:
        raw["team"] = team
    parsed = parse_bytes(_yaml_text(raw))
    config, problems = load_config(parsed.records[0].data if parsed.records else None,
                                   parsed.records[0].positions if parsed.records else {})
    assert all(p.code in ("bad-config", "unknown-field", "bad-email") for p in problems)
    edges = config.rules["aging_buckets"]
    assert edges == sorted(set(edges)) and all(isinstance(e, int) and e > 0 for e in edges)
    assert len(config.bucket_labels()) == len(edges) + 1
    for level in config.rules["escalation"]:
        as_of + timedelta(days=level["after_days"])  # every date the rules lead to exists
    as_of + timedelta(days=config.rules["due_soon_days"])
    for days in config.rules["follow_up_days"].values():
        as_of + timedelta(days=days)
    for member in config.team:
        assert isinstance(member["id"], str)
        assert member["manager"] is None or isinstance(member["manager"], str)
        assert member["group"] is None or isinstance(member["group"], str)
        assert member["email"] is None or "\n" not in member["email"] and "\r" not in member["email"]
    hash(tuple(m["group"] for m in config.team))  # reports group by it


# --- fields --------------------------------------------------------------------------------

@PROPERTY
@given(SCALARS | VALUES)
@example(float("nan"))
@example(float("inf"))
@example("12,000")
@example(-0.0)
def test_an_amount_is_exact_cents_in_range_or_a_clear_error(value):
    amount, code, message = parse_amount(value)
    if code:
        assert code == "bad-amount" and message and amount is None
    else:
        assert Decimal(0) <= amount <= MAX_AMOUNT and amount == amount.quantize(CENT)
        assert not amount.is_signed()  # -0.0 is 0, never "-0.00" in a report


@PROPERTY
@given(st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2))
def test_amounts_typed_in_yaml_are_read_to_the_cent(amount):
    """`amount: 1234.56` is exactly 1234.56, whatever float would make of it."""
    parsed = parse_bytes(f"amount: {amount}\n".encode())
    assert parse_amount(parsed.records[0].data["amount"])[0] == amount


@PROPERTY
@given(SCALARS)
@example("2026-02-29")
@example("2024-02-29")
def test_a_date_is_a_real_iso_date_or_a_clear_error(value):
    day, code, message = parse_date(value)
    assert (day is None) == bool(code)
    if code:
        assert code == "bad-date"
    elif isinstance(value, str):
        assert day.isoformat() == value.strip()


@pytest.mark.parametrize("value, accepted", [
    ("CUS-0001", "CUS-0001"), ("a", "a"), ("0", "0"), ("A.b_c-9", "A.b_c-9"), ("x.", "x."), ("a" * 64, "a" * 64),
    (2026, "2026"),  # a number written as an id reads as its digits
    ("a" * 65, None), ("", None), (".", None), ("..", None), (".hidden", None), ("-a", None), ("_a", None),
    ("a/b", None), ("a\\b", None), ("../x", None), ("/etc/passwd", None), ("a b", None), ("a:b", None),
    ("张伟", None), ("CUS-1\n", None), ("\nCUS-1", None), ("CUS\x001", None), (True, None), (None, None), (1.5, None),
])
def test_which_ids_are_accepted(value, accepted):
    typed, code, _ = parse_id(value)
    assert (typed, code is None) == (accepted, accepted is not None)


@PROPERTY
@given(SCALARS | st.text(st.characters(codec="ascii"), max_size=66))
@example("../../etc/passwd")
@example("CUS-1\n")
@example("..")
def test_an_id_can_never_name_another_path(value):
    """Writers build `<collection>/<id>.yaml`: whatever id is accepted, that path names a file
    directly in the collection folder, as POSIX and as Windows read a path."""
    typed, code, _ = parse_id(value)
    if code:
        return
    for flavour in (posixpath, ntpath):
        path = flavour.join("customers", f"{typed}.yaml")
        assert flavour.normpath(path) == path
        assert flavour.split(path) == ("customers", f"{typed}.yaml")
    assert typed.isascii() and typed.isprintable() and not typed.startswith(".")


# --- periods -------------------------------------------------------------------------------

@PROPERTY
@given(st.text(max_size=12) | st.from_regex(r"\A\d{4}(-(Q\d|\d{2}))?\Z"))
@example("0000")
@example("2026-00")
@example("2026-Q0")
@example("9999")
@example("1899")
@example("2999-12")
@example(" 2026-Q1 ")
def test_a_period_is_a_span_of_whole_days_or_a_clear_error(text):
    try:
        period = parse_period(text)
    except PeriodError as exc:
        assert str(exc)
        return
    assert period.start <= period.end
    assert period.start.day == 1 and (period.end + timedelta(days=1)).day == 1
    assert period.kind in ("year", "quarter", "month")
    assert parse_period(period.label) == period
    assert {"year": 12, "quarter": 3, "month": 1}[period.kind] == (
        (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1)


@PROPERTY
@given(st.dates(), st.dates())
def test_a_range_is_its_two_days_or_a_clear_error(start, end):
    try:
        period = period_range(start, end)
    except PeriodError:
        assert end < start or not DATE_MIN <= start <= end <= DATE_MAX
        return
    assert (period.start, period.end) == (start, end)


# --- cny_upper and money -------------------------------------------------------------------

_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def _read_upper(text: str) -> Decimal:
    """The amount a bank clerk reads from Chinese capitals (the inverse of cny_upper)."""
    match = re.fullmatch(r"(?:(.+)元)?(?:(.)角)?(?:零?(.)分)?(整)?", text)
    assert match, text
    yuan_text, jiao, fen, whole = match.groups()

    def section(s):
        total, digit = 0, 0
        for ch in s:
            if ch in _DIGIT:
                digit = _DIGIT[ch]
            elif ch in _UNIT:
                total += digit * _UNIT[ch]
                digit = 0
        return total + digit

    yuan = 0
    if yuan_text and yuan_text != "零":
        rest = yuan_text
        if "亿" in rest:
            high, rest = rest.rsplit("亿", 1)
            yuan += section_yi(high, section) * 10**8
        if "万" in rest:
            high, rest = rest.split("万", 1)
            yuan += section(high) * 10**4
        yuan += section(rest)
    assert bool(whole) == (jiao is None and fen is None)
    return Decimal(yuan) + Decimal(_DIGIT[jiao] if jiao else 0) / 10 + Decimal(_DIGIT[fen] if fen else 0) / 100


def section_yi(text, section):
    if "万" in text:
        high, rest = text.split("万", 1)
        return section(high) * 10**4 + section(rest)
    return section(text)


@PROPERTY
@given(st.decimals(min_value=0, max_value=Decimal("9999999999999.99"), places=2))
@example(Decimal("120000"))
@example(Decimal("1010.05"))
@example(Decimal("100000000.00"))
@example(Decimal("100010001.01"))
def test_cny_upper_reads_back_to_the_same_amount(amount):
    text = cny_upper(amount)
    assert set(text) <= set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")
    assert "零零" not in text and not text.startswith("零" if amount >= 1 else "x")
    assert _read_upper(text) == amount


@PROPERTY
@given(SCALARS | st.decimals(allow_nan=True, allow_infinity=True))
@example("12,000")
@example("1e309")
@example(Decimal("-0"))
def test_cny_upper_of_anything_is_capitals_or_a_value_error(value):
    try:
        text = cny_upper(value)
    except ValueError as exc:
        assert str(exc).startswith("cny_upper")
        return
    assert text.endswith(("整", "角", "分"))


@PROPERTY
@given(st.decimals(min_value=-(10**15), max_value=10**15, allow_nan=False, allow_infinity=False))
def test_money_is_the_amount_rounded_half_up_to_the_cent(amount):
    shown = money(amount)
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*\.\d\d", shown)
    assert Decimal(shown.replace(",", "")) == amount.quantize(CENT, rounding=ROUND_HALF_UP) + 0


# --- the query grammar ---------------------------------------------------------------------

QUERY_WORDS = st.sampled_from(["id", "name", "balance", "status", "due", "contacts.name", "next_step.date",
                               "payments.amount", "amount", "key", "tier", "nope", "", "a.b.c", "=", "!", "~"])
OPS = st.sampled_from(["=", "!=", ">", ">=", "<", "<=", "~", "==", "=>", " ", ""])
QUERY_VALUES = st.one_of(st.text(max_size=12), HOSTILE_TEXT,
                         st.sampled_from(["null", "NULL", "'x'", "\"\"", "(a+)+$", "[", "1e999999999", "NaN",
                                          "-0", "2026-02-30", "2026-01-05", "true", "overdue", "1-30"]))


@PROPERTY
@given(st.sampled_from(COLLECTIONS), st.lists(st.tuples(QUERY_WORDS, OPS, QUERY_VALUES).map("".join) | st.text(max_size=20),
                                              max_size=3),
       st.lists(QUERY_WORDS.map(lambda w: w) | st.just("-balance"), max_size=2))
def test_any_query_compiles_or_is_a_usage_error(collection, where, sort):
    from salesctl.model.config import Config

    try:
        compile_query(collection, Config(), where=where, sort=sort)
    except QueryError as exc:
        assert str(exc)


@FEW
@given(workspaces(), AS_OF, st.sampled_from(COLLECTIONS),
       st.lists(st.tuples(QUERY_WORDS, st.sampled_from(["=", "!=", ">", "<=", "~"]), QUERY_VALUES).map(" ".join),
                max_size=2),
       st.lists(QUERY_WORDS | st.just("-balance"), max_size=2))
def test_any_valid_query_runs_over_any_workspace(files, as_of, collection, where, sort):
    ws = _load(files).usable()
    try:
        query = compile_query(collection, ws.config, where=where, sort=sort)
    except QueryError:
        return
    rows = query.run(ws, as_of)
    assert len(rows) <= len(ws.records[collection])
    to_json(rows)


# --- writers: the schedule splitter and what `new` writes -----------------------------------

def _disk_workspace(directory: Path, files: dict) -> Path:
    for rel, text in files.items():
        (directory / rel).parent.mkdir(parents=True, exist_ok=True)
        (directory / rel).write_text(text, encoding="utf-8")
    return directory


WRITER_CONFIG = ("company: {name: 星河}\nteam:\n  - {id: lin, name: 林海, role: manager}\n"
                 "  - {id: zhang, name: 张伟, role: rep, manager: lin}\n")


def _plan_amounts(plan) -> list[Decimal]:
    amounts = []
    for change in plan.files:
        parsed = parse_bytes(change.after)
        assert parsed.problems == []
        for record in parsed.records:
            if record.data.get("contract") == "CT-1" and not change.before:
                amounts.append(parse_amount(record.data["amount"])[0])
    return amounts


@st.composite
def plans(draw):
    """(plan text, whether its percentages add up to exactly 100 %)."""
    count = draw(st.integers(1, 5))
    if draw(st.booleans()):  # percentages summing to 100.00 %
        cuts = sorted(draw(st.lists(st.integers(1, 9999), min_size=count - 1, max_size=count - 1, unique=True)))
        shares = [Decimal(b - a) / 100 for a, b in zip([0, *cuts], [*cuts, 10000])]
        texts, whole = [f"{s}%" for s in shares], True
    else:
        texts = [draw(st.integers(1, 10**4).map(lambda n: f"{Decimal(n) / 100}%")
                      | st.integers(1, 10**9).map(lambda n: str(Decimal(n) / 100))) for _ in range(count)]
        whole = False
    days = [draw(st.sampled_from(["2026-02-01", "signed", "end", "start+30", "signed+36500", "2026-03-01+7"]))
            for _ in texts]
    return ",".join(f"{t}@{d}" for t, d in zip(texts, days)), whole


@FEW
@given(st.integers(1, 10**14).map(lambda n: Decimal(n) / 100), plans())
@example(Decimal("100.00"), ("33.33%@signed,33.33%@signed,33.34%@signed", True))
@example(Decimal("0.01"), ("50%@signed,50%@signed", True))
@example(Decimal("100.01"), ("50%@signed,50%@signed", True))
def test_a_schedule_splits_the_amount_to_the_cent(amount, plan):
    """The parts never exceed the amount; a 100 % plan sums to it exactly, the last part taking
    the rounding; every part is whole cents, at least 0.01, or the plan is refused."""
    from salesctl.errors import BadInput, Refused
    from salesctl.write.writers import schedule

    text, whole = plan
    contract = (f"id: CT-1\ncustomer: C-1\nowner: zhang\ntitle: 合同\nstatus: draft\ncreated: 2026-01-05\n"
                f"signed: 2026-01-10\nstart: 2026-01-10\nend: 2026-12-31\n"
                f"items: [{{name: 培训, quantity: 1, unit_price: {amount}}}]\namount: {amount}\n")
    with tempfile.TemporaryDirectory() as directory:
        root = _disk_workspace(Path(directory), {
            "salesctl.yaml": WRITER_CONFIG, "contracts/CT-1.yaml": contract,
            "customers/C-1.yaml": "{id: C-1, name: 甲, owner: zhang, created: 2026-01-05}\n"})
        ws = load(root)
        assert ws.problems == []
        try:
            result = schedule(ws, "CT-1", text, on=date(2026, 1, 10))
        except (BadInput, Refused) as exc:
            event("plan refused")
            assert str(exc)
            if whole:  # only when a part comes to less than a cent
                shares = [Decimal(part.split("%")[0]) for part in text.split(",")]
                rounded = [(amount * p / 100).quantize(CENT, rounding=ROUND_HALF_UP) for p in shares[:-1]]
                assert min(rounded, default=CENT) < CENT or amount - sum(rounded) < CENT
            return
    event("plan written")
    amounts = _plan_amounts(result)
    assert len(amounts) == len(text.split(","))
    assert all(a >= Decimal("0.01") and a == a.quantize(CENT) for a in amounts)
    assert sum(amounts) <= amount
    if whole:
        assert sum(amounts) == amount


@PROPERTY
@given(st.text(max_size=40) | st.lists(st.sampled_from(["30%", "@", "signed", "+", "30", ",", "1e9", "-5", "%", "end",
                                                         "2026-02-30", "0", ".5", "99999999999999"]),
                                       max_size=8).map("".join))
def test_any_plan_text_parses_or_is_a_clear_usage_error(text):
    from salesctl.errors import BadInput
    from salesctl.write.writers import parse_plan

    try:
        parts = parse_plan(text)
    except BadInput as exc:
        assert str(exc).startswith("plan part")
        return
    assert parts and all(p.share > 0 and 0 <= p.days <= 36500 for p in parts)


WRITABLE_TEXT = st.text(st.characters(blacklist_characters="\x00\x85"), min_size=1, max_size=30) | HOSTILE_TEXT


def _written_name(name: str) -> str | None:
    """What the file `new customer name=NAME` writes reads back as; None when `new` refuses it."""
    from salesctl.errors import BadInput, Refused
    from salesctl.write.writers import draft_record, new

    with tempfile.TemporaryDirectory() as directory:
        root = _disk_workspace(Path(directory), {"salesctl.yaml": WRITER_CONFIG, "customers/.keep": ""})
        ws = load(root)
        try:
            record = draft_record(ws, "customers", [f"name={name}", "owner=zhang"], on=date(2026, 1, 5))
            plan = new(ws, "customers", record=record)
        except (BadInput, Refused) as exc:
            assert str(exc)
            return None
    (change,) = plan.files
    parsed = parse_bytes(change.after)
    assert parsed.problems == [], change.after
    return parsed.records[0].data["name"]


@FEW
@given(WRITABLE_TEXT.filter(lambda t: t.strip() and "\x00" not in t))
@example("0?")
@example("- x")
@example("&a *b")
@example("'\"#: x")
@example("甲\r\nBcc: victim@example.com")
@example("null")
@example("2026-01-05")
def test_what_new_writes_reads_back_as_typed(name):
    """`salesctl new customer name=TEXT` writes a file that parses back to exactly TEXT (stripped)."""
    written = _written_name(name)
    event("name refused" if written is None else "name written")
    assert written is None or written == name.strip()


def test_a_next_line_character_survives_new():
    assert _written_name("甲\x85乙") == "甲\x85乙"



# --- every writer, any text, block and flow files --------------------------------------------

STYLED_FILES = {  # each target twice: written in block style (…-B) and in flow style (…-F)
    "salesctl.yaml": WRITER_CONFIG,
    "customers/C-1.yaml": "id: C-1\nname: 甲\nowner: zhang\ncreated: 2026-01-05\ntags:\n  - 制造\n",
    "customers/block.yaml": "- id: C-2\n  name: 乙\n  owner: zhang\n  created: 2026-01-05\n",
    "customers/flow.yaml": "- {id: C-3, name: 丙, owner: zhang, created: 2026-01-05, tags: [物流]}\n",
    "contracts/CT-B.yaml": ("id: CT-B\ncustomer: C-1\nowner: zhang\ntitle: 甲\nstatus: draft\ncreated: 2026-01-05\n"
                            "items:\n  - name: 培训\n    quantity: 1\n    unit_price: 400000\namount: 400000\n"
                            "approvals:\n  - stage: manager\n    by: lin\n    date: 2026-01-06\n    decision: rejected\n"),
    "contracts/CT-F.yaml": ("{id: CT-F, customer: C-1, owner: zhang, title: 乙, status: draft, created: 2026-01-05, "
                            "items: [{name: 培训, quantity: 1, unit_price: 400000}], amount: 400000, "
                            "approvals: [{stage: manager, by: lin, date: 2026-01-06, decision: rejected}]}\n"),
    **{f"receivables/{rid}.yaml": (f"id: {rid}\ncontract: CT-{rid[-1]}\namount: 100000\ndue: 2026-02-01\n"
                                   f"payments:\n  - date: 2026-01-10\n    amount: 1\n"
                                   f"collection:\n  - date: 2026-01-10\n    by: zhang\n    channel: phone\n")
       for rid in ("PAY-B", "COL-B")},
    **{f"receivables/{rid}.yaml": (f"- {{id: {rid}, contract: CT-{rid[-1]}, amount: 100000, due: 2026-02-01, "
                                   f"payments: [{{date: 2026-01-10, amount: 1}}], "
                                   f"collection: [{{date: 2026-01-10, by: zhang, channel: phone}}]}}\n")
       for rid in ("PAY-F", "COL-F")},
}
NEW_CUSTOMERS = {"C-10": None, "C-11": "customers/block.yaml", "C-12": "customers/flow.yaml"}  # id -> --file


def _written_everywhere(text: str) -> dict:
    """Each writer's free text set to `text` in block and flow files, as the loader reads it back."""
    from salesctl.write import writers

    day = date(2026, 1, 7)
    with tempfile.TemporaryDirectory() as directory:
        root = _disk_workspace(Path(directory), STYLED_FILES)
        ws = load(root)
        assert [p for p in ws.problems if p.is_error] == []
        plans = [writers.pay(ws, rid, Decimal(1), on=day, method=text, ref=text) for rid in ("PAY-B", "PAY-F")]
        plans += [writers.collect(ws, rid, channel="email", by="zhang", on=day, note=text) for rid in ("COL-B", "COL-F")]
        plans += [writers.approve(ws, cid, stage="manager", by="lin", on=day, comment=text) for cid in ("CT-B", "CT-F")]
        if text.strip():
            for cid, file in NEW_CUSTOMERS.items():
                record = writers.draft_record(ws, "customers", [f"id={cid}", f"name={text}", "owner=zhang",
                                                                f"industry={text}", f"notes={text}"], on=day)
                plans.append(writers.new(ws, "customers", record=record, file=file))
        for plan in plans:
            for change in plan.files:
                (root / change.path).write_bytes(change.after)
        after = load(root)
    written = {}
    for rid in ("PAY-B", "PAY-F"):
        payment = after.get("receivables", rid)["payments"][-1]
        written[rid] = (payment["method"], payment["ref"])
    for rid in ("COL-B", "COL-F"):
        written[rid] = after.get("receivables", rid)["collection"][-1]["note"]
    for cid in ("CT-B", "CT-F"):
        written[cid] = after.get("contracts", cid)["approvals"][-1]["comment"]
    for cid in NEW_CUSTOMERS:
        customer = after.get("customers", cid)
        if customer is not None:
            written[cid] = (customer["name"], customer["industry"], customer["notes"])
    return written


@FEW
@given(st.text(st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), min_size=1, max_size=30)
       | HOSTILE_TEXT.filter(lambda t: t and "\x00" not in t))
@example("CMB:2611300012")
@example("https://pay.example.com/a?b=1#c")
@example("行业:制造, 'x' \"y\" #z")
@example("- {a}[b] &c *d !e %f @g `h")
@example("? x: y")
@example("0?")
@example("  007 ")
@example("1e3")
@example("yes")
@example("null")
@example("2026-01-01")
@example("1:20")
@example("<<")
@example("甲\x85乙\u2028丙")
def test_every_writer_writes_any_text_so_that_it_reads_back_equal(text):
    """pay --method/--ref, collect --note, approve --comment and new FIELD=TEXT, into files written
    in block style and in flow style: the loader reads back exactly the text given (for `new`,
    the text without the blanks around it, as FIELD=VALUE takes it)."""
    written = _written_everywhere(text)
    for rid in ("PAY-B", "PAY-F"):
        assert written[rid] == (text, text)
    for key in ("COL-B", "COL-F", "CT-B", "CT-F"):
        assert written[key] == text
    if text.strip():
        for cid in NEW_CUSTOMERS:
            assert written[cid] == (text.strip(),) * 3
