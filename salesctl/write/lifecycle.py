"""A contract's life after approval and a receivable's end: `sign`, `complete`, `terminate`,
`write-off`. Like every writer (`writers`), each returns a Plan checked against the whole workspace;
the status is replaced in place and the date (or the `{date, by, reason}` record) is added where
the record format puts it.
"""

from __future__ import annotations

from datetime import date

from ..derive import approval_state, receivable_balance, receivable_status
from .args import text_arg
from .nested import set_at
from ..errors import BadInput, Refused
from .plan import Plan, check
from .writers import ORDER, _Files, _record


def sign(ws, contract_id: str, *, on: date) -> Plan:
    """approved → signed on `on`. Refused unless every stage of the approval chain stands approved
    on that day for the contract's current terms (`derive.approval_state`: an approval given for
    terms that have changed since counts as absent)."""
    contract = _record(ws, "contracts", contract_id)
    status = contract.get("status")
    if status != "approved":
        raise Refused(f"{contract.id} is {status}; only an approved contract can be signed")
    state = approval_state(contract, ws.config.rules["approval_chain"], on, currency=ws.config.currency)
    stage = state.pending_stage
    if stage in state.stale:
        entry = contract["approvals"][state.stale[stage]]
        raise Refused(f"{contract.id} cannot be signed: its terms changed after stage {stage!r} approved them "
                      f"({entry['by']}, {entry['date']}); the stage must approve it again (salesctl approve)")
    if stage is not None:
        raise Refused(f"{contract.id} cannot be signed on {on}: stage {stage!r} has not approved it by then")
    return _lifecycle(ws, contract, "signed", {"signed": on}, f"signed on {on}")


def complete(ws, contract_id: str, *, on: date) -> Plan:
    """signed → completed on `on` (the `completed` date; not before the signing: date-order)."""
    contract = _record(ws, "contracts", contract_id)
    status = contract.get("status")
    if status != "signed":
        raise Refused(f"{contract.id} is {status}; only a signed contract can be completed")
    return _lifecycle(ws, contract, "completed", {"completed": on}, f"completed on {on}")


def terminate(ws, contract_id: str, *, reason: str, by: str, on: date) -> Plan:
    """Any status but completed → terminated, with `terminated: {date, by, reason}`."""
    contract = _record(ws, "contracts", contract_id)
    status = contract.get("status")
    if status in ("completed", "terminated"):
        raise Refused(f"{contract.id} is {status}; it cannot be terminated")
    record = {"date": on, "by": by, "reason": _reason(reason)}
    return _lifecycle(ws, contract, "terminated", {"terminated": record}, f"terminated on {on} by {by}")


def write_off(ws, receivable_id: str, *, reason: str, by: str, on: date) -> Plan:
    """Write a receivable off as a bad debt: `written_off: {date, by, reason}`. Refused when it is
    paid, or written off already, as of the day the workspace is read as of."""
    receivable = _record(ws, "receivables", receivable_id)
    if receivable.get("written_off"):
        raise Refused(f"{receivable.id} was written off already ({receivable['written_off']['date']})")
    as_of = ws.as_of
    if receivable_status(receivable, as_of) == "paid":
        raise Refused(f"{receivable.id} is paid (as of {as_of}); there is nothing to write off")
    record = {"date": on, "by": by, "reason": _reason(reason)}
    files = _Files(ws)
    files.edit(receivable.path, "receivables",
               lambda doc: set_at(doc, receivable.id, ("written_off",), record, ORDER["receivables"]))
    balance = receivable_balance(receivable, as_of)
    summary = f"{receivable.id}: written off on {on} by {by}, balance {balance:,.2f} as of {as_of} ({receivable.path})"
    return check(ws, Plan(files.changes(), [summary]))


def _lifecycle(ws, contract, status: str, fields: dict, done: str) -> Plan:
    """The contract moved to `status`, with `fields` set."""
    files = _Files(ws)

    def change(doc):
        set_at(doc, contract.id, ("status",), status, ORDER["contracts"])
        for name, value in fields.items():
            set_at(doc, contract.id, (name,), value, ORDER["contracts"])

    files.edit(contract.path, "contracts", change)
    moved = f"status {contract.get('status')} → {status}"
    return check(ws, Plan(files.changes(), [f"{contract.id}: {done}; {moved} ({contract.path})"]))


def _reason(reason: str) -> str:
    text = (text_arg(reason, "--reason") or "").strip()
    if not text:
        raise BadInput("--reason needs a text: why")
    return text
