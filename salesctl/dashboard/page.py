"""The dashboard's HTML: one page holding everything it shows (inline SVG and CSS, no script).

Each chart is a `<figure>` with its caption, its SVG and, in a `<details>`, the table of the
figures it draws, for screen readers and for copying into a spreadsheet. Numbers are written as
the report tables write them (`output.cell_text`), text in the workspace locale, everything
escaped. The page prints on A4 landscape, two charts side by side.
"""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from ..model.money import Ratio, Tenths
from ..render.locale import headings
from ..render.output import cell_text
from . import charts

HTML_LANG = {"zh_CN": "zh-CN", "en_US": "en"}

CSS = """
@page { size: A4 landscape; margin: 10mm; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1120px; padding: 12px; color: #222; background: #fff; font-size: 13px;
  font-family: %(font)s; }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 16px; margin: 18px 0 6px; border-bottom: 2px solid #4c78a8; padding-bottom: 2px; }
header p, .note, footer { color: #555; margin: 4px 0; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0; }
.card { border: 1px solid #ddd; border-radius: 4px; padding: 4px 10px; min-width: 150px; }
.card .label { display: block; color: #555; font-size: 12px; }
.card .value { font-size: 18px; font-weight: bold; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px 16px; align-items: start; }
.wide { grid-column: 1 / -1; }
figure { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-weight: bold; margin: 4px 0; }
.chart svg { display: block; max-width: 100%%; height: auto; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; }
thead th { background: #f3f3f3; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
details { margin-top: 4px; }
details table { margin-top: 4px; }
footer { margin-top: 18px; font-size: 11px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  details { display: none; }
  section + section:not(.empty) { break-before: page; }  /* a section that is one note shares a page */
  h2, .cards, figcaption { break-after: avoid; }
  .cards, table { break-inside: avoid; }
}
"""


class Table(NamedTuple):
    headings: list        # column headings, already in the locale
    rows: list            # lists of values; the first of each row names it (a row heading)


class Figure(NamedTuple):
    key: str              # the figure's id in the page
    caption: str
    spec: dict | None     # the chart; None for a table shown as it is
    tables: list          # [Table]: the chart's data (in <details>), or the table itself
    note: str = ""        # said under the caption (what a figure means, why it is empty)
    wide: bool = False    # across both columns of the grid


class Section(NamedTuple):
    key: str
    title: str
    cards: list           # [(label, value, detail)]
    figures: list         # [Figure]
    note: str = ""        # the whole section's note when it has nothing to show


def render(doc: dict, config, command: str, charts_cache=None) -> str:
    """The page for a `figures.dashboard_figures` document; `command` reproduces it. Charts drawn
    before come from `charts_cache` (a `load.cache.ChartCache`) when given."""
    charts.require()
    words = headings(config.locale)
    sections = [
        collection_section(doc["collection"], config, words),
        sales_section(doc["sales"], words),
        activity_section(doc["activity"], doc["as_of"], words),
        pool_section(doc["pool"], config, words),
        reviews_section(doc["reviews"], config, words),
    ]
    return document(doc, sections, config, words, command, charts_cache)


# --- sections ----------------------------------------------------------------------------

def collection_section(figures: dict | None, config, words: dict) -> Section:
    title = words["dashboard_collection"]
    if figures is None:
        return Section("collection", title, [], [], words["dashboard_no_receivables"])
    totals = figures["totals"]
    cards = [(words["overdue_balance"], totals["balance"], f"{words['count']} {totals['count']}")]
    months = figures["months"]
    monthly = Figure("collected-per-month", words["dashboard_collected_per_month"],
                     charts.collected_per_month(months, words),
                     [Table([words["month"], words["collected"], words["fell_due"]],
                            [[m["month"], m["collected"], m["fell_due"]] for m in months])])
    shown = [_overdue_by_owner(figures, config.bucket_labels(), words), monthly]
    if figures["largest"]:
        shown.append(_largest_overdue(figures["largest"], config, words))
    return Section("collection", title, cards, shown)


