"""Finding a workspace, reading its files and building its records: the loader every command uses.

The pipeline is: list files (a `Source`) → parse each file's bytes (`parse.parse_bytes`, cacheable
by file identity) → type the records (`records`) → run the cross-record rules (`validate`).
It never raises for bad input; it returns the workspace and its problems together.
"""

from __future__ import annotations

import gc
import os
import time
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import date
from functools import cached_property
from pathlib import Path

from . import storage
from .config import CONFIG_FILE, Config, read_config
from .parse import ParsedFile, parse_bytes
from .problems import Problem, problem, sort_key
from .records import COLLECTIONS, Record, RecordBuilder

ENV_WORKSPACE = "SALESCTL_WORKSPACE"
YAML_SUFFIXES = (".yaml", ".yml")
CACHE_DIR = ".salesctl/cache"
PARSE_CACHE = f"{CACHE_DIR}/parse"  # a directory of shards (see cache.py)
RECORDS_CACHE = f"{CACHE_DIR}/records"  # a directory of shards
RULES_CACHE = f"{CACHE_DIR}/rules.bin"


class WorkspaceError(Exception):
    """No usable workspace: a usage problem (exit 2), not a validation finding."""


def find_root(explicit: str | os.PathLike | None = None, *, env=None, cwd=None) -> Path:
    """`-C DIR`, else $SALESCTL_WORKSPACE, else the nearest directory upwards with salesctl.yaml."""
    env = os.environ if env is None else env
    chosen = explicit or env.get(ENV_WORKSPACE)
    if chosen:
        root = Path(chosen).expanduser()
        if not (root / CONFIG_FILE).is_file():
            source = "-C" if explicit else ENV_WORKSPACE
            raise WorkspaceError(f"no {CONFIG_FILE} in {root} (from {source}); run 'salesctl init {root}' to create a workspace")
        return root.resolve()
    here = Path(cwd or os.getcwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / CONFIG_FILE).is_file():
            return directory
    raise WorkspaceError(
        f"no workspace found: no {CONFIG_FILE} in {here} or any parent directory "
        f"(use -C DIR or set {ENV_WORKSPACE}; 'salesctl init' creates one)"
    )


_RANK = {CONFIG_FILE: -1, **{collection: rank for rank, collection in enumerate(COLLECTIONS)}}


def listing_order(rel: str) -> tuple:
    """The order `FileSource` lists files in: config, then each collection depth-first by name
    (joined with NUL, which sorts before every character of a name, paths compare as part lists)."""
    return (_RANK[rel.partition("/")[0]], rel.replace("/", "\0"))


class FileSource:
    """The workspace as it is on disk. `identity` is what the parse cache is keyed by."""

    parallel = True  # plain files: worker processes can read them on their own

    def __init__(self, root: Path):
        self.root = Path(root)
        self.label = "working tree"

    def files(self) -> list[tuple[str, tuple]]:
        """(relative path, identity) of salesctl.yaml and every collection file, sorted."""
        found = []
        config = self.root / CONFIG_FILE
        if config.is_file():
            found.append((CONFIG_FILE, _identity(config)))
        real_root = os.path.realpath(self.root)
        for collection in COLLECTIONS:
            path = os.path.join(self.root, collection)
            if os.path.isdir(path):
                if not _inside(os.path.realpath(path), real_root):
                    found.append((collection, ("outside",)))  # a linked folder: writers would follow it
                    continue
                self._scan(collection, real_root, found)
        return found

    def _scan(self, rel_dir: str, real_root: str, found: list):
        """Depth-first, sorted, skipping dot names; directory symlinks are not followed."""
        directory = os.path.join(self.root, rel_dir)
        if _is_repository(directory):
            return  # a submodule or a clone: a revision holds it as a bare commit id, not as files
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = f"{rel_dir}/{name}"
            if entry.is_dir(follow_symlinks=False):
                self._scan(rel, real_root, found)
            elif name.endswith(YAML_SUFFIXES):
                if entry.is_symlink():
                    if not _inside(os.path.realpath(entry.path), real_root):
                        found.append((rel, ("outside",)))
                        continue
                    if not os.path.isfile(entry.path):
                        continue
                elif not entry.is_file():
                    continue  # a FIFO or device named *.yaml would block the read or never end
                try:
                    st = entry.stat()
                except OSError:
                    continue
                found.append((rel, ("file", st.st_size, st.st_mtime_ns, st.st_ino)))

    def read(self, rel: str) -> bytes:
        with open(self.root / rel, "rb") as fh:
            return fh.read()


