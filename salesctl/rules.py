"""Cross-record rules. Each rule is a function `(workspace) -> problems`; `RULES` is the list.

Field-level checks (types, enums, required fields) happen while records are built; what lives
here needs more than one field or more than one record. Each rule's docstring names the codes it
emits (docs/validation.md describes every code).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from .derive import approval_state, authority, is_counted, may_decide, scheduled_amount
from .model.money import money_text
from .model.problems import WARNING, problem
from .model.records import COLLECTIONS, items_total
from .model.terms import terms_digest


def _p(code, record, at: tuple, message, severity=None):
    return problem(code, record.path, record.pos(*at), message, record=record.key, severity=severity)


def duplicate_ids(ws):
    """An id used twice in a collection is an error. Ids that differ only in case are a warning:
    macOS and Windows ignore case in file names, so there the two records' files
    `<collection>/<id>.yaml` are one file. Codes: duplicate-id."""
    for collection in COLLECTIONS:
        records = ws.records[collection]
        ids = ws.ids(collection)
        if len(ids) == sum(1 for r in records if r.data.get("id") is not None) == len({i.lower() for i in ids}):
            continue  # every id once, whatever its case: the common case, decided without a look-up per record
        first, folded = {}, {}
        for record in records:
            record_id = record.data.get("id")
            if record_id is None:
                continue
            other = first.setdefault(record_id, record)
            if other is not record:
                yield _p("duplicate-id", record, ("id",),
                         f"id {record_id!r} is already used in {other.path}:{other.pos('id')[0]}")
                continue
            twin = folded.setdefault(record_id.lower(), record)
            if twin is not record:
                yield _p("duplicate-id", record, ("id",),
                         f"id {record_id!r} differs only in case from {twin.id!r} ({twin.path}:{twin.pos('id')[0]}): "
                         f"macOS and Windows ignore case in file names, so {collection}/{record_id}.yaml and "
                         f"{collection}/{twin.id}.yaml are one file there", severity="warning")


def id_filename(ws):
    """A record alone in its file is named after its id: `customers/CUS-0001.yaml` holds CUS-0001.
    Codes: id-filename."""
    for record in ws:
        if record.single_file:
            record_id = record.data.get("id")
            stem = record.path.rpartition("/")[2].rpartition(".")[0]  # paths use "/" on every system
            if stem != record_id and record_id is not None:
                yield _p("id-filename", record, ("id",), f"file name {stem!r} differs from the id {record_id!r}")


_REFS = {  # collection -> (field path, target) pairs; a list index is written as "*"
    "customers": [(("owner",), "team"), (("assignments", "*", "from"), "team"), (("assignments", "*", "to"), "team"),
                  (("assignments", "*", "by"), "team")],
    "visits": [(("customer",), "customers"), (("rep",), "team")],
    "contracts": [(("customer",), "customers"), (("owner",), "team"), (("approvals", "*", "by"), "team"),
                  (("terminated", "by"), "team")],
    "receivables": [(("contract",), "contracts"), (("collection", "*", "by"), "team"), (("written_off", "by"), "team")],
    "reviews": [(("rep",), "team"), (("reviewer",), "team")],
}


def _walk(value, path, at=()):
    if not path:
        yield at, value
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for i, item in enumerate(value or ()):
            yield from _walk(item, rest, at + (i,))
    elif isinstance(value, dict) and head in value:
        yield from _walk(value[head], rest, at + (head,))


def unknown_refs(ws):
    """Every reference (`_REFS`) names a customer, a contract or a team member that exists.
    Codes: unknown-ref."""
    team = {m["id"] for m in ws.config.team}
    names = {"customers": "customer", "contracts": "contract", "team": "team member"}
    known = {"team": team, "customers": ws.ids("customers"), "contracts": ws.ids("contracts")}
    for collection, refs in _REFS.items():
        for path, target in refs:
            ids = known[target]
            head = path[0]
            for record in ws.records[collection]:
                value = record.data.get(head)
                if value is None or len(path) == 1 and value in ids:
                    continue  # the common cases, without walking
                for at, ref in _walk(record.data, path):
                    if ref not in ids:
                        yield _p("unknown-ref", record, at, f"{'.'.join(map(str, at))}: no {names[target]} {ref!r}")


def amount_mismatch(ws):
    """A contract's amount is the sum of its items (`items_total`). Codes: amount-mismatch."""
    for contract in ws.records["contracts"]:
        if "amount" in contract.data and "items" in contract.data:
            total = items_total(contract["items"])
            if contract["amount"] != total:
                yield _p("amount-mismatch", contract, ("amount",),
                         f"amount {money_text(contract['amount'])} differs from the sum of its items {money_text(total)}")


