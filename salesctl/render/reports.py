"""The report documents (`salesctl.reports`) as the command line prints them: JSON or YAML as they
are, CSV with nested values spread over columns, tables with headings and titles in the locale.
"""

from __future__ import annotations

from decimal import Decimal

from ..model.records import ACTION_KEYS
from .locale import headings
from .output import cell_text, render_rows, to_csv, to_table

LEDGER_COLUMNS = ["receivable", "contract", "customer", "customer_name", "owner", "due", "amount", "paid", "balance",
                  "days_overdue", "bucket"]


# --- overdue -----------------------------------------------------------------------------

def render_overdue(doc: dict, fmt: str, config) -> str:
    """The ledger (one row per receivable, or per customer or owner with subtotals), then a total
    row with a column per aging bucket of `config`."""
    if fmt in ("json", "yaml"):
        return render_rows([], [], fmt, document=doc)
    by = doc.get("by", "receivable")
    labels = config.bucket_labels()
    words = headings(config.locale)
    if by != "receivable":
        rows = [_flat_group_row(row) for row in doc["rows"]]
        columns = [by, "name", "count", "balance", *labels]
    elif fmt == "csv":
        rows = [_flat_ledger_row(row) for row in doc["rows"]]
        columns = [*LEDGER_COLUMNS, *[f"last_action.{key}" for key in ACTION_KEYS], "next_step.action", "next_step.date"]
    else:
        names = {member.get("id"): member.get("name") for member in config.team}
        rows = [{**row, "owner": names.get(row["owner"]) or row["owner"],
                 "last_action": _action_cell(row["last_action"], words)} for row in doc["rows"]]
        columns = [c for c in LEDGER_COLUMNS if c != "customer"] + ["last_action", "next_step"]
    if fmt == "csv":
        return to_csv(rows, columns)
    text = f"{words['overdue_title']} {words['as_of']} {doc['as_of'].isoformat()}\n\n"
    if rows:
        text += to_table(rows, columns, words) + "\n"
    total = {"": words["total_row"], **_flat_group_row(doc["totals"])}
    return text + to_table([total], ["", "count", "balance", *labels], words)


def _flat_ledger_row(row: dict) -> dict:
    """A ledger row for CSV: last action and next step spread over dotted columns."""
    flat = {k: v for k, v in row.items() if k not in ("last_action", "next_step")}
    for key in ACTION_KEYS:
        flat[f"last_action.{key}"] = (row["last_action"] or {}).get(key)
    flat["next_step.action"] = (row["next_step"] or {}).get("action")
    flat["next_step.date"] = (row["next_step"] or {}).get("date")
    return flat


def _flat_group_row(row: dict) -> dict:
    """A group row (or the totals) with one column per aging bucket."""
    flat = {k: v for k, v in row.items() if k != "buckets"}
    flat.update(row["buckets"])
    return flat


def _action_cell(action: dict | None, words: dict) -> str:
    """`2026-11-02 phone`, plus the promised date when the action carries one."""
    if action is None:
        return ""
    channel = words.get("values", {}).get("channel", {}).get(action["channel"], action["channel"])
    text = f"{action['date'].isoformat()} {channel}"
    if action.get("promised"):
        text += f" ({words['promised']} {action['promised'].isoformat()})"
    return text


# --- kpi ---------------------------------------------------------------------------------

def render_kpi(doc: dict, fmt: str, *, by: str, locale: str) -> str:
    """One row per rep (or group) and the total row; the columns are the KPIs of the document, then
    the rank of each row (the total row has none)."""
    key = ["group"] if by == "group" else ["rep", "name"]
    columns = [*key, *doc["total"], "rank"]
    if fmt in ("json", "yaml", "csv"):
        return render_rows(doc["rows"], columns, fmt, document=doc)
    words = headings(locale)
    rows = [*doc["rows"], {key[0]: words["total_row"], **doc["total"]}]
    title = f"{words['kpi_title']} {doc['period']} ({doc['start'].isoformat()} – {doc['end'].isoformat()})\n\n"
    return title + to_table(rows, columns, words)


# --- review ------------------------------------------------------------------------------

