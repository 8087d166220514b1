"""The git features' workspace in a git repository, built commit by commit (the `repo` fixture).

Commits get fixed authors and dates, and git reads no user or system configuration (the
`quiet_git` fixture), so every commit id, date and author in the tests is the same on every machine.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

from helpers.workspaces import settle

CUSTOMERS = """\
- {id: CUS-1, name: 甲公司, owner: zhang, created: 2026-01-05}
- {id: CUS-2, name: 乙公司, owner: wang, created: 2026-01-10}
"""
APPROVED = """\
approvals:
  - {stage: manager, by: lin, date: %(day)s, decision: approved}
  - {stage: legal, by: chen, date: %(day)s, decision: approved}
  - {stage: finance, by: zhao, date: %(day)s, decision: approved}
"""


def contract(cid: str, customer: str, owner: str, amount: int, signed: str) -> str:
    return textwrap.dedent(f"""\
        id: {cid}
        customer: {customer}
        owner: {owner}
        title: 培训服务合同
        status: signed
        created: 2026-07-01
        signed: {signed}
        items:
          - {{name: 销售技巧培训, quantity: 1, unit_price: {amount}}}
        amount: {amount}
        """) + APPROVED % {"day": "2026-07-20"}


# The workspace every git test starts from: two customers, two signed contracts (CT-1 zhang
# 100,000 signed 2026-08-10; CT-2 wang 50,000 signed 2026-09-20) and three receivables.
# As of 2026-11-30: RCV-1 40,000 overdue 81 days (61-90), RCV-2 40,000 overdue 20 days (1-30),
# RCV-3 50,000 overdue 46 days (31-60).
BASE = {
    "customers/customers.yaml": CUSTOMERS,
    "contracts/CT-1.yaml": contract("CT-1", "CUS-1", "zhang", 100000, "2026-08-10"),
    "contracts/CT-2.yaml": contract("CT-2", "CUS-2", "wang", 50000, "2026-09-20"),
    "receivables/RCV-1.yaml": """\
        id: RCV-1
        contract: CT-1
        amount: 60000
        due: 2026-09-10
        payments:
          - {date: 2026-09-05, amount: 20000, method: 银行转账}
        """,
    "receivables/RCV-2.yaml": "id: RCV-2\ncontract: CT-1\namount: 40000\ndue: 2026-11-10\n",
    "receivables/RCV-3.yaml": "id: RCV-3\ncontract: CT-2\namount: 50000\ndue: 2026-10-15\n",
}


def git(root, *args) -> subprocess.CompletedProcess:
    """`git ARGS` in `root`, its output captured (the caller checks the return code)."""
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)


class Repo:
    """A git repository holding a workspace at `root` (the repository's top or a folder in it)."""

    def __init__(self, top: Path, root: Path):
        self.top, self.root = top, root
        self.commits: list[str] = []

    def git(self, *args: str, cwd=None) -> str:
        proc = subprocess.run(["git", *args], cwd=cwd or self.top, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def write(self, files: dict):
        for rel, text in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
            settle(path)

    def commit(self, message: str, files: dict | None = None, *, remove=(), author: str = "张伟") -> str:
        """Write `files`, delete `remove`, commit everything; dated 2026-12-0N in commit order."""
        self.write(files or {})
        for rel in remove:
            (self.root / rel).unlink()
        self.git("add", "-A")
        day = f"2026-12-{len(self.commits) + 1:02d}T10:00:00+08:00"
        env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "dev@example.com",
               "GIT_AUTHOR_DATE": day, "GIT_COMMITTER_DATE": day}
        proc = subprocess.run(["git", "commit", "-q", "-m", message], cwd=self.top, env=env, capture_output=True,
                              text=True)
        assert proc.returncode == 0, proc.stderr
        self.commits.append(self.git("rev-parse", "HEAD").strip())
        return self.commits[-1]

    def checkout_copy(self, rev: str, into: Path) -> Path:
        """The workspace as a checkout of `rev` would have it, extracted elsewhere (git archive)."""
        into.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=self.top, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
        return into / self.root.relative_to(self.top)


def build_history(repo: Repo) -> list[str]:
    """Five more commits on BASE: a payment, a moved file, a renamed id, a deleted record and an
    edited config. Returns the six commit ids, oldest first.

    Overdue as of 2026-11-30 after each commit:
      1 initial        1-30: 40,000 (RCV-2)  31-60: 50,000 (RCV-3)  61-90: 40,000 (RCV-1)
      2 payment        RCV-1 paid in full: 1-30 40,000, 31-60 50,000
      3 moved          RCV-2 and RCV-3 now in receivables/2026.yaml: figures unchanged
      4 renamed id     CT-2 is now CT-2026-002 (RCV-3 follows): figures unchanged
      5 deleted        RCV-2 removed: 31-60 50,000
      6 config         aging_buckets [30, 90]: 31-90 50,000
    """
    rcv2 = "- {id: RCV-2, contract: CT-1, amount: 40000, due: 2026-11-10}\n"
    rcv3 = "- {id: RCV-3, contract: %s, amount: 50000, due: 2026-10-15}\n"
    repo.commit("RCV-1 收款 40000", {"receivables/RCV-1.yaml": """\
        id: RCV-1
        contract: CT-1
        amount: 60000
        due: 2026-09-10
        payments:
          - {date: 2026-09-05, amount: 20000, method: 银行转账}
          - {date: 2026-10-20, amount: 40000, method: 银行转账}
        """}, author="赵敏")
    repo.commit("应收款合并到 receivables/2026.yaml", {"receivables/2026.yaml": rcv2 + rcv3 % "CT-2"},
                remove=["receivables/RCV-2.yaml", "receivables/RCV-3.yaml"])
    repo.commit("CT-2 改编号为 CT-2026-002", {
        "contracts/CT-2026-002.yaml": contract("CT-2026-002", "CUS-2", "wang", 50000, "2026-09-20"),
        "receivables/2026.yaml": rcv2 + rcv3 % "CT-2026-002"}, remove=["contracts/CT-2.yaml"])
    repo.commit("删除 RCV-2", {"receivables/2026.yaml": rcv3 % "CT-2026-002"})
    config = (repo.root / "salesctl.yaml").read_text(encoding="utf-8")
    repo.commit("账龄分段改为 30/90", {"salesctl.yaml": config + "rules:\n  aging_buckets: [30, 90]\n"}, author="林海")
    return repo.commits
