"""Loading only the collections a command reads: one record store per collection, and the
read-on-invalid rule kept through the verdict cached with the whole file listing."""

from __future__ import annotations

import pytest

from helpers.records import CONTRACT, CUSTOMER, RECEIVABLE, VALID
from helpers.workspaces import settle
from salesctl.load.cache import RecordCache
from salesctl.load.loader import open_workspace
from salesctl.load.paths import RECORDS_CACHE

VISIT = "id: V-1\ncustomer: CUS-0001\nrep: zhang\ndate: 2026-02-01\nchannel: phone\n"
# RCV-2 names a contract that does not exist: the rule that finds it reads the contracts.
ORPHAN = RECEIVABLE.replace("RCV-1", "RCV-2").replace("CT-1", "CT-2")
CONTRACT_2 = CONTRACT.replace("CT-1", "CT-2")


def ids(ws, collection):
    return [r.id for r in ws.records[collection]]


@pytest.fixture
def broken(workspace):
    """VALID, a visit, and RCV-2 of a contract CT-2 that does not exist; the caches warm."""
    root = workspace({**VALID, "visits/V-1.yaml": VISIT, "receivables/RCV-2.yaml": ORPHAN})
    open_workspace(root)
    return root


def test_each_collection_has_its_own_record_store(broken):
    names = {p.name.split("-")[0] for p in (broken / RECORDS_CACHE).iterdir()}
    assert names == {"customers", "contracts", "receivables", "visits"}
    assert RecordCache(broken / RECORDS_CACHE).shard_path("visits/V-1.yaml").is_file()


def test_a_warm_partial_load_reads_only_the_stores_of_its_collections(broken, monkeypatch):
    read = []
    original = RecordCache._read

    def spy(self, path):
        read.append(path.name.split("-")[0])
        return original(self, path)

    monkeypatch.setattr(RecordCache, "_read", spy)
    ws = open_workspace(broken, reads={"receivables"})
    assert ws.loaded == ("receivables",)
    assert set(read) == {"receivables"}
    with pytest.raises(KeyError):
        ws.records["visits"]  # a collection not asked for is not there, rather than empty


def test_a_record_left_out_for_a_rule_over_a_collection_not_loaded_stays_left_out(broken):
    whole = open_workspace(broken, use_cache=False)
    ws = open_workspace(broken, reads={"receivables"})  # the contracts are not loaded
    assert ws.loaded == ("receivables",)
    assert [p.format() for p in ws.problems] == [p.format() for p in whole.problems]
    assert [p.code for p in ws.problems] == ["unknown-ref"]
    assert ids(ws, "receivables") == ["RCV-1", "RCV-2"]
    assert ids(ws.usable(), "receivables") == ["RCV-1"]  # RCV-2 left out, as after a whole load
    assert ids(whole.usable(), "receivables") == ["RCV-1"]


def test_a_changed_file_anywhere_loads_everything_and_runs_the_rules(broken, monkeypatch):
    import salesctl.rules

    ran = []
    check_rules = salesctl.rules.check_rules
    monkeypatch.setattr(salesctl.rules, "check_rules", lambda ws: ran.append(ws.loaded) or check_rules(ws))
    added = broken / "contracts/CT-2.yaml"
    added.write_text(CONTRACT_2, encoding="utf-8")  # in a collection the command does not read
    settle(added)
    ws = open_workspace(broken, reads={"receivables"})
    assert ran == [("customers", "visits", "contracts", "receivables", "reviews")]  # never a partial rule run
    assert ws.problems == []
    assert ids(ws.usable(), "receivables") == ["RCV-1", "RCV-2"]
    ran.clear()
    again = open_workspace(broken, reads={"receivables"})  # the new listing's verdict is cached now
    assert ran == [] and again.loaded == ("receivables",)
    assert ids(again.usable(), "receivables") == ["RCV-1", "RCV-2"]


def test_without_a_cached_verdict_a_partial_load_is_a_whole_load(workspace):
    root = workspace({"customers/CUS-0001.yaml": CUSTOMER, "visits/V-1.yaml": VISIT})
    assert open_workspace(root, reads={"customers"}).loaded == ("customers", "visits", "contracts", "receivables",
                                                                 "reviews")
    assert open_workspace(root, use_cache=False, reads={"customers"}).loaded[-1] == "reviews"
    assert open_workspace(root, reads={"customers"}).loaded == ("customers",)


def test_a_partial_load_leaves_the_other_stores_as_they_are(broken):
    visits = RecordCache(broken / RECORDS_CACHE).shard_path("visits/V-1.yaml")
    before = visits.stat().st_ino
    changed = broken / "receivables/RCV-1.yaml"
    changed.write_text(RECEIVABLE.replace("10000", "9000"), encoding="utf-8")
    settle(changed)
    open_workspace(broken, reads={"receivables"})  # a whole load: the listing changed
    ws = open_workspace(broken, reads={"receivables"})
    assert ws.loaded == ("receivables",) and ws.get("receivables", "RCV-1")["amount"] == 9000
    assert visits.stat().st_ino == before  # no visit changed: its store was not rewritten
