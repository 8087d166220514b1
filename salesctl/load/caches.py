"""Which caches a load uses: the working tree's, a revision's, a diff's.

The stores themselves (`cache`) keep parse results, typed records and rule problems by file
identity; here is the strategy: the working tree keys files by size, mtime and inode (`Caches`),
a revision by blob id (`BlobCache`, shared by every revision read in a run), and a diff against
the working tree reuses the working tree's parse of every file git reports unchanged (`Recording`).
`pipeline.load` only takes the caches it is given.
"""

from __future__ import annotations

from pathlib import Path

from .cache import ParseCache, RecordCache, RulesCache
from .paths import PARSE_CACHE, RECORDS_CACHE, RULES_CACHE


class Caches:
    """The working tree's caches under `.salesctl/cache/`, as the arguments `load` takes."""

    def __init__(self, root: Path):
        self.parse = ParseCache(Path(root) / PARSE_CACHE)
        self.records = RecordCache(Path(root) / RECORDS_CACHE)
        self.rules = RulesCache(Path(root) / RULES_CACHE)

    def arguments(self) -> dict:
        return {"cache": self.parse, "records_cache": self.records, "rules_cache": self.rules}

    def save(self):
        for cache in (self.parse, self.records, self.rules):
            cache.save()


class BlobCache:
    """Parse results keyed by blob id, for every revision read in one run.

    Behind it: the results of this run (a blob parsed once serves both sides of a diff), then
    `reuse` (the working tree's results for files git says are unchanged), then the persistent
    store under `.salesctl/` (opened only on a miss).
    """

    def __init__(self, path: Path, reuse: dict | None = None):
        self.path = Path(path)
        self.reuse = reuse or {}
        self._memo: dict = {}
        self._store = None

    def _persistent(self):
        if self._store is None:
            self._store = ParseCache(self.path)
        return self._store

    def get(self, rel: str, identity: tuple):
        sha = identity[1]
        hit = self._memo.get(sha)
        if hit is None:
            hit = self.reuse.get(rel)
        if hit is None:
            hit = self._persistent().get(sha, identity)
        if hit is not None:
            self._memo[sha] = hit
        return hit

    def put(self, rel: str, identity: tuple, parsed, packed=None):
        self._memo[identity[1]] = parsed
        self._persistent().put(identity[1], identity, parsed, packed)

    def save(self):
        if self._store is not None:
            self._store.save()


class Recording:
    """A cache wrapper that remembers every parse result of a working-tree load."""

    def __init__(self, inner):
        self.inner = inner
        self.seen: dict = {}

    def get(self, rel, identity):
        hit = self.inner.get(rel, identity)
        if hit is not None:
            self.seen[rel] = hit
        return hit

    def put(self, rel, identity, parsed, packed=None):
        self.seen[rel] = parsed
        self.inner.put(rel, identity, parsed, packed)

    def present(self, rels):
        self.inner.present(rels)

    def save(self):
        self.inner.save()
