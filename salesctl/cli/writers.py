"""`salesctl new`, `pay`, `collect`, `approve`, `schedule`: options in, the writer of `salesctl.api`
called, its plan printed.

Every writer takes the lock (finishing first a write that a killed writer left half done), reads
the workspace, builds and checks its plan (`write.writers`), and writes all of it or none
(`storage`): `write.run.run_writer`. With --dry-run it prints the diff instead and writes nothing.
"""

from __future__ import annotations

from datetime import date

import click

from .. import api
from ..errors import BadInput, Refused
from ..model.records import COLLECTION_CHANNELS
from ..render.problems import TextReporter
from ..write import args, writers
from . import app_context, completion, global_options

dry_run_option = click.option("--dry-run", is_flag=True, help="Print the diff that would be written; write nothing.")
date_option = click.option("--date", "on", metavar="DATE", help="Date of the entry (default: --as-of, else today).")
force_option = click.option("--force", is_flag=True,
                            help="Write it even when it is dated after --as-of (default today): an entry recorded "
                                 "before it happened.")
by_option = click.option("--by", "by", metavar="ID", shell_complete=completion.team_ids,
                         help="Team member who acts (default: $SALESCTL_USER, else the member whose e-mail is "
                              "git config user.email).")


def _workspace(app):
    return api.open_workspace(app.root(), cache=not app.no_cache, as_of=app.today)


def _write(call, *arguments, ids: bool = False, show=None, **kwargs):
    """`call` (a writer of `salesctl.api`) over the workspace, and its plan printed: the diff with
    --dry-run, else one summary line per thing done (and the new ids on stdout); or, when given,
    `show(plan, dry_run)` tells the user what was (or would be) done."""
    app = app_context()
    if app.rev:
        raise BadInput("writers change the working tree; --rev is for read commands")
    plan = call(app.root(), *arguments, cache=not app.no_cache, as_of=app.today, **kwargs,
                on_recovery=lambda recovered: click.echo(f"note: {recovered.message()}", err=True))
    click.echo(TextReporter().lines(plan.warnings), err=True, nl=False)
    if show is not None:
        show(plan, kwargs["dry_run"])
        return
    if kwargs["dry_run"]:
        click.echo(plan.diff(), nl=False)
        click.echo("dry run: nothing written", err=True)
        return
    for line in plan.summary:
        click.echo(line, err=True)
    if ids:
        for record_id in plan.ids:
            click.echo(record_id)


def _on(on) -> date:
    return app_context().today if on is None else args.date_arg(on, "--date")


# --- new -----------------------------------------------------------------------------------

@click.command()
@click.argument("kind", shell_complete=completion.kinds)
@click.argument("assignments", nargs=-1, metavar="[FIELD=VALUE]...")
@click.option("--edit", is_flag=True, help="Open $EDITOR on the new record; it is checked when saved.")
@click.option("--file", "file", metavar="PATH",
              help="Add the record at the end of this file of records (default: a new COLLECTION/ID.yaml).")
@date_option
@click.option("--force", is_flag=True,
              help="Write it even when it is dated after --as-of (a visit), or a customer has its name already.")
@dry_run_option
@global_options
def new(kind, assignments, edit, file, on, force, dry_run):
    """Add a record of KIND (customer, visit, contract, receivable, review) with the next id.

    FIELD=VALUE sets a field; dates are YYYY-MM-DD (or YYYYMMDD), lists and mappings are YAML
    (items='[{name: 内训, quantity: 2, unit_price: 6000}]'; tags=a,b). The date field (created,
    or a visit's date) defaults to --date/--as-of; a contract starts as draft with its amount
    summed from its items. The new id is printed on stdout. A visit dated after --as-of, or a
    customer named as another one (same name once full-width letters and spaces are set aside),
    is refused unless --force.

    \b
    Example:
      salesctl new customer name=杭州西溪数字科技有限公司 owner=wang tier=B
      salesctl new visit customer=CUS-0003 rep=wang channel=phone --file visits/2026/2026-11.yaml
    """
    day = _on(on)
    collection = args.kind_arg(kind)
    app = app_context()
    text = None
    if edit:
        text = _edit_loop(app, collection, assignments, day, file, force)
    _write(api.new, collection, assignments, on=day, text=text, file=file, force=force, dry_run=dry_run, ids=True)