def _overdue_by_owner(figures: dict, labels: list, words: dict) -> Figure:
    key, caption = "overdue-by-owner", words["dashboard_overdue_by_owner"]
    groups, totals = figures["by_owner"], figures["totals"]
    if not groups:
        return Figure(key, caption, None, [], words["dashboard_nothing_overdue"])
    owners = [group["name"] or group["owner"] or words["dashboard_no_owner"] for group in groups]
    bars = [{"owner": owner, "bucket": label, "balance": group["buckets"][label]}
            for owner, group in zip(owners, groups) for label in labels]
    table = Table([words["owner"], words["count"], words["balance"], *labels],
                  [[owner, g["count"], g["balance"], *g["buckets"].values()] for owner, g in zip(owners, groups)]
                  + [[words["total_row"], totals["count"], totals["balance"], *totals["buckets"].values()]])
    return Figure(key, caption, charts.overdue_by_owner(bars, labels, words), [table])


def _largest_overdue(rows: list, config, words: dict) -> Figure:
    """A table as it is, not a chart: the receivables to chase first."""
    columns = ["receivable", "customer_name", "owner", "due", "days_overdue", "bucket", "balance"]
    return Figure("largest-overdue", words["dashboard_largest_overdue"], None, [Table(
        [words[c] for c in columns],
        [[row["receivable"], row["customer_name"], _member_name(row["owner"], config, words), row["due"],
          row["days_overdue"], row["bucket"], row["balance"]] for row in rows])])


def sales_section(figures: dict | None, words: dict) -> Section:
    title = words["dashboard_sales"]
    if figures is None:
        return Section("sales", title, [], [], words["dashboard_no_sales"])
    kpi = figures["kpi"]
    total = kpi["total"]
    cards = [(words["signed_amount"], total["signed_amount"], f"{words['contracts']} {total['contracts']}"),
             (words["target"], total["target"], ""), (words["attainment"], total["attainment"], ""),
             (words["collected"], total["collected"], ""), (words["new_customers"], total["new_customers"], "")]
    months = figures["months"]
    monthly = Figure("signed-per-month", words["dashboard_signed_per_month"], charts.signed_per_month(months, words),
                     [Table([words["month"], words["signed_amount"]], [[m["month"], m["signed_amount"]] for m in months])])
    return Section("sales", title, cards, [_signed_against_target(kpi, words), monthly,
                                           _funnel(figures["funnel"], kpi["period"], words)])


def _signed_against_target(kpi: dict, words: dict) -> Figure:
    """The reps with something signed or a target to reach, and the team's total."""
    key, caption = "signed-against-target", words["dashboard_signed_against_target"]
    shown = [row for row in kpi["rows"] if row["signed_amount"] or row["target"] is not None]
    if not shown:
        return Figure(key, caption, None, [], words["dashboard_nothing_signed"])
    bars = [{"rep": row["name"] or row["rep"], "signed_amount": row["signed_amount"], "target": row["target"]}
            for row in shown]
    total = kpi["total"]
    table = Table([words["rep"], words["signed_amount"], words["target"], words["attainment"]],
                  [[bar["rep"], row["signed_amount"], row["target"], row["attainment"]] for bar, row in zip(bars, shown)]
                  + [[words["total_row"], total["signed_amount"], total["target"], total["attainment"]]])
    return Figure(key, caption, charts.signed_against_target(bars, words), [table])


def _funnel(funnel: dict, period: str, words: dict) -> Figure:
    steps = [{"step": words[key], "count": funnel[key]} for key in ("visited_customers", "prospects", "new_customers")]
    rate = funnel["conversion_rate"]
    return Figure("funnel", f"{words['dashboard_funnel']} {period}", charts.funnel(steps, words),
                  [Table(["", words["dashboard_customers"]], [[s["step"], s["count"]] for s in steps])],
                  f"{words['conversion_rate']} {cell_text(rate, table=True)}" if rate is not None else "")


