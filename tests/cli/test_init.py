"""`salesctl init`: a new workspace and its repository, the sample, and the pre-commit hook (`--hook`)."""

from __future__ import annotations

import pytest

from salesctl.scaffold import create_workspace, InitError
from salesctl.load.pipeline import load


def test_init_creates_a_valid_repository(tmp_path, run):
    target = tmp_path / "acme"
    result = run("init", target)
    assert result.exit_code == 0, result.output
    assert (target / ".gitignore").read_text() == ".salesctl/\n*.salesctl-tmp\n"
    assert all((target / c).is_dir() for c in ("customers", "visits", "contracts", "receivables", "reviews"))
    assert (target / ".git").is_dir()
    assert load(target).problems == []
    assert run("-C", target, "validate", "--strict").exit_code == 0


def test_init_refuses_to_overwrite(workspace, run):
    root = workspace()
    with pytest.raises(InitError):
        create_workspace(root)
    assert run("init", root).exit_code == 2


def test_init_sample_validates(tmp_path, run):
    target = tmp_path / "demo"
    assert run("init", target, "--sample").exit_code == 0
    ws = load(target)
    assert [p for p in ws.problems] == []
    assert len(ws.records["customers"]) >= 12
