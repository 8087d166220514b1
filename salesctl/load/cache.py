"""The caches under `.salesctl/cache/`: a warm run re-parses and re-types only changed files.

Entries are keyed by file identity (path, size, mtime_ns, inode — or a git blob id).
- `ParseCache` holds the result of `parse.parse_bytes`, which depends on nothing but the bytes.
  It is marshal data, which only builds plain values.
- `RecordCache` holds the typed records and field problems of each file, which depend on the
  bytes and on the few config settings the record formats read (`RecordBuilder.fingerprint`).
  Typed values need `date` and `Decimal`, so it is pickle data read by an unpickler that can
  build nothing but those two classes and the record classes. One store per collection: a
  command unpickles only the collections it reads.
- `RulesCache` holds every problem of whole workspace states (the verdict), keyed by the
  complete file listing: any changed file is a miss.
The files carry a header (format and the code that made them, `CODE`) and the payload's length and
CRC-32: a corrupt, truncated, foreign or outdated cache fails the check and is ignored (and
rebuilt), never trusted; so a hit never changes a result.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import pickle
import stat
import zlib
from dataclasses import replace
from pathlib import Path

from ..model.parsed import ParsedFile, RawRecord
from ..model.problems import Problem
from ..model.records import Record
from ..storage import NOFOLLOW, NONBLOCK, replace_file, state_path_ok


def _code_stamp() -> bytes:
    """Which salesctl code made the cached results: its version and the modules that parse, type
    and check records. An upgrade, or an edit of an installed copy, starts every cache afresh."""
    from .. import __version__

    here = Path(__file__).parent.parent
    parts = [__version__]
    for name in ("load/parse.py", "load/compose.py", "load/plainyaml.py", "load/scalars.py", "model/parsed.py",
                 "model/fields.py", "model/money.py", "model/periods.py", "model/problems.py", "model/records.py",
                 "model/config.py", "derive.py", "rules.py"):
        try:
            st = os.stat(here / name)
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(name)
    return hashlib.sha256("|".join(parts).encode()).digest()[:8]


CODE = _code_stamp()
MAGIC = b"salesctl-parse-cache\x00"
FORMAT = 5
_HEADER = MAGIC + FORMAT.to_bytes(2, "big") + CODE


def _read(path: Path, header: bytes, *, folders_checked: bool = False) -> bytes | None:
    """The payload of a cache file whose header and checksum are right, else None. Never read
    through a link, nor from anything but a regular file (a FIFO would block the read); the
    folders above it are checked unless the caller did (`state_path_ok`, once for many files)."""
    if not folders_checked and not state_path_ok(path):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW | NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            blob = fh.read()
        except OSError:
            return None
    if not blob.startswith(header) or len(blob) < len(header) + CHECK_BYTES:
        return None
    check, payload = blob[len(header):len(header) + CHECK_BYTES], blob[len(header) + CHECK_BYTES:]
    return payload if checksum(payload) == check else None


CHECK_BYTES = 12


def checksum(payload: bytes) -> bytes:
    """The payload's length and CRC-32: what tells a truncated or damaged file. A cache guards
    against accidents, not against its owner (who could rewrite any checksum), and a CRC costs a
    third of a SHA-256: a big query's stores are 40 MB."""
    return len(payload).to_bytes(8, "big") + zlib.crc32(payload).to_bytes(4, "big")


def _write(path: Path, header: bytes, payload: bytes):
    """Atomically replace the cache file; failures are silent (a read-only workspace still works).
    Nothing is written where a folder of `.salesctl/` is a link: it would land somewhere else."""
    blob = header + checksum(payload) + payload
    if not state_path_ok(path):
        return
    try:
        replace_file(path, blob, durable=False)  # a cache lost in a crash is rebuilt
    except OSError:
        pass


SHARDS = 16  # files per cache: a changed file rewrites the sixteenth of the cache it falls in


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogateescape")) % SHARDS


def _shard_path(directory: Path, shard: int) -> Path:
    return directory / f"{shard:02x}.bin"