def _is_repository(directory: str) -> bool:
    """Whether `directory` is the top of another git repository: a `.git` file (a submodule's
    pointer to its git directory) or a `.git` folder with a HEAD."""
    git_dir = os.path.join(directory, ".git")
    return os.path.isfile(git_dir) or os.path.isfile(os.path.join(git_dir, "HEAD"))


def _identity(path) -> tuple:
    st = os.stat(path)
    return ("file", st.st_size, st.st_mtime_ns, st.st_ino)


RACY_NS = 2_000_000_000  # a file written this recently may be written again with the same identity


def settled(identity: tuple, now_ns: int) -> bool:
    """Whether a file's identity can key a cache entry. A file modified within RACY_NS of the
    run could change again within the same timestamp tick, keeping size, mtime and inode (git's
    "racy clean" problem): its entry is not stored, and it is read afresh next time."""
    return identity[0] != "file" or identity[2] < now_ns - RACY_NS


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


OUTSIDE = ParsedFile([], [("not-a-record", 1, 1, "symbolic link leading outside the workspace; not read")], False)


PARALLEL_MIN_FILES = 2000  # below this, starting worker processes costs more than it saves
CHUNK_FILES = 500


def read_and_parse(source, rel: str) -> ParsedFile:
    try:
        return parse_bytes(source.read(rel))
    except OSError as exc:
        return ParsedFile([], [("yaml-syntax", 1, 1, f"cannot read file: {exc.strerror or exc}")], False)


def _parse_chunk(source, rels: list) -> list:
    return [read_and_parse(source, rel) for rel in rels]


def _parse_all(source, rels: list, progress=None):
    """Yield (rel, ParsedFile) for every file; on several cores, big jobs are parsed in parallel."""
    chunks = [rels[i:i + CHUNK_FILES] for i in range(0, len(rels), CHUNK_FILES)]
    workers = min(os.cpu_count() or 1, 4)
    if len(rels) >= PARALLEL_MIN_FILES and workers > 1 and getattr(source, "parallel", False):
        try:
            from concurrent.futures import ProcessPoolExecutor

            done = 0
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for chunk, results in zip(chunks, pool.map(_parse_chunk, [source] * len(chunks), chunks)):
                    yield from zip(chunk, results)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, len(rels))
            return
        except (OSError, ImportError, RuntimeError):  # no process pool here (e.g. no /dev/shm)
            pass
    for number, chunk in enumerate(chunks):
        yield from zip(chunk, _parse_chunk(source, chunk))
        if progress is not None:
            progress(min((number + 1) * CHUNK_FILES, len(rels)), len(rels))


def parse_source(source, files, cache=None, progress=None) -> dict[str, ParsedFile]:
    """Parse every listed file, reusing the cache's entries for unchanged files.

    `progress(done, total)` is called now and then while files are parsed.
    """
    parsed = {}
    todo = {}
    for rel, identity in files:
        if identity == ("outside",):
            parsed[rel] = OUTSIDE
            continue
        hit = cache.get(rel, identity) if cache is not None else None
        if hit is not None:
            parsed[rel] = hit
        else:
            todo[rel] = identity
    now = time.time_ns()
    for rel, result in _parse_all(source, list(todo), progress):
        parsed[rel] = result
        if cache is not None and settled(todo[rel], now):
            cache.put(rel, todo[rel], result)
    return parsed


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

    def put(self, *args):
        pass


