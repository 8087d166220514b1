"""What an approval binds: a contract's terms as canonical JSON and their digest, which anyone can
recompute without salesctl (sorted keys, no spaces, UTF-8, SHA-256)."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal


def contract_terms(contract, currency: str) -> dict:
    """What an approval binds: customer, items, amount, currency, start, end and payment terms,
    nothing else (not the notes, the status or the approvals themselves), as plain JSON values:
    money as text with 2 decimals, quantities as their shortest decimal text, dates ISO, `currency`
    the contract's or else the workspace's, every other absent field null."""
    items = [{"name": item.get("name"), "quantity": _decimal_text(item.get("quantity")), "unit": item.get("unit"),
              "unit_price": _money_text(item.get("unit_price"))} for item in contract.get("items") or ()]
    start, end = contract.get("start"), contract.get("end")
    return {"customer": contract.get("customer"), "items": items, "amount": _money_text(contract.get("amount")),
            "currency": contract.get("currency") or currency, "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None, "payment_terms": contract.get("payment_terms")}


def canonical_terms(contract, currency: str) -> str:
    """The canonical JSON of the terms: keys sorted at every level, no spaces, UTF-8 unescaped."""
    return json.dumps(contract_terms(contract, currency), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def terms_digest(contract, currency: str) -> str:
    """What an approval records as `terms`: the first 16 hex digits of the SHA-256 of the
    canonical terms, so that anyone can recompute it without salesctl."""
    return hashlib.sha256(canonical_terms(contract, currency).encode("utf-8")).hexdigest()[:16]


def _money_text(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _decimal_text(value) -> str | None:
    """The shortest decimal text of a number, never an exponent: 4, 1.5, 10 (for 1E+1), 0.25."""
    if value is None:
        return None
    text = format(Decimal(value), "f")  # exact, whatever the context's precision
    return text.rstrip("0").rstrip(".") if "." in text else text
