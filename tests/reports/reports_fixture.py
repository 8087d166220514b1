"""The report fixture workspace (tests/fixtures/reports), copied so no run can write into the repo.

Its records are built so that every figure of the report tests can be checked by hand as of
2026-06-30; the comments in the fixture files say what each record is there to exercise.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from salesctl.load.pipeline import load

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "reports"


@pytest.fixture
def reports_root(tmp_path) -> Path:
    root = tmp_path / "reports-ws"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".salesctl"))
    return root


@pytest.fixture
def reports_ws(reports_root):
    ws = load(reports_root)
    assert ws.problems == []
    return ws
