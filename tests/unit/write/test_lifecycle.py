"""The contract lifecycle writers and write-off as library calls: what each changes, what each
refuses, and the approval state `sign` reads (the one of `derive.approval_state`)."""

from __future__ import annotations

from datetime import date

import pytest

from salesctl.load.pipeline import load
from salesctl.write import lifecycle, writers
from salesctl.errors import BadInput, Refused

D = date(2026, 11, 30)
APPROVED = """\
approvals:
  - {stage: manager, by: lin, date: 2026-11-02, decision: approved}
  - {stage: legal, by: chen, date: 2026-11-03, decision: approved}
  - {stage: finance, by: zhao, date: 2026-11-04, decision: approved}
"""


def contract(cid: str, status: str, extra: str = "", approvals: str = APPROVED) -> str:
    return (f"id: {cid}\ncustomer: CUS-1\nowner: zhang\ntitle: 销售培训\nstatus: {status}\ncreated: 2026-11-01\n"
            f"{extra}items:\n  - {{name: 课程, quantity: 2, unit_price: 5000}}\namount: 10000\n{approvals}")


FILES = {
    "customers/CUS-1.yaml": "id: CUS-1\nname: 甲公司\nowner: zhang\ncreated: 2026-01-05\n",
    "contracts/CT-1.yaml": contract("CT-1", "approved"),
    "contracts/CT-2.yaml": contract("CT-2", "in_review", approvals=APPROVED.rsplit("  - ", 2)[0]),
    "contracts/CT-3.yaml": contract("CT-3", "signed", "signed: 2026-11-10\n"),
    "contracts/CT-4.yaml": contract("CT-4", "completed", "signed: 2026-11-10\n"),
    "receivables/RCV-1.yaml": "id: RCV-1\ncontract: CT-3\namount: 4000\ndue: 2026-11-20\n"
                              "payments:\n  - {date: 2026-11-15, amount: 4000}\n",
    "receivables/RCV-2.yaml": "id: RCV-2\ncontract: CT-3\namount: 6000\ndue: 2026-11-25\n"
                              "payments:\n  - {date: 2026-11-26, amount: 1000}\n",
}


@pytest.fixture
def ws(workspace):
    return load(workspace(FILES), as_of=D)


def after(ws, plan, rel: str) -> str:
    return next(change.after.decode("utf-8") for change in plan.files if change.path == rel)


def test_sign_moves_an_approved_contract_to_signed_with_its_date(ws):
    plan = lifecycle.sign(ws, "CT-1", on=date(2026, 11, 28))
    assert after(ws, plan, "contracts/CT-1.yaml") == contract("CT-1", "signed", "signed: 2026-11-28\n")
    assert plan.summary == ["CT-1: signed on 2026-11-28; status approved → signed (contracts/CT-1.yaml)"]


@pytest.mark.parametrize("cid, on, message", [
    ("CT-2", D, "CT-2 is in_review; only an approved contract can be signed"),
    ("CT-3", D, "CT-3 is signed; only an approved contract can be signed"),
    # the finance approval is dated 2026-11-04: signing the day before, it was still pending
    ("CT-1", date(2026, 11, 3), "CT-1 cannot be signed on 2026-11-03: stage 'finance' has not approved it by then"),
])
def test_sign_is_refused_unless_every_stage_stands_approved(ws, cid, on, message):
    with pytest.raises(Refused, match=f"^{message}$"):
        lifecycle.sign(ws, cid, on=on)


