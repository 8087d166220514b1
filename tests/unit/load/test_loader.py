"""`open_workspace`, what every command calls: a salesctl.yaml that gives no usable config stops it,
naming the problem, while `load` reports it with the others (through the commands:
tests/cli/test_unusable_config.py)."""

from __future__ import annotations

import pytest

from helpers.records import VALID
from salesctl.load.loader import open_workspace
from salesctl.load.pipeline import load
from salesctl.errors import WorkspaceError


def test_the_library_says_so_too(workspace):
    root = workspace({**VALID, "salesctl.yaml": "just a line of text\n"})
    ws = load(root)  # what validate reads: the problem is a problem like any other
    assert (ws.config_problem.line, ws.config_problem.column, ws.config_problem.code) == (1, 1, "bad-config")
    assert ws.config_problem in ws.problems
    with pytest.raises(WorkspaceError, match=r"^salesctl.yaml:1:1: salesctl.yaml must be a mapping"):
        open_workspace(root)
    assert open_workspace(root, require_config=False).config_problem == ws.config_problem
    assert load(workspace({**VALID})).config_problem is None
