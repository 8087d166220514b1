"""The history of one record: the commits that changed it and the fields each one changed.

One `git rev-list` gives the commit graph, one `git log --raw` gives the blobs each commit changed
under the collections, and one `git cat-file --batch` reads only those; a blob is parsed only
when its bytes mention the id. The record is followed across files, so a commit that moves it is
one `moved` entry, not a removal and an addition. A merge is listed only when it leaves the record
different from every parent (a conflict resolved by hand), as `git log` does.
"""

from __future__ import annotations

from typing import NamedTuple

from ..load.git import CatFile, GitError, git, repository, resolve
from ..load.parse import parse_bytes
from ..load.paths import is_workspace_file, listing_order
from ..model.config import CONFIG_FILE, Config, read_config
from ..model.records import COLLECTIONS, RecordBuilder
from .semdiff import field_changes

NO_BLOB = "0" * 40


class Commit(NamedTuple):
    sha: str
    date: str  # the author date, ISO 8601 with time and offset
    author: str
    email: str
    subject: str
    changes: tuple  # ((path, new blob id or None), ...) under the collections, relative to the workspace


def record_history(root, record_id: str, rev: str = "HEAD") -> dict:
    """`{"id", "rev", "commit", "history": [entry, ...]}`, newest first; each entry is one commit's
    change to the record in one collection: {commit, date, author, email, subject, collection,
    change (added|removed|changed|moved), old_path, new_path, fields: [{field, old, new}]}."""
    repo = repository(root)
    if repo.shallow:
        raise GitError("this is a shallow clone, its history is cut off, so a record's history would be "
                       "incomplete: run 'git fetch --unshallow'")
    head = resolve(repo, rev)
    graph = _graph(repo, head)
    commits = _touching(repo, head)
    with CatFile(repo.top) as cat:
        builder = RecordBuilder(_config(cat, head, repo.prefix))
        states: dict[str, dict] = {}
        entries = []
        needle = str(record_id).encode()
        parsed: dict = {}
        for sha, parents in graph:
            state = dict(states[parents[0]]) if parents else {}
            commit = commits.get(sha)
            if commit is not None:
                for rel, blob in commit.changes:
                    state.pop(rel, None)
                    if blob is None:
                        continue
                    if (blob, rel) not in parsed:
                        parsed[blob, rel] = _records_in(cat.read(blob) or b"", needle, record_id, rel, builder)
                    if parsed[blob, rel]:
                        state[rel] = parsed[blob, rel]
                entries += _entries(commit, state, [states[p] for p in parents if p in states])
            states[sha] = state
    entries.reverse()
    return {"id": record_id, "rev": rev, "commit": head, "history": entries}


def _graph(repo, head: str) -> list[tuple[str, list[str]]]:
    """Every commit reachable from head, parents first, otherwise by date: [(sha, [parent, ...])]."""
    out = git(repo.top, "rev-list", "--parents", "--date-order", "--reverse", head).decode()
    return [(fields[0], fields[1:]) for fields in (line.split() for line in out.splitlines()) if fields]


def _touching(repo, head: str) -> dict[str, Commit]:
    """The commits that changed a file under the collections, with what they changed (a merge
    against its first parent)."""
    paths = [f"{repo.prefix}{c}" for c in COLLECTIONS]
    out = git(repo.top, "--literal-pathspecs", "log", "--full-history", "--diff-merges=first-parent", "--raw", "-z",
              "--no-renames", "--no-abbrev", "--format=%x01%H%x00%aI%x00%an%x00%ae%x00%s", head, "--", *paths)
    commits = {}
    for chunk in out.split(b"\x01")[1:]:
        fields = chunk.split(b"\0")
        sha, day, author, email, subject = (f.decode("utf-8", "replace") for f in fields[:5])
        changes = []
        rest = fields[5:]
        for i in range(0, len(rest) - 1, 2):
            meta, name = rest[i].strip().decode(), rest[i + 1].decode("utf-8", "surrogateescape")
            if not meta.startswith(":") or not name.startswith(repo.prefix):
                continue
            _, new_mode, _, new_sha, _ = meta[1:].split(" ")
            rel = name[len(repo.prefix):]
            if is_workspace_file(rel):
                regular = new_mode in ("100644", "100755") and new_sha != NO_BLOB
                changes.append((rel, new_sha if regular else None))
        commits[sha] = Commit(sha, day, author, email, subject, tuple(changes))
    return commits


def _config(cat: CatFile, head: str, prefix: str) -> Config:
    """The workspace config at head: records are typed against it (approval stages, indicators)."""
    data = cat.read(f"{head}:{prefix}{CONFIG_FILE}")
    return read_config(parse_bytes(data) if data else None)[0]


def _records_in(blob: bytes, needle: bytes, record_id: str, rel: str, builder: RecordBuilder) -> tuple:
    """The typed records with this id in one file version (none unless its bytes mention the id)."""
    if needle not in blob:
        return ()
    result = parse_bytes(blob)
    collection = rel.split("/", 1)[0]
    found = []
    for index, raw in enumerate(result.records):
        if isinstance(raw.data, dict) and str(raw.data.get("id")) == record_id:
            record = builder.build(collection, raw.data, rel, index, raw.positions, result.single, [])
            if record is not None:
                found.append(record)
    return tuple(found)


def _current(state: dict, collection: str):
    """The record of a collection in a state: the first by listing order, as the loader keeps it."""
    paths = sorted((rel for rel in state if rel.split("/", 1)[0] == collection), key=listing_order)
    return state[paths[0]][0] if paths else None


def _entries(commit: Commit, state: dict, parent_states: list[dict]) -> list[dict]:
    entries = []
    for collection in COLLECTIONS:
        new = _current(state, collection)
        olds = [_current(p, collection) for p in parent_states] or [None]
        if any(_same(old, new) for old in olds):
            continue
        old = olds[0]
        fields = field_changes(old.data, new.data) if old and new else []
        change = "added" if old is None else "removed" if new is None else "changed" if fields else "moved"
        entries.append({"commit": commit.sha, "date": commit.date, "author": commit.author, "email": commit.email,
                        "subject": commit.subject, "collection": collection, "change": change,
                        "old_path": old.path if old else None, "new_path": new.path if new else None,
                        "fields": fields})
    return entries


def _same(old, new) -> bool:
    if old is None or new is None:
        return old is new
    return old.path == new.path and not field_changes(old.data, new.data)