def activity_section(report: dict | None, as_of: date, words: dict) -> Section:
    """Calls and effective calls per rep and ISO week, the weeks begun by --as-of."""
    title = words["dashboard_activity"]
    if report is None:
        return Section("activity", title, [], [], words["dashboard_no_calls"])
    year, week, _ = as_of.isocalendar()
    rows = [row for row in report["rows"] if row["bucket"] <= f"{year}-W{week:02d}"]
    reps = list(dict.fromkeys(row["name"] or row["rep"] for row in rows))
    weeks = list(dict.fromkeys(row["bucket"] for row in rows))
    total = report["total"]
    cards = [(words[key], _tenth(total[key]) if key.endswith("per_day") else total[key], "")
             for key in ("calls", "effective_calls", "calls_per_day", "effective_per_day")]
    cells = [{"rep": row["name"] or row["rep"], "week": row["bucket"], "calls": row["calls"],
              "effective_calls": row["effective_calls"]} for row in rows]
    tables = [Table([words[key], *weeks], [[rep, *(c[key] for c in cells if c["rep"] == rep)] for rep in reps])
              for key in ("calls", "effective_calls")]
    figure = Figure("calls-per-week", f"{words['dashboard_calls_per_week']} {report['period']}",
                    charts.calls_per_week(cells, reps, weeks, words), tables, wide=True)
    return Section("activity", title, cards, [figure])


def pool_section(report: dict | None, config, words: dict) -> Section:
    """The owned customers due to go back to the public pool, per owner and reason, and their list."""
    title = words["dashboard_pool"]
    if report is None:
        return Section("pool", title, [], [], words["dashboard_no_pool_rules"])
    rows = report["rows"]
    cards = [(words["dashboard_due_to_pool"], len(rows), f"{words['dashboard_until']} {report['until'].isoformat()}")]
    key, caption = "due-to-pool", words["dashboard_due_by_owner"]
    if not rows:
        return Section("pool", title, cards, [Figure(key, caption, None, [], words["dashboard_nothing_due"])])
    reasons = {code: words[f"dashboard_reason_{code}"] for code in ("follow_up", "deal")}
    owners = list(dict.fromkeys(_member_name(row["owner"], config, words) for row in rows))
    counts = {(owner, code): 0 for owner in owners for code in reasons}
    for row in rows:
        counts[_member_name(row["owner"], config, words), row["pool_reason"]] += 1
    owners.sort(key=lambda owner: -sum(counts[owner, code] for code in reasons))  # stable: the soonest due first
    bars = [{"owner": owner, "reason": reasons[code], "count": counts[owner, code]}
            for owner in owners for code in reasons if counts[owner, code]]
    count_table = Table([words["owner"], *reasons.values(), words["total_row"]],
                        [[owner, *(counts[owner, code] for code in reasons), sum(counts[owner, code] for code in reasons)]
                         for owner in owners])
    due_table = Table([words["customer"], words["customer_name"], words["owner"], words["dashboard_pool_due"],
                       words["dashboard_pool_reason"]],
                      [[row["id"], row["name"], _member_name(row["owner"], config, words), row["pool_due"],
                        reasons.get(row["pool_reason"], row["pool_reason"])] for row in rows])
    figure = Figure(key, caption, charts.due_to_pool(bars, list(reasons.values()), words), [count_table, due_table])
    return Section("pool", title, cards, [figure])


def reviews_section(report: dict | None, config, words: dict) -> Section:
    """The grades of the period: the reviews of exactly the period and the roll-ups of shorter ones
    (the ranked rows of `report review`), one per rep."""
    title = words["dashboard_reviews"]
    rows = [row for row in report["rows"] if row["period"] == report["period"]] if report else []
    if not rows:
        return Section("reviews", title, [], [], words["dashboard_no_reviews"])
    grades = [*config.review["grades"], *sorted({row["grade"] or "" for row in rows} - set(config.review["grades"]))]
    counts = [{"grade": grade, "count": sum(1 for row in rows if (row["grade"] or "") == grade)} for grade in grades]
    count_table = Table([words["grade"], words["dashboard_reviews_count"]], [[c["grade"], c["count"]] for c in counts])
    review_table = Table([words["name"], words["review"], words["parts"], words["total"], words["grade"], words["rank"]],
                         [[row["name"] or row["rep"], row["review"], row["parts"], _tenth(row["total"]), row["grade"],
                           row["rank"]] for row in rows])
    figure = Figure("grades", f"{words['dashboard_grades']} {report['period']}", charts.grades(counts, words),
                    [count_table, review_table])
    return Section("reviews", title, [], [figure])


