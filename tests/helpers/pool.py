"""The public pool's tests: their team and settings, and a workspace's files as bytes."""

from __future__ import annotations

from pathlib import Path

# Three reps in team order zhang, wang, liu, and limits small enough to reach.
POOL_CONFIG = """\
company: {name: 星河企业培训有限公司}
team:
  - {id: lin, name: 林海, role: manager, email: lin@example.com}
  - {id: zhang, name: 张伟, role: rep, group: east, manager: lin, email: zhang@example.com}
  - {id: wang, name: 王芳, role: rep, group: east, manager: lin, email: wang@example.com}
  - {id: liu, name: 刘洋, role: rep, group: north, manager: lin, email: liu@example.com}
  - {id: chen, name: 陈静, role: legal, email: chen@example.com}
  - {id: ops, name: 运营, role: admin}
pool:
  follow_up_days: 30
  deal_days: 90
  tiers: {A: {follow_up_days: 45, deal_days: 180}}
  warn_days: 3
  reclaim_days: 30
  daily_claims: 2
  max_customers: 3
"""


def tree(root: Path) -> dict[str, bytes]:
    """Every file of a workspace but salesctl's own state (.salesctl/), by relative path: what a
    refused write must leave byte for byte as it was."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".salesctl" not in p.relative_to(root).parts}
