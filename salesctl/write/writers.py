"""The writers (docs/writers.md: new, pay, collect, approve, schedule) as library calls.

Each call takes the workspace as loaded from disk and returns a `Plan`: the new bytes of every
file it would change, already checked against the whole workspace (`check`): a plan that would
add an error is refused (`Refused`). Nothing here touches the disk; `storage.apply` writes a plan.
Bad command-line values raise `BadInput` (a usage error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from .. import storage
from ..derive import approval_state, is_written_off, receivable_balance, scheduled_amount
from ..errors import BadInput, Refused
from ..load.parse import parse_bytes
from ..model import fields as F
from ..model.money import CENT, money
from ..model.problems import close_matches
from ..model.records import COLLECTION_CHANNELS, SCHEMAS, SINGULAR, items_total
from ..model.terms import terms_digest
from .args import amount_arg, date_arg, id_arg, text_arg
from .edit import YamlFile, new_file, render
from .ids import natural, next_id
from .plan import FileChange, Plan, check
from .style import Style

ORDER = {collection: list(schema) for collection, schema in SCHEMAS.items()}
DATED = {"customers": "created", "contracts": "created", "visits": "date"}  # filled with the entry date
NOTE = "# salesctl:"  # lines of the --edit buffer that are ours, not the record's


# --- reading and editing files --------------------------------------------------------------

class _Files:
    """The files one write touches, edited in memory."""

    def __init__(self, ws):
        self.ws = ws
        self.edited: dict[str, tuple[bytes | None, YamlFile]] = {}
        self.created: dict[str, str] = {}
        self.newest: dict[str, list] = {}  # collection -> [(path, text)] of its newest files, read once

    def samples(self, collection: str, exclude: str, count: int = 3) -> list[str]:
        """`_samples`, reading the collection's newest files once however many files one write edits."""
        if collection not in self.newest:
            self.newest[collection] = _newest_texts(self.ws, collection, count + 1)
        return [text for path, text in self.newest[collection] if path != exclude][:count]

    def open(self, rel: str, collection: str) -> YamlFile:
        if rel not in self.edited:
            _inside_root(self.ws.root, rel)
            before = _read(self.ws.root, rel)  # None: a new file of records
            doc = YamlFile.from_bytes(before or b"", name=rel, samples=self.samples(collection, rel))
            self.edited[rel] = (before, doc)
        return self.edited[rel][1]

    def edit(self, rel: str, collection: str, change):
        """Apply `change(doc)`; a file that does not allow it refuses the write (`EditError`)."""
        change(self.open(rel, collection))

    def create(self, rel: str, collection: str, *, record: dict | None = None, text: str | None = None):
        """A new one-record file: the `record` in the collection's style, or the user's `text`."""
        _inside_root(self.ws.root, rel)
        if _read(self.ws.root, rel) is not None or rel in self.created:
            raise Refused(f"{rel} already exists; nothing written")
        if text is None:
            text = new_file(record, _style(self.ws, collection, rel), name=rel)
        self.created[rel] = text

    def changes(self) -> list[FileChange]:
        changes = [FileChange(rel, before, doc.encode(), doc.parsed) for rel, (before, doc) in self.edited.items()]
        changes += [FileChange(rel, None, text.encode("utf-8")) for rel, text in self.created.items()]
        return changes


def _inside_root(root, rel: str):
    """Refuse a path that leads outside the workspace (a linked folder, say)."""
    base = Path(root).resolve()
    try:
        (base / rel).resolve().relative_to(base)
    except ValueError:
        raise Refused(f"{rel} leads outside the workspace; not written") from None


def _read(root, rel: str) -> bytes | None:
    try:
        return storage.read_file(Path(root) / rel, rel)
    except storage.Unsafe as exc:  # a FIFO where a record file would go: never waited on
        raise Refused(str(exc)) from None
    except OSError as exc:
        raise Refused(f"cannot read {rel}: {exc.strerror or exc}") from None


def _samples(ws, collection: str, exclude: str, count: int = 3) -> list[str]:
    """Other files of the collection (those of the newest ids), whose style new text follows."""
    return [text for path, text in _newest_texts(ws, collection, count + 1) if path != exclude][:count]


