"""The book's GPT, shown: its next-word distribution under temperature, top-k and top-p; a sentence written
step by step; where each of its words looks; what its samples get right.

* :func:`filters_figure` — the likeliest next words after a prompt, before and after the filters.
* :func:`step_figure` — one step of sampling: the candidates, the one drawn and the number that drew it.
* :func:`attention_figure` — the causal self-attention of a generated sentence, one layer and head.
* :func:`quality_figure` — for each way of sampling, the share of sentences the grammar accepts, the share
  both grammatical and new, and how many different sentences there were.

All use the shipped causal model (:func:`causal_lm`, loaded once).

Shape letters: L layers, H heads, T tokens.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import plotly.graph_objects as go

from attnlib.book.live import ROW_PX, numbered
from attnlib.book.plots import attention_views, heatmap_trace, label_axes, parse_view
from attnlib.lessons.generation import Trace, generation_trace, next_word_distribution
from attnlib.lm.quality import Quality
from attnlib.lm.trained import TrainedLM

#: Prompts the static page offers (each word in the corpus's English).
PROMPTS = ("the black", "my sister", "the cat does not")
TEMPERATURES = (0.0, 0.5, 1.0, 1.5, 2.0)
TOP_KS = (0, 3, 10)  # 0: no top-k filter
TOP_PS = (1.0, 0.9, 0.5)
SEEDS = (2, 3, 4)
SHOWN = 12  # words on the filters figure
MAX_NEW = 12  # the step figure's slider range

DRAWN, KEPT, MODEL = "#d62728", "#3182bd", "#fd8d3c"


@lru_cache(maxsize=1)
def causal_lm() -> TrainedLM:
    """The book's GPT (``data/lm-causal.pt``), loaded once, on the CPU."""
    return TrainedLM.load(kind="causal", device="cpu")


def _settings(temperature: float, top_k: int, top_p: float) -> str:
    parts = [f"T = {temperature:g}"]
    if top_k:
        parts.append(f"top-k {top_k}")
    if top_p < 1:
        parts.append(f"top-p {top_p:g}")
    return ", ".join(parts)


def filters_figure(prompt: str = PROMPTS[0], temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0) -> go.Figure:
    """The ``SHOWN`` likeliest next words after ``prompt``: their probability as the model gives it (pale)
    and after temperature, top-k and top-p (dark; zero for a word the filters drop)."""
    words, before, after = next_word_distribution(causal_lm(), prompt, temperature, top_k or None, top_p)
    order = before.argsort(descending=True, stable=True)[:SHOWN].tolist()
    labels = [words[i] for i in order]
    kept = int((after > 0).sum())
    fig = go.Figure()
    fig.add_trace(go.Bar(y=labels, x=[round(float(before[i]), 4) for i in order], orientation="h",
                         name="the model (T = 1, no filter)", marker_color=MODEL,
                         hovertemplate="%{y}: %{x:.3f}<extra>the model</extra>"))
    fig.add_trace(go.Bar(y=labels, x=[round(float(after[i]), 4) for i in order], orientation="h",
                         name="what is sampled from", marker_color=KEPT,
                         text=[f"{float(after[i]):.2f}" if after[i] > 0 else "0" for i in order], textposition="outside",
                         cliponaxis=False, hovertemplate="%{y}: %{x:.3f}<extra>sampled from</extra>"))
    top = max(float(before[order[0]]), float(after.max()))
    fig.update_xaxes(range=[0, min(1.0, top * 1.25 + 0.02)], title_text="probability of the next word")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        title=f"After “{prompt}”: {_settings(temperature, top_k, top_p)}<br>"
              f"<sup>{kept} of {len(words) - 4} words can be drawn; the {SHOWN} likeliest shown</sup>",
        barmode="group", bargap=0.25, height=150 + 34 * SHOWN, margin=dict(t=110, l=90, r=30, b=50),
        legend=dict(orientation="h", y=-0.12, x=0))
    return fig


@lru_cache(maxsize=64)
def trace(prompt: str, temperature: float = 1.0, seed: int = 0) -> Trace:
    """The sampled continuation of ``prompt`` (cached): what ``python -m attnlib.lm generate`` writes."""
    return generation_trace(causal_lm(), prompt, temperature=temperature, seed=seed, max_new_tokens=MAX_NEW)


