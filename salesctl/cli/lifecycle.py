"""`salesctl sign`, `complete`, `terminate`, `write-off`: options in, a plan from
`write.lifecycle`, written as every writer writes (`writers._write`)."""

from __future__ import annotations

import click

from ..write import args, lifecycle
from . import global_options
from .writers import _on, _write, by_option, date_option, dry_run_option

reason_option = click.option("--reason", required=True, metavar="TEXT", help="Why (recorded with the date and who).")


@click.command()
@click.argument("contract")
@click.option("--date", "on", metavar="DATE", help="The signing date (default: --as-of, else today).")
@dry_run_option
@global_options
def sign(contract, on, dry_run):
    """Mark CONTRACT signed: status approved → signed, with its signed date.

    Refused unless every stage of the approval chain has approved the contract's current terms:
    an approval given before the terms changed no longer counts.

    \b
    Example:
      salesctl sign CT-2026-013 --date 2026-12-03
    """
    day = _on(on)
    _write(lambda ws: lifecycle.sign(ws, contract, on=day), dry_run=dry_run)


@click.command()
@click.argument("contract")
@click.option("--date", "on", metavar="DATE", help="The completion date (default: --as-of, else today).")
@dry_run_option
@global_options
def complete(contract, on, dry_run):
    """Mark CONTRACT completed: status signed → completed, with its completed date.

    \b
    Example:
      salesctl complete CT-2026-002 --date 2026-11-30
    """
    day = _on(on)
    _write(lambda ws: lifecycle.complete(ws, contract, on=day), dry_run=dry_run)


@click.command()
@click.argument("contract")
@reason_option
@by_option
@date_option
@dry_run_option
@global_options
def terminate(contract, reason, by, on, dry_run):
    """Terminate CONTRACT (any status but completed): status → terminated, with
    terminated: {date, by, reason}.

    \b
    Example:
      salesctl terminate CT-2026-014 --reason 客户取消培训计划 --by liu
    """
    day = _on(on)

    def build(ws):
        return lifecycle.terminate(ws, contract, reason=reason, by=args.resolve_by(ws, by), on=day)

    _write(build, dry_run=dry_run)


@click.command("write-off")
@click.argument("receivable")
@reason_option
@by_option
@date_option
@dry_run_option
@global_options
def write_off(receivable, reason, by, on, dry_run):
    """Write RECEIVABLE off as a bad debt: written_off: {date, by, reason}. From that date on it
    leaves the overdue ledger and the reminders. Refused when it is paid.

    \b
    Example:
      salesctl write-off RCV-0011 --reason 委外催收无果，经总经理批准核销 --by zhao
    """
    day = _on(on)

    def build(ws):
        return lifecycle.write_off(ws, receivable, reason=reason, by=args.resolve_by(ws, by), on=day)

    _write(build, dry_run=dry_run)
