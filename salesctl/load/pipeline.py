"""Reading a workspace's files and building its records: the pipeline every load goes through.

The pipeline is: list files (a `source.Source`) → parse each file's bytes (`parse.parse_bytes`,
cacheable by file identity) → type the records (`model.records`) → run the cross-record rules
(`rules`). It never raises for bad input; it returns the workspace and its problems together.
Which caches a load uses is decided outside it (`caches`, `loader`): `load` only takes them.
"""

from __future__ import annotations

import gc
import os
import time
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path

from .. import rules, storage
from ..errors import WorkspaceError
from ..model.config import CONFIG_FILE, read_config
from ..model.parsed import ParsedFile
from ..model.problems import Problem, problem, sort_key
from ..model.records import COLLECTIONS, Record, RecordBuilder
from ..model.workspace import Workspace
from .cache import pack, unpack
from .parse import parse_bytes
from .paths import collection_files
from .source import FileSource, Source, settled

OUTSIDE = ParsedFile([], [("not-a-record", 1, 1, "symbolic link leading outside the workspace; not read")], False)


PARALLEL_MIN_FILES = 2000  # below this, starting worker processes costs more than it saves
CHUNK_FILES = 500


def read_and_parse(source: Source, rel: str) -> ParsedFile:
    try:
        return parse_bytes(source.read(rel))
    except OSError as exc:
        return ParsedFile([], [("yaml-syntax", 1, 1, f"cannot read file: {exc.strerror or exc}")], False)


def _parse_chunk(source: Source, rels: list) -> list:
    """The files parsed, each packed (`cache.pack`): in a worker process that is work taken off the
    main one, which unpacks a marshal string faster than it unpickles the parse, and stores the
    very string in the parse cache."""
    return [pack(read_and_parse(source, rel)) for rel in rels]


def _parse_all(source: Source, rels: list, progress=None):
    """Yield (rel, packed ParsedFile) for every file, in order; on several cores, big jobs are parsed in
    parallel. Where worker processes cannot run (no /dev/shm), or stop, the files not yet yielded
    are parsed here."""
    chunks = [rels[i:i + CHUNK_FILES] for i in range(0, len(rels), CHUNK_FILES)]
    workers = min(os.cpu_count() or 1, 4)
    done = 0  # chunks yielded
    if len(rels) >= PARALLEL_MIN_FILES and workers > 1 and source.parallel:
        try:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=workers) as pool:
                for chunk, results in zip(chunks, pool.map(_parse_chunk, [source] * len(chunks), chunks)):
                    done += 1
                    if progress is not None:  # before the files are taken: the last may be taken last
                        progress(min(done * CHUNK_FILES, len(rels)), len(rels))
                    yield from zip(chunk, results)
            return
        except (OSError, ImportError, RuntimeError):  # no process pool here, or a worker died
            pass
    for number in range(done, len(chunks)):
        results = _parse_chunk(source, chunks[number])
        if progress is not None:
            progress(min((number + 1) * CHUNK_FILES, len(rels)), len(rels))
        yield from zip(chunks[number], results)


def parse_source(source: Source, files, cache=None, progress=None) -> dict[str, ParsedFile]:
    """Parse every listed file, reusing the cache's entries for unchanged files.

    `progress(done, total)` is called now and then while files are parsed.
    """
    return dict(parse_each(source, files, cache, progress))


def parse_each(source: Source, files, cache=None, progress=None):
    """Yield (rel, ParsedFile) for every listed file, in the listing's order, each as soon as it is
    parsed: a big load types the files parsed so far while the workers parse the rest."""
    files = list(files)
    known, todo = {}, {}
    for rel, identity in files:
        hit = OUTSIDE if identity == ("outside",) else cache.get(rel, identity) if cache is not None else None
        if hit is not None:
            known[rel] = hit
        else:
            todo[rel] = identity
    fresh = _parse_all(source, list(todo), progress)
    now = time.time_ns()
    for rel, identity in files:
        if rel in known:
            yield rel, known.pop(rel)
            continue
        _, packed = next(fresh)
        result = unpack(packed)
        if cache is not None and settled(identity, now):
            cache.put(rel, identity, result, packed)
        yield rel, result


class TypedFiles:
    """Each file's records and field problems as typed, before the cross-record rules ran.

    It answers like a record cache, so another load of the same files (the other side of a
    diff, for the files git reports unchanged) takes the very same records instead of typing them
    again: `load` never changes a record once built, it flags a copy (see `_flag_broken`).
    """

    def __init__(self, files: dict, fingerprint):
        self.files = files
        self.fingerprint = fingerprint
        self.only: set | None = None

    def restricted_to(self, rels) -> "TypedFiles":
        view = TypedFiles(self.files, self.fingerprint)
        view.only = set(rels)
        return view

    def get(self, rel: str, identity, fingerprint):
        if fingerprint != self.fingerprint or (self.only is not None and rel not in self.only):
            return None
        return self.files.get(rel)

    def get_all(self, files, fingerprint) -> dict:
        return {rel: hit for rel, identity in files if (hit := self.get(rel, identity, fingerprint)) is not None}

    def put(self, *args):
        pass


