"""Read commands load only the collections they read once the caches know the workspace, and
answer as they do after a whole load: the same rows, the same records left out, the same warning."""

from __future__ import annotations

import pytest

from helpers.records import RECEIVABLE, VALID
from salesctl import api
from salesctl.errors import QueryError
from salesctl.load.cache import RecordCache

VISIT = "id: V-1\ncustomer: CUS-0001\nrep: zhang\ndate: 2026-02-01\nchannel: phone\n"
ORPHAN = RECEIVABLE.replace("RCV-1", "RCV-2").replace("CT-1", "CT-2")  # of a contract that does not exist
WARNING = "warning: 1 error in the workspace, records with errors left out; run salesctl validate\n"


@pytest.fixture
def root(workspace):
    return workspace({**VALID, "visits/V-1.yaml": VISIT, "receivables/RCV-2.yaml": ORPHAN})


@pytest.fixture
def stores_read(monkeypatch):
    """The collections whose record stores a command reads."""
    read = set()
    original = RecordCache._read

    def spy(self, path):
        read.add(path.name.split("-")[0])
        return original(self, path)

    monkeypatch.setattr(RecordCache, "_read", spy)
    return read


def test_query_reads_its_collections_and_leaves_out_what_a_whole_load_does(run, root, stores_read):
    args = ("-C", root, "query", "receivables", "--format", "ids", "--as-of", "2026-06-30")
    cold = run("--no-cache", *args)
    run(*args)  # fills the caches
    stores_read.clear()
    warm = run(*args)
    assert (warm.exit_code, warm.stdout, warm.stderr) == (cold.exit_code, cold.stdout, cold.stderr) == (
        0, "RCV-1\n", WARNING)
    assert stores_read == {"receivables", "contracts"}  # neither the visits nor the customers are read


@pytest.mark.parametrize("texts, shown", [(("-w", "customer.name ~ 华东"), "RCV-1,CT-1"), (("-s", "-customer.name"), "RCV-1,CT-1"),
                                          (("-f", "id, customer.name"), "RCV-1,华东机械")])
def test_a_query_through_a_reference_reads_that_collection(run, root, stores_read, texts, shown):
    args = ("-C", root, "query", "receivables", *texts, "--format", "csv", "--as-of", "2026-06-30")
    cold = run("--no-cache", *args)
    run(*args)
    stores_read.clear()
    warm = run(*args)
    assert (warm.exit_code, warm.stdout, warm.stderr) == (cold.exit_code, cold.stdout, cold.stderr)
    assert shown in warm.stdout
    assert stores_read == {"receivables", "contracts", "customers"}


def test_a_query_of_a_workspace_loaded_without_a_collection_it_reads_says_so(root):
    api.open_workspace(root)  # the caches now know the workspace: a load of some collections loads only those
    ws = api.open_workspace(root, reads=api.query_reads("receivables", where=["status = open"]))
    assert ws.loaded == ("contracts", "receivables")
    with pytest.raises(QueryError, match="the query reads customers, which the workspace was loaded without"):
        api.query(ws, "receivables", ws.as_of, where=["customer.name ~ 华东"])
    assert api.query(ws, "receivables", ws.as_of, where=["status = paid"]) == []


def test_report_overdue_reads_its_collections(run, root, stores_read):
    args = ("-C", root, "report", "overdue", "--format", "json", "--as-of", "2026-06-30")
    cold = run("--no-cache", *args)
    run(*args)
    stores_read.clear()
    warm = run(*args)
    assert (warm.stdout, warm.stderr) == (cold.stdout, cold.stderr)
    assert '"receivable": "RCV-1"' in warm.stdout and "RCV-2" not in warm.stdout
    assert stores_read == {"receivables", "contracts", "customers"}


def test_a_warm_validate_reads_no_record_and_says_what_a_cold_one_says(run, root, stores_read):
    args = ("-C", root, "validate", "--format", "json", "--as-of", "2026-06-30")
    cold = run("--no-cache", *args)
    run(*args)
    stores_read.clear()
    warm = run(*args)
    assert (warm.exit_code, warm.stdout) == (cold.exit_code, cold.stdout)
    assert '"code": "unknown-ref"' in warm.stdout
    assert stores_read == set()


def test_a_validate_after_an_edit_reads_every_collection_again(run, root, stores_read):
    args = ("-C", root, "validate", "--as-of", "2026-06-30")
    run(*args)
    (root / "receivables/RCV-2.yaml").unlink()  # the orphan gone
    stores_read.clear()
    mended = run(*args)
    assert (mended.exit_code, mended.stdout) == (0, "0 errors, 0 warnings in 5 files\n")
    assert stores_read == {"customers", "visits", "contracts", "receivables"}  # every one with files


def test_strict_sees_every_problem_from_a_partial_load(run, root):
    args = ("-C", root, "query", "reviews", "--strict", "--as-of", "2026-06-30")
    run(*args)
    strict = run(*args)  # the reviews loaded; the problem is a receivable's
    assert (strict.exit_code, strict.stderr) == (1, "receivables/RCV-2.yaml:2:1: error[unknown-ref]: contract: no "
                                                    "contract 'CT-2'\n")


def test_each_read_function_declares_what_it_reads():
    assert api.report_overdue.reads == {"receivables", "contracts", "customers"}
    assert api.reminders.reads == {"customers", "visits", "contracts", "receivables"}
    assert api.report_review.reads == api.show.reads == {
        "customers", "visits", "contracts", "receivables", "reviews"}
    assert api.validate.reads == set()  # the cached verdict is all it needs
    # a receivable's customer and owner are its contract's; a customer's last contact is its latest
    # visit, and when it goes back to the pool depends on its contracts and their unpaid receivables
    assert api.query_reads("receivables") == {"receivables", "contracts", "customers"}  # whatever the query
    assert api.query_reads("receivables", where=["status = overdue"], sort=["-balance"]) == {"receivables", "contracts"}
    assert api.query_reads("receivables", where=["customer.tier = A"]) == {"receivables", "contracts", "customers"}
    assert api.query_reads("visits", fields=["id,customer.name"]) == {"visits", "customers"}
    assert api.query_reads("visits", fields=["id,customer"]) == {"visits"}
    assert api.query_reads("customer") == {"customers", "visits", "contracts", "receivables"}
    assert api.pool.reads == api.report_load.reads == {"customers", "visits", "contracts", "receivables"}
    assert api.query_reads("reviews") == {"reviews"}