def step_figure(prompt: str = PROMPTS[0], seed: int = SEEDS[0], step: int = 1, temperature: float = 1.0) -> go.Figure:
    """Step ``step`` of sampling a continuation of ``prompt``: the likeliest candidates, the one drawn (red)."""
    if step < 1:
        raise ValueError(f"steps count from 1 (the first new word), got {step}")
    tr = trace(prompt, temperature, seed)
    note = ""
    if step > len(tr.steps):
        note, step = f" (the sentence ended at step {len(tr.steps)})", len(tr.steps)
    s = tr.steps[step - 1]
    words = [w for w, _ in s.candidates]
    probs = [p for _, p in s.candidates]
    if s.chosen not in words:  # drawn from the long tail: shown below the likeliest
        words, probs = words + [s.chosen], probs + [s.chosen_probability]
    colours = [DRAWN if w == s.chosen else KEPT for w in words]
    fig = go.Figure(go.Bar(y=words, x=[round(p, 4) for p in probs], orientation="h", marker_color=colours,
                           text=[f"{p:.2f}" for p in probs], textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: %{x:.3f}<extra></extra>", showlegend=False))
    fig.update_xaxes(range=[0, min(1.0, max(probs) * 1.25 + 0.02)], title_text="probability")
    fig.update_yaxes(autorange="reversed")
    so_far = " ".join(s.prefix)
    fig.update_layout(
        title=f"step {step}: {so_far} ▸ <b>{s.chosen}</b>{note}<br>"
              f"<sup>seed {seed}: the number {s.uniform:.3f} fell on “{s.chosen}” (red)</sup>",
        height=150 + 34 * len(words), margin=dict(t=110, l=90, r=30, b=50))
    return fig


def step_values(prompts: Sequence[str] = PROMPTS, seeds: Sequence[int] = SEEDS) -> list[int]:
    """Slider values: 1 … the longest continuation among the prompts and seeds (at most ``MAX_NEW``)."""
    return list(range(1, max(len(trace(p, 1.0, s).steps) for p in prompts for s in seeds) + 1))


def view_options() -> list[str]:
    cfg = causal_lm().model.cfg
    return attention_views(cfg.n_layers, cfg.n_heads)


def attention_figure(prompt: str = PROMPTS[0], seed: int = SEEDS[0], view: str = "layer 1 · mean of heads") -> go.Figure:
    """Where each token of a sampled sentence looks as it chooses the next: one row per token, among itself and
    the tokens before it (the causal mask leaves the upper triangle blank)."""
    tr = trace(prompt, 1.0, seed)
    cfg = causal_lm().model.cfg
    layer, head = parse_view(view, cfg.n_layers, cfg.n_heads)
    w = tr.weights[layer]  # (H, T, T)
    w = w.mean(0) if head is None else w[head]  # (T, T)
    # the final <eos> ended the sentence and was never read: its row and column predicted nothing
    tokens = tr.tokens[:-1] if tr.tokens[-1] == "<eos>" else tr.tokens
    n = len(tokens)
    z = [[float(w[i, j]) if j <= i else None for j in range(n)] for i in range(n)]  # the causal mask's cells: blank
    fig = go.Figure(heatmap_trace(z, tokens, tokens, show_values=numbered(n * (n + 1) // 2)))
    label_axes(fig, tokens, tokens, x_title="the tokens it looks at", y_title="each token, choosing the next")
    fig.update_layout(title=dict(text=f"“{tr.text}” ({view})", y=0.99, yanchor="top"),
                      height=200 + ROW_PX * n, margin=dict(t=130, l=90, r=20, b=20))
    return fig


def quality_figure(rows: Sequence[Quality]) -> go.Figure:
    """For each sampling setting (one row each): the share of its sentences the grammar accepts, the share that
    are both grammatical and absent from the training sentences, and the share of different sentences."""
    if not rows:
        raise ValueError("give at least one row of sample_quality()")
    labels = [r.setting.label for r in rows]
    fig = go.Figure()
    for name, values, colour in (
            ("grammatical", [r.grammatical for r in rows], "#0072b2"),
            ("grammatical and new", [r.novel_grammatical for r in rows], "#56b4e9"),
            ("different sentences", [r.distinct / r.n for r in rows], "#e69f00")):
        fig.add_trace(go.Bar(y=labels, x=[round(100 * v, 1) for v in values], name=name, marker_color=colour,
                             orientation="h", text=[f"{100 * v:.0f}%" for v in values], textposition="outside",
                             cliponaxis=False, hovertemplate="%{y}: %{x:.1f}%<extra>" + name + "</extra>"))
    fig.update_xaxes(range=[0, 118], title_text=f"% of the {rows[0].n} sentences sampled per setting")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title="What sampled sentences get right, setting by setting",
                      barmode="group", bargap=0.3, bargroupgap=0.05, height=170 + 66 * len(rows),
                      margin=dict(t=70, l=90, r=30, b=60), legend=dict(orientation="h", y=-0.1, x=0))
    return fig
