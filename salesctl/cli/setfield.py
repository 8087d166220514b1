"""`salesctl set`: options in, the writer of `salesctl.api` called (`write.setfield`), its plan
printed as every writer's."""

from __future__ import annotations

import click

from .. import api
from . import completion, global_options
from .writers import _write, dry_run_option


@click.command("set")
@click.argument("record_id", metavar="ID", shell_complete=completion.record_ids())
@click.argument("assignments", nargs=-1, metavar="FIELD=VALUE...")
@click.option("--force", is_flag=True,
              help="Write it even when it dates an entry after --as-of, or names a customer as another one.")
@dry_run_option
@global_options
def set_(record_id, assignments, force, dry_run):
    """Change fields of the record ID (of any collection).

    FIELD may be dotted into mappings and lists (next.date, contacts.0.phone, self.teamwork);
    VALUE is typed as for `new` (dates, amounts, true/false; lists and mappings as YAML).
    FIELD= with nothing after it removes the field. A value is replaced in place and a removed
    field goes with its lines; the result is checked like every write.

    \b
    Example:
      salesctl set CUS-0003 tier=A contacts.0.phone="0571-8888 6666"
      salesctl set CT-2026-014 payment_terms=签约后支付50%，结束后支付50% notes=
    """
    _write(api.set_fields, record_id, assignments, force=force, dry_run=dry_run)