def _newest_texts(ws, collection: str, count: int) -> list[tuple[str, str]]:
    """(path, text) of the files holding the collection's newest ids, at most `count`."""
    paths = []
    for record in sorted(ws.records[collection], key=lambda r: natural(str(r.id)), reverse=True):
        if record.path not in paths:
            paths.append(record.path)
            if len(paths) == count:
                break
    texts = []
    for path in paths:
        try:
            texts.append((path, (_read(ws.root, path) or b"").decode("utf-8")))
        except (UnicodeDecodeError, Refused):
            continue
    return texts


def _style(ws, collection: str, exclude: str) -> Style:
    """The style of a new file: that of the collection's newest other files, else the defaults."""
    return Style.detect(*_samples(ws, collection, exclude))


def _record(ws, collection: str, record_id: str):
    record_id = id_arg(record_id, SINGULAR[collection])
    record = ws.get(collection, record_id)
    if record is None:
        raise BadInput(f"no {SINGULAR[collection]} {record_id!r} in the workspace")
    return record


def _money(value: Decimal) -> Decimal:
    """A computed amount as it is best written: 10800, or 10800.50."""
    value = money(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


# --- the writers ---------------------------------------------------------------------------

def pay(ws, receivable_id: str, amount: Decimal, *, on: date, method: str | None = None,
        ref: str | None = None, force: bool = False) -> Plan:
    """Record a payment on a receivable; the balance it reports is the one as of the day the
    workspace is read as of, whatever the payment's date."""
    receivable = _record(ws, "receivables", receivable_id)
    if is_written_off(receivable, on):
        raise Refused(f"{receivable.id} was written off on {receivable['written_off']['date']}; "
                      f"a payment cannot be recorded on it")
    entry = _without_none({"date": on, "amount": amount, "method": text_arg(method, "--method"),
                           "ref": text_arg(ref, "--ref")})
    files = _Files(ws)
    files.edit(receivable.path, "receivables",
               lambda doc: doc.append_entry(receivable.id, "payments", entry, ORDER["receivables"]))
    as_of = ws.as_of
    balance = receivable_balance(receivable, as_of) - (amount if on <= as_of else 0)
    plan = Plan(files.changes(), [f"{receivable.id}: payment of {amount:,.2f} on {on} recorded in {receivable.path} "
                                  f"(balance {balance:,.2f} as of {as_of})"])
    return check(ws, plan, force=force)


def collect(ws, receivable_id: str, *, channel: str, by: str, on: date, note: str | None = None,
            promised: date | None = None, force: bool = False) -> Plan:
    """Log a collection action on a receivable."""
    if channel not in COLLECTION_CHANNELS:
        raise BadInput(f"channel {channel!r} is not one of {', '.join(COLLECTION_CHANNELS)}")
    receivable = _record(ws, "receivables", receivable_id)
    entry = _without_none({"date": on, "by": by, "channel": channel, "note": text_arg(note, "--note"),
                           "promised": promised})
    files = _Files(ws)
    files.edit(receivable.path, "receivables",
               lambda doc: doc.append_entry(receivable.id, "collection", entry, ORDER["receivables"]))
    promise = f", promised {promised}" if promised else ""
    plan = Plan(files.changes(), [f"{receivable.id}: {channel} by {by} on {on}{promise} logged in {receivable.path}"])
    return check(ws, plan, force=force)


def approve(ws, contract_id: str, *, stage: str, by: str, on: date, reject: bool = False,
            comment: str | None = None, force: bool = False) -> Plan:
    """Approve (or reject) a contract at one stage of the approval chain, recording the terms
    decided on (`model.terms.terms_digest`).

    A draft contract goes to in_review; once every stage is approved it becomes approved. An
    approved contract whose terms changed after an approval goes through the chain again from
    that stage, back in review until every stage has approved the new terms. Only who has the
    authority for the stage (`derive.may_decide`) may decide it: `check` refuses the
    approval-authority warning such an entry would add.
    """
    chain = ws.config.rules["approval_chain"]
    if stage not in chain:
        raise BadInput(f"stage {stage!r} is not in the approval chain ({', '.join(chain)})")
    contract = _record(ws, "contracts", contract_id)
    currency = ws.config.currency
    status = contract.get("status")
    changed = status == "approved" and bool(approval_state(contract, chain, None, currency=currency).stale)
    if status not in ("draft", "in_review") and not changed:
        raise Refused(f"{contract.id} is {status or 'without a status'}; only draft and in_review contracts "
                      f"(and approved ones whose terms changed since) go through approval")
    decision = "rejected" if reject else "approved"
    entry = _without_none({"stage": stage, "by": by, "date": on, "decision": decision,
                           "comment": text_arg(comment, "--comment"), "terms": terms_digest(contract, currency)})
    after = {**contract.data, "approvals": [*contract.get("approvals", ()), entry]}
    if approval_state(after, chain, None, currency=currency).pending_stage is None:
        new_status = "approved"
    else:
        new_status = "in_review"
    files = _Files(ws)

    def change(doc):
        doc.append_entry(contract.id, "approvals", entry, ORDER["contracts"])
        if new_status != status:
            doc.set_value(contract.id, "status", new_status)

    files.edit(contract.path, "contracts", change)
    moved = f"; status {status} → {new_status}" if new_status != status else ""
    plan = Plan(files.changes(), [f"{contract.id}: stage {stage} {decision} by {by} on {on}{moved} ({contract.path})"])
    return check(ws, plan, force=force)


# --- new -----------------------------------------------------------------------------------


def draft_record(ws, collection: str, assignments, *, on: date) -> dict:
    """The record that `new` would add: FIELD=VALUE typed by the record format, plus defaults."""
    schema = SCHEMAS[collection]
    record: dict = {}
    for item in assignments:
        name, sep, value = str(item).partition("=")
        name = name.strip()
        if not sep or not name:
            raise BadInput(f"{item!r}: expected FIELD=VALUE")
        if name not in schema:
            guess = close_matches(name, schema)
            hint = f"; did you mean {guess[0]!r}?" if guess else ""
            raise BadInput(f"{SINGULAR[collection]} has no field {name!r}{hint}")
        if name in record:
            raise BadInput(f"{name} is given twice")
        record[name] = _typed_arg(name, schema[name], value)
    if collection in DATED:
        record.setdefault(DATED[collection], on)
    if collection == "contracts":
        record.setdefault("status", "draft")
        if "amount" not in record and isinstance(record.get("items"), list):
            total = _items_total(record["items"])
            if total is not None:
                record["amount"] = total
    if "id" not in record:
        record["id"] = next_id(ws, collection, on, record)
    return {name: record[name] for name in schema if name in record}


def _typed_arg(name: str, spec, text: str):
    value = text_arg(text, name).strip()
    if value == "":
        raise BadInput(f"{name}= needs a value")
    kind = spec.kind
    if kind == "id":
        return id_arg(value, name)
    if kind == "date":
        return date_arg(value, name)
    if kind == "amount":
        return amount_arg(value, name, allow_zero=True)
    if kind == "int":
        if not re.match(r"^[0-9]{1,9}$", value):
            raise BadInput(f"{name}: {value!r} is not a whole number (at most 9 digits)")
        return int(value)
    if kind == "bool":
        lowered = value.lower()
        if lowered not in ("true", "false", "yes", "no"):
            raise BadInput(f"{name}: {value!r} is not true or false")
        return lowered in ("true", "yes")
    if kind in ("list", "map", "scores"):
        if kind == "list" and spec.item.kind == "text" and not value.startswith("["):
            return [part.strip() for part in re.split(r"[,，]", value) if part.strip()]
        parsed = parse_bytes(f"v: {value}\n".encode("utf-8"))
        if parsed.problems or not parsed.records:
            raise BadInput(f"{name}: {value!r} is not a YAML value (write lists as [..], mappings as {{..}})")
        return _typed_plain(spec, parsed.records[0].data.get("v"))
    return value  # text, enum, ref, email, phone, period: the record checks say what is wrong


def _typed_plain(spec, value):
    """Dates and amounts inside a YAML value given on the command line, typed for writing."""
    if spec is None:
        return value
    if spec.kind == "list" and isinstance(value, list):
        return [_typed_plain(spec.item, item) for item in value]
    if spec.kind == "map" and isinstance(value, dict):
        return {k: _typed_plain(spec.schema.get(k), v) for k, v in value.items()}
    if spec.kind == "date" and isinstance(value, str):
        typed, code, _ = F.parse_date(value)
        return value if code else typed
    if spec.kind in ("amount", "number") and isinstance(value, float):
        exact = F.to_decimal(value)
        return value if exact is None else exact
    return value


def _items_total(items) -> Decimal | None:
    """The amount of items typed on the command line; None while they are not all numbers."""
    typed = []
    for item in items:
        if not isinstance(item, dict):
            return None
        quantity, price = F.to_decimal(item.get("quantity")), F.to_decimal(item.get("unit_price"))
        if quantity is None or price is None:
            return None
        typed.append({"quantity": quantity, "unit_price": price})
    return _money(items_total(typed))


def edit_text(ws, collection: str, record: dict | str, notes=()) -> str:
    """The --edit buffer: what the fields are, the problems of the last try, then the record."""
    described = []
    for name, spec in SCHEMAS[collection].items():
        choices = spec.choices if isinstance(spec.choices, tuple) else None
        described.append(name + ("*" if spec.required else "") + (f" ({'|'.join(choices)})" if choices else ""))
    header = [f"{NOTE} new {SINGULAR[collection]}: save to write it; empty the file to cancel",
              f"{NOTE} fields (* required): {', '.join(described)}"]
    header += [f"{NOTE} {note}" for note in notes]
    if isinstance(record, str):
        return "\n".join(header) + "\n" + strip_notes(record)
    blanks = [name for name, spec in SCHEMAS[collection].items() if spec.required and name not in record]
    ordered = {name: record[name] if name in record else None for name in SCHEMAS[collection]
               if name in record or name in blanks}
    ordered.update((name, value) for name, value in record.items() if name not in ordered)
    lines = render(ordered, _style(ws, collection, ""))
    body = "".join(f"{line.split(':', 1)[0]}:\n" if line.split(":", 1)[0] in blanks and line.rstrip().endswith(": null")
                   else line for line in lines)
    return "\n".join(header) + "\n" + body


def strip_notes(text: str) -> str:
    return "".join(line for line in text.splitlines(True) if not line.startswith(NOTE))


def new(ws, collection: str, *, record: dict | None = None, text: str | None = None,
        file: str | None = None, force: bool = False) -> Plan:
    """Add one record: a `record` from `draft_record`, or the YAML `text` written in the editor.
    A visit dated in the future, or a customer of a name another customer has, only with `force`."""
    if text is not None:
        text = strip_notes(text)
        parsed = parse_bytes(text.encode("utf-8"))
        if parsed.problems or len(parsed.records) != 1 or not parsed.single:
            detail = "; ".join(f"line {line}: {message}" for _, line, _, message in parsed.problems)
            raise Refused(f"the text must be one {SINGULAR[collection]} (a mapping of fields){': ' + detail if detail else ''}")
        record_id = parsed.records[0].data.get("id")
        if not isinstance(record_id, str) or not F.ID_PATTERN.fullmatch(record_id):
            raise Refused(f"the {SINGULAR[collection]} needs an id (letters, digits, '.', '_', '-')")
    else:
        record_id = str(record["id"])
    files = _Files(ws)
    if file is not None:
        files.edit(file, collection, lambda doc: doc.add_record(text if text is not None else record))
        where = file
    else:
        where = f"{collection}/{record_id}.yaml"
        files.create(where, collection, record=record, text=None if text is None else text.strip("\n") + "\n")
    plan = Plan(files.changes(), [f"{record_id}: new {SINGULAR[collection]} in {where}"], ids=[record_id])
    return check(ws, plan, force=force)


# --- schedule ------------------------------------------------------------------------------

_PART = re.compile(r"^(?P<value>[0-9]+(?:\.[0-9]+)?)(?P<percent>%?)@(?P<date>[0-9]{4}-?[0-9]{2}-?[0-9]{2}|[a-z]+)"
                   r"(?:\+(?P<days>[0-9]+))?$")
DATE_REFERENCES = ("signed", "start", "end")


@dataclass
class Part:
    share: Decimal  # a percentage of the contract amount, or an amount
    percent: bool
    reference: str | date  # a contract date field, or a date
    days: int


def parse_plan(plan: str) -> list[Part]:
    """`30%@signed,70%@end+30` -> parts; a part is N% or an amount, at a date (+ days)."""
    parts = []
    for number, text in enumerate(str(plan).split(","), 1):
        compact = re.sub(r"\s+", "", text)
        match = _PART.match(compact)
        if not match:
            raise BadInput(f"plan part {number} {text.strip()!r}: expected N%@DATE or AMOUNT@DATE, DATE being "
                           f"YYYY-MM-DD or signed/start/end, optionally +DAYS (30%@signed,70%@end+30)")
        reference = match["date"]
        if reference[0].isdigit():
            reference = date_arg(reference, f"plan part {number}")
        elif reference not in DATE_REFERENCES:
            raise BadInput(f"plan part {number}: {reference!r} is not a date, nor one of {', '.join(DATE_REFERENCES)}")
        days_text = match["days"] or "0"
        if len(days_text) > len(str(F.MAX_DAYS)) or int(days_text) > F.MAX_DAYS:
            raise BadInput(f"plan part {number}: +{days_text} days is too far")
        days = int(days_text)
        if match["percent"]:
            share = Decimal(match["value"])
            if share != share.quantize(CENT) or share == 0:
                raise BadInput(f"plan part {number}: {match['value']}% must be above 0 with at most 2 decimals")
        else:
            share = amount_arg(match["value"], f"plan part {number}")
        parts.append(Part(share, bool(match["percent"]), reference, days))
    return parts


def schedule(ws, contract_id: str, plan: str, *, on: date, file: str | None = None) -> Plan:
    """Create a contract's receivables from a payment plan; the last part absorbs the rounding."""
    parts = parse_plan(plan)
    contract = _record(ws, "contracts", contract_id)
    amount = contract.get("amount")
    if amount is None:
        raise Refused(f"{contract.id} has no valid amount to schedule")
    existing = ws.receivables_of(contract.id)
    scheduled = scheduled_amount(ws, contract)
    unscheduled = amount - scheduled
    exact = [amount * p.share / 100 if p.percent else p.share for p in parts]
    total = sum(exact, Decimal(0))
    if total > unscheduled:
        already = f" ({', '.join(str(r.id) for r in existing)} already schedule {scheduled:,.2f})" if existing else ""
        raise Refused(f"the plan schedules {total:,.2f}, above what is left of {contract.id}'s {amount:,.2f}: "
                      f"{unscheduled:,.2f}{already}")
    amounts = [_money(value) for value in exact]
    if total == unscheduled:
        amounts[-1] = unscheduled - sum(amounts[:-1], Decimal(0))
    for number, value in enumerate(amounts, 1):
        if value <= 0:
            raise Refused(f"plan part {number} comes to {value:,.2f}; every part must be at least 0.01")
    dues = []
    for number, part in enumerate(parts, 1):
        if isinstance(part.reference, date):
            base = part.reference
        else:
            base = contract.get(part.reference)
            if base is None:
                raise Refused(f"{contract.id} has no {part.reference!r} date (plan part {number})")
        try:
            dues.append(base + timedelta(days=part.days))
        except OverflowError:
            raise BadInput(f"plan part {number}: the date is out of range") from None
    files = _Files(ws)
    ids, summary = [], []
    for value, due in zip(amounts, dues):
        record_id = next_id(ws, "receivables", on, taken=ids)
        record = {"id": record_id, "contract": contract.id, "amount": _money(value), "due": due}
        if file is not None:
            files.edit(file, "receivables", lambda doc, record=record: doc.add_record(record))
            where = file
        else:
            where = f"receivables/{record_id}.yaml"
            files.create(where, "receivables", record=record)
        ids.append(record_id)
        summary.append(f"{record_id}: {value:,.2f} due {due} on {contract.id} ({where})")
    left = unscheduled - sum(amounts, Decimal(0))
    if left > 0:
        summary.append(f"{contract.id}: {left:,.2f} of {amount:,.2f} is still unscheduled")
    return check(ws, Plan(files.changes(), summary, ids=ids))


def _without_none(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if v is not None and v != ""}
