"""The Transformer block, shown: the architecture diagram, the map of the whole model, gradient flow, training,
timing (its parameters: :mod:`attnlib.figures.parameters`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import plotly.graph_objects as go

from attnlib.book.narrow import wide_on_purpose
from attnlib.lessons.stability import MAX_DEPTH, gradient_flow

COLORS = {"attn": "#fdd0a2", "ffn": "#c6dbef", "norm": "#fff2ae", "io": "#eeeeee", "out": "#d9f0d3"}
PLACEMENTS = ("pre-LN", "post-LN")


# -- the architecture diagram ---------------------------------------------------------------
# One home for the drawing: the boxes, arrows, residual lines and layer frames below draw both chapter 7's
# diagram and the map at the top of chapters 1-7b, each in its own units and type size (a ``_Look``).

HIGHLIGHT = "#d62728"  # the outline of the part a chapter teaches; the memory's arrow has the same colour
DIM = "#666666"        # the words of the parts it does not: 4.9:1 or more on their faded boxes (WCAG AA)
RESIDUAL = "#2ca02c"


@dataclass(frozen=True)
class _Look:
    """How big a diagram draws its parts, in its own data units."""

    half: float = 0.28    # half a box's height
    radius: float = 0.17  # the "+" circle's radius
    font: int = 12        # the words in the boxes
    plus: int = 16        # the "+" in its circle
    side: float = 0.35    # how far left of the boxes the residual lines run


_DIAGRAM = _Look()


def _style(state: str) -> tuple[dict, float, str | None]:
    """(outline, opacity, colour of the words) of a part that is ``plain``, ``lit`` (you are here) or ``dim``."""
    if state == "lit":
        return dict(color=HIGHLIGHT, width=3.5), 1.0, None
    if state == "dim":
        return dict(color="#999"), 0.45, DIM
    return dict(color="#444"), 1.0, None


def _box(fig: go.Figure, x: float, y: float, width: float, half: float, kind: str, text: str, font: int,
         state: str = "plain", name: str | None = None) -> None:
    """One box of the diagram, its words in the middle, filled with its kind's colour."""
    line, opacity, color = _style(state)
    fig.add_shape(type="rect", x0=x - width / 2, x1=x + width / 2, y0=y - half, y1=y + half, line=line,
                  fillcolor=COLORS.get(kind, "white"), opacity=opacity, name=name)
    fig.add_annotation(x=x, y=y, xref="x", yref="y", text=text, showarrow=False, font=dict(size=font, color=color))


def _arrow(fig: go.Figure, x0: float, y0: float, x1: float, y1: float, state: str = "plain",
           color: str = "#444", width: float = 1.2, name: str | None = None) -> None:
    """An arrow from (x0, y0) to (x1, y1), in data units; a wordless annotation."""
    if state == "dim":
        color = "#bbb"
    fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                       showarrow=True, arrowhead=2, arrowsize=1, arrowcolor=color,
                       arrowwidth=width * (2 if state == "lit" else 1), name=name)


