"""Finding the workspace root, and which files belong to a workspace."""

from __future__ import annotations

import pytest

from salesctl.load.paths import collection_files, find_root, is_workspace_file, listing_order
from salesctl.model.records import COLLECTIONS
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


def test_what_counts_as_a_workspace_file():
    assert is_workspace_file("salesctl.yaml")
    assert is_workspace_file("visits/2026/11.yml")
    assert not is_workspace_file("visits/.draft/11.yaml")
    assert not is_workspace_file("templates/contract.md.j2")
    assert not is_workspace_file("customers")


LISTING = [(rel, ("file", n)) for n, rel in enumerate(sorted([
    "salesctl.yaml", "customers", "visits/2026/01.yaml", "visits/2026/02/a.yaml", "visits/VIS-1.yaml",
    "contracts/CON-1.yaml", "contracts/old/CON-0.yml", "reviews/R-1.yaml",
], key=listing_order))]


@pytest.mark.parametrize("collections", [
    COLLECTIONS, ("customers",), ("visits",), ("contracts", "receivables"), ("receivables",), ("visits", "reviews"), ()])
def test_the_files_of_some_collections(collections):
    """What a load of those collections reads: their files, and a folder listed because it leads
    outside the workspace; never salesctl.yaml."""
    expected = [(rel, identity) for rel, identity in LISTING if rel.partition("/")[0] in collections]
    assert collection_files(LISTING, collections) == expected
