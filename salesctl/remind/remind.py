"""What each person must do as of D (docs/derived.md#reminders, `remind`): the items, their recipients,
their text.

Every condition reads the derived values of `derive`; this module only decides who is told what.
The texts are in the workspace `locale` (`render.locale`); building e-mail is `mail`'s business,
delivering the reminders (e-mail, WeCom and DingTalk group robots, the send journal) `deliver`'s.
"""

from __future__ import annotations

from datetime import date, timedelta

from wcwidth import wcswidth

from .. import derive
from ..model.ownership import owner_on
from ..render.locale import Count, amount_text, plural, reminder_texts

KINDS = ("follow-up", "due-soon", "collect", "dormant", "approval", "pool-warning")


def reminders(ws, as_of: date, *, to: str | None = None) -> list[dict]:
    """[{to, email, items: [{kind, ref, customer, date, message}]}] per team member with something due.

    People come in team order; a person's items by kind (in the order of `KINDS`), date and ref.
    """
    words = reminder_texts(ws.config.locale)
    due: dict = {}
    for recipient, item in _items(ws, as_of, words):
        due.setdefault(recipient, []).append(item)
    out = []
    for member in ws.config.team:
        items = due.get(member["id"])
        if not items or (to is not None and member["id"] != to):
            continue
        items.sort(key=lambda i: (KINDS.index(i["kind"]), i["date"], i["ref"]))
        out.append({"to": member["id"], "email": member.get("email"), "items": items})
    return out


def _item(kind, ref, customer, day, message) -> dict:
    return {"kind": kind, "ref": ref, "customer": customer, "date": day, "message": message}


def _items(ws, as_of: date, words: dict):
    """(recipient id, item) for every reminder kind (docs/derived.md#reminders)."""
    rules = ws.config.rules

    def amount(value):
        return amount_text(value, ws.config.currency, ws.config.locale)

    def name(customer_id):
        customer = ws.get("customers", customer_id)
        return customer.get("name") if customer else customer_id

    latest: dict = {}  # customer -> date of its latest visit (≤ D)
    for visit in ws.records["visits"]:
        if visit["date"] <= as_of and visit["date"] > latest.get(visit["customer"], date.min):
            latest[visit["customer"]] = visit["date"]
    for visit in ws.records["visits"]:
        nxt = visit.get("next")
        if not nxt or nxt["date"] > as_of or visit["date"] > as_of:
            continue
        if visit["date"] == latest[visit["customer"]]:  # no later visit to that customer
            yield visit["rep"], _item("follow-up", visit.id, visit["customer"], nxt["date"], words["follow-up"].format(
                customer=name(visit["customer"]), action=nxt["action"], visit_date=visit["date"].isoformat()))

    soon = as_of + timedelta(days=rules["due_soon_days"])
    for receivable in ws.records["receivables"]:
        contract = derive.receivable_contract(ws, receivable)
        if contract is None:
            continue
        customer, owner = contract.get("customer"), contract.get("owner")
        balance = derive.receivable_balance(receivable, as_of)
        if derive.is_unpaid(receivable, as_of) and as_of <= receivable["due"] <= soon:
            yield owner, _item("due-soon", receivable.id, customer, receivable["due"], words["due-soon"].format(
                customer=name(customer), balance=amount(balance), due=receivable["due"].isoformat()))
        step = derive.next_step(receivable, as_of, rules["escalation"])
        if step is not None and step["date"] <= as_of:
            action = words["steps"][step["action"]].format(date=step["date"].isoformat())
            yield owner, _item("collect", receivable.id, customer, step["date"], words["collect"].format(
                customer=name(customer), days=Count(derive.days_overdue(receivable, as_of)), balance=amount(balance),
                step=action))

    warn = as_of + timedelta(days=ws.config.pool["warn_days"])
    for customer in ws.records["customers"]:
        owner = owner_on(customer, as_of)
        if owner is None:
            continue  # in the pool: nobody to tell
        due = derive.pool_due_reason(ws, customer, as_of)
        if due is not None and due.date <= warn:
            text = words["pool-warning" if due.date >= as_of else "pool-warning-past"]
            yield owner, _item("pool-warning", customer.id, customer.id, due.date, text.format(
                customer=customer["name"], due=due.date.isoformat(),
                reason=words["pool_reasons"][due.reason].format(days=due.days)))
        if customer.get("status") == "lost":
            continue
        limit = derive.follow_up_days(customer, rules)
        days = derive.days_since_contact(ws, customer, as_of)
        if limit is not None and days is not None and days > limit:
            yield owner, _item("dormant", customer.id, customer.id, derive.last_contact(ws, customer, as_of),
                               words["dormant"].format(customer=customer["name"], days=Count(days), limit=limit))

    for contract in ws.records["contracts"]:
        if contract.get("status") not in ("in_review", "approved"):  # approved: an approval went stale
            continue
        state = derive.approval_state(contract, rules["approval_chain"], as_of, currency=ws.config.currency)
        stage = state.pending_stage
        waited = derive.waiting_days(contract, as_of)
        if stage is None or waited is None or waited < rules["approval_stale_days"]:
            continue
        text = words["approval-again" if stage in state.stale else "approval"]
        message = text.format(title=contract["title"], customer=name(contract["customer"]),
                              stage=words["stages"].get(stage, stage), days=Count(waited))
        for recipient in approvers(ws, contract, stage):
            yield recipient, _item("approval", contract.id, contract["customer"],
                                   derive.waiting_since(contract, as_of), message)


