"""A figure on a phone: its panels stacked and its texts wrapped, so that it fits the column instead of
scrolling sideways; the laptop's figure is left as it was."""

import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from attnlib.book import layout, narrow
from attnlib.book.demo import Demo, Param
from attnlib.book.plots import heatmap_trace


def three_panels(n: int = 1) -> go.Figure:
    fig = make_subplots(rows=1, cols=3, subplot_titles=["queries", "keys", "values"])
    for c in range(1, 4):
        fig.add_trace(heatmap_trace([[0.1 * n, 0.9], [0.5, 0.5]], ["a", "b"], ["x", "y"]), row=1, col=c)
    fig.add_annotation(text="a note under the middle panel", x=0.5, y=-0.1, xref="paper", yref="paper",
                       showarrow=False)
    fig.update_layout(height=400, title="Three maps of one sentence, side by side: and then a detail that runs much "
                                   "longer than a phone's column")
    return layout.prepare(fig)


def test_side_by_side_panels_are_stacked_in_reading_order_each_as_tall_as_it_was():
    wide = three_panels()
    plot = wide.layout.height - layout.own_margins(wide)["t"] - layout.own_margins(wide)["b"]
    panel_px = (wide.layout.yaxis.domain[1] - wide.layout.yaxis.domain[0]) * plot
    tall = narrow.narrow(wide)
    assert [tall.layout[f"xaxis{s}"].domain for s in ("", "2", "3")] == [(0, 1)] * 3
    tops = [tall.layout[f"yaxis{s}"].domain[1] for s in ("", "2", "3")]
    assert tops == sorted(tops, reverse=True)  # queries first, values last
    new_plot = tall.layout.height - layout.own_margins(tall)["t"] - layout.own_margins(tall)["b"]
    for s in ("", "2", "3"):
        lo, hi = tall.layout[f"yaxis{s}"].domain
        assert (hi - lo) * new_plot == pytest.approx(panel_px, abs=1)
    # each subplot title stays on top of its own panel
    titles = {a.text: a for a in tall.layout.annotations}
    for name, s in (("queries", ""), ("keys", "2"), ("values", "3")):
        assert titles[name].y == pytest.approx(tall.layout[f"yaxis{s}"].domain[1], abs=0.01)
    # each colour bar beside its own panel
    for trace, s in zip(tall.data, ("", "2", "3")):
        lo, hi = tall.layout[f"yaxis{s}"].domain
        assert trace.colorbar.y == pytest.approx((lo + hi) / 2) and trace.colorbar.len == pytest.approx(hi - lo)
    assert wide.layout.xaxis2.domain[0] > 0.3  # the wide figure is left as it was


def test_a_long_legend_name_is_wrapped_and_the_legend_given_its_rows():
    names = ["the explicit path that writes every weight", "fused", "flash-style blocks that never write them"]
    fig = go.Figure([go.Scatter(x=[1, 2], y=[i, i + 1], name=n) for i, n in enumerate(names)])
    fig.update_layout(legend=dict(orientation="h", y=-0.2), title="Three paths")
    fig = layout.prepare(fig)
    tall = narrow.narrow(fig)
    assert all("<br>" in t.name for t in tall.data if len(t.name) > 40) and tall.data[1].name == "fused"
    assert layout.legend_rows(tall) >= 3 and layout.legend_rows(fig) == 1
    assert layout.frame_of(tall).legend_px > layout.frame_of(fig).legend_px
    assert layout.min_width(tall) <= narrow.NARROW_PX < layout.min_width(fig)
    twin = narrow.twin([fig], 0, layout.min_width(fig))
    assert twin["traces"]["0"]["name"] == tall.data[0].name  # the page gets the wrapped names


def test_titles_and_notes_are_wrapped_to_the_column_and_the_figure_then_fits_it():
    wide = three_panels()
    assert layout.min_width(wide) > narrow.NARROW_PX
    tall = narrow.narrow(wide)
    assert "<br>" in tall.layout.title.subtitle.text
    assert layout.min_width(tall) <= narrow.NARROW_PX
    # a wrapped title is given the room of its lines
    assert layout.title_band(tall) > layout.title_band(wide)


def test_wrapping_keeps_markup_with_its_word_and_every_word():
    text = "the weight of W<sup>Q</sup> on each <b>word</b> of the sentence"
    wrapped = layout.wrap(text, 12)
    assert all(len(layout.plain(line)) <= 12 for line in wrapped.split("<br>"))
    assert wrapped.replace("<br>", " ") == text
    styled = '<span style="color: red">red words here</span>'
    assert layout.wrap(styled, 5) == styled  # markup holding spaces is not split


