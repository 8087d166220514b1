"""Hostile input: every file in `tests/fixtures/hostile/` (and a few made at test time, too big to commit)
dropped into a workspace, then every read command run on it.

Each case must give a clear error or the correct result, within a bounded time, write nothing
outside the workspace, and leave the workspace's files byte-identical (the parse cache under
`.salesctl/` is the only thing a read command may write).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.workspaces import HOSTILE, ROOT, write_workspace
from salesctl.load.parse import MAX_FILE_BYTES
from salesctl.load.pipeline import load

AS_OF = "2026-11-30"
SECONDS = 10  # what any one command may take on a hostile file of the corpus (2 slow cores)

# What the hostile files refer to: a customer and a draft contract, valid.
BASE = {
    "customers/CUS-9000.yaml": "{id: CUS-9000, name: 基准客户, owner: zhang, created: 2026-01-05}\n",
    "contracts/CT-0001.yaml": """\
        id: CT-0001
        customer: CUS-9000
        owner: zhang
        title: 基准合同
        status: draft
        created: 2026-01-05
        items: [{name: 培训, quantity: 1, unit_price: 100000}]
        amount: 100000
        """,
}

# file -> (collection it is put in, the errors it must give as (code, line), records it must add)
CORPUS = {
    "alias-bomb.yaml": ("customers", {("yaml-syntax", 2)}, 0),
    "merge-key-bomb.yaml": ("customers", {("yaml-syntax", 2)}, 0),
    "recursive-alias.yaml": ("customers", {("yaml-syntax", 2)}, 0),
    "object-tag.yaml": ("customers", {("yaml-syntax", 2)}, 0),
    "python-name-tag.yaml": ("customers", {("yaml-syntax", 2)}, 0),
    "include-tag.yaml": ("customers", {("yaml-syntax", 2)}, 0),
    "binary-tag.yaml": ("customers", {("yaml-syntax", 2)}, 0),
    "tag-directive.yaml": ("customers", {("yaml-syntax", 4)}, 0),
    "duplicate-anchor.yaml": ("customers", {("yaml-syntax", 2)}, 0),
    "nesting-66.yaml": ("customers", {("yaml-syntax", 2)}, 0),
    "path-traversal-ids.yaml": ("customers", {("bad-value", n) for n in range(2, 11)}, 9),
    "template-traversal.yaml": ("contracts", {("bad-value", 7)}, 1),
    "gbk.yaml": ("customers", {("not-utf8", 3)}, 0),
    "utf16.yaml": ("customers", {("not-utf8", 1)}, 0),
    "bom.yaml": ("customers", set(), 1),
    "crlf.yaml": ("customers", set(), 1),
    "tab-indent.yaml": ("customers", {("yaml-syntax", 3)}, 0),
    "tabs-in-values.yaml": ("customers", set(), 1),
    "empty.yaml": ("customers", set(), 0),
    "comments-only.yaml": ("customers", set(), 0),
    "whitespace-only.yaml": ("customers", set(), 0),
    "empty-documents.yaml": ("customers", set(), 0),
    "null-document.yaml": ("customers", set(), 0),
    "scalar.yaml": ("customers", {("not-a-record", 1)}, 0),
    "number.yaml": ("visits", {("not-a-record", 1)}, 0),
    "list-of-scalars.yaml": ("receivables", {("not-a-record", 1), ("not-a-record", 2), ("not-a-record", 3)}, 0),
    "conflict.yaml": ("customers", {("yaml-syntax", 3)}, 0),
    "conflict-crlf.yaml": ("customers", {("yaml-syntax", 5)}, 0),
    "control-bytes.yaml": ("customers", {("yaml-syntax", 1)}, 0),
    "absurd-dates.yaml": ("customers", {("bad-date", 4 * n + 1) for n in range(1, 12)}, 11),
    "absurd-amounts.yaml": ("receivables", {("bad-amount", 4 * n + 1) for n in range(1, 17)}, 16),
    "negative-zero.yaml": ("receivables", set(), 2),
    "duplicate-keys.yaml": ("customers", {("duplicate-key", 4)}, 1),
    "bool-and-int-keys.yaml": ("customers", set(), 1),
    "complex-key.yaml": ("customers", {("yaml-syntax", 2)}, 0),
    "header-injection.yaml": ("customers", set(), 1),
    "several-documents.yaml": ("customers", set(), 2),
    "unicode-tricks.yaml": ("customers", set(), 2),
    "wrong-shapes.yaml": ("customers", {("bad-type", 2), ("bad-type", 3), ("bad-type", 4), ("bad-date", 5),
                                        ("bad-value", 6), ("bad-type", 7), ("bad-type", 8), ("bad-type", 9),
                                        ("bad-type", 10)}, 1),
    "day-counts.yaml": ("customers", {("bad-value", 2), ("bad-value", 3)}, 2),
    "huge-quantities.yaml": ("contracts", {("amount-mismatch", 12)}, 1),
}

# salesctl.yaml -> the errors it must give (code, line)
CONFIGS = {
    "conflict.yaml": {("yaml-syntax", 2)},
    "object-tag.yaml": {("yaml-syntax", 1)},
    "empty.yaml": {("bad-config", 1)},
    "scalar.yaml": {("bad-config", 1)},
    "day-counts.yaml": {("bad-config", 4), ("bad-config", 5), ("bad-config", 6), ("bad-config", 7),
                        ("bad-config", 8)},
    "header-injection.yaml": {("bad-config", 5)},
    "wrong-shapes.yaml": {("bad-config", n) for n in range(1, 9)},
    "team-traps.yaml": {("bad-config", n) for n in (3, 4, 5, 6, 7, 9, 10)},
}
UNUSABLE_CONFIGS = {"conflict.yaml", "object-tag.yaml", "empty.yaml", "scalar.yaml"}  # read commands exit 2


def read_commands():
    """Every read-only command, each as it would run from cron."""
    return [
        ["validate"], ["validate", "--format", "json"],
        ["query", "customers", "--format", "json"], ["query", "receivables", "--format", "json"],
        ["query", "contracts", "-w", "balance > 0", "-s", "-amount"], ["query", "visits", "--format", "csv"],
        ["report", "overdue", "--format", "json"], ["report", "overdue", "--by", "customer"],
        ["report", "kpi", "--period", "2026", "--format", "json"], ["report", "kpi", "--by", "group"],
        ["report", "review", "--format", "json"],
        ["sql", "SELECT * FROM customers"], ["sql", "SELECT * FROM receivables", "--format", "json"],
        ["remind", "--format", "json"], ["remind"], ["schema"], ["doctor", "--format", "json"],
    ]


# --- the harness ---------------------------------------------------------------------------

class Hang(Exception):
    pass


@contextlib.contextmanager
def bounded(seconds):
    """Fail instead of hanging: SIGALRM interrupts even a blocking read."""
    def alarm(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def snapshot(directory: Path, skip: Path | None = None) -> dict:
    """Every file under `directory` with its bytes (symlinks as their target), minus `skip`."""
    found = {}
    for path in sorted(directory.rglob("*")):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        if path.is_symlink():
            found[str(path)] = ("link", os.readlink(path))
        elif path.is_file():
            found[str(path)] = path.read_bytes()
    return found


class Scene:
    """A workspace under test, the directory around it, and the commands run on it."""

    def __init__(self, tmp_path: Path, run, monkeypatch):
        self.tmp = tmp_path
        self.root = tmp_path / "ws"
        self.run_cli = run
        self.timings: list = []
        self.cwd = tmp_path / "cwd"
        self.cwd.mkdir()
        monkeypatch.chdir(self.cwd)
        monkeypatch.delenv("SALESCTL_WORKSPACE", raising=False)

    def make(self, files: dict):
        write_workspace(self.root, {**BASE, **files})
        self.before_inside = snapshot(self.root, skip=self.root / ".salesctl")
        self.before_outside = snapshot(self.tmp, skip=self.root)
        return self.root

    def run(self, *args, seconds=SECONDS, codes=(0,)):
        started = time.perf_counter()
        with bounded(seconds * 3):
            result = self.run_cli("-C", self.root, "--as-of", AS_OF, *args)
        took = time.perf_counter() - started
        self.timings.append((args, took))
        text = result.stdout + result.stderr
        assert "Traceback" not in text and "internal error" not in text, (args, text[-2000:])
        assert result.exit_code in codes, (args, result.exit_code, text[-2000:])
        assert took < seconds, (args, took)
        return result

    def run_read_commands(self, seconds=SECONDS, config_usable=True):
        for command in read_commands():
            codes = (0, 1) if command[0] in ("validate", "doctor") else (0,) if config_usable or command[0] == "schema" else (2,)
            self.run(*command, seconds=seconds, codes=codes)

    def problems(self) -> list[dict]:
        return json.loads(self.run("validate", "--format", "json", codes=(0, 1)).stdout)["problems"]

    def assert_untouched(self):
        """Nothing changed inside (but the cache) or outside the workspace; no tag ever ran."""
        assert snapshot(self.root, skip=self.root / ".salesctl") == self.before_inside
        assert snapshot(self.tmp, skip=self.root) == self.before_outside
        assert not list(self.tmp.rglob("PWNED")) and not Path("PWNED").exists()


@pytest.fixture
def scene(tmp_path, run, monkeypatch):
    return Scene(tmp_path, run, monkeypatch)


# --- the corpus ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_file(scene, name):
    collection, errors, kept = CORPUS[name]
    rel = f"{collection}/{name}"
    scene.make({rel: (HOSTILE / name).read_bytes()})
    problems = scene.problems()
    found = {(p["code"], p["line"]) for p in problems if p["path"] == rel and p["severity"] == "error"}
    assert found == errors, problems
    assert all(p["path"] == rel for p in problems if p["severity"] == "error")  # one bad file hides nothing else
    ws = load(scene.root)
    assert len([r for r in ws.records[collection] if r.path == rel]) == kept
    scene.run_read_commands()
    cold = scene.run("validate", "--format", "json", "--no-cache", codes=(0, 1)).stdout
    assert cold == scene.run("validate", "--format", "json", codes=(0, 1)).stdout  # the cache changes nothing
    scene.assert_untouched()


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_hostile_config(scene, name):
    scene.make({"salesctl.yaml": (HOSTILE / "config" / name).read_bytes()})
    problems = scene.problems()
    found = {(p["code"], p["line"]) for p in problems if p["path"] == "salesctl.yaml" and p["severity"] == "error"}
    assert found == CONFIGS[name], problems
    scene.run_read_commands(config_usable=name not in UNUSABLE_CONFIGS)
    scene.assert_untouched()


def test_every_corpus_file_has_an_expectation():
    files = {p.name for p in HOSTILE.glob("*.yaml")}
    assert files == set(CORPUS)
    assert {p.name for p in (HOSTILE / "config").glob("*.yaml")} == set(CONFIGS)


# --- what the corpus files must read as ----------------------------------------------------

def _customers(scene) -> dict:
    rows = json.loads(scene.run("query", "customers", "--format", "json").stdout)
    return {row["id"]: row for row in rows}


def test_bom_crlf_and_tabs_read_as_plain_text(scene):
    scene.make({"customers/a.yaml": (HOSTILE / "bom.yaml").read_bytes().replace(b"CUS-0001", b"C-1"),
                "customers/b.yaml": (HOSTILE / "crlf.yaml").read_bytes().replace(b"CUS-0001", b"C-2"),
                "customers/c.yaml": (HOSTILE / "tabs-in-values.yaml").read_bytes().replace(b"CUS-0001", b"C-3")})
    rows = _customers(scene)
    assert rows["C-1"]["name"] == "带BOM的客户"
    assert rows["C-2"]["name"] == "Windows客户" and rows["C-2"]["notes"] == "two\nlines\n"
    assert rows["C-3"]["name"] == "甲\t乙" and rows["C-3"]["owner"] == "zhang" and rows["C-3"]["notes"] == "a\tb"


def test_negative_zero_and_float_looking_cents_are_exact(scene):
    scene.make({"receivables/r.yaml": (HOSTILE / "negative-zero.yaml").read_bytes()})
    rows = {r["id"]: r for r in json.loads(scene.run("query", "receivables", "--format", "json").stdout)}
    assert rows["R-01"]["amount"] == 0 and rows["R-01"]["status"] == "paid"
    assert rows["R-02"]["paid"] == 0.3 and rows["R-02"]["balance"] == 0 and rows["R-02"]["status"] == "paid"
    raw = scene.run("query", "receivables", "--format", "json").stdout
    assert '"amount": 0.00' in raw and "-0.00" not in raw and '"paid": 0.30' in raw


def test_names_with_line_breaks_stay_data(scene):
    scene.make({"customers/h.yaml": (HOSTILE / "header-injection.yaml").read_bytes()})
    problems = scene.problems()
    assert {(p["code"], p["severity"]) for p in problems} >= {("bad-email", "warning"), ("bad-phone", "warning")}
    assert _customers(scene)["CUS-0001"]["name"] == "甲公司\r\nBcc: victim@example.com"


def test_bool_and_int_keys_are_two_unknown_fields_not_a_duplicate(scene):
    scene.make({"customers/k.yaml": (HOSTILE / "bool-and-int-keys.yaml").read_bytes()})
    found = {(p["code"], p["line"]) for p in scene.problems() if p["path"] == "customers/k.yaml"}
    assert ("unknown-field", 5) in found and ("unknown-field", 6) in found
    assert not any(code == "duplicate-key" for code, _ in found)


def test_conflict_marker_points_at_its_line(scene):
    scene.make({"customers/c.yaml": (HOSTILE / "conflict.yaml").read_bytes()})
    result = scene.run("validate", codes=(1,))
    assert "customers/c.yaml:3:1: error[yaml-syntax]: git merge conflict marker; resolve the conflict" in result.stdout
    read = scene.run("query", "customers", "--format", "ids")
    assert read.stdout == "CUS-9000\n" and "warning: 1 error in the workspace" in read.stderr


# --- too big to commit: made at test time --------------------------------------------------

def test_file_above_the_size_limit_is_refused_unread(scene):
    scene.make({})
    big = scene.root / "visits" / "huge.yaml"
    big.parent.mkdir()
    with open(big, "wb") as fh:
        fh.write(b"# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    problems = scene.problems()
    assert [(p["path"], p["code"], p["message"]) for p in problems] == [
        ("visits/huge.yaml", "yaml-syntax", "file is larger than 32 MiB")]
    scene.before_inside = snapshot(scene.root, skip=scene.root / ".salesctl")
    scene.run_read_commands(seconds=15)
    scene.assert_untouched()


def test_megabyte_strings_are_kept_whole(scene):
    name = "长" * 1_000_000
    notes = "x" * 8_000_000
    scene.make({"customers/CUS-0001.yaml": f"id: CUS-0001\nname: {name}\nowner: zhang\ncreated: 2026-01-05\n"
                                           f"notes: '{notes}'\n"})
    assert scene.problems() == []
    row = _customers(scene)["CUS-0001"]
    assert row["name"] == name and len(row["notes"]) == 8_000_000
    scene.run_read_commands(seconds=30)
    scene.assert_untouched()


def test_ten_thousand_records_in_one_file(scene):
    visits = "".join(f"- {{id: V{i:05d}, customer: CUS-9000, rep: zhang, date: 2025-{i % 12 + 1:02d}-01, "
                     f"channel: phone}}\n" for i in range(10_000))
    scene.make({"visits/all.yaml": visits})
    assert scene.problems() == []
    result = scene.run("query", "visits", "-w", "date >= 2025-12-01", "--format", "ids", seconds=30)
    assert len(result.stdout.split()) == 833
    scene.assert_untouched()


def test_one_line_of_a_hundred_thousand_items(scene):
    tags = ", ".join(f"t{i}" for i in range(100_000))
    scene.make({"customers/CUS-0001.yaml": f"{{id: CUS-0001, name: 甲, owner: zhang, created: 2026-01-05, "
                                           f"tags: [{tags}]}}\n"})
    assert scene.problems() == []
    assert len(_customers(scene)["CUS-0001"]["tags"]) == 100_000
    scene.assert_untouched()


def test_deep_nesting_through_the_cli(scene):
    scene.make({"customers/deep.yaml": b"[" * 200_000 + b"]" * 200_000})
    assert [p["code"] for p in scene.problems()] == ["yaml-syntax"]
    scene.run_read_commands()
    scene.assert_untouched()


# --- the file system: links, pipes, odd names, unreadable files ----------------------------

def test_links_out_of_the_workspace_are_not_followed(scene):
    secret = scene.tmp / "secret"
    secret.mkdir()
    (secret / "s.yaml").write_text("{id: SECRET-1, name: 机密, owner: zhang, created: 2026-01-05}\n")
    scene.make({})
    (scene.root / "visits").mkdir()
    os.symlink(secret / "s.yaml", scene.root / "customers" / "linked-file.yaml")
    os.symlink("/dev/zero", scene.root / "customers" / "zero.yaml")
    os.symlink(secret, scene.root / "customers" / "linked-dir")
    os.symlink(secret, scene.root / "visits" / "nested.yaml")
    os.symlink(secret, scene.root / "receivables-elsewhere")
    os.symlink(secret, scene.root / "receivables")
    scene.before_inside = snapshot(scene.root, skip=scene.root / ".salesctl")
    scene.before_outside = snapshot(scene.tmp, skip=scene.root)
    problems = scene.problems()
    assert {(p["path"], p["code"]) for p in problems} == {
        ("customers/linked-file.yaml", "not-a-record"), ("customers/zero.yaml", "not-a-record"),
        ("visits/nested.yaml", "not-a-record"), ("receivables", "not-a-record")}
    assert all("outside the workspace" in p["message"] for p in problems)
    for command in read_commands():
        result = scene.run(*command, codes=(0, 1))
        assert "SECRET" not in result.stdout and "机密" not in result.stdout
    scene.assert_untouched()


def test_links_inside_the_workspace_are_read(scene):
    scene.make({"customers/real/CUS-0001.yaml": "{id: CUS-0001, name: 甲, owner: zhang, created: 2026-01-05}\n"})
    os.symlink("real/CUS-0001.yaml", scene.root / "customers" / "alias.yaml")
    os.symlink("nowhere.yaml", scene.root / "customers" / "dangling.yaml")
    os.symlink("loop-b.yaml", scene.root / "customers" / "loop-a.yaml")
    os.symlink("loop-a.yaml", scene.root / "customers" / "loop-b.yaml")
    scene.before_inside = snapshot(scene.root, skip=scene.root / ".salesctl")
    problems = scene.problems()
    assert {(p["path"], p["code"]) for p in problems if p["severity"] == "error"} == {
        ("customers/real/CUS-0001.yaml", "duplicate-id")}  # the same record seen twice, through the link
    scene.run_read_commands()
    scene.assert_untouched()


def test_a_pipe_named_yaml_is_not_waited_on(scene):
    scene.make({})
    os.mkfifo(scene.root / "customers" / "pipe.yaml")
    scene.before_inside = snapshot(scene.root, skip=scene.root / ".salesctl")
    assert scene.problems() == []
    scene.run_read_commands()


def test_dot_names_and_other_extensions_are_ignored(scene):
    record = "{id: CUS-0001, name: 甲, owner: zhang, created: 2026-01-05}\n"
    scene.make({"customers/.hidden.yaml": "!!python/object/apply:os.system [x]\n",
                "customers/.git/x.yaml": "[[[\n", "customers/notes.txt": "[[[\n",
                "customers/x.yaml.orig": "<<<<<<< HEAD\n", "customers/dir.yaml/CUS-0001.yaml": record,
                ".salesctl/stray.yaml": "[[[\n", "elsewhere/x.yaml": "[[[\n"})
    assert scene.problems() == []
    assert list(_customers(scene)) == ["CUS-0001", "CUS-9000"]
    scene.assert_untouched()


def test_an_unreadable_file_is_a_problem_not_a_crash(scene, monkeypatch):
    import salesctl.load.source

    scene.make({"customers/CUS-0001.yaml": "{id: CUS-0001, name: 甲, owner: zhang, created: 2026-01-05}\n"})

    def unreadable(path, *args, **kwargs):
        if str(path).endswith("CUS-0001.yaml"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return open(path, *args, **kwargs)

    # as root every file is readable: the loader's open() refuses this one instead
    monkeypatch.setattr(salesctl.load.source, "open", unreadable, raising=False)
    problems = scene.problems()
    assert [(p["path"], p["code"], p["message"]) for p in problems] == [
        ("customers/CUS-0001.yaml", "yaml-syntax", "cannot read file: Permission denied")]
    scene.run_read_commands()


# --- a read-only workspace and a full disk -------------------------------------------------

def test_read_commands_work_when_the_cache_cannot_be_written(scene):
    """`.salesctl` is a file here, so no cache can be made: as on a read-only checkout."""
    scene.make({".salesctl": "not a directory\n",
                "customers/CUS-0001.yaml": "{id: CUS-0001, name: 甲, owner: zhang, created: 2026-01-05}\n"})
    scene.run_read_commands()
    assert (scene.root / ".salesctl").read_text() == "not a directory\n"
    scene.assert_untouched()


@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EROFS, errno.EDQUOT])
def test_a_failing_cache_write_leaves_no_partial_file(scene, monkeypatch, failure):
    import salesctl.load.cache

    scene.make({"customers/CUS-0001.yaml": "{id: CUS-0001, name: 甲, owner: zhang, created: 2026-01-05}\n"})
    expected = scene.run("query", "customers", "--format", "json", "--no-cache").stdout

    def full_disk(*args, **kwargs):
        raise OSError(failure, os.strerror(failure))

    monkeypatch.setattr(salesctl.load.cache.os, "replace", full_disk)
    assert scene.run("query", "customers", "--format", "json").stdout == expected
    cache_dir = scene.root / ".salesctl" / "cache"
    assert not cache_dir.exists() or [p for p in cache_dir.rglob("*") if not p.is_dir()] == []  # no temp file left
    scene.assert_untouched()


def test_a_corrupt_cache_is_ignored_and_rebuilt(scene):
    scene.make({"customers/CUS-0001.yaml": "{id: CUS-0001, name: 甲, owner: zhang, created: 2026-01-05}\n"})
    expected = scene.run("query", "customers", "--format", "json").stdout
    caches = sorted((scene.root / ".salesctl" / "cache").glob("*/*.bin"))  # the shards of parse/ and records/
    assert caches
    for garbage in (b"", b"salesctl-parse-cache\x00\x00\x03" + b"\x00" * 40, os.urandom(5000), None):
        for cache in caches:
            cache.write_bytes(garbage if garbage is not None else cache.read_bytes()[:-7])
        assert scene.run("query", "customers", "--format", "json").stdout == expected


# --- absurd dates on the command line ------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["--as-of", "9999-12-31", "validate"], ["--as-of", "0001-01-01", "validate"],
    ["report", "kpi", "--period", "9999"], ["report", "kpi", "--period", "0000-Q1"],
    ["report", "kpi", "--from", "0001-01-01", "--to", "2026-01-01"],
    ["query", "receivables", "-w", "due > 2026-02-30"], ["query", "receivables", "-w", "amount > 1e999999999"],
])
def test_absurd_dates_and_numbers_in_options_are_usage_errors(scene, args):
    scene.make({})
    result = scene.run(*args, codes=(0, 2))
    if result.exit_code == 2:
        assert "error" in result.stderr.lower()


def test_as_of_at_the_edges_of_the_calendar(scene):
    scene.make({"receivables/r.yaml": "- {id: R-1, contract: CT-0001, amount: 10, due: 2999-12-30}\n"})
    for day in ("1900-01-01", "2999-12-31"):
        for command in read_commands():
            codes = (0, 1) if command[0] in ("validate", "doctor") else (0,)
            result = scene.run_cli("-C", scene.root, "--as-of", day, *command)
            assert result.exit_code in codes and "internal error" not in result.stderr, (day, command, result.stderr)


# --- faults: writers killed, racing, on a full disk or a read-only workspace ---------------

WRITABLE = {
    "contracts/CT-0002.yaml": """\
        id: CT-0002
        customer: CUS-9000
        owner: zhang
        title: 已签合同
        status: signed
        created: 2026-01-05
        signed: 2026-01-10
        approvals:
          - {stage: manager, by: lin, date: 2026-01-06, decision: approved}
          - {stage: legal, by: chen, date: 2026-01-07, decision: approved}
          - {stage: finance, by: zhao, date: 2026-01-08, decision: approved}
        items: [{name: 培训, quantity: 1, unit_price: 100000}]
        amount: 100000
        """,
    "receivables/RCV-0001.yaml": "id: RCV-0001\ncontract: CT-0002\namount: 40000\ndue: 2026-03-01\n",
    "receivables/RCV-0002.yaml": "id: RCV-0002\ncontract: CT-0002\namount: 60000\ndue: 2026-06-01\n",
}
WRITERS = [  # each a write that must succeed on WRITABLE
    ["pay", "RCV-0001", "1000", "--date", "2026-03-05"],
    ["collect", "RCV-0002", "--channel", "phone", "--note", "催款", "--by", "zhang", "--date", "2026-07-01"],
    ["new", "customer", "name=新客户", "owner=zhang"],
    ["schedule", "CT-0001", "30%@2026-02-01,30%@2026-03-01,40%@2026-04-01"],
]
KILLER = """\
import os, signal, sys
target, at = os.environ["KILL_CALL"], int(os.environ["KILL_AT"])
real = getattr(os, target)
seen = [0]
def dying(*args, **kwargs):
    seen[0] += 1
    if seen[0] == at:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
