"""Opening a workspace as every command does: the working tree with its caches (`caches`) around the
one pipeline (`pipeline.load`), or a git revision (`revisions`, imported only then: git and its
subprocesses cost a plain read nothing).
"""

from __future__ import annotations

from pathlib import Path

from ..model.workspace import Workspace
from .caches import Caches
from .pipeline import load


def open_workspace(root: Path, *, rev: str | None = None, use_cache: bool = True, progress=None,
                   require_config: bool = True) -> Workspace:
    """Load the workspace at `root` as the CLI does: from disk (or a git revision), with the cache.

    Without a usable salesctl.yaml it is a WorkspaceError, unless `require_config` is false
    (`validate`, which reports the config's problems with the rest).
    """
    if rev is not None:
        from .revisions import open_revision

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
