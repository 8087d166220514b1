"""`salesctl sign`, `complete`, `terminate`, `write-off`: options in, the writer of `salesctl.api`
called (`write.lifecycle`), its plan printed as every writer's (`writers._write`)."""

from __future__ import annotations

import click

from .. import api
from . import completion, global_options
from .writers import _on, _write, by_option, date_option, dry_run_option

reason_option = click.option("--reason", required=True, metavar="TEXT", help="Why (recorded with the date and who).")


@click.command()
@click.argument("contract", shell_complete=completion.record_ids("contracts"))
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
    _write(api.sign, contract, on=_on(on), dry_run=dry_run)


@click.command()
@click.argument("contract", shell_complete=completion.record_ids("contracts"))
@click.option("--date", "on", metavar="DATE", help="The completion date (default: --as-of, else today).")
@dry_run_option
@global_options
def complete(contract, on, dry_run):
    """Mark CONTRACT completed: status signed → completed, with its completed date.

    \b
    Example:
      salesctl complete CT-2026-002 --date 2026-11-30
    """
    _write(api.complete, contract, on=_on(on), dry_run=dry_run)


@click.command()
@click.argument("contract", shell_complete=completion.record_ids("contracts"))
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
    _write(api.terminate, contract, reason=reason, on=_on(on), by=by, dry_run=dry_run)


@click.command("write-off")
@click.argument("receivable", shell_complete=completion.record_ids("receivables"))
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
    _write(api.write_off, receivable, reason=reason, on=_on(on), by=by, dry_run=dry_run)
