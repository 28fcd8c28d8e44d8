"""Queries, keys and values on the hand-made word space of :mod:`attnlib.lessons.toy`: its hand-set
projections (:func:`projections_figure`), who looks at whom, and four scoring functions side by side.

The additive scorer is the only one with parameters; here it is always the trained one
(:func:`trained_additive`), so that the four scorers are compared like with like.
"""

from __future__ import annotations

from functools import lru_cache

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from attnlib.book.plots import attention_figure, heatmap_trace
from attnlib.lessons import toy
from attnlib.lessons.scoring import SCORERS, AdditiveScore, fit_additive, scaled_dot_scores, score

EXAMPLE_SENTENCES = (
    toy.EXAMPLE_SENTENCE,
    "the student read the old book because it was difficult",
    "the black cat sat on the mat",
    "the dog crossed the wide street",
)


@lru_cache(maxsize=1)
def trained_additive() -> AdditiveScore:
    """An additive scorer trained on the whole toy vocabulary to score every (query, key) pair as the
    scaled dot product does (up to a constant per query, which softmax ignores). Seeded: the same
    weights every time, in a fraction of a second."""
    q, k, _ = toy.queries_keys_values(toy.embed(list(toy.VOCABULARY)))  # (V, K), (V, K)
    q, k = torch.unique(q, dim=0), torch.unique(k, dim=0)  # each distinct query and key once
    return fit_additive(q, k, scaled_dot_scores(q, k), seed=0)


def method_label(method: str) -> str:
    return "additive (trained)" if method == "additive" else method


def attention_weights(sentence: str, method: str = "scaled dot"):
    """Words, and the weights ``(T, T)`` every word gives every other word under a scoring method
    (``"additive"``: the trained scorer of :func:`trained_additive`)."""
    words = toy.words_of(sentence)
    q, k, _ = toy.queries_keys_values(toy.embed(words))
    if method == "additive":
        with torch.no_grad():
            return words, trained_additive()(q, k).softmax(dim=-1)
    return words, score(q, k, method).softmax(dim=-1)


def weights_heatmap(sentence: str = toy.EXAMPLE_SENTENCE, method: str = "scaled dot") -> go.Figure:
    """Who looks at whom; the colours run from 0 to this map's largest weight, so that a map whose
    weights are all small (an even spread is 1/T) is not left nearly white."""
    words, weights = attention_weights(sentence, method)
    top = round(float(weights.max()), 4)
    fig = attention_figure(weights, words, words, title=f"{method_label(method)} scores → softmax: who looks at whom",
                           zmin=0.0, zmax=top)
    fig.update_traces(colorbar=dict(title=dict(text="weight<br>(0 to this<br>map's max)", side="top")))
    return fig


def scoring_comparison(query_word: str = "it", sentence: str = toy.EXAMPLE_SENTENCE) -> go.Figure:
    """The weights one query word gives the sentence under each scoring function, side by side."""
    words = toy.words_of(sentence)
    if query_word not in words:
        raise ValueError(f"{query_word!r} is not in the sentence; pick one of {words}")
    i = words.index(query_word)
    methods = list(SCORERS)
    rows = {m: attention_weights(sentence, m)[1][i] for m in methods}  # (T,) per method
    # One axis for all four, so that how peaked each is can be compared; it ends at the largest weight.
    top = max(float(r.max()) for r in rows.values())
    fig = make_subplots(rows=len(methods), cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=[method_label(m) for m in methods])
    for row, method in enumerate(methods, start=1):
        fig.add_trace(go.Bar(x=list(range(len(words))), y=[round(v, 4) for v in rows[method].tolist()], name=method,
                             showlegend=False, marker_color="#1f77b4"), row=row, col=1)
        fig.update_yaxes(range=[0, round(1.08 * top, 4)], title_text="weight", row=row, col=1)
    fig.update_xaxes(tickmode="array", tickvals=list(range(len(words))), ticktext=words, row=len(methods), col=1)
    fig.update_layout(title=f"Where does “{query_word}” look? Four scoring functions<br>"
                            f"<span style='font-size:13px'>one weight axis for all four, 0 to the largest weight</span>", height=720,
                      margin=dict(t=90, b=40))
    return fig


def _two_lines(label: str) -> str:
    """``"wants a thing"`` -> ``"wants<br>a thing"``: a column label that fits a narrow cell."""
    first, _, rest = label.partition(" ")
    return f"{first}<br>{rest}" if rest else first


def projections_figure() -> go.Figure:
    """The hand-set ``W^Q`` and ``W^K`` of :mod:`attnlib.lessons.toy`, one above the other: a row per word
    feature, a column per query (what a word looks for) or key (what it offers) number."""
    fig = make_subplots(rows=2, cols=1, vertical_spacing=0.2,
                        subplot_titles=["W<sup>Q</sup>: what a word looks for",
                                        "W<sup>K</sup>: what a word offers"])
    top = float(max(toy.W_Q.abs().max(), toy.W_K.abs().max()))
    for row, (matrix, columns) in enumerate(((toy.W_Q, toy.QUERY_FEATURES), (toy.W_K, toy.KEY_FEATURES)), start=1):
        trace = heatmap_trace(matrix, columns, toy.FEATURES, zmin=-top, zmax=top, colorscale="RdBu",
                              showscale=False, value_format=".1f")
        trace.update(xaxis=f"x{row if row > 1 else ''}", yaxis=f"y{row if row > 1 else ''}")
        fig.add_trace(trace, row=row, col=1)
        fig.update_xaxes(tickmode="array", tickvals=list(range(len(columns))),
                         ticktext=[_two_lines(c) for c in columns], side="top", row=row, col=1)
        fig.update_yaxes(tickmode="array", tickvals=list(range(len(toy.FEATURES))), ticktext=list(toy.FEATURES),
                         autorange="reversed", row=row, col=1)
    for annotation in fig.layout.annotations:  # subplot titles above the column labels
        annotation.update(yshift=34, font=dict(size=13))
    fig.update_layout(title="The hand-set W<sup>Q</sup> and W<sup>K</sup>", height=760,
                      margin=dict(t=110, l=80, r=20, b=20))
    return fig
