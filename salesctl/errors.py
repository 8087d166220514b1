"""Every way a command can stop short, as one family of exceptions that carry their exit code.

A bad record is never an exception: it is a problem (`model.problems`), reported with all the
others. An exception means a command cannot do what was asked; its message says why in the user's
terms. The command line prints it once, at the top (`salesctl/cli/__init__.py`): a `UsageError`
after the command's usage, as click shows its own; any other as `error: MESSAGE` on stderr,
followed by the problems it carries; then it exits with `exit_code`. Exit codes:
docs/commands.md#exit-codes.
"""

from __future__ import annotations


class SalesctlError(Exception):
    """The base of every salesctl error (exit 1). `label` names the kind of failure where the
    command line shows it before the message (`error: refused: …`)."""

    exit_code = 1
    label = ""

    def __init__(self, message: str, problems=None):
        super().__init__(message)
        self.problems = list(problems or ())

    def shown(self) -> str:
        """The message as the command line prints it."""
        return f"{self.label}: {self}" if self.label else str(self)


# --- exit 2: the command cannot use what it was given --------------------------------------

class UsageError(SalesctlError):
    """An argument or option the command cannot take; shown after the command's usage (exit 2)."""

    exit_code = 2


class PeriodError(UsageError):
    """Not a period (YYYY, YYYY-Qn, YYYY-MM), or a from/to range that is not one."""


class QueryError(UsageError):
    """A bad query expression, field or value, or an unknown collection."""


class SQLError(UsageError):
    """A statement SQLite cannot run (syntax, unknown table or column)."""

    label = "SQL"


class ExportError(UsageError):
    """The export cannot be made as asked (unknown format, missing extra)."""


class InitError(UsageError):
    """`init` cannot create the workspace or the hook where it was asked."""


class NotConfigured(UsageError):
    """A channel asked for (`remind --via`) that `notify` does not list."""


class BadInput(SalesctlError):
    """A value given to a command that cannot be used: an amount, a date, an id, a file to write
    (exit 2)."""

    exit_code = 2


class SheetError(BadInput):
    """A file that cannot be read (or written back) as a spreadsheet at all (`import`)."""


class ColumnError(BadInput):
    """A `--map` or `--key` of `import` that names no column or field of the sheet."""


class WorkspaceError(SalesctlError):
    """No usable workspace: none found, a salesctl.yaml that gives no config, a working tree that
    cannot be read safely (exit 2)."""

    exit_code = 2


class GitError(WorkspaceError):
    """Git could not give what was asked: no repository, unknown revision, shallow history."""


# --- exit 1: the command would not, or could not, finish -----------------------------------

class Refused(SalesctlError):
    """salesctl will not do what was asked, and did nothing: a write that would add an error
    (the `problems` it would add), a record left out for its errors, a cancelled edit."""


class EditError(Refused):
    """A file's shape does not allow a writer's edit, or the edit could not be verified."""


class SQLRefused(Refused):
    """A statement that would write, reach outside the database or call a function not offered."""

    label = "refused"


class SQLStopped(SalesctlError):
    """A statement stopped at one of its limits; `limit` says which: "time" or "memory"."""

    label = "stopped"

    def __init__(self, message: str, limit: str):
        super().__init__(message)
        self.limit = limit


class DraftError(SalesctlError):
    """A draft that cannot be rendered; `path` and `line` locate the problem in a template when
    known, and `variable` names the undefined variable of an undefined-variable error."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 variable: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.variable = variable


class MailError(SalesctlError):
    """An address that cannot go into a header, or an SMTP server that will not take the mail."""


class MailRefused(MailError):
    """The server would not take one message (its recipient, sender or content); others may go."""


class RobotError(SalesctlError):
    """A post a WeCom or DingTalk group robot did not take. `fatal`: every later post would fail the
    same way; `too_fast`: the robot refused it as over its messages a minute."""

    def __init__(self, message: str, *, fatal: bool = False, too_fast: bool = False):
        super().__init__(message)
        self.fatal, self.too_fast = fatal, too_fast


class JournalError(SalesctlError):
    """The send journal cannot be read or written: what is delivered could not be told or kept."""


class StorageError(SalesctlError):
    """A write (or a read of the working tree) that cannot go ahead safely; the message says why."""


class LockTimeout(StorageError):
    """Another command kept a lock for longer than the timeout."""


class Conflict(StorageError):
    """A file changed on disk between reading it and writing it."""


class Unsafe(StorageError):
    """A link, or a file that is not salesctl's, where salesctl would write."""

    label = "cannot write"


class Unfinished(StorageError):
    """A plan is half written, and its journal can be neither finished nor undone for now."""