def _layer_frame(fig: go.Figure, x0: float, x1: float, y0: float, y1: float, state: str = "plain",
                 name: str | None = None) -> None:
    """The dotted frame around one layer (or one head): what repeats."""
    color = {"lit": HIGHLIGHT, "dim": "#ccc"}.get(state, "#888")
    fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, fillcolor="rgba(0,0,0,0)", name=name,
                  line=dict(color=color, dash="dot", width=3 if state == "lit" else None))


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
            y0: float, dy: float, width: float = 3.0, look: _Look = _DIAGRAM,
            states: Sequence[str] | None = None, skip_states: Sequence[str] | None = None,
            names: Sequence[str | None] | None = None, skip_names: Sequence[str | None] | None = None) -> list[float]:
    """Draw rows bottom-up at ``x``, arrows between them and residual skips on the left; return row heights.

    ``states`` (one per row) and ``skip_states`` (one per skip) say which parts are lit or dimmed; ``names``
    and ``skip_names`` name their shapes (the map's parts)."""
    states = states or ["plain"] * len(rows)
    skip_states = skip_states or ["plain"] * len(skips)
    names = names or [None] * len(rows)
    skip_names = skip_names or [None] * len(skips)
    ys = [y0 + i * dy for i in range(len(rows))]

    def reach(i: int) -> float:  # half the height of row i
        return look.radius if rows[i][0] == "add" else look.half

    for i, ((kind, text), y) in enumerate(zip(rows, ys)):
        if kind == "add":
            line, opacity, color = _style(states[i])
            fig.add_shape(type="circle", x0=x - look.radius, x1=x + look.radius, y0=y - look.radius,
                          y1=y + look.radius, line=line, fillcolor="white", opacity=opacity, name=names[i])
            fig.add_annotation(x=x, y=y, xref="x", yref="y", text="+", showarrow=False,
                               font=dict(size=look.plus, color=color))
        else:
            _box(fig, x, y, width, look.half, kind, text, look.font, states[i], names[i])
        if i:
            _arrow(fig, x, ys[i - 1] + reach(i - 1), x, y - reach(i),
                   "dim" if "dim" in (states[i - 1], states[i]) else "plain")
    side = x - width / 2 - look.side
    for (first, add), state, name in zip(skips, skip_states, skip_names):
        y_start = ys[first] - dy / 2  # the branch point just below the branch's first row
        end = x - (look.radius if rows[add][0] == "add" else width / 2)
        _, opacity, _ = _style(state)
        fig.add_shape(type="path", path=f"M {x},{y_start} L {side},{y_start} L {side},{ys[add]} L {end},{ys[add]}",
                      line=dict(color=RESIDUAL, width=4 if state == "lit" else 2), opacity=opacity, name=name)
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
        _layer_frame(fig, x - w / 2 - 0.55, x + w / 2 + 0.2, y_lo, y_hi)
        fig.add_annotation(x=x + w / 2 + 0.25, y=(y_lo + y_hi) / 2, text=f"× {n_layers}", showarrow=False,
                           xanchor="left", font=dict(size=14))
    # memory feeds every decoder layer's cross-attention
    cross = next(i for i, (_, t) in enumerate(dec) if t.startswith("cross"))
    _arrow(fig, xe + 1.5, ys_e[-1], xd - 1.8, ys_d[cross], color=HIGHLIGHT, width=1.6)
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
    return wide_on_purpose(fig, "a diagram drawn to scale: the words in its boxes are set at a fixed size "
                                "and spill out of them when it is squeezed")


# -- the map: the whole Transformer, and where a chapter sits in it -----------------------------
# Drawn in pixels (one data unit = one px), to be read on a phone: the drawing is MAP_WIDTH px wide at any
# width (a wider column centres it), its words are set in MAP_FONT px type.

#: Each chapter of Part I: (what it teaches, the parts of the map it lights up).
MAP_CHAPTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "2": ("queries, keys and values", ("qkv",)),
    "3": ("the softmax in every attention box", ("softmax",)),
    "4": ("the scaled dot product and masks", ("scores", "softmax", "mix")),
    "5": ("multi-head attention, h heads", ("heads", "enc.attn", "dec.attn", "dec.cross")),
    "6": ("positions added to the embeddings", ("enc.embed", "dec.embed")),
    "7": ("the block: add & norm, feed-forward",
          ("enc.norm1", "enc.ffn", "enc.norm2", "dec.norm1", "dec.norm2", "dec.ffn", "dec.norm3",
           "enc.res1", "enc.res2", "dec.res1", "dec.res2", "dec.res3")),
    "7b": ("the stacks and cross-attention",
           ("enc.layer", "dec.layer", "dec.cross", "memory", "memory.arrow", "dec.out")),
}
MAP_WHOLE = "the Transformer this book builds, part by part"
MAP_WIDTH, MAP_FONT = 330, 11
_MAP = _Look(half=10, radius=6, font=MAP_FONT, plus=MAP_FONT, side=7)
_PITCH = 30  # px from one row of a column to the next
_ENCODER = (("io", "English words", "enc.words"), ("io", "embed + position", "enc.embed"),
            ("attn", "self-attention", "enc.attn"), ("norm", "add & norm", "enc.norm1"),
            ("ffn", "feed-forward", "enc.ffn"), ("norm", "add & norm", "enc.norm2"), ("out", "memory", "memory"))
