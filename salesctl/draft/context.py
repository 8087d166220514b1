"""What a contract template sees: the contract, its customer, contact, owner and receivables with
their derived values, the company; and the errors that make a draft of it unsafe.
"""

from __future__ import annotations

import datetime as _dt

from .. import derive


def contract_context(ws, contract, as_of: _dt.date) -> dict:
    """What a contract template sees (docs/templates.md#context): records plus derived values."""
    customer = ws.get("customers", contract.get("customer"))
    contacts = (customer.get("contacts") or []) if customer else []
    contact = next((c for c in contacts if c.get("primary")), contacts[0] if contacts else None)
    receivables = sorted(ws.receivables_of(contract.id), key=lambda r: (r["due"], r.id))
    return {
        "contract": {**contract.data, **derived_without_records(derive.derived_fields(ws, contract, as_of))},
        "customer": dict(customer.data) if customer else None,
        "contact": dict(contact) if contact else None,
        "owner": ws.member(contract.get("owner")),
        "company": ws.config.company,
        "receivables": [{**r.data, **derive.derived_fields(ws, r, as_of)} for r in receivables],
        "today": as_of,
        "locale": ws.config.locale,
    }


def derived_without_records(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if k != "counted"}


def contract_problems(ws, contract) -> list:
    """The errors that make a draft of this contract unsafe: its own and its receivables'."""
    keys = {contract.key} | {r.key for r in ws.receivables_of(contract.id)}
    return [p for p in ws.problems if p.is_error and p.record in keys]