setattr(os, target, dying)
from salesctl.cli import main
main()  # on the process's own arguments, ending as the salesctl command does
"""


def _salesctl(root, *args, env=None, killer=False):
    code = KILLER if killer else "from salesctl.cli import main\nmain()\n"
    return subprocess.run([sys.executable, "-c", code, "-C", str(root), "--as-of", AS_OF, "--no-cache", *args],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "SALESCTL_USER": "zhang",
                               **(env or {})})


def _files(root) -> dict:
    """The workspace's files, without the cache and lock, and without the hidden temporary files
    a killed writer leaves (the loader ignores them; the next writer in that folder sweeps them)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".salesctl" not in p.parts and not p.name.endswith(".salesctl-tmp")}


@pytest.mark.parametrize("command", WRITERS, ids=lambda c: c[0])
@pytest.mark.parametrize("call", ["open", "write", "fsync", "replace"])
def test_a_writer_killed_at_any_call_leaves_every_file_old_or_new(tmp_path, command, call):
    """SIGKILL at the 1st, 2nd, … call of os.CALL: files stay whole, the next writer succeeds."""
    root = write_workspace(tmp_path / "ws", {**BASE, **WRITABLE})
    before = _files(root)
    reference = write_workspace(tmp_path / "ref", {**BASE, **WRITABLE})
    assert _salesctl(reference, *command).returncode == 0
    after = _files(reference)
    for at in range(1, 40):
        killed = _salesctl(root, *command, killer=True, env={"KILL_CALL": call, "KILL_AT": str(at)})
        for rel, data in _files(root).items():
            assert data in (before.get(rel), after.get(rel)), (call, at, rel)  # never half-written
        assert load(root).error_count == 0, (call, at)  # the next command finishes a half-written plan
        now = _files(root)
        assert now in (before, after), (call, at)  # so it sees all of the plan or none of it
        if killed.returncode == 0:
            break  # the write finished before the at-th call: every kill point was tried
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        for rel in set(now) - set(before):
            os.unlink(root / rel)  # undo the write, and try the next point
        for rel, data in before.items():
            (root / rel).write_bytes(data)
    else:
        pytest.fail(f"{command[0]} still calls os.{call} after 40 kills")
    assert _files(root) == after  # the write that was let finish did all of it
    assert all(p.name.startswith(".") for p in root.rglob("*.salesctl-tmp"))
    assert _salesctl(root, "pay", "RCV-0001", "1", "--date", "2026-03-06").returncode == 0  # the lock is free
    assert not list((root / "receivables").glob("*.salesctl-tmp"))  # swept by the writer of that folder


