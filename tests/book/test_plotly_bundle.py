"""Which plotly.js a page loads: the cartesian bundle when its figures need nothing else (see
attnlib.book.sphinxext.plotly_bundle). The browser tests then draw every figure of the book with it."""

from __future__ import annotations

import plotly.graph_objects as go

from attnlib.book.display import figure_html
from attnlib.book.sphinxext import PLOTLY_BUNDLES, plotly_bundle, plotly_version


def test_a_page_of_heatmaps_bars_and_lines_loads_the_cartesian_bundle():
    body = (figure_html(go.Figure([go.Heatmap(z=[[1, 2], [3, 4]]), go.Bar(y=[1, 2])]))
            + "<p>between the figures</p>" + figure_html(go.Figure(go.Scatter(y=[1, 2]))))
    assert plotly_bundle(body) == "plotly-cartesian.min.js"
    assert plotly_bundle("<p>a page without figures</p>") == "plotly-cartesian.min.js"


def test_a_page_with_one_trace_of_another_type_loads_all_of_plotly():
    table = go.Figure(go.Table(header=dict(values=["a"]), cells=dict(values=[[1]])))
    assert plotly_bundle(figure_html(go.Figure(go.Scatter(y=[1]))) + figure_html(table)) == "plotly.min.js"
    polar = go.Figure(go.Scatterpolar(r=[1, 2], theta=[0, 90]))
    assert plotly_bundle(figure_html(polar)) == "plotly.min.js"


def test_both_bundles_are_the_plotly_js_that_plotly_for_python_ships():
    versions = {name: plotly_version(src) for name, src in PLOTLY_BUNDLES.items()}
    assert len(set(versions.values())) == 1, versions
