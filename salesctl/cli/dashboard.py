"""`salesctl dashboard`: parse options, gather the figures, write the page (or the figures)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..render import output
from ..dashboard.figures import dashboard_figures, default_period
from ..model.periods import PeriodError, parse_period
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
    per month, the funnel, calls per rep and week and the review grades, each chart with its
    table. It opens offline, mails as one attachment and prints on A4 landscape. Collection
    figures are as of --as-of; sales, activity and reviews are for the period. Charts need the optional extra:
    pip install 'salesctl[dashboard]'.

    \b
    Example:
      salesctl -C sample-workspace dashboard --period 2026-Q3 --as-of 2026-11-30 -o dashboard.html
      salesctl --rev HEAD~5 dashboard -o last-week.html
    """
    app = app_context()
    try:
        chosen = parse_period(period) if period is not None else default_period(app.today)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period")
    if fmt == "html":
        from ..dashboard import charts

        try:
            charts.require()
        except charts.ChartsUnavailable as exc:
            click.echo(f"error: {exc}", err=True)
            raise click.exceptions.Exit(2)
    ws = read_workspace(strict)
    doc = dashboard_figures(ws, chosen, app.today)
    if fmt == "html":
        from ..dashboard.page import render

        text = render(doc, ws.config, _command(chosen.label, app))
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
    from ..query.export import ExportError, write_text

    try:
        write_text(path, text)
    except ExportError as exc:
        raise click.UsageError(str(exc))
    except OSError as exc:
        click.echo(f"error: cannot write {path}: {exc.strerror or exc}", err=True)
        raise click.exceptions.Exit(2)
    click.echo(f"wrote {path}", err=True)
