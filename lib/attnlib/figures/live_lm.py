"""The book's GPT and BERT in the published page: their first pictures, drawn by Python, and the cells that
show them (:mod:`attnlib.book.live_lm` holds the elements; ``live_lm.js`` redraws these figures with the same
rules once the models run in the page).

* :func:`bars_figure` — horizontal bars, the likeliest first, with their probabilities written beside them.
* :func:`generator_figures` — a continuation's last step (the likeliest next tokens, the one drawn in red) and
  the self-attention of the text it read (one layer, and the mean of its heads or one head).
* :func:`fill_figures` — the likeliest words for a ``<mask>``, and where the ``<mask>`` looks in each layer.
* :func:`live_generator`, :func:`live_fill` — show the elements (in a live notebook, the note that says
  where they are).

Shape letters: L layers, H heads, T tokens.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import plotly.graph_objects as go

from attnlib.book.live import ROW_PX, numbered, tick_angle
from attnlib.book.live_lm import (BAR_PX, BAR_RANGE, BARS, DEFAULTS, DRAWN, FILLS, KEPT, WORDS, read_request,
                                  show_live_fill, show_live_generator, step_label)
from attnlib.book.plots import heatmap_trace, label_axes
from attnlib.lessons.generation import generation_trace
from attnlib.lm.data import MASK
from attnlib.lm.fill import mask_attention, top_fills
from attnlib.lm.trained import TrainedLM
from .generation import causal_lm

MAP_TOP_PX = 100  # the axis titles and labels above and below a map's rows
BARS_FRAME_PX = 90  # the axis title and margins around the bars
GROUND = "#eef1f4"  # where a map has no cell: above the causal mask's diagonal, or not read yet

GENERATOR_PROMPT = "my sister"
FILL_SENTENCE = "the black <mask> sees the dog ."


@lru_cache(maxsize=1)
def masked_lm() -> TrainedLM:
    """The book's BERT (``data/lm-masked.pt``), loaded once, on the CPU."""
    return TrainedLM.load(kind="masked", device="cpu")


def said(bars: Sequence[tuple], digits: int) -> str:
    """The bars in words, as the page says them: "owl 0.05, zebra 0.03"."""
    return ", ".join(f"{b[0]} {b[1]:.{digits}f}" for b in bars)


def bars_figure(bars: Sequence[tuple[str, float, str]], slots: int, digits: int, x_title: str,
                description: str) -> go.Figure:
    """``bars`` (label, probability, colour) the first on top, in room for ``slots`` of them, each with its
    probability written to ``digits`` places, the axis reaching a little past the tallest; ``description`` is
    what a screen reader hears of it."""
    labels = [b[0] for b in bars]
    top = max(b[1] for b in bars)
    fig = go.Figure(go.Bar(
        y=list(range(len(bars))), x=[round(b[1], 4) for b in bars], orientation="h",
        marker_color=[b[2] for b in bars], text=[f"{b[1]:.{digits}f}" for b in bars], textposition="outside",
        cliponaxis=False, hovertext=[f"{b[0]}: {b[1]:.3f}" for b in bars], hoverinfo="text", showlegend=False))
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(bars))), ticktext=labels, autorange=False,
                     range=[slots - 0.5, -0.5])
    fig.update_xaxes(range=[0, min(1.0, top * BAR_RANGE["scale"] + BAR_RANGE["pad"])], title_text=x_title)
    fig.update_layout(height=BARS_FRAME_PX + BAR_PX * slots, margin=dict(t=20, l=90, r=40, b=60),
                      meta={"description": description})
    return fig


def map_figure(z: list[list[float | None]], columns: Sequence[str], rows: Sequence[str], cells: int,
               x_title: str, y_title: str) -> go.Figure:
    """A heatmap of ``z`` (None: no cell) with a row of ``ROW_PX`` each, numbers in it when ``cells`` are few."""
    fig = go.Figure(heatmap_trace(z, columns, rows, show_values=numbered(cells)))
    label_axes(fig, columns, rows, x_title=x_title, y_title=y_title)
    fig.update_layout(height=MAP_TOP_PX + ROW_PX * len(rows), margin=dict(t=80, l=110, r=20, b=20), plot_bgcolor=GROUND)
    fig.update_xaxes(showgrid=False, zeroline=False, tickangle=tick_angle(len(columns)))
    fig.update_yaxes(showgrid=False, zeroline=False)
    return fig


