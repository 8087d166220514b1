"""The workspace the writer tests write into, and its git repository: each write's `git diff` is
exactly the lines it adds or changes (the `writers_repo` fixture)."""

from __future__ import annotations

import subprocess

FILES = {
    "customers/CUS-0011.yaml": """\
        id: CUS-0011
        name: 华东精密机械有限公司
        owner: zhang
        tier: A
        created: 2025-09-05
        """,
    "customers/CUS-0012.yaml": """\
        id: CUS-0012
        name: 天津港通物流有限公司
        owner: wang
        created: 2026-01-10
        """,
    "contracts/CT-2026-001.yaml": """\
        # 已签约
        id: CT-2026-001
        customer: CUS-0011
        owner: zhang
        title: 精益生产内训
        status: signed
        created: 2026-03-01
        signed: 2026-03-20
        start: 2026-04-01
        end: 2026-09-30
        items:
          - {name: 精益生产内训, quantity: 4, unit: 期, unit_price: 30000}
        amount: 120000
        approvals:
          - {stage: manager, by: lin, date: 2026-03-05, decision: approved}
          - {stage: legal, by: chen, date: 2026-03-07, decision: approved}
          - {stage: finance, by: zhao, date: 2026-03-10, decision: approved}
        """,
    "contracts/CT-2026-002.yaml": """\
        id: CT-2026-002
        customer: CUS-0012
        owner: wang
        title: 仓储安全培训
        status: draft
        created: 2026-11-02
        start: 2027-01-04
        end: 2027-03-31
        items:
          - {name: 安全培训, quantity: 3, unit: 期, unit_price: 33333.33}
        amount: 99999.99
        """,
    "contracts/CT-2026-003.yaml": """\
        id: CT-2026-003
        customer: CUS-0012
        owner: wang
        title: 班组长培训
        status: in_review   # 审批中
        created: 2026-11-10
        items:
          - {name: 班组长训练营, quantity: 1, unit: 期, unit_price: 50000}
        amount: 50000
        approvals:
          - stage: manager
            by: lin
            date: 2026-11-12
            decision: approved
        notes: 法务审核中
        """,
    "receivables/RCV-0001.yaml": """\
        id: RCV-0001
        contract: CT-2026-001
        amount: 36000
        due: 2026-04-19
        payments:
          - {date: 2026-04-18, amount: 36000, method: 银行转账}
        """,
    "receivables/RCV-0002.yaml": """\
        # 尾款
        id: RCV-0002
        contract: CT-2026-001
        amount: 79000
        due: 2026-10-30
        invoice: "26312000000000318"
        collection:
          - date: 2026-10-31
            by: zhang
            channel: phone
            note: 提醒付款
            promised: 2026-11-15
        """,
    "receivables/RCV-0003.yaml": """\
        id: RCV-0003
        contract: CT-2026-001
        amount: 5000
        due: 2027-01-31
        written_off: {date: 2026-11-20, by: lin, reason: 客户破产}
        """,
    "visits/2026/2026-11.yaml": """\
        # 2026年11月 拜访记录

        - id: V-2026-0007
          customer: CUS-0011
          rep: zhang
          date: 2026-11-03
          channel: onsite
          next:
            date: 2026-11-20
            action: 报价

        - id: V-2026-0008
          customer: CUS-0012
          rep: wang
          date: 2026-11-12
          channel: phone
        """,
}


class Repo:
    """A workspace in a git repository with everything committed."""

    def __init__(self, root):
        self.root = root

    def git(self, *args) -> str:
        return subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True, text=True).stdout

    def diff(self) -> list[str]:
        """The lines `git diff` adds or removes in tracked files."""
        return [line for line in self.git("diff", "--no-color", "-U0").splitlines()
                if line[:1] in "+-" and not line.startswith(("+++", "---"))]

    def untracked(self) -> list[str]:
        return sorted(self.git("ls-files", "--others", "--exclude-standard").splitlines())

    def unchanged(self) -> bool:
        return self.git("status", "--porcelain") == ""

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")
