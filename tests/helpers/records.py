"""Literal records the tests build workspaces from: a valid customer, signed contract and receivable
(VALID), and a contract in review after given approval steps (`in_review`)."""

from __future__ import annotations

from salesctl.load.pipeline import load

CUSTOMER = """\
id: CUS-0001
name: 华东机械
owner: zhang
tier: A
created: 2026-01-05
"""
CONTRACT = """\
id: CT-1
customer: CUS-0001
owner: zhang
title: 管理培训
status: signed
created: 2026-02-01
signed: 2026-02-10
items: [{name: 课程, quantity: 2, unit_price: 5000}]
amount: 10000
approvals:
  - {stage: manager, by: lin, date: 2026-02-02, decision: approved}
  - {stage: legal, by: chen, date: 2026-02-03, decision: approved}
  - {stage: finance, by: zhao, date: 2026-02-04, decision: approved}
"""
RECEIVABLE = """\
id: RCV-1
contract: CT-1
amount: 10000
due: 2026-03-01
"""
VALID = {"customers/CUS-0001.yaml": CUSTOMER, "contracts/CT-1.yaml": CONTRACT, "receivables/RCV-1.yaml": RECEIVABLE}


def with_change(**files):
    """VALID with some files replaced, added or (given None) removed."""
    merged = dict(VALID)
    merged.update(files)
    return {k: v for k, v in merged.items() if v is not None}


CHAIN = ["manager", "legal", "finance"]
BY = {"manager": "lin", "legal": "chen", "finance": "zhao"}


def approvals_text(steps: str) -> str:
    """`"m+ l+ l-"` -> approval entries (+ approved, - rejected), dated 2026-02-02, 02-03, …"""
    names = {"m": "manager", "l": "legal", "f": "finance"}
    lines = []
    for day, step in enumerate(steps.split(), start=2):
        stage = names[step[0]]
        decision = "approved" if step[1] == "+" else "rejected"
        lines.append(f"  - {{stage: {stage}, by: {BY[stage]}, date: 2026-02-{day:02d}, decision: {decision}}}\n")
    return "approvals:\n" + "".join(lines) if lines else ""


def in_review(steps: str) -> str:
    head = CONTRACT.split("approvals:")[0].replace("status: signed", "status: in_review").replace("signed: 2026-02-10\n", "")
    return head + approvals_text(steps)


def contract_ws(workspace, steps: str):
    """`workspace` (the fixture) holding CUS-0001 and CT-1 in review after `steps`: (root, loaded)."""
    root = workspace({"customers/CUS-0001.yaml": CUSTOMER, "contracts/CT-1.yaml": in_review(steps)})
    ws = load(root)
    assert [p for p in ws.problems if p.is_error] == []
    return root, ws
