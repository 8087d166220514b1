"""The parse cache never changes a result, and a bad cache is ignored."""

from __future__ import annotations

import marshal

import errno
import os
import signal
from contextlib import contextmanager

import pytest

from helpers.workspaces import SAMPLE, settle, write_workspace
from salesctl.load.cache import SHARDS, ParseCache, shard_of
from salesctl.load.loader import open_workspace
from salesctl.load.paths import CACHE_DIR, PARSE_CACHE


class Hang(Exception):
    """Not an OSError, which a cache read would take for an unreadable cache."""


@contextmanager
def bounded(seconds):
    """Fail instead of hanging on a blocked read."""
    def alarm(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def shard_file(root, cache: str, rel: str):
    """The file of `cache` (a directory of shards) that holds the entry of `rel`."""
    return root / cache / f"{shard_of(rel):02x}.bin"


def record_shard(root, rel: str):
    """The file of the record cache that holds the entry of `rel` (one store per collection)."""
    from salesctl.load.cache import RecordCache
    from salesctl.load.paths import RECORDS_CACHE

    return RecordCache(root / RECORDS_CACHE).shard_path(rel)


def parse_entries(root) -> list:
    cache = ParseCache(root / PARSE_CACHE)
    return sorted(rel for shard in range(SHARDS) for rel in cache._shard(shard))


def summary(ws):
    return ([p.format() for p in ws.problems],
            {c: [(r.id, r.data, r.path, r.pos("id")) for r in rs] for c, rs in ws.records.items()})


def test_warm_equals_cold_on_the_sample(tmp_path):
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    cold = summary(open_workspace(root, use_cache=False))
    first = summary(open_workspace(root))          # fills the cache
    assert (root / PARSE_CACHE).is_dir()
    warm = summary(open_workspace(root))           # served from it
    assert cold == first == warm


def test_changed_file_is_parsed_again(workspace):
    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"})
    assert open_workspace(root).problems == []
    path = root / "customers/CUS-0001.yaml"
    path.write_text("id: CUS-0001\nname: 甲\nowner: nobody\ncreated: 2026-01-01\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # even with an old mtime the size differs
    assert [p.code for p in open_workspace(root).problems] == ["unknown-ref"]


def test_problems_of_a_cached_file_keep_their_positions(workspace):
    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\nstaus: x\n"})
    first = [p.format() for p in open_workspace(root).problems]
    second = [p.format() for p in open_workspace(root).problems]
    assert first == second == [
        "customers/CUS-0001.yaml:5:1: warning[unknown-field]: unknown field 'staus'; did you mean 'status'?"]


def test_corrupt_or_foreign_cache_is_ignored(workspace):
    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"})
    expected = summary(open_workspace(root, use_cache=False))
    (root / PARSE_CACHE).mkdir(parents=True)
    for junk in (b"", b"garbage", b"salesctl-parse-cache\x00\x00\x03" + b"\x00" * 40, os.urandom(5000)):
        for shard in range(SHARDS):
            (root / PARSE_CACHE / f"{shard:02x}.bin").write_bytes(junk)
        assert summary(open_workspace(root)) == expected
    assert ParseCache(root / PARSE_CACHE).get("customers/CUS-0001.yaml", ("file",)) is None


def test_tampered_payload_fails_the_checksum(workspace):
    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"})
    open_workspace(root)
    path = shard_file(root, PARSE_CACHE, "customers/CUS-0001.yaml")
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0xFF
    path.write_bytes(bytes(blob))
    assert "customers/CUS-0001.yaml" not in parse_entries(root)


@pytest.mark.parametrize("cut", [1, 100])
def test_a_truncated_cache_file_is_ignored(workspace, cut):
    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"})
    open_workspace(root)
    path = shard_file(root, PARSE_CACHE, "customers/CUS-0001.yaml")
    path.write_bytes(path.read_bytes()[:-cut])
    assert "customers/CUS-0001.yaml" not in parse_entries(root)


def test_a_cache_that_cannot_be_written_is_left_out(workspace, monkeypatch):
    """A read-only workspace or a full disk: the load goes on without writing its caches."""
    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"})
    expected = summary(open_workspace(root, use_cache=False))

    def read_only(src, dst, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(dst))

    monkeypatch.setattr(os, "replace", read_only)  # how every cache file is put in place
    assert summary(open_workspace(root)) == expected
    monkeypatch.undo()
    assert [p for p in (root / CACHE_DIR).rglob("*") if p.is_file()] == []  # nor a temporary file left


@pytest.mark.parametrize("link", [".salesctl", ".salesctl/cache", ".salesctl/cache/parse"])
@pytest.mark.parametrize("target", ["outside", "customers"])
def test_a_cache_folder_that_is_a_link_is_neither_read_nor_written(workspace, tmp_path, link, target):
    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"})
    elsewhere = tmp_path / "outside" if target == "outside" else root / target
    elsewhere.mkdir(exist_ok=True)
    before = sorted(elsewhere.iterdir())
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(elsewhere, root / link)
    expected = summary(open_workspace(root, use_cache=False))
    assert summary(open_workspace(root)) == expected
    assert summary(open_workspace(root)) == expected
    assert sorted(elsewhere.iterdir()) == before


def test_a_cache_file_that_is_a_link_is_not_followed(workspace, tmp_path):
    from salesctl.load.paths import RULES_CACHE

    root = workspace(RULE_BREAKERS)
    expected = summary(open_workspace(root, use_cache=False))
    open_workspace(root)
    record = root / "customers/CUS-0001.yaml"
    before = record.read_bytes()
    os.mkfifo(tmp_path / "pipe")
    rules = root / RULES_CACHE
    rules.unlink()
    os.symlink(tmp_path / "pipe", rules)  # read through, it would block the load for ever
    shard = shard_file(root, PARSE_CACHE, "customers/CUS-0001.yaml")
    shard.unlink()
    os.symlink(record, shard)
    with bounded(10):
        assert summary(open_workspace(root)) == expected
        record.write_bytes(before + b"tier: A\n")  # a change makes the caches write again
        open_workspace(root)
    assert record.read_bytes() == before + b"tier: A\n"


def test_cache_write_leaves_no_temp_files(workspace):
    root = write_workspace(workspace().parent / "other",
                           {"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"})
    open_workspace(root)
    cache = root / ".salesctl" / "cache"
    assert sorted(p.name for p in cache.iterdir()) == ["parse", "records", "rules.bin"]
    assert {p.name for p in (cache / "parse").iterdir()} == {
        shard_file(root, PARSE_CACHE, rel).name for rel in ("customers/CUS-0001.yaml", "salesctl.yaml")}
    assert [p.name for p in (cache / "records").iterdir()] == [f"customers-{shard_of('customers/CUS-0001.yaml'):02x}.bin"]


def test_typed_records_are_served_from_the_record_cache(workspace):
    from salesctl.load.paths import RECORDS_CACHE

    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\nstaus: x\n"})
    cold = summary(open_workspace(root, use_cache=False))
    open_workspace(root)
    assert (root / RECORDS_CACHE).is_dir()
    assert summary(open_workspace(root)) == cold


def test_a_config_change_retypes_the_records(workspace):
    contract = """\
id: CT-1
customer: CUS-0001
owner: zhang
title: t
status: in_review
created: 2026-01-01
items: [{name: a, quantity: 1, unit_price: 10}]
amount: 10
approvals: [{stage: legal, by: chen, date: 2026-01-02, decision: approved}]
"""
    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n",
                      "contracts/CT-1.yaml": contract})
    assert [p.code for p in open_workspace(root).problems] == ["approval-order"]
    config = root / "salesctl.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "rules: {approval_chain: [manager, finance]}\n",
                      encoding="utf-8")
    assert [p.code for p in open_workspace(root).problems] == ["bad-value"]  # legal is no longer a stage