def render_review(doc: dict, fmt: str, config) -> str:
    """One row per review (or roll-up): a column per indicator of `config`, the total, the grade, the
    reviews a roll-up is made of and the rank."""
    if fmt in ("json", "yaml"):
        return render_rows([], [], fmt, document=doc)
    names = [i["name"] for i in config.review["indicators"]]
    columns = ["review", "rep", "name", "period", *[f"scores.{n}" for n in names], "total", "grade", "parts", "rank"]
    rows = [{**{k: v for k, v in row.items() if k != "scores"},
             **{f"scores.{n}": score for n, score in row["scores"].items()}} for row in doc["rows"]]
    if fmt == "csv":
        return to_csv(rows, columns)
    words = headings(config.locale)
    text = f"{words['review_title']} {doc['period'] or ''}".rstrip() + "\n\n"
    if rows:
        return text + to_table(rows, columns, {**words, **{f"scores.{n}": n for n in names}})
    return text + (words["review_none"].format(period=doc["period"]) if doc["period"] else words["review_none_at_all"]) + "\n"


# --- activity ----------------------------------------------------------------------------

def render_activity(doc: dict, fmt: str, *, locale: str) -> str:
    """One row per rep and bucket (day, week or month), then the total row; the columns are the
    figures of the document, rates per working day with one decimal."""
    columns = ["rep", "name", "bucket", *doc["total"]]
    if fmt in ("json", "yaml", "csv"):
        return render_rows(doc["rows"], columns, fmt, document=doc)
    words = headings(locale)
    rows = [*doc["rows"], {"rep": words["total_row"], **doc["total"]}]
    title = f"{words['activity_title']} {doc['period']} ({doc['start'].isoformat()} – {doc['end'].isoformat()})\n\n"
    return title + to_table(rows, columns, {**words, "bucket": words[doc["by"]]})


# --- commission --------------------------------------------------------------------------

PAYROLL_COLUMNS = ("period", "commission.base", "commission.method", "rep", "name", "base", "attainment", "eligible",
                   "tiers", "accelerator", "clawback", "commission", "grade", "bonus", "total")
DETAIL_COLUMNS = ("period", "rep", "name", "kind", "receivable", "contract", "customer", "date", "amount")


def render_commission(doc: dict, fmt: str, *, detail: bool, locale: str) -> str:
    """For payroll: one flat line per rep (CSV: the payroll lines, or with `detail` the detail
    lines); a table has a title naming the base and the method, the total line and the detail."""
    if fmt in ("json", "yaml"):
        return render_rows([], [], fmt, document=doc)
    if fmt == "csv":
        return to_csv(detail_lines(doc), DETAIL_COLUMNS) if detail else to_csv(payroll_lines(doc), PAYROLL_COLUMNS)
    words = headings(locale)
    columns = list(PAYROLL_COLUMNS[3:])
    total = {"rep": words["total_row"], **doc["total"]}
    text = (f"{words['commission_title']} {doc['period']} ({doc['start'].isoformat()} – {doc['end'].isoformat()})\n"
            f"{words['base']}: {words['base_' + doc['base']]} ({doc['base']}); "
            f"{words['commission_method']}: {words['method_' + doc['method']]} ({doc['method']})\n\n")
    text += to_table([*payroll_lines(doc, table=True), total], columns, {**words, "total": words["pay_total"]})
    if detail:
        text += f"\n{words['detail_title']}\n\n" + to_table(detail_lines(doc), list(DETAIL_COLUMNS[1:]), words)
    return text


def commission_sheets(doc: dict, detail: bool, locale: str) -> list[tuple]:
    """The workbook as (name, lines, columns): sheet `commission` (one line per rep, then the total
    line) and, with `detail`, sheet `detail`."""
    total = {"period": doc["period"], "rep": headings(locale)["total_row"], **doc["total"]}
    sheets = [("commission", [*payroll_lines(doc), total], PAYROLL_COLUMNS)]
    if detail:
        sheets.append(("detail", detail_lines(doc), DETAIL_COLUMNS))
    return sheets


def tier_text(line: dict, *, table: bool) -> str:
    """`0.00-30000.00 @ 0.02 on 30000.00 = 600.00` (CSV) or `0.00-30,000.00 @ 2% on 30,000.00 = 600.00`
    (tables); the last band reads `100000.00+`."""
    def amount(value):
        return cell_text(value, table=table)

    band = f"{amount(line['from'])}-{amount(line['to'])}" if line["to"] is not None else f"{amount(line['from'])}+"
    rate = f"{Decimal(str(line['rate'])) * 100:f}".rstrip("0").rstrip(".") + "%" if table else f"{line['rate']:g}"
    return f"{band} @ {rate} on {amount(line['amount'])} = {amount(line['commission'])}"


def payroll_lines(doc: dict, *, table: bool = False) -> list[dict]:
    """One flat line per rep: the settings used, the row, its tier lines as text (joined by '; ',
    or one per line in a table)."""
    joiner = "\n" if table else "; "
    return [{"period": doc["period"], "commission.base": doc["base"], "commission.method": doc["method"],
             **{key: value for key, value in row.items() if key != "tiers"},
             "tiers": joiner.join(tier_text(line, table=table) for line in row["tiers"])} for row in doc["rows"]]


