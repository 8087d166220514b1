"""Record-level differences between two loaded workspaces and their effect on the money, as a library:
no git needed (`salesctl diff` between revisions: tests/cli/test_diff.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from helpers.git import BASE
from helpers.workspaces import write_workspace
from salesctl.history.semdiff import compare, field_changes, record_changes
from salesctl.load.pipeline import load


def test_field_changes_walk_maps_and_lists():
    old = {"amount": Decimal("60000"), "due": date(2026, 9, 10), "payments": [{"date": date(2026, 9, 5),
                                                                              "amount": Decimal("20000")}]}
    new = {"amount": Decimal("60000.00"), "due": date(2026, 9, 30), "invoice": "8812",
           "payments": [{"date": date(2026, 9, 5), "amount": Decimal("20000")},
                        {"date": date(2026, 10, 20), "amount": Decimal("40000")}]}
    assert field_changes(old, new) == [
        {"field": "due", "old": date(2026, 9, 10), "new": date(2026, 9, 30)},
        {"field": "payments.1", "old": None, "new": {"date": date(2026, 10, 20), "amount": Decimal("40000")}},
        {"field": "invoice", "old": None, "new": "8812"},
    ]


def test_field_changes_tell_true_from_one_and_a_list_from_nothing():
    assert field_changes({"key": True}, {"key": 1}) == [{"field": "key", "old": True, "new": 1}]
    assert field_changes({"tags": []}, {"tags": ["老客户"]}) == [{"field": "tags", "old": [], "new": ["老客户"]}]
    assert field_changes({"next": {"date": date(2026, 12, 1), "action": "报价"}},
                         {"next": {"date": date(2026, 12, 1), "action": "签约"}}) == [
        {"field": "next.action", "old": "报价", "new": "签约"}]


def test_compare_two_workspaces_on_disk(tmp_path):
    """The library needs no git: any two loaded workspaces compare."""
    old = load(write_workspace(tmp_path / "old", BASE))
    new_files = dict(BASE)
    new_files["receivables/RCV-1.yaml"] = BASE["receivables/RCV-1.yaml"].replace(
        "amount: 20000, method: 银行转账}", "amount: 20000, method: 银行转账}\n          - {date: 2026-11-28, amount: 10000}")
    new_files["receivables/RCV-3.yaml"] = "id: RCV-3\ncontract: CT-2\namount: 50000.00\ndue: '2026-10-15'\n"
    del new_files["receivables/RCV-2.yaml"]
    new = load(write_workspace(tmp_path / "new", new_files))

    document = compare(old, new, date(2026, 11, 30))
    assert document["summary"] == {"added": 0, "removed": 1, "changed": 1, "moved": 0, "config": 0,
                                   "errors": {"old": 0, "new": 0}}
    assert document["records"] == [
        {"change": "changed", "collection": "receivables", "id": "RCV-1", "old_path": "receivables/RCV-1.yaml",
         "new_path": "receivables/RCV-1.yaml",
         "fields": [{"field": "payments.1", "old": None, "new": {"date": date(2026, 11, 28), "amount": 10000}}]},
        {"change": "removed", "collection": "receivables", "id": "RCV-2", "old_path": "receivables/RCV-2.yaml",
         "new_path": None},
    ]
    assert document["effect"]["receivables"] == [
        {"receivable": "RCV-1", "contract": "CT-1", "old": {"balance": 40000, "status": "overdue"},
         "new": {"balance": 30000, "status": "overdue"}},
        {"receivable": "RCV-2", "contract": "CT-1", "old": {"balance": 40000, "status": "overdue"}, "new": None},
    ]
    assert document["effect"]["overdue"] == {
        "buckets": {"1-30": {"old": 40000, "new": 0, "delta": -40000},
                    "31-60": {"old": 50000, "new": 50000, "delta": 0},
                    "61-90": {"old": 40000, "new": 30000, "delta": -10000},
                    "91+": {"old": 0, "new": 0, "delta": 0}},
        "total": {"old": 130000, "new": 80000, "delta": -50000}}
    assert document["effect"]["signed"] == []


def test_signed_amount_per_rep_for_the_quarters_touched(tmp_path):
    old = load(write_workspace(tmp_path / "old", BASE))
    files = dict(BASE)
    files["contracts/CT-1.yaml"] = BASE["contracts/CT-1.yaml"].replace("signed: 2026-08-10", "signed: 2026-10-02")
    files["contracts/CT-2.yaml"] = BASE["contracts/CT-2.yaml"].replace("owner: wang", "owner: zhang")
    new = load(write_workspace(tmp_path / "new", files))
    assert compare(old, new, date(2026, 11, 30))["effect"]["signed"] == [
        {"period": "2026-Q3", "rep": "wang", "name": "王芳", "old": 50000, "new": 0, "delta": -50000},
        {"period": "2026-Q3", "rep": "zhang", "name": "张伟", "old": 100000, "new": 50000, "delta": -50000},
        {"period": "2026-Q3", "rep": None, "name": None, "old": 150000, "new": 50000, "delta": -100000},
        {"period": "2026-Q4", "rep": "zhang", "name": "张伟", "old": 0, "new": 100000, "delta": 100000},
        {"period": "2026-Q4", "rep": None, "name": None, "old": 0, "new": 100000, "delta": 100000},
    ]


def test_records_with_errors_are_listed_but_left_out_of_the_figures(tmp_path):
    old = load(write_workspace(tmp_path / "old", BASE))
    files = {**BASE, "receivables/RCV-3.yaml": "id: RCV-3\ncontract: CT-2\namount: 50000\ndue: 2026-10-45\n"}
    new = load(write_workspace(tmp_path / "new", files))
    document = compare(old, new, date(2026, 11, 30))
    assert document["summary"]["errors"] == {"old": 0, "new": 1}
    assert [(r["id"], r["fields"]) for r in document["records"]] == [
        ("RCV-3", [{"field": "due", "old": date(2026, 10, 15), "new": None}])]
    assert document["effect"]["receivables"] == [
        {"receivable": "RCV-3", "contract": "CT-2", "old": {"balance": 50000, "status": "overdue"}, "new": None}]


def test_a_record_moved_to_another_file_is_unchanged(tmp_path):
    old = load(write_workspace(tmp_path / "old", BASE))
    files = {k: v for k, v in BASE.items() if k != "customers/customers.yaml"}
    files["customers/east/CUS-1.yaml"] = "{id: CUS-1, name: 甲公司, owner: zhang, created: 2026-01-05}\n"
    files["customers/north/CUS-2.yaml"] = "{id: CUS-2, name: 乙公司, owner: wang, created: 2026-01-10, status: prospect}\n"
    new = load(write_workspace(tmp_path / "new", files))
    assert record_changes(old, new) == ([], [
        {"collection": "customers", "id": "CUS-1", "old_path": "customers/customers.yaml",
         "new_path": "customers/east/CUS-1.yaml"},
        {"collection": "customers", "id": "CUS-2", "old_path": "customers/customers.yaml",
         "new_path": "customers/north/CUS-2.yaml"}])
