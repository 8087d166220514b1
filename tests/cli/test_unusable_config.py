"""A salesctl.yaml that gives no usable config (it does not parse, holds nothing, or is not one
mapping): nothing can be checked, so every reader and writer stops with exit 2 naming the
config's problem at file:line:col; `validate` reports it with the rest (exit 1).
"""

from __future__ import annotations

import pytest

from helpers.records import VALID
from helpers.workspaces import CONFIG, HOSTILE, files_of

pytestmark = pytest.mark.usefixtures("quiet_git")  # git with no user configuration, in every test

NOTHING_CHECKED = "; without a usable salesctl.yaml no record can be read or checked (run 'salesctl validate')"

# name -> (salesctl.yaml, the problem readers name, the problem line validate prints)
CONFIGS = {
    "scalar": ("just a line of text\n",
               "salesctl.yaml:1:1: salesctl.yaml must be a mapping of settings, found text [bad-config]",
               "salesctl.yaml:1:1: error[bad-config]: salesctl.yaml must be a mapping of settings, found text"),
    "list": ("- company: {name: 星河}\n- team: []\n",  # the first mapping starts after "- ": column 3
             "salesctl.yaml:1:3: salesctl.yaml must be one mapping of settings, not a list or several documents [bad-config]",
             "salesctl.yaml:1:3: error[bad-config]: salesctl.yaml must be one mapping of settings, not a list or several documents"),
    "documents": ("company: {name: 星河}\n---\nteam: []\n",
                  "salesctl.yaml:1:1: salesctl.yaml must be one mapping of settings, not a list or several documents [bad-config]",
                  "salesctl.yaml:1:1: error[bad-config]: salesctl.yaml must be one mapping of settings, not a list or several documents"),
    "comments only": ("# to be filled in\n",
                      "salesctl.yaml:1:1: salesctl.yaml is empty; company and team are required [bad-config]",
                      "salesctl.yaml:1:1: error[bad-config]: salesctl.yaml is empty; company and team are required"),
    # GBK for 星河: the first byte that is not UTF-8 follows "company: {name: " (16 characters)
    "not utf-8": (b"company: {name: \xd0\xc7\xba\xd3}\n",
                  "salesctl.yaml:1:17: not UTF-8 text (byte 0xd0) [not-utf8]",
                  "salesctl.yaml:1:17: error[not-utf8]: not UTF-8 text (byte 0xd0)"),
    # the aliases of line 2 already expand beyond the bound the file's size allows
    "alias bomb": ((HOSTILE / "alias-bomb.yaml").read_bytes(),
                   "salesctl.yaml:2:56: alias expansion too large (an alias bomb?) [yaml-syntax]",
                   "salesctl.yaml:2:56: error[yaml-syntax]: alias expansion too large (an alias bomb?)"),
}
READERS = [
    ["query", "customers"], ["show", "CUS-0001"], ["sql", "SELECT id FROM customers"],
    ["report", "overdue"], ["report", "kpi", "--period", "2026"], ["report", "review"],
    ["remind"], ["remind", "--format", "json"], ["draft", "CT-1"],
]
WRITERS = [
    ["pay", "RCV-1", "100"], ["collect", "RCV-1", "--channel", "phone", "--by", "zhang"],
    ["approve", "CT-1", "--stage", "manager", "--by", "lin"], ["schedule", "CT-1", "100%@signed"],
    ["new", "customer", "name=新客户", "owner=zhang"],
]


@pytest.mark.parametrize("name", CONFIGS)
def test_readers_and_writers_stop_and_name_the_problem(workspace, run, tmp_path, name):
    text, where, line = CONFIGS[name]
    root = workspace({**VALID, "salesctl.yaml": text})
    before = files_of(root)
    for args in READERS + [["export", "--format", "csv", "-o", tmp_path / "out"]] + WRITERS:
        result = run("-C", root, "--as-of", "2026-05-01", *args)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {where}{NOTHING_CHECKED}\n"), args
    assert files_of(root) == before and not (tmp_path / "out").exists()

    checked = run("-C", root, "validate")
    assert checked.exit_code == 1
    assert line in checked.stdout.splitlines()


def test_a_config_with_wrong_values_is_still_usable(workspace, run):
    """Wrong values are problems with the default used instead: records are still checked."""
    root = workspace({**VALID, "salesctl.yaml": CONFIG + "locale: fr_FR\n"})
    result = run("-C", root, "query", "customers", "-f", "id", "--format", "ids")
    assert (result.exit_code, result.stdout) == (0, "CUS-0001\n")


def test_at_a_revision_and_in_a_diff_the_side_is_named(repo, run):
    r = repo()
    r.commit("配置写坏了", {"salesctl.yaml": "just a line of text\n"})
    r.commit("修好", {"salesctl.yaml": CONFIG})
    where = "salesctl.yaml:1:1 (at HEAD~1): salesctl.yaml must be a mapping of settings, found text [bad-config]"
    result = run("-C", r.root, "--rev", "HEAD~1", "report", "overdue")
    assert (result.exit_code, result.stderr) == (2, f"error: {where}{NOTHING_CHECKED}\n")
    result = run("-C", r.root, "diff", "HEAD~1")
    assert (result.exit_code, result.stderr) == (2, f"error: {where}{NOTHING_CHECKED}\n")
    assert run("-C", r.root, "--rev", "HEAD~1", "validate").exit_code == 1
    assert run("-C", r.root, "diff", "HEAD~2").exit_code == 0
