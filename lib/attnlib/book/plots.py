"""Figure builders shared by the chapters and demos: attention heatmaps and friends."""

from __future__ import annotations

import html
import textwrap

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

WEIGHTS_COLORSCALE = "Blues"
MAX_TEXT_CELLS = 400  # a heatmap with more cells than this writes no numbers in them, whatever it is asked


def as_array(x) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach().float().cpu().numpy()
    return np.asarray(x, dtype=float)


def heatmap_trace(
    values,
    x_labels: Sequence[str] | None = None,
    y_labels: Sequence[str] | None = None,
    *,
    zmin: float | None = 0.0,
    zmax: float | None = 1.0,
    colorscale: str = WEIGHTS_COLORSCALE,
    show_values: bool = True,
    showscale: bool = True,
    name: str = "",
    value_format: str = ".2f",
) -> go.Heatmap:
    """A heatmap on numeric axes (so repeated words like "the … the" stay separate columns). A cell that is
    None or NaN (a position a mask hides) is left blank: no colour, no number."""
    z = as_array(values)  # None -> NaN
    rows, cols = z.shape
    x_labels = list(x_labels) if x_labels is not None else [str(i) for i in range(cols)]
    y_labels = list(y_labels) if y_labels is not None else [str(i) for i in range(rows)]
    hover = [[f"{y_labels[i]} → {x_labels[j]}: " + ("hidden" if np.isnan(z[i, j]) else f"{z[i, j]:.3f}")
              for j in range(cols)] for i in range(rows)]
    trace = go.Heatmap(
        z=[[None if np.isnan(v) else v for v in row] for row in np.round(z, 4).tolist()],
        x=list(range(cols)),
        y=list(range(rows)),
        zmin=zmin,
        zmax=zmax,
        colorscale=colorscale,
        showscale=showscale,
        hovertext=hover,
        hoverinfo="text",
        name=name,
    )
    if show_values and rows * cols <= MAX_TEXT_CELLS:
        trace.update(text=[[cell_text(v, value_format) for v in row] for row in z], texttemplate="%{text}",
                     textfont={"size": 10})
    return trace


def tag_labels(fig: go.Figure, tags, axis: str = "y") -> None:
    """Show tag names like ``held_out_length`` as words ("held out length") on a categorical axis."""
    ticks = dict(tickmode="array", tickvals=list(tags), ticktext=[t.replace("_", " ") for t in tags])
    (fig.update_yaxes if axis == "y" else fig.update_xaxes)(**ticks)


def cell_text(v: float, fmt: str = ".2f") -> str:
    """A number written in a cell; a zero is written "0" (never "0.00" or "-0.00"), so that the cells
    that hold something stand out from the many that hold nothing, and a hidden (NaN) cell nothing."""
    if v is None or np.isnan(v):  # a hidden cell: nothing to read
        return ""
    text = format(v, fmt)
    return "0" if float(text) == 0 else text


def label_axes(fig: go.Figure, x_labels, y_labels, *, row=None, col=None, x_title="key", y_title="query") -> None:
    """Word labels on the numeric axes of a heatmap; queries read top to bottom."""
    fig.update_xaxes(
        tickmode="array", tickvals=list(range(len(x_labels))), ticktext=list(x_labels),
        title_text=x_title, side="top", row=row, col=col,
    )
    fig.update_yaxes(
        tickmode="array", tickvals=list(range(len(y_labels))), ticktext=list(y_labels),
        title_text=y_title, autorange="reversed", row=row, col=col,
    )


def attention_views(n_layers: int, n_heads: int) -> list[str]:
    """The attention views a demo offers: every layer's mean over heads, then each head of the last layer
    (``"layer 2 · mean of heads"``, ``"layer 2 · head 3"``, counted from 1 as the page shows them)."""
    return ([f"layer {i} · mean of heads" for i in range(1, n_layers + 1)]
            + [f"layer {n_layers} · head {h}" for h in range(1, n_heads + 1)])


def parse_view(view: str, n_layers: int, n_heads: int, stack: str = "") -> tuple[int, int | None]:
    """``"layer 2 · head 3"`` -> (1, 2); ``"layer 1 · mean of heads"`` -> (0, None) (0-based), or a ValueError
    naming the views there are (``stack``: "decoder " to say whose layers, in the message)."""
    try:
        layer_part, head_part = (p.strip() for p in view.split("·"))
        layer = int(layer_part.removeprefix("layer ")) - 1
        head = None if head_part == "mean of heads" else int(head_part.removeprefix("head ")) - 1
    except ValueError:
        raise ValueError(f"unknown view {view!r}; choose one of {attention_views(n_layers, n_heads)}") from None
    if not 0 <= layer < n_layers or (head is not None and not 0 <= head < n_heads):
        raise ValueError(f"this model has {n_layers} {stack}layers of {n_heads} heads; {view!r} is not one of them")
    return layer, head


def attention_figure(weights, keys: Sequence[str], queries: Sequence[str], title: str = "", **kw) -> go.Figure:
    """One attention map: rows are queries, columns are keys, each row sums to 1."""
    fig = go.Figure(heatmap_trace(weights, keys, queries, **kw))
    label_axes(fig, keys, queries)
    fig.update_layout(title=title, height=120 + 28 * len(queries), margin=dict(t=110, l=90, r=20, b=20))
    return fig


MESSAGE_CHARS = 44  # a message's line: fits a phone's column in 15 px type


def message_figure(message: str, title: str = "") -> go.Figure:
    """What a demo shows instead of a traceback when its input cannot be used: the message in lines that
    fit a phone's column, however long it is (a word longer than a line is broken), in a figure tall enough."""
    lines = textwrap.wrap(message, MESSAGE_CHARS, break_long_words=True, break_on_hyphens=False) or [""]
    lines = [html.escape(line, quote=False) for line in lines]  # "<bos>" is a word here, not a tag
    fig = go.Figure()
    fig.update_layout(
        title=title,
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
        annotations=[dict(text="<br>".join(lines), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                          font=dict(size=15))],
        height=max(220, 120 + 22 * len(lines)),
        margin=dict(l=20, r=20),
    )
    return fig


def seed_band(steps: Sequence[float], runs: Sequence[Sequence[float]], name: str, color: str,
              **line) -> tuple[list[go.Scatter], list[float]]:
    """A measure of several seeds against the step: a band from the lowest seed to the highest, and the
    mean over seeds as a line in front of it. ``runs`` holds one list per seed, each as long as ``steps``;
    ``line`` goes to the mean's trace (legendgroup, showlegend, hovertemplate...). Returns (the two traces,
    the means)."""
    values = list(zip(*runs))  # (steps, seeds)
    if len(values) != len(steps) or not values:
        raise ValueError(f"{name}: {len(steps)} steps, but runs of {sorted({len(r) for r in runs})} values")
    steps = list(steps)
    band = go.Scatter(x=steps + steps[::-1], y=[max(v) for v in values] + [min(v) for v in values][::-1],
                      fill="toself", fillcolor=color, opacity=0.2, line=dict(width=0), showlegend=False,
                      hoverinfo="skip", name=f"{name}, range over seeds", legendgroup=line.get("legendgroup"))
    means = [round(sum(v) / len(v), 2) for v in values]
    mean = go.Scatter(x=steps, y=means, mode="lines+markers", name=name, line=dict(color=color),
                      **{"hovertemplate": f"{name}, step %{{x}}: %{{y:.2f}}<extra></extra>", **line})
    return [band, mean], means