def _tenth(score: float | None) -> Tenths | None:
    """A score or a rate as the report tables show it: one decimal (90.0, not 90)."""
    return None if score is None else Tenths(score)


def _rank(grade: str, order: list) -> int:
    return order.index(grade) if grade in order else len(order)


def _member_name(member_id, config, words: dict) -> str:
    member = config.member(member_id) if member_id else None
    return member["name"] if member else member_id or words["dashboard_no_owner"]


# --- HTML --------------------------------------------------------------------------------

def document(doc: dict, sections: list, config, words: dict, command: str, charts_cache=None) -> str:
    esc = html.escape
    company = config.company.get("name") or ""
    title = f"{company} {words['dashboard_title']} {doc['period']}".strip()
    period = f"{words['period']} {doc['period']} ({doc['start'].isoformat()} – {doc['end'].isoformat()}), " \
             f"{words['dashboard_as_of']} {doc['as_of'].isoformat()}"
    body = "".join(_section(section, config.locale, words, charts_cache) for section in sections)
    return (f'<!DOCTYPE html>\n<html lang="{HTML_LANG.get(config.locale, "en")}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{esc(title)}</title>\n'
            f'<style>{CSS % {"font": charts.FONT}}</style>\n</head>\n<body>\n'
            f'<header><h1>{esc(title)}</h1><p>{esc(period)}</p></header>\n{body}'
            f'<footer>{esc(words["dashboard_made_with"])}: <code>{esc(command)}</code></footer>\n</body>\n</html>\n')


def _section(section: Section, locale: str, words: dict, charts_cache) -> str:
    esc = html.escape
    empty = ' class="empty"' if not section.figures and not section.cards else ""
    parts = [f'<section id="{section.key}"{empty}>\n<h2>{esc(section.title)}</h2>\n']
    if section.note:
        parts.append(f'<p class="note">{esc(section.note)}</p>\n')
    if section.cards:
        parts.append('<div class="cards">' + "".join(
            f'<div class="card"><span class="label">{esc(label)}</span><span class="value">{esc(cell_text(value, table=True))}'
            f'</span>{f" <span>{esc(detail)}</span>" if detail else ""}</div>' for label, value, detail in section.cards)
            + "</div>\n")
    charted = [f for f in section.figures if f.spec is not None or not f.tables]
    listed = [f for f in section.figures if f.spec is None and f.tables]
    if charted:
        parts.append('<div class="grid">\n' + "".join(_figure(f, locale, words, charts_cache) for f in charted) + "</div>\n")
    parts.extend(_figure(f, locale, words, charts_cache) for f in listed)
    parts.append("</section>\n")
    return "".join(parts)


def _figure(figure: Figure, locale: str, words: dict, charts_cache) -> str:
    esc = html.escape
    wide = ' class="wide"' if figure.wide else ""
    out = [f'<figure id="{figure.key}"{wide}><figcaption>{esc(figure.caption)}</figcaption>']
    if figure.note:
        out.append(f'<p class="note">{esc(figure.note)}</p>')
    tables = "".join(_table(t) for t in figure.tables)
    if figure.spec is not None:
        out.append(f'<div class="chart" id="chart-{figure.key}">{charts.svg(figure.spec, locale, charts_cache)}</div>')
        out.append(f'<details><summary>{esc(words["dashboard_data_table"])}</summary>{tables}</details>')
    else:
        out.append(tables)
    out.append("</figure>\n")
    return "".join(out)


def _table(table: Table) -> str:
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in table.headings)
    body = []
    for row in table.rows:
        cells = [f'<th scope="row">{esc(cell_text(row[0], table=True))}</th>']
        cells += [f'<td{_numeric(v)}>{esc(cell_text(v, table=True))}</td>' for v in row[1:]]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _numeric(value) -> str:
    return ' class="num"' if isinstance(value, (int, float, Decimal, Ratio)) and not isinstance(value, bool) else ""
