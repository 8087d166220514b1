"""A writer's plan: the new bytes of every file a write would change, checked against the whole
workspace before anything is written (`check`); `storage.apply` writes it.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from ..errors import Refused
from ..load.pipeline import TypedFiles, load, type_file
from ..load.source import FileSource, OverlaySource
from ..model.problems import Problem
from ..model.records import RecordBuilder


@dataclass
class FileChange:
    path: str  # relative to the workspace root
    before: bytes | None  # None: a new file
    after: bytes


@dataclass
class Plan:
    files: list[FileChange]
    summary: list[str]  # one line per thing done, for the user
    ids: list[str] = field(default_factory=list)  # records created
    warnings: list[Problem] = field(default_factory=list)  # warnings the write adds (it is not refused)

    def diff(self) -> str:
        """A unified diff of every file, as `git diff` would show it."""
        out = []
        for change in self.files:
            old = change.before.decode("utf-8") if change.before is not None else ""
            lines = difflib.unified_diff(old.splitlines(True), change.after.decode("utf-8").splitlines(True),
                                         "/dev/null" if change.before is None else f"a/{change.path}",
                                         f"b/{change.path}")
            for line in lines:
                out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)


# Warnings a write may not add, though a hand edit may: who decides an approval is not a matter of
# taste; an entry dated in the future and a second customer of one name are written only when
# asked for (`force`).
REFUSED_WARNINGS = ("approval-authority",)
FORCED_WARNINGS = ("future-date", "duplicate-name")


def check(ws, plan: Plan, parsed: dict | None = None, *, force: bool = False) -> Plan:
    """Load the workspace with the plan applied; refuse when that adds an error, or a warning of
    REFUSED_WARNINGS (of FORCED_WARNINGS unless `force`).

    The files the plan leaves alone keep the records `ws` typed (records never change once built);
    only the planned files are parsed and typed, and the rules run over the whole result, dates
    checked as of the same day as `ws`. `parsed` holds what `parse_bytes` read from some planned
    files' bytes (a writer of thousands of files parses each one to verify it): those are typed
    from it, not parsed again. Without a usable salesctl.yaml nothing can be checked, so nothing is
    written.
    """
    ws.require_config()
    source = OverlaySource(FileSource(ws.root), {change.path: change.after for change in plan.files})
    unchanged = None
    if ws.typed is not None:
        typed, kept = ws.typed.files, set(ws.typed.files) - set(source.overlay)
        if parsed:
            builder = RecordBuilder(ws.config)
            typed = {**typed, **{rel: type_file(builder, rel, result) for rel, result in parsed.items()}}
            kept |= set(parsed) & set(source.overlay)
        unchanged = TypedFiles(typed, ws.typed.fingerprint).restricted_to(kept)
    after = load(ws.root, source=source, records_cache=unchanged, as_of=ws.as_of)
    errors, warnings = _added(ws.problems, after.problems)
    if errors:
        count = f"{len(errors)} error{'s' if len(errors) > 1 else ''}"
        raise Refused(f"refused: this would add {count} to the workspace; nothing written", errors)
    refused = [p for p in warnings if p.code in REFUSED_WARNINGS or p.code in FORCED_WARNINGS and not force]
    if refused:
        codes = ", ".join(dict.fromkeys(p.code for p in refused))
        hint = " (--force writes it anyway)" if all(p.code in FORCED_WARNINGS for p in refused) else ""
        count = f"{len(refused)} {codes} warning{'s' if len(refused) > 1 else ''}"
        raise Refused(f"refused: this would add {count}{hint}; nothing written", refused)
    plan.warnings = warnings
    return plan


def _added(before: list[Problem], after: list[Problem]) -> tuple[list, list]:
    """Problems of `after` that `before` does not have (line numbers may have moved)."""
    remaining = Counter(_problem_key(p) for p in before)
    errors, warnings = [], []
    for p in after:
        key = _problem_key(p)
        if remaining[key]:
            remaining[key] -= 1
        else:
            (errors if p.is_error else warnings).append(p)
    return errors, warnings


def _problem_key(p: Problem) -> tuple:
    return (p.path, p.code, re.sub(r"(\bline |\.ya?ml:)[0-9]+", r"\1#", p.message))