def scheduling(ws):
    """The receivables of a contract sum to no more than its amount (`derive.scheduled_amount`), and
    to no less once it is counted. Codes: over-scheduled, under-scheduled."""
    for contract in ws.records["contracts"]:
        if "amount" not in contract.data:
            continue
        receivables = ws.receivables_of(contract.id)
        if not receivables and not is_counted(contract):
            continue
        scheduled = scheduled_amount(ws, contract)
        if scheduled > contract["amount"]:
            ids = ", ".join(r.id for r in receivables)
            yield _p("over-scheduled", contract, ("amount",),
                     f"receivables ({ids}) sum to {money_text(scheduled)}, above the contract amount "
                     f"{money_text(contract['amount'])}")
        elif scheduled < contract["amount"] and is_counted(contract):
            yield _p("under-scheduled", contract, ("amount",),
                     f"receivables sum to {money_text(scheduled)}, below the contract amount {money_text(contract['amount'])}")


def overpaid(ws):
    """A receivable's payments, whatever their dates, sum to no more than its amount. Codes: overpaid."""
    for receivable in ws.records["receivables"]:
        paid = sum((p["amount"] for p in receivable.get("payments", ())), Decimal("0"))
        if "amount" in receivable.data and paid > receivable["amount"]:
            yield _p("overpaid", receivable, ("payments",),
                     f"payments sum to {money_text(paid)}, above the receivable amount {money_text(receivable['amount'])}")


def approvals(ws):
    """Approval entries follow the chain (`derive.approval_state`): each stage once its
    predecessors are approved, dates never going back; a contract past approval has every stage
    approved; an approval in force that recorded the terms it approved still has them (an error
    until the contract is signed, a warning once signed, completed or terminated: an amendment
    nobody approved). Codes: approval-order, approval-missing, approval-stale.
    """
    chain = ws.config.rules["approval_chain"]
    currency = ws.config.currency
    for contract in ws.records["contracts"]:
        state = approval_state(contract, chain, None, currency=currency)
        previous = None
        for step in state.steps:
            entry, stage = step.entry, step.entry["stage"]
            index = chain.index(stage)
            at = ("approvals", step.index)
            if previous is not None and entry["date"] < previous.entry["date"]:
                yield _p("approval-order", contract, at + ("date",),
                         f"approval of stage {stage!r} dated {entry['date']} is before the previous entry ({previous.entry['date']})")
            missing = [s for s in chain[:index] if s not in step.standing]
            if missing:
                yield _p("approval-order", contract, at + ("stage",),
                         f"stage {stage!r} comes before {', '.join(repr(s) for s in missing)} approved it")
            elif entry["decision"] == "approved" and step.standing.get(stage, -1) > step.last_rejection:
                yield _p("approval-order", contract, at + ("stage",), f"stage {stage!r} is approved twice")
            elif previous is not None and index < chain.index(previous.entry["stage"]) \
                    and step.last_rejection < step.index - 1 \
                    and any(step.standing.get(s, -1) > step.last_rejection for s in chain[index + 1:]):
                yield _p("approval-order", contract, at + ("stage",),
                         f"stage {stage!r} after a later stage without a rejection in between")
            previous = step
        if contract.get("status") in ("approved", "signed", "completed"):
            lacking = [s for s in chain if s not in state.standing and s not in state.stale]
            if lacking:
                yield _p("approval-missing", contract, ("status",),
                         f"status {contract['status']!r} but not approved by {', '.join(lacking)}")
        if state.stale:
            yield from _stale(contract, state.stale, terms_digest(contract, currency))


