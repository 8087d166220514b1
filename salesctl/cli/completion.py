"""Shell completion of what the workspace holds (click's `shell_complete`): collection names, record
kinds, ids, approval stages and team ids. It reads the workspace found as the command would (`-C`,
$SALESCTL_WORKSPACE, the folder upwards), through its caches; one that cannot be read completes
nothing, rather than printing an error into the shell's line.
"""

from __future__ import annotations


def _app(ctx):
    from . import AppContext

    return ctx.find_root().ensure_object(AppContext)


def _items(words, incomplete: str, helps=None) -> list:
    from click.shell_completion import CompletionItem  # imported when completing, not for every --help

    helps = helps or {}
    return [CompletionItem(word, help=helps.get(word)) for word in words if str(word).startswith(incomplete)]


def collections(ctx, param, incomplete):
    from ..model.records import COLLECTIONS

    return _items(COLLECTIONS, incomplete)


def kinds(ctx, param, incomplete):
    from ..model.records import SINGULAR

    return _items(SINGULAR.values(), incomplete)


def record_ids(*collections):
    """The ids of the records of `collections` (every collection when none), with their names."""
    def complete(ctx, param, incomplete):
        try:
            ws = _app(ctx).load(reads=collections or None)
        except Exception:  # noqa: BLE001 — no workspace here, or one that cannot be read: no suggestions
            return []
        records = [r for c in (collections or ws.loaded) for r in ws.records.get(c, ())]
        helps = {str(r.id): r.get("name") or r.get("title") or r.get("contract") for r in records}
        return _items(sorted(helps), incomplete, helps)

    return complete


def _config(ctx):
    try:
        return _app(ctx).load(reads=()).config
    except Exception:  # noqa: BLE001 — as above
        return None


def team_ids(ctx, param, incomplete):
    config = _config(ctx)
    team = config.team if config else []
    return _items([m.get("id") for m in team if m.get("id")], incomplete,
                  {m.get("id"): f"{m.get('name')} ({m.get('role')})" for m in team})


def stages(ctx, param, incomplete):
    config = _config(ctx)
    return _items(config.rules["approval_chain"] if config else [], incomplete)