@contextmanager
def collector_paused():
    """Loading builds hundreds of thousands of small containers and no reference cycles; the
    cyclic collector would only re-scan them, again and again (a third of a warm load's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(root: Path, *, source: Source | None = None, cache=None, progress=None, make_builder=RecordBuilder,
         records_cache=None, rules_cache=None, as_of=None, reads=None) -> Workspace:
    """Read, parse, type and check the whole workspace. `make_builder(config)` types the records
    (a diff passes one that types the files both sides share only once); `records_cache` serves
    the typed records of unchanged files, so that only changed files are parsed and typed;
    `rules_cache` serves every problem of a listing seen before. The working tree (no `source`)
    is read as no writer is changing it (`_undisturbed`). The rules that look at dates check them
    as of `as_of` (default: today where the workspace is, `Config.today`).

    `reads` (collection names) asks for those collections only: they are loaded when the rules
    cache knows every problem of the workspace as it is now, and the problems are then all of
    them, so that a record left out for an error found with a collection not loaded is still left
    out. Otherwise (a file changed, no cache) every collection is loaded and the rules run."""
    with collector_paused(), _undisturbed(root) if source is None else nullcontext():
        return _load(root, source or FileSource(root), cache, progress, make_builder, records_cache, rules_cache,
                     as_of, reads)


@contextmanager
def _undisturbed(root):
    """Read the working tree as no writer is changing it: a write left half done by a killed writer
    is finished first, and a writer's next one waits until the files are read (`storage.reading`)."""
    try:
        with storage.reading(root):
            yield
    except storage.StorageError as exc:
        raise WorkspaceError(str(exc)) from None


def _load(root, source, cache, progress, make_builder, records_cache, rules_cache, as_of, reads) -> Workspace:
    now = time.time_ns()
    files = source.files()
    config_entry = [(rel, identity) for rel, identity in files if rel == CONFIG_FILE]
    config, config_problems, unusable = read_config(parse_source(source, config_entry, cache).get(CONFIG_FILE))
    as_of = as_of or config.today()

    builder = make_builder(config)
    fingerprint = getattr(builder, "fingerprint", None)
    verdict_key = rules_cache.key(files, (fingerprint, as_of.isoformat())) \
        if rules_cache is not None and fingerprint is not None else None
    verdict = rules_cache.get(verdict_key) if verdict_key is not None else None
    loaded = COLLECTIONS if reads is None or verdict is None else tuple(c for c in COLLECTIONS if c in reads)
    wanted = collection_files(files, loaded)  # with a folder itself, listed when it leads outside

    typed = {}
    if records_cache is not None and fingerprint is not None:
        typed = records_cache.get_all(wanted, fingerprint)
    parsed = parse_each(source, [(rel, identity) for rel, identity in wanted if rel not in typed], cache, progress)
    if cache is not None and hasattr(cache, "present") and loaded == COLLECTIONS:
        cache.present(rel for rel, _ in files)

    records: dict[str, list[Record]] = {c: [] for c in loaded}
    problems: list[Problem] = list(config_problems)
    typed_files: dict[str, tuple] = {}  # rel -> (its records, its parse and field problems)
    for rel, identity in wanted:
        hit = typed.get(rel)
        if hit is None:
            hit = type_file(builder, rel, next(parsed)[1])
            if records_cache is not None and fingerprint is not None and settled(identity, now):
                records_cache.put(rel, identity, fingerprint, *hit)
        records[rel.partition("/")[0]].extend(hit[0])
        problems.extend(hit[1])
        typed_files[rel] = hit

    ws = Workspace(Path(root), config, records, problems, len(files), unusable)
    ws.typed = TypedFiles(typed_files, fingerprint)
    ws.listing = files
    ws.as_of = as_of
    if verdict is None:
        problems.extend(rules.check_rules(ws))
        problems.sort(key=sort_key)
        if verdict_key is not None and all(settled(identity, now) for _, identity in files):
            rules_cache.put(verdict_key, problems)
    else:
        ws.problems = verdict
    _flag_broken(ws, {p.record for p in ws.problems if p.is_error and p.record is not None})
    return ws


def type_file(builder, rel: str, parsed) -> tuple[list, list]:
    """(records, problems) of one parsed file: its records typed, its parse and field problems."""
    collection = rel.split("/", 1)[0]
    file_problems = [problem(code, rel, (line, column), message) for code, line, column, message in parsed.problems]
    built = []
    for index, raw in enumerate(parsed.records):
        record = builder.build(collection, raw.data, rel, index, raw.positions, parsed.single, file_problems)
        if record is not None:
            built.append(record)
    return built, file_problems


def _flag_broken(ws: Workspace, broken: set):
    """Mark the records the rules found errors in, on copies: the typed records themselves may
    also serve another workspace (`TypedFiles`), where the same record may be sound."""
    if not broken:
        return
    for records in ws.records.values():
        for i, record in enumerate(records):
            if record.key in broken and not record.has_errors:
                records[i] = replace(record, has_errors=True)
    ws.reindex()