def test_record_cache_refuses_classes_other_than_dates_decimals_and_records(workspace):
    import pickle

    from salesctl.load.cache import CODE, RECORDS_FORMAT, RECORDS_MAGIC, RecordCache, checksum
    from salesctl.load.paths import RECORDS_CACHE

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo owned > /tmp/salesctl-owned",))

    root = workspace()
    header = RECORDS_MAGIC + RECORDS_FORMAT.to_bytes(2, "big") + CODE
    other = write_workspace(root.parent / "other",
                            {"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"})
    open_workspace(other)
    assert record_shard(other, "customers/CUS-0001.yaml").read_bytes().startswith(header)  # as written
    payload = pickle.dumps({"customers/x.yaml": Evil()})
    path = record_shard(root, "customers/x.yaml")
    path.parent.mkdir(parents=True)
    path.write_bytes(header + checksum(payload) + payload)
    assert RecordCache(root / RECORDS_CACHE).entries("customers") == {}
    assert not os.path.exists("/tmp/salesctl-owned")
    assert open_workspace(root).problems == []


def test_parse_entries_survive_a_run_served_by_the_record_cache(workspace):
    root = workspace({f"customers/CUS-000{i}.yaml": f"id: CUS-000{i}\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"
                      for i in range(1, 4)})
    open_workspace(root)
    (root / "customers/CUS-0001.yaml").write_text("id: CUS-0001\nname: 乙\nowner: zhang\ncreated: 2026-01-01\n",
                                                  encoding="utf-8")
    open_workspace(root)  # one file changed: the others come from the record cache
    assert parse_entries(root) == [f"customers/CUS-000{i}.yaml" for i in range(1, 4)] + ["salesctl.yaml"]


