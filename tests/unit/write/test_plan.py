"""Checking a writer's plan against the whole workspace (`write.plan.check`): without a usable
salesctl.yaml there is nothing to check it with; a plan that adds a warning writers do not write
is refused, unless forced where forcing is allowed."""

from __future__ import annotations

from datetime import date

import pytest

from helpers.records import CONTRACT, RECEIVABLE, VALID, with_change
from helpers.workspaces import files_of
from salesctl.errors import Refused, WorkspaceError
from salesctl.load.loader import open_workspace
from salesctl.write.plan import FileChange, Plan, check


def test_a_library_writer_refuses_to_check_a_plan_without_a_usable_config(workspace):
    """The library's writers check their plan with the rules, which need the config: refused."""
    from salesctl.write import writers

    root = workspace({**VALID, "salesctl.yaml": "just a line of text\n"})
    ws = open_workspace(root, require_config=False)
    before = files_of(root)
    with pytest.raises(WorkspaceError, match=r"^salesctl.yaml:1:1: salesctl.yaml must be a mapping"):
        writers.check(ws, writers.Plan(files=[], summary=[]))
    assert files_of(root) == before


def plan_of(root, rel: str, text: str) -> Plan:
    return Plan([FileChange(rel, (root / rel).read_bytes(), text.encode("utf-8"))], ["changed"])


def test_an_entry_dated_after_the_as_of_date_is_written_only_when_forced(workspace):
    root = workspace(VALID)
    ws = open_workspace(root, as_of=date(2026, 11, 30))
    later = plan_of(root, "receivables/RCV-1.yaml", RECEIVABLE + "payments:\n  - {date: 2026-12-01, amount: 100}\n")
    with pytest.raises(Refused) as refused:
        check(ws, later)
    assert str(refused.value) == ("refused: this would add 1 future-date warning (--force writes it anyway); "
                                  "nothing written")
    assert [p.code for p in check(ws, later, force=True).warnings] == ["future-date"]
    earlier = plan_of(root, "receivables/RCV-1.yaml", RECEIVABLE + "payments:\n  - {date: 2026-11-30, amount: 100}\n")
    assert check(ws, earlier).warnings == []


def test_an_approval_by_someone_without_the_authority_is_never_written(workspace):
    root = workspace(with_change(**{"contracts/CT-1.yaml": CONTRACT.replace("status: signed", "status: approved")
                                    .replace("signed: 2026-02-10\n", "")}))
    ws = open_workspace(root, as_of=date(2026, 11, 30))
    text = (root / "contracts/CT-1.yaml").read_text(encoding="utf-8")
    by_rep = plan_of(root, "contracts/CT-1.yaml", text.replace("{stage: manager, by: lin", "{stage: manager, by: zhang"))
    for force in (False, True):
        with pytest.raises(Refused, match="^refused: this would add 1 approval-authority warning; nothing written$"):
            check(ws, by_rep, force=force)
