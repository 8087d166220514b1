"""The parse cache under `.salesctl/`: a warm run re-parses only the files that changed.

Entries are keyed by file identity (path, size, mtime_ns, inode — or a git blob id), and hold the
result of `parse.parse_bytes`, which depends on nothing but the bytes, so a hit can never change
a result. The file is marshal data behind a header and a SHA-256 of the payload: a corrupt,
truncated or foreign cache fails the check and is ignored (and rebuilt), never trusted. marshal
only builds plain values, unlike pickle, which could run code.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .parse import ParsedFile, RawRecord

MAGIC = b"salesctl-parse-cache\x00"
FORMAT = 2
_HEADER = MAGIC + FORMAT.to_bytes(2, "big")


class ParseCache:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._entries: dict = {}
        self._used: dict = {}
        self._dirty = False
        self._load()

    def _load(self):
        try:
            blob = self.path.read_bytes()
        except OSError:
            return
        if not blob.startswith(_HEADER) or len(blob) < len(_HEADER) + 32:
            return
        digest, payload = blob[len(_HEADER):len(_HEADER) + 32], blob[len(_HEADER) + 32:]
        if hashlib.sha256(payload).digest() != digest:
            return
        try:
            entries = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return
        if isinstance(entries, dict):
            self._entries = entries

    def get(self, rel: str, identity: tuple) -> ParsedFile | None:
        entry = self._entries.get(rel)
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
        self._dirty = True

    def save(self):
        """Write the entries used in this run (dropping deleted files) atomically; failures are silent."""
        if not self._dirty and len(self._used) == len(self._entries):
            return
        try:
            payload = marshal.dumps(self._used)
        except ValueError:
            return
        blob = _HEADER + hashlib.sha256(payload).digest() + payload
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".cache-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(blob)
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass  # a read-only workspace still works, just without a warm cache


class LazyPositions(Mapping):
    """Source positions kept serialized until a problem needs one: most records never do."""

    __slots__ = ("_blob", "_map")

    def __init__(self, blob: bytes):
        self._blob = blob
        self._map = None

    def _positions(self) -> dict:
        if self._map is None:
            try:
                self._map = marshal.loads(self._blob)
            except (ValueError, EOFError, TypeError):
                self._map = {}
        return self._map

    def __getitem__(self, key):
        return self._positions()[key]

    def __iter__(self):
        return iter(self._positions())

    def __len__(self):
        return len(self._positions())