_DECODER = (("io", "French so far", "dec.words"), ("io", "embed + position", "dec.embed"),
            ("attn", "masked self-attention", "dec.attn"), ("norm", "add & norm", "dec.norm1"),
            ("attn", "cross-attention", "dec.cross"), ("norm", "add & norm", "dec.norm2"),
            ("ffn", "feed-forward", "dec.ffn"), ("norm", "add & norm", "dec.norm3"),
            ("out", "linear + softmax", "dec.out"))
_INSIDE = (("qkv", "project<br>Q, K, V"), ("scores", "Q·K ÷ √d<br>+ mask"), ("softmax", "softmax"),
           ("mix", "weights<br>× V"))


#: Every part of the map a chapter can light up, by the name its shape (or arrow) carries in the figure.
MAP_PARTS = (tuple(name for *_, name in _ENCODER + _DECODER) + tuple(name for name, _ in _INSIDE)
             + ("enc.res1", "enc.res2", "dec.res1", "dec.res2", "dec.res3",  # the residual lines
                "enc.layer", "dec.layer", "heads", "memory.arrow"))  # the frames that repeat, the memory's arrow


def map_states(here: str | None) -> dict[str, str]:
    """Each part of the map, ``lit`` if chapter ``here`` teaches it, else ``dim``; all ``plain`` for None."""
    if here is None:
        return dict.fromkeys(MAP_PARTS, "plain")
    lit = _map_chapter(here)[1]
    return {part: "lit" if part in lit else "dim" for part in MAP_PARTS}


def map_caption(here: str | None) -> str:
    """The line under the map: where chapter ``here`` sits, or (None) what the whole drawing is."""
    if here is None:
        return MAP_WHOLE[0].upper() + MAP_WHOLE[1:]
    return "<b>You are here:</b> " + _map_chapter(here)[0]


def _map_chapter(here: str) -> tuple[str, tuple[str, ...]]:
    try:
        return MAP_CHAPTERS[here]
    except (KeyError, TypeError):
        raise ValueError(f"no part of the map belongs to chapter {here!r}; "
                         f"choose one of {', '.join(MAP_CHAPTERS)}, or None for the whole map") from None


