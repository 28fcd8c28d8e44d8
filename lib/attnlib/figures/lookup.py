"""Attention as a soft lookup, drawn in a flat picture of the hand-made word space.

The eight features of :mod:`attnlib.lessons.toy` are laid out as the eight directions of a
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

from attnlib.book.plots import attention_figure
from attnlib.lessons import toy
from attnlib.lessons.scoring import score
from attnlib.lessons.softmax import check_temperature

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


# Where a label may sit around its marker: plotly's textposition, and its direction (x, y).
_TEXT_SPOTS = {"middle right": (1, 0), "top right": (1, 1), "top center": (0, 1), "top left": (-1, 1),
               "middle left": (-1, 0), "bottom left": (-1, -1), "bottom center": (0, -1), "bottom right": (1, -1)}
_PX_PER_UNIT = 75.0  # the compass panel's scale on a narrow page (about 75-85 px per unit): labels are sized in px
_CHAR_PX, _LINE_PX = 7.0, 15.0  # a 12 px label: width per character and height


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Overlapping area of two boxes ``(x0, y0, x1, y1)``."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _box(cx: float, cy: float, w: float, h: float) -> tuple[float, float, float, float]:
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def label_box(x: float, y: float, size: float, text: str, spot: str) -> tuple[float, float, float, float]:
    """The box (in px, ``_PX_PER_UNIT`` per unit) that ``text`` takes at ``spot`` around a marker of
    ``size`` px at the point ``(x, y)``."""
    dx, dy = _TEXT_SPOTS[spot]
    lines = text.split("<br>")
    w, h, r = _CHAR_PX * max(map(len, lines)) + 4, _LINE_PX * len(lines), size / 2 + 1
    # plotly sets a label just clear of its marker's edge
    return _box(x * _PX_PER_UNIT + dx * (r + 2 + w / 2), y * _PX_PER_UNIT + dy * (r + 2 + h / 2), w, h)


def _wrapped(text: str) -> list[str]:
    """The label on one line, and, if it is long and has a " / " to break at, on two."""
    parts = text.split(" / ")
    if len(text) <= 12 or len(parts) < 2:
        return [text]
    cut = min(range(1, len(parts)), key=lambda c: abs(len(" / ".join(parts[:c])) - len(" / ".join(parts[c:]))))
    return [text, " / ".join(parts[:cut]) + " /<br>" + " / ".join(parts[cut:])]


def label_positions(xy: list[tuple[float, float]], texts: list[str], sizes: list[float],
                    obstacles: list[tuple[float, float, float, float]] = ()) -> tuple[list[str], list[str]]:
    """A plotly ``textposition`` for each marker's label (and the label, broken over two lines where
    that helps), so that labels overlap neither each other, nor the markers, nor the ``obstacles``
    (boxes in px, in the same frame as ``xy`` times ``_PX_PER_UNIT``), nor the edge of the picture.

    Greedy: markers nearest the centre (the most crowded) choose first; each takes the free spot
    closest to pointing away from the centre, or, if none is free, the spot that overlaps least.
    """
    pts = [(x * _PX_PER_UNIT, y * _PX_PER_UNIT) for x, y in xy]
    markers = [_box(px, py, sz, sz) for (px, py), sz in zip(pts, sizes)]
    edge = _RADIUS * _PX_PER_UNIT
    placed: list[tuple[float, float, float, float]] = []
    spots, labels = [""] * len(xy), list(texts)
    for n in sorted(range(len(xy)), key=lambda n: math.hypot(*xy[n])):
        px, py = pts[n]
        outward = math.atan2(py, px) if math.hypot(px, py) > 1e-6 else math.pi / 2

        def turn(spot: str) -> float:  # how far a spot points from "away from the centre"
            dx, dy = _TEXT_SPOTS[spot]
            return abs(math.remainder(math.atan2(dy, dx) - outward, 2 * math.pi))

        best_cost = float("inf")
        for text in _wrapped(texts[n]):  # one line first: two only if that overlaps less
            for spot in sorted(_TEXT_SPOTS, key=turn):
                box = label_box(*xy[n], sizes[n], text, spot)
                w, h = box[2] - box[0], box[3] - box[1]
                cost = sum(_overlap(box, o) for o in [*placed, *obstacles]) + sum(
                    _overlap(box, m) for k, m in enumerate(markers) if k != n)
                inside = _overlap(box, (-edge, -edge, edge, edge))
                cost += 2 * (w * h - inside)  # outside the picture is worse than a small overlap
                if cost < best_cost - 1e-6:
                    spots[n], labels[n], best_cost, best_box = spot, text, cost, box
                if cost == 0:
                    break
            if best_cost == 0:
                break
        placed.append(best_box)
    return spots, labels


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
                                 textfont=dict(color="#707070", size=11), hoverinfo="skip", showlegend=False),
                      row=1, col=1)
    groups = _groups(words, points)
    w = weights.tolist()
    gw = [sum(w[j] for j in g) for g in groups]
    xy = [(points[g[0], 0].item(), points[g[0], 1].item()) for g in groups]
    texts = [" / ".join(dict.fromkeys(words[j] for j in g)) for g in groups]
    sizes = [8 + 55 * math.sqrt(x) for x in gw]
    u = _PX_PER_UNIT  # what else is drawn in the picture: the feature names, the star and the ×
    avoid = [_box(2.05 * cx * u, 2.05 * cy * u, 6.5 * len(f) + 4, 14) for f, (cx, cy) in
             zip(toy.FEATURES, PROJECTION.tolist())]
    avoid += [_box(out_xy[0] * u, out_xy[1] * u, 20, 20)]
    (x0, y0), (x1, y1) = points[i].tolist(), out_xy  # the arrow from the query word to the star
    steps = max(1, int(math.hypot(x1 - x0, y1 - y0) * u / 5))  # a label across it costs as much as one on a marker
    avoid += [_box((x0 + (x1 - x0) * t / steps) * u, (y0 + (y1 - y0) * t / steps) * u, 8, 8) for t in range(steps + 1)]
    mean_xy = points.mean(dim=0).tolist()  # (2,): where a temperature of infinity would land
    avoid += [_box(mean_xy[0] * u, mean_xy[1] * u, 12, 12)]
    spots, labels = label_positions(xy, texts, sizes, avoid)
    fig.add_trace(go.Scatter(
        x=[round(x, 4) for x, _ in xy], y=[round(y, 4) for _, y in xy],
        mode="markers+text", text=labels, textposition=spots,
        textfont=dict(size=12),
        marker=dict(size=sizes, color=[round(x, 4) for x in gw], cmin=0, cmax=1,
                    colorscale="Blues", line=dict(color=["#d62728" if i in g else "#333333" for g in groups],
                                                  width=[3 if i in g else 1 for g in groups])),
        hovertext=[f"{' / '.join(words[j] for j in g)}: weight {x:.3f}" for g, x in zip(groups, gw)],
        hoverinfo="text", showlegend=False), row=1, col=1)
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
CAT_FRENCH = ("le", "chat", "était", "assis", "sur", "le", "tapis")
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
