"""`salesctl query` and `salesctl show`."""

from __future__ import annotations

import click

from ..model.records import COLLECTIONS, SCHEMAS, SINGULAR
from .. import api
from ..derive import DERIVED
from ..errors import Refused
from ..model.problems import close_matches
from ..query.query import compile_query, resolve_collection, top_fields
from ..render.locale import headings
from ..render.output import cell_text, render_rows, to_table
from . import app_context, completion, global_options
from .options import format_option, read_workspace, strict_option

# What a table shows when -f is not given (csv, json and yaml show every field).
TABLE_COLUMNS = {
    "customers": ("id", "name", "owner", "status", "tier", "key", "region", "last_contact", "days_since_contact",
                  "follow_up_days"),
    "visits": ("id", "customer", "rep", "date", "channel", "kind", "effective", "satisfaction", "next"),
    "contracts": ("id", "customer", "owner", "title", "status", "signed", "amount", "balance", "pending_stage"),
    "receivables": ("id", "contract", "customer", "owner", "due", "amount", "paid", "balance", "status",
                    "days_overdue", "bucket", "next_step"),
    "reviews": ("id", "rep", "period", "reviewer"),
}


def column_headings(columns, locale: str) -> dict:
    """Headings in the workspace locale; a dotted field joins its parts' headings (联系人.名称)."""
    labels = headings(locale)
    return {**{c: ".".join(labels.get(part, part) for part in c.split(".")) for c in columns},
            **{key: labels[key] for key in ("values", "person_name") if key in labels}}


@click.command()
@click.argument("collection", shell_complete=completion.collections)
@click.option("-w", "--where", multiple=True, metavar="EXPR",
              help="Condition FIELD OP VALUE, OP one of = != > >= < <= ~ (regex, any case); "
                   "repeat: all must hold. 'FIELD = null' matches an absent field.")
@click.option("-s", "--sort", multiple=True, metavar="[-]FIELD",
              help="Sort by FIELD, descending with a leading '-'; repeat for further keys.")
@click.option("-f", "--fields", multiple=True, metavar="FIELDS",
              help="Comma-separated fields to show, dotted paths allowed (contacts.name).")
@click.option("--limit", type=click.IntRange(min=0), metavar="N", help="Show at most N records (after sorting).")
@format_option("table", "csv", "json", "yaml", "ids")
@strict_option
@global_options
def query(collection, where, sort, fields, limit, fmt, strict):
    """List the records of COLLECTION (customers, visits, contracts, receivables, reviews) with
    their derived fields, filtered, sorted and trimmed.

    Values compare as the field's type (dates, numbers, true/false, text); a list field matches
    when any element does, and != is the opposite of =. Derived fields: receivables paid, balance,
    status, days_overdue, bucket, next_step, last_action, customer, owner; contracts paid, balance,
    pending_stage, waiting_since, waiting_days, counted; customers last_contact,
    days_since_contact, follow_up_days.

    \b
    Example:
      salesctl query receivables -w 'status = overdue' -w 'days_overdue > 30' -s -balance
      salesctl query customers -w 'contacts.name ~ 王' -f id,name,owner --format csv
    """
    name = resolve_collection(collection)
    ws = read_workspace(strict, api.query_reads(name, where, sort, fields))
    compiled = compile_query(name, ws.config, where=where, sort=sort, fields=fields, limit=limit,
                             today=app_context().today)
    rows = compiled.run(ws, app_context().today)
    if fmt == "ids":
        click.echo("".join(f"{row['id']}\n" for row in rows), nl=False)
        return
    if fmt in ("json", "yaml") and compiled.columns is None:
        click.echo(render_rows(rows, [], fmt), nl=False)
        return
    columns = compiled.columns or (TABLE_COLUMNS[name] if fmt == "table" else tuple(top_fields(name)))
    selected = [compiled.select(row, columns) for row in rows]
    if fmt == "table" and not selected:
        click.echo(f"no {name} match", err=True)
        return
    if fmt == "table":
        selected = by_name(ws, name, selected, columns)
    click.echo(render_rows(selected, list(columns), fmt, column_headings(columns, ws.config.locale)), nl=False)


def by_name(ws, collection: str, rows: list[dict], columns) -> list[dict]:
    """Rows whose team members (owner, rep, manager, ...) read as their names, as a table shows
    them; CSV, JSON and YAML keep the ids."""
    specs = {**SCHEMAS[collection], **DERIVED[collection]}
    people = [c for c in columns if c in specs and specs[c].kind == "ref" and specs[c].ref == "team"]
    if not people:
        return rows
    names = {member.get("id"): member.get("name") for member in ws.config.team}
    return [{**row, **{c: names.get(row.get(c)) or row.get(c) for c in people}} for row in rows]


