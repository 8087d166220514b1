"""Reading a git revision as a library: what `GitSource` lists, in which order, and git's errors
(`--rev`, `diff` and `validate --changed`: tests/cli/test_revisions.py)."""

from __future__ import annotations

import pytest

from salesctl.errors import GitError
from salesctl.load.git import GitSource
from salesctl.load.revisions import open_revision

pytestmark = pytest.mark.usefixtures("quiet_git")  # git with no user configuration, in every test


def test_gitlinks_and_files_outside_the_collections_are_ignored(repo):
    r = repo()
    (r.root / "notes.yaml").write_text("- not: a record\n")
    (r.root / "customers/.hidden.yaml").write_text("- broken: [\n")
    (r.root / "customers/readme.txt").write_text("not yaml\n")
    r.git("add", "-A")
    r.git("update-index", "--add", "--cacheinfo", f"160000,{r.commits[0]},customers/vendor")
    r.commit("extras")
    with GitSource(r.root, "HEAD") as source:
        assert [rel for rel, _ in source.files()] == [
            "salesctl.yaml", "customers/customers.yaml", "contracts/CT-1.yaml", "contracts/CT-2.yaml",
            "receivables/RCV-1.yaml", "receivables/RCV-2.yaml", "receivables/RCV-3.yaml"]


def test_files_are_listed_in_the_order_the_working_tree_lists_them(repo):
    r = repo({"visits/2026/a.yaml": "", "visits/2026.yaml": "", "visits/b.yml": "", "visits/2026/Z/x.yaml": ""})
    with GitSource(r.root, "HEAD") as source:
        assert [rel for rel, _ in source.files()][1:] == [
            "visits/2026/Z/x.yaml", "visits/2026/a.yaml", "visits/2026.yaml", "visits/b.yml"]


def test_git_errors_from_the_library():
    with pytest.raises(GitError, match="not a git repository"):
        open_revision("/", "HEAD")
