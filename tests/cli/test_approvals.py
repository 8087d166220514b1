"""One approval state for everyone, through the commands: after a rejection, `query`, `remind` and
`approve` all wait for the stage that rejected (the library side: tests/unit/test_approvals.py)."""

from __future__ import annotations

import json
from datetime import date

from helpers.records import contract_ws

D = date(2026, 2, 10)  # the entries of `in_review` are dated 02-02, 02-03, …: the latest waited ≥ 3 days


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
