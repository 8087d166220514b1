"""Options and output shared by the commands (like sqlite-utils' output_options)."""

from __future__ import annotations

import click

from ..render import output
from ..render.locale import headings
from ..render.problems import TextReporter
from . import app_context


def format_option(*formats, default="table"):
    formats = formats or output.FORMATS
    return click.option("--format", "fmt", type=click.Choice(formats), default=default, show_default=True,
                        help="Output format.")


strict_option = click.option("--strict", is_flag=True, help="Exit 1 with the problems when the workspace has any.")


def read_workspace(strict: bool = False):
    """The workspace for a read command: records with errors left out, one warning on stderr.

    With --strict, any problem (error or warning) prints the problems and exits 1.
    """
    ws = app_context().load()
    if strict and ws.problems:
        click.echo(TextReporter().lines(ws.problems), err=True, nl=False)
        raise click.exceptions.Exit(1)
    errors = ws.error_count
    if errors:
        click.echo(f"warning: {errors} errors in the workspace, records with errors left out; run salesctl validate",
                   err=True)
    return ws.usable()


def emit(rows, columns, fmt, *, document=None, locale=None):
    """Print rows in the chosen format; tables get headings in the workspace locale."""
    labels = headings(locale) if locale else None
    click.echo(output.render_rows(rows, columns, fmt, labels, document=document), nl=False)
