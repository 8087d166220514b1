"""The workspace at git revisions: `--rev` (`open_revision`), both sides of a diff (`open_pair`),
and the files changed since a revision (`validate --changed`).

Files the sides of a diff share are parsed and typed once: blobs through `caches.BlobCache`, typed
records through `SharedTyping`, and the working tree's parse of every file git reports unchanged.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from ..model.config import CONFIG_FILE
from ..model.records import RecordBuilder
from .cache import RecordCache, RulesCache
from .caches import BlobCache, Caches, Recording
from .git import ChangedFiles, GitSource, changed_files, repository, resolve
from .paths import BLOB_CACHE, BLOB_RECORDS_CACHE, DIFF_CACHE, RULES_CACHE
from .pipeline import collector_paused, load


def open_revision(root, rev: str, *, use_cache: bool = True, progress=None, as_of=None):
    """The workspace as committed at `rev` (what `--rev` loads)."""
    root = Path(root)
    caches = {}
    if use_cache:
        caches = {"cache": BlobCache(root / BLOB_CACHE),
                  "records_cache": RecordCache(root / BLOB_RECORDS_CACHE),
                  "rules_cache": RulesCache(root / RULES_CACHE)}
    with GitSource(root, rev) as source:
        ws = load(root, source=source, progress=progress, as_of=as_of, **caches)
    for cache in caches.values():
        cache.save()
    return ws


def open_pair(root, rev_a: str, rev_b: str | None, *, use_cache: bool = True, progress=None):
    """Both sides of a diff, `rev_b` None meaning the working tree; returns (ws_a, ws_b, sources).

    Files the sides share are parsed and typed once: a revision reuses the working tree's parse of
    every file git reports unchanged, two revisions share blobs through `BlobCache`, and
    `SharedTyping` types each shared file once.
    """
    with collector_paused():  # both loads and what joins them, without re-scans (see pipeline.load)
        return _open_pair(Path(root), rev_a, rev_b, use_cache, progress)


def _open_pair(root: Path, rev_a: str, rev_b: str | None, use_cache: bool, progress):
    repo = repository(root)
    typing = SharedTyping()
    blobs = BlobCache(root / (BLOB_CACHE if rev_b else DIFF_CACHE)) if use_cache else None
    worktree = Caches(root) if use_cache and rev_b is None else None
    rules = worktree.rules if worktree else RulesCache(root / RULES_CACHE) if use_cache else None
    with ExitStack() as stack:
        source_a = stack.enter_context(GitSource(root, rev_a, repo))
        source_b = stack.enter_context(GitSource(root, rev_b, repo)) if rev_b is not None else None
        if source_b is None:
            typed_unchanged = None
            if worktree is not None:
                recorder = worktree.parse = Recording(worktree.parse)
                changed = ChangedFiles(repo, source_a.commit, untracked=False)  # git compares while we load
                ws_b = load(root, progress=progress, **worktree.arguments())
                unchanged = _unchanged_since(source_a, changed.result())
                blobs.reuse = {rel: recorder.seen[rel] for rel in unchanged if rel in recorder.seen}
                typed_unchanged = ws_b.typed.restricted_to(unchanged)  # typed once, shared by both sides
            else:
                ws_b = load(root, progress=progress)
            ws_a = load(root, source=source_a, cache=blobs, progress=progress, make_builder=typing,
                        records_cache=typed_unchanged, rules_cache=rules)
        else:
            ws_a = load(root, source=source_a, cache=blobs, progress=progress, make_builder=typing, rules_cache=rules)
            ws_b = load(root, source=source_b, cache=blobs, progress=progress, make_builder=typing, rules_cache=rules)
    for cache in (worktree, blobs, rules):
        if cache is not None:
            cache.save()
    ws_a.require_config(rev_a)
    ws_b.require_config(rev_b)
    return ws_a, ws_b, (source_a, source_b)


def _unchanged_since(source: GitSource, changed: set) -> set:
    """The files of a revision that git reports unchanged in the working tree, which the revision
    can take parsed and typed from it (never through a symbolic link, whose target may differ)."""
    return {rel for rel, _ in source.files() if rel not in changed and rel not in source.links}


class SharedTyping:
    """A `make_builder` for `pipeline.load` that types each raw record once per run.

    Both sides of a diff hold the very same parsed objects for the files they share (see
    `BlobCache`); under an equal config their typed records are equal too, so the second side
    gets the first side's records, as built (`load` flags copies, never a built record).
    """

    def __init__(self):
        self.memo: dict = {}  # id(raw data) -> (raw data, config, record, problems)
        self.configs: list = []

    def __call__(self, config):
        for known in self.configs:
            if known == config:
                return _SharedBuilder(self.memo, known, config)
        self.configs.append(config)
        return _SharedBuilder(self.memo, config, config)


class _SharedBuilder(RecordBuilder):
    def __init__(self, memo: dict, token, config):
        super().__init__(config)
        self.memo, self.token = memo, token  # token: the first config seen equal to this one

    def build(self, collection, raw, path, index, positions, single, problems):
        hit = self.memo.get(id(raw))
        if hit is not None and hit[0] is raw and hit[1] is self.token and hit[2] is not None \
                and hit[2].index == index and hit[2].path == path:
            problems.extend(hit[3])
            return hit[2]
        start = len(problems)
        record = super().build(collection, raw, path, index, positions, single, problems)
        self.memo[id(raw)] = (raw, self.token, record, problems[start:])
        return record


# --- validate --changed --------------------------------------------------------------------

def changed_since(root, rev: str = "HEAD") -> set[str]:
    """Workspace files changed since `rev`: staged, unstaged, untracked or deleted."""
    repo = repository(root)
    return changed_files(repo, resolve(repo, rev))


def problems_in_files(ws, paths: set[str]) -> tuple[list, int]:
    """(problems, files checked) for a pre-commit check of `paths` over the whole loaded workspace.

    Cross-record rules ran against every record; only problems located in `paths` are kept. A
    changed salesctl.yaml can change every record's problems, so then all of them are kept.
    """
    if CONFIG_FILE in paths:
        return list(ws.problems), ws.files
    present = sum(1 for rel in paths if (Path(ws.root) / rel).is_file())
    return [p for p in ws.problems if p.path in paths], present