def test_sign_is_refused_once_an_approval_went_stale(workspace):
    """Approved through `approve` (which records the terms), then the price changes: the stages
    approved other terms, so the contract is not approved any more."""
    root = workspace({**FILES, "contracts/CT-5.yaml": contract("CT-5", "draft", approvals="")})
    for stage, by in (("manager", "lin"), ("legal", "chen"), ("finance", "zhao")):
        plan = writers.approve(load(root, as_of=D), "CT-5", stage=stage, by=by, on=date(2026, 11, 20))
        (root / "contracts/CT-5.yaml").write_bytes(plan.files[0].after)
    assert "status: approved" in (root / "contracts/CT-5.yaml").read_text(encoding="utf-8")
    text = (root / "contracts/CT-5.yaml").read_text(encoding="utf-8")
    (root / "contracts/CT-5.yaml").write_text(text.replace("unit_price: 5000}", "unit_price: 4500}")
                                              .replace("amount: 10000", "amount: 9000"), encoding="utf-8")
    with pytest.raises(Refused, match=r"^CT-5 cannot be signed: its terms changed after stage 'manager' approved them "
                                      r"\(lin, 2026-11-20\); the stage must approve it again \(salesctl approve\)$"):
        lifecycle.sign(load(root, as_of=D), "CT-5", on=D)


def test_complete_moves_a_signed_contract_to_completed_with_its_date(ws):
    plan = lifecycle.complete(ws, "CT-3", on=D)
    assert after(ws, plan, "contracts/CT-3.yaml") == contract("CT-3", "completed", "signed: 2026-11-10\n") + \
        "completed: 2026-11-30\n"
    with pytest.raises(Refused, match="^CT-1 is approved; only a signed contract can be completed$"):
        lifecycle.complete(ws, "CT-1", on=D)


def test_complete_before_the_signing_is_a_date_order_error(ws):
    with pytest.raises(Refused) as refused:
        lifecycle.complete(ws, "CT-3", on=date(2026, 11, 9))
    assert [p.message for p in refused.value.problems] == ["completed 2026-11-09 is before signed 2026-11-10"]


def test_terminate_records_who_when_and_why(ws):
    plan = lifecycle.terminate(ws, "CT-3", reason=" 客户预算取消 ", by="wang", on=D)
    assert after(ws, plan, "contracts/CT-3.yaml") == contract("CT-3", "terminated", "signed: 2026-11-10\n") + \
        "terminated:\n  date: 2026-11-30\n  by: wang\n  reason: 客户预算取消\n"
    assert plan.summary == ["CT-3: terminated on 2026-11-30 by wang; status signed → terminated (contracts/CT-3.yaml)"]


def test_terminate_refuses_completed_and_terminated_contracts_and_an_empty_reason(ws):
    with pytest.raises(Refused, match="^CT-4 is completed; it cannot be terminated$"):
        lifecycle.terminate(ws, "CT-4", reason="x", by="wang", on=D)
    with pytest.raises(BadInput, match="^--reason needs a text: why$"):
        lifecycle.terminate(ws, "CT-1", reason="  ", by="wang", on=D)


def test_write_off_records_who_when_and_why_and_the_balance_as_of(ws):
    plan = lifecycle.write_off(ws, "RCV-2", reason="客户破产", by="zhao", on=D)
    assert after(ws, plan, "receivables/RCV-2.yaml").endswith(
        "  - {date: 2026-11-26, amount: 1000}\nwritten_off:\n  date: 2026-11-30\n  by: zhao\n  reason: 客户破产\n")
    # 6,000 - 1,000 paid on 2026-11-26 = 5,000
    assert plan.summary == ["RCV-2: written off on 2026-11-30 by zhao, balance 5,000.00 as of 2026-11-30 "
                            "(receivables/RCV-2.yaml)"]


def test_write_off_is_refused_when_paid_or_written_off_already(ws, workspace):
    with pytest.raises(Refused, match=r"^RCV-1 is paid \(as of 2026-11-30\); there is nothing to write off$"):
        lifecycle.write_off(ws, "RCV-1", reason="x", by="zhao", on=D)
    root = workspace({**FILES, "receivables/RCV-2.yaml": FILES["receivables/RCV-2.yaml"]
                      + "written_off: {date: 2026-11-28, by: lin, reason: 客户破产}\n"})
    with pytest.raises(Refused, match=r"^RCV-2 was written off already \(2026-11-28\)$"):
        lifecycle.write_off(load(root, as_of=D), "RCV-2", reason="x", by="zhao", on=D)
