"""Problems are data: every check returns them, the CLI renders them as text or JSON."""

from __future__ import annotations

from typing import NamedTuple

ERROR = "error"
WARNING = "warning"

# code -> severity, in the order of docs/validation.md#codes.
CODES = {
    "yaml-syntax": ERROR,
    "not-utf8": ERROR,
    "duplicate-key": ERROR,
    "not-a-record": ERROR,
    "missing-field": ERROR,
    "bad-type": ERROR,
    "bad-value": ERROR,
    "bad-date": ERROR,
    "bad-amount": ERROR,
    "unknown-field": WARNING,
    "duplicate-id": ERROR,
    "id-filename": WARNING,
    "unknown-ref": ERROR,
    "amount-mismatch": ERROR,
    "over-scheduled": ERROR,
    "under-scheduled": WARNING,
    "overpaid": ERROR,
    "approval-order": ERROR,
    "approval-missing": ERROR,
    "owner-history": ERROR,
    "approval-stale": ERROR,  # a warning once the contract is signed
    "date-order": ERROR,
    "bad-config": ERROR,
    "bad-email": WARNING,
    "bad-phone": WARNING,
    "approval-authority": WARNING,
    "future-date": WARNING,
    "promise-before-action": WARNING,
    "duplicate-name": WARNING,
    "duplicate-review": ERROR,
}


class Problem(NamedTuple):
    """One finding at one place. `record` ties it to the record it makes unusable (or None)."""

    path: str
    line: int
    column: int
    severity: str
    code: str
    message: str
    record: tuple | None = None  # (collection, record index) — not part of the rendered output

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}[{self.code}]: {self.message}"


def problem(code: str, path: str, pos: tuple[int, int], message: str, *, record=None, severity=None) -> Problem:
    """Build a problem with the severity `CODES` gives its code."""
    return Problem(path, pos[0], pos[1], severity or CODES[code], code, message, record)


def sort_key(p: Problem):
    return (p.path, p.line, p.column, p.code, p.message)


def count(problems) -> tuple[int, int]:
    errors = sum(1 for p in problems if p.severity == ERROR)
    return errors, len(problems) - errors


def close_matches(word: str, candidates) -> list[str]:
    """The one candidate most like `word`, if any is close: what a "did you mean" hint names.
    difflib is imported only when a hint is wanted, not by every command that might give one."""
    import difflib

    return difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
