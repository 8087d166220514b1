"""Shared test helpers: build a workspace from literal texts, run the CLI as a user would."""

from __future__ import annotations

import textwrap
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
    """Create a workspace under `root` from {relative path: text}; texts are dedented."""
    root.mkdir(parents=True, exist_ok=True)
    if config is not None and "salesctl.yaml" not in files:
        (root / "salesctl.yaml").write_text(config, encoding="utf-8")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


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
