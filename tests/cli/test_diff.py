"""`salesctl diff`: record-level changes and their effect on the money, between revisions."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest

from helpers.git import BASE, build_history
from helpers.workspaces import write_workspace
from salesctl.history.semdiff import compare
from salesctl.load.pipeline import load

pytestmark = pytest.mark.usefixtures("quiet_git")  # git with no user configuration, in every test

AS_OF = "2026-11-30"


def diff_json(run, root, *args):
    result = run("-C", root, "diff", *args, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


# --- the signed amounts are those of report kpi ----------------------------------------------

def test_signed_amounts_are_the_kpi_as_of_the_date(tmp_path, run):
    """A contract signed after --as-of is not counted yet, as in `report kpi`."""
    old_root = write_workspace(tmp_path / "old", BASE)
    files = dict(BASE)
    files["contracts/CT-1.yaml"] = BASE["contracts/CT-1.yaml"].replace("signed: 2026-08-10", "signed: 2026-10-02")
    new_root = write_workspace(tmp_path / "new", files)
    rows = compare(load(old_root), load(new_root), date(2026, 9, 30))["effect"]["signed"]
    assert rows == [
        {"period": "2026-Q3", "rep": "zhang", "name": "张伟", "old": 100000, "new": 0, "delta": -100000},
        {"period": "2026-Q3", "rep": None, "name": None, "old": 150000, "new": 50000, "delta": -100000}]
    for root, row in ((old_root, "old"), (new_root, "new")):
        kpi = json.loads(run("-C", root, "report", "kpi", "--period", "2026-Q3", "--as-of", "2026-09-30",
                             "--format", "json").stdout)
        assert kpi["total"]["signed_amount"] == rows[1][row]
        assert {r["rep"]: r["signed_amount"] for r in kpi["rows"]}["zhang"] == rows[0][row]


# --- the command, over a git history -------------------------------------------------------

def test_diff_of_a_payment(repo, run):
    r = repo()
    c = build_history(r)
    document = diff_json(run, r.root, c[0], c[1])
    assert document["from"] == {"rev": c[0], "commit": c[0]}
    assert document["to"] == {"rev": c[1], "commit": c[1]}
    assert document["as_of"] == AS_OF
    assert document["records"] == [{
        "change": "changed", "collection": "receivables", "id": "RCV-1",
        "old_path": "receivables/RCV-1.yaml", "new_path": "receivables/RCV-1.yaml",
        "fields": [{"field": "payments.1", "old": None,
                    "new": {"date": "2026-10-20", "amount": 40000.0, "method": "银行转账"}}]}]
    assert document["effect"] == {
        "receivables": [{"receivable": "RCV-1", "contract": "CT-1", "old": {"balance": 40000.0, "status": "overdue"},
                         "new": {"balance": 0, "status": "paid"}}],
        "overdue": {"buckets": {"1-30": {"old": 40000.0, "new": 40000.0, "delta": 0},
                                "31-60": {"old": 50000.0, "new": 50000.0, "delta": 0},
                                "61-90": {"old": 40000.0, "new": 0, "delta": -40000.0},
                                "91+": {"old": 0, "new": 0, "delta": 0}},
                    "total": {"old": 130000.0, "new": 90000.0, "delta": -40000.0}},
        "signed": [],
        "attainment": [],
        "grades": [],
        "approvals": []}


def test_diff_of_a_moved_file_counts_nothing_and_exit_code_stays_0(repo, run):
    r = repo()
    c = build_history(r)
    document = diff_json(run, r.root, c[1], c[2])
    assert document["records"] == []
    assert document["moved"] == [
        {"collection": "receivables", "id": "RCV-2", "old_path": "receivables/RCV-2.yaml",
         "new_path": "receivables/2026.yaml"},
        {"collection": "receivables", "id": "RCV-3", "old_path": "receivables/RCV-3.yaml",
         "new_path": "receivables/2026.yaml"}]
    assert document["summary"] == {"added": 0, "removed": 0, "changed": 0, "moved": 2, "config": 0,
                                   "errors": {"old": 0, "new": 0}}
    assert document["effect"]["receivables"] == [] and document["effect"]["overdue"]["total"]["delta"] == 0
    assert run("-C", r.root, "diff", c[1], c[2], "--exit-code").exit_code == 0


def test_diff_of_a_renamed_id_is_a_removal_plus_an_addition(repo, run):
    r = repo()
    c = build_history(r)
    document = diff_json(run, r.root, c[2], c[3])
    assert [(e["change"], e["collection"], e["id"], e.get("fields")) for e in document["records"]] == [
        ("removed", "contracts", "CT-2", None),
        ("added", "contracts", "CT-2026-002", None),
        ("changed", "receivables", "RCV-3", [{"field": "contract", "old": "CT-2", "new": "CT-2026-002"}]),
    ]
    assert document["effect"] == {"receivables": [], "overdue": document["effect"]["overdue"], "signed": [],
                                  "attainment": [], "grades": [], "approvals": []}
    assert run("-C", r.root, "diff", c[2], c[3], "--exit-code").exit_code == 1


def test_diff_of_a_deleted_record(repo, run):
    r = repo()
    c = build_history(r)
    document = diff_json(run, r.root, c[3], c[4])
    assert document["records"] == [{"change": "removed", "collection": "receivables", "id": "RCV-2",
                                    "old_path": "receivables/2026.yaml", "new_path": None}]
    assert document["effect"]["receivables"] == [
        {"receivable": "RCV-2", "contract": "CT-1", "old": {"balance": 40000.0, "status": "overdue"}, "new": None}]
    assert document["effect"]["overdue"]["buckets"]["1-30"] == {"old": 40000.0, "new": 0, "delta": -40000.0}
    assert document["effect"]["overdue"]["total"] == {"old": 90000.0, "new": 50000.0, "delta": -40000.0}


def test_diff_of_an_edited_config_moves_money_between_buckets(repo, run):
    r = repo()
    c = build_history(r)
    document = diff_json(run, r.root, "HEAD~1", "HEAD")
    assert document["records"] == []
    assert document["effect"]["overdue"] == {
        "buckets": {"1-30": {"old": 0, "new": 0, "delta": 0},
                    "31-90": {"old": 0, "new": 50000.0, "delta": 50000.0},
                    "91+": {"old": 0, "new": 0, "delta": 0},
                    "31-60": {"old": 50000.0, "new": 0, "delta": -50000.0},
                    "61-90": {"old": 0, "new": 0, "delta": 0}},
        "total": {"old": 50000.0, "new": 50000.0, "delta": 0}}
    assert document["from"]["commit"] == c[4] and document["to"]["commit"] == c[5]


def test_diff_defaults_to_head_against_the_working_tree(repo, run):
    r = repo()
    build_history(r)
    (r.root / "customers/CUS-3.yaml").write_text("{id: CUS-3, name: 丙公司, owner: wang, created: 2026-11-01}\n")
    (r.root / "receivables/2026.yaml").write_text(
        "- {id: RCV-3, contract: CT-2026-002, amount: 50000, due: 2026-10-15,"
        " payments: [{date: 2026-11-29, amount: 50000}]}\n")
    document = diff_json(run, r.root)
    assert document["from"] == {"rev": "HEAD", "commit": r.commits[-1]}
    assert document["to"] == {"rev": None, "commit": None}
    assert [(e["change"], e["id"]) for e in document["records"]] == [("added", "CUS-3"), ("changed", "RCV-3")]
    assert document["effect"]["receivables"] == [
        {"receivable": "RCV-3", "contract": "CT-2026-002", "old": {"balance": 50000.0, "status": "overdue"},
         "new": {"balance": 0, "status": "paid"}}]
    one_rev = diff_json(run, r.root, "HEAD~2")  # one revision: against the working tree
    assert [(e["change"], e["id"]) for e in one_rev["records"]] == [
        ("added", "CUS-3"), ("removed", "RCV-2"), ("changed", "RCV-3")]
    assert run("-C", r.root, "diff", "--exit-code").exit_code == 1
    assert diff_json(run, r.root, "--no-cache") == document


def test_diff_sees_a_change_made_through_a_symbolic_link(repo, run):
    r = repo()
    (r.root / "shared").mkdir()
    (r.root / "shared/CUS-9.yaml").write_text("{id: CUS-9, name: 丙公司, owner: zhang, created: 2026-02-01}\n")
    os.symlink("../shared/CUS-9.yaml", r.root / "customers/CUS-9.yaml")
    r.commit("link")
    run("-C", r.root, "validate")  # a warm cache for the working tree
    (r.root / "shared/CUS-9.yaml").write_text("{id: CUS-9, name: 丙集团, owner: zhang, created: 2026-02-01}\n")
    document = diff_json(run, r.root)
    assert [(e["id"], e["fields"]) for e in document["records"]] == [
        ("CUS-9", [{"field": "name", "old": "丙公司", "new": "丙集团"}])]


def test_diff_as_of_another_date(repo, run):
    r = repo()
    c = build_history(r)
    document = json.loads(run("-C", r.root, "diff", c[0], c[1], "--as-of", "2026-10-31", "--format", "json").stdout)
    # RCV-1 was 51 days overdue on 2026-10-31, and the 40,000 payment of 2026-10-20 already counted
    assert document["effect"]["receivables"] == [
        {"receivable": "RCV-1", "contract": "CT-1", "old": {"balance": 40000.0, "status": "overdue"},
         "new": {"balance": 0, "status": "paid"}}]
    assert document["effect"]["overdue"]["buckets"]["31-60"] == {"old": 40000.0, "new": 0, "delta": -40000.0}
    early = json.loads(run("-C", r.root, "diff", c[0], c[1], "--as-of", "2026-10-01", "--format", "json").stdout)
    assert early["effect"]["receivables"] == []  # the payment is dated after 2026-10-01


def test_diff_text_reads_like_a_review(repo, run):
    r = repo()
    c = build_history(r)
    result = run("-C", r.root, "diff", c[2], c[4], "--as-of", AS_OF)
    assert result.exit_code == 0
    assert result.stdout == (
        f"diff {c[2]} ({c[2][:10]}) → {c[4]} ({c[4][:10]}), 截至 2026-11-30\n"
        "- contracts CT-2  contracts/CT-2.yaml\n"
        "+ contracts CT-2026-002  contracts/CT-2026-002.yaml\n"
        "- receivables RCV-2  receivables/2026.yaml\n"
        "~ receivables RCV-3  receivables/2026.yaml\n"
        "    contract: CT-2 → CT-2026-002\n"
        "1 added, 2 removed, 1 changed, 0 moved\n"
        "\n应收款余额与状态\n"
        "应收款    合同    状态              余额\n"
        "--------  ------  ----------------  ------------------\n"
        "RCV-2     CT-1    overdue → (none)  40,000.00 → (none)\n"
        "\n逾期余额（按账龄）\n"
        "账龄         原值       新值        变动\n"
        "------  ---------  ---------  ----------\n"
        "1-30    40,000.00       0.00  -40,000.00\n"
        "31-60   50,000.00  50,000.00        0.00\n"
        "61-90        0.00       0.00        0.00\n"
        "91+          0.00       0.00        0.00\n"
        "合计    90,000.00  50,000.00  -40,000.00\n")


def test_a_warm_diff_parses_only_the_files_that_changed(repo, run, monkeypatch):
    import salesctl.load.pipeline

    parsed = []
    real = salesctl.load.pipeline.parse_bytes

    def counting(data):  # salesctl.yaml is small and parsed on every load, so it is not counted
        result = real(data)
        if not (result.single and "company" in result.records[0].data):
            parsed.append(data)
        return result

    monkeypatch.setattr(salesctl.load.pipeline, "parse_bytes", counting)
    r = repo()
    build_history(r)
    run("-C", r.root, "validate")
    parsed.clear()
    run("-C", r.root, "diff", "HEAD~2")  # RCV-2 deleted from 2026.yaml (config edited too, not counted)
    assert len(parsed) == 1
    parsed.clear()
    run("-C", r.root, "diff", "HEAD~2")
    assert parsed == []
    run("-C", r.root, "diff", "HEAD~3", "HEAD")
    parsed.clear()
    run("-C", r.root, "diff", "HEAD~3", "HEAD")
    assert parsed == []
    document = diff_json(run, r.root, "HEAD~3", "HEAD")
    assert document == diff_json(run, r.root, "HEAD~3", "HEAD", "--no-cache")


def test_a_file_both_sides_share_can_be_sound_on_one_side_and_broken_on_the_other(repo, run):
    """RCV-3 is the same file on both sides and typed once; the side without its contract CT-2
    flags it (unknown-ref) and leaves it out of the figures, the other side keeps it."""
    r = repo()
    ct2 = (r.root / "contracts/CT-2.yaml").read_text(encoding="utf-8")
    rcv3_gone = {"receivables": [{"receivable": "RCV-3", "contract": "CT-2",
                                  "old": {"balance": 50000.0, "status": "overdue"}, "new": None}],
                 "overdue_31_60": {"old": 50000.0, "new": 0, "delta": -50000.0}}

    def effect(document):
        return {"receivables": document["effect"]["receivables"],
                "overdue_31_60": document["effect"]["overdue"]["buckets"]["31-60"]}

    (r.root / "contracts/CT-2.yaml").unlink()  # the working tree loses CT-2: RCV-3 breaks there
    fresh = diff_json(run, r.root, "--no-cache")
    assert fresh["summary"]["errors"] == {"old": 0, "new": 1}
    assert effect(fresh) == rcv3_gone
    assert diff_json(run, r.root) == fresh == diff_json(run, r.root)  # filling the caches, then served

    r.commit("删除 CT-2")  # now the revision lacks CT-2 and the working tree gets it back
    r.write({"contracts/CT-2.yaml": ct2})
    fresh = diff_json(run, r.root, "--no-cache")
    assert fresh["summary"]["errors"] == {"old": 1, "new": 0}
    assert effect(fresh) == {"receivables": [{**rcv3_gone["receivables"][0], "old": None,
                                              "new": {"balance": 50000.0, "status": "overdue"}}],
                             "overdue_31_60": {"old": 0, "new": 50000.0, "delta": 50000.0}}
    assert diff_json(run, r.root) == fresh == diff_json(run, r.root)


# --- bad input -----------------------------------------------------------------------------

def test_diff_usage_errors(repo, run):
    r = repo()
    assert run("-C", r.root, "diff", "HEAD", "HEAD", "HEAD").exit_code == 2
    result = run("-C", r.root, "--rev", "HEAD", "diff")
    assert result.exit_code == 2 and "--rev" in result.stderr
    result = run("-C", r.root, "diff", "HEAD~3")
    assert (result.exit_code, result.stderr) == (2, "error: unknown revision 'HEAD~3'\n")
    assert run("-C", r.root, "diff", "--format", "xml").exit_code == 2


def test_diff_and_log_as_yaml(repo, run):
    from ruamel.yaml import YAML

    r = repo()
    c = build_history(r)
    document = YAML(typ="safe").load(run("-C", r.root, "diff", c[0], c[1], "--format", "yaml", "--as-of", AS_OF).stdout)
    assert document["effect"]["overdue"]["total"] == {"old": 130000.0, "new": 90000.0, "delta": -40000.0}
    log = YAML(typ="safe").load(run("-C", r.root, "log", "RCV-1", "--format", "yaml").stdout)
    assert [e["change"] for e in log["history"]] == ["changed", "added"]


def test_cached_runs_equal_uncached_runs_against_the_working_tree(repo, run):
    """The working tree's typed records serve the unchanged files of the revision side."""
    r = repo()
    build_history(r)
    r.write({"receivables/2026.yaml": (r.root / "receivables/2026.yaml").read_text(encoding="utf-8")
             + "- {id: RCV-9, contract: CT-1, amount: 1, due: 2026-12-01}\n"})
    fresh = diff_json(run, r.root, "HEAD~2", "--no-cache")
    assert diff_json(run, r.root, "HEAD~2") == fresh   # fills the caches
    assert diff_json(run, r.root, "HEAD~2") == fresh   # served by them
    report = ["report", "overdue", "--as-of", AS_OF, "--format", "json"]
    uncached = run("-C", r.root, "--no-cache", "--rev", "HEAD~1", *report).stdout
    assert run("-C", r.root, "--rev", "HEAD~1", *report).stdout == uncached
    assert run("-C", r.root, "--rev", "HEAD~1", *report).stdout == uncached