def _edit_loop(app, collection, assignments, day, file, force) -> str:
    """Open the editor until the record it returns would be accepted (or the user gives up)."""
    ws = _workspace(app)
    path = args.file_arg(ws, file, collection) if file else None
    buffer = writers.edit_text(ws, collection, writers.draft_record(ws, collection, assignments, on=day))
    while True:
        edited = click.edit(buffer, extension=".yaml", require_save=True)
        if edited is None or not writers.strip_notes(edited).strip():
            raise Refused("cancelled; nothing written")
        try:
            writers.new(ws, collection, text=edited, file=path, force=force)
            return edited
        except Refused as exc:
            notes = [f"{p.severity}[{p.code}]: {p.message}" for p in exc.problems] or [f"error: {exc}"]
            for note in notes:
                click.echo(note, err=True)
            buffer = writers.edit_text(ws, collection, edited, ["fix this and save, or empty the file to cancel:"] + notes)


# --- pay, collect, approve -----------------------------------------------------------------

@click.command()
@click.argument("receivable", shell_complete=completion.record_ids("receivables"))
@click.argument("amount")
@date_option
@click.option("--method", help="How it was paid (银行转账, 支付宝, …).")
@click.option("--ref", help="Bank slip or transaction reference.")
@force_option
@dry_run_option
@global_options
def pay(receivable, amount, on, method, ref, force, dry_run):
    """Record a payment of AMOUNT (12000 or 12000.50, no separators) on RECEIVABLE.

    Refused when it would pay more than the receivable's amount, or the receivable is written off,
    or (unless --force) it is dated after --as-of. The balance it reports is the one as of --as-of.

    \b
    Example:
      salesctl pay RCV-0015 30000 --method 银行转账 --ref "招行回单 CMB2611300012"
    """
    day, value = _on(on), args.amount_arg(amount)
    _write(api.pay, receivable, value, on=day, method=method, ref=ref, force=force, dry_run=dry_run)


@click.command()
@click.argument("receivable", shell_complete=completion.record_ids("receivables"))
@click.option("--channel", required=True, type=click.Choice(COLLECTION_CHANNELS), help="How the customer was chased.")
@click.option("--note", help="What was said or agreed.")
@click.option("--promised", metavar="DATE", help="The date the customer promised to pay.")
@by_option
@date_option
@force_option
@dry_run_option
@global_options
def collect(receivable, channel, note, promised, by, on, force, dry_run):
    """Log a collection action on RECEIVABLE in its collection log.

    \b
    Example:
      salesctl collect RCV-0015 --channel phone --note 财务称月底付款 --promised 2026-12-31
    """
    day = _on(on)
    promise = args.date_arg(promised, "--promised") if promised else None

    _write(api.collect, receivable, channel=channel, on=day, by=by, note=note, promised=promise, force=force,
           dry_run=dry_run)


@click.command()
@click.argument("contract", shell_complete=completion.record_ids("contracts"))
@click.option("--stage", required=True, metavar="STAGE", shell_complete=completion.stages, help="Stage of rules.approval_chain (manager, legal, …).")
@click.option("--reject", is_flag=True, help="Record a rejection instead of an approval.")
@click.option("--comment", help="Why, or under which conditions.")
@by_option
@date_option
@force_option
@dry_run_option
@global_options
def approve(contract, stage, reject, comment, by, on, force, dry_run):
    """Approve (or --reject) CONTRACT at STAGE of the approval chain.

    Stages go in chain order, each once (a rejection sends the contract back), each decided by
    who has the authority: the manager stage by the owner's manager or a member with role manager,
    any other stage by a member with that role or role admin. A draft contract
    moves to in_review; when every stage is approved it becomes approved. The entry records the
    digest of the contract's terms (customer, items, amount, currency, dates, payment terms): once
    they change, the approval is stale and the stage approves again.

    \b
    Example:
      salesctl approve CT-2026-016 --stage manager --by lin --comment 同意
    """
    day = _on(on)

    _write(api.approve, contract, stage=stage, on=day, by=by, reject=reject, comment=comment, force=force,
           dry_run=dry_run)


# --- schedule ------------------------------------------------------------------------------

@click.command()
@click.argument("contract", shell_complete=completion.record_ids("contracts"))
@click.argument("plan")
@click.option("--file", "file", metavar="PATH",
              help="Add the receivables at the end of this file of records (default: one file each).")
@dry_run_option
@global_options
def schedule(contract, plan, file, dry_run):
    """Create CONTRACT's receivables from a payment PLAN.

    PLAN is comma-separated PART@DATE: PART is N% of the contract amount or an amount, DATE is
    YYYY-MM-DD (or YYYYMMDD) or signed/start/end, optionally +DAYS. When the plan covers what is
    left to schedule, the last part absorbs the rounding so that the receivables sum to the
    contract amount exactly. Refused when it would schedule more than the contract amount (counting the
    receivables it already has). The new ids are printed on stdout.

    \b
    Example:
      salesctl schedule CT-2026-016 30%@signed,70%@end+30
    """
    writers.parse_plan(plan)
    _write(api.schedule, contract, plan, on=app_context().today, file=file, dry_run=dry_run, ids=True)
