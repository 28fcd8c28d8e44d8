"""A figure re-laid for a phone's column: panels stacked, long texts wrapped.

A figure is designed for a laptop's column (about 680 px). Below its readable width (:func:`layout.min_width`)
the page shows its *narrow* twin instead of scrolling it sideways (``display.figure_html``), made here from
the same figure before it is framed:

* **panels side by side are stacked**, top to bottom in reading order (row by row, left to right), each as
  wide as the column and as tall as it was; every paper-placed note (subplot titles included) moves with
  the panel it belongs to, and each colour bar sits beside its own panel;
* **the title, the subtitle and the notes are wrapped** into lines that fit the column.

Everything else (data, colours, axis settings) is the wide figure's, so a reader sees the same figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from . import layout

NARROW_PX = 350        # a phone's column: a 390 px screen less the page's margins


@dataclass(frozen=True)
class Panel:
    x: str                     # its axes' layout names: "xaxis2", "yaxis2"
    y: str
    xdom: tuple[float, float]
    ydom: tuple[float, float]


def panels(fig: go.Figure) -> list[Panel]:
    """The figure's subplots (one per x axis that overlays none and is shown or holds data: a drawing's
    axes are hidden), in reading order."""
    lay = fig.layout.to_plotly_json()
    used = {"xaxis" + (getattr(t, "xaxis", None) or "x")[1:] for t in fig.data}
    out = []
    for name, axis in lay.items():
        if not name.startswith("xaxis") or axis.get("overlaying") or (axis.get("visible") is False and name not in used):
            continue
        y_name = "yaxis" + (axis.get("anchor") or "y")[1:]
        if y_name not in lay and y_name != "yaxis":
            continue
        ydom = tuple(lay.get(y_name, {}).get("domain", [0, 1]))
        out.append(Panel(name, y_name, tuple(axis.get("domain", [0, 1])), ydom))
    return sorted(out, key=lambda p: (-round(p.ydom[1], 3), round(p.xdom[0], 3)))


def side_by_side(fig: go.Figure) -> bool:
    return len({round(p.xdom[0], 3) for p in panels(fig)}) > 1


def _lone_and_narrow(fig: go.Figure) -> bool:
    """One panel that leaves part of the width empty (to match a wider state's panels): on a phone it may
    take the whole width, unless a note or a legend stands beside it."""
    grid = panels(fig)
    if len(grid) != 1 or grid[0].xdom[1] - grid[0].xdom[0] >= 0.9:
        return False
    x0, x1 = grid[0].xdom
    notes_beside = any(a.xref in (None, "paper") and a.x is not None and not x0 - 0.02 <= a.x <= x1 + 0.02
                       for a in fig.layout.annotations)
    legend_beside = layout.legend_names(fig) and not layout.legend_below(fig) and fig.layout.showlegend is not False
    return not notes_beside and not legend_beside


SUBPLOT_TITLE_LINE_PX = 20  # a line of a subplot's title (plotly's 16 px type)
NARROW_RIGHT_PX = 24  # the right margin of a narrow figure that has no colour bar


def _to_scale_px(fig: go.Figure, p, across: float) -> float | None:
    """The height (px) a panel whose y axis is tied to its x axis (``scaleanchor``) draws at ``across`` px wide,
    or None when it is not tied or its ranges are not fixed."""
    x, y = fig.layout[p.x], fig.layout[p.y]
    if not y.scaleanchor or not x.range or not y.range:
        return None
    ratio = abs((y.range[1] - y.range[0]) / (x.range[1] - x.range[0])) * (y.scaleratio or 1)
    return across * ratio


def _stack(fig: go.Figure, upright: dict[str, float], width: int | None = None) -> None:
    """Put side-by-side panels one under the other, each full width and as tall as it was (in px), with the
    room ``upright`` word labels need (px, by x axis name: above a panel for labels on top, else below)."""
    grid = panels(fig)
    own = layout.own_margins(fig)
    height = int(fig.layout.height or layout.DEFAULT_HEIGHT)
    plot = height - own["t"] - own["b"]
    # the room each panel had above and below it (its titles and tick labels live there), in px
    above, below = {}, {}
    for p in grid:
        higher = [q.ydom[0] for q in grid if q.ydom[0] >= p.ydom[1] - 1e-6 and q is not p]
        lower = [q.ydom[1] for q in grid if q.ydom[1] <= p.ydom[0] + 1e-6 and q is not p]
        above[p] = (min(higher) - p.ydom[1]) * plot / 2 if higher else max(own["t"] - layout.OWN_TITLE_PX, 12)
        below[p] = (p.ydom[0] - max(lower)) * plot / 2 if lower else own["b"]
    for p in grid:
        if p.x in upright:
            side = above if fig.layout[p.x].side == "top" else below
            side[p] += upright[p.x]
    if width:  # a subplot title that wraps onto more lines in the column needs their room above its panel
        chars = max(int((width - own["l"] - own["r"] - 16) / layout.TEXT_CHAR_PX), 8)
        for p in grid:
            for ann in fig.layout.annotations:
                if ann.yref == "paper" and ann.xref == "paper" and ann.text and ann.y is not None \
                        and abs(ann.y - p.ydom[1]) < 0.02 and p.xdom[0] <= (ann.x or 0) <= p.xdom[1]:
                    extra = len(layout.lines(layout.wrap(ann.text, chars))) - len(layout.lines(ann.text))
                    above[p] += max(extra, 0) * SUBPLOT_TITLE_LINE_PX
    sizes = [(p.ydom[1] - p.ydom[0]) * plot for p in grid]
    if width:  # a panel drawn to scale (an image, a square grid) is no taller than the column's width allows
        across = width - own["l"] - max(own["r"], layout.COLORBAR_PX if layout.has_colorbar(fig) else 0)
        sizes = [min(size, _to_scale_px(fig, p, across) or size) for size, p in zip(sizes, grid)]
    # the gap holds what hangs under one panel and over the next, and a line of air
    gaps = [max(below[a] + above[b], 40) + 36 for a, b in zip(grid, grid[1:])]
    new_plot = sum(sizes) + sum(gaps)
    new_height = own["t"] + new_plot + own["b"]

    by_axis = {p.x[5:] or "": p for p in grid}
    boxes, cursor = {}, 0.0
    for i, p in enumerate(grid):
        top, bottom = cursor, cursor + sizes[i]
        boxes[p] = (max(1 - bottom / new_plot, 0.0), min(1 - top / new_plot, 1.0))  # within [0, 1] despite rounding
        cursor = bottom + (gaps[i] if i < len(gaps) else 0)
    for p in grid:
        fig.layout[p.x].domain = [0, 1]
        fig.layout[p.y].domain = list(boxes[p])
        y = fig.layout[p.y]
        if y.matches and y.showticklabels is False:  # a shared y axis, unlabelled beside its twin: alone now
            twin = fig.layout["yaxis" + y.matches[1:]]
            y.update(showticklabels=True, tickmode=twin.tickmode, tickvals=twin.tickvals, ticktext=twin.ticktext)

    def move(x, y, xref, yref):
        """A paper point of the wide figure -> the same point of the narrow one. A note placed across a
        panel's own width ("x2 domain") keeps its x and follows that panel up or down."""
        if yref != "paper" or x is None or y is None:  # no ref is plotly's first axis: data, not paper
            return None
        if xref and xref.endswith(" domain"):
            p = by_axis.get(xref.split(" ")[0][1:])
            if p is None:
                return None
            (y0, y1), (n0, n1) = p.ydom, boxes[p]
            return x, n0 + (y - y0) / (y1 - y0) * (n1 - n0)
        if xref != "paper":
            return None
        owners = [p for p in grid if p.xdom[0] - 0.02 <= x <= p.xdom[1] + 0.02]
        if owners:
            p = min(owners, key=lambda q: 0 if q.ydom[0] <= y <= q.ydom[1] else min(abs(y - q.ydom[0]), abs(y - q.ydom[1])))
            (x0, x1), (y0, y1), (n0, n1) = p.xdom, p.ydom, boxes[p]
            return (x - x0) / (x1 - x0), n0 + (y - y0) / (y1 - y0) * (n1 - n0)
        # outside every panel: keep its distance in px from the plot's top or bottom edge
        return x, (1 + (y - 1) * plot / new_plot) if y >= 0.5 else y * plot / new_plot

    for ann in fig.layout.annotations:
        moved = move(ann.x, ann.y, ann.xref, ann.yref)
        if moved:
            ann.x, ann.y = moved
    for shape in fig.layout.shapes:
        if shape.xref == "paper" and shape.yref == "paper":
            a, b = move(shape.x0, shape.y0, "paper", "paper"), move(shape.x1, shape.y1, "paper", "paper")
            if a and b:
                shape.x0, shape.y0, shape.x1, shape.y1 = *a, *b
    for trace in fig.data:
        if "colorbar" not in trace or getattr(trace, "showscale", None) is False:
            continue
        p = by_axis.get((getattr(trace, "xaxis", None) or "x")[1:])
        if p is not None:
            n0, n1 = boxes[p]
            trace.colorbar.update(x=1.02, xanchor="left", y=(n0 + n1) / 2, yanchor="middle",
                                  len=n1 - n0, lenmode="fraction")
    fig.update_layout(height=int(round(new_height)))


def narrow(fig: go.Figure, width: int = NARROW_PX) -> go.Figure:
    """A copy of a prepared (title split, not yet framed) figure, re-laid for a column ``width`` px wide."""
    fig = go.Figure(fig)
    stacked = side_by_side(fig) or _lone_and_narrow(fig)
    upright = _upright_words(fig, width, stacked)
    if stacked or len(panels(fig)) > 1:  # a column of panels is laid out again too: its titles may wrap
        _stack(fig, upright, width)
    else:  # one panel: its margin takes the upright labels
        for name, px in upright.items():
            fig.layout.margin["t" if fig.layout[name].side == "top" else "b"] = \
                layout.own_margins(fig)["t" if fig.layout[name].side == "top" else "b"] + px
    title = fig.layout.title
    if title and title.text:
        title.text = layout.wrap(title.text, int((width - 24) / layout.TITLE_CHAR_PX))
        # plotly centres a title's lines on where one line would stand: push them down by half the extra lines
        extra = len(layout.lines(title.text)) - 1
        if extra:
            title.pad.t = (title.pad.t or 0) + extra * layout.TITLE_LINE_PX / 2
    if title and title.subtitle and title.subtitle.text:
        title.subtitle.text = layout.wrap(title.subtitle.text, int((width - 24) / layout.TEXT_CHAR_PX))
    if fig.layout.margin.r is None and not layout.has_colorbar(fig):
        fig.layout.margin.r = NARROW_RIGHT_PX  # plotly's 80 px keeps room for a legend the frame puts below
    own = layout.own_margins(fig)
    _fit_ticks(fig, width, own)
    _numbers_that_fit(fig, width, own)
    _upright_bar_numbers(fig, width, own)
    for ann in fig.layout.annotations:
        if ann.text and (ann.xref in (None, "paper")):
            # the room layout.min_width gives a note: its share of the plot, or the whole width
            x, anchor = ann.x if ann.x is not None else 0.5, ann.xanchor or "auto"
            room = {"left": 1 - x, "right": x}.get(anchor, 2 * min(x, 1 - x))
            text_px = (width - own["l"] - own["r"]) * room if room >= 0.2 else width - 24
            ann.text = layout.wrap(ann.text, max(int((text_px - 16) / layout.TEXT_CHAR_PX), 8))
    if layout.legend_names(fig) and fig.layout.showlegend is not False and not layout.legend_below(fig):
        # in a narrow column a legend inside the plot covers what it names, and one beside it takes the plot's
        # width: it goes under the plot
        fig.update_layout(legend=dict(orientation="h", x=0, xanchor="left", y=-0.2, yanchor="top"))
    for trace in fig.data:  # a long name in the legend takes lines of its own
        if getattr(trace, "name", None) and "showlegend" in trace:
            trace.name = layout.wrap(trace.name, max(int((width - own["l"] - own["r"] - 46) / layout.TEXT_CHAR_PX), 8))
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    fig.update_layout(meta=meta | {"column_px": width})  # the frame then wraps the legend into rows
    return fig


def _fit_ticks(fig: go.Figure, width: int, own: dict) -> None:
    """Word labels left of a plot are shortened ("…") to leave the plot its room; numbers along an x axis are
    thinned (every second, third … one) until they fit side by side. The data table keeps every label whole."""
    lay = fig.layout.to_plotly_json()
    for name, axis in lay.items():
        ticks = axis.get("ticktext") if isinstance(axis, dict) else None
        if not ticks or axis.get("visible") is False:
            continue
        if name.startswith("yaxis"):  # the room layout.min_width leaves them beside their plot's least width
            x_axis = lay.get("xaxis" + (axis.get("anchor") or "x")[1:], {})
            lo, hi = x_axis.get("domain", [0, 1])
            chars = int((width - own["r"] - 24 - layout.COLUMN_PX / max(hi - lo, 0.05)) / layout.TICK_CHAR_PX)
            if max(len(layout.plain(str(t))) for t in ticks) > chars >= 4:
                # wrapped onto the lines its row has room for, and shortened only beyond them
                y_lo, y_hi = axis.get("domain", [0, 1])
                plot = int(fig.layout.height or layout.DEFAULT_HEIGHT) - own["t"] - own["b"]
                rows = max(int(plot * (y_hi - y_lo) / len(ticks) / TICK_LINE_PX), 1)
                fig.layout[name].ticktext = [_wrapped_label(str(t), chars, rows) for t in ticks]
            continue
        share = max((axis.get("domain") or [0, 1])[1] - (axis.get("domain") or [0, 1])[0], 0.05)
        room = (width - own["l"] - own["r"]) * share
        if all(_is_number(t) for t in ticks) and axis.get("tickvals"):
            step = -(-len(ticks) // max(int(room / 15), 2))
            if step > 1:
                fig.layout[name].tickvals = list(axis["tickvals"])[::step]
                fig.layout[name].ticktext = list(ticks)[::step]



def _upright_words(fig: go.Figure, width: int, stacked: bool) -> dict[str, float]:
    """Word labels along an x axis that cannot stand side by side in the column are set upright (plotly
    would turn them anyway); returns the room (px) each such axis needs beyond what it had."""
    own = layout.own_margins(fig)
    extra = {}
    for name, axis in fig.layout.to_plotly_json().items():
        ticks = axis.get("ticktext") if name.startswith("xaxis") and isinstance(axis, dict) else None
        if not ticks or axis.get("visible") is False or all(_is_number(t) for t in ticks):
            continue
        lo, hi = (0, 1) if stacked else (axis.get("domain") or [0, 1])
        longest = max(len(line) for t in ticks for line in layout.lines(str(t))) * layout.TICK_CHAR_PX  # widest line
        if (width - own["l"] - own["r"]) * (hi - lo) / len(ticks) < longest + 6:
            fig.layout[name].tickangle = -90
            # what it had: a turned label of the wide figure needed about half its length, a flat one a line
            had = longest * 0.5 if axis.get("tickangle") not in (None, 0) else 18
            extra[name] = max(longest - had, 0) + 4
    return extra


def _numbers_that_fit(fig: go.Figure, width: int, own: dict) -> None:
    """A heatmap whose cells grow too narrow for their numbers drops them (the colours, the hover and the
    data table still give them)."""
    lay = fig.layout.to_plotly_json()
    for trace in fig.data:
        if trace.type != "heatmap" or not trace.texttemplate or trace.z is None or not len(trace.z):
            continue
        lo, hi = lay.get("xaxis" + (trace.xaxis or "x")[1:], {}).get("domain", [0, 1])
        beside = own["l"] + max(own["r"], layout.COLORBAR_PX if layout.has_colorbar(fig) else 0)
        cell = (width - beside) * (hi - lo) / len(trace.z[0])
        if cell < layout.cell_text_px(trace):
            trace.texttemplate = None


def _upright_bar_numbers(fig: go.Figure, width: int, own: dict) -> None:
    """Numbers above bars grown too narrow for them stand upright, as plotly would otherwise shrink them
    under the book's smallest size and hide them."""
    lay = fig.layout.to_plotly_json()
    for trace in fig.data:
        if trace.type != "bar" or trace.orientation == "h" or trace.text is None or trace.textposition != "outside":
            continue
        texts = [str(t) for t in (trace.text if isinstance(trace.text, (list, tuple)) else [trace.text])]
        lo, hi = lay.get("xaxis" + (trace.xaxis or "x")[1:], {}).get("domain", [0, 1])
        n = len(trace.x) if trace.x is not None else len(texts)
        bar = (width - own["l"] - own["r"]) * (hi - lo) / max(n, 1) * 0.8  # plotly leaves a fifth as a gap
        if bar < max(len(layout.plain(t)) for t in texts) * layout.TICK_CHAR_PX:
            trace.textangle = -90


TICK_LINE_PX = 14  # a line of a wrapped tick label


def _wrapped_label(text: str, chars: int, rows: int) -> str:
    """A label in at most ``rows`` lines of ``chars`` characters: wrapped at spaces, its end cut ("…") only
    when the lines cannot hold it."""
    if rows < 2:
        return short(text, chars)
    lines = layout.lines(layout.wrap(layout.plain(text), chars))
    if len(lines) > rows:
        lines = lines[:rows]
        lines[-1] = short(lines[-1] + " …", chars)
    return "<br>".join(short(line, chars) for line in lines)  # a word longer than a line is cut too


def short(text: str, chars: int) -> str:
    """A label cut to ``chars`` visible characters, the last of them "…" (markup dropped when cut)."""
    plain = layout.plain(text)
    return text if len(plain) <= chars else plain[: chars - 1].rstrip() + "…"


def _is_number(text) -> bool:
    try:
        float(str(text).replace("−", "-"))
        return True
    except ValueError:
        return False


def wide_on_purpose(fig: go.Figure, why: str) -> go.Figure:
    """Mark a figure whose width is its point (a tensor drawn cell by cell): a phone scrolls it sideways
    rather than squeeze it, and the page says ``why``."""
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    return fig.update_layout(meta=meta | {"wide_on_purpose": why})


def why_wide(states: list[go.Figure]) -> str | None:
    """The reason a figure (any of its states) gives for scrolling on a phone, if it gives one."""
    for sub in states:
        meta = sub.layout.meta if isinstance(sub.layout.meta, dict) else {}
        if meta.get("wide_on_purpose"):
            return meta["wide_on_purpose"]
    return None


def needs_twin(states: list[go.Figure], wide_width: int, width: int = NARROW_PX) -> bool:
    """Whether a figure shown in ``states`` gets a narrow twin: its readable width (``wide_width``) is more
    than a phone's column holds, and no state says its width is its point (:func:`why_wide`). The one rule
    for the page's static twins and the notebook's live figures."""
    return wide_width > width and why_wide(states) is None


def twin(states: list[go.Figure], default: int, wide_width: int, width: int = NARROW_PX) -> dict | None:
    """What the page needs to show a figure's prepared ``states`` in a narrow column, or None when the
    wide figure already fits one (``wide_width``: its readable width).

    ``layout`` is the narrow figure's whole layout (the default state's), ``layouts`` each state's own
    parts of it, ``traces`` what changes in each trace (its colour bar's place, its name wrapped for the
    legend, its numbers dropped or set upright), by the trace's index in the figure that holds every state, and ``min_width`` the narrow
    figure's readable width.
    """
    if not needs_twin(states, wide_width, width):
        return None
    states = [go.Figure(sub) for sub in states]
    fig, _, layouts = layout.frame_states([narrow(sub, width) for sub in states], default)
    wide = [t for sub in states for t in sub.data]
    traces = {}
    for i, (t, w) in enumerate(zip(fig.data, wide)):
        change = {}
        if "colorbar" in t and t.colorbar.to_plotly_json():
            change["colorbar"] = t.colorbar.to_plotly_json()
        for key in ("name", "texttemplate", "textangle"):
            if getattr(t, key, None) != getattr(w, key, None):
                change[key] = getattr(t, key, None) or ""
        if change:
            traces[str(i)] = change
    whole = fig.layout.to_plotly_json()
    whole.pop("template", None)  # the page keeps the wide figure's: one copy is enough
    return {"min_width": fig.layout.meta["min_width"], "layout": whole,
            "layouts": layouts if len(states) > 1 else None, "traces": traces}
