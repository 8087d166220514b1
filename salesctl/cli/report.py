"""`salesctl report overdue|kpi|review|activity|commission`: parse options, call `salesctl.reports`, render."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from ..model.periods import BUCKETS, Period, PeriodError, parse_period, period_range
from ..render import output
from ..render.output import Places
from ..render.headings import headings
from ..reports.activity import ACTIVITY_KEYS, activity_report, activity_reps
from ..reports.commission import DETAIL_COLUMNS, PAYROLL_COLUMNS, commission_report, detail_lines, payroll_lines
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
    """Overdue collection ledger, KPIs, performance reviews, sales activity and pay, as of --as-of.

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
    columns = ["group"] if by == "group" else ["rep", "name"]
    columns += [*KPI_KEYS, "rank"]
    if fmt in ("json", "yaml", "csv"):
        click.echo(output.render_rows(doc["rows"], columns, fmt, document=doc), nl=False)
        return
    words = headings(ws.config.locale)
    rows = [_kpi_cells(row) for row in [*doc["rows"], {columns[0]: words["total_row"], **doc["total"]}]]
    click.echo(f"{words['kpi_title']} {doc['period']} ({doc['start'].isoformat()} – {doc['end'].isoformat()})\n")
    click.echo(output.to_table(rows, columns, words), nl=False)


def _kpi_cells(row: dict) -> dict:
    cells = dict(row)
    for name, places in (("avg_cycle_days", 1), ("satisfaction", 2)):
        if cells[name] is not None:
            cells[name] = Places(cells[name], places)
    return cells


def _chosen_period(period, start, end, default: str = "%Y") -> Period:
    """--period P, or --from/--to together, else the year (or `default`'s period) of --as-of."""
    if period is not None and (start or end):
        raise click.UsageError("give either --period or --from/--to, not both")
    if (start is None) != (end is None):
        raise click.UsageError("--from and --to go together")
    try:
        if start is not None:
            return period_range(start.date(), end.date())
        return parse_period(period if period is not None else app_context().today.strftime(default))
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
    columns = ["review", "rep", "name", "period", *[f"scores.{n}" for n in names], "total", "grade", "parts", "rank"]
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
        for column in columns[4:-3]:
            if row[column] is not None:
                row[column] = Places(row[column], 1)
    click.echo(f"{words['review_title']} {doc['period'] or ''}".rstrip() + "\n")
    if rows:
        click.echo(output.to_table(rows, columns, {**words, **{f"scores.{n}": n for n in names}}), nl=False)


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
@click.option("--rep", metavar="ID", help="Only this team member.")
@click.option("--group", metavar="G", help="Only the reps of this team group.")
@format_option()
@strict_option
@global_options
def activity(period, start, end, by, rep, group, fmt, strict):
    """Sales activity per rep and day, week or month: calls (phone visits), effective communications,
    customers reached, deals, per-workday rates against the daily targets; every bucket of the
    period for every rep, and a total row. Working days follow `calendar` in salesctl.yaml.

    \b
    Example:
      salesctl report activity --period 2026-11 --by week --as-of 2026-11-30
      salesctl report activity --from 2026-11-02 --to 2026-11-06 --rep zhang --format csv
    """
    chosen = _chosen_period(period, start, end, default="%Y-%m")
    if rep is not None and group is not None:
        raise click.UsageError("give --rep or --group, not both")
    ws = read_workspace(strict)
    if rep is not None and ws.member(rep) is None:
        raise click.BadParameter(f"{rep!r} is not a team member", param_hint="--rep")
    if group is not None and not any(m.get("group") == group for m in ws.config.team):
        raise click.BadParameter(f"no team member is in group {group!r}", param_hint="--group")
    doc = activity_report(ws, chosen, app_context().today, by=by, reps=activity_reps(ws, rep=rep, group=group))
    columns = ["rep", "name", "bucket", *ACTIVITY_KEYS]
    if fmt in ("json", "yaml", "csv"):
        click.echo(output.render_rows(doc["rows"], columns, fmt, document=doc), nl=False)
        return
    words = headings(ws.config.locale)
    rows = [_rate_cells(row) for row in [*doc["rows"], {"rep": words["total_row"], **doc["total"]}]]
    click.echo(f"{words['activity_title']} {doc['period']} ({doc['start'].isoformat()} – {doc['end'].isoformat()})\n")
    click.echo(output.to_table(rows, columns, {**words, "bucket": words[by]}), nl=False)


