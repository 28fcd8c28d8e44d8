"""The cost of attention, shown: time and memory against the length, and the online softmax step by step."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from attnlib.book import benchmarks as bm
from attnlib.lessons.cost import growth_slopes, online_softmax_steps

# One query's scores over twelve keys, read in three blocks of four. The largest score of the second
# block beats the first block's, and the third block's beats both: the running sum is rescaled twice.
EXAMPLE_SCORES = (0.8, -0.4, 1.5, 0.2, 2.6, 0.1, -1.0, 1.9, 0.5, 3.1, -0.3, 1.2)
EXAMPLE_BLOCK = 4
SEEN_COLOUR, UNSEEN_COLOUR, TRUE_COLOUR = "#1f77b4", "#d0d0d0", "#d62728"


def scaling_figure(rows: Sequence[dict], hardware: str, tail: int = 3) -> go.Figure:
    """Explicit against fast attention, time and peak memory against T on log-log axes, with the slopes
    fitted over the ``tail`` largest lengths. The same figure as the book's benchmark page shows."""
    if len(rows) < 2:
        raise ValueError("need measurements at two lengths at least to draw growth")
    results = {"hardware": hardware, "date": "", "quick": False, "mha_explicit_vs_fast": {"rows": list(rows)}}
    fig = bm.scaling_figure(results)
    slopes = growth_slopes(rows, tail=min(tail, len(rows)))
    lines = []
    for kind, panel in (("time", "x domain"), ("memory", "x2 domain")):
        parts = [f"{path} {slopes[f'{path}_{kind}']:.2f}" for path in ("explicit", "fast")
                 if slopes[f"{path}_{kind}"] is not None]
        text = "slope: " + ", ".join(parts) if parts else "memory could not be measured here"
        lines.append(text)
        fig.add_annotation(text=text, xref=panel, yref="paper", x=0.02, y=0.98, showarrow=False,
                           xanchor="left", yanchor="top", bgcolor="rgba(255,255,255,0.85)", font=dict(size=12))
    fig.update_layout(title=dict(text=f"Attention alone, B={rows[0]['B']}, H={rows[0].get('H', '?')}: "
                                      f"explicit (weights written out) vs fast (fused)<br><sup>{hardware}</sup>"))
    return fig


def online_softmax_figure(blocks_seen: int = 1, scores: Sequence[float] = EXAMPLE_SCORES,
                          block: int = EXAMPLE_BLOCK) -> go.Figure:
    """The online softmax after ``blocks_seen`` blocks: the scores read so far and the running maximum
    (top), the weights it would give with what it has seen (bars) against the true softmax (markers)."""
    steps = online_softmax_steps(scores, block)
    if not isinstance(blocks_seen, int) or not 1 <= blocks_seen <= len(steps):
        raise ValueError(f"blocks_seen must be a whole number from 1 to {len(steps)}, got {blocks_seen!r}")
    step, final = steps[blocks_seen - 1], steps[-1]["estimate"]
    n, seen = len(scores), step["seen"]
    x = list(range(n))
    labels = [f"k{j + 1}" for j in x]
    colours = [SEEN_COLOUR if j < seen else UNSEEN_COLOUR for j in x]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12,
                        subplot_titles=("scores, read one block at a time",
                                        "weights from what has been read (bars) and the true softmax (dots)"))
    fig.add_trace(go.Bar(x=x, y=list(scores), marker_color=colours, showlegend=False, name="score",
                         hovertemplate="%{y:.2f}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[-0.5, n - 0.5], y=[step["max"]] * 2, mode="lines", name=f"running max m = {step['max']:.2f}",
                             line=dict(color="black", dash="dash")), row=1, col=1)
    fig.add_trace(go.Bar(x=x, y=[round(w, 4) for w in step["estimate"]], marker_color=colours, showlegend=False,
                         name="weight so far", hovertemplate="%{y:.3f}<extra></extra>"), row=2, col=1)
    fig.add_trace(go.Scatter(x=x, y=[round(w, 4) for w in final], mode="markers", name="true softmax",
                             marker=dict(color=TRUE_COLOUR, size=9, symbol="diamond")), row=2, col=1)
    for b in range(block, n, block):
        for r in (1, 2):
            fig.add_vline(x=b - 0.5, line=dict(color="#999", width=1, dash="dot"), row=r, col=1)
    rescaled = (f"old sum × exp(m_old − m_new) = × {step['rescale']:.3f}" if blocks_seen > 1
                else "first block: nothing to rescale")
    fig.update_xaxes(tickmode="array", tickvals=x, ticktext=labels, row=2, col=1)
    fig.update_yaxes(title_text="score", row=1, col=1)
    fig.update_yaxes(title_text="weight", range=[0, max(max(final), *step["estimate"]) * 1.15], row=2, col=1)
    fig.update_layout(title=f"after block {blocks_seen} of {len(steps)}: m = {step['max']:.2f}, "
                            f"l = Σ exp(s − m) = {step['sum']:.3f}; {rescaled}",
                      height=560, margin=dict(t=90, b=40), legend=dict(orientation="h", y=-0.1))
    return fig
