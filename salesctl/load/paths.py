"""Where the workspace is and which of its files salesctl reads: one answer for every source.

The working tree, a git revision and a writer's check all list the same files: salesctl.yaml,
then every YAML file under a collection folder whose path has no dot name (`is_workspace_file`),
in `listing_order`. salesctl's own state lives in `.salesctl/` (the caches under `CACHE_DIR`).
"""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right
from pathlib import Path

from ..errors import WorkspaceError
from ..model.config import CONFIG_FILE
from ..model.records import COLLECTIONS

ENV_WORKSPACE = "SALESCTL_WORKSPACE"
YAML_SUFFIXES = (".yaml", ".yml")
CACHE_DIR = ".salesctl/cache"
PARSE_CACHE = f"{CACHE_DIR}/parse"  # a directory of shards (see cache.py)
RECORDS_CACHE = f"{CACHE_DIR}/records"  # a directory of shards
RULES_CACHE = f"{CACHE_DIR}/rules.bin"
CHARTS_CACHE = f"{CACHE_DIR}/charts.bin"  # the dashboard's drawn charts, by what was drawn
BLOB_CACHE = f"{CACHE_DIR}/blobs"
BLOB_RECORDS_CACHE = f"{CACHE_DIR}/blob-records"  # typed records of --rev, keyed by blob id
# A diff against the working tree needs only the blobs changed since the revision: they get a
# store of their own, small and quick to load, instead of the one `--rev` fills with every file.
DIFF_CACHE = f"{CACHE_DIR}/diff-blobs"
WORKSPACE_PATHS = (CONFIG_FILE, *COLLECTIONS)


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


def is_workspace_file(rel: str) -> bool:
    """What `FileSource` lists: salesctl.yaml and YAML files under a collection, no dot names."""
    if rel == CONFIG_FILE:
        return True
    return rel.endswith(YAML_SUFFIXES) and rel.partition("/")[0] in COLLECTIONS and "/." not in rel


_RANK = {CONFIG_FILE: -1, **{collection: rank for rank, collection in enumerate(COLLECTIONS)}}


def collection_files(files: list, collections) -> list:
    """The entries of `files`, a listing in `listing_order` (so grouped by collection), of the
    `collections` named: found by bisection, not by testing 147,001 paths."""
    def rank(item):
        return _RANK[item[0].partition("/")[0]]

    found = []
    for collection in collections:
        at = _RANK[collection]
        found += files[bisect_left(files, at, key=rank):bisect_right(files, at, key=rank)]
    return found


def listing_order(rel: str) -> tuple:
    """The order `FileSource` lists files in: config, then each collection depth-first by name
    (joined with NUL, which sorts before every character of a name, paths compare as part lists)."""
    return (_RANK[rel.partition("/")[0]], rel.replace("/", "\0"))
