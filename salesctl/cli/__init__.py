"""The command line: parses options, calls the library, renders. No behaviour lives here.

Commands are imported only when run (`LazyGroup`), so `salesctl --help` stays fast. Global
options are accepted before or after the subcommand: both the group and every command carry
them, and whichever is given last wins. Errors are rendered here, once: a library `UsageError`
after the command's usage (`global_options`), any other `SalesctlError` as `error: …` with the
exit code it carries (`LazyGroup.invoke`).
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from contextlib import contextmanager
from datetime import date

import click

from .. import __version__

# name -> (module, function, one-line help). Modules live in salesctl/cli/.
COMMANDS = {
    "init": ("init", "init", "Create a new workspace (optionally with the sample data)."),
    "validate": ("validate", "validate", "Check every file, record and rule of the workspace."),
    "query": ("query", "query", "List records with their derived fields, filtered and sorted."),
    "show": ("query", "show", "Show one record, its derived fields and related records."),
    "sql": ("sql", "sql", "Run a read-only SQL query over the workspace."),
    "export": ("sql", "export", "Export the workspace tables to SQLite, CSV or Excel."),
    "schema": ("schema", "schema", "Print the JSON Schema of the record formats."),
    "report": ("report", "report", "Overdue ledger, KPIs, reviews, sales activity, commission, bonus, customer load."),
    "remind": ("remind", "remind", "What each person must do today; print, write .eml or send."),
    "draft": ("draft", "draft", "Render a contract draft from a template."),
    "dashboard": ("dashboard", "dashboard", "One HTML page of charts for managers: collection, sales, reviews."),
    "new": ("writers", "new", "Add a record with the next id."),
    "pay": ("writers", "pay", "Record a payment on a receivable."),
    "collect": ("writers", "collect", "Log a collection action on a receivable."),
    "approve": ("writers", "approve", "Approve or reject a contract at a stage of the chain."),
    "schedule": ("writers", "schedule", "Create a contract's receivables from a payment plan."),
    "pool": ("pool", "pool", "The public pool (公海): customers nobody owns; `pool sweep` releases the due ones."),
    "claim": ("pool", "claim", "Take a customer from the public pool for yourself."),
    "assign": ("pool", "assign", "Move customers to a rep, or release them to the public pool."),
    "allocate": ("pool", "allocate", "Hand the public pool's customers out to reps by tier and load."),
    "import": ("importing", "import_", "Import records from a CSV file or an Excel sheet."),
    "sign": ("lifecycle", "sign", "Mark an approved contract signed."),
    "complete": ("lifecycle", "complete", "Mark a signed contract completed."),
    "terminate": ("lifecycle", "terminate", "Terminate a contract, recording who, when and why."),
    "write-off": ("lifecycle", "write_off", "Write a receivable off as a bad debt."),
    "set": ("setfield", "set_", "Change any field of any record."),
    "diff": ("git", "diff", "Record-level changes between revisions and their effect on the figures."),
    "log": ("git", "log", "The commits that changed one record."),
    "doctor": ("doctor", "doctor", "Check the environment a cron job runs in."),
}


class AppContext:
    """What the global options say, and the workspace, loaded on first use (like flask's ScriptInfo)."""

    def __init__(self, owns_process: bool = False):
        self.owns_process = owns_process  # run by `main`: the process ends with the command
        self.workspace_dir: str | None = None
        self.as_of: date | None = None
        self.rev: str | None = None
        self.no_cache = False
        self.debug = False
        self._workspace = None
        self._root = None
        self._today: date | None = None

    @property
    def today(self) -> date:
        """--as-of, else today where the workspace is (its `timezone`), else the system's today;
        decided once per command."""
        if self.as_of is not None:
            return self.as_of
        if self._today is None:
            from ..load.loader import read_settings
            from ..model.workspace import WorkspaceError

            try:
                root = self.root()
            except WorkspaceError:
                root = None
            self._today = read_settings(root).today() if root is not None else date.today()
        return self._today

    def root(self):
        from ..load.paths import find_root

        if self._root is None:
            self._root = find_root(self.workspace_dir)
        return self._root

    def load(self, require_config: bool = True, reads=None):
        """The workspace with its problems (cached for the rest of the command): the collections
        `reads` names (a read function's `reads`; see `api.open_workspace`), else every one.

        Without a usable salesctl.yaml it is a usage error (exit 2) unless `require_config` is
        false: only `validate` reads a workspace whose records cannot be checked.
        """
        from ..model.records import COLLECTIONS

        if self._workspace is None or not set(COLLECTIONS if reads is None else reads) <= set(self._workspace.loaded):
            from ..api import open_workspace

            # The working tree's load reads salesctl.yaml anyway, and finds today there itself.
            as_of = (self._today or self.as_of) if self.rev is None else self.today
            with self.loading():
                self._workspace = open_workspace(self.root(), rev=self.rev, cache=not self.no_cache,
                                                 progress=_progress_enabled(), require_config=False,
                                                 as_of=as_of, reads=reads)
            self._today = self._today or self._workspace.as_of
        if require_config:
            self._workspace.require_config(self.rev)
        return self._workspace

    @contextmanager
    def loading(self):
        """Load with the cyclic collector paused (what a load builds holds no reference cycles).
        When the command owns its process, it keeps what it loaded until it exits: that is then
        moved out of the collector's sight (`gc.freeze`), or every later collection would scan it
        again. Under another program (click's test runner, say) nothing is frozen, since frozen
        objects are never collected while that program goes on."""
        from ..load.pipeline import collector_paused

        with collector_paused():
            yield
            if self.owns_process:
                gc.freeze()


def _progress_enabled():
    """A progress callback for cold loads, shown on a terminal only (never in pipes or cron)."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    import time

    started = time.monotonic()
    shown = []

    def progress(done, total):
        if time.monotonic() - started < 1.0:
            return
        shown.append(True)
        end = "\n" if done >= total else ""
        click.echo(f"\rparsing {done}/{total} files…", err=True, nl=False)
        if end:
            click.echo("", err=True)

    return progress


def _store(name):
    def callback(ctx, param, value):
        if value is None or value is False:
            return value
        app = ctx.find_root().ensure_object(AppContext)
        setattr(app, name, value)
        return value

    return callback


def _parse_as_of(ctx, param, value):
    if value is None:
        return None
    from ..model.fields import date_from_text

    day, code, message = date_from_text(value)
    if code:
        raise click.BadParameter(message, ctx=ctx, param=param)
    return _store("as_of")(ctx, param, day)


GLOBAL_OPTIONS = [
    click.option("-C", "--workspace", "workspace_dir", metavar="DIR", expose_value=False, callback=_store("workspace_dir"),
                 help="Workspace directory (default: $SALESCTL_WORKSPACE, else the nearest salesctl.yaml upwards)."),
    click.option("--as-of", metavar="DATE", expose_value=False, callback=_parse_as_of,
                 help="Compute everything as of this date (YYYY-MM-DD or YYYYMMDD; default today)."),
    click.option("--rev", metavar="REV", expose_value=False, callback=_store("rev"),
                 help="Read the workspace as committed at this git revision."),
    click.option("--no-cache", is_flag=True, default=None, expose_value=False, callback=_store("no_cache"),
                 help="Parse every file afresh; do not read or write .salesctl/cache."),
    click.option("--debug", is_flag=True, default=None, expose_value=False, callback=_store("debug"),
                 help="Show a traceback on internal errors."),
]


def global_options(f):
    """Every command's global options; a library `UsageError` it raises is shown as click shows its
    own, after the command's usage (click gives the error the command's context)."""
    for option in reversed(GLOBAL_OPTIONS):
        f = option(f)

    @functools.wraps(f)
    def command(*args, **kwargs):
        from ..errors import UsageError

        try:
            return f(*args, **kwargs)
        except UsageError as exc:
            raise click.UsageError(exc.shown()) from None

    return command


def app_context() -> AppContext:
    return click.get_current_context().find_root().ensure_object(AppContext)


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        import importlib

        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(f"salesctl.cli.{module}"), attr)

    def format_commands(self, ctx, formatter):
        """The command list from the registry's own help lines: --help imports no command."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_, _, help_) in COMMANDS.items()])

    def invoke(self, ctx):
        from ..errors import SalesctlError

        try:
            return super().invoke(ctx)
        except SalesctlError as exc:
            from ..render.problems import TextReporter

            click.echo(f"error: {exc.shown()}", err=True)
            click.echo(TextReporter().lines(exc.problems), err=True, nl=False)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, KeyboardInterrupt, SystemExit):
            raise
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(1)
        except Exception as exc:  # the last line of defence: never a traceback without --debug
            if ctx.ensure_object(AppContext).debug:
                raise
            click.echo(f"error: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
            ctx.exit(2)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog="Example: salesctl -C sample-workspace report overdue --as-of 2026-11-30")
