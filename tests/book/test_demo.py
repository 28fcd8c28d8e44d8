"""One demo, two renderings: the static twin holds every state and its controls switch them."""

import json
import re

import plotly.graph_objects as go
import pytest

from attnlib.book import layout
from attnlib.book.demo import Demo, Param
from attnlib.book.display import figure_html, state_index
from attnlib.book.plots import attention_figure


def line(slope=1.0, offset=0.0):
    if slope == 0:
        raise ValueError("a flat line says nothing")
    return go.Figure(go.Scatter(x=[0, 1, 2], y=[offset, offset + slope, offset + 2 * slope]), layout=dict(title=f"slope {slope}"))


def test_one_parameter_static_twin_has_a_state_per_value_that_shows_its_own_trace():
    demo = Demo(line, Param("slope", [0.5, 1.0, 2.0], default=1.0))
    fig, states = demo.static()
    assert len(fig.data) == 3 and [t.visible for t in fig.data] == [False, True, False]
    assert states["params"] == [{"name": "slope", "label": "slope", "values": ["0.5", "1", "2"], "slider": True}]
    assert states["state"] == [1] and states["spans"] == [[0, 1], [1, 2], [2, 3]] or states["spans"] == [(0, 1), (1, 2), (2, 3)]
    for k, (start, stop) in enumerate(states["spans"]):
        assert fig.data[start].y[1] == [0.5, 1.0, 2.0][k]  # the state's trace really is that value's
        assert states["layouts"][k]["title"]["text"] == f"slope {[0.5, 1.0, 2.0][k]}"
        assert states["descriptions"][k].startswith(f"slope {[0.5, 1.0, 2.0][k]}.")  # the words follow the state


def test_text_parameters_become_a_menu_and_numbers_a_slider_each_named_by_a_label():
    demo = Demo(lambda word, slope: line(len(word) * slope), Param("word", ["a", "abc"]),
                Param("slope", [1.0, 2.0], label="how steep"))
    fig, states = demo.static()
    html = figure_html(fig, states)
    # a native menu and a native slider: the keyboard works both, and a label names each
    assert re.search(r'<label for="(ctl-\w+-0)">word</label><select id="\1" data-param="0">'
                     r'<option value="0" selected>a</option><option value="1">abc</option></select>', html)
    slider = re.search(r'<label for="(ctl-\w+-1)">how steep = .*?<input type="range" id="\1" data-param="1" '
                       r'min="0" max="1" step="1" value="0" aria-valuetext="1">', html)
    assert slider  # the slider says its value (1), not its index (0)


def test_several_parameters_index_the_full_grid_row_major():
    demo = Demo(line, Param("slope", [1.0, 2.0]), Param("offset", [0.0, 5.0, 9.0], default=5.0))
    fig, states = demo.static()
    assert len(fig.data) == 6 and states["state"] == [0, 1] and states["n"] == 6
    # grid order is row-major, as the page's script (and display.state_index) compute it
    k = state_index([1, 2], [2, 3])  # slope=2.0, offset=9.0
    assert k == 5
    start, stop = states["spans"][k]
    assert fig.data[start].y[0] == 9.0 and fig.data[start].y[1] == 11.0
    html = figure_html(fig, states)
    data = re.search(r'<script type="application/json" class="attn-fig-spec">(.*?)</script>', html).group(1)
    assert json.loads(data)["descriptions"] == states["descriptions"]
    # the page opens on the default state's description, before any script runs
    assert f'aria-live="polite">{states["descriptions"][state_index([0, 1], [2, 3])]}</p>' in html


def test_a_state_table_cannot_end_its_script_early():
    demo = Demo(lambda word: line(1.0).update_layout(title=word), Param("word", ["</script><b>x"]))
    fig, states = demo.static()
    html = figure_html(fig, states)
    data = re.search(r'class="attn-fig-spec">(.*?)</script>', html, re.S).group(1)
    assert json.loads(data)["params"][0]["values"] == ["</script><b>x"]


