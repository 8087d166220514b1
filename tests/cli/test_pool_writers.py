"""`salesctl claim`, `assign`, `allocate` through the command line: what they print, their exit codes,
and refusals that leave the workspace byte for byte as it was. As of 2026-11-30, POOL_CONFIG
(reclaim_days 30, daily_claims 2, max_customers 3; reps zhang, wang, liu)."""

from __future__ import annotations

import json

import pytest

from helpers.pool import POOL_CONFIG, tree

AS_OF = "2026-11-30"
FILES = {
    "customers/O1.yaml": "id: O1\nname: 甲公司\nowner: wang\nkey: true\ncreated: 2026-01-01\n",
    "customers/O2.yaml": "id: O2\nname: 乙公司\nowner: wang\nkey: true\ncreated: 2026-01-01\n",
    "customers/P1.yaml": """\
        id: P1
        name: 丙公司
        owner: null
        assignments:
          - {date: 2026-11-20, from: liu, to: null, by: ops, reason: no effective visit for 30 days}
        tier: A
        created: 2026-06-01
        """,
    "customers/P2.yaml": "id: P2\nname: 丁公司\ntier: B\ncreated: 2026-11-01\n",
    "customers/P3.yaml": "id: P3\nname: 戊公司\ncreated: 2026-11-02\n",
    "customers/P4.yaml": "id: P4\nname: 己公司\nstatus: lost\ncreated: 2026-11-03\n",
}


@pytest.fixture
def root(workspace, monkeypatch):
    monkeypatch.delenv("SALESCTL_USER", raising=False)
    return workspace(FILES, config=POOL_CONFIG)


def salesctl(run, root, *args):
    return run("-C", root, "--as-of", AS_OF, *args)


# --- claim ---------------------------------------------------------------------------------

def test_claim_writes_and_says_what_it_did(run, root):
    result = salesctl(run, root, "claim", "P1", "--by", "zhang")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "P1: claimed by zhang from the public pool (customers/P1.yaml)\n"
    assert (root / "customers/P1.yaml").read_text(encoding="utf-8").splitlines()[2:6] == [
        "owner: zhang",
        "assignments:",
        "  - {date: 2026-11-20, from: liu, to: null, by: ops, reason: no effective visit for 30 days}",
        "  - {date: 2026-11-30, from: null, to: zhang, by: zhang, reason: claim}",
    ]


def test_claim_dry_run_prints_the_diff(run, root):
    before = tree(root)
    result = salesctl(run, root, "claim", "P2", "--by", "liu", "--dry-run")
    assert result.exit_code == 0 and tree(root) == before
    assert result.stdout.splitlines()[3:8] == [" id: P2", " name: 丁公司", "+owner: liu", "+assignments:",
                                              "+  - {date: 2026-11-30, from: null, to: liu, by: liu, reason: claim}"]


@pytest.mark.parametrize("customer, by, message", [
    ("P1", "liu", "error: P1 was released from liu on 2026-11-20; liu may claim it again from 2026-12-20 "
                  "(pool.reclaim_days: 30); nothing written"),
    ("O1", "zhang", "error: O1 is owned by wang (王芳); only customers in the public pool can be claimed "
                    "(a manager moves it with salesctl assign); nothing written"),
    ("P2", "chen", "error: chen (陈静) has role legal; claiming customers is for members with role rep or lead or "
                   "manager; nothing written"),
])
def test_claim_refusals_exit_1_and_change_nothing(run, root, customer, by, message):
    before = tree(root)
    result = salesctl(run, root, "claim", customer, "--by", by)
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert tree(root) == before


def test_claim_daily_limit_and_cap_through_the_cli(run, root):
    assert salesctl(run, root, "claim", "P2", "--by", "liu").exit_code == 0
    assert salesctl(run, root, "claim", "P3", "--by", "liu").exit_code == 0
    before = tree(root)
    daily = salesctl(run, root, "claim", "P4", "--by", "liu")
    assert (daily.exit_code, daily.stderr) == (1, "error: liu has made 2 claims dated 2026-11-30, the daily limit "
                                                  "(pool.daily_claims: 2); nothing written\n")
    assert tree(root) == before
    # wang owns O1 and O2; one more is 3, the cap; the next is refused
    assert run("-C", root, "--as-of", "2026-12-01", "claim", "P4", "--by", "wang").exit_code == 0
    capped = run("-C", root, "--as-of", "2026-12-02", "claim", "P1", "--by", "wang")
    assert (capped.exit_code, capped.stderr) == (1, "error: wang owns 3 customers, the most a member may own "
                                                    "(pool.max_customers: 3); nothing written\n")


