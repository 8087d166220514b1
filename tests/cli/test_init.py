"""`salesctl init`: a new workspace and its repository, the sample, and the pre-commit hook (`--hook`)."""

from __future__ import annotations

import os
import stat
import subprocess

import pytest

from helpers.git import git
from helpers.workspaces import ROOT
from salesctl.errors import InitError
from salesctl.scaffold import create_workspace
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


@pytest.mark.parametrize("args, admin, rep", [((), "管理员", "张伟"), (("--locale", "en_US"), "Administrator", "Zhang Wei")])
def test_init_writes_the_team_in_the_locale_and_points_to_the_reference(tmp_path, run, args, admin, rep):
    assert run("init", tmp_path / "acme", *args).exit_code == 0
    lines = (tmp_path / "acme" / "salesctl.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# salesctl workspace config — every setting and its default: docs/config.md in the salesctl repository."
    assert f"  - {{id: admin, name: {admin}, role: admin, email: admin@example.com}}" in lines
    assert f"  # - {{id: zhang, name: {rep}, role: rep, group: east, manager: lin, email: zhang@example.com}}" in lines


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


# --- init --hook ---------------------------------------------------------------------------

def commit_env():
    return {**os.environ, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}


def try_commit(root, message="change"):
    git(root, "add", "-A")
    return subprocess.run(["git", "commit", "-q", "-m", message], cwd=root, capture_output=True, text=True,
                          env=commit_env())


def test_init_hook_refuses_a_commit_with_errors(run, tmp_path):
    root = tmp_path / "acme"
    result = run("init", root, "--hook")
    assert result.exit_code == 0, result.output
    hook = root / ".git" / "hooks" / "pre-commit"
    assert hook.stat().st_mode & stat.S_IXUSR
    assert "wrote" in result.stderr and "every commit runs salesctl validate first" in result.stderr
    git(root, "config", "user.email", "admin@example.com")
    git(root, "config", "user.name", "admin")
    assert try_commit(root).returncode == 0
    (root / "customers" / "bad.yaml").write_text("id: CUS-0001\n<<<<<<< HEAD\n")
    refused = try_commit(root, "bad")
    assert refused.returncode == 1
    assert "customers/bad.yaml:2:1: error[yaml-syntax]: git merge conflict marker" in refused.stderr
    (root / "customers" / "bad.yaml").write_text("{id: CUS-0001, name: 甲, owner: admin, created: 2026-01-05}\n")
    assert try_commit(root, "fixed").returncode == 0


def test_hook_for_a_workspace_inside_a_larger_repository(tmp_path, run):
    top = tmp_path / "company"
    subprocess.run(["git", "init", "-q", str(top)], check=True)
    root = top / "sales dept's 'data'"
    assert run("init", root, "--hook").exit_code == 0
    script = (top / ".git" / "hooks" / "pre-commit").read_text()
    assert "-C 'sales dept'\"'\"'s '\"'\"'data'\"'\"'' validate" in script
    git(top, "config", "user.email", "a@example.com")
    git(top, "config", "user.name", "a")
    (root / "visits" / "v.yaml").write_text("- {id: V1}\n")
    assert try_commit(top).returncode == 1


def test_hook_in_an_existing_workspace_only_adds_the_hook(git_workspace, run):
    root = git_workspace()
    before = (root / "salesctl.yaml").read_bytes()
    result = run("init", root, "--hook")
    assert result.exit_code == 0
    assert (root / "salesctl.yaml").read_bytes() == before
    again = run("init", root, "--hook")
    assert again.exit_code == 0 and "already runs salesctl validate" in again.stderr


def test_an_existing_hook_is_kept_unless_forced(git_workspace, run):
    root = git_workspace()
    own = root / ".git" / "hooks" / "pre-commit"
    own.write_text("#!/bin/sh\nmake lint\n")
    refused = run("init", root, "--hook")
    assert refused.exit_code == 2 and "already exists; --force replaces it" in refused.stderr
    assert own.read_text() == "#!/bin/sh\nmake lint\n"
    forced = run("init", root, "--hook", "--force")
    assert forced.exit_code == 0
    assert (root / ".git" / "hooks" / "pre-commit.old").read_text() == "#!/bin/sh\nmake lint\n"
    assert "salesctl" in own.read_text()


def test_force_without_hook_is_a_usage_error(run, tmp_path):
    result = run("init", tmp_path / "x", "--force")
    assert result.exit_code == 2 and "--force only goes with --hook" in result.stderr
    assert not (tmp_path / "x").exists()
