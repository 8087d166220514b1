"""Running a writer: its plan built from the workspace as it is under the writers' lock, then
written whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

from .. import storage
from ..load.loader import open_workspace
from .plan import Plan


def run_writer(root, build, *, dry_run: bool = False, use_cache: bool = True, on_recovery=None, as_of=None) -> Plan:
    """`build(ws) -> Plan` over the workspace at `root`, and its plan written (`storage.apply`).

    Writers take turns (`storage.writer_lock`); a write that a killed writer left half done is
    finished first and handed to `on_recovery`. With `dry_run` the plan is built, checked and
    returned, and nothing is locked or written. A file that cannot be written is a
    `StorageError`: nothing is written then either. The workspace is read as of `as_of` (default:
    today where it is): entries dated later are refused unless forced (`plan.check`).
    """
    root = Path(root)
    try:
        if dry_run:
            return build(open_workspace(root, use_cache=use_cache, as_of=as_of))
        with storage.writer_lock(root) as recovered:
            if recovered is not None and on_recovery is not None:
                on_recovery(recovered)
            plan = build(open_workspace(root, use_cache=use_cache, as_of=as_of))
            storage.apply(root, plan.files, note="; ".join(plan.summary))
        return plan
    except OSError as exc:
        raise storage.StorageError(f"cannot write: {exc.strerror or exc} ({exc.filename or root}); "
                                   f"nothing written") from None
