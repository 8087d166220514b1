"""`salesctl validate`: the problem lines, exit codes, --strict and JSON (every code, from a broken
workspace each: tests/unit/load/test_pipeline.py)."""

from __future__ import annotations

import json

from helpers.records import CUSTOMER, with_change
from helpers.workspaces import CONFIG
from salesctl.load.pipeline import load


def test_text_output_format_and_exit_code(workspace, run):
    root = workspace(with_change(**{"customers/CUS-0001.yaml": CUSTOMER.replace("owner: zhang", "owner: nobody")}))
    result = run("-C", root, "validate")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "customers/CUS-0001.yaml:3:1: error[unknown-ref]: owner: no team member 'nobody'",
        "1 error, 0 warnings in 4 files",
    ]


def test_warnings_pass_unless_strict(workspace, run):
    root = workspace(with_change(**{"customers/CUS-0001.yaml": CUSTOMER + "staus: lost\n"}))
    result = run("-C", root, "validate")
    assert result.exit_code == 0
    assert "unknown field 'staus'; did you mean 'status'?" in result.stdout
    assert run("-C", root, "validate", "--strict").exit_code == 1


def test_json_output(workspace, run):
    root = workspace(with_change(**{"customers/CUS-0001.yaml": CUSTOMER.replace("2026-01-05", "2026-02-30")}))
    result = run("validate", "--format", "json", "-C", root)  # global option after the command
    document = json.loads(result.stdout)
    assert document == {
        "problems": [{"path": "customers/CUS-0001.yaml", "line": 5, "column": 1, "severity": "error",
                      "code": "bad-date", "message": "created: '2026-02-30' is not a real date"}],
        "errors": 1, "warnings": 0, "files": 4,
    }
    assert result.exit_code == 1


def test_ids_that_differ_only_in_case_are_a_duplicate_id_warning(workspace, run):
    """On macOS and Windows CUS-0001.yaml and cus-0001.yaml are one file: checked out there, one
    record silently replaces the other."""
    root = workspace(with_change(**{"customers/cus-0001.yaml": CUSTOMER.replace("CUS-0001", "cus-0001")
                                    .replace("华东机械", "华东机械二厂"),
                                    "customers/more.yaml": "- " + CUSTOMER.replace("CUS-0001", "Cus-0001")
                                    .replace("华东机械", "华东机械三厂").replace("\n", "\n  ")}))
    result = run("-C", root, "validate")
    assert (result.exit_code, result.stdout.splitlines()) == (0, [
        "customers/cus-0001.yaml:1:1: warning[duplicate-id]: id 'cus-0001' differs only in case from 'CUS-0001' "
        "(customers/CUS-0001.yaml:1): macOS and Windows ignore case in file names, so customers/cus-0001.yaml and "
        "customers/CUS-0001.yaml are one file there",
        "customers/more.yaml:1:3: warning[duplicate-id]: id 'Cus-0001' differs only in case from 'CUS-0001' "
        "(customers/CUS-0001.yaml:1): macOS and Windows ignore case in file names, so customers/Cus-0001.yaml and "
        "customers/CUS-0001.yaml are one file there",
        "0 errors, 2 warnings in 6 files"])  # salesctl.yaml and 5 record files
    assert sorted(load(root).usable().ids("customers")) == ["CUS-0001", "Cus-0001", "cus-0001"]  # a warning keeps them


def test_validate_points_at_the_line_and_column(run, workspace):
    root = workspace(config=CONFIG + "commission:\n  tiers:\n    - {from: 0, rate: 0.03}\n    - {from: 0, rate: 0.3}\n")
    result = run("-C", root, "validate")
    assert result.exit_code == 1
    # CONFIG is 7 lines; `tiers:` is line 9
    assert "salesctl.yaml:9:3: error[bad-config]: commission.tiers: each band's `from` must be above" in result.stdout


def test_the_rules_cache_keeps_one_answer_per_day(workspace, run):
    """A payment on 2026-12-01 and a visit on 2026-12-03: in the future as of 2026-11-30 (future-date),
    one of them as of 2026-12-02, none as of 2026-12-03; the same run twice reads the cache."""
    root = workspace(with_change(**{
        "receivables/RCV-1.yaml": "id: RCV-1\ncontract: CT-1\namount: 10000\ndue: 2026-03-01\n"
                                  "payments:\n  - {date: 2026-12-01, amount: 100}\n",
        "visits/v.yaml": "- {id: V-1, customer: CUS-0001, rep: zhang, date: 2026-12-03, channel: phone}\n"}))
    for day, warnings in (("2026-11-30", "2 warnings"), ("2026-12-02", "1 warning"), ("2026-11-30", "2 warnings"),
                          ("2026-12-03", "0 warnings")):
        result = run("-C", root, "--as-of", day, "validate")
        assert result.stdout.endswith(f"0 errors, {warnings} in 5 files\n"), (day, result.stdout)


def test_hand_edit_mistakes_are_pointed_at(run, workspace):
    root = workspace({"customers/CUS-0101.yaml": "id: CUS-0101\nname：测试\nowner: zhang\ncreated: 2026-01-05\n"})
    result = run("-C", root, "validate")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == ("customers/CUS-0101.yaml:2:5: error[yaml-syntax]: a full-width colon '：' "
                                             "after 'name': YAML needs an ASCII ':' and a space (name: 测试)")