def _stale(contract, stale: dict, terms: str):
    """approval-stale, charged to no record: the contract stays in the reports, in `show` and in
    the reminders that ask for the approval again."""
    if contract.get("status") in ("signed", "completed", "terminated"):
        severity, then = WARNING, "the contract was changed after approval and nobody approved the change"
    else:
        severity, then = None, "the stage must approve the contract again"
    for stage, index in sorted(stale.items(), key=lambda item: item[1]):
        entry = contract["approvals"][index]
        yield problem("approval-stale", contract.path, contract.pos("approvals", index, "terms"),
                      f"stage {stage!r} was approved by {entry['by']} on {entry['date']} for terms {entry['terms']}, "
                      f"but the terms are now {terms}: {then}", severity=severity)


def owner_history(ws):
    """A customer's `assignments` is the history of its owner: entries in date order, each taking the
    customer from where the previous one left it (`from` = the previous `to`) somewhere else
    (`to` ≠ `from`), and `owner` where the last one left it (null: the public pool).
    Codes: owner-history."""
    for customer in ws.records["customers"]:
        entries = customer.get("assignments")
        if not entries:
            continue
        previous = None
        for i, entry in enumerate(entries):
            at = ("assignments", i)
            if entry.get("to") == entry.get("from"):
                yield _p("owner-history", customer, at + ("to",),
                         f"assignments.{i}: from and to are both {_holder(entry.get('to'))}")
            if previous is not None:
                if entry["date"] < previous["date"]:
                    yield _p("owner-history", customer, at + ("date",),
                             f"assignments.{i}: dated {entry['date']}, before the entry above it ({previous['date']})")
                if entry.get("from") != previous.get("to"):
                    yield _p("owner-history", customer, at + ("from",),
                             f"assignments.{i}: from {_holder(entry.get('from'))}, but the entry above it gave the "
                             f"customer to {_holder(previous.get('to'))}")
            previous = entry
        if customer.get("owner") != previous.get("to"):
            yield _p("owner-history", customer, ("owner",) if "owner" in customer.data else ("assignments",),
                     f"owner is {_holder(customer.get('owner'))}, but the last entry of assignments "
                     f"({previous['date']}) gives the customer to {_holder(previous.get('to'))}")


def _holder(member) -> str:
    return repr(member) if member is not None else "the public pool (null)"


def date_order(ws):
    """A signed or completed contract has a signed date; a contract ends after it starts and is
    signed after it is created and after its last approval; a payment dated before its contract
    was signed is a warning. Codes: missing-field, date-order."""
    for contract in ws.records["contracts"]:
        d = contract.data
        if contract.get("status") in ("signed", "completed") and d.get("signed") is None and "status" in d:
            yield _p("missing-field", contract, ("status",), f"status {d['status']!r} requires the 'signed' date")
        if d.get("start") and d.get("end") and d["end"] < d["start"]:
            yield _p("date-order", contract, ("end",), f"end {d['end']} is before start {d['start']}")
        if d.get("signed") and d.get("created") and d["signed"] < d["created"]:
            yield _p("date-order", contract, ("signed",), f"signed {d['signed']} is before created {d['created']}")
        if d.get("completed") and d.get("signed") and d["completed"] < d["signed"]:
            yield _p("date-order", contract, ("completed",), f"completed {d['completed']} is before signed {d['signed']}")
        approvals = d.get("approvals") or ()
        if d.get("signed") and approvals:
            last = max(a["date"] for a in approvals)
            if d["signed"] < last:
                yield _p("date-order", contract, ("signed",), f"signed {d['signed']} is before its last approval ({last})")
    for receivable in ws.records["receivables"]:
        contract = ws.get("contracts", receivable.get("contract"))
        signed = contract.get("signed") if contract else None
        if signed is None:
            continue
        for i, payment in enumerate(receivable.get("payments", ())):
            if payment["date"] < signed:
                yield _p("date-order", receivable, ("payments", i, "date"),
                         f"payment dated {payment['date']} is before the contract was signed ({signed})", severity="warning")