def detail_lines(doc: dict) -> list[dict]:
    """With detail: one line per payment or contract of a base (kind payment | contract) and per
    receivable clawed back (kind clawback, amount = its balance written off)."""
    lines = []
    for row in doc["rows"]:
        who = {"period": doc["period"], "rep": row["rep"], "name": row["name"]}
        for payment in row.get("payments", ()):
            lines.append({**who, "kind": "payment", **payment})
        for contract in row.get("contracts", ()):
            lines.append({**who, "kind": "contract", "receivable": None, "contract": contract["contract"],
                          "customer": contract["customer"], "date": contract["signed"], "amount": contract["amount"]})
        for receivable in row.get("clawed_back", ()):
            lines.append({**who, "kind": "clawback", **receivable, "amount": receivable["balance"]})
    return lines


# --- the public pool and the customer load ---------------------------------------------------

POOL_COLUMNS = ["id", "name", "tier", "since", "from", "reason", "days"]
DUE_COLUMNS = ["id", "name", "owner", "pool_due", "pool_reason"]
SWEEP_COLUMNS = ["customer", "name", "owner", "pool_due", "pool_reason", "reason"]
ALLOCATE_COLUMNS = ["customer", "name", "tier", "since", "days", "owner"]
LOAD_TIERS = ("A", "B", "C", "none")


def _people_by_name(rows: list[dict], names: dict) -> list[dict]:
    """Rows whose owners (`owner`, a previous owner `from`) read as names, as a table shows them."""
    return [{**row, **{key: names.get(row[key]) or row[key] for key in ("owner", "from") if row.get(key)}}
            for row in rows]


def render_pool(doc: dict, fmt: str, *, locale: str, names: dict | None = None) -> str:
    """The customers in the pool (or, with `until`, those due back to it); a table prints nothing
    when there are none. `names` (team id -> name): the owners a table shows."""
    columns = POOL_COLUMNS if "until" not in doc else DUE_COLUMNS
    if fmt != "table":
        return render_rows(doc["rows"], columns, fmt, document=doc)
    if not doc["rows"]:
        return ""
    words = headings(locale)
    title = words["pool_title"] if "until" not in doc else f"{words['due_title']} ({words['until']} {doc['until']})"
    rows = _people_by_name(doc["rows"], names or {})
    return f"{title} {words['as_of']} {doc['as_of'].isoformat()}\n\n" + to_table(rows, columns, words)


def render_pool_plan(doc: dict, fmt: str, *, allocation: bool, locale: str, names: dict | None = None) -> str:
    """What a sweep released or an allocation handed out (`{as_of, dry_run, rows}`); a table prints
    nothing when nothing moved, so that cron mails only real news."""
    columns = ALLOCATE_COLUMNS if allocation else SWEEP_COLUMNS
    if fmt != "table":
        return render_rows(doc["rows"], columns, fmt, document=doc)
    if not doc["rows"]:
        return ""
    words = headings(locale)
    title = words["allocate_title" if allocation else "sweep_title"]
    dry = f" {words['dry_run']}" if doc["dry_run"] else ""
    rows = _people_by_name(doc["rows"], names or {})
    return f"{title} {words['as_of']} {doc['as_of'].isoformat()}{dry}\n\n" + to_table(rows, columns, words)


def render_load(doc: dict, fmt: str, *, locale: str) -> str:
    """One row per rep with a column per tier (`tiers.A` …), then the total row (not in CSV)."""
    if fmt in ("json", "yaml"):
        return render_rows([], [], fmt, document=doc)
    rows = [_flat_load_row(row) for row in doc["rows"]]
    columns = ["rep", "name"]
    for key in doc["total"]:
        columns += [f"tiers.{tier}" for tier in LOAD_TIERS] if key == "tiers" else [key]
    if fmt == "csv":
        return to_csv(rows, columns)
    words = headings(locale)
    total = {"rep": words["total_row"], **_flat_load_row(doc["total"])}
    return (f"{words['load_title']} {words['as_of']} {doc['as_of'].isoformat()}\n\n"
            + to_table([*rows, total], columns, {**words, "customers": words["load_customers"],
                                                 "due": words["due_customers"]}))


def _flat_load_row(row: dict) -> dict:
    """A load row with one column per tier (tiers.A …)."""
    flat = {k: v for k, v in row.items() if k != "tiers"}
    flat.update({f"tiers.{tier}": count for tier, count in row["tiers"].items()})
    return flat
