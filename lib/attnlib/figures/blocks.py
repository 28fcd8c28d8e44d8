"""The Transformer block, shown: the architecture diagram, gradient flow, training, timing, parameters."""

from __future__ import annotations

import math
from typing import Sequence

import plotly.graph_objects as go

from attnlib.lessons.stability import MAX_DEPTH, gradient_flow

COLORS = {"attn": "#fdd0a2", "ffn": "#c6dbef", "norm": "#fff2ae", "io": "#eeeeee", "out": "#d9f0d3"}
PLACEMENTS = ("pre-LN", "post-LN")


# -- the architecture diagram ---------------------------------------------------------------

def _sublayer_rows(sublayers: list[tuple[str, str]], pre_ln: bool) -> tuple[list[tuple[str, str]], list[tuple[int, int]]]:
    """Rows ``(kind, text)`` of one layer and its residual skips ``(first row of the branch, add row)``."""
    rows, skips = [], []
    for kind, text in sublayers:
        start = len(rows)
        if pre_ln:
            rows += [("norm", "LayerNorm"), (kind, text), ("add", "+")]
        else:
            rows += [(kind, text), ("add", "+"), ("norm", "LayerNorm")]
        skips.append((start, start + 2 if pre_ln else start + 1))
    return rows, skips


def _column(fig: go.Figure, x: float, rows: list[tuple[str, str]], skips: list[tuple[int, int]],
            y0: float, dy: float, width: float = 3.0) -> list[float]:
    """Draw rows bottom-up at ``x``, arrows between them and residual skips on the left; return row heights."""
    ys = [y0 + i * dy for i in range(len(rows))]
    for i, ((kind, text), y) in enumerate(zip(rows, ys)):
        if kind == "add":
            fig.add_shape(type="circle", x0=x - 0.17, x1=x + 0.17, y0=y - 0.17, y1=y + 0.17,
                          line=dict(color="#444"), fillcolor="white")
            fig.add_annotation(x=x, y=y, text="+", showarrow=False, font=dict(size=16))
        else:
            fig.add_shape(type="rect", x0=x - width / 2, x1=x + width / 2, y0=y - 0.28, y1=y + 0.28,
                          line=dict(color="#444"), fillcolor=COLORS.get(kind, "white"))
            fig.add_annotation(x=x, y=y, text=text, showarrow=False, font=dict(size=12))
        if i:
            low = ys[i - 1] + (0.17 if rows[i - 1][0] == "add" else 0.28)
            high = y - (0.17 if kind == "add" else 0.28)
            fig.add_annotation(x=x, y=high, ax=x, ay=low, xref="x", yref="y", axref="x", ayref="y",
                               showarrow=True, arrowhead=2, arrowsize=1, arrowwidth=1.2, arrowcolor="#444", text="")
    side = x - width / 2 - 0.35
    for first, add in skips:
        y_start = ys[first] - dy / 2  # the branch point just below the branch's first row
        fig.add_shape(type="path", path=f"M {x},{y_start} L {side},{y_start} L {side},{ys[add]} L {x - 0.17},{ys[add]}",
                      line=dict(color="#2ca02c", width=2))
    return ys


