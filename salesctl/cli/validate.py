"""`salesctl validate`."""

from __future__ import annotations

import click

from ..output import to_json
from ..problems import count
from . import app_context, global_options


@click.command()
@click.option("--strict", is_flag=True, help="Also exit 1 when there are warnings.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@global_options
def validate(strict, fmt):
    """Check every file, every record and every rule; report all problems in one run.

    Text output is one line per problem, PATH:LINE:COL: SEVERITY[CODE]: MESSAGE, then a summary.
    Exit 1 when there is an error (with --strict: or a warning).

    \b
    Example:
      salesctl -C sample-workspace validate --strict
    """
    ws = app_context().load()
    errors, warnings = count(ws.problems)
    if fmt == "json":
        document = {"problems": [p.as_dict() for p in ws.problems], "errors": errors, "warnings": warnings,
                    "files": ws.files}
        click.echo(to_json(document), nl=False)
    else:
        for p in ws.problems:
            click.echo(p.format())
        click.echo(f"{errors} errors, {warnings} warnings in {ws.files} files")
    if errors or (strict and warnings):
        raise click.exceptions.Exit(1)
