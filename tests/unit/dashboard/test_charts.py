"""The charts: valid Vega-Lite, rendered without fetching anything, Chinese faces first."""

from __future__ import annotations

import json
import re
from datetime import date
from importlib import resources

import pytest

from salesctl.dashboard import charts, page
from salesctl.dashboard.figures import dashboard_figures
from salesctl.load.pipeline import load
from salesctl.model.periods import parse_period
from salesctl.render.locale import headings


def specs(root) -> list[dict]:
    ws = load(root)
    doc = dashboard_figures(ws, parse_period("2026-Q2"), date(2026, 6, 30))
    words = headings(ws.config.locale)
    sections = [page.collection_section(doc["collection"], ws.config, words), page.sales_section(doc["sales"], words),
                page.activity_section(doc["activity"], doc["as_of"], words),
                page.reviews_section(doc["reviews"], ws.config, words)]
    return [figure.spec for section in sections for figure in section.figures if figure.spec is not None]


@pytest.fixture(scope="module")
def vega_lite():
    """A validator of the Vega-Lite schema that altair ships (v5 or v6, as installed)."""
    altair = pytest.importorskip("altair", reason="altair, which ships the Vega-Lite schema, not installed: "
                                                   "pip install -e '.[dev]'")
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema not installed: pip install -e '.[dev]'")
    package = f"altair.vegalite.{altair.SCHEMA_VERSION.split('.')[0]}.schema"
    return jsonschema.Draft7Validator(json.loads((resources.files(package) / "vega-lite-schema.json").read_text("utf-8")))


def test_every_chart_is_valid_vega_lite(reports_root, vega_lite):
    validator = vega_lite
    found = specs(reports_root)
    assert len(found) == 7
    for spec in found:
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(
            {**spec, "config": charts.CONFIG})]
        assert errors == [], errors


def test_an_invalid_chart_is_caught_by_the_schema_check(vega_lite):
    assert list(vega_lite.iter_errors({"mark": "barr", "data": {"values": []}}))


def test_charts_fetch_nothing():
    spec = {"data": {"url": "http://127.0.0.1:9/data.json"}, "mark": "bar",
            "encoding": {"x": {"field": "a", "type": "nominal"}}}
    with pytest.raises(ValueError, match="External data url not allowed: http://127.0.0.1:9/data.json"):
        charts.svg(spec, "zh_CN")


def test_chinese_fonts_come_first():
    assert charts.FONT.startswith('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC"')
    assert charts.FONT.endswith("sans-serif")


def test_each_bar_is_labelled_for_screen_readers(reports_root):
    """zhang's overdue 360,000 is drawn as 100,000 (31-60) + 200,000 (61-90) + 60,000 (91+); his empty
    1-30 bucket draws nothing."""
    svg = charts.svg(specs(reports_root)[0], "zh_CN")
    assert [label for label in re.findall(r'aria-label="([^"]*)"', svg) if "张伟" in label and "余额:" in label] == [
        "余额: 100,000; 负责人: 张伟; 账龄: 31-60", "余额: 200,000; 负责人: 张伟; 账龄: 61-90",
        "余额: 60,000; 负责人: 张伟; 账龄: 91+"]
    assert "Y-axis titled '负责人' for a discrete scale with 2 values: 张伟, 王芳" in svg


def test_a_chart_is_keyed_by_everything_its_drawing_depends_on(monkeypatch):
    spec = {"data": {"values": [{"a": 1}]}, "mark": "bar"}
    key = charts.chart_key(spec, "zh_CN", "1.9.0")
    assert key == charts.chart_key({"mark": "bar", "data": {"values": [{"a": 1}]}}, "zh_CN", "1.9.0")
    assert key != charts.chart_key({**spec, "data": {"values": [{"a": 2}]}}, "zh_CN", "1.9.0")
    assert key != charts.chart_key(spec, "en_US", "1.9.0")
    assert key != charts.chart_key(spec, "zh_CN", "1.9.1")
    monkeypatch.setattr(charts, "_fonts", lambda: [("/usr/share/fonts/new", 1)])  # a font installed
    assert key != charts.chart_key(spec, "zh_CN", "1.9.0")
