"""A contract approved at every stage and its receivable, for the lifecycle writers and `set` through
the command line, and how their tests run and read a write in a git repository."""

from __future__ import annotations

APPROVED = """\
approvals:
  - {stage: manager, by: lin, date: 2026-11-02, decision: approved}
  - {stage: legal, by: chen, date: 2026-11-03, decision: approved}
  - {stage: finance, by: zhao, date: 2026-11-04, decision: approved}
"""
FILES = {
    "customers/CUS-1.yaml": "id: CUS-1\nname: 甲公司\nowner: zhang\ncreated: 2026-01-05\n",
    "contracts/CT-1.yaml": "id: CT-1\ncustomer: CUS-1\nowner: zhang\ntitle: 销售培训\nstatus: approved   # 待客户盖章\n"
                           "created: 2026-11-01\nitems:\n  - {name: 课程, quantity: 2, unit_price: 5000}\n"
                           "amount: 10000\n" + APPROVED,
    "receivables/RCV-1.yaml": """\
        id: RCV-1
        contract: CT-1
        amount: 10000
        due: 2026-11-20
        payments:
          - {date: 2026-11-25, amount: 2500}
        """,
}


def changed(r) -> list[str]:
    """The lines `git diff` adds or removes."""
    return [line for line in r.git("diff", "--no-color", "-U0").splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def salesctl(run, r, *args):
    return run("-C", r.root, "--as-of", "2026-11-30", *args)