def test_concurrent_writers_are_serialized(tmp_path):
    root = write_workspace(tmp_path / "ws", {**BASE, **WRITABLE})
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SALESCTL_USER": "zhang"}
    code = "from salesctl.cli import main\nmain()\n"
    procs = [subprocess.Popen([sys.executable, "-c", code, "-C", str(root), "--as-of", AS_OF, *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for args in [["pay", "RCV-0001", "100", "--date", "2026-03-05"]] * 6
             + [["new", "customer", f"name=并发客户{n}", "owner=wang"] for n in range(4)]]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    for code_, out, err in results:
        assert code_ in (0, 1) and "Traceback" not in err, err
        assert code_ == 0 or "lock" in err or "changed on disk" in err, err
    paid = sum(1 for (code_, _, _), p in zip(results, range(6)) if code_ == 0)
    made = sum(1 for code_, _, _ in results[6:] if code_ == 0)
    ws = load(root)
    assert ws.error_count == 0
    assert len(ws.get("receivables", "RCV-0001").get("payments", [])) == paid
    assert len(ws.records["customers"]) == 1 + made
    assert len({c.id for c in ws.records["customers"]}) == 1 + made  # no id handed out twice


@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT])
@pytest.mark.parametrize("command", WRITERS, ids=lambda c: c[0])
def test_a_failing_write_is_refused_whole(scene, monkeypatch, failure, command):
    import salesctl.storage.files as storage

    scene.make(WRITABLE)
    monkeypatch.setenv("SALESCTL_USER", "zhang")
    real_write = os.write

    def full(fd, data):
        if fd > 2:
            raise OSError(failure, os.strerror(failure))
        return real_write(fd, data)

    monkeypatch.setattr(storage.os, "write", full)
    result = scene.run(*command, codes=(1,))
    assert "cannot write" in result.stderr and "nothing written" in result.stderr
    scene.assert_untouched()
    assert not list(scene.root.rglob("*.salesctl-tmp"))