def test_a_static_twin_carries_a_narrow_twin_of_every_state_and_a_small_figure_none():
    fig, states = Demo(three_panels, Param("n", [1, 2])).static()
    twin = states["narrow"]
    assert twin and twin["min_width"] <= narrow.NARROW_PX < fig.layout.meta["min_width"]
    assert len(twin["layouts"]) == 2 and twin["layouts"][1]["yaxis3"]["domain"][1] < 0.5
    assert "template" not in twin["layout"]  # the page reuses the wide figure's
    assert set(twin["traces"]) == {str(i) for i in range(6)}  # every state's traces: their colour bars moved
    assert all("colorbar" in change for change in twin["traces"].values())
    small, states = Demo(lambda n: go.Figure(go.Bar(y=[n])), Param("n", [1, 2])).static()
    assert states["narrow"] is None  # it fits a phone as it is


def test_long_row_labels_are_shortened_and_crowded_numbers_thinned_on_a_phone():
    from attnlib.book.plots import attention_figure

    rows = ["the cat that the dog chased yesterday", "sat"]
    fig = layout.prepare(attention_figure([[1.0] * 30, [0.5] * 30], [str(i) for i in range(30)], rows))
    tall = narrow.narrow(fig)
    labels = list(tall.layout.yaxis.ticktext)
    assert labels[0].endswith("…") and "the cat".startswith(labels[0][:7]) and labels[1] == "sat"
    assert len(tall.layout.xaxis.ticktext) < 30 and list(tall.layout.xaxis.ticktext)[:2] == ["0", "2"]
    assert layout.min_width(tall) <= narrow.NARROW_PX
    assert list(fig.layout.yaxis.ticktext) == rows  # the wide figure (and the data table) keep them whole


def test_a_figure_wide_on_purpose_keeps_its_width_and_says_why():
    from attnlib.book.display import figure_html

    fig = narrow.wide_on_purpose(three_panels(), "a tensor drawn one cell per number: its width is the point")
    html = figure_html(fig)
    assert '"narrow":null' in html and '"wide_on_purpose":"a tensor drawn' in html
    assert "scroll the figure sideways → (a tensor drawn one cell per number" in html


def two_bar_panels(shared: bool = True) -> go.Figure:
    fig = make_subplots(rows=1, cols=2, shared_yaxes=shared, subplot_titles=["before", "after"])
    keys = [f"k{j}" for j in range(1, 11)]
    for c in (1, 2):
        fig.add_trace(go.Bar(x=keys, y=[0.1] * 10, text=["0.10"] * 10, textposition="outside"), row=1, col=c)
    fig.update_layout(height=400, title="Weights before and after")
    return layout.prepare(fig)


def test_stacked_panels_that_shared_a_y_axis_each_show_its_numbers():
    wide = two_bar_panels()
    assert wide.layout.yaxis2.showticklabels is False  # beside its twin, the second panel is unlabelled
    tall = narrow.narrow(wide)
    assert tall.layout.yaxis2.showticklabels is True  # under it, it needs its own


def test_numbers_over_bars_too_narrow_for_them_stand_upright_and_reach_the_page():
    wide = two_bar_panels()
    tall = narrow.narrow(wide)
    assert [t.textangle for t in tall.data] == [-90, -90] and wide.data[0].textangle is None
    twin = narrow.twin([wide], 0, layout.min_width(wide))
    assert twin["traces"]["0"]["textangle"] == -90
    roomy = narrow.narrow(layout.prepare(go.Figure(go.Bar(x=["a", "b"], y=[1, 2], text=["1", "2"],
                                                          textposition="outside"))))
    assert roomy.data[0].textangle is None  # two bars have room for their numbers lying down


def test_shapes_drawn_in_data_units_stay_on_their_data_when_panels_stack():
    fig = make_subplots(rows=1, cols=2)
    for c in (1, 2):
        fig.add_trace(go.Heatmap(z=[[0, 1], [1, 0]], showscale=False), row=1, col=c)
    fig.add_shape(type="line", x0=0.5, x1=0.5, y0=-0.5, y1=1.5)  # no ref: plotly's first axes, not paper
    fig.add_shape(type="line", x0=0.1, x1=0.4, y0=0.5, y1=0.5, xref="paper", yref="paper")
    fig.update_layout(height=300, title="Two maps")
    tall = narrow.narrow(layout.prepare(fig))
    line, paper = tall.layout.shapes
    assert (line.x0, line.y0, line.x1, line.y1) == (0.5, -0.5, 0.5, 1.5)
    assert paper.x1 > 0.4 * 2  # a paper line across the first panel spans it across the column


