"""`salesctl doctor`."""

from __future__ import annotations

import sys

import click

from .. import doctor as checks
from ..render.output import to_json
from . import app_context, global_options

MARKS = {"ok": "ok", "warning": "WARN", "error": "FAIL", "skipped": "--"}


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True, metavar="SECONDS",
              help="How long to wait for the SMTP server and the group robots.")
@click.option("--online", is_flag=True, help="Also send a test message: an e-mail to smtp.from, and a post in the "
                                             "group of each robot of notify.")
@global_options
def doctor(fmt, timeout, online):
    """Check the environment a cron job runs in: the workspace is found and loads, no write was left
    half done (one is finished and reported), the cache is writable, git is there, writers know who
    is writing, the SMTP server (when salesctl.yaml has an smtp section) accepts a connection and the
    login, each group robot of notify has its webhook URL (and secret) in the environment, and the
    output can carry Chinese text. With --online it sends a test message on each of them.

    Run it the way cron runs salesctl (same user, PATH and environment), ideally from cron itself.
    Exit 0 when nothing failed (warnings allowed), 1 when a check failed, 2 when no workspace is found.

    \b
    Example:
      salesctl -C /srv/acme-sales doctor
      salesctl doctor --online
      * * * * * cd /srv/acme-sales && salesctl doctor > /tmp/salesctl-doctor.txt 2>&1
    """
    app = app_context()
    found = checks.run_checks(app.workspace_dir, today=app.today, encoding=sys.stdout.encoding, timeout=timeout,
                               online=online)
    if fmt == "json":
        click.echo(to_json({"checks": [c.as_dict() for c in found], "ok": not checks.failed(found)}), nl=False)
    else:
        width = max(len(c.check) for c in found)
        for c in found:
            click.echo(f"{MARKS[c.status]:<4}  {c.check:<{width}}  {c.detail}")
        problems = [c for c in found if c.status in ("warning", "error")]
        click.echo(f"{len(problems)} problem(s)" if problems else "all checks passed")
    if any(c.check == "workspace" and c.status == "error" for c in found):
        raise click.exceptions.Exit(2)
    if checks.failed(found):
        raise click.exceptions.Exit(1)
