"""Where things are, the standard team, and a workspace written from literal texts."""

from __future__ import annotations

import itertools
import os
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample-workspace"
FIXTURES = ROOT / "tests" / "fixtures"
HOSTILE = FIXTURES / "hostile"

CONFIG = """\
company: {name: 星河企业培训有限公司}
team:
  - {id: lin, name: 林海, role: manager, email: lin@example.com}
  - {id: zhang, name: 张伟, role: rep, group: east, manager: lin, email: zhang@example.com}
  - {id: wang, name: 王芳, role: rep, group: north, manager: lin, email: wang@example.com}
  - {id: chen, name: 陈静, role: legal, email: chen@example.com}
  - {id: zhao, name: 赵敏, role: finance, email: zhao@example.com}
"""
ONE_CUSTOMER = {"customers/CUS-0001.yaml": "{id: CUS-0001, name: 甲, owner: zhang, created: 2026-01-05}\n"}


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


def files_of(root: Path) -> dict:
    """Every file under `root` with its bytes, but salesctl's own (.salesctl/)."""
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and ".salesctl" not in p.parts}
