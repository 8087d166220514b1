"""Shared test helpers: build a workspace from literal texts, run the CLI as a user would."""

from __future__ import annotations

import itertools
import os
import shutil
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesctl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-workspace"
REPORTS_FIXTURE = ROOT / "tests" / "fixtures" / "reports"

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


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A copy of the sample workspace (no run may write into the repository)."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "sample", ignore=shutil.ignore_patterns(".salesctl")))


@pytest.fixture
def reports_copy(tmp_path) -> Path:
    """A copy of tests/fixtures/reports, whose figures are worked out by hand as of 2026-06-30."""
    return Path(shutil.copytree(REPORTS_FIXTURE, tmp_path / "reports", ignore=shutil.ignore_patterns(".salesctl")))