RULE_BREAKERS = {  # a visit of a customer that does not exist: a cross-record rule finds it
    "customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n",
    "visits/VIS-1.yaml": "id: VIS-1\ncustomer: CUS-0002\nrep: zhang\ndate: 2026-02-01\nchannel: phone\n",
}


def test_the_rules_of_an_unchanged_workspace_are_served_from_the_rules_cache(workspace, monkeypatch):
    import salesctl.rules
    from salesctl.load.paths import RULES_CACHE

    root = workspace(RULE_BREAKERS)
    cold = summary(open_workspace(root, use_cache=False))
    assert open_workspace(root).problems[0].code == "unknown-ref"  # fills the cache
    assert (root / RULES_CACHE).is_file()

    def no_rules(ws):
        raise AssertionError("the rules ran although no file changed")

    monkeypatch.setattr(salesctl.rules, "check_rules", no_rules)
    served = open_workspace(root)
    assert summary(served) == cold
    assert served.get("visits", "VIS-1").has_errors  # a rule's error still makes the record unusable
    assert served.usable().records["visits"] == []


def test_any_changed_file_runs_the_rules_again(workspace):
    root = workspace(RULE_BREAKERS)
    open_workspace(root)
    (root / "customers/CUS-0002.yaml").write_text("id: CUS-0002\nname: 乙\nowner: zhang\ncreated: 2026-01-01\n",
                                                  encoding="utf-8")
    assert open_workspace(root).problems == []
    (root / "salesctl.yaml").write_text((root / "salesctl.yaml").read_text(encoding="utf-8").replace("zhang", "zhang2"),
                                        encoding="utf-8")
    assert {p.code for p in open_workspace(root).problems} == {"unknown-ref"}  # the owner is gone from the team


