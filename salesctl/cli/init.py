"""`salesctl init`."""

from __future__ import annotations

from pathlib import Path

import click

from ..scaffold import InitError, create_workspace
from . import global_options


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--sample", is_flag=True, help="Fill the workspace with the sample company's data.")
@click.option("--company", metavar="NAME", help="Company name for the new config (default: the directory name).")
@click.option("--locale", type=click.Choice(["zh_CN", "en_US"]), default="zh_CN", show_default=True)
@global_options
def init(directory, sample, company, locale):
    """Create a workspace in DIRECTORY: salesctl.yaml, the five collection folders, .gitignore,
    and a git repository when DIRECTORY is not inside one.

    \b
    Example:
      salesctl init acme-sales --sample && salesctl -C acme-sales validate
    """
    try:
        for line in create_workspace(directory, sample=sample, company=company, locale=locale):
            click.echo(line, err=True)
    except (InitError, OSError) as exc:
        raise click.UsageError(str(exc))
