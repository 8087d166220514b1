"""`salesctl dashboard` through the CLI: every figure on the page equals the reports' JSON for the
same options, --rev, -o, --format json, the missing extra, bad input (the library:
tests/unit/dashboard/).

The sample workspace as of 2026-11-30, period 2026-Q3 (the figures of docs/commands.md): overdue
91,425.00 + 77,700.00 + 51,000.00 + 44,697.50 = 264,822.50 in 5 receivables; signed in Q3 740,760.00
of a 750,000.00 target.
"""

from __future__ import annotations

import json
import marshal
import os
import sys
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from helpers.git import BASE
from salesctl import api
from salesctl.load.cache import CHECK_BYTES, ChartCache
from salesctl.load.paths import CHARTS_CACHE

AS_OF = "2026-11-30"
MONTHS = ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]  # the twelve months up to 2026-11
SALES_MONTHS = ["2025-10", "2025-11", "2025-12"] + [f"2026-{m:02d}" for m in range(1, 10)]  # up to the end of Q3


class Page(HTMLParser):
    """The page's tables by figure id ({id: [rows of cell texts]}, the tables of a figure joined)
    and its cards ({label: value})."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict = {}
        self.cards: dict = {}
        self._figure = self._cell = self._card = None
        self._row: list | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure":
            self._figure = attrs["id"]
            self.tables[self._figure] = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""
        elif tag == "span" and attrs.get("class") in ("label", "value"):
            self._card = attrs["class"]
            self._text = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._figure].append(self._row)
            self._row = None
        elif tag == "span" and self._card:
            if self._card == "label":
                self._label = self._text
            else:
                self.cards[self._label] = self._text
            self._card = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._card:
            self._text += data


def loads(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout, parse_float=Decimal)


def money(value) -> str:
    return "" if value is None else f"{Decimal(value):,.2f}"


def percent(value) -> str:
    return "" if value is None else f"{Decimal(value) * 100:.1f}%"


def body(table: list) -> dict:
    """{row heading: the other cells}, the heading row left out."""
    return {row[0]: row[1:] for row in table[1:]}


def test_every_figure_on_the_page_equals_the_reports(run, sample_copy):
    ws = ("-C", sample_copy, "--as-of", AS_OF)
    result = run(*ws, "dashboard", "--period", "2026-Q3")
    assert result.exit_code == 0, result.stderr
    page = Page(result.stdout)
    ledger = loads(run(*ws, "report", "overdue", "--format", "json"))
    by_owner = loads(run(*ws, "report", "overdue", "--by", "owner", "--format", "json"))
    kpi = loads(run(*ws, "report", "kpi", "--period", "2026-Q3", "--format", "json"))
    monthly = {m: loads(run(*ws, "report", "kpi", "--period", m, "--format", "json"))["total"]
               for m in sorted({*MONTHS, *SALES_MONTHS})}
    activity = loads(run(*ws, "report", "activity", "--period", "2026-Q3", "--by", "week", "--format", "json"))
    reviews = loads(run(*ws, "report", "review", "--period", "2026-Q3", "--format", "json"))

    # collection: the overdue total, the buckets per owner, the ten largest, collected per month
    totals = ledger["totals"]
    assert page.cards["逾期余额"] == money(totals["balance"]) == "264,822.50"
    expected = {g["name"]: [str(g["count"]), money(g["balance"]), *map(money, g["buckets"].values())]
                for g in by_owner["rows"]}
    expected["合计"] = [str(totals["count"]), money(totals["balance"]), *map(money, totals["buckets"].values())]
    assert body(page.tables["overdue-by-owner"]) == expected
    largest = sorted(ledger["rows"], key=lambda r: (-r["balance"], r["receivable"]))[:10]
    assert [(r[0], r[1], r[4], r[6]) for r in page.tables["largest-overdue"][1:]] == [
        (r["receivable"], r["customer_name"], str(r["days_overdue"]), money(r["balance"])) for r in largest]
    assert {m: cells[0] for m, cells in body(page.tables["collected-per-month"]).items()} == {
        m: money(monthly[m]["collected"]) for m in MONTHS}

    # sales: signed against target per rep, per month, the funnel's last step and conversion
    shown = [r for r in kpi["rows"] if r["signed_amount"] or r["target"] is not None]
    expected = {r["name"]: [money(r["signed_amount"]), money(r["target"]), percent(r["attainment"])] for r in shown}
    total = kpi["total"]
    expected["合计"] = [money(total["signed_amount"]), money(total["target"]), percent(total["attainment"])]
    assert body(page.tables["signed-against-target"]) == expected
    assert (page.cards["签约金额"], page.cards["目标"], page.cards["完成率"], page.cards["回款"], page.cards["新客户"]) == (
        money(total["signed_amount"]), money(total["target"]), percent(total["attainment"]), money(total["collected"]),
        str(total["new_customers"]))
    assert page.cards["签约金额"] == "740,760.00"
    assert {m: cells[0] for m, cells in body(page.tables["signed-per-month"]).items()} == {
        m: money(monthly[m]["signed_amount"]) for m in SALES_MONTHS}
    assert body(page.tables["funnel"])["新客户"] == [str(total["new_customers"])]
    assert f"转化率 {percent(total['conversion_rate'])}" in result.stdout

    # activity: calls and effective calls per rep and week (every week of Q3 had begun by 11-30);
    # the figure holds two tables, each a heading row and one row per rep
    weeks = list(dict.fromkeys(r["bucket"] for r in activity["rows"]))
    names = list(dict.fromkeys(r["name"] for r in activity["rows"]))
    tables = page.tables["calls-per-week"]
    for n, (key, heading) in enumerate((("calls", "电话"), ("effective_calls", "有效电话"))):
        table = tables[n * (len(names) + 1):(n + 1) * (len(names) + 1)]
        assert table[0] == [heading, *weeks]
        assert body(table) == {name: [str(r[key]) for r in activity["rows"] if r["name"] == name] for name in names}
    total = activity["total"]
    assert (page.cards["电话"], page.cards["有效电话"], page.cards["日均电话"], page.cards["日均有效"]) == (
        str(total["calls"]), str(total["effective_calls"]), f"{total['calls_per_day']:.1f}",
        f"{total['effective_per_day']:.1f}")

    # pool: the owned customers due to go back to the pool within pool.warn_days, as `pool --due` lists them
    due = loads(run(*ws, "pool", "--due", "--format", "json"))
    assert due["rows"], "the sample has customers due to the pool"
    assert page.cards["将退回公海"] == str(len(due["rows"]))
    names, reasons = {"sun": "孙磊", "wang": "王芳"}, {"follow_up": "未按期有效跟进", "deal": "未按期成交"}
    listed = page.tables["due-to-pool"]
    listed = listed[listed.index(["客户", "客户名称", "负责人", "退回日期", "原因"]) + 1:]
    assert listed == [[r["id"], r["name"], names[r["owner"]], r["pool_due"], reasons[r["pool_reason"]]]
                      for r in due["rows"]]
    assert [row[0] for row in listed] == ["CUS-0027", "CUS-0026"]  # due 11-30 (sun) and 12-02 (wang)

    # reviews: the grades of the reviews (and roll-ups) of exactly the period, with totals and ranks
    grades = page.tables["grades"]
    exact = [r for r in reviews["rows"] if r["period"] == "2026-Q3"]
    listed = grades[grades.index(["名称", "考核", "合并考核数", "总分", "等级", "排名"]) + 1:]
    assert listed == [[r["name"], r["review"] or "", str(r["parts"] or ""), f"{r['total']:.1f}", r["grade"],
                       str(r["rank"])] for r in exact]
    assert {row[0]: row[1] for row in grades[1:5]} == {
        grade: str(sum(1 for r in exact if r["grade"] == grade)) for grade in "ABCD"}


def test_what_fell_due_and_the_funnel_agree_with_sql(run, sample_copy):
    """The two kinds of figure no report prints, counted again in SQL over the same workspace."""
    ws = ("-C", sample_copy, "--as-of", AS_OF)
    page = Page(run(*ws, "dashboard", "--period", "2026-Q3").stdout)
    due = loads(run(*ws, "sql", "--format", "json", "SELECT substr(due, 1, 7) AS month, sum(amount) AS due "
                    "FROM receivables WHERE due BETWEEN '2025-12-01' AND '2026-11-30' GROUP BY month"))
    sums = {row["month"]: money(row["due"]) for row in due}
    assert {m: cells[1] for m, cells in body(page.tables["collected-per-month"]).items()} == {
        m: sums.get(m, "0.00") for m in MONTHS}
    visited = loads(run(*ws, "sql", "--format", "json", """
        SELECT count(DISTINCT v.customer) AS visited,
               count(DISTINCT CASE WHEN NOT EXISTS (
                   SELECT 1 FROM contracts c WHERE c.customer = v.customer AND c.status IN ('signed', 'completed')
                   AND c.signed < '2026-07-01') THEN v.customer END) AS prospects
        FROM visits v WHERE v.date BETWEEN '2026-07-01' AND '2026-09-30'"""))[0]
    steps = body(page.tables["funnel"])
    assert (steps["拜访客户"], steps["潜在客户"]) == ([str(visited["visited"])], [str(visited["prospects"])])


def test_the_json_document_is_made_of_the_reports(run, sample_copy):
    ws = ("-C", sample_copy, "--as-of", AS_OF)
    doc = loads(run(*ws, "dashboard", "--period", "2026-Q3", "--format", "json"))
    assert (doc["period"], doc["start"], doc["end"], doc["as_of"]) == ("2026-Q3", "2026-07-01", "2026-09-30", AS_OF)
    assert doc["collection"]["totals"] == loads(run(*ws, "report", "overdue", "--format", "json"))["totals"]
    assert doc["collection"]["by_owner"] == loads(run(*ws, "report", "overdue", "--by", "owner", "--format", "json"))["rows"]
    assert doc["sales"]["kpi"] == loads(run(*ws, "report", "kpi", "--period", "2026-Q3", "--format", "json"))
    assert doc["reviews"] == loads(run(*ws, "report", "review", "--period", "2026-Q3", "--format", "json"))
    assert doc["pool"] == loads(run(*ws, "pool", "--due", "--format", "json"))
    yaml = run(*ws, "dashboard", "--period", "2026-Q3", "--format", "yaml")
    assert yaml.exit_code == 0 and "period: 2026-Q3\n" in yaml.stdout


def test_the_default_period_is_the_quarter_of_the_as_of_date(run, sample_copy):
    doc = loads(run("-C", sample_copy, "--as-of", AS_OF, "dashboard", "--format", "json"))
    assert (doc["period"], doc["start"], doc["end"]) == ("2026-Q4", "2026-10-01", "2026-12-31")
    html = run("-C", sample_copy, "--as-of", AS_OF, "dashboard").stdout
    assert "<code>salesctl --as-of 2026-11-30 dashboard --period 2026-Q4</code>" in html


@pytest.mark.usefixtures("quiet_git")
def test_a_past_revision(run, repo):
    r = repo()
    # BASE as of 2026-11-30: RCV-1 60,000 - 20,000 = 40,000 + RCV-2 40,000 + RCV-3 50,000 = 130,000 overdue;
    # the next commit pays RCV-1's 40,000: 90,000
    r.commit("RCV-1 收款", {"receivables/RCV-1.yaml": BASE["receivables/RCV-1.yaml"].replace(
        "20000, method: 银行转账}", "20000, method: 银行转账}\n  - {date: 2026-10-20, amount: 40000}")})
    now = loads(run("-C", r.root, "--as-of", AS_OF, "dashboard", "--format", "json"))
    before = loads(run("-C", r.root, "--as-of", AS_OF, "--rev", "HEAD~1", "dashboard", "--format", "json"))
    assert (now["collection"]["totals"]["balance"], before["collection"]["totals"]["balance"]) == (90000, 130000)
    assert before["sales"] == loads(run("-C", r.root, "--as-of", AS_OF, "--rev", "HEAD~1", "dashboard", "--format", "json"))["sales"]
    html = run("-C", r.root, "--as-of", AS_OF, "--rev", "HEAD~1", "dashboard").stdout
    assert Page(html).cards["逾期余额"] == "130,000.00"
    assert "<code>salesctl --rev HEAD~1 --as-of 2026-11-30 dashboard --period 2026-Q4</code>" in html


def test_output_file_is_written_whole(run, sample_copy, tmp_path):
    target = tmp_path / "out" / "dashboard.html"
    result = run("-C", sample_copy, "--as-of", AS_OF, "dashboard", "-o", target)
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == f"wrote {target}\n"
    assert target.read_text(encoding="utf-8") == run("-C", sample_copy, "--as-of", AS_OF, "dashboard").stdout


def test_a_failed_write_leaves_nothing_behind(run, sample_copy, tmp_path, monkeypatch):
    target = tmp_path / "dashboard.html"
    target.write_text("last week's page", encoding="utf-8")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    result = run("-C", sample_copy, "--as-of", AS_OF, "dashboard", "-o", target)
    assert result.exit_code == 2
    assert result.stderr == f"error: cannot write {target}: No space left on device\n"
    assert target.read_text(encoding="utf-8") == "last week's page"
    assert [p.name for p in tmp_path.iterdir()] == ["dashboard.html", "sample"]


def test_without_the_extra(run, sample_copy, monkeypatch):
    monkeypatch.setitem(sys.modules, "vl_convert", None)  # as if not installed
    result = run("-C", sample_copy, "--as-of", AS_OF, "dashboard")
    # exit 2 after the usage, as export --format xlsx without openpyxl
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.endswith("Error: the dashboard's charts need the optional extra: "
                                  "pip install 'salesctl[dashboard]'\n")
    # the figures need no chart library
    assert run("-C", sample_copy, "--as-of", AS_OF, "dashboard", "--format", "json").exit_code == 0


def test_a_bad_period_is_a_usage_error(run, sample_copy):
    result = run("-C", sample_copy, "dashboard", "--period", "2026-13")
    assert result.exit_code == 2 and "month must be 01-12" in result.stderr


def test_a_workspace_with_errors(run, sample_copy):
    rcv = sample_copy / "receivables" / "RCV-0011.yaml"
    rcv.write_text(rcv.read_text(encoding="utf-8").replace("amount: 64697.50", "amount: 很多"), encoding="utf-8")
    result = run("-C", sample_copy, "--as-of", AS_OF, "dashboard", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: 1 error in the workspace, records with errors left out")
    # RCV-0011 (44,697.50) left out: 264,822.50 - 44,697.50 = 220,125.00
    assert json.loads(result.stdout)["collection"]["totals"]["balance"] == 220125.00
    strict = run("-C", sample_copy, "--as-of", AS_OF, "dashboard", "--strict")
    assert strict.exit_code == 1 and strict.stdout == "" and "receivables/RCV-0011.yaml" in strict.stderr


def test_the_command_calls_the_api(run, sample_copy, monkeypatch):
    called = []
    real = api.dashboard

    def dashboard(ws, as_of, period=None):
        called.append((str(as_of), period and period.label))
        return real(ws, as_of, period)

    monkeypatch.setattr(api, "dashboard", dashboard)
    assert run("-C", sample_copy, "--as-of", AS_OF, "dashboard", "--period", "2026", "--format", "json").exit_code == 0
    assert called == [(AS_OF, "2026")]


def test_help_has_an_example(run):
    result = run("dashboard", "--help")
    assert result.exit_code == 0 and "salesctl -C sample-workspace dashboard --period 2026-Q3" in result.stdout


def test_charts_drawn_before_come_from_the_cache_and_the_page_is_the_same(run, sample_copy, monkeypatch):
    import vl_convert

    args = ("-C", sample_copy, "--as-of", AS_OF, "dashboard")
    uncached = run("--no-cache", *args)
    assert not (sample_copy / CHARTS_CACHE).exists()  # --no-cache writes none (nor reads one: below)
    first = run(*args)
    assert (sample_copy / CHARTS_CACHE).is_file()

    def no_drawing(*_, **__):
        raise AssertionError("a chart was drawn again")

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", no_drawing)
    again = run(*args)
    assert uncached.stdout == first.stdout == again.stdout and again.exit_code == 0


def test_a_corrupt_chart_cache_is_drawn_again(run, sample_copy):
    args = ("-C", sample_copy, "--as-of", AS_OF, "dashboard")
    page = run(*args).stdout
    cache = sample_copy / CHARTS_CACHE
    cache.write_bytes(cache.read_bytes()[:-10] + b"0123456789")  # the checksum no longer holds
    assert run(*args).stdout == page


def test_no_cache_does_not_read_the_chart_cache(run, sample_copy):
    args = ("-C", sample_copy, "--as-of", AS_OF, "dashboard")
    page = run(*args).stdout
    path = sample_copy / CHARTS_CACHE
    keys = marshal.loads(path.read_bytes()[len(ChartCache.header) + CHECK_BYTES:])  # header, check, payload
    planted = ChartCache(path)
    for key in keys:
        planted.put(key, "<svg>planted</svg>")
    planted.save()
    assert "<svg>planted</svg>" in run(*args).stdout  # what the cache holds is what a cached run shows
    before = path.read_bytes()
    assert run("--no-cache", *args).stdout == page  # --no-cache draws every chart again
    assert path.read_bytes() == before