def architecture_figure(placement: str = "pre-LN", n_layers: int = 2) -> go.Figure:
    """The encoder-decoder Transformer drawn with plotly shapes; green lines are the residual connections."""
    if placement not in PLACEMENTS:
        raise ValueError(f"placement must be one of {PLACEMENTS}, got {placement!r}")
    pre_ln = placement == "pre-LN"
    fig = go.Figure()
    dy = 0.8
    enc_rows, enc_skips = _sublayer_rows([("attn", "multi-head self-attention"), ("ffn", "feed-forward")], pre_ln)
    dec_rows, dec_skips = _sublayer_rows([("attn", "masked multi-head self-attention"),
                                          ("attn", "cross-attention (K, V from memory)"),
                                          ("ffn", "feed-forward")], pre_ln)

    def full(rows, skips, source, embed, tail):
        head = [("io", source), ("io", embed)]
        shifted = [(a + 2, b + 2) for a, b in skips]
        return head + rows + tail, shifted

    enc_tail = ([("norm", "final LayerNorm")] if pre_ln else []) + [("out", "memory  (B, S, D)")]
    dec_tail = ([("norm", "final LayerNorm")] if pre_ln else []) + [("out", "linear → softmax  (B, T, V)")]
    enc, enc_s = full(enc_rows, enc_skips, "source ids  (B, S)", "embedding·√D + positions", enc_tail)
    dec, dec_s = full(dec_rows, dec_skips, "target ids, shifted right  (B, T)", "embedding·√D + positions", dec_tail)
    xe, xd = 2.2, 7.6
    ys_e = _column(fig, xe, enc, enc_s, 0.5, dy)
    ys_d = _column(fig, xd, dec, dec_s, 0.5, dy, width=3.6)
    # the "× N" frames around one layer
    for x, ys, n_rows, w in ((xe, ys_e, len(enc_rows), 3.0), (xd, ys_d, len(dec_rows), 3.6)):
        y_lo, y_hi = ys[2] - dy / 2 - 0.1, ys[2 + n_rows - 1] + dy / 2
        fig.add_shape(type="rect", x0=x - w / 2 - 0.55, x1=x + w / 2 + 0.2, y0=y_lo, y1=y_hi,
                      line=dict(color="#888", dash="dot"), fillcolor="rgba(0,0,0,0)")
        fig.add_annotation(x=x + w / 2 + 0.25, y=(y_lo + y_hi) / 2, text=f"× {n_layers}", showarrow=False,
                           xanchor="left", font=dict(size=14))
    # memory feeds every decoder layer's cross-attention
    cross = next(i for i, (_, t) in enumerate(dec) if t.startswith("cross"))
    fig.add_annotation(x=xd - 1.8, y=ys_d[cross], ax=xe + 1.5, ay=ys_e[-1], xref="x", yref="y", axref="x", ayref="y",
                       showarrow=True, arrowhead=2, arrowwidth=1.6, arrowcolor="#d62728", text="")
    fig.add_annotation(x=xe + 1.55, y=ys_e[-1] + 0.45, text="keys, values<br>for every layer", xanchor="left",
                       align="left", showarrow=False, font=dict(color="#d62728", size=10))
    fig.add_annotation(x=xe, y=ys_e[-1] + 0.75, text="<b>encoder</b>", showarrow=False, font=dict(size=15))
    fig.add_annotation(x=xd, y=ys_d[-1] + 0.75, text="<b>decoder</b>", showarrow=False, font=dict(size=15))
    top = ys_d[-1] + 1.2
    fig.update_xaxes(visible=False, range=[0, 10.2])
    fig.update_yaxes(visible=False, range=[0, top], scaleanchor="x", scaleratio=1)
    fig.update_layout(title=f"The encoder-decoder, {placement}: {'x + f(LayerNorm(x))' if pre_ln else 'LayerNorm(x + f(x))'}"
                            f" around every sub-layer; green = residual path",
                      width=560,  # the boxes' words are drawn at a fixed size: narrower, they spill out
                      height=int(60 * top) + 80, margin=dict(t=60, l=10, r=10, b=10), showlegend=False,
                      plot_bgcolor="white")
    return fig


# -- gradient flow ------------------------------------------------------------------------------

DEPTHS = (2, 4, 8, 16, 32, 48)


def gradient_flow_figure(arrangement: str = "pre-LN", depth: int = 16) -> go.Figure:
    """Bars: the gradient norm reaching the input of each layer, divided by the last layer's, on a
    linear axis (a ratio: 2.6× should look 2.6 times as tall, not a sliver of a 20-decade log axis).

    At each depth the two LayerNorm wirings (and ``plain``, whose ratios stay below theirs)
    share one axis, so that switching between them compares like with like; ``residual``, whose
    first layers get thousands of times the last one's gradient, gets an axis of its own.
    """
    if not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth={depth}: choose a whole number of layers from 1 to {MAX_DEPTH}")
    norms = gradient_flow(arrangement, depth)
    relative = [v / norms[-1] for v in norms]
    ratio = relative[0]
    shared = max(max(gradient_flow(a, depth)) / gradient_flow(a, depth)[-1] for a in ("pre-LN", "post-LN"))
    top = max(max(relative), shared) if arrangement != "residual" else max(relative)
    fig = go.Figure(go.Bar(x=list(range(1, depth + 1)), y=[float(f"{v:.4g}") for v in relative],
                           customdata=[float(f"{v:.4g}") for v in norms], marker_color="#1f77b4",
                           hovertemplate="layer %{x}: %{y:.3g}× the last layer's gradient"
                                         "<br>(norm %{customdata:.3g})<extra></extra>"))
    fig.add_hline(y=1, line=dict(color="#d62728", dash="dot", width=1.5))  # as much as the last layer
    fig.update_xaxes(title_text="layer (1 = nearest the input)", range=[0.4, depth + 0.6])
    fig.update_yaxes(title_text="gradient norm ÷ the last layer's<br>(linear; dotted line at 1)",
                     type="linear",
                     range=[0, round(1.12 * top, 4)], rangemode="tozero")
    fig.update_layout(title=f"{arrangement}, {depth} layers: first layer gets {ratio:.3g}× the gradient of the last",
                      height=420, margin=dict(t=70, l=95, r=20, b=50))  # room for "3,000": no state pushes it
    return fig


