"""A new workspace as a library, the sample workspace, and the pre-commit hook (the command:
tests/cli/test_init.py)."""

from __future__ import annotations

import subprocess

import pytest

from helpers.git import git
from helpers.workspaces import ONE_CUSTOMER
from salesctl.errors import InitError
from salesctl.scaffold import create_workspace, install_hook
from salesctl.load.pipeline import load


def test_init_inside_a_repository_does_not_nest_one(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    create_workspace(tmp_path / "sales")
    assert not (tmp_path / "sales" / ".git").exists()


def test_sample_workspace_is_clean_and_has_every_bucket():
    from helpers.workspaces import SAMPLE
    from datetime import date

    from salesctl.derive import bucket, days_overdue

    ws = load(SAMPLE)
    assert ws.problems == []
    as_of = date(2026, 11, 30)
    buckets = {bucket(days_overdue(r, as_of), ws.config.rules["aging_buckets"]) for r in ws.records["receivables"]}
    assert {"1-30", "31-60", "61-90", "91+"} <= buckets


# --- the pre-commit hook ------------------------------------------------------------------

def test_a_shared_hooks_path_is_never_written(git_workspace, tmp_path):
    root = git_workspace()
    shared = tmp_path / "shared-hooks"
    git(root, "config", "core.hooksPath", str(shared))
    with pytest.raises(InitError, match="core.hooksPath"):
        install_hook(root)
    assert not shared.exists()


def test_hook_outside_a_repository(workspace, monkeypatch):
    root = workspace(ONE_CUSTOMER)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(root.parent))
    with pytest.raises(InitError, match="not in a git repository"):
        install_hook(root)
