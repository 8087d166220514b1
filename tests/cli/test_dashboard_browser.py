"""The dashboard opened in a real headless Chromium: it renders, every chart has marks, a
screenshot is not blank, nothing is requested from the network, no console error or warning is
logged, Chinese text is drawn with a Chinese font, and it prints on A4 landscape.

Chromium and the fonts are system packages, which tests never install: .ci/system-deps does
(Debian names); without them these tests skip, saying why. Playwright drives the browser.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import sys

import pytest

AS_OF = "2026-11-30"
CJK_FONT = "Noto Sans CJK SC"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--font-render-hinting=none"]
CHARTS = ["overdue-by-owner", "collected-per-month", "signed-against-target", "signed-per-month", "funnel",
          "calls-per-week", "due-to-pool", "grades"]

MARKS = """() => [...document.querySelectorAll('.chart')].map(chart => {
  const box = chart.getBoundingClientRect();
  const texts = [...chart.querySelectorAll('svg text')].map(t => t.textContent).filter(Boolean);
  return {id: chart.id, width: box.width, height: box.height,
          marks: chart.querySelectorAll('svg g.role-mark > path, svg g.role-mark > rect').length,
          chinese: texts.filter(t => /[\\u4e00-\\u9fff]/.test(t)).length};
})"""

COLOURS = """async (png) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + png;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width; canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, image.width, image.height).data;
  const seen = new Set();
  for (let i = 0; i < pixels.length; i += 4) seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
  return seen.size;
}"""


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("chromium not found (Debian package chromium; .ci/system-deps installs it)")


@pytest.fixture(scope="module")
def cjk_font():
    if shutil.which("fc-list") is None or CJK_FONT not in subprocess.run(
            ["fc-list", ":", "family"], capture_output=True, text=True).stdout:
        pytest.skip(f"font {CJK_FONT!r} not found (Debian package fonts-noto-cjk; .ci/system-deps installs it)")


@pytest.fixture(scope="module")
def browser(chromium):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install -e '.[dev]')")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def opened(browser, run, sample_copy, tmp_path):
    """The sample's dashboard for 2026-Q3 (every section drawn) opened offline, with what it asked
    the network for and what it logged."""
    target = tmp_path / "dashboard.html"
    result = run("-C", sample_copy, "--as-of", AS_OF, "dashboard", "--period", "2026-Q3", "-o", target)
    assert result.exit_code == 0, result.stderr
    url = target.as_uri()
    seen = {"requests": [], "console": [], "errors": []}
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)

    def refuse(route):
        seen["requests"].append(route.request.url)
        route.abort()

    context.route(lambda address: address != url, refuse)
    page = context.new_page()
    page.on("console", lambda message: seen["console"].append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.goto(url, wait_until="load")
    yield page, seen
    context.close()


def test_it_renders_every_chart_and_asks_the_network_for_nothing(opened):
    page, seen = opened
    charts = page.evaluate(MARKS)
    assert [c["id"] for c in charts] == [f"chart-{key}" for key in CHARTS]
    for chart in charts:
        assert chart["width"] > 200 and chart["height"] > 50, chart
        assert chart["marks"] > 0, chart  # bars, ticks or cells drawn from the data
    png = page.screenshot(full_page=True)
    assert page.evaluate(COLOURS, base64.b64encode(png).decode()) > 50  # not a blank page
    page.wait_for_timeout(300)  # anything late would show up now
    assert seen == {"requests": [], "console": [], "errors": []}


def test_chinese_text_is_drawn_with_a_chinese_font(cjk_font, opened):
    page, _ = opened
    assert all(chart["chinese"] > 0 for chart in page.evaluate(MARKS) if chart["id"] != "chart-collected-per-month")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    used = set()
    for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": ".chart svg text"})["nodeIds"]:
        for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            used.add(font["familyName"])
    assert CJK_FONT in used, used


def test_it_prints_on_a4_landscape(opened):
    pypdf = pytest.importorskip("pypdf", reason="pypdf not installed (pip install -e '.[dev]')")
    page, _ = opened
    reader = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes == {(842, 595)}  # A4 landscape in points: 297 mm x 210 mm
    assert len(reader.pages) >= 4  # collection, sales, activity and reviews each start a page


@pytest.mark.parametrize("present,test,reason", [
    ((), "renders", "chromium not found (Debian package chromium; .ci/system-deps installs it)"),
    (("chromium",), "chinese_font",
     "font 'Noto Sans CJK SC' not found (Debian package fonts-noto-cjk; .ci/system-deps installs it)"),
])
def test_browser_tests_skip_saying_why(tmp_path, present, test, reason):
    """On a PATH without Chromium, or without fontconfig: the tests that need them skip, with the reason."""
    for name in present:
        (tmp_path / name).write_text("#!/bin/sh\nexit 1\n")
        (tmp_path / name).chmod(0o755)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", __file__, "-k", f"{test} and not skip_saying_why"],
        cwd=tmp_path, env={**os.environ, "PATH": str(tmp_path)}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout and reason in result.stdout