# -- training, timing, parameters -----------------------------------------------------------------

def training_figure(runs: dict[str, dict]) -> go.Figure:
    """Loss per step for several runs of :func:`attnlib.lessons.stability.train_reversal`, with the chance level."""
    if not runs:
        raise ValueError("no training runs to draw")
    fig = go.Figure()
    for name, run in runs.items():
        losses = run["losses"]
        fig.add_trace(go.Scatter(x=list(range(1, len(losses) + 1)), y=[round(v, 4) for v in losses], name=name,
                                 mode="lines"))
    first = next(iter(runs.values()))
    chance, cfg = first["chance"], first.get("settings", {})
    # chance level as a legend entry: a label on the line would sit on the curves that stay there
    steps = len(first["losses"])
    fig.add_trace(go.Scatter(x=[1, steps], y=[round(chance, 4)] * 2, mode="lines", hoverinfo="skip",
                             name=f"chance: ln {round(math.exp(chance))} = {chance:.2f}",
                             line=dict(color="#888", dash="dot")))
    fig.update_xaxes(title_text="training step")
    fig.update_yaxes(title_text="cross-entropy loss", rangemode="tozero")
    title = "Learning to reverse a sequence"
    if cfg:
        title = (f"Reversing {cfg['length']} tokens with a {cfg['depth']}-layer encoder, "
                 f"peak learning rate {cfg['lr']:g}")
    fig.update_layout(title=title, height=440,
                      margin=dict(t=70, l=70, r=20, b=50), legend=dict(orientation="h", y=-0.2))
    return fig


def timing_figure(rows: Sequence[dict], hardware: str = "") -> go.Figure:
    """Time per forward pass against sequence length, log-log, for attention and the recurrent layer."""
    if not rows:
        raise ValueError("no timings to draw")
    lengths = [r["length"] for r in rows]
    fig = go.Figure()
    for key, name, color in (("attention_s", "self-attention (all positions at once)", "#1f77b4"),
                             ("recurrent_s", "GRU (one position after another)", "#d62728")):
        fig.add_trace(go.Scatter(x=lengths, y=[round(r[key] * 1e3, 4) for r in rows], name=name, mode="lines+markers",
                                 line=dict(color=color), hovertemplate="T = %{x}: %{y:.3g} ms"))
    fig.update_xaxes(title_text="sequence length T", type="log", tickvals=lengths)
    fig.update_yaxes(title_text="milliseconds per forward pass", type="log")
    fig.update_layout(title="Time per forward pass" + (f"<br><sup>{hardware}</sup>" if hardware else ""),
                      height=440, margin=dict(t=80, l=70, r=20, b=50), legend=dict(orientation="h", y=-0.2))
    return fig


def parameter_figure(breakdowns: dict[str, dict[str, int]]) -> go.Figure:
    """Stacked bars: parameters per component, one bar per preset."""
    if not breakdowns:
        raise ValueError("no parameter counts to draw")
    presets = list(breakdowns)
    components = list(next(iter(breakdowns.values())))
    fig = go.Figure()
    for comp in components:
        share = [breakdowns[p][comp] / sum(breakdowns[p].values()) for p in presets]
        fig.add_trace(go.Bar(x=presets, y=[round(100 * s, 2) for s in share], name=comp,
                             customdata=[breakdowns[p][comp] for p in presets],
                             hovertemplate=comp + ": %{customdata:,} parameters (%{y:.1f}%)<extra></extra>"))
    totals = {p: sum(b.values()) for p, b in breakdowns.items()}
    fig.update_layout(barmode="stack", title="Where the parameters are (share of each model's total)",
                      yaxis_title="% of parameters", height=480, margin=dict(t=70, l=70, r=20, b=40))
    fig.update_xaxes(tickvals=presets, ticktext=[f"{p}<br>{totals[p]:,}" for p in presets])
    return fig
