"""`salesctl remind`: what each person must do as of --as-of; print it, write .eml files or deliver it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from .. import api
from ..errors import MailError, NotConfigured
from ..model.config import CHANNELS
from ..remind.remind import display_width, messages, person_text
from ..render.output import to_json
from . import app_context, completion, global_options
from .options import read_workspace, strict_option


@click.command()
@click.option("--to", "to", metavar="ID", shell_complete=completion.team_ids, help="Only this team member's reminders.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "email"]),
              help="Print as text (default), JSON, or the e-mails themselves (mbox).")
@click.option("--send", is_flag=True, help="Deliver over the channels of notify in salesctl.yaml (default: e-mail "
                                           "over SMTP); prints what was delivered where.")
@click.option("--via", multiple=True, type=click.Choice(CHANNELS), metavar="CHANNEL",
              help="With --send: only this channel (email, wecom or dingtalk; repeat for several).")
@click.option("--resend", is_flag=True, help="With --send: deliver again what was already delivered today.")
@click.option("--dry-run", is_flag=True, help="With --send: show what would be delivered where; send nothing.")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write the messages as DIR/<date>-<id>.eml instead of sending them; prints their paths.")
@strict_option
@global_options
def remind(to, fmt, send, via, resend, dry_run, outbox, strict):
    """What each person must do: follow-ups, receivables due soon, collection steps, dormant
    customers and stale approvals. Text mode prints nothing when nothing is due, so that cron
    mails only real reminders.

    --send delivers over every channel of notify in salesctl.yaml (e-mail, WeCom and DingTalk
    group robots), prints one line per person and channel, and exits 1 if anything failed. What
    was delivered is kept in .salesctl/sent.jsonl: a rerun the same day delivers only what is
    missing.

    \b
    Example:
      salesctl remind --as-of 2026-11-30
      salesctl remind --to zhang --format json
      salesctl remind --send --via wecom --dry-run
      30 8 * * 1-5  cd /srv/acme-sales && salesctl remind --send   (crontab)
    """
    if send and outbox:
        raise click.UsageError("--outbox writes the messages instead of sending them: give one of --send, --outbox")
    if fmt and (send or outbox):
        raise click.UsageError("--format prints the reminders; --send and --outbox deliver them: give one")
    if (via or resend or dry_run) and not send:
        raise click.UsageError("--via, --resend and --dry-run go with --send")
    ws = read_workspace(strict, api.reminders.reads)
    if to is not None and ws.member(to) is None:
        raise click.BadParameter(f"{to!r} is not a team member", param_hint="--to")
    as_of = app_context().today
    people = api.reminders(ws, as_of, to=to)
    if fmt == "json":
        click.echo(to_json({"as_of": as_of, "reminders": people}), nl=False)
        return
    if send:
        _send(ws, people, as_of, via, resend, dry_run)
        return
    if not (outbox or fmt == "email"):
        blocks = [person_text(p, ws.member(p["to"])["name"], as_of, ws.config.locale) for p in people]
        click.echo("\n".join(blocks), nl=False)
        return
    built, skipped = messages(ws, people, as_of)
    for line in skipped:
        click.echo(f"warning: {line}", err=True)
    if outbox:
        _write_outbox(built, outbox, as_of)
    else:
        from ..remind import mail

        now = datetime.now()
        for _, message in built:
            click.echo(mail.as_mbox(message, ws.config.smtp["from"], now), nl=False)
    if outbox and skipped:
        raise click.exceptions.Exit(1)


def _send(ws, people, as_of, via, resend, dry_run):
    from ..remind import deliver as delivery  # the channels, SMTP and HTTP: only to deliver

    try:
        outcomes = delivery.send(ws, people, as_of, via=via, resend=resend, dry_run=dry_run)
    except NotConfigured as exc:
        raise click.BadParameter(str(exc), param_hint="--via")
    for line in report(ws, outcomes):
        click.echo(line)
    failures = delivery.failed(outcomes)
    if failures:
        tail = "would fail (FAILED above)" if dry_run else ("failed (FAILED above); a rerun today delivers only what "
                                                            "is missing")
        click.echo(f"error: {len(failures)} of {len(outcomes)} deliveries {tail}", err=True)
        raise click.exceptions.Exit(1)


def report(ws, outcomes) -> list[str]:
    """One line per outcome: channel, person, how many reminders, what became of them and where."""
    from ..remind import deliver as delivery

    status_words = {delivery.SENT: "sent", delivery.ALREADY: "already sent today", delivery.PLANNED: "would be sent",
                    delivery.FAILED: "FAILED"}
    rows = []
    for o in outcomes:
        member = ws.member(o.person) or {}
        count = f"{o.items} reminder{'s' if o.items != 1 else ''}" if o.items else "@mention"
        status = status_words[o.status]
        if o.where:
            status += f" to {o.where}"
        if o.reason:
            status += f": {o.reason}"
        rows.append((o.channel, f"{member.get('name', o.person)} ({o.person})", count, status))
    if not rows:
        return []
    widths = [max(display_width(row[i]) for row in rows) for i in range(3)]
    return ["  ".join(cell + " " * (width - display_width(cell)) for cell, width in zip(row, widths)) + "  " + row[3]
            for row in rows]


def _write_outbox(built, outbox: Path, as_of):
    from ..remind import mail

    try:
        outbox.mkdir(parents=True, exist_ok=True)
        for member_id, message in built:
            click.echo(mail.write_eml(message, outbox / f"{as_of.isoformat()}-{member_id}.eml"))
    except OSError as exc:
        raise MailError(f"cannot write to {outbox}: {exc.strerror or exc}") from None