def map_figure(here: str | None = None) -> go.Figure:
    """The whole encoder-decoder Transformer, small, with the part chapter ``here`` teaches lit up.

    Two columns, data flowing upwards: the encoder (English words to the memory) and the decoder (the French
    so far to the next word's probabilities), each layer in a dotted frame that repeats N times; under them,
    the inside of every attention box, one head in a frame that repeats h times. The same boxes, colours and
    residual lines as :func:`architecture_figure`. ``here`` is a key of :data:`MAP_CHAPTERS` (the rest of
    the map is dimmed), or None for the whole map with nothing dimmed.
    """
    state = map_states(here).__getitem__
    fig = go.Figure()
    # the inside of an attention box, one head: a row of boxes in a frame
    inside_y, inside_half, inside_top = 26, 17, 50
    step = (MAP_WIDTH - 24) / len(_INSIDE)
    xs = [12 + step * (i + 0.5) for i in range(len(_INSIDE))]
    _layer_frame(fig, 4, MAP_WIDTH - 4, 2, inside_top, state("heads"), name="heads")
    for i, (name, text) in enumerate(_INSIDE):
        _box(fig, xs[i], inside_y, step - 14, inside_half, "attn", text, MAP_FONT, state(name), name)
        if i:
            _arrow(fig, xs[i - 1] + (step - 14) / 2, inside_y, xs[i] - (step - 14) / 2, inside_y,
                   "dim" if "dim" in (state(_INSIDE[i - 1][0]), state(name)) else "plain")
    _frame_label(fig, 10, inside_top, "inside every attention box", "left", state("heads"))
    _frame_label(fig, MAP_WIDTH - 10, inside_top, "× h heads", "right", state("heads"))
    # the encoder and the decoder, side by side
    y0 = inside_top + 32
    columns = {}
    for prefix, rows, x, width in (("enc", _ENCODER, 71, 110), ("dec", _DECODER, 234, 124)):
        skips = [(i - 1, i) for i, (kind, *_) in enumerate(rows) if kind == "norm"]  # around each sub-layer
        skip_names = [f"{prefix}.res{k + 1}" for k in range(len(skips))]
        ys = _column(fig, x, [(kind, text) for kind, text, _ in rows], skips, y0, _PITCH, width, _MAP,
                     states=[state(name) for *_, name in rows], skip_states=[state(n) for n in skip_names],
                     names=[name for *_, name in rows], skip_names=skip_names)
        first, last = 2, len(rows) - 2  # one layer: the rows between the embedding and the column's output
        lo, hi = ys[first] - _PITCH / 2 - 2, ys[last] + _PITCH / 2
        _layer_frame(fig, x - width / 2 - 12, x + width / 2 + 4, lo, hi, state(f"{prefix}.layer"),
                     name=f"{prefix}.layer")
        _frame_label(fig, x + width / 2 + 6, (lo + hi) / 2, "× N", "left", state(f"{prefix}.layer"))
        fig.add_annotation(x=x, y=ys[-1] + _MAP.half + 4, xref="x", yref="y", text=f"<b>{prefix}oder</b>",
                           yanchor="bottom", showarrow=False, font=dict(size=MAP_FONT + 1))
        columns[prefix] = (x, width, ys)
    # the memory: keys and values for every cross-attention
    (xe, we, ys_e), (xd, wd, ys_d) = columns["enc"], columns["dec"]
    cross = next(i for i, (*_, name) in enumerate(_DECODER) if name == "dec.cross")
    _arrow(fig, xe + we / 2, ys_e[-1], xd - wd / 2, ys_d[cross], state("memory.arrow"), color=HIGHLIGHT, width=1.6,
           name="memory.arrow")
    top = ys_d[-1] + _MAP.half + 26
    fig.add_annotation(text=map_caption(here), x=0.5, y=0, xref="paper", yref="paper", xanchor="center",
                       yanchor="top", yshift=-6, showarrow=False, font=dict(size=12))
    fig.update_xaxes(visible=False, range=[0, MAP_WIDTH], fixedrange=True)
    fig.update_yaxes(visible=False, range=[0, top], scaleanchor="x", scaleratio=1, fixedrange=True)
    # 348 px wide: a phone's column (390 px less the page's PAGE_CHROME_PX) holds it without scrolling
    fig.update_layout(width=MAP_WIDTH + 18, height=int(top) + 8 + 36, margin=dict(t=8, b=36, l=9, r=9),
                      showlegend=False, plot_bgcolor="white", hovermode=False)
    return fig


def _frame_label(fig: go.Figure, x: float, y: float, text: str, side: str, state: str) -> None:
    """A frame's words, on white (a dotted line under them stops for them), in the frame's colour."""
    fig.add_annotation(x=x, y=y, xref="x", yref="y", text=text, xanchor=side, showarrow=False, bgcolor="white",
                       font=dict(size=MAP_FONT, color=DIM if state == "dim" else HIGHLIGHT if state == "lit" else None))


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


# -- training and timing -------------------------------------------------------------------------

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
