"""`salesctl remind`: what each person must do as of --as-of; print it, write .eml files or send it."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click

from ..remind import mail
from ..remind.remind import messages, person_text, reminders
from ..render.output import to_json
from . import app_context, global_options
from .options import read_workspace, strict_option

PASSWORD_ENV = "SALESCTL_SMTP_PASSWORD"


@click.command()
@click.option("--to", "to", metavar="ID", help="Only this team member's reminders.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "email"]),
              help="Print as text (default), JSON, or the e-mails themselves (mbox).")
@click.option("--send", is_flag=True, help="Mail one message per person over SMTP (config smtp, "
                                           f"password from ${PASSWORD_ENV}); prints nothing.")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write the messages as DIR/<date>-<id>.eml instead of sending them; prints their paths.")
@strict_option
@global_options
def remind(to, fmt, send, outbox, strict):
    """What each person must do: follow-ups, receivables due soon, collection steps, dormant
    customers and stale approvals. Text mode prints nothing when nothing is due, so that cron
    mails only real reminders.

    \b
    Example:
      salesctl remind --as-of 2026-11-30
      salesctl remind --to zhang --format json
      30 8 * * 1-5  cd /srv/acme-sales && salesctl remind --send   (crontab)
    """
    if send and outbox:
        raise click.UsageError("--outbox writes the messages instead of sending them: give one of --send, --outbox")
    if fmt and (send or outbox):
        raise click.UsageError("--format prints the reminders; --send and --outbox deliver them: give one")
    ws = read_workspace(strict)
    if to is not None and ws.member(to) is None:
        raise click.BadParameter(f"{to!r} is not a team member", param_hint="--to")
    as_of = app_context().today
    people = reminders(ws, as_of, to=to)
    if fmt == "json":
        click.echo(to_json({"as_of": as_of, "reminders": people}), nl=False)
        return
    if not (send or outbox or fmt == "email"):
        blocks = [person_text(p, ws.member(p["to"])["name"], as_of, ws.config.locale) for p in people]
        click.echo("\n".join(blocks), nl=False)
        return
    try:
        built, skipped = messages(ws, people, as_of)
        for line in skipped:
            click.echo(f"warning: {line}", err=True)
        failures = _deliver(ws, built, send, outbox, as_of)
    except mail.MailError as exc:
        click.echo(f"error: {exc}", err=True)
        raise click.exceptions.Exit(1)
    for line in failures:
        click.echo(f"error: {line}", err=True)
    if (send or outbox) and (skipped or failures):
        raise click.exceptions.Exit(1)


def _deliver(ws, built, send, outbox, as_of) -> list[str]:
    """Send, write or print the messages; the failures."""
    if send:
        return mail.send_messages([m for _, m in built], ws.config.smtp, os.environ.get(PASSWORD_ENV))
    if outbox:
        try:
            outbox.mkdir(parents=True, exist_ok=True)
            for member_id, message in built:
                click.echo(mail.write_eml(message, outbox / f"{as_of.isoformat()}-{member_id}.eml"))
        except OSError as exc:
            raise mail.MailError(f"cannot write to {outbox}: {exc.strerror or exc}") from None
        return []
    now = datetime.now()
    for _, message in built:
        click.echo(mail.as_mbox(message, ws.config.smtp["from"], now), nl=False)
    return []