def test_diff_of_salesctl_yaml_shows_the_settings_and_what_they_move(run, sample_copy, quiet_git):
    """wang's 2026 targets cut (year 600,000 -> 500,000, Q3 150,000 -> 100,000): signed 256,560.00 in
    2026 and 122,760.00 in Q3 (report kpi), so attainment 256,560 / 600,000 = 0.4276 -> / 500,000 =
    0.5131 and 122,760 / 150,000 = 0.8184 -> / 100,000 = 1.2276; the Q3 review scores attainment,
    so its total and grade move (82.3 B -> 91.4 A)."""
    import subprocess

    for args in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "样例")):
        subprocess.run(["git", *args], cwd=sample_copy, check=True, capture_output=True)
    config = sample_copy / "salesctl.yaml"
    old = "    wang: {year: 600000, Q1: 120000, Q2: 150000, Q3: 150000, Q4: 180000}"
    assert old in config.read_text(encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8").replace(
        old, "    wang: {year: 500000, Q1: 120000, Q2: 150000, Q3: 100000, Q4: 180000}"), encoding="utf-8")
    document = diff_json(run, sample_copy)
    assert document["summary"]["config"] == 2 and document["records"] == []
    assert document["config"] == [{"field": "targets.2026.wang.year", "old": 600000.0, "new": 500000.0},
                                  {"field": "targets.2026.wang.Q3", "old": 150000.0, "new": 100000.0}]
    assert [(r["period"], r["target"], r["attainment"]) for r in document["effect"]["attainment"]] == [
        ("2026", {"old": 600000.0, "new": 500000.0}, {"old": 0.4276, "new": 0.5131}),
        ("2026-Q3", {"old": 150000.0, "new": 100000.0}, {"old": 0.8184, "new": 1.2276})]
    assert [(r["review"], r["total"], r["grade"]) for r in document["effect"]["grades"]] == [
        ("REV-2026-Q3-wang", {"old": 82.3, "new": 91.4}, {"old": "B", "new": "A"})]
    text = run("-C", sample_copy, "diff", "--as-of", AS_OF, "--exit-code")
    assert text.exit_code == 1  # only a setting changed: still a change
    assert "~ salesctl.yaml\n    targets.2026.wang.year: 600,000.00 → 500,000.00\n" in text.stdout
    assert "0 added, 0 removed, 0 changed, 0 moved, 2 settings changed\n" in text.stdout
    assert "2026     wang    王芳    600,000.00 → 500,000.00  42.8% → 51.3%" in text.stdout