class ParseCache:
    """Parse results by file, in `SHARDS` files under `directory`, each read on first use (a warm
    run served by the record cache reads none) and rewritten only when its entries changed."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._shards: dict[int, dict] = {}
        self._used: dict = {}
        self._stored: set[str] = set()  # the files put in this run
        self._present: set | None = None

    def present(self, rels):
        """The files of the workspace now: entries of other files are dropped when saving."""
        self._present = set(rels)

    def _shard(self, shard: int) -> dict:
        entries = self._shards.get(shard)
        if entries is None:
            payload = _read(_shard_path(self.directory, shard), _HEADER)
            try:
                entries = marshal.loads(payload) if payload is not None else {}
            except (ValueError, EOFError, TypeError):
                entries = {}
            self._shards[shard] = entries = entries if isinstance(entries, dict) else {}
        return entries

    def get(self, rel: str, identity: tuple) -> ParsedFile | None:
        entry = self._shard(shard_of(rel)).get(rel)
        if entry is None or entry[0] != identity:
            return None
        try:
            result = unpack(entry[1])
        except (TypeError, ValueError, EOFError):
            return None
        self._used[rel] = entry
        return result

    def put(self, rel: str, identity: tuple, parsed: ParsedFile, packed: bytes | None = None):
        """Keep the parse of a file; `packed` is `pack(parsed)` when the caller has it already."""
        self._used[rel] = (identity, packed if packed is not None else pack(parsed))
        self._stored.add(rel)

    def save(self):
        """Write the shards read in this run whose entries changed: new entries, and entries of
        files that are gone (or, without `present`, not used in this run) dropped."""
        used_by_shard: dict[int, dict] = {}
        dirty = set()
        for rel, entry in self._used.items():
            shard = shard_of(rel)
            used_by_shard.setdefault(shard, {})[rel] = entry
            if rel in self._stored:
                dirty.add(shard)
        for shard, entries in self._shards.items():
            used = used_by_shard.get(shard, {})
            kept = {rel: entry for rel, entry in entries.items()
                    if self._present is not None and rel in self._present and rel not in used}
            kept.update(used)  # files typed from the record cache keep their parse entries
            if shard not in dirty and kept.keys() == entries.keys():
                continue
            try:
                payload = marshal.dumps(kept)
            except ValueError:
                continue
            _write(_shard_path(self.directory, shard), _HEADER, payload)


def pack(parsed: ParsedFile) -> bytes:
    """A parse as one marshal string, each record's positions serialized apart (`LazyPositions`):
    what a parsing worker sends back and what the parse cache stores, made once. A cold load of
    a big workspace then neither holds a dict of positions per record nor serializes a parse twice."""
    return marshal.dumps(([(r.data, _blob(r.positions)) for r in parsed.records], list(parsed.problems), parsed.single))


def unpack(packed: bytes) -> ParsedFile:
    records, problems, single = marshal.loads(packed)
    return ParsedFile([RawRecord(data, LazyPositions(positions)) for data, positions in records], problems, single)


def _blob(positions) -> bytes:
    return positions._blob if isinstance(positions, LazyPositions) else marshal.dumps(dict(positions))


class LazyPositions:
    """Source positions kept serialized until a problem needs one: most records never do.

    A plain class with the mapping methods `position()` uses: cheaper to create than a Mapping.
    """

    __slots__ = ("_blob", "_map")

    def __init__(self, blob: bytes):
        self._blob = blob
        self._map = None

    def __reduce__(self):
        return LazyPositions, (self._blob,)

    def _positions(self) -> dict:
        if self._map is None:
            try:
                self._map = marshal.loads(self._blob)
            except (ValueError, EOFError, TypeError):
                self._map = {}
        return self._map

    def __getitem__(self, key):
        return self._positions()[key]

    def __contains__(self, key):
        return key in self._positions()

    def get(self, key, default=None):
        return self._positions().get(key, default)

    def keys(self):
        return self._positions().keys()

    def __iter__(self):
        return iter(self._positions())

    def __len__(self):
        return len(self._positions())


RECORDS_MAGIC = b"salesctl-record-cache\x00"
RECORDS_FORMAT = 5
_RECORDS_HEADER = RECORDS_MAGIC + RECORDS_FORMAT.to_bytes(2, "big") + CODE


class _TypedValues(pickle.Unpickler):
    """Builds plain containers, dates, Decimals and records, and refuses every other class."""

    ALLOWED = {("datetime", "date"), ("decimal", "Decimal"), ("salesctl.model.records", "Record"),
               ("salesctl.load.cache", "LazyPositions")}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the record cache")


def _sound(entries: dict) -> bool:
    """Every entry of a record store has its shape: (identity, fingerprint, [Record], problems).
    Checked once for the whole store (a call per entry was a tenth of a warm query's load)."""
    values = entries.values()
    return all(type(entry) is tuple and len(entry) == 4 and type(entry[2]) is list for entry in values) \
        and all(type(record) is Record for entry in values for record in entry[2])


class RecordCache:
    """Typed records per file, one store per collection: entries are (identity, fingerprint,
    [Record], problems), in `SHARDS` files `<collection>-NN.bin` under `directory`. A collection's
    files are read on the first look-up of one of its files, so a command that reads receivables
    never unpickles the visits; each shard is rewritten only when its entries changed.

    The records are stored as objects (their positions serialized): unpickling builds them in C,
    and a hit hands them out as they are, since `pipeline.load` never changes a built record.
    """

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._shards: dict[str, list[dict]] = {}  # collection -> its shards as read
        self._entries: dict[str, dict] = {}  # collection -> every entry of its shards
        self._used: dict[str, dict] = {}  # collection -> the entries served or stored in this run
        self._stored: dict[str, set] = {}  # collection -> the files put in this run

    def shard_path(self, rel: str) -> Path:
        """The file that holds the entry of `rel`."""
        return self.directory / f"{rel.partition('/')[0]}-{shard_of(rel):02x}.bin"

    def entries(self, collection: str) -> dict:
        """{rel: entry} of every file of `collection` the store holds (read on first use)."""
        entries = self._entries.get(collection)
        if entries is None:
            paths = [self.directory / f"{collection}-{shard:02x}.bin" for shard in range(SHARDS)]
            folders_ok = state_path_ok(paths[0])  # the shards share their folders
            shards = [self._read(path) if folders_ok else {} for path in paths]
            entries = {}
            for shard in shards:
                entries.update(shard)
            self._shards[collection], self._entries[collection] = shards, entries
            self._used[collection], self._stored[collection] = {}, set()
        return entries

    def _read(self, path: Path) -> dict:
        payload = _read(path, _RECORDS_HEADER, folders_checked=True)
        if payload is None:
            return {}
        try:
            entries = _TypedValues(io.BytesIO(payload)).load()
            if isinstance(entries, dict) and _sound(entries):
                return entries
        except Exception:  # anything wrong in a cache means: no cache
            pass
        return {}

    def get(self, rel: str, identity: tuple, fingerprint: str):
        """([Record], [Problem]) or None."""
        collection = rel.partition("/")[0]
        entry = self.entries(collection).get(rel)
        if entry is None or entry[0] != identity or entry[1] != fingerprint:
            return None
        try:
            problems = [Problem(*p) for p in entry[3]]
        except (TypeError, ValueError):
            return None
        self._used[collection][rel] = entry
        return entry[2], problems

    def get_all(self, files, fingerprint: str) -> dict:
        """{rel: ([Record], [Problem])} of the listed (rel, identity) whose entries are current: `get`
        for many files at once, without a call per file (a warm load asks for every file)."""
        hits = {}
        collection = entries = used = None
        for rel, identity in files:
            if not rel.startswith(collection or "\0"):
                collection = rel.partition("/")[0] + "/"
                entries, used = self.entries(collection[:-1]), self._used[collection[:-1]]
            entry = entries.get(rel)
            if entry is not None and entry[0] == identity and entry[1] == fingerprint:
                try:
                    hits[rel] = entry[2], [Problem(*p) for p in entry[3]] if entry[3] else []  # most have none
                except (TypeError, ValueError):
                    continue
                used[rel] = entry
        return hits

    def put(self, rel: str, identity: tuple, fingerprint: str, records: list, problems: list):
        stored = [r if isinstance(r.positions, LazyPositions) else replace(r, positions=LazyPositions(_blob(r.positions)))
                  for r in records]
        collection = rel.partition("/")[0]
        self.entries(collection)
        self._used[collection][rel] = (identity, fingerprint, stored, [tuple(p) for p in problems])
        self._stored[collection].add(rel)

    def save(self):
        """Rewrite each shard of a collection read in this run that has new entries, or entries not
        used in this run (files gone or changed); the others stay as they are."""
        for collection, used in self._used.items():
            stored = self._stored[collection]
            if not stored and len(used) == len(self._entries[collection]):
                continue  # every entry served as it was: nothing to write (the warm run's case)
            by_shard: list[dict] = [{} for _ in range(SHARDS)]
            dirty = set()
            for rel, entry in used.items():
                shard = shard_of(rel)
                by_shard[shard][rel] = entry
                if rel in stored:
                    dirty.add(shard)
            for shard, entries in enumerate(by_shard):
                if shard not in dirty and len(entries) == len(self._shards[collection][shard]):
                    continue
                try:
                    payload = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
                except (pickle.PicklingError, TypeError, ValueError):
                    continue
                _write(self.directory / f"{collection}-{shard:02x}.bin", _RECORDS_HEADER, payload)


class _NewestEntries:
    """A cache file of a few entries (a marshal dict, the newest last), the `kept` newest kept:
    what the verdicts and the charts are stored as. `sound(entries)` says whether what was read
    has the store's shape; anything else is an empty store."""

    header: bytes
    kept: int

    def __init__(self, path: Path):
        self.path = Path(path)
        self._entries: dict | None = None
        self._new: dict = {}

    @staticmethod
    def sound(entries) -> bool:
        return isinstance(entries, dict)

    def _load(self) -> dict:
        if self._entries is None:
            payload = _read(self.path, self.header)
            try:
                entries = marshal.loads(payload) if payload is not None else {}
            except (ValueError, EOFError, TypeError):
                entries = {}
            self._entries = entries if self.sound(entries) else {}
        return self._entries

    def _put(self, key: bytes, value):
        self._new[key] = value

    def save(self):
        if not self._new:
            return
        kept = dict(self._new)
        for key, value in reversed(list(self._load().items())):
            if len(kept) >= self.kept:
                break
            kept.setdefault(key, value)
        try:
            payload = marshal.dumps(dict(reversed(list(kept.items()))))
        except ValueError:
            return
        _write(self.path, self.header, payload)
        self._entries, self._new = None, {}


RULES_MAGIC = b"salesctl-rules-cache\x00"
RULES_FORMAT = 3
RULES_KEPT = 8  # workspace states remembered: the working tree and the revisions diffs compare with


class RulesCache(_NewestEntries):
    """The verdict on whole workspace states: every problem of the workspace (the config's, each
    file's and the cross-record rules'), keyed by the complete file listing.

    The rules read every record and the config, so an entry is keyed by every file's identity
    (salesctl.yaml's included), in a file stamped with the code (`CODE`): a change to any file is a
    miss. A warm run over unchanged files, or over a revision already seen, skips the rules; and a
    command that loads only some collections still knows every problem, and so which records of
    its collections the rules found errors in (`pipeline.load`).
    """

    header = RULES_MAGIC + RULES_FORMAT.to_bytes(2, "big") + CODE
    kept = RULES_KEPT

    @staticmethod
    def key(files: list, fingerprint) -> bytes:
        """Marshal version 2 writes no back-references, whose use depends on how the values
        happen to be shared in memory: equal listings give the same key."""
        return hashlib.sha256(marshal.dumps((repr(fingerprint), files), 2)).digest()

    def get(self, key: bytes) -> list | None:
        rows = self._load().get(key)
        if rows is None:
            return None
        try:
            return [Problem(*row) for row in rows]
        except (TypeError, ValueError):
            return None

    def put(self, key: bytes, problems: list):
        self._put(key, [tuple(p) for p in problems])


CHARTS_MAGIC = b"salesctl-charts-cache\x00"
CHARTS_FORMAT = 2


class ChartCache(_NewestEntries):
    """The dashboard's charts as drawn (SVG text), keyed by a digest of everything a drawing
    depends on (`dashboard.charts.chart_key`: the chart description, the locale, the renderer's
    version and the fonts installed). Drawing is most of a dashboard's time, and a chart of
    unchanged figures is the same drawing: a hit gives the very text the renderer gave."""

    header = CHARTS_MAGIC + CHARTS_FORMAT.to_bytes(2, "big") + CODE
    kept = 64  # a few dashboards' charts

    @staticmethod
    def sound(entries) -> bool:
        return isinstance(entries, dict) and all(type(k) is bytes and type(v) is str for k, v in entries.items())

    def get(self, key: bytes) -> str | None:
        return self._load().get(key)

    def put(self, key: bytes, svg: str):
        self._put(key, svg)
