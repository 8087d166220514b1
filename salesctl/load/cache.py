"""The caches under `.salesctl/cache/`: a warm run re-parses and re-types only changed files.

Entries are keyed by file identity (path, size, mtime_ns, inode — or a git blob id).
- `ParseCache` holds the result of `parse.parse_bytes`, which depends on nothing but the bytes.
  It is marshal data, which only builds plain values.
- `RecordCache` holds the typed records and field problems of each file, which depend on the
  bytes and on the few config settings the record formats read (`RecordBuilder.fingerprint`).
  Typed values need `date` and `Decimal`, so it is pickle data read by an unpickler that can
  build nothing but those two classes and the record classes.
- `RulesCache` holds the cross-record rules' problems of whole workspace states, keyed by the
  complete file listing: any changed file is a miss.
The files carry a header (format and the code that made them, `CODE`) and a SHA-256 of the
payload: a corrupt, truncated, foreign or outdated cache fails the check and is ignored (and
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
    for name in ("load/parse.py", "load/compose.py", "model/parsed.py", "model/fields.py", "model/money.py",
                 "model/periods.py", "model/problems.py", "model/records.py", "model/config.py", "derive.py", "rules.py"):
        try:
            st = os.stat(here / name)
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(name)
    return hashlib.sha256("|".join(parts).encode()).digest()[:8]


CODE = _code_stamp()
MAGIC = b"salesctl-parse-cache\x00"
FORMAT = 3
_HEADER = MAGIC + FORMAT.to_bytes(2, "big") + CODE


def _read(path: Path, header: bytes) -> bytes | None:
    """The payload of a cache file whose header and checksum are right, else None. Never read
    through a link, nor from anything but a regular file (a FIFO would block the read)."""
    if not state_path_ok(path):
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
    if not blob.startswith(header) or len(blob) < len(header) + 32:
        return None
    digest, payload = blob[len(header):len(header) + 32], blob[len(header) + 32:]
    return payload if hashlib.sha256(payload).digest() == digest else None


def _write(path: Path, header: bytes, payload: bytes):
    """Atomically replace the cache file; failures are silent (a read-only workspace still works).
    Nothing is written where a folder of `.salesctl/` is a link: it would land somewhere else."""
    blob = header + hashlib.sha256(payload).digest() + payload
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
        self._dirty: set[int] = set()
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
            _, records, problems, single = entry
            result = ParsedFile([RawRecord(data, LazyPositions(positions)) for data, positions in records],
                                list(problems), single)
        except (TypeError, ValueError):
            return None
        self._used[rel] = entry
        return result

    def put(self, rel: str, identity: tuple, parsed: ParsedFile):
        entry = (identity, [(r.data, marshal.dumps(dict(r.positions))) for r in parsed.records],
                 list(parsed.problems), parsed.single)
        self._used[rel] = entry
        self._dirty.add(shard_of(rel))

    def save(self):
        """Write the shards read in this run whose entries changed: new entries, and entries of
        files that are gone (or, without `present`, not used in this run) dropped."""
        used_by_shard: dict[int, dict] = {}
        for rel, entry in self._used.items():
            used_by_shard.setdefault(shard_of(rel), {})[rel] = entry
        for shard, entries in self._shards.items():
            used = used_by_shard.get(shard, {})
            kept = {rel: entry for rel, entry in entries.items()
                    if self._present is not None and rel in self._present and rel not in used}
            kept.update(used)  # files typed from the record cache keep their parse entries
            if shard not in self._dirty and kept.keys() == entries.keys():
                continue
            try:
                payload = marshal.dumps(kept)
            except ValueError:
                continue
            _write(_shard_path(self.directory, shard), _HEADER, payload)


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
RECORDS_FORMAT = 3
_RECORDS_HEADER = RECORDS_MAGIC + RECORDS_FORMAT.to_bytes(2, "big") + CODE


class _TypedValues(pickle.Unpickler):
    """Builds plain containers, dates, Decimals and records, and refuses every other class."""

    ALLOWED = {("datetime", "date"), ("decimal", "Decimal"), ("salesctl.model.records", "Record"),
               ("salesctl.load.cache", "LazyPositions")}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the record cache")


class RecordCache:
    """Typed records per file: entries are (identity, fingerprint, [Record], problems), in
    `SHARDS` files under `directory`, all read at once (a load needs every file's records) and
    each rewritten only when its entries changed.

    The records are stored as objects (their positions serialized): unpickling builds them in C,
    and a hit hands them out as they are, since `pipeline.load` never changes a built record.
    """

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._shards: list[dict] = [self._read(shard) for shard in range(SHARDS)]
        self._used: dict = {}
        self._dirty: set[int] = set()

    def _read(self, shard: int) -> dict:
        payload = _read(_shard_path(self.directory, shard), _RECORDS_HEADER)
        if payload is None:
            return {}
        try:
            entries = _TypedValues(io.BytesIO(payload)).load()
        except Exception:  # anything wrong in a cache means: no cache
            return {}
        return entries if isinstance(entries, dict) else {}

    def get(self, rel: str, identity: tuple, fingerprint: str):
        """([Record], [Problem]) or None."""
        entry = self._shards[shard_of(rel)].get(rel)
        if entry is None or entry[0] != identity or entry[1] != fingerprint:
            return None
        records = entry[2]
        try:
            problems = [Problem(*p) for p in entry[3]]
        except (TypeError, ValueError):
            return None
        if not isinstance(records, list) or not all(type(r) is Record for r in records):
            return None
        self._used[rel] = entry
        return records, problems

    def put(self, rel: str, identity: tuple, fingerprint: str, records: list, problems: list):
        stored = [r if isinstance(r.positions, LazyPositions)
                  else replace(r, positions=LazyPositions(marshal.dumps(dict(r.positions)))) for r in records]
        self._used[rel] = (identity, fingerprint, stored, [tuple(p) for p in problems])
        self._dirty.add(shard_of(rel))

    def save(self):
        """Rewrite each shard with new entries, or whose entries were not all used in this run
        (files gone or changed); the others stay as they are."""
        used: list[dict] = [{} for _ in range(SHARDS)]
        for rel, entry in self._used.items():
            used[shard_of(rel)][rel] = entry
        for shard, entries in enumerate(used):
            if shard not in self._dirty and len(entries) == len(self._shards[shard]):
                continue
            try:
                payload = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError, ValueError):
                continue
            _write(_shard_path(self.directory, shard), _RECORDS_HEADER, payload)


RULES_MAGIC = b"salesctl-rules-cache\x00"
RULES_FORMAT = 1
_RULES_HEADER = RULES_MAGIC + RULES_FORMAT.to_bytes(2, "big") + CODE
RULES_KEPT = 8  # workspace states remembered: the working tree and the revisions diffs compare with


class RulesCache:
    """The cross-record rules' problems of whole workspace states.

    The rules read every record and the config, so an entry is keyed by the complete file listing
    (every file's identity, salesctl.yaml's included), in a file stamped with the code (`CODE`):
    a change to any file is a miss. A warm run over unchanged files, or over a revision already
    seen, skips them.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._entries: dict | None = None
        self._new: dict = {}

    @staticmethod
    def key(files: list, fingerprint) -> bytes:
        return hashlib.sha256(marshal.dumps((repr(fingerprint), files))).digest()

    def _load(self) -> dict:
        if self._entries is None:
            payload = _read(self.path, _RULES_HEADER)
            try:
                entries = marshal.loads(payload) if payload is not None else {}
            except (ValueError, EOFError, TypeError):
                entries = {}
            self._entries = entries if isinstance(entries, dict) else {}
        return self._entries

    def get(self, key: bytes) -> list | None:
        rows = self._load().get(key)
        if rows is None:
            return None
        try:
            return [Problem(*row) for row in rows]
        except (TypeError, ValueError):
            return None

    def put(self, key: bytes, problems: list):
        self._new[key] = [tuple(p) for p in problems]

    def save(self):
        if not self._new:
            return
        kept = dict(self._new)
        for key, rows in reversed(list(self._load().items())):  # newest last in the file
            if len(kept) >= RULES_KEPT:
                break
            kept.setdefault(key, rows)
        try:
            payload = marshal.dumps(dict(reversed(list(kept.items()))))
        except ValueError:
            return
        _write(self.path, _RULES_HEADER, payload)
        self._entries, self._new = None, {}
