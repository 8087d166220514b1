"""The dashboard page: self-contained, escaped, in the locale, the same every time (the command:
tests/cli/test_dashboard.py and, in a browser, tests/cli/test_dashboard_browser.py).

Figures of tests/fixtures/reports as of 2026-06-30, period 2026-Q2 (worked out in
test_figures.py): overdue 510,000.00 in 7 receivables; zhang 360,000.00, wang 150,000.00.
"""

from __future__ import annotations

import re
import sys
from datetime import date

import pytest

from helpers.workspaces import CONFIG, write_workspace
from salesctl.dashboard.figures import dashboard_figures
from salesctl.dashboard.page import render
from salesctl.errors import ExportError
from salesctl.load.pipeline import load
from salesctl.model.periods import parse_period

D = date(2026, 6, 30)
Q2 = parse_period("2026-Q2")
COMMAND = "salesctl --as-of 2026-06-30 dashboard --period 2026-Q2"


def page(root, period=Q2, as_of=D) -> str:
    ws = load(root).usable()
    return render(dashboard_figures(ws, period, as_of), ws.config, COMMAND)


def figure(html: str, key: str) -> str:
    match = re.search(rf'<figure id="{key}"[^>]*>(.*?)</figure>', html, re.S)
    assert match, f"no figure {key}"
    return match.group(1)


def test_every_chart_is_inline_svg_with_its_table(reports_root):
    html = page(reports_root)
    for key in ("overdue-by-owner", "collected-per-month", "signed-against-target", "signed-per-month", "funnel",
                "calls-per-week", "grades"):
        body = figure(html, key)
        assert re.search(rf'<div class="chart" id="chart-{key}"><svg .*?</svg></div>', body, re.S), key
        assert re.search(r"<details><summary>数据表</summary><table>.*</table></details>", body, re.S), key
    # the largest overdue receivables are a table of their own, not a chart
    assert "<svg" not in figure(html, "largest-overdue") and "<table>" in figure(html, "largest-overdue")


def test_nothing_is_fetched_and_nothing_runs(reports_root):
    html = page(reports_root)
    assert "<script" not in html.lower() and "<link" not in html.lower() and "@import" not in html
    assert not re.search(r"\b(?:src|href)=", html)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls


def test_no_svg_names_an_element_another_could_clash_with(reports_root):
    """Ids are global to a page: two charts defining the same gradient or clip id would draw with
    each other's. The charts use none (colour classes instead of gradient legends, no clipping)."""
    svgs = re.findall(r"<svg .*?</svg>", page(reports_root), re.S)
    assert len(svgs) == 7 and not [svg for svg in svgs if re.search(r'\sid="', svg)]


def test_tables_show_figures_as_the_report_tables_do(reports_root):
    html = page(reports_root)
    owners = figure(html, "overdue-by-owner")
    # zhang: 4 receivables, 360,000.00: 1-30 0.00, 31-60 100,000.00, 61-90 200,000.00, 91+ 60,000.00
    assert ('<tr><th scope="row">张伟</th><td class="num">4</td><td class="num">360,000.00</td><td class="num">0.00</td>'
            '<td class="num">100,000.00</td><td class="num">200,000.00</td><td class="num">60,000.00</td></tr>') in owners
    assert '<tr><th scope="row">合计</th><td class="num">7</td><td class="num">510,000.00</td>' in owners
    # wang: 90,000 of 180,000 = 50.0%
    assert ('<tr><th scope="row">王芳</th><td class="num">90,000.00</td><td class="num">180,000.00</td>'
            '<td class="num">50.0%</td></tr>') in figure(html, "signed-against-target")
    # review totals keep their decimal (91.5; a whole score would read 90.0), ranked by total
    assert ('<tr><th scope="row">张伟</th><td>REV-Q2-zhang</td><td></td><td class="num">91.5</td><td>A</td>'
            '<td class="num">1</td></tr>') in figure(html, "grades")
    # one review of 2026-Q2 per grade but B: A 1, B 0, C 1 (wang 65.5), D 1 (zhou 18.5)
    assert ('<tr><th scope="row">A</th><td class="num">1</td></tr><tr><th scope="row">B</th><td class="num">0</td></tr>'
            '<tr><th scope="row">C</th><td class="num">1</td></tr><tr><th scope="row">D</th><td class="num">1</td></tr>'
            ) in figure(html, "grades")
    assert '<span class="label">逾期余额</span><span class="value">510,000.00</span> <span>笔数 7</span>' in html


