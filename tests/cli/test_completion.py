"""Shell completion (click's, the bash protocol): collection names, record kinds, ids, approval
stages and team ids from the workspace; nothing, and no error, outside a workspace."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from salesctl.cli import cli


def complete(words: str, cwd, monkeypatch) -> list[str]:
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("SALESCTL_WORKSPACE", raising=False)
    env = {"_SALESCTL_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    result = CliRunner().invoke(cli, [], prog_name="salesctl", env=env)
    assert result.exit_code == 0, result.output
    return [line.split(",", 1)[1] for line in result.output.splitlines() if line]


@pytest.mark.parametrize("words, expected", [
    ("salesctl query cu", ["customers"]),
    ("salesctl new re", ["receivable", "review"]),
    ("salesctl approve CT-2026-016 --stage f", ["finance"]),
    ("salesctl collect RCV-0014 --by z", ["zhang", "zhao"]),
    ("salesctl pay RCV-001", ["RCV-0010", "RCV-0011", "RCV-0012", "RCV-0013", "RCV-0014", "RCV-0015", "RCV-0016",
                              "RCV-0017", "RCV-0018", "RCV-0019"]),
    ("salesctl sign CT-2026-01", [f"CT-2026-01{n}" for n in range(10)]),
    ("salesctl show CUS-002", [f"CUS-002{n}" for n in range(8)]),
    ("salesctl report activity --rep su", ["sun"]),
])
def test_completes_from_the_workspace(words, expected, sample_copy, monkeypatch):
    assert complete(words, sample_copy, monkeypatch) == expected


def test_outside_a_workspace_ids_complete_to_nothing(tmp_path, monkeypatch):
    assert complete("salesctl pay RCV-", tmp_path, monkeypatch) == []
    assert complete("salesctl query vi", tmp_path, monkeypatch) == ["visits"]
