"""`salesctl query` and `salesctl show`: headings, formats, fields, usage errors, records with errors
(the -w grammar, sorting and fields as a library: tests/unit/query/test_query.py)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from ruamel.yaml import YAML
from wcwidth import wcswidth

from helpers.query import AS_OF, BACKTRACKING, FILES, NESTED


def test_table_has_locale_headings_and_lines_up_chinese(run, query_root):
    result = run("-C", query_root, "query", "customers", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["编号", "名称", "负责人", "状态"]
    assert len({wcswidth(line.rstrip()) for line in lines[:2]}) == 1
    name_column = lines[2].index("华东")
    assert all(wcswidth(line[:line.index(name)]) == wcswidth(lines[2][:name_column])
               for line, name in zip(lines[2:], ["华东", "北方", "Lotus"]))


def test_table_headings_in_english_and_for_dotted_fields(run, workspace):
    from helpers.workspaces import CONFIG

    root = workspace(FILES, config=CONFIG + "locale: en_US\n")
    result = run("-C", root, "query", "customers", "-f", "id,days_since_contact,contacts.name", "--as-of", AS_OF)
    assert result.stdout.splitlines()[0].split("  ")[0] == "ID"
    assert "Days since contact" in result.stdout and "Contacts.Name" in result.stdout
    zh = run("-C", workspace(FILES), "query", "customers", "-f", "contacts.name", "--as-of", AS_OF)
    assert zh.stdout.splitlines()[0].strip() == "联系人.名称"


def test_json_is_a_list_of_records_with_derived_fields(run, query_root):
    result = run("-C", query_root, "query", "receivables", "-w", "id = RCV-0002", "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0
    assert '"balance": 40000.00' in result.stdout  # money: 2 decimals
    assert json.loads(result.stdout) == [{
        "id": "RCV-0002", "contract": "CON-0001", "amount": 60000, "due": "2026-09-30", "invoice": "INV-88",
        "payments": [{"date": "2026-10-10", "amount": 20000, "method": "转账", "ref": "B-1"}],
        "collection": [{"date": "2026-10-01", "by": "zhang", "channel": "phone", "note": "已催"}],
        "customer": "CUS-0001", "owner": "zhang", "paid": 20000, "balance": 40000, "status": "overdue",
        "days_overdue": 61, "bucket": "61-90", "next_step": {"action": "onsite", "date": "2026-10-30"},
        "last_action": {"date": "2026-10-01", "by": "zhang", "channel": "phone", "note": "已催"},
    }]


def test_json_with_fields_has_exactly_those_fields(run, query_root):
    result = run("-C", query_root, "query", "contracts", "-f", "id", "-f", "balance,approvals.stage",
                 "--format", "json", "--as-of", AS_OF)
    assert json.loads(result.stdout) == [
        {"id": "CON-0001", "balance": 40000, "approvals.stage": ["manager", "legal", "finance"]},
        {"id": "CON-0002", "balance": 30000.5, "approvals.stage": ["manager"]},
    ]


def test_yaml(run, query_root):
    result = run("-C", query_root, "query", "customers", "-w", "id = CUS-0003", "--format", "yaml", "--as-of", AS_OF)
    assert YAML(typ="safe").load(result.stdout) == [{
        "id": "CUS-0003", "name": "Lotus Trading", "owner": "zhang", "status": "lead", "key": False,
        "follow_up_days": 10, "created": date(2026, 10, 1), "last_contact": date(2026, 10, 1),
        "days_since_contact": 60, "owner_on": "zhang", "in_pool": False, "assigned": date(2026, 10, 1),
        "pool_due": None, "pool_reason": None,
    }]


def test_csv_has_every_field_by_default_and_lists_joined(run, query_root):
    result = run("-C", query_root, "query", "customers", "--format", "csv", "--as-of", AS_OF)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["id", "name", "owner", "assignments", "status", "tier", "key", "follow_up_days",
                             "industry", "size", "region", "source", "created", "contacts", "tags", "notes",
                             "last_contact", "days_since_contact", "owner_on", "in_pool", "assigned", "pool_due",
                             "pool_reason"]
    assert rows[0]["tags"] == "vip; manufacturing"
    assert rows[0]["key"] == "true" and rows[2]["tier"] == ""
    assert json.loads(rows[1]["contacts"]) == {"name": "Zhao Lei", "email": "zl@bf.example"}


def test_csv_with_fields(run, query_root):
    result = run("-C", query_root, "query", "receivables", "-w", "balance > 0", "-s", "-balance",
                 "-f", "id,balance,due", "--format", "csv", "--as-of", AS_OF)
    assert result.stdout == "id,balance,due\nRCV-0002,40000.00,2026-09-30\nRCV-0003,30000.50,2026-12-15\n"


def test_ids(run, query_root):
    result = run("-C", query_root, "query", "receivable", "-w", "status ~ overdue|open", "--limit", "5",
                 "--format", "ids", "--as-of", AS_OF)
    assert result.stdout == "RCV-0002\nRCV-0003\n"


def test_nothing_matches(run, query_root):
    table = run("-C", query_root, "query", "customers", "-w", "tier = C", "--as-of", AS_OF)
    assert table.exit_code == 0 and table.stdout == "" and "no customers match" in table.stderr
    assert run("-C", query_root, "query", "customers", "-w", "tier = C", "--format", "json").stdout == "[]\n"
    csv_text = run("-C", query_root, "query", "customers", "-w", "tier = C", "--format", "csv").stdout
    assert csv_text.startswith("id,name,")


@pytest.mark.parametrize("args, message", [
    (["query", "customer", "-w", "nmae = x"], "did you mean 'name'?"),
    (["query", "clients"], "no collection 'clients'"),
    (["query", "customers", "--limit", "-1"], "--limit"),
    (["query", "customers", "--format", "xml"], "'xml' is not one of"),
])
def test_bad_input_is_a_usage_error(run, query_root, args, message):
    result = run("-C", query_root, *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_records_with_errors_are_left_out_with_one_warning(run, workspace):
    root = workspace({**FILES, "customers/CUS-0009.yaml": "id: CUS-0009\nname: 坏记录\nowner: nobody\ncreated: 2026-01-01\n"})
    result = run("-C", root, "query", "customers", "--format", "ids")
    assert result.exit_code == 0
    assert result.stdout == "CUS-0001\nCUS-0002\nCUS-0003\n"
    assert result.stderr == ("warning: 1 error in the workspace, records with errors left out; "
                             "run salesctl validate\n")
    strict = run("-C", root, "query", "customers", "--strict")
    assert strict.exit_code == 1 and "unknown-ref" in strict.stderr


# --- ~ is bounded ---------------------------------------------------------------------------

def test_deeply_nested_groups_through_the_command(run, workspace):
    result = run("-C", workspace(BACKTRACKING), "query", "customers", "-w", f"notes ~ ^{NESTED}", "--format", "ids")
    assert (result.exit_code, result.stdout) == (0, "CUS-0001\nCUS-0002\n")


def test_a_huge_repetition_is_a_usage_error_not_an_internal_error(run, query_root):
    result = run("-C", query_root, "query", "customers", "-w", "name ~ a{4294967296}")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: -w 'name ~ a{4294967296}': 'a{4294967296}' is not a regular expression: "
                                  "invalid repetition size: {4294967296} (a repetition goes up to 1000, nested ones "
                                  "multiplied)\n")


# --- show ---------------------------------------------------------------------------------

def test_show_a_customer_with_its_contracts_receivables_and_visits(run, query_root):
    result = run("-C", query_root, "show", "CUS-0001", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("客户 CUS-0001  (customers/CUS-0001.yaml)\n")
    assert "负责人        zhang 张伟\n" in text  # a team member with their name
    assert "未联系天数    10\n" in text and "跟进周期(天)  14\n" in text
    assert "\n联系人\n" in text and "采购经理" in text
    assert "\n合同 (1)\n" in text and "\n应收款 (2)\n" in text and "\n拜访 (2)\n" in text
    assert text.index("VIS-0001") < text.index("VIS-0003")  # newest visit first
    assert "上门 2026-10-30" in text


def test_show_json_document(run, query_root):
    result = run("-C", query_root, "show", "RCV-0002", "--format", "json", "--as-of", AS_OF)
    document = json.loads(result.stdout)
    assert document["collection"] == "receivables" and document["path"] == "receivables/RCV-0002.yaml"
    assert document["record"]["balance"] == 40000 and document["record"]["bucket"] == "61-90"
    assert [r["id"] for r in document["related"]["contracts"]] == ["CON-0001"]
    assert [r["id"] for r in document["related"]["customers"]] == ["CUS-0001"]


def test_show_yaml_contract(run, query_root):
    result = run("-C", query_root, "show", "CON-0002", "--format", "yaml", "--as-of", AS_OF)
    document = YAML(typ="safe").load(result.stdout)
    assert document["record"]["pending_stage"] == "legal" and document["record"]["waiting_days"] == 27
    assert [r["id"] for r in document["related"]["receivables"]] == ["RCV-0003"]


def test_show_visits_respect_as_of(run, query_root):
    result = run("-C", query_root, "show", "CUS-0001", "--format", "json", "--as-of", "2026-07-01")
    document = json.loads(result.stdout)
    assert [v["id"] for v in document["related"]["visits"]] == ["VIS-0003"]
    assert document["record"]["last_contact"] == "2026-06-01"


def test_show_an_unknown_id_suggests_the_right_one(run, query_root):
    result = run("-C", query_root, "show", "CUS-001")
    assert result.exit_code == 2 and "no record with id 'CUS-001'; did you mean 'CUS-0001'?" in result.stderr


def test_show_a_record_with_errors_says_so(run, workspace):
    root = workspace({"customers/CUS-0009.yaml": "id: CUS-0009\nname: 坏记录\nowner: nobody\ncreated: 2026-01-01\n"})
    result = run("-C", root, "show", "CUS-0009")
    assert result.exit_code == 1
    assert "CUS-0009 (customers/CUS-0009.yaml) has errors and is left out; run salesctl validate" in result.stderr


def test_show_an_id_used_in_two_collections_notes_the_other(run, workspace):
    root = workspace({**FILES, "visits/X-1.yaml": "{id: CUS-0003, customer: CUS-0003, rep: zhang, date: 2026-11-01, channel: phone}\n"})
    result = run("-C", root, "show", "CUS-0003", "--as-of", AS_OF)
    assert result.exit_code == 0 and result.stdout.startswith("客户 CUS-0003")
    assert "note: CUS-0003 is also a visit (visits/X-1.yaml)" in result.stderr


def test_show_a_review_with_its_scores_total_and_grade(run, sample_copy):
    """The row `report review --period 2026-10` gives REV-2026-10-liu: one place computes both."""
    ws = ("-C", sample_copy, "--as-of", "2026-11-30")
    shown = json.loads(run(*ws, "show", "REV-2026-10-liu", "--format", "json").stdout)
    report = json.loads(run(*ws, "report", "review", "--period", "2026-10", "--format", "json").stdout)
    row = next(r for r in report["rows"] if r["review"] == "REV-2026-10-liu")
    assert shown["score"] == {key: row[key] for key in ("scores", "total", "grade", "rank")} == {
        "scores": {"sales": 0.0, "satisfaction": 60.0, "teamwork": 84.6, "attitude": 87.2},
        "total": 37.8, "grade": "D", "rank": 4}
    table = run(*ws, "show", "REV-2026-10-liu").stdout.splitlines()
    assert table[-4:] == ["得分    sales=0.0, satisfaction=60.0, teamwork=84.6, attitude=87.2", "总分    37.8",
                          "等级    D", "排名    4"]


def test_a_chinese_table_shows_enum_values_in_chinese_and_people_by_name(run, sample_copy):
    """CUS-0001: owner zhang (张伟), status customer, a key account; CSV and JSON keep the stored words."""
    args = ("-C", sample_copy, "--as-of", "2026-11-30", "query", "customers", "-w", "id=CUS-0001",
            "-f", "id,owner,status,key,source")
    assert run(*args).stdout.splitlines()[2].split() == ["CUS-0001", "张伟", "成交客户", "是", "展会"]
    assert run(*args, "--format", "csv").stdout.splitlines()[1] == "CUS-0001,zhang,customer,true,exhibition"
    contacts = run("-C", sample_copy, "show", "CUS-0001").stdout
    assert "\n联系人\n姓名    职务" in contacts and "\n重点客户      是\n" in contacts
    contract = run("-C", sample_copy, "--as-of", "2026-11-19", "show", "CT-2026-015").stdout
    assert "\n状态        审批中\n" in contract and "\n待审批环节  经理\n" in contract


def test_an_english_table_keeps_the_stored_words(run, sample_copy):
    config = sample_copy / "salesctl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("locale: zh_CN", "locale: en_US"), encoding="utf-8")
    args = ("-C", sample_copy, "--as-of", "2026-11-30", "query", "customers", "-w", "id=CUS-0001",
            "-f", "id,owner,status,key")
    assert run(*args).stdout.splitlines()[2].split() == ["CUS-0001", "张伟", "customer", "true"]
