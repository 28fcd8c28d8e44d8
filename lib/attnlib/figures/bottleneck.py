"""The fixed-vector bottleneck: a fixed-size summary forgets the first word; attention does not."""

from __future__ import annotations

from functools import lru_cache

import plotly.graph_objects as go

from attnlib.lessons.bottleneck import LENGTHS, recall_first_word

WIDTHS = (16, 32, 64, 128)
DECAYS = (0.8, 0.9, 1.0)
VOCAB = 256


@lru_cache(maxsize=32)
def recall(width: int = 32, decay: float = 1.0) -> dict:
    """:func:`attnlib.lessons.bottleneck.recall_first_word` on this demo's lengths and vocabulary (cached:
    the figure and the checks of the text share one measurement). Do not modify the result."""
    return recall_first_word(LENGTHS, width=width, decay=decay, vocab=VOCAB)


def recall_figure(width: int = 32, decay: float = 1.0) -> go.Figure:
    """Accuracy of reading back the first word, against sentence length, for both encoders."""
    res = recall(width, decay)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=res["length"], y=[round(a, 4) for a in res["attention"]], mode="lines+markers",
                             name="attention over every word", line=dict(color="#1f77b4", width=3)))
    fig.add_trace(go.Scatter(x=res["length"], y=[round(a, 4) for a in res["summary"]], mode="lines+markers",
                             name=f"one summary of {width} numbers", line=dict(color="#d62728", width=3)))
    fig.add_trace(go.Scatter(x=[res["length"][0], res["length"][-1]], y=[res["chance"]] * 2, mode="lines",
                             name="guessing", line=dict(color="#999999", dash="dot")))
    fig.update_xaxes(type="log", tickvals=list(res["length"]), title_text="words in the sentence")
    fig.update_yaxes(range=[0, 1.05], title_text="first word read back correctly", tickformat=".0%")
    fig.update_layout(title=f"Width {width}, memory factor {decay:g}: can the first word be read back?",
                      height=480, legend=dict(x=0.99, xanchor="right", y=0.6), margin=dict(t=70, b=40))
    return fig