def generator_figures(prompt: str = GENERATOR_PROMPT, layer: int = 0, head: int | None = None,
                      fields: dict | None = None, step: int = 1) -> tuple[go.Figure, go.Figure, dict]:
    """The continuation of ``prompt`` with the settings typed in ``fields`` (default: the page's), at ``step``
    (1 is the first new token; past the last, the last): its ``BARS`` likeliest tokens (the one drawn in red,
    added below them when it came from the tail), and the self-attention of the tokens read so far, in
    ``layer`` with ``head`` (None: the mean of the heads), in room for the whole text. Also what the element
    writes around them: the prompt's words, the new ones, the step and its label."""
    lm = causal_lm()
    fields = {**DEFAULTS, **(fields or {})}
    _, settings = read_request(lm, prompt, fields)  # the page's checks, in its order
    tr = generation_trace(lm, prompt, settings["temperature"], settings["top_k"], settings["top_p"], settings["seed"],
                          settings["max_new_tokens"], n_candidates=BARS)
    step = max(1, min(step, len(tr.steps)))
    s = tr.steps[step - 1]
    bars = [(w, p, DRAWN if w == s.chosen else KEPT) for w, p in s.candidates]
    if s.chosen not in [w for w, _ in s.candidates]:
        bars.append((s.chosen, s.chosen_probability, DRAWN))
    bar_fig = bars_figure(bars, BARS + 1, 2, "probability of the next token",
                          WORDS["bars"].format(count=len(bars), step=step, list=said(bars, 2), word=s.chosen))
    read = list(tr.tokens[:-1])  # every token read by the last step: the last one drawn never was
    n, shown = len(read), len(tr.prompt) + step  # <bos>, the prompt and the step - 1 tokens before it
    w = tr.weights[layer, :, :n, :n]  # (H, T, T): causal, so the rows read at a step are the whole text's first
    w = w.mean(0) if head is None else w[head]  # (T, T)
    z = [[float(w[i, j]) if j <= i < shown else None for j in range(n)] for i in range(n)]  # masked or unread: blank
    map_fig = map_figure(z, read, read, shown * (shown + 1) // 2, "looks at", "each token read")
    label = step_label(step, len(tr.steps), s.chosen, s.chosen_probability, s.uniform)
    return bar_fig, map_fig, {"words": list(tr.prompt), "new": [x.chosen for x in tr.steps], "step": step,
                              "label": label}


def live_generator(prompt: str = GENERATOR_PROMPT, layer: int = 0, head: int | None = None, step: int = 1,
                   **fields: str) -> None:
    """Show the generator that runs in the page, opening on ``prompt`` continued with ``fields`` (the texts of
    its settings: temperature, top_k, top_p, seed, max_new_tokens; see :mod:`attnlib.book.live_lm`), at ``step``."""
    bar_fig, map_fig, text = generator_figures(prompt, layer, head, fields, step)
    cfg = causal_lm().model.cfg
    show_live_generator(bar_fig, map_fig, prompt, text["words"], text["new"], text["step"], text["label"], layer, head,
                        cfg.n_layers, cfg.n_heads, {**DEFAULTS, **fields})


def fill_figures(sentence: str = FILL_SENTENCE, head: int | None = None) -> tuple[go.Figure, go.Figure]:
    """The ``FILLS`` likeliest words for the ``<mask>`` of ``sentence`` (what ``python -m attnlib.lm fill``
    prints), and where the ``<mask>`` looks: one row per layer, for ``head`` (None: the mean of the heads)."""
    lm = masked_lm()
    fills = top_fills(lm, sentence, k=FILLS)
    bar_fig = bars_figure([(w, p, KEPT) for w, p in fills], FILLS, 4, "probability of each word in the gap",
                          WORDS["fills"].format(count=len(fills), mask=MASK, list=said(fills, 4)))
    tokens, _, weights = mask_attention(lm, sentence)  # (L, H, T)
    rows = weights.mean(1) if head is None else weights[:, head]  # (L, T)
    layers = [f"layer {i + 1}" for i in range(rows.shape[0])]
    map_fig = map_figure(rows.tolist(), tokens, layers, len(layers) * len(tokens), "looks at", "the gap, in")
    return bar_fig, map_fig


def live_fill(sentence: str = FILL_SENTENCE, head: int | None = None) -> None:
    """Show the masked model's fill that runs in the page, opening on ``sentence`` (one ``<mask>``)."""
    bar_fig, map_fig = fill_figures(sentence, head)
    show_live_fill(bar_fig, map_fig, sentence, head, masked_lm().model.cfg.n_heads)