def test_corrupt_rules_cache_is_ignored(workspace):
    from salesctl.load.cache import RulesCache
    from salesctl.load.paths import RULES_CACHE

    root = workspace(RULE_BREAKERS)
    expected = summary(open_workspace(root, use_cache=False))
    path = root / RULES_CACHE
    for junk in (b"", b"garbage", b"salesctl-rules-cache\x00\x00\x01" + b"\x00" * 40, os.urandom(5000)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(junk)
        assert summary(open_workspace(root)) == expected
    assert RulesCache(path).get(b"\x00" * 32) is None


def test_the_rules_cache_keeps_a_few_workspace_states(workspace):
    from salesctl.load.cache import RULES_KEPT, RulesCache
    from salesctl.load.paths import RULES_CACHE

    root = workspace(RULE_BREAKERS)
    visit = root / "visits/VIS-1.yaml"
    for day in range(1, RULES_KEPT + 3):
        visit.write_text(f"id: VIS-1\ncustomer: CUS-0002\nrep: zhang\ndate: 2026-02-{day:02d}\nchannel: phone\n",
                         encoding="utf-8")
        settle(visit)
        open_workspace(root)
    assert len(RulesCache(root / RULES_CACHE)._load()) == RULES_KEPT


def test_equal_listings_give_the_same_verdict_key_however_their_values_are_shared():
    from salesctl.load.cache import RulesCache

    kind = "file"
    shared = [("customers/A.yaml", (kind, 1, 2, 3)), ("visits/B.yaml", (kind, 1, 2, 3))]
    apart = [("customers/A.yaml", ("fi" + "le", 1, 2, 3)), ("visits/B.yaml", ("fil" + "e", 1, 2, 3))]
    assert RulesCache.key(shared, "fp") == RulesCache.key(apart, "fp")


def test_the_chart_cache_keeps_the_newest_charts_and_refuses_a_foreign_shape(tmp_path):
    from salesctl.load.cache import ChartCache, _write

    path = tmp_path / "charts.bin"
    for n in range(ChartCache.kept + 5):
        cache = ChartCache(path)
        cache.put(n.to_bytes(32, "big"), f"<svg>{n}</svg>")
        cache.save()
    cache = ChartCache(path)
    assert cache.get((ChartCache.kept + 4).to_bytes(32, "big")) == f"<svg>{ChartCache.kept + 4}</svg>"
    assert cache.get((4).to_bytes(32, "big")) is None  # the oldest went
    assert len(cache._load()) == ChartCache.kept
    _write(path, ChartCache.header, marshal.dumps({b"k": 1}))  # a sound file of another shape
    assert ChartCache(path).get(b"k") is None


def test_a_changed_file_rewrites_only_its_shard_of_each_cache(workspace):
    from salesctl.load.paths import RECORDS_CACHE

    rels = [f"customers/CUS-{i:04d}.yaml" for i in range(1, 41)]
    root = workspace({rel: f"id: {rel[10:18]}\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n" for rel in rels})
    open_workspace(root)

    def inodes(cache):
        return {p.name: p.stat().st_ino for p in (root / cache).iterdir()}

    before = {cache: inodes(cache) for cache in (PARSE_CACHE, RECORDS_CACHE)}
    assert len(before[RECORDS_CACHE]) > 8  # forty files spread over most shards
    changed = root / rels[0]
    changed.write_text(changed.read_text(encoding="utf-8").replace("甲", "乙"), encoding="utf-8")
    (root / rels[1]).unlink()
    ws = open_workspace(root)
    assert ws.get("customers", "CUS-0001")["name"] == "乙" and ws.get("customers", "CUS-0002") is None
    rewritten = {PARSE_CACHE: {shard_file(root, PARSE_CACHE, rel).name for rel in rels[:2]},
                 RECORDS_CACHE: {record_shard(root, rel).name for rel in rels[:2]}}
    for cache in (PARSE_CACHE, RECORDS_CACHE):
        after = inodes(cache)
        assert {name for name in after if after[name] != before[cache][name]} <= rewritten[cache]
    shard = record_shard(root, rels[0])
    assert shard.stat().st_ino != before[RECORDS_CACHE][shard.name]
    from salesctl.load.cache import RecordCache

    assert rels[1] not in RecordCache(root / RECORDS_CACHE).entries("customers")  # the deleted file's entry
    assert summary(open_workspace(root)) == summary(open_workspace(root, use_cache=False))


def test_a_file_written_moments_ago_is_not_cached(workspace):
    """It could be written again within the same timestamp tick, keeping size, mtime and inode."""
    from salesctl.load.cache import RecordCache
    from salesctl.load.paths import RECORDS_CACHE, RULES_CACHE

    root = workspace(RULE_BREAKERS)
    fresh = root / "customers/CUS-0003.yaml"
    fresh.write_text("id: CUS-0003\nname: 丙\nowner: zhang\ncreated: 2026-01-01\n", encoding="utf-8")
    assert summary(open_workspace(root)) == summary(open_workspace(root, use_cache=False))
    assert "customers/CUS-0003.yaml" not in parse_entries(root)
    assert "customers/CUS-0001.yaml" in parse_entries(root)
    records = RecordCache(root / RECORDS_CACHE)
    assert "customers/CUS-0001.yaml" in records.entries("customers")
    assert "customers/CUS-0003.yaml" not in records.entries("customers")
    assert not (root / RULES_CACHE).exists()  # the rules' result depends on every file, the fresh one too
    settle(fresh)
    open_workspace(root)
    assert "customers/CUS-0003.yaml" in parse_entries(root) and (root / RULES_CACHE).exists()


def test_caches_made_by_other_code_are_ignored(workspace, monkeypatch):
    """Each cache file is stamped with the code that made it: after an upgrade (or an edit of an
    installed copy) nothing cached is trusted."""
    import salesctl.rules
    import salesctl.load.pipeline
    from salesctl.load.cache import MAGIC, RECORDS_MAGIC, RULES_MAGIC

    root = workspace(RULE_BREAKERS)
    expected = summary(open_workspace(root, use_cache=False))
    open_workspace(root)
    stamps = {"parse": len(MAGIC) + 2, "records": len(RECORDS_MAGIC) + 2, "rules.bin": len(RULES_MAGIC) + 2}
    for path in (root / ".salesctl" / "cache").rglob("*.bin"):
        blob = bytearray(path.read_bytes())
        blob[stamps[path.name if path.name == "rules.bin" else path.parent.name]] ^= 0xFF  # another code stamp
        path.write_bytes(bytes(blob))
    ran = []
    real = salesctl.rules.check_rules
    monkeypatch.setattr(salesctl.rules, "check_rules", lambda ws: ran.append(1) or real(ws))
    parsed = []
    real_parse = salesctl.load.pipeline.parse_bytes
    monkeypatch.setattr(salesctl.load.pipeline, "parse_bytes", lambda data: parsed.append(data) or real_parse(data))
    assert summary(open_workspace(root)) == expected
    assert ran == [1] and len(parsed) == 3  # every file parsed and the rules run again
