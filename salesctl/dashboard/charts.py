"""The dashboard's charts: Vega-Lite chart descriptions, rendered to SVG by vl-convert.

The SVG is made when the page is built, so the page holds no script and fetches nothing: it
opens anywhere, prints as shown, and the same figures give the same bytes. Each function takes
the rows of the chart's data table (`page.py` prints the same rows as the table) and returns a
Vega-Lite chart description (plain JSON: a builder such as altair would cost more to import than
a warm `validate` takes; the tests check every description against the Vega-Lite schema); `svg`
renders one. Amounts are drawn from floats (a bar's length); the exact figures are in the tables.

vl-convert-python is the optional `dashboard` extra, imported only here; its renderer is started
only to draw: a chart drawn before from the same description, with the same renderer and fonts,
comes from the chart cache (`load.cache.ChartCache`), and starting the renderer is most of a
dashboard's time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys

from ..errors import ExportError

EXTRA_MISSING = "the dashboard's charts need the optional extra: pip install 'salesctl[dashboard]'"

FONT = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
        '"WenQuanYi Micro Hei", sans-serif')  # Chinese faces first, so that CJK text never falls back to boxes
# Labels are never cut short (labelLimit 0): names are short, and checking a label against a limit
# measures its text again, which costs as much as drawing the rest of a chart.
CONFIG = {"font": FONT, "view": {"stroke": None}, "legend": {"orient": "top", "labelFontSize": 11, "labelLimit": 0},
          "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 0}}
FORMAT_LOCALES = {"zh_CN": "zh-CN", "en_US": "en-US"}
WIDTH = 440
ROW_HEIGHT = 22        # per bar of a horizontal chart
MONEY = ",.0f"         # axis labels: whole yuan with thousands separators
BLUE, GREEN, GREY, INK, ORANGE, RED = "#4c78a8", "#54a24b", "#bab0ac", "#222222", "#f58518", "#e45756"


def require() -> None:
    """A missing (or broken) extra is an `ExportError` (exit 2), as for an xlsx export. Importing
    it is cheap; starting its renderer, on the first chart drawn, is not."""
    try:
        import vl_convert  # noqa: F401
    except ImportError:
        raise ExportError(EXTRA_MISSING) from None


def svg(spec: dict, locale: str, cache=None) -> str:
    """The chart as an SVG document; nothing is fetched (no base URL is allowed). With a
    `ChartCache`, a chart drawn before under the same `chart_key` is not drawn again."""
    import vl_convert

    key = chart_key(spec, locale, vl_convert.__version__) if cache is not None else None
    drawn = cache.get(key) if key is not None else None
    if drawn is None:
        drawn = vl_convert.vegalite_to_svg({**spec, "config": CONFIG}, format_locale=FORMAT_LOCALES.get(locale, "en-US"),
                                           allowed_base_urls=[])
        if key is not None:
            cache.put(key, drawn)
    return drawn


FONT_FOLDERS = {"linux": ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts"),
                "darwin": ("/System/Library/Fonts", "/Library/Fonts", "~/Library/Fonts")}


def chart_key(spec: dict, locale: str, renderer: str) -> bytes:
    """What a drawing depends on, digested: the description, the locale, the renderer's version and
    the fonts (each font folder's modification time: installing or removing a font changes it)."""
    drawn = json.dumps([spec, CONFIG, FORMAT_LOCALES.get(locale, "en-US"), renderer, _fonts()], sort_keys=True,
                       ensure_ascii=False, default=str)
    return hashlib.sha256(drawn.encode("utf-8")).digest()


@functools.cache
def _fonts() -> list:
    """(folder, modification time) of every font folder of this system, once a run."""
    fonts = []
    for top in FONT_FOLDERS.get(sys.platform, (os.path.join(os.environ.get("WINDIR", "C:/Windows"), "Fonts"),)):
        for folder, _, _ in os.walk(os.path.expanduser(top)):
            try:
                fonts.append((folder, os.stat(folder).st_mtime_ns))
            except OSError:
                continue
    return fonts


def _height(bars: int) -> int:
    return max(3, bars) * ROW_HEIGHT


def _chart(values: list, height: int, **view) -> dict:
    return {"data": {"values": values}, "width": WIDTH, "height": height, **view}


def _field(name: str, kind: str, title, **options) -> dict:
    """An encoding channel; the title is what axes, legends and the marks' aria labels say."""
    return {"field": name, "type": kind, "title": title, **options}


def overdue_by_owner(rows: list[dict], labels: list[str], words: dict) -> dict:
    """Horizontal bars per owner, stacked by aging bucket (stacks follow the bucket order).
    rows: {owner (a name), bucket, balance}, the largest balance first."""
    owners = list(dict.fromkeys(row["owner"] for row in rows))
    values = [{"owner": row["owner"], "bucket": row["bucket"], "balance": float(row["balance"])}
              for row in rows if row["balance"]]
    return _chart(values, _height(len(owners)), mark="bar", encoding={
        "y": _field("owner", "nominal", words["owner"], sort=owners),
        "x": _field("balance", "quantitative", words["balance"], aggregate="sum", axis={"format": MONEY}),
        "color": _field("bucket", "nominal", words["bucket"], sort=labels,
                        scale={"scheme": "orangered", "domain": labels}),
    })


def collected_per_month(rows: list[dict], words: dict) -> dict:
    """Per month, collected beside what fell due. rows: {month, collected, fell_due}."""
    series = [words["collected"], words["fell_due"]]
    values = [{"month": row["month"], "series": name, "amount": float(row[key])}
              for row in rows for key, name in zip(("collected", "fell_due"), series)]
    return _chart(values, 220, mark="bar", encoding={
        "x": _field("month", "nominal", None, sort=[row["month"] for row in rows], axis={"labelAngle": -45}),
        "xOffset": {"field": "series", "type": "nominal", "sort": series},
        "y": _field("amount", "quantitative", words["amount"], axis={"format": MONEY}),
        "color": _field("series", "nominal", None, scale={"domain": series, "range": [GREEN, GREY]}),
    })


def signed_against_target(rows: list[dict], words: dict) -> dict:
    """Horizontal bars of the signed amount per rep, a tick at each target. rows: {rep (a name),
    signed_amount, target (None without one)}."""
    series = [words["signed_amount"], words["target"]]
    reps = [row["rep"] for row in rows]
    values = [{"rep": row["rep"], "series": series[0], "amount": float(row["signed_amount"])} for row in rows]
    values += [{"rep": row["rep"], "series": series[1], "amount": float(row["target"])} for row in rows
               if row["target"] is not None]
    encoding = {
        "y": _field("rep", "nominal", words["rep"], sort=reps),
        "x": _field("amount", "quantitative", words["amount"], axis={"format": MONEY}),
        "color": _field("series", "nominal", None, scale={"domain": series, "range": [BLUE, INK]}),
    }
    return _chart(values, _height(len(reps)), encoding=encoding, layer=[
        {"mark": "bar", "transform": [{"filter": {"field": "series", "equal": series[0]}}]},
        {"mark": {"type": "tick", "thickness": 3, "size": ROW_HEIGHT - 4},
         "transform": [{"filter": {"field": "series", "equal": series[1]}}]},
    ])


def signed_per_month(rows: list[dict], words: dict) -> dict:
    """Bars of the signed amount per month. rows: {month, signed_amount}."""
    values = [{"month": row["month"], "amount": float(row["signed_amount"])} for row in rows]
    return _chart(values, 220, mark={"type": "bar", "color": BLUE}, encoding={
        "x": _field("month", "nominal", None, sort=[row["month"] for row in rows], axis={"labelAngle": -45}),
        "y": _field("amount", "quantitative", words["signed_amount"], axis={"format": MONEY}),
    })


def funnel(rows: list[dict], words: dict) -> dict:
    """One bar per step, centred as a funnel, its count written at its right end. rows: {step, count}."""
    step = _field("step", "nominal", None, sort=[row["step"] for row in rows], axis={"ticks": False, "domain": False})
    count = _field("count", "quantitative", words["dashboard_customers"])
    return _chart(rows, _height(len(rows)) * 2, encoding={"y": step}, layer=[
        {"mark": {"type": "bar", "color": BLUE}, "encoding": {"x": {**count, "stack": "center", "axis": None}}},
        {"mark": {"type": "text", "color": INK, "align": "left", "dx": 4},
         "transform": [{"joinaggregate": [{"op": "max", "field": "count", "as": "widest"}]},
                       {"calculate": "(datum.widest + datum.count) / 2", "as": "end"}],
         "encoding": {"text": count, "x": {"field": "end", "type": "quantitative", "axis": None}}},
    ])


def grades(rows: list[dict], words: dict) -> dict:
    """Reviews per grade, the grades in the order of the config. rows: {grade, count}."""
    tallest = max(row["count"] for row in rows)
    step = -(-tallest // 8)  # whole numbers only, at most 8 gridlines
    order = [row["grade"] for row in rows]
    return _chart(rows, 160, mark={"type": "bar", "color": BLUE}, encoding={
        "x": _field("grade", "nominal", words["grade"], sort=order, axis={"labelAngle": 0}),
        "y": _field("count", "quantitative", words["dashboard_reviews_count"],
                    axis={"values": list(range(0, tallest + step, step)), "format": "d"}),
    })


def calls_per_week(rows: list[dict], reps: list[str], weeks: list[str], words: dict) -> dict:
    """Two grids of reps by ISO week, shaded by calls and by effective calls (colour classes, so that
    the legends are symbols: a gradient legend would need an SVG id, and ids must not repeat in a
    page). The cells carry no label each: hundreds of them would drown a screen reader, and the
    data tables hold the counts. rows: {rep (a name), week (YYYY-Www), calls, effective_calls}."""
    values = [{"rep": row["rep"], "week": row["week"], "calls": row["calls"], "effective": row["effective_calls"]}
              for row in rows]
    rep = _field("rep", "nominal", None, sort=reps)
    week = _field("week", "ordinal", None, sort=weeks, axis={"labelExpr": "slice(datum.label, 5)", "labelAngle": 0})

    def grid(name: str, title: str, scheme: str, **y_axis) -> dict:
        return {"mark": {"type": "rect", "aria": False}, "width": WIDTH, "height": _height(len(reps)), "encoding": {
            "x": {**week, "title": title}, "y": {**rep, **y_axis},
            "color": _field(name, "quantitative", title, legend={"format": "d"},
                            scale={"type": "quantize", "scheme": scheme, "nice": True}),
        }}

    return {"data": {"values": values}, "spacing": 16, "resolve": {"scale": {"color": "independent"}},
            "hconcat": [grid("calls", words["calls"], "blues"),
                        grid("effective", words["effective_calls"], "greens", axis=None)]}


def due_to_pool(rows: list[dict], reasons: list[str], words: dict) -> dict:
    """Horizontal bars per owner of the customers due to the pool, stacked by reason.
    rows: {owner (a name), reason, count}, the most first."""
    owners = list(dict.fromkeys(row["owner"] for row in rows))
    return _chart(rows, _height(len(owners)), mark="bar", encoding={
        "y": _field("owner", "nominal", words["owner"], sort=owners),
        "x": _field("count", "quantitative", words["dashboard_customers"], aggregate="sum",
                    axis={"tickMinStep": 1, "format": "d"}),
        "color": _field("reason", "nominal", words["dashboard_pool_reason"], sort=reasons,
                        scale={"domain": reasons, "range": [ORANGE, RED]}),
    })
