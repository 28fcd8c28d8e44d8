"""One demo, two renderings: the static twin holds every state and its controls switch them."""

import json

import plotly.graph_objects as go
import pytest

from attnlib.demo import Demo, Param
from attnlib.display import figure_html
from attnlib.plots import attention_figure


def line(slope=1.0, offset=0.0):
    if slope == 0:
        raise ValueError("a flat line says nothing")
    return go.Figure(go.Scatter(x=[0, 1, 2], y=[offset, offset + slope, offset + 2 * slope]), layout=dict(title=f"slope {slope}"))


def test_one_parameter_static_twin_has_a_step_per_value_that_shows_its_own_trace():
    demo = Demo(line, Param("slope", [0.5, 1.0, 2.0], default=1.0))
    fig, script = demo.static()
    assert script is None  # plotly's own slider is enough
    assert len(fig.data) == 3 and [t.visible for t in fig.data] == [False, True, False]
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == ["0.5", "1", "2"] and fig.layout.sliders[0].active == 1
    for k, step in enumerate(steps):
        visible = step.args[0]["visible"]
        assert visible == [i == k for i in range(3)]
        assert fig.data[k].y[1] == [0.5, 1.0, 2.0][k]  # the shown trace really is that value's
        assert step.args[1]["title"]["text"] == f"slope {[0.5, 1.0, 2.0][k]}"


def test_text_parameters_become_a_dropdown():
    demo = Demo(lambda word: line(len(word)), Param("word", ["a", "abc"]))
    fig, _ = demo.static()
    assert not fig.layout.sliders and [b.label for b in fig.layout.updatemenus[0].buttons] == ["a", "abc"]


def test_several_parameters_are_linked_by_a_script_over_the_full_grid():
    demo = Demo(line, Param("slope", [1.0, 2.0]), Param("offset", [0.0, 5.0, 9.0], default=5.0))
    fig, script = demo.static()
    assert len(fig.data) == 6
    assert all(step.method == "skip" for s in fig.layout.sliders for step in s.steps)
    table = json.loads(script.split("var t = ")[1].split(";\n")[0])
    assert table["sizes"] == [2, 3] and table["state"] == [0, 1] and table["names"] == ["slope", "offset"]
    # grid order is row-major, as the script's index computation assumes
    k = 1 * 3 + 2  # slope=2.0, offset=9.0
    start, stop = table["spans"][k]
    assert fig.data[start].y[0] == 9.0 and fig.data[start].y[1] == 11.0
    html = figure_html(fig, script)
    assert "plotly_sliderchange" in html and "{plot_id}" not in html


def test_bad_input_shows_a_message_instead_of_raising():
    demo = Demo(line, Param("slope", [0.0, 1.0]))
    fig = demo.figure(slope=0.0)
    assert fig.layout.annotations[0].text == "a flat line says nothing"
    static, _ = demo.static()  # a failing grid point does not break the static twin
    assert static.layout.sliders[0].steps[0].args[1]["annotations"][0]["text"] == "a flat line says nothing"
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
    assert a == b and "Plotly.newPlot" in a and "cdn.plot.ly" not in a
    # repeated words stay separate columns: numeric axes with word tick labels
    assert list(fig.layout.xaxis.ticktext) == ["the", "the"] and list(fig.data[0].x) == [0, 1]


def test_live_widget_builds_controls_for_each_parameter():
    ipywidgets = pytest.importorskip("ipywidgets")
    demo = Demo(lambda slope, word, text: line(slope), Param("slope", [1.0, 2.0]), Param("word", ["a", "b"]),
                Param("text", ["hi"], free_text=True))
    box = demo.live()
    slider, dropdown, text = box.children[0].children
    assert isinstance(slider, ipywidgets.SelectionSlider) and isinstance(dropdown, ipywidgets.Dropdown)
    assert isinstance(text, ipywidgets.Combobox) and not text.ensure_option  # any text may be typed


def test_axes_of_one_state_are_hidden_in_states_that_lack_them():
    from plotly.subplots import make_subplots

    def panels(n=1):
        fig = make_subplots(rows=1, cols=n)
        for c in range(1, n + 1):
            fig.add_trace(go.Scatter(y=[c, c]), row=1, col=c)
        fig.update_layout(height=300 + 100 * n)
        return fig

    fig, _ = Demo(panels, Param("n", [1, 2])).static()
    one, two = (step.args[1] for step in fig.layout.sliders[0].steps)
    assert one["xaxis2"] == {"visible": False} and one["height"] == 400
    assert two["xaxis2"]["anchor"] == "y2" and two["height"] == 500
