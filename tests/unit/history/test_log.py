"""The commits that changed one record, as a library (`salesctl log`: tests/cli/test_log.py)."""

from __future__ import annotations

from helpers.git import build_history
from salesctl.history.log import record_history


def test_library_call(repo):
    r = repo()
    build_history(r)
    document = record_history(r.root, "CUS-1")
    assert [(e["change"], e["collection"]) for e in document["history"]] == [("added", "customers")]
