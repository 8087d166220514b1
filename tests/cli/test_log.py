"""`salesctl log ID`: the commits that changed one record, following it across files."""

from __future__ import annotations

import json
import subprocess

import pytest

from helpers.git import build_history

pytestmark = pytest.mark.usefixtures("quiet_git")  # git with no user configuration, in every test


def history(run, root, record_id, *args):
    result = run("-C", root, *args, "log", record_id, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def changes(document):
    return [(e["commit"], e["change"], e["old_path"], e["new_path"], e["fields"]) for e in document["history"]]


def test_a_payment_shows_the_fields_it_changed(repo, run):
    r = repo()
    c = build_history(r)
    document = history(run, r.root, "RCV-1")
    assert document["id"] == "RCV-1" and document["rev"] == "HEAD" and document["commit"] == c[5]
    assert document["history"] == [
        {"commit": c[1], "date": "2026-12-02T10:00:00+08:00", "author": "赵敏", "email": "dev@example.com",
         "subject": "RCV-1 收款 40000", "collection": "receivables", "change": "changed",
         "old_path": "receivables/RCV-1.yaml", "new_path": "receivables/RCV-1.yaml",
         "fields": [{"field": "payments.1", "old": None,
                     "new": {"date": "2026-10-20", "amount": 40000.0, "method": "银行转账"}}]},
        {"commit": c[0], "date": "2026-12-01T10:00:00+08:00", "author": "张伟", "email": "dev@example.com",
         "subject": "初始化工作区", "collection": "receivables", "change": "added",
         "old_path": None, "new_path": "receivables/RCV-1.yaml", "fields": []},
    ]


def test_the_record_is_followed_into_another_file_until_it_is_deleted(repo, run):
    r = repo()
    c = build_history(r)
    assert changes(history(run, r.root, "RCV-2")) == [
        (c[4], "removed", "receivables/2026.yaml", None, []),
        (c[2], "moved", "receivables/RCV-2.yaml", "receivables/2026.yaml", []),
        (c[0], "added", None, "receivables/RCV-2.yaml", []),
    ]
    assert changes(history(run, r.root, "RCV-3")) == [
        (c[3], "changed", "receivables/2026.yaml", "receivables/2026.yaml",
         [{"field": "contract", "old": "CT-2", "new": "CT-2026-002"}]),
        (c[2], "moved", "receivables/RCV-3.yaml", "receivables/2026.yaml", []),
        (c[0], "added", None, "receivables/RCV-3.yaml", []),
    ]


def test_a_renamed_id_ends_one_history_and_starts_another(repo, run):
    r = repo()
    c = build_history(r)
    assert changes(history(run, r.root, "CT-2")) == [
        (c[3], "removed", "contracts/CT-2.yaml", None, []),
        (c[0], "added", None, "contracts/CT-2.yaml", []),
    ]
    assert changes(history(run, r.root, "CT-2026-002")) == [(c[3], "added", None, "contracts/CT-2026-002.yaml", [])]


def test_an_id_mentioned_by_other_records_is_not_their_history(repo, run):
    r = repo()
    c = build_history(r)
    assert changes(history(run, r.root, "CT-1")) == [(c[0], "added", None, "contracts/CT-1.yaml", [])]


def test_rev_starts_the_history_at_that_revision(repo, run):
    r = repo()
    c = build_history(r)
    document = history(run, r.root, "RCV-2", "--rev", "HEAD~3")
    assert document["rev"] == "HEAD~3" and document["commit"] == c[2]
    assert [e["change"] for e in document["history"]] == ["moved", "added"]


def test_a_merge_is_listed_only_when_it_changes_the_record_itself(repo, run):
    r = repo()
    c = build_history(r)
    r.git("checkout", "-q", "-b", "collect")
    branch = r.commit("RCV-3 催收", {"receivables/2026.yaml": (
        "- id: RCV-3\n  contract: CT-2026-002\n  amount: 50000\n  due: 2026-10-15\n"
        "  collection:\n    - {date: 2026-11-20, by: zhang, channel: phone, promised: 2026-12-05}\n")})
    r.git("checkout", "-q", "main")
    r.commit("客户改名", {"customers/customers.yaml": (r.root / "customers/customers.yaml").read_text(
        encoding="utf-8").replace("乙公司", "乙集团")})
    r.git("merge", "-q", "--no-ff", "-m", "合并催收记录", "collect")
    document = history(run, r.root, "RCV-3")
    assert [(e["commit"], e["subject"], e["change"]) for e in document["history"]] == [
        (branch, "RCV-3 催收", "changed"), (c[3], "CT-2 改编号为 CT-2026-002", "changed"),
        (c[2], "应收款合并到 receivables/2026.yaml", "moved"), (c[0], "初始化工作区", "added")]
    assert document["history"][0]["fields"] == [
        {"field": "collection", "old": None,
         "new": [{"date": "2026-11-20", "by": "zhang", "channel": "phone", "promised": "2026-12-05"}]}]
    assert [e["subject"] for e in history(run, r.root, "CUS-2")["history"]] == ["客户改名", "初始化工作区"]


def test_a_conflict_resolved_by_hand_is_the_merge_s_own_change(repo, run):
    r = repo()
    r.git("checkout", "-q", "-b", "finance")
    r.commit("finance: 51000", {"receivables/RCV-3.yaml": "id: RCV-3\ncontract: CT-2\namount: 51000\ndue: 2026-10-15\n"})
    r.git("checkout", "-q", "main")
    r.commit("sales: 52000", {"receivables/RCV-3.yaml": "id: RCV-3\ncontract: CT-2\namount: 52000\ndue: 2026-10-15\n"})
    assert subprocess.run(["git", "merge", "-q", "finance"], cwd=r.top, capture_output=True).returncode != 0
    (r.root / "receivables/RCV-3.yaml").write_text("id: RCV-3\ncontract: CT-2\namount: 50000\ndue: 2026-10-15\n")
    r.git("commit", "-qam", "merge finance: keep the contract's 50000")
    merge = r.git("rev-parse", "HEAD").strip()
    document = history(run, r.root, "RCV-3")
    assert [(e["subject"], e["fields"]) for e in document["history"]] == [
        ("merge finance: keep the contract's 50000", [{"field": "amount", "old": 52000.0, "new": 50000.0}]),
        ("sales: 52000", [{"field": "amount", "old": 50000.0, "new": 52000.0}]),
        ("finance: 51000", [{"field": "amount", "old": 50000.0, "new": 51000.0}]),
        ("初始化工作区", []),
    ]
    assert document["history"][0]["commit"] == merge


def test_log_as_text(repo, run):
    r = repo()
    c = build_history(r)
    result = run("-C", r.root, "log", "RCV-3")
    assert result.exit_code == 0
    assert result.stdout == (
        f"{c[3][:10]} 2026-12-04 张伟  CT-2 改编号为 CT-2026-002\n"
        "    ~ changed receivables RCV-3  receivables/2026.yaml\n"
        "      contract: CT-2 → CT-2026-002\n"
        f"{c[2][:10]} 2026-12-03 张伟  应收款合并到 receivables/2026.yaml\n"
        "    → moved receivables RCV-3  receivables/RCV-3.yaml → receivables/2026.yaml\n"
        f"{c[0][:10]} 2026-12-01 张伟  初始化工作区\n"
        "    + added receivables RCV-3  receivables/RCV-3.yaml\n")


def test_an_unknown_id_is_a_usage_error(repo, run):
    r = repo()
    result = run("-C", r.root, "log", "RCV-404")
    assert result.exit_code == 2
    assert "no record with id 'RCV-404' in the history of HEAD" in result.stderr
    assert run("-C", r.root, "--rev", "nope", "log", "RCV-1").exit_code == 2
