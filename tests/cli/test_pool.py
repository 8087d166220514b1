"""`salesctl pool`, `pool --due [DAYS]` and `pool sweep` through the command line, and `--rev`.

As of 2026-11-30 with POOL_CONFIG (follow_up_days 30, deal_days 90, tier A 45 / 180, warn_days 3):
  C1 zhang  B   zhang's visit 10-10      due 10-10 + 30 = 11-09 (follow_up)
  C2 wang   -   created 08-01            due 08-01 + 90 = 10-30 (deal; follow_up 11-20 + 30 = 12-20)
  C3 liu    A   created 10-18            due 10-18 + 45 = 12-02 (follow_up)
  C4 -      B   never owned, since 01-01
  C5 -      -   released from zhang on 11-20
"""

from __future__ import annotations

import json

import pytest

from helpers.pool import POOL_CONFIG, tree

AS_OF = "2026-11-30"
FILES = {
    "customers/C1.yaml": "id: C1\nname: 甲公司\nowner: zhang\ntier: B\ncreated: 2026-09-01\n",
    "customers/C2.yaml": "id: C2\nname: 乙公司\nowner: wang\ncreated: 2026-08-01\n",
    "customers/C3.yaml": "id: C3\nname: 丙公司\nowner: liu\ntier: A\ncreated: 2026-10-18\n",
    "customers/C4.yaml": "id: C4\nname: 丁公司\ntier: B\ncreated: 2026-01-01\n",
    "customers/C5.yaml": """\
        id: C5
        name: 戊公司
        owner: null
        assignments:
          - {date: 2026-11-20, from: zhang, to: null, by: ops, reason: no effective visit for 30 days}
        created: 2026-05-01
        """,
    "visits/2026.yaml": """\
        - {id: V1, customer: C1, rep: zhang, date: 2026-10-10, channel: onsite}
        - {id: V2, customer: C2, rep: wang, date: 2026-11-20, channel: phone}
        """,
}


@pytest.fixture
def root(workspace):
    return workspace(FILES, config=POOL_CONFIG)


def test_pool_table(run, root):
    result = run("-C", root, "pool", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "公海客户 截至 2026-11-30",
        "",
        "编号    名称    等级    进入公海    原负责人    原因                              天数",
        "------  ------  ------  ----------  ----------  ------------------------------  ------",
        "C4      丁公司  B       2026-01-01                                                 333",
        "C5      戊公司          2026-11-20  张伟        no effective visit for 30 days      10",
    ]


def test_pool_json_and_csv(run, root):
    doc = json.loads(run("-C", root, "pool", "--as-of", AS_OF, "--format", "json").stdout)
    assert doc == {"as_of": "2026-11-30", "rows": [
        {"id": "C4", "name": "丁公司", "tier": "B", "since": "2026-01-01", "from": None, "reason": None, "days": 333},
        {"id": "C5", "name": "戊公司", "tier": None, "since": "2026-11-20", "from": "zhang",
         "reason": "no effective visit for 30 days", "days": 10}]}
    csv = run("-C", root, "pool", "--as-of", AS_OF, "--format", "csv").stdout
    assert csv.splitlines()[0] == "id,name,tier,since,from,reason,days"


@pytest.mark.parametrize("args, expected", [
    (["--due"], [["C2", "wang", "2026-10-30", "deal"], ["C1", "zhang", "2026-11-09", "follow_up"],
                 ["C3", "liu", "2026-12-02", "follow_up"]]),  # warn_days 3: until 12-03
    (["--due", "0"], [["C2", "wang", "2026-10-30", "deal"], ["C1", "zhang", "2026-11-09", "follow_up"]]),
    (["--due=1"], [["C2", "wang", "2026-10-30", "deal"], ["C1", "zhang", "2026-11-09", "follow_up"]]),
])
def test_pool_due(run, root, args, expected):
    result = run("-C", root, "pool", *args, "--format", "csv", "--as-of", AS_OF)
    lines = [line.split(",") for line in result.stdout.splitlines()]
    assert lines[0] == ["id", "name", "owner", "pool_due", "pool_reason"]
    assert [[row[0], *row[2:]] for row in lines[1:]] == expected