def test_a_visit_in_a_review_period_moves_the_review_and_one_outside_does_not(run, sample_copy, quiet_git, monkeypatch):
    """V-2026-0065 (wang, 2026-08-19) scores satisfaction for REV-2026-Q3-wang; a customer's change
    cannot move a review, so the reviews are not scored again for it."""
    import subprocess

    from salesctl.reports import review

    for args in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "样例")):
        subprocess.run(["git", *args], cwd=sample_copy, check=True, capture_output=True)
    visits = sample_copy / "visits" / "2026" / "2026-08.yaml"
    text = visits.read_text(encoding="utf-8")
    assert "  date: 2026-08-19\n  channel: onsite\n  kind: after_sales\n" in text
    visits.write_text(text.replace("  feedback: 学员认为调度优化内容很实用\n  satisfaction: 4\n",
                                   "  feedback: 学员认为调度优化内容很实用\n  satisfaction: 1\n"), encoding="utf-8")
    grades = diff_json(run, sample_copy)["effect"]["grades"]
    assert [(g["review"], g["total"]["old"], g["grade"]["old"]) for g in grades] == [("REV-2026-Q3-wang", 82.3, "B")]
    assert grades[0]["total"]["new"] < 82.3
    subprocess.run(["git", "checkout", "-q", "."], cwd=sample_copy, check=True)
    customer = sample_copy / "customers" / "CUS-0004.yaml"
    customer.write_text(customer.read_text(encoding="utf-8").replace("偏好实操型课程。", "偏好实操型课程。换了采购负责人。"),
                        encoding="utf-8")
    monkeypatch.setattr(review, "review_report", lambda *args, **kwargs: pytest.fail("reviews scored again"))
    document = diff_json(run, sample_copy)
    assert document["summary"]["changed"] == 1 and document["effect"]["grades"] == []