def test_a_panel_drawn_to_scale_is_no_taller_than_the_column_lets_it_draw():
    fig = make_subplots(rows=1, cols=2)
    for c in (1, 2):
        fig.add_trace(go.Heatmap(z=[[0, 1], [1, 0]], showscale=False), row=1, col=c)
        fig.update_xaxes(range=[-0.5, 1.5], row=1, col=c)
        fig.update_yaxes(range=[-0.5, 1.5], scaleanchor="x" if c == 1 else "x2", row=1, col=c)
    fig.update_layout(height=900, margin=dict(l=20, r=20, t=60, b=20), title="Two squares")
    tall = narrow.narrow(layout.prepare(fig))
    plot = tall.layout.height - layout.own_margins(tall)["t"] - layout.own_margins(tall)["b"]
    lo, hi = tall.layout.yaxis.domain
    assert (hi - lo) * plot == pytest.approx(narrow.NARROW_PX - 40, abs=1)  # a square as wide as the column


def test_long_row_labels_wrap_onto_the_lines_their_rows_hold_before_they_are_cut():
    labels = ["… et je vais au supermarché blanc . (15 tokens)", "… je vais à le supermarché blanc . (14 tokens)"]
    fig = go.Figure(go.Bar(x=[-3, -4], y=[0, 1], orientation="h"))
    fig.update_yaxes(tickmode="array", tickvals=[0, 1], ticktext=labels)
    fig.update_layout(height=300, title="Two outputs")
    tall = narrow.narrow(layout.prepare(fig))
    shown = tall.layout.yaxis.ticktext
    assert all("<br>" in t for t in shown) and shown[0].endswith("(15<br>tokens)")  # the ending that tells them apart
    assert layout.min_width(tall) <= narrow.NARROW_PX  # measured by its widest line


def test_a_heatmap_whose_numbers_need_wider_cells_than_a_phone_gives_gets_a_twin_without_them():
    z = [[0.25] * 8 for _ in range(3)]
    fig = go.Figure(heatmap_trace(z, [f"w{j}" for j in range(8)], ["a", "b", "c"], showscale=True))
    fig.update_layout(height=300, margin=dict(l=60, r=20), title="Weights")
    wide = layout.prepare(fig)
    assert layout.min_width(wide) > narrow.NARROW_PX  # eight cells of "0.25" and a colour bar
    assert narrow.narrow(wide).data[0].texttemplate is None
    few = layout.prepare(go.Figure(heatmap_trace([[0.25, 0.5]], ["x", "y"], ["a"])))
    assert narrow.narrow(few).data[0].texttemplate == "%{text}"  # two cells keep their numbers


def test_a_column_of_panels_makes_room_for_a_subplot_title_that_wraps():
    fig = make_subplots(rows=2, cols=1, subplot_titles=["scores", "weights from what has been read (bars) and the "
                                                                   "true softmax (dots), block by block"])
    for r in (1, 2):
        fig.add_trace(go.Bar(x=["a", "b"], y=[1, 2]), row=r, col=1)
    fig.update_layout(height=500, title="Reading in blocks")
    wide = layout.prepare(fig)
    tall = narrow.narrow(wide)
    plot = lambda f: f.layout.height - layout.own_margins(f)["t"] - layout.own_margins(f)["b"]  # noqa: E731
    gap = lambda f: (f.layout.yaxis.domain[0] - f.layout.yaxis2.domain[1]) * plot(f)  # noqa: E731
    title = next(a for a in tall.layout.annotations if a.text.startswith("weights"))
    assert title.text.count("<br>") >= 1 and gap(tall) >= gap(wide) + 20 * title.text.count("<br>")


def test_a_legend_inside_the_plot_moves_under_it_in_a_narrow_column():
    fig = go.Figure([go.Scatter(x=[1, 2], y=[1, 0], name="one summary of 32 numbers"),
                     go.Scatter(x=[1, 2], y=[1, 1], name="attention over every word")])
    fig.update_layout(legend=dict(x=0.99, xanchor="right", y=0.6), title="Reading back the first word")
    wide = layout.prepare(fig)
    tall = narrow.narrow(wide)
    assert layout.legend_below(tall) and not layout.legend_below(wide)


def test_a_legend_beside_the_plot_moves_under_it_in_a_narrow_column():
    fig = go.Figure([go.Bar(x=["enc", "dec"], y=[1, 2], name=f"part {k}") for k in range(10)])
    fig.update_layout(barmode="stack", title="Where the parameters are")  # plotly's legend: right of the plot
    tall = narrow.narrow(layout.prepare(fig))
    assert layout.legend_below(tall)


def test_two_line_word_labels_that_fit_side_by_side_stay_flat():
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    fig.update_xaxes(tickvals=["a", "b"], ticktext=["shipped translator<br>1,220,050", "gpu preset<br>30,600,530"])
    fig.update_layout(title="Parameters", margin=dict(l=70, r=20))
    tall = narrow.narrow(layout.prepare(fig))
    assert tall.layout.xaxis.tickangle is None  # each line fits its half of the column