class Workspace:
    """Config, records and problems of one workspace, with the look-ups every report needs."""

    typed: TypedFiles | None = None
    listing: list | None = None  # (relative path, identity) of every file read, as listed by the source

    def __init__(self, root: Path, config: Config, records: dict, problems: list, files: int,
                 config_problem: Problem | None = None):
        self.root = root
        self.config = config
        self.records: dict[str, list[Record]] = records
        self.problems: list[Problem] = problems
        self.files = files
        self.config_problem = config_problem  # why salesctl.yaml gives no usable config; None when it does

    @property
    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.is_error)

    def usable(self) -> "Workspace":
        """The same workspace without the records that have errors (what read commands use)."""
        kept = {c: [r for r in rs if not r.has_errors] for c, rs in self.records.items()}
        return Workspace(self.root, self.config, kept, self.problems, self.files, self.config_problem)

    def require_config(self, rev: str | None = None):
        """A WorkspaceError (exit 2) when salesctl.yaml (as committed at `rev`, when given) gives
        no usable config: no record can be checked then, and every report would come out empty."""
        p = self.config_problem
        if p is not None:
            at = f" (at {rev})" if rev is not None else ""
            raise WorkspaceError(f"{p.path}:{p.line}:{p.column}{at}: {p.message} [{p.code}]; without a usable "
                                 f"{CONFIG_FILE} no record can be read or checked (run 'salesctl validate')")

    def __iter__(self):
        for collection in COLLECTIONS:
            yield from self.records[collection]

    @cached_property
    def _by_id(self) -> dict:
        index = {}
        for collection in COLLECTIONS:
            ids: dict = {}
            for record in self.records[collection]:
                ids.setdefault(record.data.get("id"), record)
            ids.pop(None, None)
            index[collection] = ids
        return index

    def reindex(self):
        """Forget the look-up indexes after records were replaced."""
        for name in ("_by_id", "_receivables_by_contract", "_visits_by_customer", "_contracts_by_customer"):
            self.__dict__.pop(name, None)

    def by_id(self, collection: str) -> dict:
        """{id: record} of a collection, the first record of an id winning."""
        return self._by_id[collection]

    def get(self, collection: str, record_id):
        return self._by_id[collection].get(record_id)

    def ids(self, collection: str):
        """The ids of a collection (a set-like view)."""
        return self._by_id[collection].keys()

    def find(self, record_id) -> Record | None:
        """A record of any collection by id (ids are unique per collection; first match wins)."""
        for collection in COLLECTIONS:
            record = self._by_id[collection].get(record_id)
            if record is not None:
                return record
        return None

    @staticmethod
    def _group(records, field: str) -> dict:
        index: dict = {}
        for record in records:
            index.setdefault(record.data.get(field), []).append(record)
        return index

    @cached_property
    def _receivables_by_contract(self) -> dict:
        return self._group(self.records["receivables"], "contract")

    @cached_property
    def _visits_by_customer(self) -> dict:
        visits = sorted(self.records["visits"], key=lambda v: (v.get("date") or date.min, v.id or ""))
        return self._group(visits, "customer")

    @cached_property
    def _contracts_by_customer(self) -> dict:
        return self._group(self.records["contracts"], "customer")

    def receivables_of(self, contract_id) -> list[Record]:
        return self._receivables_by_contract.get(contract_id, [])

    def visits_of(self, customer_id) -> list[Record]:
        """A customer's visits, oldest first."""
        return self._visits_by_customer.get(customer_id, [])

    def contracts_of(self, customer_id) -> list[Record]:
        return self._contracts_by_customer.get(customer_id, [])

    def member(self, member_id) -> dict | None:
        return self.config.member(member_id)


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


def load(root: Path, *, source=None, cache=None, progress=None, make_builder=RecordBuilder,
         records_cache=None, rules_cache=None) -> Workspace:
    """Read, parse, type and check the whole workspace. `make_builder(config)` types the records
    (a diff passes one that types the files both sides share only once); `records_cache` serves
    the typed records of unchanged files, so that only changed files are parsed and typed;
    `rules_cache` serves the cross-record rules' problems of a listing seen before. The working
    tree (no `source`) is read as no writer is changing it (`_undisturbed`)."""
    with collector_paused(), _undisturbed(root) if source is None else nullcontext():
        return _load(root, source or FileSource(root), cache, progress, make_builder, records_cache, rules_cache)


@contextmanager
def _undisturbed(root):
    """Read the working tree as no writer is changing it: a write left half done by a killed writer
    is finished first, and a writer's next one waits until the files are read (`storage.reading`)."""
    try:
        with storage.reading(root):
            yield
    except storage.StorageError as exc:
        raise WorkspaceError(str(exc)) from None