def test_bad_input_shows_a_message_instead_of_raising():
    demo = Demo(line, Param("slope", [0.0, 1.0]))
    fig = demo.figure(slope=0.0)
    assert fig.layout.annotations[0].text == "a flat line says nothing"
    static, states = demo.static()  # a failing grid point does not break the static twin
    assert states["layouts"][0]["annotations"][0]["text"] == "a flat line says nothing"
    assert states["descriptions"][0] == "A flat line says nothing."
    with pytest.raises(ValueError, match="unknown demo parameter"):
        demo.figure(slop=1)


def test_parameters_are_validated():
    with pytest.raises(ValueError, match="at least one value"):
        Param("x", [])
    with pytest.raises(ValueError, match="not among its values"):
        Param("x", [1, 2], default=3)
    with pytest.raises(ValueError, match="unique"):
        Demo(line, Param("slope", [1.0]), Param("slope", [2.0]))


def test_figure_html_is_deterministic_and_needs_the_site_plotly():
    fig = attention_figure([[0.2, 0.8], [1.0, 0.0]], ["the", "the"], ["a", "b"])
    a, b = figure_html(fig), figure_html(fig)
    assert a == b and "attnFigures.plot(" in a and "cdn.plot.ly" not in a
    # repeated words stay separate columns: numeric axes with word tick labels
    assert list(fig.layout.xaxis.ticktext) == ["the", "the"] and list(fig.data[0].x) == [0, 1]


def test_live_widget_builds_controls_for_each_parameter():
    import ipywidgets  # in requirements.txt: a missing one fails here rather than skipping
    demo = Demo(lambda slope, word, text: line(slope), Param("slope", [1.0, 2.0]), Param("word", ["a", "b"]),
                Param("text", ["hi"], free_text=True))
    box = demo.live()
    slider, dropdown, text = box.children[0].children
    assert isinstance(slider, ipywidgets.SelectionSlider) and isinstance(dropdown, ipywidgets.Dropdown)
    assert isinstance(text, ipywidgets.Combobox) and not text.ensure_option  # any text may be typed


def test_the_live_figure_is_framed_as_on_the_page_and_keeps_its_height():
    """In a notebook the figure is laid out in the page's frame: title split, the height of the tallest state
    from the first drawing on, and the readable width the page would scroll at."""
    def tall(n=1):
        fig = line(float(n))
        fig.update_layout(height=250 + 100 * n, title="a long title that a narrow notebook column would cut: "
                                                       "so it becomes a title and a subtitle")
        return fig

    demo = Demo(tall, Param("n", [1, 2, 3]))
    box = demo.live()
    live = box.live_figure
    first = live.last
    assert "A line from 0 at 0 to 2 at 2." in live.description.value  # its description in words, as on the page
    assert first.layout.title.subtitle.text == "so it becomes a title and a subtitle"
    static, _ = demo.static()
    assert first.layout.height == static.layout.height  # the same frame: both have their controls outside it
    box.children[0].children[0].value = 3  # the tallest state, then the shortest: the same height
    assert "A line from 0 at 0 to 6 at 2." in live.description.value  # the words follow the control
    box.children[0].children[0].value = 1
    assert live.last.layout.height == first.layout.height and live.last is not first
    assert live.output.layout.min_width == f"{static.layout.meta['min_width']}px"


def test_a_live_figure_too_wide_for_a_phone_has_its_narrow_twin_picked_by_the_column():
    """As on the page: side-by-side panels get a stacked twin, shown below the wide figure's readable width by
    a container query on the box; a figure wide on purpose keeps its width and has none."""
    from plotly.subplots import make_subplots

    from attnlib.book import narrow

    def side_by_side(k=1.0):
        fig = make_subplots(rows=1, cols=3, subplot_titles=["first panel", "second panel", "third panel"])
        for c in (1, 2, 3):
            fig.add_trace(go.Scatter(x=[0, 1, 2], y=[0, k * c, 2 * k * c], name=f"series {c}"), row=1, col=c)
        fig.update_layout(title="three panels side by side", width=900)
        return fig

    demo = Demo(side_by_side, Param("k", [1.0, 2.0]))
    live = demo.live().live_figure
    thin = live.last_narrow
    assert thin is not None and live.width > narrow.NARROW_PX
    tops = sorted(thin.layout[a].domain[1] for a in ("yaxis", "yaxis2", "yaxis3"))
    assert len(set(tops)) == 3  # stacked: each panel on its own row
    assert f"@container (max-width: {live.width - 1}px)" in live.switch.value and live.key in live.switch.value
    assert len(live.narrow_output.outputs) == 1 and len(live.output.outputs) == 1
    first = thin.layout.height
    demo_box = demo.live()
    demo_box.children[0].children[0].value = 2.0  # another state: the twin keeps its height, as the wide one does
    assert demo_box.live_figure.last_narrow.layout.height == first

    wide = Demo(lambda k=1.0: narrow.wide_on_purpose(side_by_side(k), "its width is the point of this figure"),
                Param("k", [1.0, 2.0])).live().live_figure
    assert wide.last_narrow is None and "@container" not in wide.switch.value and wide.narrow_output.outputs == ()


