"""`salesctl sql` and `salesctl export`."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from .. import api
from ..errors import BadInput, SQLStopped
from ..query.export import FORMATS, export as export_tables, guess_format
from ..query.tables import TABLE_NAMES, Limits, workspace_tables
from ..render.output import render_rows
from . import app_context, global_options
from .options import format_option, read_workspace, strict_option

RAISED_BY = {"time": "--timeout SECONDS", "memory": "--memory MB"}  # the option that lifts each limit


@click.command()
@click.argument("statement", metavar='"SELECT …"')
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=Limits.seconds, show_default=True,
              metavar="SECONDS", help="Stop the statement when it runs longer than this.")
@click.option("--memory", "memory_mb", type=click.IntRange(min=1), default=Limits.memory_mb, show_default=True,
              metavar="MB", help="Memory SQLite may use (the tables included), and the most the rows returned may take.")
@format_option()
@strict_option
@global_options
def sql(statement, timeout, memory_mb, fmt, strict):
    """Run one read-only SQL statement over an in-memory SQLite database of the workspace.

    Tables: team, customers, contacts, visits, contracts, contract_items, approvals, receivables,
    payments, collection_actions, reviews, activity (per rep and day); derived columns (balance,
    status, days_overdue, bucket, pending_stage, days_since_contact, ...) are computed as of --as-of. Money is REAL and prints
    with 2 decimals. Statements that write, or call a function salesctl does not offer, are
    refused (exit 1); one that runs past --timeout or --memory is stopped (exit 1).

    \b
    Example:
      salesctl sql "SELECT owner, SUM(balance) AS balance FROM receivables
                    WHERE status = 'overdue' GROUP BY owner ORDER BY balance DESC"
    """
    ws = read_workspace(strict)
    try:
        names, rows = api.sql(ws, statement, app_context().today, limits=Limits(timeout, memory_mb))
    except SQLStopped as exc:  # the option that lifts the limit, in the command line's terms
        raise SQLStopped(f"{exc}; allow more with {RAISED_BY[exc.limit]}", exc.limit) from None
    keys = _unique(names)
    records = [{key: _shown(value) for key, value in zip(keys, row)} for row in rows]
    if fmt == "table" and not records:
        click.echo("(no rows)", err=True)
        return
    click.echo(render_rows(records, keys, fmt, dict(zip(keys, names))), nl=False)


def _unique(names: list[str]) -> list[str]:
    """Column keys for the output: a repeated name (SELECT a.id, b.id) gets _2, _3, ..."""
    keys: list[str] = []
    for name in names:
        key, n = name, 1
        while key in keys:
            n += 1
            key = f"{name}_{n}"
        keys.append(key)
    return keys


def _shown(value):
    """REAL results print as money does, 2 decimals (so sums of amounts show exact cents)."""
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return Decimal(repr(value))
    if isinstance(value, bytes):
        return value.hex()
    return value


@click.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="sqlite (one file), csv (a folder, one file per table) or xlsx (one sheet per table); "
                   "default: from the suffix of PATH (.sqlite/.db, .xlsx, else csv).")
@click.option("-o", "--output", "path", required=True, metavar="PATH", type=click.Path(path_type=Path),
              help="File (sqlite, xlsx) or folder (csv) to write; replaced if it exists.")
@strict_option
@global_options
def export(fmt, path, strict):
    """Export the tables of `salesctl sql` (derived columns as of --as-of) to SQLite, CSV or
    Excel. xlsx needs the optional extra: pip install 'salesctl[xlsx]'.

    \b
    Example:
      salesctl export --format xlsx -o sales-2026-11.xlsx --as-of 2026-11-30
      salesctl export -o exports/     # a folder of CSV files
    """
    fmt = fmt or guess_format(path)
    ws = read_workspace(strict)
    tables = workspace_tables(ws, app_context().today)
    try:
        written = export_tables(tables, fmt, path)
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from None
    rows = sum(len(t.rows) for t in tables)
    where = path if len(written) == 1 else f"{path}/ ({len(written)} files)"
    click.echo(f"exported {len(TABLE_NAMES)} tables, {rows} rows to {where}", err=True)
