"""What a figure says, in words: its text alternative for a reader who cannot see it.

Every figure of the book carries a one- or two-sentence description of what it shows *in its current
state*: a screen reader reads it after the figure's name, and a static twin swaps it when a control moves.
A figure function may write its own (``layout.meta["description"]``: the point the prose makes); otherwise
one is made from the data, trace by trace:

* a heatmap names its rows and columns and, row by row, the column that holds the most (for an attention
  map: which key each query looks at), e.g. *"il → tired 0.99"*;
* bars name the tallest and the shortest;
* a line names where it starts, where it ends and where it peaks.

The numbers themselves are reachable as a table under every figure (built in the page from the plotted
data, see ``attn_figures.js``).
"""

from __future__ import annotations

import html
import math
import re

import plotly.graph_objects as go

from . import layout

MAX_ROWS = 6     # rows of heatmaps summarised one by one, in all; the data table has the rest
MAX_TRACES = 4   # traces summarised one by one


def plain(text) -> str:
    """Text as it is said: without plotly's markup (<b>, <br>, <sup>; "<pad>" is a word), with entities
    decoded and spaces collapsed."""
    said = " ".join(layout.lines("" if text is None else str(text)))
    return re.sub(r"\s+", " ", html.unescape(said)).strip()


def number(v) -> str:
    """A number as the description says it: three significant digits (whole numbers from 1000 up), no "-0"."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "none"
    text = str(round(v)) if abs(v) >= 1000 else f"{float(v):.3g}"
    return "0" if text in ("-0", "0") else text


def _axis(fig: go.Figure, trace, letter: str) -> dict:
    ref = getattr(trace, letter + "axis", None) or letter  # "x", "x2"
    return fig.layout.to_plotly_json().get(f"{letter}axis{ref[1:]}", {})


def _labeller(axis: dict):
    """Tick value -> the word the axis shows there (heatmaps plot words on numeric axes)."""
    mapping = dict(zip(axis.get("tickvals") or [], axis.get("ticktext") or []))
    return lambda v: plain(mapping.get(v, v))


def _axis_title(axis: dict, default: str) -> str:
    return plain((axis.get("title") or {}).get("text")) or default


def _values(seq) -> list:
    return list(seq) if seq is not None else []


def _heatmap(fig: go.Figure, t, rows: int = MAX_ROWS) -> str:
    z = [list(row) for row in _values(t.z)]
    if not z or not z[0]:
        return "an empty heatmap"
    xa, ya = _axis(fig, t, "x"), _axis(fig, t, "y")
    xs = _values(t.x) or list(range(len(z[0])))
    ys = _values(t.y) or list(range(len(z)))
    xl, yl = _labeller(xa), _labeller(ya)
    rows_name, cols_name = _axis_title(ya, ""), _axis_title(xa, "")
    cells = [v for row in z for v in row if v is not None]
    if not cells:
        return "an empty heatmap"
    parts = [f"a heatmap{_named(t, fig)} of {len(z)} rows{f' ({rows_name})' if rows_name else ''} by {len(z[0])} "
             f"columns{f' ({cols_name})' if cols_name else ''}, values {number(min(cells))} to {number(max(cells))}"]
    strongest, said = [], 0
    for i, row in enumerate(z):
        known = [(v, j) for j, v in enumerate(row) if v is not None]
        if len({v for v, _ in known}) < 2:  # a row of equal values has no column that stands out
            continue
        if said == rows:
            strongest.append("…")
            break
        v, j = max(known)
        strongest.append(f"{yl(ys[i])} → {xl(xs[j])} {number(v)}")
        said += 1
    if strongest:
        parts.append("the largest in each row: " + ", ".join(strongest).replace(", …", " …"))
    return "; ".join(parts)


def _bars(fig: go.Figure, t) -> str:
    horizontal = t.orientation == "h"
    cats, vals = (_values(t.y), _values(t.x)) if horizontal else (_values(t.x), _values(t.y))
    pairs = [(v, c) for c, v in zip(cats, vals) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not pairs:
        return f"bars{_named(t, fig)} with no values"
    label = _labeller(_axis(fig, t, "y" if horizontal else "x"))
    hi, lo = max(pairs, key=lambda p: p[0]), min(pairs, key=lambda p: p[0])
    text = f"{len(pairs)} bars{_named(t, fig)}: tallest {label(hi[1])} {number(hi[0])}"
    return text + (f", shortest {label(lo[1])} {number(lo[0])}" if len(pairs) > 1 else "")


def _line(fig: go.Figure, t) -> str:
    xs, ys = _values(t.x), _values(t.y)
    points = [(x, y) for x, y in zip(xs or range(len(ys)), ys)
              if isinstance(y, (int, float)) and not isinstance(y, bool) and not math.isnan(y)]
    if not points:
        return f"a line{_named(t, fig)} with no points"
    label = _labeller(_axis(fig, t, "x"))
    kind = "points" if (t.mode or "lines") == "markers" else "a line"
    if len(points) == 1:
        return f"one point{_named(t, fig)}: {number(points[0][1])} at {label(points[0][0])}"
    (x0, y0), (x1, y1) = points[0], points[-1]
    peak = max(points, key=lambda p: p[1])
    text = f"{kind}{_named(t, fig)} from {number(y0)} at {label(x0)} to {number(y1)} at {label(x1)}"
    return text + (f", highest {number(peak[1])} at {label(peak[0])}" if peak not in (points[0], points[-1]) else "")


def _named(t, fig: go.Figure | None = None) -> str:
    name = plain(getattr(t, "name", None)) or (_panel_title(fig, t) if fig is not None else "")
    return f" ({name})" if name else ""


def _panel_title(fig: go.Figure, t) -> str:
    """The title over the subplot a trace is drawn in (make_subplots writes it as an annotation)."""
    xa, ya = _axis(fig, t, "x"), _axis(fig, t, "y")
    (x0, x1), top = xa.get("domain", [0, 1]), ya.get("domain", [0, 1])[1]
    for a in fig.layout.annotations:
        if (a.xref in (None, "paper") and a.yref in (None, "paper") and a.text and a.x is not None
                and x0 <= a.x <= x1 and a.y is not None and abs(a.y - top) < 0.02):
            return plain(a.text)
    return ""


def trace_summary(fig: go.Figure, t, rows: int = MAX_ROWS) -> str:
    kind = t.type
    if kind == "heatmap":
        return _heatmap(fig, t, rows)
    if kind == "bar":
        return _bars(fig, t)
    if kind == "scatter" and t.y is not None:
        return _line(fig, t)
    return f"a {kind} chart{_named(t, fig)}"


def describe(fig: go.Figure, visible: list[bool] | None = None) -> str:
    """The text alternative of ``fig`` (only its ``visible`` traces, when given): title, then what it shows."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    title = plain(fig.layout.title.text) if fig.layout.title else ""
    subtitle = plain(fig.layout.title.subtitle.text) if fig.layout.title and fig.layout.title.subtitle else ""
    head = ". ".join(p for p in (title, subtitle) if p)
    if meta.get("description"):
        return f"{head}. {meta['description']}" if head else str(meta["description"])
    traces = [t for i, t in enumerate(fig.data) if (visible[i] if visible is not None else t.visible is not False)]
    said = []
    heatmaps = sum(t.type == "heatmap" for t in traces[:MAX_TRACES])
    for t in traces[:MAX_TRACES]:
        summary = trace_summary(fig, t, rows=max(2, MAX_ROWS // max(heatmaps, 1)))
        if summary not in said:
            said.append(summary)
    if len(traces) > MAX_TRACES:
        said.append(f"and {len(traces) - MAX_TRACES} more series (the data table lists them)")
    if not traces:  # a message in place of a figure (bad input), or a drawing made of annotations
        notes = [plain(a.text) for a in fig.layout.annotations if a.text]
        said = notes[:3]
    body = "; ".join(said)
    body = body[:1].upper() + body[1:]
    return ". ".join(p for p in (head, body) if p) + "."