def _load(root, source, cache, progress, make_builder, records_cache, rules_cache) -> Workspace:
    from .validate import check_rules

    now = time.time_ns()
    files = source.files()
    problems: list[Problem] = []
    config_entry = [(rel, identity) for rel, identity in files if rel == CONFIG_FILE]
    config, config_problems, unusable = read_config(parse_source(source, config_entry, cache).get(CONFIG_FILE))
    problems.extend(config_problems)

    builder = make_builder(config)
    fingerprint = getattr(builder, "fingerprint", None)
    typed = {}
    if records_cache is not None and fingerprint is not None:
        for rel, identity in files:
            hit = records_cache.get(rel, identity, fingerprint)
            if hit is not None:
                typed[rel] = hit
    todo = [(rel, identity) for rel, identity in files if rel != CONFIG_FILE and rel not in typed]
    parsed = parse_source(source, todo, cache, progress)
    if cache is not None and hasattr(cache, "present"):
        cache.present(rel for rel, _ in files)
    identities = dict(files)

    records: dict[str, list[Record]] = {c: [] for c in COLLECTIONS}
    typed_files: dict[str, tuple] = {}  # rel -> (its records, its parse and field problems)
    for rel, _ in files:
        if rel == CONFIG_FILE:
            continue
        collection = rel.split("/", 1)[0]
        hit = typed.get(rel)
        if hit is not None:
            records[collection].extend(hit[0])
            problems.extend(hit[1])
            typed_files[rel] = hit
            continue
        result = parsed[rel]
        file_problems = [problem(code, rel, (line, column), message) for code, line, column, message in result.problems]
        built = []
        for index, raw in enumerate(result.records):
            record = builder.build(collection, raw.data, rel, index, raw.positions, result.single, file_problems)
            if record is not None:
                built.append(record)
        records[collection].extend(built)
        problems.extend(file_problems)
        typed_files[rel] = (built, file_problems)
        if records_cache is not None and fingerprint is not None and settled(identities[rel], now):
            records_cache.put(rel, identities[rel], fingerprint, built, file_problems)

    ws = Workspace(Path(root), config, records, problems, len(files), unusable)
    ws.typed = TypedFiles(typed_files, fingerprint)
    ws.listing = files
    rules_key = rules_cache.key(files, fingerprint) if rules_cache is not None and fingerprint is not None else None
    rule_problems = rules_cache.get(rules_key) if rules_key is not None else None
    if rule_problems is None:
        rule_problems = check_rules(ws)
        if rules_key is not None and all(settled(identity, now) for _, identity in files):
            rules_cache.put(rules_key, rule_problems)
    problems.extend(rule_problems)
    _flag_broken(ws, {p.record for p in rule_problems if p.is_error and p.record is not None})
    problems.sort(key=sort_key)
    return ws


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


def open_workspace(root: Path, *, rev: str | None = None, use_cache: bool = True, progress=None,
                   require_config: bool = True) -> Workspace:
    """Load the workspace at `root` as the CLI does: from disk (or a git revision), with the cache.

    Without a usable salesctl.yaml it is a WorkspaceError, unless `require_config` is false
    (`validate`, which reports the config's problems with the rest).
    """
    if rev is not None:
        from .gitsource import open_revision  # git errors are WorkspaceErrors: exit 2

        ws = open_revision(root, rev, use_cache=use_cache, progress=progress)
    elif not use_cache:
        ws = load(root, progress=progress)
    else:
        caches = Caches(root)
        ws = load(root, progress=progress, **caches.arguments())
        caches.save()
    if require_config:
        ws.require_config(rev)
    return ws


class Caches:
    """The working tree's caches under `.salesctl/cache/`, as the arguments `load` takes."""

    def __init__(self, root: Path):
        from .cache import ParseCache, RecordCache, RulesCache

        self.parse = ParseCache(Path(root) / PARSE_CACHE)
        self.records = RecordCache(Path(root) / RECORDS_CACHE)
        self.rules = RulesCache(Path(root) / RULES_CACHE)

    def arguments(self) -> dict:
        return {"cache": self.parse, "records_cache": self.records, "rules_cache": self.rules}

    def save(self):
        for cache in (self.parse, self.records, self.rules):
            cache.save()
