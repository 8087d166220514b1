"""`salesctl init`."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InitError
from ..model.config import CONFIG_FILE
from ..scaffold import create_workspace, install_hook
from . import global_options


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--sample", is_flag=True, help="Fill the workspace with the sample company's data.")
@click.option("--company", metavar="NAME", help="Company name for the new config (default: the directory name).")
@click.option("--locale", type=click.Choice(["zh_CN", "en_US"]), default="zh_CN", show_default=True)
@click.option("--hook", is_flag=True,
              help="Also write the git pre-commit hook that runs salesctl validate (in an existing workspace: only that).")
@click.option("--force", is_flag=True, help="With --hook: replace an existing pre-commit hook (kept as pre-commit.old).")
@global_options
def init(directory, sample, company, locale, hook, force):
    """Create a workspace in DIRECTORY: salesctl.yaml, the five collection folders, .gitignore,
    and a git repository when DIRECTORY is not inside one.

    \b
    Example:
      salesctl init acme-sales --sample && salesctl -C acme-sales validate
      salesctl init --hook          # in an existing workspace: add the pre-commit hook
    """
    if force and not hook:
        raise click.UsageError("--force only goes with --hook")
    try:
        done = [] if hook and (directory / CONFIG_FILE).is_file() else create_workspace(
            directory, sample=sample, company=company, locale=locale)
        if hook:
            done += install_hook(directory, force=force)
        for line in done:
            click.echo(line, err=True)
    except OSError as exc:
        raise InitError(str(exc)) from None