def test_pool_due_bad_days_and_with_a_subcommand_are_usage_errors(run, root):
    assert run("-C", root, "pool", "--due", "soon").exit_code == 2
    result = run("-C", root, "pool", "--due", "3", "sweep")
    assert result.exit_code == 2 and "--due lists customers" in result.stderr


def test_pool_empty_says_so_on_stderr_only(run, workspace):
    root = workspace({"customers/C1.yaml": FILES["customers/C1.yaml"]}, config=POOL_CONFIG)
    result = run("-C", root, "pool", "--as-of", AS_OF)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "the public pool is empty\n")


def test_pool_leaves_out_records_with_errors_and_warns(run, workspace):
    root = workspace({**FILES, "customers/C6.yaml": "id: C6\nname: 坏\ncreated: 2026-02-30\n"}, config=POOL_CONFIG)
    result = run("-C", root, "pool", "--as-of", AS_OF, "--format", "json")
    assert [row["id"] for row in json.loads(result.stdout)["rows"]] == ["C4", "C5"]
    assert "warning: 1 error in the workspace" in result.stderr
    assert run("-C", root, "pool", "--as-of", AS_OF, "--strict").exit_code == 1


# --- sweep ---------------------------------------------------------------------------------

def test_sweep_prints_what_it_released_and_writes_it(run, root):
    result = run("-C", root, "--as-of", AS_OF, "pool", "sweep", "--by", "lin")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "退回公海 截至 2026-11-30",
        "",
        "客户    名称    负责人    回收日期    回收原因        原因",
        "------  ------  --------  ----------  --------------  ------------------------------",
        "C1      甲公司  张伟      2026-11-09  未按期有效跟进  no effective visit for 30 days",
        "C2      乙公司  王芳      2026-10-30  未按期成交      no deal within 90 days",
    ]
    assert (root / "customers/C2.yaml").read_text(encoding="utf-8").startswith(
        "id: C2\nname: 乙公司\nowner: null\nassignments:\n  - {date: 2026-11-30, from: wang, to: null, by: lin, "
        "reason: no deal within 90 days}\n")  # the style of C5's entries
    again = run("-C", root, "--as-of", AS_OF, "pool", "sweep", "--by", "lin")
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "")  # cron mails only real news