def test_calls_per_week_up_to_the_as_of_date(reports_root):
    # as of 2026-05-15 (ISO week 2026-W20) the weeks of Q2 begun are W14 (from 04-01) to W20; wang's
    # call of 04-20 is in W17, zhang's of 05-10 (not effective) in W19
    weeks = "".join(f'<th scope="col">2026-W{w}</th>' for w in range(14, 21))
    calls = figure(page(reports_root, as_of=date(2026, 5, 15)), "calls-per-week")
    assert f'<tr><th scope="col">电话</th>{weeks}</tr>' in calls and "2026-W21" not in calls
    zero = '<td class="num">0</td>'
    assert f'<tr><th scope="row">王芳</th>{zero * 3}<td class="num">1</td>{zero * 3}</tr>' in calls
    assert f'<tr><th scope="row">张伟</th>{zero * 5}<td class="num">1</td>{zero}</tr>' in calls
    assert f'<tr><th scope="row">张伟</th>{zero * 7}</tr>' in calls  # effective calls


def test_customers_due_to_the_pool(reports_root):
    """A `pool --due` document as the pool commands give it: zhang's CUS-F (no deal, due 06-28) and
    CUS-A (no effective visit, 07-02), zhou's CUS-E (no effective visit, 07-01)."""
    ws = load(reports_root)
    doc = dashboard_figures(ws, Q2, D)
    doc["pool"] = {"as_of": D, "until": date(2026, 7, 3), "rows": [
        {"id": "CUS-F", "name": "华东包装有限公司", "owner": "zhang", "pool_due": date(2026, 6, 28), "pool_reason": "deal"},
        {"id": "CUS-E", "name": "中原食品有限公司", "owner": "zhou", "pool_due": date(2026, 7, 1), "pool_reason": "follow_up"},
        {"id": "CUS-A", "name": "东方机械有限公司", "owner": "zhang", "pool_due": date(2026, 7, 2),
         "pool_reason": "follow_up"}]}
    html = render(doc, ws.config, COMMAND)
    assert '<span class="label">将退回公海</span><span class="value">3</span> <span>截至 2026-07-03</span>' in html
    due = figure(html, "due-to-pool")
    # per owner, most first: zhang 1 + 1 = 2, zhou 1
    assert ('<tr><th scope="row">张伟</th><td class="num">1</td><td class="num">1</td><td class="num">2</td></tr>'
            '<tr><th scope="row">周杰</th><td class="num">1</td><td class="num">0</td><td class="num">1</td></tr>') in due
    assert ('<tr><th scope="row">CUS-F</th><td>华东包装有限公司</td><td>张伟</td><td>2026-06-28</td><td>未按期成交</td></tr>'
            ) in due
    svg = re.search(r'<div class="chart" id="chart-due-to-pool">(.*?)</div>', due, re.S).group(1)
    assert [label for label in re.findall(r'aria-label="([^"]*)"', svg) if label.startswith("客户数: ")] == [
        "客户数: 1; 负责人: 张伟; 原因: 未按期有效跟进", "客户数: 1; 负责人: 张伟; 原因: 未按期成交",
        "客户数: 1; 负责人: 周杰; 原因: 未按期有效跟进"]
    doc["pool"]["rows"] = []
    assert '<p class="note">没有将退回公海的客户。</p>' in figure(render(doc, ws.config, COMMAND), "due-to-pool")