def test_a_workspace_whose_lock_cannot_be_made(scene, monkeypatch):
    scene.make({**WRITABLE, ".salesctl": "a file where the lock folder should be\n"})
    monkeypatch.setenv("SALESCTL_USER", "zhang")
    result = scene.run("pay", "RCV-0001", "10", codes=(1,))
    assert "cannot write" in result.stderr
    scene.assert_untouched()


@pytest.mark.parametrize("args", [
    ["pay", "../../etc/passwd", "10"], ["pay", "RCV-0001", "12,000"], ["pay", "RCV-0001", "nan"],
    ["pay", "RCV-0001", "1e309"], ["pay", "RCV-0001", "-0"], ["pay", "RCV-0001", "0.001"],
    ["pay", "RCV-0001", "10", "--date", "9999-12-31"], ["collect", "RCV-0001", "--channel", "pigeon"],
    ["new", "customer", "id=../../x", "name=甲", "owner=zhang"], ["new", "customer", "name=甲", "owner=../zhang"],
    ["new", "../customers", "name=甲"], ["schedule", "CT-0002", "200%@signed"],
    ["schedule", "CT-0001", "50%@signed+99999999999999"], ["schedule", "CT-0001", "1e309@2026-01-01"],
    ["new", "customer", "--file", "../../outside.yaml", "name=甲", "owner=zhang"],
    ["new", "customer", "--file", "/tmp/outside.yaml", "name=甲", "owner=zhang"],
])
def test_hostile_writer_arguments_are_refused(scene, monkeypatch, args):
    scene.make(WRITABLE)
    monkeypatch.setenv("SALESCTL_USER", "zhang")
    result = scene.run(*args, codes=(1, 2))
    assert result.stderr.startswith(("error:", "Usage:")), result.stderr
    scene.assert_untouched()
    assert not Path("/tmp/outside.yaml").exists()


