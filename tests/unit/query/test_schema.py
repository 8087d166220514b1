"""JSON Schema of the record files, generated from records.SCHEMAS (the command: tests/cli/test_schema.py)."""

from __future__ import annotations

import textwrap

import jsonschema  # part of [dev]
import pytest

from helpers.query import FILES
from helpers.workspaces import CONFIG, SAMPLE, write_workspace
from salesctl.model.config import Config
from salesctl.load.parse import parse_bytes
from salesctl.model.records import COLLECTIONS, SCHEMAS, SINGULAR
from salesctl.query.schema import DIALECT, file_schema, workspace_schema


def file_data(text: str):
    """A YAML file as a language server sees it (dates stay text): a mapping, a list or None."""
    parsed = parse_bytes(textwrap.dedent(text).encode())
    assert not parsed.problems
    if not parsed.records:
        return None
    return parsed.records[0].data if parsed.single else [r.data for r in parsed.records]


def errors(collection: str, text: str, config=None, validator=jsonschema.Draft202012Validator) -> list[str]:
    schema = file_schema(collection, config or Config())
    found = validator(schema).iter_errors(file_data(text))
    return sorted(e.message for error in found for e in (error.context or [error]))


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_each_schema_is_valid_draft_2020_12(collection):
    schema = file_schema(collection, Config())
    assert schema["$schema"] == DIALECT
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft7Validator.check_schema(schema)  # what YAML language servers validate with


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_fields_and_required_fields_come_from_the_record_format(collection):
    record = file_schema(collection, Config())["$defs"][SINGULAR[collection]]
    assert list(record["properties"]) == list(SCHEMAS[collection])
    assert record["required"] == [name for name, spec in SCHEMAS[collection].items() if spec.required]
    assert record["additionalProperties"] is False


def test_the_combined_schema_holds_every_format():
    schema = workspace_schema(Config())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert list(schema["$defs"]) == ["customer", "visit", "contract", "receivable", "review"]


@pytest.mark.parametrize("path", sorted(FILES))
def test_valid_files_have_no_errors(path):
    collection = path.split("/")[0]
    for validator in (jsonschema.Draft202012Validator, jsonschema.Draft7Validator):
        assert errors(collection, FILES[path], validator=validator) == []


def test_sample_workspace_files_have_no_errors():
    from salesctl.load.pipeline import load

    config = load(SAMPLE).config
    checked = 0
    for collection in COLLECTIONS:
        for path in sorted((SAMPLE / collection).rglob("*.y*ml")):
            assert errors(collection, path.read_text(encoding="utf-8"), config) == [], path
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("collection, text, message", [
    ("customers", "{id: C-1, name: x, created: 2026-01-01}", "'owner' is a required property"),
    ("customers", "{id: C-1, name: x, owner: zhang, created: 2026-01-01, tier: D}", "'D' is not one of"),
    ("customers", "{id: C-1, name: x, owner: zhang, created: 2026-1-1}", "does not match"),
    ("customers", "{id: 'C 1', name: x, owner: zhang, created: 2026-01-01}", "does not match"),
    ("customers", "{id: C-1, name: x, owner: zhang, created: 2026-01-01, tire: A}", "('tire' was unexpected)"),
    ("customers", "{id: C-1, name: x, owner: zhang, created: 2026-01-01, key: yes please}", "is not of type"),
    ("customers", "{id: C-1, name: x, owner: zhang, created: 2026-01-01, contacts: [{title: boss}]}",
     "'name' is a required property"),
    ("customers", "{id: C-1, name: x, owner: zhang, created: 2026-01-01, follow_up_days: 0}",
     "0 is less than the minimum of 1"),
    ("visits", "{id: V-1, customer: C-1, rep: zhang, date: 2026-01-01, channel: fax}", "'fax' is not one of"),
    ("visits", "{id: V-1, customer: C-1, rep: zhang, date: 2026-01-01, channel: phone, satisfaction: 6}",
     "6 is greater than the maximum of 5"),
    ("receivables", "{id: R-1, contract: K-1, amount: -5, due: 2026-01-01}", "-5 is less than the minimum of 0"),
    ("receivables", "{id: R-1, contract: K-1, amount: 5, due: 2026-01-01, collection: "
                    "[{date: 2026-01-02, by: zhang, channel: fax}]}", "'fax' is not one of"),
    ("reviews", "{id: P-1, rep: zhang, period: 2026-Q5}", "does not match"),
    ("reviews", "{id: P-1, rep: zhang, period: 2026, self: {sales: 90}}", "'sales' is not one of"),
    ("reviews", "{id: P-1, rep: zhang, period: 2026-Q1, manager: {teamwork: 101}}", "101 is greater than"),
])
def test_invalid_files_have_errors(collection, text, message):
    found = errors(collection, text)
    assert any(message in m for m in found), found


def test_a_file_may_hold_a_list_of_records_or_nothing():
    assert errors("visits", """\
        - {id: V-1, customer: C-1, rep: zhang, date: 2026-01-01, channel: phone}
        - {id: V-2, customer: C-1, rep: zhang, date: 2026-01-02, channel: email, next: {date: 2026-02-01, action: call}}
        """) == []
    assert errors("visits", "# nothing yet\n") == []
    assert errors("visits", "- {id: V-1, customer: C-1, rep: zhang, channel: phone}\n") != []


def test_empty_optional_values_are_allowed_but_not_empty_required_ones():
    assert errors("customers", "{id: C-1, name: x, owner: zhang, created: 2026-01-01, tier: , notes: }") == []
    assert "None is not of type 'string', 'number'" in errors(
        "customers", "{id: C-1, name: , owner: zhang, created: 2026-01-01}")


def test_stages_and_indicators_follow_the_workspace_config(tmp_path):
    from salesctl.load.pipeline import load

    root = write_workspace(tmp_path / "ws", {}, CONFIG + textwrap.dedent("""\
        rules: {approval_chain: [manager, finance]}
        review:
          indicators:
            - {name: sales, weight: 60, metric: attainment}
            - {name: diligence, weight: 40}
        """))
    config = load(root).config
    contract = file_schema("contracts", config)["$defs"]["contract"]
    assert contract["properties"]["approvals"]["items"]["properties"]["stage"]["enum"] == ["manager", "finance"]
    review = file_schema("reviews", config)["$defs"]["review"]
    assert review["properties"]["self"]["propertyNames"] == {"enum": ["diligence"]}


def test_descriptions_use_the_locale_headings_and_defaults_show():
    status = file_schema("customers", Config())["$defs"]["customer"]["properties"]["status"]
    assert status["description"] == "状态: one of lead, prospect, customer, lost"
    assert status["default"] == "prospect" and status["enum"][-1] is None
    english = file_schema("customers", Config(locale="en_US"))["$defs"]["customer"]["properties"]["owner"]
    assert english["description"] == "Owner: the id of a team member (salesctl.yaml team) (required)"
