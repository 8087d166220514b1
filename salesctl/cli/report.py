"""`salesctl report overdue|kpi|review`: parse options, call `salesctl.reports`, print `render.reports`."""

from __future__ import annotations

import click

from .. import api
from ..errors import PeriodError
from ..model.periods import Period, parse_period, period_range
from ..render.reports import render_kpi, render_overdue, render_review
from ..reports.overdue import GROUPINGS
from . import app_context, global_options
from .options import format_option, read_workspace, strict_option


@click.group()
@global_options
def report():
    """Overdue collection ledger, KPIs and performance reviews, as of --as-of.

    \b
    Example:
      salesctl -C sample-workspace report overdue --as-of 2026-11-30
    """


# --- overdue -----------------------------------------------------------------------------

@report.command()
@click.option("--by", type=click.Choice(GROUPINGS), default="receivable", show_default=True,
              help="One row per receivable, or per customer / owner with subtotals.")
@click.option("--min-days", type=click.IntRange(min=0), default=0, metavar="N",
              help="Only receivables at least N days overdue.")
@click.option("--owner", metavar="ID", help="Only receivables of contracts owned by this team member.")
@format_option()
@strict_option
@global_options
def overdue(by, min_days, owner, fmt, strict):
    """The collection ledger: overdue receivables with aging buckets, the last collection action,
    promises and the next escalation step; bucket totals at the end.

    \b
    Example:
      salesctl report overdue --as-of 2026-11-30
      salesctl report overdue --by customer --min-days 31 --format json
    """
    ws = read_workspace(strict)
    if owner is not None and ws.member(owner) is None:
        raise click.BadParameter(f"{owner!r} is not a team member", param_hint="--owner")
    as_of = app_context().today
    doc = api.report_overdue(ws, as_of, by=by, min_days=min_days, owner=owner)
    click.echo(render_overdue(doc, fmt, ws.config), nl=False)


# --- kpi ---------------------------------------------------------------------------------

DATE = click.DateTime(formats=["%Y-%m-%d"])


@report.command()
@click.option("--period", metavar="P", help="YYYY, YYYY-Qn or YYYY-MM (default: the year of --as-of).")
@click.option("--from", "start", type=DATE, metavar="DATE", help="First day of a custom period (with --to).")
@click.option("--to", "end", type=DATE, metavar="DATE", help="Last day of a custom period (with --from).")
@click.option("--by", type=click.Choice(["rep", "group"]), default="rep", show_default=True,
              help="One row per rep, or per team group.")
@format_option()
@strict_option
@global_options
def kpi(period, start, end, by, fmt, strict):
    """Sales KPIs per rep or group for a period, with a total row whose ratios are recomputed
    over the whole team: signed amount, target and attainment, collected, new customers, visits,
    conversion, sales cycle, satisfaction, repeat rate and overdue balance.

    \b
    Example:
      salesctl report kpi --period 2026-Q3 --as-of 2026-11-30
      salesctl report kpi --from 2026-01-01 --to 2026-06-30 --by group --format json
    """
    chosen = _chosen_period(period, start, end)
    ws = read_workspace(strict)
    doc = api.report_kpi(ws, app_context().today, chosen, by=by)
    click.echo(render_kpi(doc, fmt, by=by, locale=ws.config.locale), nl=False)


def _chosen_period(period, start, end) -> Period:
    """--period P, or --from/--to together, else the year of --as-of."""
    if period is not None and (start or end):
        raise click.UsageError("give either --period or --from/--to, not both")
    if (start is None) != (end is None):
        raise click.UsageError("--from and --to go together")
    try:
        if start is not None:
            return period_range(start.date(), end.date())
        return parse_period(period if period is not None else str(app_context().today.year))
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period" if period else "--from/--to")


# --- review ------------------------------------------------------------------------------

@report.command()
@click.option("--period", metavar="P", help="Only reviews whose period lies within P (YYYY, YYYY-Qn or YYYY-MM).")
@format_option()
@strict_option
@global_options
def review(period, fmt, strict):
    """Performance reviews: each indicator's score, the weighted total and the grade. Metric
    indicators are scored from the KPIs of the review's own period.

    \b
    Example:
      salesctl report review --period 2026-Q3 --as-of 2026-11-30
    """
    try:
        chosen = parse_period(period) if period is not None else None
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period")
    ws = read_workspace(strict)
    doc = api.report_review(ws, app_context().today, chosen)
    click.echo(render_review(doc, fmt, ws.config), nl=False)