# --- reminders: names and addresses that try to become mail headers ------------------------

INJECTING_TEAM = """\
company: {name: "星河\\r\\nBcc: victim@example.com"}
team:
  - {id: lin, name: "林海\\r\\nBcc: victim@example.com", role: manager, email: lin@example.com}
  - {id: zhang, name: "张伟\\nSubject: 中奖了\\n\\n正文", role: rep, manager: lin, email: zhang@example.com}
  - {id: wang, name: 王芳, role: rep, manager: lin, email: "wang@example.com\\r\\nBcc: victim@example.com"}
  - {id: chen, name: "陈静\\u2028To: victim@example.com", role: legal, email: "chen@example.com>, victim@example.com"}
  - {id: zhao, name: "赵敏\\u0085Cc: victim@example.com", role: finance, email: zhao@example.com}
smtp: {host: localhost, port: 25, from: bot@example.com}
"""
INJECTING_RECORDS = {
    "customers/CUS-0001.yaml": 'id: CUS-0001\nname: "甲公司\\r\\nBcc: victim@example.com"\nowner: zhang\n'
                               'created: 2026-01-05\nkey: true\n',
    "customers/CUS-0002.yaml": 'id: CUS-0002\nname: "乙\\nTo: victim@example.com"\nowner: wang\ncreated: 2026-01-05\n'
                               'key: true\n',
    "visits/V-1.yaml": 'id: V-1\ncustomer: CUS-0001\nrep: zhang\ndate: 2026-11-01\nchannel: phone\n'
                       'next: {date: 2026-11-20, action: "回电\\r\\nBcc: victim@example.com"}\n',
    "contracts/CT-0003.yaml": """\
        id: CT-0003
        customer: CUS-0001
        owner: zhang
        title: "合同\\r\\nBcc: victim@example.com"
        status: in_review
        created: 2026-11-01
        items: [{name: 培训, quantity: 1, unit_price: 1000}]
        amount: 1000
        """,
}


