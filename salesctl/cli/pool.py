"""`salesctl pool`, `pool sweep`, `claim`, `assign`, `allocate`: the public pool (公海).

`pool` reads (`api.pool`); the others are writers of `salesctl.api` called through
`cli.writers._write` (lock, load, plan, check, write all or nothing). `pool sweep` and `allocate`
print what they did as rows (`render.reports.render_pool_plan`), their notes on stderr.
"""

from __future__ import annotations

import click

from .. import api
from ..render.reports import render_pool, render_pool_plan
from . import app_context, completion, global_options
from .options import format_option, read_workspace, strict_option
from .writers import _write, by_option, dry_run_option

plan_dry_run_option = click.option("--dry-run", is_flag=True, help="Print what would be done; write nothing.")


class Days(click.ParamType):
    """A whole number of days ≥ 0; '' when the option is given without one (its default then)."""

    name = "days"

    def convert(self, value, param, ctx):
        if value == "" or isinstance(value, int):
            return value
        text = str(value).strip()
        if not text.isdigit():
            self.fail(f"{value!r} is not a whole number of days", param, ctx)
        return int(text)


@click.group(invoke_without_command=True)
@click.option("--due", type=Days(), is_flag=False, flag_value="", default=None, metavar="[DAYS]",
              help="Instead, the owned customers due back to the pool within DAYS days (default: pool.warn_days), "
                   "past due dates included, with their owner, date and reason.")
@format_option()
@strict_option
@global_options
@click.pass_context
def pool(ctx, due, fmt, strict):
    """The public pool (公海): the customers nobody owns as of --as-of, the longest there first,
    with the date, the former owner and the reason of their release. `pool sweep` releases the
    customers that are due.

    \b
    Example:
      salesctl pool --as-of 2026-11-30
      salesctl pool --due 7 --format json
      salesctl pool sweep --dry-run
    """
    if ctx.invoked_subcommand is not None:
        if due is not None:
            raise click.UsageError("--due lists customers; give it without a subcommand")
        return
    ws = read_workspace(strict, api.pool.reads)
    as_of = app_context().today
    doc = api.pool(ws, as_of, due=ws.config.pool["warn_days"] if due == "" else due)
    if fmt == "table" and not doc["rows"]:
        click.echo("the public pool is empty" if due is None else f"no customer is due to the pool by {doc['until']}",
                   err=True)
        return
    names = {member.get("id"): member.get("name") for member in ws.config.team}
    click.echo(render_pool(doc, fmt, locale=ws.config.locale, names=names), nl=False)


def _show_plan(fmt: str, *, allocation: bool):
    """Print a sweep's or an allocation's plan: its notes and the dry run on stderr, its rows on stdout."""

    def show(plan, dry_run: bool):
        for note in plan.notes:
            click.echo(f"note: {note}", err=True)
        if dry_run:
            click.echo("dry run: nothing written", err=True)
        doc = {"as_of": app_context().today, "dry_run": dry_run, "rows": plan.rows}
        click.echo(render_pool_plan(doc, fmt, allocation=allocation, locale=plan.locale, names=plan.names), nl=False)

    return show


@pool.command()
@plan_dry_run_option
@by_option
@format_option()
@global_options
def sweep(dry_run, by, fmt):
    """Release to the pool every owned customer whose pool_due is on or before --as-of: `owner`
    becomes null and `assignments` gains {date, from, to: null, by, reason}. One write, all or
    nothing; run it again the same day and it finds nothing to do. Prints what it released, nothing
    when nothing was due (cron mails only real news). For members with role manager or admin.

    \b
    Example:
      salesctl pool sweep --dry-run --as-of 2026-11-30
      15 6 * * *  cd /srv/acme-sales && SALESCTL_USER=lin salesctl pool sweep   (crontab)
    """
    _write(api.pool_sweep, on=app_context().today, by=by, dry_run=dry_run, show=_show_plan(fmt, allocation=False))


@click.command()
@click.argument("customer", shell_complete=completion.record_ids("customers"))
@by_option
@dry_run_option
@global_options
def claim(customer, by, dry_run):
    """Take CUSTOMER from the public pool for yourself (the member of --by, $SALESCTL_USER or git
    user.email). Refused, with the reason, when the customer is owned, when it was released from
    you less than pool.reclaim_days ago, when you have made pool.daily_claims claims today, or when
    you own pool.max_customers customers.

    \b
    Example:
      salesctl claim CUS-0015 --by wang
    """
    _write(api.claim, customer, on=app_context().today, by=by, dry_run=dry_run)


@click.command()
@click.argument("customers", nargs=-1, required=True, metavar="CUSTOMER...", shell_complete=completion.record_ids("customers"))
@click.option("--to", "to", required=True, metavar="REP|pool", shell_complete=completion.team_ids, help="The new owner, or 'pool' to release them.")
@click.option("--reason", metavar="TEXT", help="Why, for the history (default: assign).")
@click.option("--force", is_flag=True, help="Assign even beyond pool.max_customers.")
@by_option
@dry_run_option
@global_options
def assign(customers, to, reason, force, by, dry_run):
    """Move each CUSTOMER to REP, or release it to the pool with --to pool: all of them or none.
    Refused when they would take REP beyond pool.max_customers, unless --force. For members with
    role manager or admin.

    \b
    Example:
      salesctl assign CUS-0003 CUS-0004 --to zhang --reason 王芳调岗 --by lin
      salesctl assign CUS-0012 --to pool --by lin
    """
    _write(api.assign, customers, to=None if to == "pool" else to, on=app_context().today, by=by, reason=reason,
           force=force, dry_run=dry_run)


@click.command()
@click.option("--group", metavar="G", help="Only the reps of team group G.")
@click.option("--to", "names", metavar="ID,ID...", help="Only these reps (comma-separated).")
@click.option("--limit", type=click.IntRange(min=0), metavar="N", help="Hand out at most N customers.")
@plan_dry_run_option
@by_option
@format_option()
@global_options
def allocate(group, names, limit, dry_run, by, fmt):
    """Hand the pool's customers (all but lost ones) out to reps (role rep): tier A first, then B,
    C and untiered, each longest in the pool first; each goes to the eligible rep owning the fewest
    customers at that moment (team order on a tie), skipping reps at pool.max_customers and the rep
    it was released from within pool.reclaim_days. One write; prints the plan. For members with
    role manager or admin.

    \b
    Example:
      salesctl allocate --dry-run --as-of 2026-11-30
      salesctl allocate --group east --limit 10
    """
    chosen = [n.strip() for n in names.split(",") if n.strip()] if names is not None else None
    _write(api.allocate, on=app_context().today, by=by, group=group, names=chosen, limit=limit, dry_run=dry_run,
           show=_show_plan(fmt, allocation=True))
