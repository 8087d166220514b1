"""Finding the workspace root, and what `init` creates."""

from __future__ import annotations

import subprocess

import pytest

from salesctl.errors import InitError
from salesctl.scaffold import create_workspace
from salesctl.load.paths import find_root
from salesctl.load.pipeline import load
from salesctl.errors import WorkspaceError


def test_explicit_directory_wins(workspace, tmp_path):
    root = workspace()
    assert find_root(root, env={"SALESCTL_WORKSPACE": str(tmp_path)}) == root.resolve()


def test_environment_variable(workspace, tmp_path):
    root = workspace()
    assert find_root(env={"SALESCTL_WORKSPACE": str(root)}, cwd=tmp_path) == root.resolve()


def test_walks_up_to_salesctl_yaml(workspace):
    root = workspace({"visits/2026/01.yaml": ""})
    assert find_root(env={}, cwd=root / "visits" / "2026") == root.resolve()


def test_no_workspace_is_a_clear_error(tmp_path):
    with pytest.raises(WorkspaceError, match="no workspace found"):
        find_root(env={}, cwd=tmp_path)


def test_directory_without_config(tmp_path):
    with pytest.raises(WorkspaceError, match="no salesctl.yaml in"):
        find_root(tmp_path, env={})


def test_cli_without_workspace_exits_2(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SALESCTL_WORKSPACE", raising=False)
    result = run("validate")
    assert result.exit_code == 2
    assert "no workspace found" in result.stderr
    assert "Traceback" not in result.output


def test_bad_as_of_is_a_usage_error(run, workspace):
    result = run("-C", workspace(), "validate", "--as-of", "2026-02-30")
    assert result.exit_code == 2
    assert "not a date" in result.stderr


def test_init_creates_a_valid_repository(tmp_path, run):
    target = tmp_path / "acme"
    result = run("init", target)
    assert result.exit_code == 0, result.output
    assert (target / ".gitignore").read_text() == ".salesctl/\n*.salesctl-tmp\n"
    assert all((target / c).is_dir() for c in ("customers", "visits", "contracts", "receivables", "reviews"))
    assert (target / ".git").is_dir()
    assert load(target).problems == []
    assert run("-C", target, "validate", "--strict").exit_code == 0


def test_init_inside_a_repository_does_not_nest_one(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    create_workspace(tmp_path / "sales")
    assert not (tmp_path / "sales" / ".git").exists()


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


def test_sample_workspace_is_clean_and_has_every_bucket():
    from conftest import SAMPLE
    from datetime import date

    from salesctl.derive import bucket, days_overdue

    ws = load(SAMPLE)
    assert ws.problems == []
    as_of = date(2026, 11, 30)
    buckets = {bucket(days_overdue(r, as_of), ws.config.rules["aging_buckets"]) for r in ws.records["receivables"]}
    assert {"1-30", "31-60", "61-90", "91+"} <= buckets


def test_version_and_help(run):
    assert run("--version").stdout.startswith("salesctl, version")
    result = run("--help")
    assert result.exit_code == 0 and "validate" in result.stdout


def test_every_command_help_has_an_example(run):
    from salesctl.cli import COMMANDS

    for name in COMMANDS:
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Example" in result.stdout, name


def test_parallel_cold_parse_gives_the_same_workspace(monkeypatch, tmp_path):
    """Big cold loads are parsed by worker processes; the result is the same as one process's."""
    import shutil

    import salesctl.load.pipeline as workspace_module
    from conftest import SAMPLE

    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    (root / "customers" / "broken.yaml").write_text("id: [oops\n", encoding="utf-8")
    sequential = load(root)
    monkeypatch.setattr(workspace_module, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(workspace_module, "CHUNK_FILES", 7)
    seen = []
    parallel = load(root, progress=lambda done, total: seen.append((done, total)))
    assert [p.format() for p in parallel.problems] == [p.format() for p in sequential.problems]
    assert {c: [r.data for r in rs] for c, rs in parallel.records.items()} == \
           {c: [r.data for r in rs] for c, rs in sequential.records.items()}
    assert seen[-1][0] == seen[-1][1] == parallel.files - 1  # every file but salesctl.yaml, reported
