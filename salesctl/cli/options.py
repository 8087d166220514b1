"""Options and output shared by the commands (like sqlite-utils' output_options).

Declaring an option imports nothing but click: the library is imported where a command runs, so
that `salesctl COMMAND --help` costs what click's own `--help` does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..render import FORMATS
from . import app_context


class DateType(click.ParamType):
    """A date option (`--from`, `--to`): YYYY-MM-DD or YYYYMMDD, read as every date given on the
    command line is (`fields.date_from_text`, which `--as-of`, writers' values and query values use)."""

    name = "date"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        from ..model.fields import date_from_text

        day, code, message = date_from_text(value)
        if code:
            self.fail(message, param, ctx)
        return day


DATE = DateType()


def format_option(*formats, default="table"):
    formats = formats or FORMATS
    return click.option("--format", "fmt", type=click.Choice(formats), default=default, show_default=True,
                        help="Output format.")


strict_option = click.option("--strict", is_flag=True, help="Exit 1 with the problems when the workspace has any.")


def read_workspace(strict: bool = False, reads=None):
    """The workspace for a read command: records with errors left out, one warning on stderr;
    the collections `reads` names (what the API function the command calls declares), else all.

    With --strict, any problem (error or warning) prints the problems and exits 1.
    """
    from ..render.locale import plural
    from ..render.problems import TextReporter

    ws = app_context().load(reads=reads)
    if strict and ws.problems:
        click.echo(TextReporter().lines(ws.problems), err=True, nl=False)
        raise click.exceptions.Exit(1)
    errors = ws.error_count
    if errors:
        click.echo(f"warning: {plural(errors, 'error')} in the workspace, records with errors left out; run salesctl "
                   f"validate", err=True)
    return ws.usable()


output_option = click.option(
    "-o", "--output", "output_file", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of standard output: an Excel workbook when FILE ends in .xlsx, "
         "else the --format output.")


def emit_report(text: str, output_file: Path | None, workbook) -> None:
    """A report on standard output, or in the file of --output: the workbook of the tables
    `workbook()` gives (one sheet each, `query.tables.Table`) when FILE ends in .xlsx, else `text`.
    Every report command takes `output_option` and ends here. A file that cannot be written is a
    usage error (exit 2), as is a missing xlsx extra (`ExportError`)."""
    if output_file is None:
        click.echo(text, nl=False)
        return
    from ..errors import BadInput
    from ..query.export import write_text, write_xlsx

    try:
        if output_file.suffix.lower() == ".xlsx":
            write_xlsx(workbook(), output_file)
        else:
            write_text(output_file, text)
    except OSError as exc:
        raise BadInput(f"cannot write {output_file}: {exc.strerror or exc}") from None
    click.echo(f"wrote {output_file}", err=True)


def emit(rows, columns, fmt, *, document=None, locale=None):
    """Print rows in the chosen format; tables get headings in the workspace locale."""
    from ..render import output
    from ..render.locale import headings

    labels = headings(locale) if locale else None
    click.echo(output.render_rows(rows, columns, fmt, labels, document=document), nl=False)
