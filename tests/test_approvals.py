"""One approval state for everyone: the derived `pending_stage`, the `approvals` rule, `approve`
and `remind` agree on where a contract stands after rejections (chain manager → legal → finance).
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from salesctl import derive
from salesctl.write import writers
from salesctl.remind.remind import reminders
from salesctl.load.pipeline import load

from test_derive import BY, CHAIN, in_review
from test_validate import CUSTOMER

D = date(2026, 2, 10)  # the entries of `in_review` are dated 02-02, 02-03, …: the latest waited ≥ 3 days


def contract_ws(workspace, steps: str):
    root = workspace({"customers/CUS-0001.yaml": CUSTOMER, "contracts/CT-1.yaml": in_review(steps)})
    ws = load(root)
    assert [p for p in ws.problems if p.is_error] == []
    return root, ws


def test_after_a_rejection_every_command_waits_for_that_stage(workspace, run):
    """manager ✓, legal ✓, legal ✗: legal approves next, not finance."""
    root, _ = contract_ws(workspace, "m+ l+ l-")
    rows = json.loads(run("-C", root, "--as-of", D, "query", "contracts", "-f", "id,pending_stage", "--format", "json").stdout)
    assert rows == [{"id": "CT-1", "pending_stage": "legal"}]

    people = json.loads(run("-C", root, "--as-of", D, "remind", "--format", "json").stdout)["reminders"]
    asked = [(p["to"], i["ref"], i["message"]) for p in people for i in p["items"] if i["kind"] == "approval"]
    assert asked == [("chen", "CT-1", "合同“管理培训”（华东机械）待法务审批，已等待 6 天")]  # 02-04 → 02-10

    before = (root / "contracts/CT-1.yaml").read_bytes()
    refused = run("-C", root, "--as-of", D, "approve", "CT-1", "--stage", "finance", "--by", "zhao")
    assert refused.exit_code == 1
    assert "error[approval-order]: stage 'finance' comes before 'legal' approved it" in refused.stderr
    assert (root / "contracts/CT-1.yaml").read_bytes() == before

    assert run("-C", root, "--as-of", D, "approve", "CT-1", "--stage", "legal", "--by", "chen").exit_code == 0
    text = (root / "contracts/CT-1.yaml").read_text(encoding="utf-8")
    # terms: sha256 of {"amount":"10000.00","currency":"CNY","customer":"CUS-0001","end":null,"items":[{"name":"课程",
    # "quantity":"2","unit":null,"unit_price":"5000.00"}],"payment_terms":null,"start":null}, first 16 hex digits
    # (printf '%s' '…' | sha256sum)
    assert "status: in_review" in text and text.endswith(
        "  - {stage: legal, by: chen, date: 2026-02-10, decision: approved, terms: eecd905ac63b3d57}\n")
    rows = json.loads(run("-C", root, "--as-of", D, "query", "contracts", "-f", "id,pending_stage", "--format", "json").stdout)
    assert rows == [{"id": "CT-1", "pending_stage": "finance"}]


def test_approve_does_not_count_stages_a_rejection_sent_back(workspace):
    """Every stage was approved once, then finance and legal were rejected: approving legal
    leaves finance owing an approval, so the contract stays in review."""
    root, ws = contract_ws(workspace, "m+ l+ f+ f- l-")
    plan = writers.approve(ws, "CT-1", stage="legal", by="chen", on=D)
    (change,) = plan.files
    assert b"status: in_review" in change.after and b"status: approved" not in change.after
    assert plan.summary == ["CT-1: stage legal approved by chen on 2026-02-10 (contracts/CT-1.yaml)"]


@pytest.mark.parametrize("steps", ["", "m+", "m+ l+", "m+ l+ l-", "m+ l-", "m+ l- m+", "m+ l- m-", "m+ l+ l- l+",
                                   "m+ l+ f-", "m+ l+ f+ f- l-", "m-"])
def test_the_pending_stage_is_the_one_approve_accepts_and_remind_asks_for(workspace, steps):
    _, ws = contract_ws(workspace, steps)
    pending = derive.pending_stage(ws.get("contracts", "CT-1"), CHAIN, D, currency="CNY")
    writers.approve(ws, "CT-1", stage=pending, by=BY[pending], on=D)  # not refused
    for later in CHAIN[CHAIN.index(pending) + 1:]:
        with pytest.raises(writers.Refused):
            writers.approve(ws, "CT-1", stage=later, by=BY[later], on=D)
    asked = {p["to"] for p in reminders(ws, D) if any(i["kind"] == "approval" for i in p["items"])}
    assert asked == {"lin" if pending == "manager" else BY[pending]}  # zhang's manager, else the stage's role
