"""`salesctl report overdue|kpi|review|activity|commission|load`: parse options, call `salesctl.api`, print
`render.reports`.

The library is imported inside each command, not here: `salesctl report --help` imports this module
to list the reports, and should cost no more than click's own `--help`."""

from __future__ import annotations

import re

import click

from ..model.periods import BUCKETS
from ..reports import GROUPINGS
from . import app_context, completion, global_options
from .options import DATE, emit_report, format_option, output_option, read_workspace, strict_option


@click.group()
@global_options
def report():
    """Overdue collection ledger, KPIs, performance reviews, sales activity, pay and customer load,
    as of --as-of.

    Every report prints to standard output, or with -o FILE writes FILE: an Excel workbook when it
    ends in .xlsx, else the --format output.

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
@click.option("--owner", metavar="ID", shell_complete=completion.team_ids, help="Only receivables of contracts owned by this team member.")
@format_option()
@output_option
@strict_option
@global_options
def overdue(by, min_days, owner, fmt, output_file, strict):
    """The collection ledger: overdue receivables with aging buckets, the last collection action,
    promises and the next escalation step; bucket totals at the end.

    \b
    Example:
      salesctl report overdue --as-of 2026-11-30
      salesctl report overdue --by customer --min-days 31 --format json
      salesctl report overdue -o 逾期应收台账.xlsx
    """
    from .. import api
    from ..render.locale import headings
    from ..render.reports import render_overdue

    ws = read_workspace(strict, api.report_overdue.reads)
    if owner is not None and ws.member(owner) is None:
        raise click.BadParameter(f"{owner!r} is not a team member", param_hint="--owner")
    as_of = app_context().today
    doc = api.report_overdue(ws, as_of, by=by, min_days=min_days, owner=owner)
    locale = ws.config.locale
    emit_report(render_overdue(doc, fmt, ws.config), output_file,
                lambda: [_report_sheet(doc, locale, headings(locale)["overdue_title"])])


# --- kpi ---------------------------------------------------------------------------------

@report.command()
@click.option("--period", metavar="P", help="YYYY, YYYY-Qn or YYYY-MM (default: the year of --as-of).")
@click.option("--from", "start", type=DATE, metavar="DATE", help="First day of a custom period (with --to).")
@click.option("--to", "end", type=DATE, metavar="DATE", help="Last day of a custom period (with --from).")
@click.option("--by", type=click.Choice(["rep", "group"]), default="rep", show_default=True,
              help="One row per rep, or per team group.")
@format_option()
@output_option
@strict_option
@global_options
def kpi(period, start, end, by, fmt, output_file, strict):
    """Sales KPIs per rep or group for a period, with a total row whose ratios are recomputed
    over the whole team: signed amount, target and attainment, collected, new customers, visits,
    conversion, sales cycle, satisfaction, repeat rate and overdue balance.

    \b
    Example:
      salesctl report kpi --period 2026-Q3 --as-of 2026-11-30
      salesctl report kpi --from 2026-01-01 --to 2026-06-30 --by group --format json
    """
    from .. import api
    from ..render.locale import headings
    from ..render.reports import render_kpi

    chosen = _chosen_period(period, start, end)
    ws = read_workspace(strict, api.report_kpi.reads)
    doc = api.report_kpi(ws, app_context().today, _default_period(chosen), by=by)
    locale = ws.config.locale
    emit_report(render_kpi(doc, fmt, by=by, locale=locale), output_file,
                lambda: [_report_sheet(doc, locale, f"{headings(locale)['kpi_title']} {doc['period']}")])


def _chosen_period(period, start, end):
    """--period P, or --from/--to together; None when neither is given: the default period is
    that of today (`_default_period`), known once the workspace is read, whose salesctl.yaml says
    what day it is where it is."""
    from ..errors import PeriodError
    from ..model.periods import parse_period, period_range

    if period is not None and (start or end):
        raise click.UsageError("give either --period or --from/--to, not both")
    if (start is None) != (end is None):
        raise click.UsageError("--from and --to go together")
    try:
        if start is not None:
            return period_range(start, end)
        return parse_period(period) if period is not None else None
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period" if period else "--from/--to")


def _default_period(chosen, default: str = "%Y"):
    """`chosen`, else the year (or `default`'s period) of today, --as-of or where the workspace is."""
    from ..model.periods import parse_period

    return chosen if chosen is not None else parse_period(app_context().today.strftime(default))


# --- review ------------------------------------------------------------------------------

@report.command()
@click.option("--period", metavar="P", help="Only reviews whose period lies within P (YYYY, YYYY-Qn or YYYY-MM).")
@format_option()
@output_option
@strict_option
@global_options
def review(period, fmt, output_file, strict):
    """Performance reviews: each indicator's score, the weighted total and the grade. Metric
    indicators are scored from the KPIs of the review's own period.

    \b
    Example:
      salesctl report review --period 2026-Q3 --as-of 2026-11-30
    """
    from .. import api
    from ..errors import PeriodError
    from ..model.periods import parse_period
    from ..render.locale import headings
    from ..render.reports import render_review

    try:
        chosen = parse_period(period) if period is not None else None
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period")
    ws = read_workspace(strict, api.report_review.reads)
    doc = api.report_review(ws, app_context().today, chosen)
    locale = ws.config.locale
    title = f"{headings(locale)['review_title']} {doc['period'] or ''}".rstrip()
    emit_report(render_review(doc, fmt, ws.config), output_file, lambda: [_report_sheet(doc, locale, title)])


# --- activity ----------------------------------------------------------------------------

PERIOD_OPTIONS = [
    click.option("--period", metavar="P", help="YYYY, YYYY-Qn or YYYY-MM (default: the month of --as-of)."),
    click.option("--from", "start", type=DATE, metavar="DATE", help="First day of a custom period (with --to)."),
    click.option("--to", "end", type=DATE, metavar="DATE", help="Last day of a custom period (with --from)."),
]


def period_options(f):
    for option in reversed(PERIOD_OPTIONS):
        f = option(f)
    return f


@report.command()
@period_options
@click.option("--by", type=click.Choice(BUCKETS), default="day", show_default=True,
              help="One row per rep and day, ISO week (Monday to Sunday) or month.")
@click.option("--rep", metavar="ID", shell_complete=completion.team_ids, help="Only this team member.")
@click.option("--group", metavar="G", help="Only the reps of this team group.")
@format_option()
@output_option
@strict_option
@global_options
def activity(period, start, end, by, rep, group, fmt, output_file, strict):
    """Sales activity per rep and day, week or month: calls (phone visits), effective communications,
    customers reached, deals, per-workday rates against the daily targets; every bucket of the
    period for every rep, and a total row. Working days follow `calendar` in salesctl.yaml.

    \b
    Example:
      salesctl report activity --period 2026-11 --by week --as-of 2026-11-30
      salesctl report activity --from 2026-11-02 --to 2026-11-06 --rep zhang --format csv
    """
    from .. import api
    from ..render.locale import headings
    from ..render.reports import render_activity

    chosen = _chosen_period(period, start, end)
    if rep is not None and group is not None:
        raise click.UsageError("give --rep or --group, not both")
    ws = read_workspace(strict, api.report_activity.reads)
    if rep is not None and ws.member(rep) is None:
        raise click.BadParameter(f"{rep!r} is not a team member", param_hint="--rep")
    if group is not None and not any(m.get("group") == group for m in ws.config.team):
        raise click.BadParameter(f"no team member is in group {group!r}", param_hint="--group")
    doc = api.report_activity(ws, app_context().today, _default_period(chosen, "%Y-%m"), by=by, rep=rep, group=group)
    locale = ws.config.locale
    words = headings(locale)
    title = f"{words['activity_title']} {doc['period']}"
    emit_report(render_activity(doc, fmt, locale=locale), output_file,
                lambda: [_report_sheet(doc, locale, title, {"bucket": words[by]})])


# --- commission --------------------------------------------------------------------------

@report.command()
@period_options
@click.option("--detail", is_flag=True, help="Also list the payments or contracts behind each base and the "
                                             "receivables clawed back.")
@format_option()
@output_option
@strict_option
@global_options
def commission(period, start, end, detail, fmt, output_file, strict):
    """Commission and performance bonus per rep for a period, for payroll: the base (collected or
    signed), attainment and threshold, the tier lines (marginal or whole, as salesctl.yaml says),
    accelerator, clawback of written-off balances, the bonus of the review grade, and the total.

    \b
    Example:
      salesctl report commission --period 2026-11 --as-of 2026-11-30
      salesctl report commission --period 2026-Q3 --detail --format csv > commission-2026-Q3.csv
      salesctl report commission --period 2026-11 --detail -o commission-2026-11.xlsx
    """
    from .. import api
    from ..query.export import sheet
    from ..render.reports import commission_sheets, render_commission

    chosen = _chosen_period(period, start, end)
    ws = read_workspace(strict, api.report_commission.reads)
    doc = api.report_commission(ws, app_context().today, _default_period(chosen, "%Y-%m"), detail=detail)

    locale = ws.config.locale
    emit_report(render_commission(doc, fmt, detail=detail, locale=locale), output_file,
                lambda: [sheet(*lines) for lines in commission_sheets(doc, detail, locale)])


def _report_sheet(doc: dict, locale: str, title: str, labels: dict | None = None):
    """A report document as one sheet (`render.sheets.report_sheet`): headings in the locale, the
    total row last, named `title` (as far as a sheet name may hold it)."""
    from ..query.export import sheet
    from ..render.sheets import report_sheet

    rows = report_sheet(doc, locale, title, labels)
    lines = [dict(zip(rows.columns, row)) for row in [*rows.rows, rows.total]]
    return sheet(re.sub(r"[\[\]:*?/\\]", " ", title)[:31], lines, rows.columns, rows.headings)


# --- load --------------------------------------------------------------------------------

@report.command()
@click.option("--group", metavar="G", help="Only the reps of team group G.")
@format_option()
@output_option
@strict_option
@global_options
def load(group, fmt, output_file, strict):
    """Customer load per rep (role rep): customers owned, key accounts, tiers, customers visited
    effectively in the last 30 days, customers due to the pool within pool.warn_days, open
    contracts, overdue balance and today's claims, with a total row. What to look at before
    `allocate`.

    \b
    Example:
      salesctl report load --as-of 2026-11-30
      salesctl report load --group east --format json
      salesctl report load -o 客户负荷.xlsx
    """
    from .. import api
    from ..render.locale import headings
    from ..render.reports import render_load

    ws = read_workspace(strict, api.report_load.reads)
    if group is not None and not any(m.get("group") == group for m in ws.config.team):
        raise click.BadParameter(f"no team member is in group {group!r}", param_hint="--group")
    doc = api.report_load(ws, app_context().today, group=group)
    locale = ws.config.locale
    words = headings(locale)
    labels = {"customers": words["load_customers"], "due": words["due_customers"], "tiers": words["tier"],
              "none": words["tiers.none"]}
    emit_report(render_load(doc, fmt, locale=locale), output_file,
                lambda: [_report_sheet(doc, locale, words["load_title"], labels)])