@click.command()
@click.argument("record_id", metavar="ID", shell_complete=completion.record_ids())
@format_option("table", "json", "yaml")
@strict_option
@global_options
def show(record_id, fmt, strict):
    """Show the record ID of any collection: its fields, its derived fields and the records
    related to it (a customer's contracts, receivables and last visits; a contract's customer and
    receivables; a receivable's contract and customer; a visit's customer). A contract also shows
    the digest of its terms and the approvals given before its terms changed (stale); a review its
    scores, weighted total, grade and rank, as `report review` gives them.

    \b
    Example:
      salesctl show CUS-0001 --as-of 2026-11-30
      salesctl show RCV-0007 --format json
    """
    ws = read_workspace(strict, api.show.reads)
    matches = [r for r in (ws.get(c, record_id) for c in COLLECTIONS) if r is not None]
    if not matches:
        broken = app_context().load().find(record_id)
        if broken is not None:
            raise Refused(f"{record_id} ({broken.path}) has errors and is left out; run salesctl validate")
        known = [str(r.id) for r in ws]
        guess = close_matches(record_id, known)
        raise click.UsageError(f"no record with id {record_id!r}" + (f"; did you mean {guess[0]!r}?" if guess else ""))
    record = matches[0]
    for other in matches[1:]:
        click.echo(f"note: {record_id} is also a {SINGULAR[other.collection]} ({other.path}); "
                   f"see it with: salesctl query {other.collection} -w 'id = {record_id}'", err=True)
    document = api.show(ws, record, app_context().today)
    if fmt != "table":
        click.echo(render_rows([], [], fmt, document=document), nl=False)
        return
    click.echo(show_text(ws, document), nl=False)


def show_text(ws, document) -> str:
    """The record as label/value lines, then one small table per list of entries and related kind."""
    from ..render import table

    labels = headings(ws.config.locale)
    collection, row = document["collection"], document["record"]
    specs = {**SCHEMAS[collection], **DERIVED[collection]}
    singular = SINGULAR[collection]
    parts = [f"{labels.get(singular, singular)} {row['id']}  ({document['path']})\n"]
    pairs, lists = [], []
    for name, value in row.items():
        spec = specs[name]
        if spec.kind == "list" and spec.item.kind == "map":
            lists.append((name, value))
        elif value is not None and value != []:
            pairs.append([labels.get(name, name), _value_text(ws, spec, value, labels.get("values", {}).get(name, {}))])
    if "terms" in document:
        pairs.append([labels.get("terms", "terms"), document["terms"]])
    if "score" in document:
        score = document["score"]
        shown = ", ".join(f"{name}={value}" for name, value in score["scores"].items() if value is not None)
        pairs += [[labels["scores"], shown], *([labels[key], score[key]] for key in ("total", "grade", "rank")
                                                if score[key] is not None)]
    parts.append(table.plain(pairs) + "\n")
    for name, entries in lists:
        if entries:
            columns = [c for c in specs[name].item.schema if any(c in e for e in entries)]
            words = {**labels, "name": labels["person_name"], "title": labels["job_title"]} \
                if name == "contacts" else labels
            parts.append(f"\n{labels.get(name, name)}\n" + to_table(entries, columns, words))
    if document.get("stale_approvals"):
        parts.append(f"\n{labels.get('stale_approvals', 'stale_approvals')}\n"
                     + to_table(document["stale_approvals"], ["stage", "by", "name", "date", "terms"], labels))
    for kind, rows in document["related"].items():
        if rows:
            title = labels.get(SINGULAR[kind], kind)
            parts.append(f"\n{title} ({len(rows)})\n" + to_table(rows, list(TABLE_COLUMNS[kind]), labels))
    return "".join(parts)


def _yes_no(value: bool, ws) -> str:
    return headings(ws.config.locale).get("values", {}).get("bool", {}).get(value) or cell_text(value, table=True)


def _value_text(ws, spec, value, words: dict) -> str:
    """A value as a table shows it (an enum value in the locale's `words`, a bool as 是/否 in zh_CN);
    a team member, customer or contract id also gets its name."""
    if isinstance(value, bool):
        return _yes_no(value, ws)
    text = words.get(value, cell_text(value, table=True)) if isinstance(value, str) else cell_text(value, table=True)
    if spec.kind != "ref":
        return text
    if spec.ref == "team":
        member = ws.member(value)
        name = member["name"] if member else None
    else:
        target = ws.get(spec.ref, value)
        name = target.get("name") or target.get("title") if target is not None else None
    return f"{text} {name}" if name else text