def _rate_cells(row: dict) -> dict:
    cells = dict(row)
    for name in ("calls_per_day", "effective_per_day"):
        if cells[name] is not None:
            cells[name] = Places(cells[name], 1)
    return cells


# --- commission --------------------------------------------------------------------------

@report.command()
@period_options
@click.option("--detail", is_flag=True, help="Also list the payments or contracts behind each base and the "
                                             "receivables clawed back.")
@click.option("-o", "--output", "path", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to FILE instead of standard output; a .xlsx FILE gets an Excel workbook.")
@format_option()
@strict_option
@global_options
def commission(period, start, end, detail, path, fmt, strict):
    """Commission and performance bonus per rep for a period, for payroll: the base (collected or
    signed), attainment and threshold, the tier lines (marginal or whole, as salesctl.yaml says),
    accelerator, clawback of written-off balances, the bonus of the review grade, and the total.

    \b
    Example:
      salesctl report commission --period 2026-11 --as-of 2026-11-30
      salesctl report commission --period 2026-Q3 --detail --format csv > commission-2026-Q3.csv
      salesctl report commission --period 2026-11 --detail -o commission-2026-11.xlsx
    """
    chosen = _chosen_period(period, start, end, default="%Y-%m")
    ws = read_workspace(strict)
    doc = commission_report(ws, chosen, app_context().today, detail=detail)
    words = headings(ws.config.locale)
    if path is not None and path.suffix.lower() == ".xlsx":
        from ..query.export import write_xlsx

        _write(path, lambda: write_xlsx(_payroll_sheets(doc, detail, words), path))
        return
    if fmt in ("json", "yaml"):
        text = output.render_rows([], [], fmt, document=doc)
    elif fmt == "csv":
        text = output.to_csv(detail_lines(doc), DETAIL_COLUMNS) if detail else output.to_csv(payroll_lines(doc),
                                                                                             PAYROLL_COLUMNS)
    else:
        text = _commission_table(doc, detail, words)
    if path is None:
        click.echo(text, nl=False)
    else:
        from ..query.export import write_text

        _write(path, lambda: write_text(path, text))


def _commission_table(doc: dict, detail: bool, words: dict) -> str:
    columns = list(PAYROLL_COLUMNS[3:])
    total = {"rep": words["total_row"], **doc["total"]}
    text = (f"{words['commission_title']} {doc['period']} ({doc['start'].isoformat()} – {doc['end'].isoformat()})\n"
            f"{words['base']}: {words['base_' + doc['base']]} ({doc['base']}); "
            f"{words['commission_method']}: {words['method_' + doc['method']]} ({doc['method']})\n\n")
    text += output.to_table([*payroll_lines(doc, table=True), total], columns, {**words, "total": words["pay_total"]})
    if detail:
        text += f"\n{words['detail_title']}\n\n" + output.to_table(detail_lines(doc), list(DETAIL_COLUMNS[1:]), words)
    return text


def _payroll_sheets(doc: dict, detail: bool, words: dict) -> list:
    """The workbook: sheet `commission` (one line per rep, then the total line) and, with --detail, `detail`."""
    total = {"period": doc["period"], "rep": words["total_row"], **doc["total"]}
    sheets = [_sheet("commission", [*payroll_lines(doc), total], PAYROLL_COLUMNS)]
    if detail:
        sheets.append(_sheet("detail", detail_lines(doc), DETAIL_COLUMNS))
    return sheets


def _sheet(name: str, lines: list, columns):
    """A workbook sheet of flat lines: money columns as amounts, the rest as they are."""
    from ..model.records import Field
    from ..query.tables import Column, Table

    money_columns = {c for c in columns if any(isinstance(line.get(c), Decimal) for line in lines)}
    return Table(name, [Column(c, Field("amount" if c in money_columns else "text"), (c,)) for c in columns], (),
                 [tuple(line.get(c) for c in columns) for line in lines])


def _write(path: Path, write):
    """Write a report file; an extra that is missing or a file that cannot be written is exit 2."""
    from ..query.export import ExportError

    try:
        write()
    except ExportError as exc:
        raise click.UsageError(str(exc))
    except OSError as exc:
        click.echo(f"error: cannot write {path}: {exc.strerror or exc}", err=True)
        raise click.exceptions.Exit(2)
    click.echo(f"wrote {path}", err=True)
