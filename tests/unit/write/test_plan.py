"""Checking a writer's plan against the whole workspace (`write.plan.check`): without a usable
salesctl.yaml there is nothing to check it with."""

from __future__ import annotations

import pytest

from helpers.records import VALID
from helpers.workspaces import files_of
from salesctl.load.loader import open_workspace
from salesctl.errors import WorkspaceError


def test_a_library_writer_refuses_to_check_a_plan_without_a_usable_config(workspace):
    """The library's writers check their plan with the rules, which need the config: refused."""
    from salesctl.write import writers

    root = workspace({**VALID, "salesctl.yaml": "just a line of text\n"})
    ws = open_workspace(root, require_config=False)
    before = files_of(root)
    with pytest.raises(WorkspaceError, match=r"^salesctl.yaml:1:1: salesctl.yaml must be a mapping"):
        writers.check(ws, writers.Plan(files=[], summary=[]))
    assert files_of(root) == before
