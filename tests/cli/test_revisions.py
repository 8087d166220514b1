"""`--rev REV` and `validate --changed`: the workspace as committed, read through git itself."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess

import pytest

from helpers.git import BASE, build_history
from salesctl.load.git import GitSource, repository, resolve
from salesctl.load.revisions import changed_since, open_revision
from salesctl.load.pipeline import load

pytestmark = pytest.mark.usefixtures("quiet_git")  # git with no user configuration, in every test

AS_OF = "2026-11-30"


def overdue(run, *args):
    result = run(*args, "report", "overdue", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- --rev ---------------------------------------------------------------------------------

def test_rev_reproduces_the_ledger_of_each_revision(repo, run):
    r = repo()
    commits = build_history(r)
    buckets = [overdue(run, "-C", r.root, "--rev", c)["totals"]["buckets"] for c in commits]
    assert buckets[0] == {"1-30": 40000.0, "31-60": 50000.0, "61-90": 40000.0, "91+": 0}
    assert buckets[1] == buckets[2] == buckets[3] == {"1-30": 40000.0, "31-60": 50000.0, "61-90": 0, "91+": 0}
    assert buckets[4] == {"1-30": 0, "31-60": 50000.0, "61-90": 0, "91+": 0}
    assert buckets[5] == {"1-30": 0, "31-90": 50000.0, "91+": 0}


def test_rev_equals_a_checkout_of_that_revision(repo, run, tmp_path):
    r = repo()
    for n, commit in enumerate(build_history(r)):
        checkout = r.checkout_copy(commit, tmp_path / f"checkout-{n}")
        assert overdue(run, "-C", r.root, "--rev", commit) == overdue(run, "-C", checkout)
        at_rev = run("-C", r.root, "--rev", commit, "validate", "--format", "json")
        in_checkout = run("-C", checkout, "validate", "--format", "json")
        assert (at_rev.exit_code, at_rev.stdout) == (in_checkout.exit_code, in_checkout.stdout)


def test_rev_accepts_tags_branches_and_relative_names(repo, run):
    r = repo()
    build_history(r)
    r.git("tag", "v2026Q3", "HEAD~4")
    assert overdue(run, "-C", r.root, "--rev", "v2026Q3") == overdue(run, "-C", r.root, "--rev", "HEAD~4")
    assert overdue(run, "-C", r.root, "--rev", "main") == overdue(run, "-C", r.root)


def test_rev_accepts_every_revision_syntax_git_accepts(repo, run):
    r = repo()
    commits = build_history(r)  # messages: 初始化工作区, RCV-1 收款 40000, 应收款合并到…, CT-2 改编号为…, 删除 RCV-2, 账龄分段改为 30/90
    r.git("tag", "-a", "-m", "第三季度", "v2026Q3", commits[1])
    repository_ = repository(r.root)
    for rev, index in [(":/RCV-1 收款", 1), (":/^删除", 4), (":/RCV", 4), ("HEAD^{/改编号}", 3), ("main^{/^应收款}", 2),
                       ("v2026Q3", 1), ("v2026Q3^{}", 1), ("v2026Q3~1", 0), ("HEAD@{0}", 5), ("main~5", 0),
                       (commits[2][:10], 2)]:
        assert resolve(repository_, rev) == commits[index], rev
    assert overdue(run, "-C", r.root, "--rev", ":/RCV-1 收款") == overdue(run, "-C", r.root, "--rev", commits[1])
    for rev, kind in [("HEAD:", "tree"), ("HEAD:salesctl.yaml", "blob")]:
        result = run("-C", r.root, "--rev", rev, "report", "overdue")
        assert (result.exit_code, result.stderr) == (2, f"error: revision {rev!r} names a {kind}, not a commit\n")


def test_rev_never_touches_the_working_tree_or_the_index(repo, run):
    r = repo()
    build_history(r)
    (r.root / "receivables/2026.yaml").write_text("- {id: RCV-3, contract: CT-2026-002, amount: 1, due: 2026-10-15}\n")
    r.git("add", "receivables/2026.yaml")
    (r.root / "customers/customers.yaml").write_text("- {id: CUS-1, name: 改了, owner: zhang, created: 2026-01-05}\n")
    status = r.git("status", "--porcelain")
    index = r.top / ".git" / "index"
    before = (hashlib.sha256(index.read_bytes()).hexdigest(), index.stat().st_mtime_ns)
    files = {p: p.read_bytes() for p in r.root.rglob("*.yaml")}
    overdue(run, "-C", r.root, "--rev", "HEAD~5")
    run("-C", r.root, "diff", "HEAD~5", "HEAD~1")
    run("-C", r.root, "diff")
    run("-C", r.root, "log", "RCV-1")
    run("-C", r.root, "validate", "--changed", "HEAD~3")
    assert (hashlib.sha256(index.read_bytes()).hexdigest(), index.stat().st_mtime_ns) == before
    assert {p: p.read_bytes() for p in r.root.rglob("*.yaml")} == files
    assert r.git("status", "--porcelain") == status


def test_workspace_in_a_subfolder_of_the_repository(repo, run):
    r = repo(subdir="sales/acme")
    build_history(r)
    ledger = overdue(run, "-C", r.root, "--rev", "HEAD~5")
    assert ledger["totals"]["balance"] == 130000.0
    assert [row["receivable"] for row in ledger["rows"]] == ["RCV-1", "RCV-3", "RCV-2"]
    run_in_subdir = run("-C", r.root / "receivables", "validate")  # -C must name the root
    assert run_in_subdir.exit_code == 2
    (r.root / "receivables/2026.yaml").write_text("- {id: RCV-3, contract: CT-404, amount: 5, due: 2026-10-15}\n")
    (r.top / "elsewhere.yaml").write_text("not: [the workspace\n")
    result = run("-C", r.root, "validate", "--changed")
    assert result.stdout.splitlines() == [
        "receivables/2026.yaml:1:15: error[unknown-ref]: contract: no contract 'CT-404'", "1 errors, 0 warnings in 1 files"]


def test_rev_serves_the_parse_cache_by_blob_id_and_never_changes_a_result(repo, run):
    r = repo()
    build_history(r)
    cold = overdue(run, "-C", r.root, "--rev", "HEAD~5")
    assert list((r.root / ".salesctl/cache/blobs").glob("*.bin"))
    assert overdue(run, "-C", r.root, "--rev", "HEAD~5") == cold
    assert overdue(run, "-C", r.root, "--rev", "HEAD~5", "--no-cache") == cold


def test_symbolic_links_are_followed_inside_the_revision_never_read_as_files(repo, run, tmp_path):
    r = repo()
    (r.root / "shared").mkdir()
    (r.root / "shared/CUS-9.yaml").write_text("{id: CUS-9, name: 丙公司, owner: zhang, created: 2026-02-01}\n")
    os.symlink("../shared/CUS-9.yaml", r.root / "customers/CUS-9.yaml")
    os.symlink("/etc/hostname", r.root / "customers/outside.yaml")
    os.symlink("missing.yaml", r.root / "customers/dangling.yaml")
    r.commit("links")
    (r.root / "shared/CUS-9.yaml").write_text("{id: CUS-9, name: 丙公司改名, owner: zhang, created: 2026-02-01}\n")

    with GitSource(r.root, "HEAD") as source:
        files = dict(source.files())
        ws = load(r.root, source=source)
    assert files["customers/outside.yaml"] == ("outside",)
    assert "customers/dangling.yaml" not in files
    assert ws.get("customers", "CUS-9")["name"] == "丙公司"  # as committed, not as in the working tree
    assert [(p.path, p.code) for p in ws.problems] == [("customers/outside.yaml", "not-a-record")]
    checkout = r.checkout_copy("HEAD", tmp_path / "checkout")
    at_rev = run("-C", r.root, "--rev", "HEAD", "validate", "--format", "json")
    assert at_rev.stdout == run("-C", checkout, "validate", "--format", "json").stdout


def test_a_linked_collection_folder_is_read_as_the_working_tree_reads_it(repo, run, tmp_path):
    r = repo({k: v for k, v in BASE.items() if not k.startswith("customers/")})
    (r.root / "archive/customers").mkdir(parents=True)
    (r.root / "archive/customers/all.yaml").write_text(BASE["customers/customers.yaml"], encoding="utf-8")
    os.symlink("archive/customers", r.root / "customers")
    os.symlink("/tmp", r.root / "visits")
    r.commit("linked folders")
    with GitSource(r.root, "HEAD") as source:
        files = dict(source.files())
    assert files["visits"] == ("outside",)
    assert files["customers/all.yaml"][0] == "blob"
    checkout = r.checkout_copy("HEAD", tmp_path / "checkout")
    at_rev = run("-C", r.root, "--rev", "HEAD", "validate", "--format", "json")
    assert at_rev.stdout == run("-C", checkout, "validate", "--format", "json").stdout
    assert '"code": "not-a-record"' in at_rev.stdout


def test_a_nested_repository_is_no_part_of_the_workspace_on_either_side(repo, run):
    """A submodule in a revision is only a commit id; in the working tree its files are not read
    either, so that `diff HEAD` finds nothing added."""
    r = repo()
    vendor = r.root / "customers/vendor"
    vendor.mkdir()
    (vendor / "more.yaml").write_text("- {id: CUS-9, name: 外部, owner: zhang, created: 2026-01-05}\n")
    r.git("init", "-q", cwd=vendor)
    r.git("add", "-A", cwd=vendor)
    r.git("commit", "-qm", "vendor", cwd=vendor)
    r.commit("子模块")  # the outer repository holds customers/vendor as a gitlink
    linked = r.root / "customers/linked"  # a checked-out submodule has a .git file
    linked.mkdir()
    (linked / ".git").write_text("gitdir: ../../.git/modules/linked\n")
    (linked / "other.yaml").write_text("- {id: CUS-8, name: 外部, owner: zhang, created: 2026-01-05}\n")
    assert sorted(load(r.root).ids("customers")) == ["CUS-1", "CUS-2"]
    assert sorted(open_revision(r.root, "HEAD").ids("customers")) == ["CUS-1", "CUS-2"]
    result = run("-C", r.root, "diff", "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0 and json.loads(result.stdout)["records"] == []


# --- errors --------------------------------------------------------------------------------

def test_not_a_git_repository_is_a_usage_error(workspace, run):
    root = workspace({"customers/CUS-1.yaml": "{id: CUS-1, name: 甲, owner: zhang, created: 2026-01-05}\n"})
    for args in (["--rev", "HEAD", "report", "overdue"], ["diff"], ["log", "CUS-1"], ["validate", "--changed"]):
        result = run("-C", root, *args)
        assert result.exit_code == 2, args
        assert "not a git repository" in result.stderr
        assert "Traceback" not in result.output


def test_unknown_revision_is_a_usage_error(repo, run):
    r = repo()
    for rev in ("nope", "HEAD~7", "--output=x", ""):
        result = run("-C", r.root, "--rev", rev, "report", "overdue")
        assert result.exit_code == 2
        assert "revision" in result.stderr
    assert run("-C", r.root, "--rev", "nope", "report", "overdue").stderr == "error: unknown revision 'nope'\n"


def test_a_repository_without_commits(workspace, run):
    root = workspace()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    result = run("-C", root, "diff")
    assert result.exit_code == 2
    assert result.stderr == "error: unknown revision 'HEAD' (the repository has no commits yet)\n"


def test_a_revision_before_the_workspace_existed(repo, run):
    r = repo(subdir="acme")
    (r.top / "README.md").write_text("docs\n")
    r.git("add", "README.md")
    r.commit("readme")
    r.git("checkout", "-q", "--orphan", "docs")
    r.git("rm", "-rq", "--cached", "acme")
    r.git("commit", "-q", "-m", "only docs")
    result = run("-C", r.root, "--rev", "docs", "report", "overdue")
    assert result.exit_code == 2
    assert result.stderr == "error: the workspace (acme/) did not exist at docs\n"


def test_a_shallow_clone_says_so(repo, run, tmp_path):
    r = repo()
    build_history(r)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{r.top}", str(clone)], check=True)
    assert overdue(run, "-C", clone, "--rev", "HEAD")["totals"]["balance"] == 50000.0
    result = run("-C", clone, "diff", "HEAD~1")
    assert result.exit_code == 2
    assert "shallow clone" in result.stderr and "git fetch --unshallow" in result.stderr
    result = run("-C", clone, "log", "RCV-3")
    assert result.exit_code == 2
    assert "shallow clone" in result.stderr


# --- validate --changed --------------------------------------------------------------------

def test_changed_reports_only_problems_of_changed_files(repo, run):
    r = repo({**BASE, "customers/customers.yaml": "- {id: CUS-1, name: 甲公司, owner: zhang, created: 2026-01-05,"
                                                     " colour: red}\n- {id: CUS-2, name: 乙, owner: wang, created: 2026-01-10}\n"})
    (r.root / "receivables/RCV-2.yaml").write_text("id: RCV-2\ncontract: CT-1\namount: 40000\ndue: 2026-13-10\n")
    (r.root / "receivables/RCV-3.yaml").write_text("id: RCV-3\ncontract: CT-9\namount: 50000\ndue: 2026-10-15\n")
    r.git("add", "receivables/RCV-3.yaml")  # staged counts as well as unstaged
    (r.root / "visits").mkdir()
    (r.root / "visits/V-1.yaml").write_text("{id: V-1, customer: CUS-7, rep: zhang, date: 2026-11-02, channel: phone}\n")

    everything = run("-C", r.root, "validate")
    assert "customers/customers.yaml" in everything.stdout  # the old unknown-field warning

    result = run("-C", r.root, "validate", "--changed")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "receivables/RCV-2.yaml:4:1: error[bad-date]: due: '2026-13-10' is not a real date",
        "receivables/RCV-3.yaml:2:1: error[unknown-ref]: contract: no contract 'CT-9'",
        "visits/V-1.yaml:1:11: error[unknown-ref]: customer: no customer 'CUS-7'",
        "3 errors, 0 warnings in 3 files",
    ]
    document = json.loads(run("-C", r.root, "validate", "--changed", "HEAD", "--format", "json").stdout)
    assert (document["errors"], document["warnings"], document["files"]) == (3, 0, 3)


def test_changed_since_an_older_revision_and_deleted_files(repo, run):
    r = repo()
    r.commit("bad date", {"receivables/RCV-2.yaml": "id: RCV-2\ncontract: CT-1\namount: 40000\ndue: 2026-13-10\n"})
    (r.root / "receivables/RCV-3.yaml").unlink()
    assert changed_since(r.root, "HEAD~1") == {"receivables/RCV-2.yaml", "receivables/RCV-3.yaml"}
    assert changed_since(r.root) == {"receivables/RCV-3.yaml"}
    result = run("-C", r.root, "validate", "--changed")  # RCV-3 is gone: CT-2 is short, but not a changed file
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 0 files\n")
    result = run("-C", r.root, "validate", "--changed", "HEAD~1")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "receivables/RCV-2.yaml:4:1: error[bad-date]: due: '2026-13-10' is not a real date",
        "1 errors, 0 warnings in 1 files"]


def test_a_changed_config_reports_every_problem(repo, run):
    r = repo()
    config = (r.root / "salesctl.yaml").read_text(encoding="utf-8").replace(
        "  - {id: wang, name: 王芳, role: rep, group: north, manager: lin, email: wang@example.com}\n", "")
    (r.root / "salesctl.yaml").write_text(config, encoding="utf-8")
    result = run("-C", r.root, "validate", "--changed")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "contracts/CT-2.yaml:3:1: error[unknown-ref]: owner: no team member 'wang'",
        "customers/customers.yaml:2:26: error[unknown-ref]: owner: no team member 'wang'",
        "2 errors, 0 warnings in 7 files"]


def test_changed_with_rev_is_a_usage_error(repo, run):
    r = repo()
    result = run("-C", r.root, "--rev", "HEAD", "validate", "--changed")
    assert result.exit_code == 2
    assert "--changed" in result.stderr
    assert run("-C", r.root, "validate", "--changed", "nope").exit_code == 2