def test_axes_of_one_state_are_hidden_in_states_that_lack_them():
    from plotly.subplots import make_subplots

    def panels(n=1):
        fig = make_subplots(rows=1, cols=n)
        for c in range(1, n + 1):
            fig.add_trace(go.Scatter(y=[c, c]), row=1, col=c)
        fig.update_layout(height=300 + 100 * n)
        return fig

    fig, states = Demo(panels, Param("n", [1, 2])).static()
    one, two = states["layouts"]
    assert one["xaxis2"] == {"visible": False}
    assert two["xaxis2"]["anchor"] == "y2"


def _frame(fig):
    return fig.layout.height, fig.layout.margin.to_plotly_json()


def test_moving_a_control_never_changes_the_figure_size_or_margins():
    """A state's own height (400 or 500 px here) must not travel with its step: the figure would jump."""
    from plotly.subplots import make_subplots

    def panels(n=1, word="a"):
        fig = make_subplots(rows=1, cols=n)
        for c in range(1, n + 1):
            fig.add_trace(go.Scatter(y=[c, c]), row=1, col=c)
        fig.update_layout(height=300 + 100 * n, margin=dict(t=40 * n, b=30 * n), title=word * 70)
        return fig

    for demo in (Demo(panels, Param("n", [1, 2])), Demo(panels, Param("n", [1, 2]), Param("word", ["a", "b"]))):
        fig, states = demo.static()
        for step in states["layouts"]:
            assert not {"height", "width", "margin", "sliders", "updatemenus"} & set(step)
        # one frame for all states: the tallest plot and the largest margins
        assert fig.layout.height >= 500 + fig.layout.margin.t - 80 + fig.layout.margin.b - 60


def test_long_titles_become_title_and_subtitle_and_figures_know_their_readable_width():
    from attnlib.book import layout

    fig = layout.frame(go.Figure(layout=dict(title="A headline of some length: and then a long detail that would run off a phone")))
    assert fig.layout.title.text == "A headline of some length"
    assert fig.layout.title.subtitle.text.startswith("and then a long detail")
    assert fig.layout.meta["min_width"] >= len(fig.layout.title.subtitle.text) * layout.TEXT_CHAR_PX
    again = layout.frame(fig)
    assert _frame(again) == _frame(fig)  # framing twice changes nothing
    html = figure_html(fig)
    assert f'min-width:{fig.layout.meta["min_width"]}px' in html and "overflow-x:auto" in html


def test_a_message_of_any_length_wraps_inside_its_figure():
    """Bad input can be long (a pasted paragraph, a 200-letter word): its message stays inside the figure."""
    from attnlib.book.plots import MESSAGE_CHARS, message_figure

    for message in ["the sentence is empty", "unknown word(s) '" + "x" * 200 + "'", "a long complaint " * 30]:
        fig = message_figure(message)
        lines = fig.layout.annotations[0].text.split("<br>")
        assert all(len(line) <= MESSAGE_CHARS for line in lines)
        assert "".join(lines).replace(" ", "") == message.replace(" ", "")  # nothing lost in the wrapping
        assert fig.layout.height >= 120 + 22 * len(lines)
        assert layout.min_width(layout.frame(fig)) <= 390 - 40  # a phone's column: no sideways scroll
