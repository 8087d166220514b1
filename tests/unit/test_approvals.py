"""One approval state for everyone: the derived `pending_stage`, the `approvals` rule, `approve`
and `remind` agree on where a contract stands after rejections (chain manager → legal → finance).
"""

from __future__ import annotations

from datetime import date

import pytest

from helpers.records import BY, CHAIN, contract_ws
from salesctl import derive
from salesctl.write import writers
from salesctl.remind.remind import reminders

D = date(2026, 2, 10)  # the entries of `in_review` are dated 02-02, 02-03, …: the latest waited ≥ 3 days


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