def approval_authority(ws):
    """An approval or rejection by a team member without the authority for its stage
    (`derive.may_decide`): a warning, since the decision was taken (`approve` refuses to record such
    a one). Codes: approval-authority."""
    for contract in ws.records["contracts"]:
        for index, entry in enumerate(contract.get("approvals", ())):
            by, stage = entry["by"], entry["stage"]
            member = ws.member(by)
            if member is None or may_decide(ws, contract, stage, by):
                continue  # an unknown member is unknown-ref
            yield _p("approval-authority", contract, ("approvals", index, "by"),
                     f"stage {stage!r} {entry['decision']} by {by} ({member.get('role')}): "
                     f"{authority(ws, contract, stage)} decide it")


def future_dates(ws):
    """Payments, collection actions, approvals, visits and changes of owner dated after the day the
    workspace is read as of (`--as-of`, else today): written before they happened. Codes: future-date."""
    as_of = ws.as_of or ws.config.today()
    for record, at, what, day in _done_on(ws):
        if day > as_of:
            yield _p("future-date", record, at + ("date",), f"{what} dated {day} is in the future (after {as_of})")


def broken_promises(ws):
    """A collection action whose `promised` date is before the action's own date: a customer does not
    promise to have paid already; usually the two dates swapped or a typo. Codes: promise-before-action."""
    for receivable in ws.records["receivables"]:
        for i, action in enumerate(receivable.get("collection", ())):
            promised = action.get("promised")
            if promised is not None and promised < action["date"]:
                yield _p("promise-before-action", receivable, ("collection", i, "promised"),
                         f"promised {promised} is before the action it was given in ({action['date']})")


_DECISIONS = {"approved": "approval", "rejected": "rejection"}


def _done_on(ws):
    """(record, path, what, date) of every entry that says something was done on a day."""
    for visit in ws.records["visits"]:
        if visit.get("date") is not None:
            yield visit, (), "visit", visit["date"]
    for contract in ws.records["contracts"]:
        for i, entry in enumerate(contract.get("approvals", ())):
            yield contract, ("approvals", i), f"{_DECISIONS[entry['decision']]} of stage {entry['stage']!r}", entry["date"]
    for customer in ws.records["customers"]:
        for i, entry in enumerate(customer.get("assignments", ())):
            yield customer, ("assignments", i), "change of owner", entry["date"]
    for receivable in ws.records["receivables"]:
        for i, payment in enumerate(receivable.get("payments", ())):
            yield receivable, ("payments", i), "payment", payment["date"]
        for i, action in enumerate(receivable.get("collection", ())):
            yield receivable, ("collection", i), f"collection action ({action['channel']})", action["date"]


def name_key(name: str) -> str:
    """A customer name as compared for duplicates: NFKC (full-width letters and digits as ASCII)
    and no whitespace, so that `杭州云帆 网络科技有限公司` and `杭州云帆网络科技有限公司` are one."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def duplicate_names(ws):
    """Two customers with one name (`name_key`): one company chased by two reps (撞单), or one
    record kept twice; the later record is charged. Codes: duplicate-name."""
    first: dict = {}
    for customer in ws.records["customers"]:
        name = customer.get("name")
        if not isinstance(name, str):
            continue
        other = first.setdefault(name_key(name), customer)
        if other is not customer:
            yield _p("duplicate-name", customer, ("name",),
                     f"customer {name!r} is also {other.id} ({other.path}:{other.pos('name')[0]}, owner "
                     f"{other.get('owner') or 'none'}): one company, two records?")


def duplicate_reviews(ws):
    """Two reviews of one rep for one period: which one counts is unknown; the later record is
    charged. Codes: duplicate-review."""
    first: dict = {}
    for review in ws.records["reviews"]:
        key = (review.get("rep"), review.get("period"))
        if None in key:
            continue
        other = first.setdefault(key, review)
        if other is not review:
            yield _p("duplicate-review", review, ("period",),
                     f"{key[0]} already has a review for {key[1]}: {other.id} ({other.path}:{other.pos('period')[0]})")


RULES = [duplicate_ids, id_filename, unknown_refs, amount_mismatch, scheduling, overpaid, approvals, owner_history,
         date_order, approval_authority, future_dates, broken_promises, duplicate_names, duplicate_reviews]


def check_rules(ws) -> list:
    problems = []
    for rule in RULES:
        problems.extend(rule(ws))
    return problems

