""".pre-commit-hooks.yaml: the hook pre-commit (pre-commit.com) installs from this repository."""

from __future__ import annotations

from helpers.workspaces import ROOT
from salesctl.load.parse import parse_bytes


def test_pre_commit_hooks_file():
    import re

    parsed = parse_bytes((ROOT / ".pre-commit-hooks.yaml").read_bytes())
    assert parsed.problems == []
    (hook,) = [r.data for r in parsed.records]
    assert hook["id"] == "salesctl-validate" and hook["entry"] == "salesctl validate"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    assert all(pattern.search(p) for p in ("salesctl.yaml", "customers/CUS-0001.yaml", "visits/2026/11.yml"))
    assert not any(pattern.search(p) for p in ("templates/contract.md.j2", "README.md"))
