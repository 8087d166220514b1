"""Opening a workspace as every command does: the working tree with its caches (`caches`) around the
one pipeline (`pipeline.load`), or a git revision (`revisions`, imported only then: git and its
subprocesses cost a plain read nothing).
"""

from __future__ import annotations

from pathlib import Path

from ..model.config import CONFIG_FILE, Config, read_config
from ..model.workspace import Workspace
from .caches import Caches
from .parse import parse_bytes
from .pipeline import load


def open_workspace(root: Path, *, rev: str | None = None, use_cache: bool = True, progress=None,
                   require_config: bool = True, as_of=None) -> Workspace:
    """Load the workspace at `root` as the CLI does: from disk (or a git revision), with the cache.

    Without a usable salesctl.yaml it is a WorkspaceError, unless `require_config` is false
    (`validate`, which reports the config's problems with the rest). Dates are checked as of
    `as_of` (default: today where the workspace is).
    """
    if rev is not None:
        from .revisions import open_revision

        ws = open_revision(root, rev, use_cache=use_cache, progress=progress, as_of=as_of)
    elif not use_cache:
        ws = load(root, progress=progress, as_of=as_of)
    else:
        caches = Caches(root)
        ws = load(root, progress=progress, as_of=as_of, **caches.arguments())
        caches.save()
    if require_config:
        ws.require_config(rev)
    return ws


def read_settings(root: Path) -> Config:
    """The settings of salesctl.yaml alone, without reading a record: what a command needs before
    it loads anything (what day it is where the workspace is). The defaults when there are none."""
    path = Path(root) / CONFIG_FILE
    try:
        raw = path.read_bytes() if path.is_file() else None
    except OSError:
        raw = None
    return read_config(parse_bytes(raw))[0] if raw is not None else Config()