def test_chinese_page_and_english_page(reports_root):
    html = page(reports_root)
    assert html.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert "<title>测试培训有限公司 销售看板 2026-Q2</title>" in html and "<h2>回款</h2>" in html
    config = reports_root / "salesctl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("locale: zh_CN", "locale: en_US"), encoding="utf-8")
    html = page(reports_root)
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<h2>Collection</h2>" in html and "<summary>Data table</summary>" in html and "回款" not in html


def test_print_layout_is_a4_landscape_without_the_data_tables(reports_root):
    html = page(reports_root)
    assert "@page { size: A4 landscape;" in html
    assert re.search(r"@media print \{[^@]*details \{ display: none; \}", html)


def test_text_is_escaped_everywhere(tmp_path):
    evil = '<script>alert("x")</script>&amp;'
    config = CONFIG.replace("张伟", evil).replace("星河企业培训有限公司", "<b>公司</b>")
    root = write_workspace(tmp_path / "ws", {
        "customers/c.yaml": f"- {{id: K1, name: '{evil}', owner: zhang, created: 2026-01-01}}\n",
        "contracts/c.yaml": """\
            - id: C1
              customer: K1
              owner: zhang
              title: 培训
              status: signed
              created: 2026-01-02
              signed: 2026-04-10
              items: [{name: 课程, quantity: 1, unit_price: 1000}]
              amount: 1000
              approvals:
                - {stage: manager, by: lin, date: 2026-01-03, decision: approved}
                - {stage: legal, by: chen, date: 2026-01-04, decision: approved}
                - {stage: finance, by: zhao, date: 2026-01-05, decision: approved}
            """,
        "receivables/r.yaml": "- {id: R1, contract: C1, amount: 1000, due: 2026-05-01}\n"}, config)
    html = page(root)
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;amp;" in figure(html, "largest-overdue")
    assert "&lt;b&gt;公司&lt;/b&gt;" in html
    svg = re.search(r'<div class="chart" id="chart-overdue-by-owner">(.*?)</div>', html, re.S).group(1)
    assert "&lt;script&gt;" in svg  # the name inside the chart, escaped by the SVG writer


def test_a_section_without_data_says_so(workspace):
    html = page(workspace())
    assert "<svg" not in html
    # printed, a section that is one note does not take a page of its own
    assert html.count('<section id="') == html.count('class="empty"') == 5
    for note in ("工作区还没有应收款。", "工作区还没有合同、拜访或签约目标。", "本期间没有电话记录。",
                 "salesctl.yaml 还没有公海规则（pool）。", "本期间没有绩效考核。"):
        assert f'<p class="note">{note}</p>' in html


def test_nothing_overdue_and_nothing_signed_are_said_not_drawn(reports_root):
    # as of 2025-06-30 nothing had fallen due and nothing was signed in 2025-Q2, with no 2025 targets
    ws = load(reports_root)
    doc = dashboard_figures(ws, parse_period("2025-Q2"), date(2025, 6, 30))
    html = render(doc, ws.config, COMMAND)
    assert '<p class="note">没有逾期应收款。</p>' in figure(html, "overdue-by-owner")
    assert "<svg" not in figure(html, "overdue-by-owner")
    assert '<p class="note">本期间没有签约，也没有签约目标。</p>' in figure(html, "signed-against-target")
    assert "largest-overdue" not in html


def test_the_same_figures_give_the_same_bytes(reports_root):
    assert page(reports_root) == page(reports_root)


def test_the_command_that_gives_the_same_figures_is_printed(reports_root):
    assert f"<footer>生成命令: <code>{COMMAND}</code></footer>" in page(reports_root)


def test_without_the_extra_the_page_says_how_to_install_it(reports_root, monkeypatch):
    monkeypatch.setitem(sys.modules, "vl_convert", None)  # as if not installed
    with pytest.raises(ExportError, match=r"pip install 'salesctl\[dashboard\]'"):
        page(reports_root)
