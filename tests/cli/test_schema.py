"""`salesctl schema`: one collection, all of them, the files for an editor, outside a workspace (the
schemas themselves: tests/unit/query/test_schema.py)."""

from __future__ import annotations

import json

from helpers.workspaces import write_workspace
from salesctl.model.config import Config
from salesctl.model.records import COLLECTIONS
from salesctl.query.schema import file_schema


def test_schema_of_one_collection(run, tmp_path):
    root = write_workspace(tmp_path / "ws", {})
    result = run("-C", root, "schema", "customer")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == file_schema("customers", Config())


def test_schema_of_every_collection(run, tmp_path):
    result = run("-C", write_workspace(tmp_path / "ws", {}), "schema")
    assert json.loads(result.stdout)["title"] == "salesctl record files"


def test_schema_files_for_an_editor(run, tmp_path):
    root = write_workspace(tmp_path / "ws", {})
    result = run("-C", root, "schema", "-o", root / ".salesctl" / "schema")
    assert result.exit_code == 0
    written = sorted(p.name for p in (root / ".salesctl" / "schema").iterdir())
    assert written == sorted(f"{c}.schema.json" for c in COLLECTIONS)
    assert "wrote " in result.stderr
    one = run("-C", root, "schema", "visits", "-o", tmp_path / "one")
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["visits.schema.json"] and one.exit_code == 0


def test_schema_outside_a_workspace_uses_the_defaults(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SALESCTL_WORKSPACE", raising=False)
    result = run("schema", "contracts")
    assert result.exit_code == 0 and "using the default approval chain" in result.stderr
    stage = json.loads(result.stdout)["$defs"]["contract"]["properties"]["approvals"]["items"]["properties"]["stage"]
    assert stage["enum"] == ["manager", "legal", "finance"]


def test_schema_of_an_unknown_collection_is_a_usage_error(run, tmp_path):
    result = run("-C", write_workspace(tmp_path / "ws", {}), "schema", "clients")
    assert result.exit_code == 2 and "no collection 'clients'" in result.stderr
