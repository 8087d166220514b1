"""Shared test helpers: build a workspace from literal texts, run the CLI as a user would."""

from __future__ import annotations

import itertools
import os
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesctl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-workspace"

CONFIG = """\
company: {name: 星河企业培训有限公司}
team:
  - {id: lin, name: 林海, role: manager, email: lin@example.com}
  - {id: zhang, name: 张伟, role: rep, group: east, manager: lin, email: zhang@example.com}
  - {id: wang, name: 王芳, role: rep, group: north, manager: lin, email: wang@example.com}
  - {id: chen, name: 陈静, role: legal, email: chen@example.com}
  - {id: zhao, name: 赵敏, role: finance, email: zhao@example.com}
"""


def write_workspace(root: Path, files: dict[str, str | bytes], config: str | None = CONFIG) -> Path:
    """Create a workspace under `root` from {relative path: text}; texts are dedented. The files
    are dated a minute ago, as files written before a command usually are (see `settle`)."""
    root.mkdir(parents=True, exist_ok=True)
    written = []
    if config is not None and "salesctl.yaml" not in files:
        (root / "salesctl.yaml").write_text(config, encoding="utf-8")
        written.append(root / "salesctl.yaml")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
        written.append(path)
    settle(*written)
    return root


_SETTLED = itertools.count(int(time.time()) - 10 * 86400)  # a different whole second per write


def settle(*paths: Path):
    """Date files back in time. The caches do not store a file modified within the last two
    seconds (it could change again unnoticed, keeping its size and mtime); tests that check what
    a second run reads from the caches settle their files first. Each write gets a second of its
    own, or git (which compares whole seconds) would miss a rewrite of the same size."""
    for path in paths:
        if path.is_file() and not path.is_symlink():
            stamp = next(_SETTLED) * 10**9
            os.utime(path, ns=(stamp, stamp))


@pytest.fixture
def workspace(tmp_path):
    """`workspace({path: text})` -> the root of a fresh workspace with the standard team."""

    def make(files: dict | None = None, config: str | None = CONFIG) -> Path:
        return write_workspace(tmp_path / "ws", files or {}, config)

    return make


@pytest.fixture
def run():
    """`run(*args)` -> click Result of `salesctl ARGS` (stdout and stderr kept apart)."""

    def invoke(*args, input=None, env=None):
        runner = CliRunner()
        return runner.invoke(cli, [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    return invoke


# A small company for the import tests: two customers, a signed contract, two receivables.
IMPORT_FILES = {
    "customers/CUS-0001.yaml": """\
        id: CUS-0001
        name: 上海华东精密机械股份有限公司
        owner: zhang
        status: customer
        tier: A
        created: 2024-03-12
        contacts:
          - name: 周建国
            phone: "139 1762 5580"
            primary: true
        tags: [制造业, 老客户]
        """,
    "customers/CUS-0002.yaml": """\
        id: CUS-0002
        name: 苏州恒瑞医药科技有限公司
        owner: wang
        created: 2025-06-20
        """,
    "contracts/CT-2026-001.yaml": """\
        id: CT-2026-001
        customer: CUS-0001
        owner: zhang
        title: 精益生产内训
        status: signed
        created: 2026-01-05
        signed: 2026-01-20
        items:
          - {name: 精益生产内训, quantity: 4, unit: 期, unit_price: 25000}
        amount: 100000
        approvals:
          - {stage: manager, by: lin, date: 2026-01-06, decision: approved}
          - {stage: legal, by: chen, date: 2026-01-07, decision: approved}
          - {stage: finance, by: zhao, date: 2026-01-08, decision: approved}
        """,
    "receivables/RCV-0001.yaml": """\
        id: RCV-0001
        contract: CT-2026-001
        amount: 40000
        due: 2026-03-01
        invoice: "25312000000004471"
        payments:
          - {date: 2026-02-28, amount: 10000, method: 银行转账, ref: 招行回单 001}
        """,
    "receivables/RCV-0002.yaml": """\
        id: RCV-0002
        contract: CT-2026-001
        amount: 60000
        due: 2026-09-30
        """,
}


@pytest.fixture
def sales(workspace):
    """The root of a fresh copy of IMPORT_FILES (the standard team), for the import tests."""
    return workspace(IMPORT_FILES)
