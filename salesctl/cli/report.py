"""`salesctl report overdue|kpi|review`: parse options, call `salesctl.reports`, render."""

from __future__ import annotations

import click

from ..model.periods import Period, PeriodError, parse_period, period_range
from ..render import output
from ..render.output import Places
from ..render.headings import headings
from ..reports.kpi import KPI_KEYS, kpi_report
from ..reports.overdue import ACTION_KEYS, GROUPINGS, overdue_report
from ..reports.review import review_report
from . import app_context, global_options
from .options import format_option, read_workspace, strict_option

LEDGER_COLUMNS = ["receivable", "contract", "customer", "customer_name", "owner", "due", "amount", "paid", "balance",
                  "days_overdue", "bucket"]


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
    doc = overdue_report(ws, as_of, by=by, min_days=min_days, owner=owner)
    if fmt in ("json", "yaml"):
        click.echo(output.render_rows([], [], fmt, document=doc), nl=False)
        return
    labels = ws.config.bucket_labels()
    words = headings(ws.config.locale)
    if by != "receivable":
        rows = [_flat_group_row(row) for row in doc["rows"]]
        columns = [by, "name", "count", "balance", *labels]
    elif fmt == "csv":
        rows = [_flat_ledger_row(row) for row in doc["rows"]]
        columns = [*LEDGER_COLUMNS, *[f"last_action.{key}" for key in ACTION_KEYS], "next_step.action", "next_step.date"]
    else:
        rows = [{**row, "last_action": _action_cell(row["last_action"], words)} for row in doc["rows"]]
        columns = [c for c in LEDGER_COLUMNS if c != "customer"] + ["last_action", "next_step"]
    if fmt == "csv":
        click.echo(output.to_csv(rows, columns), nl=False)
        return
    click.echo(f"{words['overdue_title']} {words['as_of']} {as_of.isoformat()}\n")
    if rows:
        click.echo(output.to_table(rows, columns, words))
    total = {"": words["total_row"], **_flat_group_row(doc["totals"])}
    click.echo(output.to_table([total], ["", "count", "balance", *labels], words), nl=False)


def _flat_ledger_row(row: dict) -> dict:
    """A ledger row for CSV: last action and next step spread over dotted columns."""
    flat = {k: v for k, v in row.items() if k not in ("last_action", "next_step")}
    for key in ACTION_KEYS:
        flat[f"last_action.{key}"] = (row["last_action"] or {}).get(key)
    flat["next_step.action"] = (row["next_step"] or {}).get("action")
    flat["next_step.date"] = (row["next_step"] or {}).get("date")
    return flat


def _flat_group_row(row: dict) -> dict:
    """A group row (or the totals) with one column per aging bucket."""
    flat = {k: v for k, v in row.items() if k != "buckets"}
    flat.update(row["buckets"])
    return flat


def _action_cell(action: dict | None, words: dict) -> str:
    """`2026-11-02 phone`, plus the promised date when the action carries one."""
    if action is None:
        return ""
    text = f"{action['date'].isoformat()} {action['channel']}"
    if action.get("promised"):
        text += f" ({words['promised']} {action['promised'].isoformat()})"
    return text


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
    doc = kpi_report(ws, chosen, app_context().today, by=by)
    key = ["group"] if by == "group" else ["rep", "name"]
    if fmt in ("json", "yaml", "csv"):
        click.echo(output.render_rows(doc["rows"], [*key, *KPI_KEYS], fmt, document=doc), nl=False)
        return
    words = headings(ws.config.locale)
    rows = [_kpi_cells(row) for row in [*doc["rows"], {key[0]: words["total_row"], **doc["total"]}]]
    click.echo(f"{words['kpi_title']} {doc['period']} ({doc['start'].isoformat()} – {doc['end'].isoformat()})\n")
    click.echo(output.to_table(rows, [*key, *KPI_KEYS], words), nl=False)


def _kpi_cells(row: dict) -> dict:
    cells = dict(row)
    for name, places in (("avg_cycle_days", 1), ("satisfaction", 2)):
        if cells[name] is not None:
            cells[name] = Places(cells[name], places)
    return cells


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
    doc = review_report(ws, app_context().today, chosen)
    names = [i["name"] for i in ws.config.review["indicators"]]
    columns = ["review", "rep", "name", "period", *[f"scores.{n}" for n in names], "total", "grade"]
    if fmt in ("json", "yaml"):
        click.echo(output.render_rows([], [], fmt, document=doc), nl=False)
        return
    rows = [{**{k: v for k, v in row.items() if k != "scores"},
             **{f"scores.{n}": score for n, score in row["scores"].items()}} for row in doc["rows"]]
    if fmt == "csv":
        click.echo(output.to_csv(rows, columns), nl=False)
        return
    words = headings(ws.config.locale)
    for row in rows:
        for column in columns[4:-1]:
            if row[column] is not None:
                row[column] = Places(row[column], 1)
    click.echo(f"{words['review_title']} {doc['period'] or ''}".rstrip() + "\n")
    if rows:
        click.echo(output.to_table(rows, columns, {**words, **{f"scores.{n}": n for n in names}}), nl=False)