@click.version_option(__version__, "--version", prog_name="salesctl")
@global_options
@click.pass_context
def cli(ctx):
    """salesctl: customers, visits, contracts, receivables and reviews kept as YAML files in git.

    Global options may be given before or after the command.
    """
    ctx.ensure_object(AppContext)


def main(args=None, prog_name="salesctl"):
    """The program. Run on the process's own arguments (no `args`: the `salesctl` command, `python
    -m salesctl`), it ends the process when the command is done (`_end`)."""
    try:
        cli.main(args=args, prog_name=prog_name, obj=AppContext(owns_process=True))
    except BrokenPipeError:  # `salesctl query … | head`
        sys.stderr.close()
        sys.exit(1)
    except SystemExit as exc:
        if args is None:
            _end(exc.code)
        raise


def _end(code):
    """Exit as Python does, but without freeing every object one by one first: what a command
    loaded is some hundred thousand objects, and freeing them was the last 5% of a warm query. The
    exit handlers run and the output is flushed, as at any exit; the system takes the memory back."""
    import atexit

    if code is not None and not isinstance(code, int):  # sys.exit("message")
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    code = code or 0
    for stream in (sys.stdout, sys.stderr):
        try:
            if not stream.closed:
                stream.flush()
        except BrokenPipeError:  # the reader went away: as `salesctl query … | head` ends anyway
            code = code or 1
        except (OSError, ValueError):
            code = code or 120  # what Python exits with when it cannot flush its output
    os._exit(code)