def test_reminders_never_put_record_text_into_mail_headers(scene):
    from email import message_from_bytes, policy

    scene.make({"salesctl.yaml": INJECTING_TEAM, **INJECTING_RECORDS})
    outbox = scene.tmp / "outbox"
    result = scene.run("remind", "--outbox", outbox, codes=(0, 1))
    written = sorted(outbox.glob("*.eml"))
    assert written, result.stderr
    for path in written:
        raw = path.read_bytes()
        head = raw.split(b"\r\n\r\n", 1)[0]
        message = message_from_bytes(raw, policy=policy.default)
        assert sorted(message.keys()) == sorted(["From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
                                                 "Content-Type", "Content-Transfer-Encoding"]), message.keys()
        assert b"victim" not in head and b"\nBcc" not in head and b"\nCc" not in head
        assert len(message["To"].addresses) == 1 and message["To"].addresses[0].addr_spec.endswith("@example.com")
        assert str(message["From"].addresses[0].addr_spec) == "bot@example.com"
    names = {p.name.split("-", 3)[-1] for p in written}
    assert "wang.eml" not in names and "chen.eml" not in names  # their addresses are not addresses
    mbox = scene.run("remind", "--format", "email", codes=(0, 1)).stdout
    for message in mbox.split("\nFrom bot@example.com ")[1:]:
        assert "\nBcc:" not in message.split("\n\n", 1)[0]


