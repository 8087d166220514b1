"""`salesctl dashboard`: one self-contained HTML page of the reports' figures, drawn as charts.

`figures` gathers the figures by calling the report functions, so that every number on the page
is the report's own; `charts` draws them (Vega-Lite rendered to inline SVG by vl-convert, the
optional `dashboard` extra); `page` writes the HTML around them.

A layer above the features: imports `reports` and the layers below them (model, render).
"""
