"""A figure's text alternative says what it shows: for an attention map, where each query looks."""

import plotly.graph_objects as go

from attnlib.book.describe import describe, number
from attnlib.book.plots import attention_figure, message_figure


def test_an_attention_map_is_described_by_where_each_query_looks():
    fig = attention_figure([[0.01, 0.99], [0.7, 0.3]], ["the", "tired"], ["il", "est"], title="Head 3 of layer 1")
    text = describe(fig)
    assert text.startswith("Head 3 of layer 1. A heatmap of 2 rows (query) by 2 columns (key)")
    assert "il → tired 0.99, est → the 0.7" in text  # the words on the axes, not their positions


def test_a_large_heatmap_summarises_some_rows_and_points_to_the_table():
    fig = attention_figure([[1.0 if i == j else 0.0 for j in range(9)] for i in range(9)],
                           list("abcdefghi"), list("ABCDEFGHI"))
    text = describe(fig)
    assert "F → f 1 …" in text and "G → g" not in text  # the data table has the rest


def test_rows_without_a_standout_are_skipped_and_panels_are_named_by_their_titles():
    from plotly.subplots import make_subplots
    from attnlib.book.plots import heatmap_trace

    fig = make_subplots(rows=1, cols=2, subplot_titles=["W^Q", "W^K"])
    fig.add_trace(heatmap_trace([[0, 0], [0, 2]], ["a", "b"], ["x", "y"]), row=1, col=1)
    fig.add_trace(heatmap_trace([[1, 0], [0, 0]], ["a", "b"], ["x", "y"]), row=1, col=2)
    text = describe(fig)
    assert "heatmap (W^Q) of 2 rows" in text and "; a heatmap (W^K) of 2 rows" in text
    assert "the largest in each row: 1 → 1 2;" in text  # row 0 of W^Q is all zeros: nothing to say of it


def test_bars_and_lines_name_their_extremes():
    fig = go.Figure([go.Bar(x=["a", "b", "c"], y=[1, 3, 2], name="loss"),
                     go.Scatter(x=[1, 2, 3], y=[3, 5, 1], name="accuracy")], layout=dict(title="Two series"))
    assert describe(fig) == ("Two series. 3 bars (loss): tallest b 3, shortest a 1; "
                             "a line (accuracy) from 3 at 1 to 1 at 3, highest 5 at 2.")


def test_only_the_visible_state_is_described_and_a_message_says_itself():
    fig = go.Figure([go.Bar(x=["a"], y=[1], name="one"), go.Bar(x=["a"], y=[2], name="two")])
    assert "(two)" in describe(fig, visible=[False, True]) and "(one)" not in describe(fig, visible=[False, True])
    assert describe(message_figure("the sentence is empty")) == "The sentence is empty."


def test_a_figure_may_say_its_own_point():
    fig = go.Figure(go.Bar(x=["a"], y=[1]), layout=dict(title="Scores", meta={"description": "a wins."}))
    assert describe(fig) == "Scores. a wins."


def test_numbers_are_short_and_never_negative_zero():
    assert [number(v) for v in (0.30000001192092896, -0.0, 1234.5, 1e-5, None)] == ["0.3", "0", "1234", "1e-05", "none"]
