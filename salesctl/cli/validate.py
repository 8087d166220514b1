"""`salesctl validate`."""

from __future__ import annotations

import click

from ..api import validate as validate_workspace
from ..model.problems import count
from ..render.problems import REPORTERS
from . import app_context, global_options


@click.command()
@click.option("--strict", is_flag=True, help="Also exit 1 when there are warnings.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--changed", metavar="[REV]", is_flag=False, flag_value="HEAD", default=None,
              help="Only report problems in files changed since REV (default HEAD): staged, unstaged or "
                   "untracked; the rules still run over the whole workspace.")
@global_options
def validate(strict, fmt, changed):
    """Check every file, every record and every rule; report all problems in one run.

    Text output is one line per problem, PATH:LINE:COL: SEVERITY[CODE]: MESSAGE, then a summary.
    Exit 1 when there is an error (with --strict: or a warning).

    \b
    Example:
      salesctl -C sample-workspace validate --strict
      salesctl validate --changed          # only problems in files changed since HEAD
    """
    app = app_context()
    if changed is not None and app.rev is not None:
        raise click.UsageError("--changed compares with the working tree; it cannot be used with --rev")
    problems, files = validate_workspace(app.load(require_config=False, reads=validate_workspace.reads),
                                          changed_since=changed)
    click.echo(REPORTERS[fmt].report(problems, files), nl=False)
    errors, warnings = count(problems)
    if errors or (strict and warnings):
        raise click.exceptions.Exit(1)
