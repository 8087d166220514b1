"""The parse cache never changes a result, and a bad cache is ignored."""

from __future__ import annotations

import os

from salesctl.cache import ParseCache
from salesctl.workspace import CACHE_FILE, open_workspace

from conftest import SAMPLE, write_workspace


def summary(ws):
    return ([p.format() for p in ws.problems],
            {c: [(r.id, r.data, r.path, r.pos("id")) for r in rs] for c, rs in ws.records.items()})


def test_warm_equals_cold_on_the_sample(tmp_path):
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    cold = summary(open_workspace(root, use_cache=False))
    first = summary(open_workspace(root))          # fills the cache
    assert (root / CACHE_FILE).is_file()
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
    cache = root / CACHE_FILE
    for junk in (b"", b"garbage", b"salesctl-parse-cache\x00\x00\x02" + b"\x00" * 40, os.urandom(5000)):
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(junk)
        assert summary(open_workspace(root)) == expected
    assert ParseCache(cache).get("customers/CUS-0001.yaml", ("file",)) is None


def test_tampered_payload_fails_the_checksum(workspace):
    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"})
    open_workspace(root)
    blob = bytearray((root / CACHE_FILE).read_bytes())
    blob[-5] ^= 0xFF
    (root / CACHE_FILE).write_bytes(bytes(blob))
    assert ParseCache(root / CACHE_FILE)._load() == {}


def test_read_only_workspace_still_loads(workspace):
    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"})
    (root / ".salesctl").mkdir()
    os.chmod(root / ".salesctl", 0o500)
    try:
        assert open_workspace(root).problems == []
    finally:
        os.chmod(root / ".salesctl", 0o700)


def test_no_cache_option_writes_nothing(workspace, run):
    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"})
    assert run("--no-cache", "-C", root, "validate").exit_code == 0
    assert not (root / ".salesctl").exists()
    assert run("-C", root, "validate").exit_code == 0
    assert (root / CACHE_FILE).exists()


def test_cache_write_leaves_no_temp_files(workspace):
    root = write_workspace(workspace().parent / "other",
                           {"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"})
    open_workspace(root)
    assert sorted(p.name for p in (root / ".salesctl" / "cache").iterdir()) == ["parse.bin", "records.bin", "rules.bin"]


def test_typed_records_are_served_from_the_record_cache(workspace):
    from salesctl.workspace import RECORDS_CACHE_FILE

    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\nstaus: x\n"})
    cold = summary(open_workspace(root, use_cache=False))
    open_workspace(root)
    assert (root / RECORDS_CACHE_FILE).is_file()
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
    import hashlib
    import pickle

    from salesctl.cache import _RECORDS_HEADER, RecordCache
    from salesctl.workspace import RECORDS_CACHE_FILE

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo owned > /tmp/salesctl-owned",))

    root = workspace()
    payload = pickle.dumps({"x": Evil()})
    path = root / RECORDS_CACHE_FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(_RECORDS_HEADER + hashlib.sha256(payload).digest() + payload)
    assert RecordCache(path)._entries == {}
    assert not os.path.exists("/tmp/salesctl-owned")
    assert open_workspace(root).problems == []


def test_parse_entries_survive_a_run_served_by_the_record_cache(workspace):
    root = workspace({f"customers/CUS-000{i}.yaml": f"id: CUS-000{i}\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"
                      for i in range(1, 4)})
    open_workspace(root)
    (root / "customers/CUS-0001.yaml").write_text("id: CUS-0001\nname: 乙\nowner: zhang\ncreated: 2026-01-01\n",
                                                  encoding="utf-8")
    open_workspace(root)  # one file changed: the others come from the record cache
    entries = sorted(ParseCache(root / CACHE_FILE)._load())
    assert entries == [f"customers/CUS-000{i}.yaml" for i in range(1, 4)]


RULE_BREAKERS = {  # a visit of a customer that does not exist: a cross-record rule finds it
    "customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n",
    "visits/VIS-1.yaml": "id: VIS-1\ncustomer: CUS-0002\nrep: zhang\ndate: 2026-02-01\nchannel: phone\n",
}


def test_the_rules_of_an_unchanged_workspace_are_served_from_the_rules_cache(workspace, monkeypatch):
    import salesctl.validate
    from salesctl.workspace import RULES_CACHE_FILE

    root = workspace(RULE_BREAKERS)
    cold = summary(open_workspace(root, use_cache=False))
    assert open_workspace(root).problems[0].code == "unknown-ref"  # fills the cache
    assert (root / RULES_CACHE_FILE).is_file()

    def no_rules(ws):
        raise AssertionError("the rules ran although no file changed")

    monkeypatch.setattr(salesctl.validate, "check_rules", no_rules)
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
    from salesctl.cache import RulesCache
    from salesctl.workspace import RULES_CACHE_FILE

    root = workspace(RULE_BREAKERS)
    expected = summary(open_workspace(root, use_cache=False))
    path = root / RULES_CACHE_FILE
    for junk in (b"", b"garbage", b"salesctl-rules-cache\x00\x00\x01" + b"\x00" * 40, os.urandom(5000)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(junk)
        assert summary(open_workspace(root)) == expected
    assert RulesCache(path).get(b"\x00" * 32) is None


def test_the_rules_cache_keeps_a_few_workspace_states(workspace):
    from salesctl.cache import RULES_KEPT, RulesCache
    from salesctl.workspace import RULES_CACHE_FILE

    root = workspace(RULE_BREAKERS)
    visit = root / "visits/VIS-1.yaml"
    for day in range(1, RULES_KEPT + 3):
        visit.write_text(f"id: VIS-1\ncustomer: CUS-0002\nrep: zhang\ndate: 2026-02-{day:02d}\nchannel: phone\n",
                         encoding="utf-8")
        open_workspace(root)
    assert len(RulesCache(root / RULES_CACHE_FILE)._load()) == RULES_KEPT