# --- workspace templates: sandbox escapes -------------------------------------------------

ESCAPES = {
    "class-walk": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "globals": "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
    "self": "{{ self._TemplateReference__context }}",
    "lipsum": "{{ lipsum.__globals__['os'].system('touch PWNED') }}",
    "attr-filter": "{{ ''|attr('__class__')|attr('__base__') }}",
    "format": "{{ '{0.__class__.__init__.__globals__}'.format(contract) }}",
    "record-internals": "{{ contract.__class__.__init__.__globals__ }}",
    "mutate": "{% set _ = contract.update({'amount': 0}) %}{{ contract.amount }}",
    "include-traversal": "{% include '../../../../../../etc/passwd' %}",
    "extends-absolute": "{% extends '/etc/passwd' %}",
    "shipped-traversal": "{% include 'shipped/../../../../etc/passwd' %}",
    "big-repeat": "{{ 'x' * 100000000 }}",
    "big-power": "{{ 9 ** (9 ** 9) }}",  # jinja groups ** from the left: 9 ** 9 ** 9 is only 9 ** 81
    "big-range": "{{ range(10 ** 9) | list | length }}",
    "recursion": "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_workspace_templates_cannot_escape_the_sandbox(scene, name):
    scene.make({**WRITABLE, "templates/evil.md.j2": ESCAPES[name] + "\n"})
    result = scene.run("draft", "CT-0002", "-t", "evil", codes=(0, 1, 2))
    assert "root:" not in result.stdout and "__globals__" not in result.stdout
    assert "<class 'object'>" not in result.stdout and "subprocess" not in result.stdout
    if result.exit_code:
        assert result.stderr.startswith("error:"), result.stderr
    scene.assert_untouched()


RESOURCE_BOMBS = {  # the sandbox blocks attribute escapes, but not the time or memory a template takes
    "nested-loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "format-width": "{{ '{:>50000000}'.format(1) }}",
    "center-width": "{{ 'x'|center(50000000) }}",
}


@pytest.mark.parametrize("name", sorted(RESOURCE_BOMBS))
def test_workspace_templates_are_bounded_in_time_and_size(tmp_path, name):
    root = write_workspace(tmp_path / "ws", {**BASE, **WRITABLE, "templates/bomb.md.j2": RESOURCE_BOMBS[name]})
    try:
        done = subprocess.run(
            [sys.executable, "-m", "salesctl", "-C", str(root), "draft", "CT-0002", "-t", "bomb"],
            capture_output=True, timeout=5, env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        pytest.fail("still rendering after 5 s")
    assert done.returncode == 1 and len(done.stdout) < 1_000_000