def test_sweep_dry_run_and_json_write_nothing(run, root):
    before = tree(root)
    result = run("-C", root, "--as-of", AS_OF, "pool", "sweep", "--dry-run", "--by", "ops", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert (doc["as_of"], doc["dry_run"], [row["customer"] for row in doc["rows"]]) == ("2026-11-30", True, ["C1", "C2"])
    assert result.stderr == "dry run: nothing written\n"
    assert tree(root) == before


def test_sweep_actor_and_revision(run, root, monkeypatch):
    before = tree(root)
    refused = run("-C", root, "--as-of", AS_OF, "pool", "sweep", "--by", "zhang")
    assert refused.exit_code == 1 and refused.stderr.startswith("error: zhang (张伟) has role rep; the pool sweep is")
    assert run("-C", root, "pool", "sweep", "--by", "nobody").exit_code == 2
    assert run("-C", root, "--rev", "HEAD", "pool", "sweep", "--by", "lin").exit_code == 2
    assert tree(root) == before
    monkeypatch.setenv("SALESCTL_USER", "ops")
    assert run("-C", root, "--as-of", AS_OF, "pool", "sweep").exit_code == 0
    assert "by: ops" in (root / "customers/C1.yaml").read_text(encoding="utf-8")


# --- the same answer at any revision ---------------------------------------------------------

def test_a_sweep_committed_and_pool_at_each_revision_agree_with_a_checkout(repo, run, tmp_path):
    r = repo({"salesctl.yaml": POOL_CONFIG, **FILES})
    assert run("-C", r.root, "--as-of", AS_OF, "pool", "sweep", "--by", "lin").exit_code == 0
    r.commit("公海回收 2026-11-30")
    for rev, checkout in (("HEAD~1", "before"), ("HEAD", "after")):
        copy = r.checkout_copy(rev, tmp_path / checkout)
        for args in (["pool"], ["pool", "--due", "0"], ["query", "customers", "-f", "id,owner_on,pool_due"]):
            at_rev = run("-C", r.root, "--rev", rev, "--as-of", AS_OF, *args, "--format", "json")
            checked_out = run("-C", copy, "--as-of", AS_OF, *args, "--format", "json")
            assert at_rev.exit_code == 0 and at_rev.stdout == checked_out.stdout, (rev, args)
    before = json.loads(run("-C", r.root, "--rev", "HEAD~1", "--as-of", AS_OF, "pool", "--due", "0", "--format", "json").stdout)
    after = json.loads(run("-C", r.root, "--rev", "HEAD", "--as-of", AS_OF, "pool", "--format", "json").stdout)
    assert [row["id"] for row in before["rows"]] == ["C2", "C1"]  # due on HEAD~1 ...
    assert [(row["id"], row["since"]) for row in after["rows"]][:2] == [("C4", "2026-01-01"), ("C5", "2026-11-20")]
    assert {row["id"] for row in after["rows"]} == {"C1", "C2", "C4", "C5"}  # ... released on HEAD


# --- query, show, sql, remind ---------------------------------------------------------------

def test_query_customers_by_pool_fields(run, root):
    ids = run("-C", root, "query", "customers", "-w", "in_pool = true", "--format", "ids", "--as-of", AS_OF)
    assert ids.stdout == "C4\nC5\n"
    due = run("-C", root, "query", "customers", "-w", "pool_due <= 2026-12-03", "-s", "pool_due", "-f",
              "id,owner_on,assigned,pool_due,pool_reason", "--format", "csv", "--as-of", AS_OF)
    assert due.stdout.splitlines() == ["id,owner_on,assigned,pool_due,pool_reason",
                                       "C2,wang,2026-08-01,2026-10-30,deal",
                                       "C1,zhang,2026-09-01,2026-11-09,follow_up",
                                       "C3,liu,2026-10-18,2026-12-02,follow_up"]


def test_sql_assignments_and_the_derived_columns(run, root):
    result = run("-C", root, "sql", 'SELECT customer, idx, date, "from", "to", by, reason FROM assignments',
                 "--format", "json", "--as-of", AS_OF)
    assert json.loads(result.stdout) == [{"customer": "C5", "idx": 0, "date": "2026-11-20", "from": "zhang", "to": None,
                                          "by": "ops", "reason": "no effective visit for 30 days"}]
    result = run("-C", root, "sql", "SELECT id FROM customers WHERE in_pool = 1 ORDER BY id", "--format", "csv")
    assert result.stdout == "id\nC4\nC5\n"


def test_show_a_customer_lists_its_ownership_history(run, root):
    text = run("-C", root, "show", "C5", "--as-of", AS_OF).stdout
    assert "归属记录\n日期        原负责人    经办人    原因\n" in text  # `to` is null in every entry: no column
    assert "2026-11-20  zhang       ops       no effective visit for 30 days" in text


def test_remind_json_has_the_pool_warnings(run, root):
    doc = json.loads(run("-C", root, "remind", "--format", "json", "--as-of", AS_OF).stdout)
    warnings = [(p["to"], i["ref"], i["date"]) for p in doc["reminders"] for i in p["items"] if i["kind"] == "pool-warning"]
    assert warnings == [("zhang", "C1", "2026-11-09"), ("wang", "C2", "2026-10-30"), ("liu", "C3", "2026-12-02")]
