"""`salesctl diff` and `salesctl log`: parse options, call `semdiff` / `history`, render."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import click

from ..model.money import Ratio, money_text
from ..render import output
from ..render.locale import headings, plural
from . import _progress_enabled, app_context, completion, global_options

FORMATS = ("text", "json", "yaml")
MARKS = {"added": ("+", "green"), "removed": ("-", "red"), "changed": ("~", "yellow"), "moved": ("→", "cyan")}


def _no_rev(command: str):
    if app_context().rev is not None:
        raise click.UsageError(f"--rev does not apply to {command}; give the revisions as arguments")


@click.command()
@click.argument("revs", nargs=-1, metavar="[REV_A [REV_B]]")
@click.option("--exit-code", is_flag=True, help="Exit 1 when records or settings differ (like git diff --exit-code).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@global_options
def diff(revs, exit_code, fmt):
    """Record-level changes from REV_A to REV_B and their effect on the figures as of --as-of:
    receivable balances and statuses, overdue balance per aging bucket, signed amount per rep for
    each quarter touched, and the approvals a change of a contract's terms made stale.

    No revision: HEAD against the working tree; one: that revision against the working tree.
    Records are matched by collection and id: a record moved to another file is unchanged, a
    renamed id is a removal plus an addition. Nothing is checked out.

    \b
    Example:
      salesctl diff --as-of 2026-11-30
      salesctl diff v2026Q3 HEAD --format json
    """
    from ..history.semdiff import compare
    from ..load.revisions import open_pair

    if len(revs) > 2:
        raise click.UsageError("diff takes at most two revisions: [REV_A [REV_B]]")
    _no_rev("diff")
    app = app_context()
    rev_a = revs[0] if revs else "HEAD"
    rev_b = revs[1] if len(revs) > 1 else None
    with app.loading():
        ws_a, ws_b, (source_a, source_b) = open_pair(app.root(), rev_a, rev_b, use_cache=not app.no_cache,
                                                     progress=_progress_enabled())
    document = {"from": {"rev": rev_a, "commit": source_a.commit},
                "to": {"rev": rev_b, "commit": source_b.commit if source_b else None},
                **compare(ws_a, ws_b, app.today)}
    if fmt == "text":
        _print_diff(document, headings(ws_b.config.locale))
    else:
        _echo_document(document, fmt)
    if exit_code and (document["records"] or document["config"]):
        raise click.exceptions.Exit(1)


@click.command()
@click.argument("record_id", metavar="ID", shell_complete=completion.record_ids())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@global_options
def log(record_id, fmt):
    """The commits that changed one record, newest first, with the fields each one changed.

    The record is followed when it moves to another file. --rev REV starts the history there
    instead of at HEAD.

    \b
    Example:
      salesctl log RCV-0012
      salesctl --rev HEAD~1 log CT-2026-007 --format json
    """
    from ..history.log import record_history

    app = app_context()
    document = record_history(app.root(), record_id, app.rev or "HEAD")
    if not document["history"]:
        raise click.UsageError(f"no record with id {record_id!r} in the history of {document['rev']}")
    if fmt != "text":
        _echo_document(document, fmt)
        return
    for entry in document["history"]:
        click.echo(click.style(f"{entry['commit'][:10]} ", fg="yellow") +
                   f"{entry['date'][:10]} {entry['author']}  {entry['subject']}")
        mark, colour = MARKS[entry["change"]]
        click.echo("    " + click.style(f"{mark} {entry['change']} {entry['collection']} {record_id}  "
                                        f"{_paths(entry)}", fg=colour))
        for change in entry["fields"]:
            click.echo(f"      {_field_line(change)}")


# --- rendering -------------------------------------------------------------------------------

def _echo_document(document: dict, fmt: str):
    click.echo(output.to_json(document) if fmt == "json" else output.to_yaml(document), nl=False)


def _print_diff(doc: dict, words: dict):
    target = doc["to"]["rev"] or "working tree"
    if doc["to"]["commit"]:
        target += f" ({doc['to']['commit'][:10]})"
    click.echo(click.style(f"diff {doc['from']['rev']} ({doc['from']['commit'][:10]}) → {target}, "
                           f"{words['as_of']} {doc['as_of'].isoformat()}", bold=True))
    for entry in doc["records"]:
        mark, colour = MARKS[entry["change"]]
        click.echo(click.style(f"{mark} {entry['collection']} {entry['id']}  {_paths(entry)}", fg=colour))
        for change in entry.get("fields", ()):
            click.echo(f"    {_field_line(change)}")
    for entry in doc["moved"]:
        click.echo(click.style(f"→ {entry['collection']} {entry['id']}  {_paths(entry)} (moved, unchanged)", fg="cyan"))
    if doc["config"]:
        click.echo(click.style("~ salesctl.yaml", fg="yellow"))
        for change in doc["config"]:
            click.echo(f"    {_field_line(change)}")
    s = doc["summary"]
    line = f"{s['added']} added, {s['removed']} removed, {s['changed']} changed, {s['moved']} moved"
    if s["config"]:
        line += f", {plural(s['config'], 'setting')} changed"
    if s["errors"]["old"] != s["errors"]["new"]:
        line += f"; errors {s['errors']['old']} → {s['errors']['new']} (records with errors are left out of the figures)"
    click.echo(line)

    effect = doc["effect"]
    if effect["receivables"]:
        rows = [{"receivable": r["receivable"], "contract": r["contract"],
                 "status": _arrow(r, "status"), "balance": _arrow(r, "balance")} for r in effect["receivables"]]
        _section(words["diff_receivables"], rows, ["receivable", "contract", "status", "balance"], words)
    overdue = effect["overdue"]
    if any(v["delta"] for v in overdue["buckets"].values()):
        rows = [{"bucket": label, **values} for label, values in overdue["buckets"].items()]
        rows.append({"bucket": words["total_row"], **overdue["total"]})
        _section(words["diff_overdue"], rows, ["bucket", "old", "new", "delta"], words)
    if effect["signed"]:
        rows = [{**r, "rep": r["rep"] if r["rep"] is not None else words["total_row"]} for r in effect["signed"]]
        _section(words["diff_signed"], rows, ["period", "rep", "name", "old", "new", "delta"], words)
    if effect["attainment"]:
        rows = [{**r, "target": _change(r["target"]), "attainment": _change(r["attainment"])} for r in effect["attainment"]]
        _section(words["diff_attainment"], rows, ["period", "rep", "name", "target", "attainment"], words)
    if effect["grades"]:
        rows = [{**r, "total": _change(r["total"]), "grade": _change(r["grade"])} for r in effect["grades"]]
        _section(words["diff_grades"], rows, ["review", "rep", "name", "period", "total", "grade"], words)
    if effect["approvals"]:
        _section(words["diff_stale"], effect["approvals"], ["contract", "stage", "by", "name", "date", "terms"], words)


def _section(title: str, rows: list[dict], columns: list[str], words: dict):
    click.echo("")
    click.echo(click.style(title, bold=True))
    click.echo(output.to_table(rows, columns, words), nl=False)


def _paths(entry: dict) -> str:
    old, new = entry["old_path"], entry["new_path"]
    if old and new and old != new:
        return f"{old} → {new}"
    return new or old


def _arrow(row: dict, key: str) -> str:
    old = _value(row["old"][key]) if row["old"] else "(none)"
    new = _value(row["new"][key]) if row["new"] else "(none)"
    return f"{old} → {new}"


def _change(values: dict) -> str:
    return f"{_value(values['old'])} → {_value(values['new'])}"


def _field_line(change: dict) -> str:
    return f"{change['field']}: {_value(change['old'])} → {_value(change['new'])}"


def _value(value) -> str:
    """A field value as it reads in a terminal: YAML-like, money with 2 decimals."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Ratio):
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, Decimal):
        return money_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    text = str(value)
    return text if text and "\n" not in text else repr(text)
