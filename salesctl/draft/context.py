"""What a contract template sees: the contract, its customer, contact, owner and receivables with
their derived values, the company; and the errors that make a draft of it unsafe.
"""

from __future__ import annotations

import datetime as _dt

from .. import derive
from .flagged import flag_fields, flagged_record, marker


def contract_context(ws, contract, as_of: _dt.date, problems=()) -> dict:
    """What a contract template sees (docs/templates.md#context): records plus derived values.

    `problems` (the contract's errors, when drafting with --force) mark what is missing or wrong in
    the records they name (`flagged`), and derived values that cannot be computed from them."""
    locale = ws.config.locale
    customer = ws.get("customers", contract.get("customer"))
    contacts = (customer.get("contacts") or []) if customer else []
    contact = next((c for c in contacts if c.get("primary")), contacts[0] if contacts else None)
    receivables = sorted(ws.receivables_of(contract.id), key=lambda r: (r.get("due") or _dt.date.max, r.id))

    def data(record) -> dict:
        return flag_fields(record.data, record, problems, locale) if problems else dict(record.data)

    def derived(record) -> dict:
        try:
            return derive.derived_fields(ws, record, as_of)
        except Exception:  # noqa: BLE001 — only with --force: a value of a record with errors is missing
            if not problems:
                raise
            return {name: marker(f"{record.id}.{name}", locale) for name in derive.DERIVED[record.collection]}

    if customer is not None:
        customer_data = data(customer)
    elif problems:
        customer_data = flagged_record(contract.get("customer") or "?", "customers", locale)
    else:
        customer_data = None
    return {
        "contract": {**data(contract), **derived_without_records(derived(contract))},
        "customer": customer_data,
        "contact": dict(contact) if contact else None,
        "owner": ws.member(contract.get("owner")),
        "company": ws.config.company,
        "receivables": [{**data(r), **derived(r)} for r in receivables],
        "today": as_of,
        "locale": locale,
    }


def derived_without_records(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if k != "counted"}


def contract_problems(ws, contract) -> list:
    """The errors that make a draft of this contract unsafe: its own and its receivables'."""
    keys = {contract.key} | {r.key for r in ws.receivables_of(contract.id)}
    return [p for p in ws.problems if p.is_error and p.record in keys]
