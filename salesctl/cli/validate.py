"""`salesctl validate`."""

from __future__ import annotations

import click

from ..model.problems import count
from ..render.output import to_json
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
      salesctl validate --changed          # in a pre-commit hook
    """
    app = app_context()
    paths = None
    if changed is not None:
        from ..load.revisions import changed_since

        if app.rev is not None:
            raise click.UsageError("--changed compares with the working tree; it cannot be used with --rev")
        paths = changed_since(app.root(), changed)
    ws = app.load(require_config=False)
    problems, files = ws.problems, ws.files
    if paths is not None:
        from ..load.revisions import problems_in_files

        problems, files = problems_in_files(ws, paths)
    errors, warnings = count(problems)
    if fmt == "json":
        document = {"problems": [p.as_dict() for p in problems], "errors": errors, "warnings": warnings,
                    "files": files}
        click.echo(to_json(document), nl=False)
    else:
        for p in problems:
            click.echo(p.format())
        click.echo(f"{errors} errors, {warnings} warnings in {files} files")
    if errors or (strict and warnings):
        raise click.exceptions.Exit(1)
