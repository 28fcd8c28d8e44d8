"""Attention as a soft lookup, drawn in a flat picture of the hand-made word space.

The eight features of :mod:`attnlib.toy` are laid out as the eight directions of a
compass (``PROJECTION``); a word is drawn at the sum of its features' directions.
The projection is one fixed linear map, so the weighted average of the words'
vectors lands exactly on the weighted average of their points: what the picture
shows for the output is what attention computes.

Shape letters: T words, F = 8 features, K = 4 query/key features.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from .. import toy
from ..plots import attention_figure
from ..scoring import score
from ..softmax import check_temperature

# Neighbouring directions hold related features: a noun is between "thing" and "abstract",
# a pronoun between "pronoun" and "person".
COMPASS_ORDER = ("thing", "abstract", "action", "quality", "time", "function", "pronoun", "person")
_ANGLES = {f: 2 * math.pi * i / len(COMPASS_ORDER) for i, f in enumerate(COMPASS_ORDER)}
PROJECTION = torch.tensor([[math.cos(_ANGLES[f]), math.sin(_ANGLES[f])] for f in toy.FEATURES])  # (F, 2)

LOOKUP_WORDS = ("it", "question", "she", "answered", "thinking", "long", "time", "the")
TEMPERATURES = (0.25, 0.5, 1.0, 2.0, 4.0)
_RADIUS = 2.35  # half-width of the picture


def project(x: torch.Tensor) -> torch.Tensor:
    """``(..., F)`` feature vectors -> ``(..., 2)`` points of the compass picture."""
    return x @ PROJECTION




def lookup(sentence: str = toy.EXAMPLE_SENTENCE, query_word: str = "it", temperature: float = 1.0):
    """One word's soft lookup over its sentence.

    Returns ``words`` (T), ``weights (T,)`` = softmax(q·k / (√d_k · temperature)) and the
    output ``(F,)``, the weighted average of the words' vectors (toy values are the vectors
    themselves). A word that occurs twice looks up from its first occurrence.
    """
    temperature = check_temperature(temperature)
    words = toy.words_of(sentence)
    if len(words) < 2:
        raise ValueError("a lookup needs at least two words to choose between; type a longer sentence")
    if query_word not in words:
        raise ValueError(f"{query_word!r} is not in the sentence; pick one of {sorted(set(words))}")
    x = toy.embed(words)  # (T, F)
    q, k, v = toy.queries_keys_values(x)  # (T, K), (T, K), (T, F)
    i = words.index(query_word)
    scores = score(q[i : i + 1], k, "scaled dot")[0] / temperature  # (T,)
    weights = torch.softmax(scores, dim=-1)  # (T,)
    return words, weights, weights @ v  # (T,), (F,)


def _groups(words: list[str], points: torch.Tensor) -> list[list[int]]:
    """Positions that land on the same point (e.g. 'the', 'for', 'a') share one marker."""
    groups: list[list[int]] = []
    for j in range(len(words)):
        for g in groups:
            if torch.allclose(points[g[0]], points[j], atol=1e-6):
                g.append(j)
                break
        else:
            groups.append([j])
    return groups


def lookup_figure(query_word: str = "it", temperature: float = 1.0, sentence: str = toy.EXAMPLE_SENTENCE) -> go.Figure:
    """Left: the sentence's words in the compass picture, sized by the weight ``query_word`` gives
    them, and the output (the weighted average) as a star. Right: the same weights as bars."""
    words, weights, output = lookup(sentence, query_word, temperature)
    points = project(toy.embed(words))  # (T, 2)
    out_xy = project(output).tolist()  # (2,)
    i = words.index(query_word)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4], horizontal_spacing=0.12,
                        subplot_titles=("words sized by weight; ★ output, × plain average", f"weights of “{query_word}”"))
    # the compass: one faint spoke per feature
    for f, (cx, cy) in zip(toy.FEATURES, PROJECTION.tolist()):
        fig.add_trace(go.Scatter(x=[0, 2.05 * cx], y=[0, 2.05 * cy], mode="lines+text", text=["", f"<i>{f}</i>"],
                                 textposition="middle center", line=dict(color="#dddddd", width=1),
                                 textfont=dict(color="#999999", size=11), hoverinfo="skip", showlegend=False),
                      row=1, col=1)
    groups = _groups(words, points)
    w = weights.tolist()
    gw = [sum(w[j] for j in g) for g in groups]
    fig.add_trace(go.Scatter(
        x=[round(points[g[0], 0].item(), 4) for g in groups], y=[round(points[g[0], 1].item(), 4) for g in groups],
        mode="markers+text", text=[" / ".join(dict.fromkeys(words[j] for j in g)) for g in groups],
        textposition="top center", textfont=dict(size=12),
        marker=dict(size=[8 + 55 * math.sqrt(x) for x in gw], color=[round(x, 4) for x in gw], cmin=0, cmax=1,
                    colorscale="Blues", line=dict(color=["#d62728" if i in g else "#333333" for g in groups],
                                                  width=[3 if i in g else 1 for g in groups])),
        hovertext=[f"{' / '.join(words[j] for j in g)}: weight {x:.3f}" for g, x in zip(groups, gw)],
        hoverinfo="text", showlegend=False), row=1, col=1)
    mean_xy = points.mean(dim=0).tolist()  # (2,): where a temperature of infinity would land
    fig.add_trace(go.Scatter(x=[round(mean_xy[0], 4)], y=[round(mean_xy[1], 4)], mode="markers",
                             marker=dict(symbol="x-thin", size=12, line=dict(color="#777777", width=2)),
                             hovertext=["plain average: every word weighted equally"], hoverinfo="text",
                             showlegend=False), row=1, col=1)
    fig.add_trace(go.Scatter(x=[round(out_xy[0], 4)], y=[round(out_xy[1], 4)], mode="markers",
                             marker=dict(symbol="star", size=20, color="#d62728", line=dict(color="white", width=1)),
                             hovertext=[f"output of “{query_word}”: the weighted average"], hoverinfo="text",
                             showlegend=False), row=1, col=1)
    fig.add_annotation(x=out_xy[0], y=out_xy[1], ax=points[i, 0].item(), ay=points[i, 1].item(),
                       xref="x", yref="y", axref="x", ayref="y", showarrow=True, arrowhead=3, arrowsize=1.2,
                       arrowcolor="#d62728", text="")
    # the bars, one per position, first word at the top
    fig.add_trace(go.Bar(x=[round(x, 4) for x in w], y=list(range(len(words))), orientation="h",
                         marker_color=["#d62728" if j == i else "#1f77b4" for j in range(len(words))],
                         text=[f"{x:.2f}" for x in w], textposition="outside", hoverinfo="skip", showlegend=False),
                  row=1, col=2)
    fig.update_xaxes(range=[-_RADIUS, _RADIUS], visible=False, row=1, col=1)
    fig.update_yaxes(range=[-_RADIUS, _RADIUS], visible=False, scaleanchor="x", scaleratio=1, row=1, col=1)
    fig.update_xaxes(range=[0, 1.15], title_text="weight", row=1, col=2)
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(words))), ticktext=words, autorange="reversed",
                     row=1, col=2)
    top = int(weights.argmax())
    fig.update_layout(
        title=dict(text=f"“{query_word}” at temperature {temperature:g}: {w[top]:.0%} of its weight on “{words[top]}”",
                   x=0.5, xanchor="center"),  # centred: clear of the word menu in the static twin
        height=520, margin=dict(t=90, l=20, r=20, b=40),
    )
    return fig


# -- the cat sat on the mat: what translation attention should look like ------------------------
CAT_ENGLISH = ("the", "cat", "sat", "on", "the", "mat")
CAT_FRENCH = ("le", "chat", "s'est", "assis", "sur", "le", "tapis")
# Which English word(s) each French word comes from; the weight is shared equally among them.
_CAT_ALIGNMENT = ((0,), (1,), (2,), (2,), (3,), (4,), (5,))


def cat_alignment() -> torch.Tensor:
    """A hand-made alignment ``(French, English)``: each row is where a translator should look."""
    weights = torch.zeros(len(CAT_FRENCH), len(CAT_ENGLISH))  # (Tfr, Ten)
    for row, cols in enumerate(_CAT_ALIGNMENT):
        weights[row, list(cols)] = 1.0 / len(cols)
    return weights


def cat_alignment_figure() -> go.Figure:
    fig = attention_figure(cat_alignment(), CAT_ENGLISH, CAT_FRENCH,
                           title="Drawn by hand: where each French word should look", showscale=False,
                           show_values=False)
    fig.update_xaxes(title_text="English (keys)")
    fig.update_yaxes(title_text="French being written (queries)")
    fig.update_layout(width=460, height=360)
    return fig
