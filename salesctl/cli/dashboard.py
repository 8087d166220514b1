"""`salesctl dashboard`: parse options, call `salesctl.api` for the figures and the page, write it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api
from ..errors import BadInput, PeriodError
from ..model.periods import parse_period
from ..render import output
from . import app_context, global_options
from .options import read_workspace, strict_option


@click.command()
@click.option("--period", metavar="P", help="YYYY, YYYY-Qn or YYYY-MM (default: the quarter of --as-of).")
@click.option("-o", "--output", "output_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the page to FILE (replaced whole) instead of standard output.")
@click.option("--format", "fmt", type=click.Choice(["html", "json", "yaml"]), default="html", show_default=True,
              help="The page, or the figures it shows as one document.")
@strict_option
@global_options
def dashboard(period, output_path, fmt, strict):
    """One self-contained HTML page for managers: overdue balances by owner and aging, the largest
    overdue receivables, collected against what fell due, signed amount against target, signed
    per month, the funnel, calls per rep and week, the customers due to the public pool and the
    review grades, each chart with its table. It opens offline, mails as one attachment and prints
    on A4 landscape. Collection and pool figures are as of --as-of; sales, activity and reviews
    are for the period. Charts need the optional extra:
    pip install 'salesctl[dashboard]'.

    \b
    Example:
      salesctl -C sample-workspace dashboard --period 2026-Q3 --as-of 2026-11-30 -o dashboard.html
      salesctl --rev HEAD~5 dashboard -o last-week.html
    """
    app = app_context()
    try:
        chosen = parse_period(period) if period is not None else None
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period")
    if fmt == "html":
        from ..dashboard.charts import require

        require()  # before the workspace is read: a missing extra says so at once
    ws = read_workspace(strict)
    doc = api.dashboard(ws, app.today, chosen)
    if fmt == "html":
        text = api.dashboard_page(ws, doc, command=_command(doc["period"], app), cache=not app.no_cache)
    else:
        text = output.render_rows([], [], fmt, document=doc)
    _write(text, output_path)


def _command(period: str, app) -> str:
    """The command line that gives the same figures (the workspace folder left out)."""
    rev = f" --rev {app.rev}" if app.rev else ""
    return f"salesctl{rev} --as-of {app.today.isoformat()} dashboard --period {period}"


def _write(text: str, path: Path | None):
    """To standard output (UTF-8 whatever the terminal), or to a file replaced whole, as report -o does."""
    if path is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return
    from ..query.export import write_text

    try:
        write_text(path, text)
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from None
    click.echo(f"wrote {path}", err=True)
