"""`salesctl draft`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..draft.context import contract_context, contract_problems
from ..draft.render import render
from ..draft.templates import list_templates
from ..errors import Refused
from ..render.locale import plural
from ..render.problems import TextReporter
from . import app_context, completion, global_options


@click.command()
@click.argument("contract_id", required=False, shell_complete=completion.record_ids("contracts"))
@click.option("-t", "--template", metavar="NAME", help="Template name, e.g. contract or contract.en_US "
              "(default: the contract's own `template`, else contract).")
@click.option("-o", "--output", "output_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "docx"]), default="md", show_default=True)
@click.option("--force", is_flag=True, help="Render even when the contract has validation errors (marking what "
              "they leave missing or wrong), and replace an existing -o FILE.")
@click.option("--list-templates", is_flag=True, help="List the templates found and where, then exit.")
@global_options
def draft(contract_id, template, output_path, fmt, force, list_templates):
    """Render the contract draft of CONTRACT_ID from its template.

    Workspace templates/ override the shipped ones by name; NAME.LOCALE.FORMAT.j2 is preferred
    when it matches the workspace locale. A contract with validation errors is refused (exit 1)
    unless --force, which renders it with what the errors leave missing or wrong marked. -o FILE
    creates FILE's folder and never replaces an existing FILE without --force. docx output needs
    the optional extra: pip install 'salesctl[docx]'.

    \b
    Example:
      salesctl -C sample-workspace draft CT-2026-001 --format html -o CT-2026-001.html
      salesctl draft --list-templates
    """
    app = app_context()
    if list_templates:
        _list(app)
        return
    if not contract_id:
        raise click.UsageError("missing CONTRACT_ID (or --list-templates)")
    ws = app.load()
    contract = ws.get("contracts", contract_id)
    if contract is None:
        raise click.UsageError(f"no contract {contract_id!r}")
    if output_path is not None and output_path.exists() and not force:
        raise Refused(f"{output_path} exists (a draft may have been edited since); give --force to replace it")
    problems = contract_problems(ws, contract)
    if problems:
        click.echo(TextReporter().lines(problems), err=True, nl=False)
        if not force:
            raise Refused(f"contract {contract_id} has {plural(len(problems), 'validation error')}; "
                          f"fix them or use --force")
        click.echo(f"warning: drafting with {plural(len(problems), 'validation error')}; what they leave missing "
                   f"or wrong is marked in the draft", err=True)
    context = contract_context(ws, contract, app.today, problems)
    result = render(context, template=template or contract.get("template") or "contract", fmt=fmt,
                    locale=ws.config.locale, workspace_templates_dir=ws.root / "templates")
    data = result if isinstance(result, bytes) else result.encode("utf-8")
    if output_path is not None:
        from ..query.export import write_bytes

        write_bytes(output_path, data)
        click.echo(f"wrote {output_path}", err=True)
    elif isinstance(result, bytes) and sys.stdout.isatty():
        raise click.UsageError("docx output is binary: use -o FILE")
    else:
        stream = sys.stdout.buffer
        stream.write(data)
        stream.flush()


def _list(app):
    try:
        root = app.root()
        locale = app.load().config.locale
        directory = root / "templates"
    except Exception:  # no workspace: the shipped templates are still worth listing
        directory, locale = None, None
    rows = list_templates(directory, locale=locale)
    for info in rows:
        flags = " ".join(f for f, on in (("selected", info.selected), ("overridden", info.overridden)) if on)
        click.echo(f"{info.name:<12} {info.locale or '-':<6} {info.format:<5} {info.source:<9} {info.path}"
                   + (f"  ({flags})" if flags else ""))
