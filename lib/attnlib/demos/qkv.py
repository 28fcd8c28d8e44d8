"""Queries, keys and values on the hand-made word space of :mod:`attnlib.toy`."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import toy
from ..plots import attention_figure
from ..scoring import SCORERS, score

EXAMPLE_SENTENCES = (
    toy.EXAMPLE_SENTENCE,
    "the student read the old book because it was difficult",
    "the black cat sat on the mat",
    "the dog crossed the wide street",
)


def attention_weights(sentence: str, method: str = "scaled dot"):
    """Words, and the weights ``(T, T)`` every word gives every other word under a scoring method."""
    words = toy.words_of(sentence)
    q, k, _ = toy.queries_keys_values(toy.embed(words))
    return words, score(q, k, method).softmax(dim=-1)


def weights_heatmap(sentence: str = toy.EXAMPLE_SENTENCE, method: str = "scaled dot") -> go.Figure:
    words, weights = attention_weights(sentence, method)
    return attention_figure(weights, words, words, title=f"{method} scores → softmax: who looks at whom")


def scoring_comparison(query_word: str = "it", sentence: str = toy.EXAMPLE_SENTENCE) -> go.Figure:
    """The weights one query word gives the sentence under each scoring function, side by side."""
    words = toy.words_of(sentence)
    if query_word not in words:
        raise ValueError(f"{query_word!r} is not in the sentence; pick one of {words}")
    i = words.index(query_word)
    methods = list(SCORERS)
    fig = make_subplots(rows=len(methods), cols=1, shared_xaxes=True, subplot_titles=methods, vertical_spacing=0.06)
    for row, method in enumerate(methods, start=1):
        _, weights = attention_weights(sentence, method)
        fig.add_trace(go.Bar(x=list(range(len(words))), y=weights[i].tolist(), name=method, showlegend=False,
                             marker_color="#1f77b4"), row=row, col=1)
        fig.update_yaxes(range=[0, 1], title_text="weight", row=row, col=1)
    fig.update_xaxes(tickmode="array", tickvals=list(range(len(words))), ticktext=words, row=len(methods), col=1)
    fig.update_layout(title=f"Where does “{query_word}” look? Four scoring functions", height=720,
                      margin=dict(t=90, b=40))
    return fig