def approvers(ws, contract, stage: str) -> list[str]:
    """Stage manager: the owner's manager, else every manager; any other stage: every member with that role."""
    if stage == "manager":
        owner = ws.member(contract.get("owner"))
        if owner and owner.get("manager"):
            return [owner["manager"]]
    return [m["id"] for m in ws.config.team if m.get("role") == stage]


# --- text ----------------------------------------------------------------------------------

def person_text(person: dict, name: str, as_of: date, locale: str) -> str:
    """One person's reminders as plain text: a header line, then one line per item."""
    words = reminder_texts(locale)
    who = f"{name} <{person['email']}>" if person.get("email") else name
    lines = [words["header"].format(who=who, count=Count(len(person["items"])), as_of=as_of.isoformat())]
    labels = [words["kinds"][item["kind"]] for item in person["items"]]
    label_width = max(display_width(label) for label in labels)
    ref_width = max(len(item["ref"]) for item in person["items"])
    for label, item in zip(labels, person["items"]):
        pad = " " * (label_width - display_width(label))
        lines.append(f"  {label}{pad}  {item['date'].isoformat()}  {item['ref']:<{ref_width}}  {item['message']}")
    return "\n".join(lines) + "\n"


def display_width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    width = wcswidth(text)
    return width if width >= 0 else len(text)


def subject(count: int, as_of: date, locale: str) -> str:
    return reminder_texts(locale)["subject"].format(count=Count(count), as_of=as_of.isoformat())


def mail_body(person: dict, name: str, as_of: date, config) -> str:
    """The e-mail body: the person's text and a footer naming the company."""
    footer = reminder_texts(config.locale)["footer"].format(company=config.company.get("name") or "")
    return person_text(person, name, as_of, config.locale) + "\n-- \n" + footer + "\n"


def messages(ws, people: list[dict], as_of: date, *, now=None) -> tuple[list[tuple[str, object]], list[str]]:
    """One e-mail per person: ([(member id, EmailMessage)], [why a person gets none]).

    Raises mail.MailError when `smtp.from` cannot be a sender address.
    """
    from . import mail  # e-mail and SMTP: only when messages are made

    sender = mail.address(ws.config.company.get("name"), ws.config.smtp["from"])
    built, skipped = [], []
    for person in people:
        count = plural(len(person["items"]), "reminder")
        if not person.get("email"):
            skipped.append(f"{person['to']} {no_address(ws.config, person['to'])}; {count} not mailed")
            continue
        try:
            built.append((person["to"], message(ws, person, as_of, sender, now=now)))
        except mail.MailError as exc:
            skipped.append(f"{person['to']}: {exc}; {count} not mailed")
    return built, skipped


def no_address(config, member_id: str) -> str:
    """Why a member gets no e-mail: none in the team, or one that is not an address."""
    written = config.bad_emails.get(member_id)
    if written is None:
        return "has no e-mail address"
    return f"has e-mail {written!r} in salesctl.yaml, which is not an address (local@domain.tld)"


def message(ws, person: dict, as_of: date, sender, *, now=None):
    """The e-mail of one person's reminders (mail.MailError when their address cannot be used)."""
    from . import mail

    member = ws.member(person["to"])
    recipient = mail.address(member["name"], person["email"])
    body = mail_body(person, member["name"], as_of, ws.config)
    return mail.build_message(sender, recipient, subject(len(person["items"]), as_of, ws.config.locale), body, now=now)