def test_claim_by_from_the_environment_and_unknown_customers(run, root, monkeypatch):
    assert salesctl(run, root, "claim", "NOPE", "--by", "zhang").exit_code == 2
    monkeypatch.setenv("SALESCTL_USER", "zhang")
    assert salesctl(run, root, "claim", "P2").exit_code == 0
    assert "by: zhang, reason: claim" in (root / "customers/P2.yaml").read_text(encoding="utf-8")


# --- assign --------------------------------------------------------------------------------

def test_assign_and_release(run, root):
    result = salesctl(run, root, "assign", "P2", "P3", "--to", "zhang", "--reason", "新客户分配", "--by", "lin")
    assert result.exit_code == 0
    assert result.stderr == ("P2: the public pool → zhang (张伟) (新客户分配)\n"
                             "P3: the public pool → zhang (张伟) (新客户分配)\n")
    result = salesctl(run, root, "assign", "P2", "--to", "pool", "--by", "lin")
    assert result.exit_code == 0 and result.stderr == "P2: zhang (张伟) → the public pool (assign)\n"
    assert "owner: null" in (root / "customers/P2.yaml").read_text(encoding="utf-8")


def test_assign_beyond_the_cap_is_refused_whole_unless_forced(run, root):
    before = tree(root)
    refused = salesctl(run, root, "assign", "P2", "P3", "--to", "wang", "--by", "lin")
    assert refused.exit_code == 1
    assert refused.stderr == ("error: wang owns 2 customers; 2 more would make 4, beyond pool.max_customers (3); "
                              "nothing written (--force assigns them anyway)\n")
    assert tree(root) == before
    assert salesctl(run, root, "assign", "P2", "P3", "--to", "wang", "--by", "lin", "--force").exit_code == 0


def test_assign_usage(run, root):
    assert salesctl(run, root, "assign", "P2", "--by", "lin").exit_code == 2  # no --to
    assert salesctl(run, root, "assign", "--to", "zhang", "--by", "lin").exit_code == 2  # no customer
    assert salesctl(run, root, "assign", "P2", "--to", "ghost", "--by", "lin").exit_code == 2
    assert salesctl(run, root, "assign", "P2", "--to", "zhang", "--by", "zhang").exit_code == 1


# --- allocate ------------------------------------------------------------------------------

def test_allocate_dry_run_prints_the_plan(run, root):
    # P1 (A, since 11-20): liu left it 11-20, locked; zhang 0 < wang 2 -> zhang.
    # P2 (B, since 11-01): zhang 1, wang 2, liu 0 -> liu.  P3 (none, 11-02): zhang 1, liu 1 -> zhang.
    # P4 is lost.
    before = tree(root)
    result = salesctl(run, root, "allocate", "--dry-run", "--by", "lin")
    assert result.exit_code == 0 and tree(root) == before
    assert result.stdout.splitlines() == [
        "公海分配 截至 2026-11-30 （试运行，未写入）",
        "",
        "客户    名称    等级    进入公海      天数  负责人",
        "------  ------  ------  ----------  ------  --------",
        "P1      丙公司  A       2026-11-20      10  张伟",
        "P2      丁公司  B       2026-11-01      29  刘洋",
        "P3      戊公司          2026-11-02      28  张伟",
    ]
    assert result.stderr == "dry run: nothing written\n"


def test_allocate_writes_one_plan_and_prints_json(run, root):
    result = salesctl(run, root, "allocate", "--to", "zhang,liu", "--limit", "2", "--by", "lin", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["dry_run"] is False
    assert [(row["customer"], row["owner"]) for row in doc["rows"]] == [("P1", "zhang"), ("P2", "liu")]
    assert "reason: allocate" in (root / "customers/P2.yaml").read_text(encoding="utf-8")
    assert "owner" not in (root / "customers/P3.yaml").read_text(encoding="utf-8")


def test_allocate_usage_errors(run, root):
    assert salesctl(run, root, "allocate", "--group", "west", "--by", "lin").exit_code == 2
    assert salesctl(run, root, "allocate", "--to", "chen", "--by", "lin").exit_code == 2
    assert salesctl(run, root, "allocate", "--limit", "-1", "--by", "lin").exit_code == 2
    assert salesctl(run, root, "allocate", "--by", "zhang").exit_code == 1


def test_allocate_says_who_it_could_not_place(run, workspace):
    root = workspace({**FILES, "salesctl.yaml": POOL_CONFIG.replace("max_customers: 3", "max_customers: 2")})
    result = salesctl(run, root, "allocate", "--group", "east", "--by", "lin", "--dry-run")
    # east: zhang 0, wang 2 (full). P1 -> zhang; P2 -> zhang (2, full); P3: nobody.
    assert result.exit_code == 0
    assert "note: left in the pool, no rep may take them (pool.max_customers or pool.reclaim_days): P3" in result.stderr
