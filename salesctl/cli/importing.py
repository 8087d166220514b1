"""`salesctl import`: the rows of a spreadsheet in, as records added or updated, in one write.

Like every writer: the lock, the workspace read, the plan built and checked (`write.importing.plan`),
written all or nothing (`storage`); --dry-run prints the plan and writes nothing. Problems print
as FILE:ROW:COLUMN: SEVERITY[CODE]: MESSAGE; --format json gives the plan and the problems as one
document for scripts.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from .. import storage
from ..load.loader import open_workspace
from ..model.problems import count
from ..model.records import collection_of
from ..render.locale import headings, plural
from ..render.output import cell_text, to_json
from ..write.importing.columns import IMPORTED, PROBLEMS_COLUMN
from ..write.importing.plan import plan_import
from ..write.importing.sheets import read_sheet, sheet_format, write_sheet
from ..errors import BadInput, SheetError, StorageError
from . import _progress_enabled, app_context, global_options
from .writers import dry_run_option

ACTIONS = (("add", "added"), ("update", "updated"), ("unchanged", "unchanged"), ("rejected", "rejected"))


@click.command("import")
@click.argument("collection", metavar="COLLECTION")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--map", "mapping", multiple=True, metavar="COLUMN=FIELD",
              help="Read column COLUMN (its heading) as FIELD, a field name or dotted path (客户级别=tier, "
                   "手机=contacts.0.phone); COLUMN= ignores the column. Repeatable.")
@click.option("--sheet", metavar="NAME", help="The sheet of an .xlsx workbook to read (default: the first).")
@click.option("--key", metavar="FIELD[,FIELD...]",
              help="The fields that find a row's existing record, to update it (default: id when the sheet "
                   "has an id column, else customers name; visits customer,rep,date,channel; contracts "
                   "customer,title,created; receivables contract,due; payments receivable,date,amount).")
@click.option("--rejects", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="Set the rows with errors aside in FILE (the input's format, with a last column saying "
                   "what is wrong) and import the others.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: the problems (and with --dry-run the plan), json: one document with both.")
@dry_run_option
@global_options
def import_(collection, file, mapping, sheet, key, rejects, fmt, dry_run):
    """Import the rows of FILE (.csv or .xlsx) into COLLECTION: customers, visits, contracts,
    receivables, or payments (added to existing receivables).

    Columns are matched by field name, dotted path, the headings salesctl prints (客户名称,
    负责人, …) or --map. A row whose key finds a record updates the fields it gives; the others
    add records, with the collection's next ids. Every row is checked first: any error writes
    nothing (exit 1), unless --rejects sets the bad rows aside. Importing the same file twice
    changes nothing the second time.

    \b
    Example:
      salesctl import customers 客户.xlsx --map 客户级别=tier --dry-run
      salesctl import payments 回款.csv --map 回款日期=date --map 回款金额=amount --rejects 回款-错误.csv
    """
    app = app_context()
    name = collection_of(collection) or ("payments" if collection.lower() in ("payment", "payments") else None)
    if name not in IMPORTED:
        raise click.UsageError(f"cannot import into {collection!r}; one of {', '.join(IMPORTED)}")
    if app.rev:
        raise BadInput("import changes the working tree; --rev is for read commands")
    if rejects is not None and sheet_format(rejects) != sheet_format(file):
        raise SheetError(f"--rejects {rejects}: rows are set aside in the format of {file}; give a "
                         f"{file.suffix.lower()} file")
    if not file.is_file():
        raise SheetError(f"{file}: no such file")
    data = read_sheet(file, sheet=sheet, shown=str(file))
    progress = _Progress.start()
    root = app.root()
    written = False
    try:
        if dry_run:
            ws, result = _plan(app, root, name, data, key, mapping, rejects, progress)
        else:
            with storage.writer_lock(root) as recovered:
                if recovered is not None:
                    click.echo(f"note: {recovered.message()}", err=True)
                ws, result = _plan(app, root, name, data, key, mapping, rejects, progress)
                if result.plan is not None and result.plan.files:
                    if progress:
                        progress.say(f"writing {plural(len(result.plan.files), 'file')}…")
                    storage.apply(root, result.plan.files, note="; ".join(result.plan.summary))
                    written = True
    except OSError as exc:
        raise StorageError(f"cannot write: {exc.strerror or exc} ({exc.filename or root}); nothing written") from None
    finally:
        if progress:
            progress.done()
    set_aside = _set_aside(result, data, rejects, ws.config.locale)
    if fmt == "json":
        click.echo(to_json(_document(result, dry_run, written, set_aside)), nl=False)
    else:
        _report(result, dry_run, written, set_aside)
    if result.blocked:
        raise click.exceptions.Exit(1)


def _plan(app, root, name, data, key, mapping, rejects, progress):
    """The workspace and the plan, made as the CLI loads a workspace (`AppContext.loading`): kept
    until the command exits, out of the collector's sight, which would otherwise scan them while
    the files are written."""
    with app.loading():
        ws = open_workspace(root, use_cache=not app.no_cache, progress=_progress_enabled())
        result = plan_import(ws, name, data, key=key, mapping=mapping, as_of=app.today,
                             set_aside=rejects is not None, progress=progress)
    return ws, result


def _set_aside(result, data, rejects, locale: str) -> str | None:
    """Write the rows with errors to --rejects FILE, each with what is wrong in a last column."""
    if rejects is None or not result.rejected:
        return None
    messages: dict = {}
    for p in result.problems:
        if p.is_error and p.path == data.name:
            messages.setdefault(p.line, []).append(f"{p.code}: {p.message}")
    header = data.rows[result.header - 1].cells if result.header else ()
    width = max([len(header), *(len(row.cells) for row in result.rejected)])
    label = headings(locale).get(PROBLEMS_COLUMN, PROBLEMS_COLUMN)
    rows = [list(header) + [None] * (width - len(header)) + [label]]
    rows += [list(row.cells) + [None] * (width - len(row.cells)) + ["; ".join(messages.get(row.number, []))]
             for row in result.rejected]
    try:
        write_sheet(rejects, data, rows)
    except OSError as exc:
        raise BadInput(f"cannot write {rejects}: {exc.strerror or exc}") from None
    return str(rejects)


def _report(result, dry_run: bool, written: bool, set_aside):
    for p in result.problems:
        click.echo(p.format(), err=True)
    if dry_run:
        for outcome in result.outcomes:
            click.echo(_line(outcome))
    errors, _ = count(result.problems)
    rejected = result.count("rejected")
    if result.blocked:
        hint = "" if set_aside or not result.rejected else ("; --rejects FILE sets the rows with errors aside and "
                                                            "imports the others")
        click.echo(f"error: refused: {plural(errors, 'error')}; nothing written{hint}", err=True)
        return
    words = ("to add", "to update") if dry_run else ("added", "updated")
    added = [o.id for o in result.outcomes if o.action == "add"] if result.collection != "payments" else []
    ids = f" ({added[0]}{' … ' + added[-1] if len(added) > 1 else ''})" if added else ""
    counts = f"{result.count('add')} {words[0]}{ids}, {result.count('update')} {words[1]}, {result.count('unchanged')} unchanged"
    if rejected:
        counts += f", {rejected} rejected" + (f" (set aside in {set_aside})" if set_aside else "")
    done = "dry run: nothing written" if dry_run else f"imported into {result.collection}" if written else "nothing to write"
    click.echo(f"{result.sheet.name}: {counts}; {done}", err=True)


def _line(outcome) -> str:
    what = outcome.id or ""
    if outcome.entry is not None:
        what += f" payments.{outcome.entry}"
    changes = "" if outcome.action == "add" else "; ".join(f"{name} {_cell(old)} → {_cell(new)}"
                                                          for name, (old, new) in outcome.changes.items())
    return f"row {outcome.row}: {outcome.action} {what}".rstrip() + (f": {changes}" if changes else "")


def _cell(value) -> str:
    return cell_text(value, table=True) if value is not None else "(none)"


def _document(result, dry_run: bool, written: bool, set_aside) -> dict:
    errors, warnings = count(result.problems)
    rows = []
    for o in result.outcomes:
        row = {"row": o.row, "action": o.action, "id": o.id}
        if result.collection == "payments":
            row["entry"] = o.entry
        row["changes"] = {name: {"before": old, "after": new} for name, (old, new) in o.changes.items()}
        rows.append(row)
    return {
        "file": result.sheet.name, "sheet": result.sheet.title, "collection": result.collection,
        "header_row": result.header,
        "columns": [{"column": c.number, "heading": c.heading, "field": c.field,
                     "matched_by": c.target.matched if c.target else ("computed" if c.computed else None)}
                    for c in result.columns],
        "key": list(result.key),
        "rows": rows,
        "counts": {word: result.count(action) for action, word in ACTIONS},
        "problems": [p.as_dict() for p in result.problems],
        "errors": errors, "warnings": warnings,
        "dry_run": dry_run, "written": written, "rejects": set_aside,
    }


class _Progress:
    """A progress bar on stderr for long imports, on a terminal only (never in pipes or cron),
    shown once a stage has taken a second."""

    WIDTH = 30

    def __init__(self):
        self.started = time.monotonic()
        self.shown = False

    @classmethod
    def start(cls):
        if not sys.stderr.isatty() or os.environ.get("CI"):
            return None
        return cls()

    def __call__(self, stage: str, done: int, total: int):
        if time.monotonic() - self.started < 1.0:
            return
        filled = self.WIDTH * done // max(total, 1)
        label = {"rows": "rows read", "files": "records made"}.get(stage, stage)
        click.echo(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total} {label}\x1b[K", err=True, nl=False)
        self.shown = True

    def say(self, text: str):
        if time.monotonic() - self.started >= 1.0:
            click.echo(f"\r{text}\x1b[K", err=True, nl=False)
            self.shown = True

    def done(self):
        if self.shown:
            click.echo("\r\x1b[K", err=True, nl=False)
