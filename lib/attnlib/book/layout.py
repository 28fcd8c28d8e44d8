"""The frame every figure of the book is drawn in: bands that never collide, and a width it stays readable at.

A figure function lays out its own plotting area (subplots, axes, annotations) and sets a height and
margins for it. :func:`frame` then adds, in pixels, from the top of the figure down:

* the **title band**: the title at the very top of the figure; a long ``"headline: detail"`` title is
  split into a title and a smaller subtitle, so that neither runs off a phone's screen;
* the figure's own top margin (top tick labels, subplot titles), then the plotting area;
* the figure's own bottom margin (tick labels, axis titles), then the **legend band** when the figure asks
  for its legend under the plot (a horizontal legend at y < 0).

(A static twin's sliders and menus are the page's own HTML controls, under the figure: see
``display.controls_html``.)

Adding bands grows the figure by exactly their height, so the plotting area keeps its size in pixels and
every paper-coordinate position (annotations, legends, subplot titles) keeps its place. All of it is
computed once per figure: a static twin's states share one frame (see :func:`common_frame`), so moving a
control never changes the figure's size.

:func:`min_width` estimates the width below which the figure's text would collide; the page puts a
narrower screen's figure in a box that scrolls sideways instead of squeezing it (``display.figure_html``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import plotly.graph_objects as go

from .plotly_text import lines, plain, wrap  # noqa: F401 (figures and narrow.py read them as layout.lines …)

TITLE_PX = 40          # a one-line title, from the top edge of the figure
SUBTITLE_PX = 28       # a subtitle under it, and a gap before what follows
LEGEND_PX = 30         # a legend laid out in one row under the plot
LEGEND_ROW_PX = 20     # each further row of a legend that wraps
BOTTOM_TICKS_PX = 36   # tick labels under a plot
BOTTOM_AXIS_PX = 64    # tick labels and an axis title under a plot
DEFAULT_HEIGHT = 450   # plotly's own defaults, used when a figure sets none
DEFAULT_MARGIN = {"t": 100, "b": 80, "l": 80, "r": 80}
OWN_TITLE_PX = 45      # what a figure function's top margin is taken to reserve for its own title
TITLE_CHARS = 60       # a title longer than this is split into a title and a subtitle (see split_title)
SUBTITLE_CHARS = 96    # a subtitle longer than this wraps: a line of 13 px type across the laptop's column
# average glyph widths (px per character) of plotly's default sans-serif at the sizes used here
TITLE_CHAR_PX, TEXT_CHAR_PX, TICK_CHAR_PX = 9.0, 6.6, 6.6
MIN_WIDTH = 320        # no figure is laid out narrower than a phone's column
COLUMN_WIDTH = 680     # the book's text column on a laptop: no figure asks for more
COLUMN_PX = 140        # the least width one subplot needs to be read


@dataclass(frozen=True)
class Frame:
    """The pixel geometry shared by every state of a figure."""

    height: int
    top: int       # margin above the plotting area
    bottom: int    # margin below it
    left: int
    right: int
    title_px: int  # height of the title band (a thin one when there is no title)
    legend_px: int = 0  # the legend's band under the plot (0: the legend is elsewhere, or none)

    @property
    def plot_px(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def own_bottom(self) -> int:
        return self.bottom - self.legend_px

    def legend_y(self) -> float:
        """Paper y of the top of the legend band, right under the figure's own bottom margin."""
        return -self.own_bottom / self.plot_px


def _title_text(fig: go.Figure) -> str:
    return (fig.layout.title.text or "") if fig.layout.title else ""


def split_title(fig: go.Figure) -> go.Figure:
    """Put the title at the top edge; a long "headline: detail" title becomes a title and a subtitle."""
    text = _title_text(fig)
    subtitle = fig.layout.title.subtitle.text if fig.layout.title.subtitle else None
    if text and not subtitle and "<br>" in text:  # "headline<br><sup>detail</sup>": the detail is a subtitle
        text, _, tail = text.partition("<br>")
        subtitle = plain(tail.replace("<br>", " "))
    if text and not subtitle and len(plain(text)) > TITLE_CHARS:
        for sep in (": ", "; ", " — ", ", ", " ("):
            head, found, tail = text.partition(sep)
            if found and 4 <= len(head) <= TITLE_CHARS and head.count("(") == head.count(")"):
                tail = tail[:-1] if sep == " (" and tail.endswith(")") else tail  # "(detail)" -> "detail"
                text, subtitle = head, tail  # as written: "m = 2.0" must not become "M = 2.0"
                break
        else:  # no natural break: the words that do not fit go on the subtitle's line
            cut = text.rfind(" ", 0, TITLE_CHARS)
            if cut > 0:
                text, subtitle = text[:cut], "… " + text[cut + 1:]
    if subtitle and len(plain(subtitle)) > SUBTITLE_CHARS:  # a long detail wraps inside the laptop's column
        subtitle = wrap(subtitle, SUBTITLE_CHARS)
    fig.update_layout(title=dict(text=text, x=0.01, xref="container", xanchor="left",
                                 y=1, yref="container", yanchor="top", pad=dict(t=12, l=4),
                                 subtitle=dict(text=subtitle, font=dict(size=13, color="#555")) if subtitle else None))
    return fig


TITLE_LINE_PX = 22     # each further line of a wrapped title (see attnlib.book.narrow)
SUBTITLE_LINE_PX = 17  # each further line of a wrapped subtitle


def title_band(fig: go.Figure) -> int:
    if not _title_text(fig):
        return 10
    band = TITLE_PX + TITLE_LINE_PX * (len(lines(_title_text(fig))) - 1)
    subtitle = fig.layout.title.subtitle.text if fig.layout.title.subtitle else None
    return band + (SUBTITLE_PX + SUBTITLE_LINE_PX * (len(lines(subtitle)) - 1) if subtitle else 0)


def own_margins(fig: go.Figure) -> dict[str, int]:
    m = fig.layout.margin
    return {side: int(getattr(m, side) if getattr(m, side) is not None else DEFAULT_MARGIN[side])
            for side in ("t", "b", "l", "r")}


def frame_of(fig: go.Figure) -> Frame:
    """The frame one figure needs (its title already split, see :func:`split_title`)."""
    own = own_margins(fig)
    height = int(fig.layout.height or DEFAULT_HEIGHT)
    band = title_band(fig)
    # the part of the figure's own top margin that holds more than its title (top ticks, subplot titles)
    above_plot = max(own["t"] - (OWN_TITLE_PX if _title_text(fig) else 0), 12)
    plot = height - own["t"] - own["b"]
    legend = legend_rows(fig) * LEGEND_ROW_PX + LEGEND_PX - LEGEND_ROW_PX if legend_below(fig) else 0
    if legend:  # what hangs under the plot (tick labels, axis title) must end above the legend's band
        own["b"] = max(own["b"], BOTTOM_AXIS_PX if _bottom_axis_title(fig) else BOTTOM_TICKS_PX)
    top = band + above_plot
    bottom = own["b"] + legend
    return Frame(height=top + plot + bottom, top=top, bottom=bottom, left=own["l"], right=own["r"],
                 title_px=band, legend_px=legend)


def _bottom_axis_title(fig: go.Figure) -> bool:
    return any(name.startswith("xaxis") and axis.get("side") != "top" and (axis.get("title") or {}).get("text")
               and axis.get("visible") is not False
               for name, axis in fig.layout.to_plotly_json().items())


def column_px(fig: go.Figure) -> int | None:
    """The column a figure was laid out for, when it was (a narrow twin: see attnlib.book.narrow)."""
    return fig.layout.meta.get("column_px") if isinstance(fig.layout.meta, dict) else None


def legend_entry_px(name: str) -> float:
    return max(map(len, lines(name))) * TEXT_CHAR_PX + 46


def legend_rows(fig: go.Figure) -> int:
    """Lines of a legend under the plot: one row, or as many as plotly wraps it into in the figure's column
    (a row as tall as its tallest entry: a long name may be wrapped onto lines of its own)."""
    width = column_px(fig)
    if not width:
        return 1
    room, rows, used, tallest = width - sum(own_margins(fig)[s] for s in ("l", "r")), 0, 0.0, 1
    names = dict.fromkeys(t.name for t in fig.data if t.name in legend_names(fig))  # in the legend's order
    for name in names:
        entry = legend_entry_px(name)
        if used and used + entry > room:
            rows, used, tallest = rows + tallest, 0.0, 1
        used += entry
        tallest = max(tallest, len(lines(name)))
    return rows + tallest


def legend_names(fig: go.Figure) -> set[str]:
    """The names a legend lists (images, heatmaps and tables have no legend entry)."""
    return {t.name for t in fig.data if "showlegend" in t and t.showlegend is not False and t.name}


def legend_below(fig: go.Figure) -> bool:
    """Whether the figure asks for a legend under its plot (horizontal, at y < 0) and shows one."""
    legend = fig.layout.legend
    shown = fig.layout.showlegend is not False and bool(legend_names(fig))
    return bool(shown and legend.orientation == "h" and legend.y is not None and legend.y < 0)


def common_frame(frames: list[Frame]) -> Frame:
    """One frame that holds every state: the largest of each band."""
    top = max(f.top for f in frames)
    bottom = max(f.bottom for f in frames)
    plot = max(f.plot_px for f in frames)
    legend = max(f.legend_px for f in frames)
    return Frame(height=top + plot + bottom, top=top, bottom=bottom,
                 left=max(f.left for f in frames), right=max(f.right for f in frames),
                 title_px=max(f.title_px for f in frames), legend_px=legend)


def apply_frame(fig: go.Figure, frame: Frame) -> go.Figure:
    # no fixed width: the figure fills the column (min_width took the one its author set)
    fig.update_layout(height=frame.height, width=None, autosize=True,
                      margin=dict(t=frame.top, b=frame.bottom, l=frame.left, r=frame.right))
    if frame.legend_px:
        fig.update_layout(legend=dict(orientation="h", x=0, xanchor="left", y=frame.legend_y(), yanchor="top"))
    return fig


def readable_axes(fig: go.Figure) -> go.Figure:
    """Log axes get ticks in the book's type size, and numbers inside bars are never shrunk below 10 px.

    plotly labels a log axis's in-between ticks (2, 5) in 9 px type: a log axis over two decades or more
    labels whole decades only; a shorter one gets 1-2-5 ticks of its own, written in full size.
    A number written inside a bar is hidden rather than shrunk below 10 px to fit.
    """
    fig.update_layout(uniformtext=dict(minsize=10, mode="hide"))
    for name in [k for k in fig.layout.to_plotly_json() if k.startswith(("xaxis", "yaxis"))]:
        axis = fig.layout[name]
        if axis.type != "log" or axis.dtick is not None or axis.tickvals is not None:
            continue
        values = _axis_values(fig, name)
        if values and math.log10(max(values) / min(values)) < 2:
            lo, hi = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
            ticks = [m * 10 ** e for e in range(lo, hi + 1) for m in (1, 2, 5)
                     if min(values) / 1.5 <= m * 10 ** e <= max(values) * 1.5]
            axis.update(tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
        else:
            axis.dtick = 1
    return fig


def _axis_values(fig: go.Figure, axis_name: str) -> list[float]:
    """The positive numbers the traces on one axis ("xaxis2", "yaxis") plot."""
    letter, suffix = axis_name[0], axis_name[5:]
    ref = letter + suffix  # what a trace calls the axis: "x2", "y"
    values = []
    for trace in fig.data:
        if (getattr(trace, letter + "axis", None) or letter) != ref:
            continue
        for v in getattr(trace, letter, None) or []:
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
                values.append(float(v))
    return values


def min_width(fig: go.Figure) -> int:
    """The narrowest width (px) at which the figure's titles and subplots still fit side by side."""
    own = own_margins(fig)
    sides = own["l"] + own["r"]
    # a width its author set is the width it reads at, on a laptop (a narrow twin is laid out for its column)
    need = [MIN_WIDTH, 0 if column_px(fig) else (fig.layout.width or 0)]
    title = fig.layout.title
    if title and title.text:
        need.append(max(map(len, lines(title.text))) * TITLE_CHAR_PX + 24)
    if title and title.subtitle and title.subtitle.text:
        need.append(max(map(len, lines(title.subtitle.text))) * TEXT_CHAR_PX + 24)
    if legend_below(fig):  # one row of legend entries (a swatch and a name each); in a known column, the widest
        entries = [legend_entry_px(n) for n in legend_names(fig)]
        need.append(sides + (max(entries) if column_px(fig) else sum(entries)))
    layout = fig.layout.to_plotly_json()
    for name, axis in layout.items():
        if not name.startswith("xaxis") or axis.get("visible") is False:
            continue
        lo, hi = axis.get("domain", [0, 1])
        share = max(hi - lo, 0.05)
        need.append(sides + COLUMN_PX / share)
        ticks = axis.get("ticktext")
        if ticks:  # word labels, turned when crowded: a line of type each (less room when turned upright)
            per_label = 12 if abs(axis.get("tickangle") or 0) == 90 else 15
            need.append(sides + len(ticks) * per_label / share)
    for trace in fig.data:  # numbers written in a heatmap's cells: each cell as wide as its longest number
        if trace.type == "heatmap" and trace.texttemplate and trace.text is not None and trace.z is not None \
                and len(trace.z):
            lo, hi = layout.get("xaxis" + (trace.xaxis or "x")[1:], {}).get("domain", [0, 1])
            beside = own["l"] + max(own["r"], COLORBAR_PX if has_colorbar(fig) else 0)
            need.append(beside + len(trace.z[0]) * cell_text_px(trace) / max(hi - lo, 0.05))
    for name, axis in layout.items():  # word labels left of a plot take room from it
        if name.startswith("yaxis") and axis.get("ticktext") and axis.get("visible") is not False:
            x_axis = layout.get("xaxis" + (axis.get("anchor") or "x")[1:], {})
            lo, hi = x_axis.get("domain", [0, 1])
            longest = max(len(line) for t in axis["ticktext"] for line in lines(str(t)))  # a wrapped label's widest line
            need.append(own["r"] + longest * TICK_CHAR_PX + 24 + COLUMN_PX / max(hi - lo, 0.05))
    for ann in layout.get("annotations", []):
        if ann.get("xref", "paper") == "paper" and ann.get("text"):  # a note placed on the figure
            text_px = max(len(plain(line)) for line in str(ann["text"]).split("<br>")) * TEXT_CHAR_PX + 8
            x, anchor = ann.get("x", 0.5), ann.get("xanchor", "auto")
            room = {"left": 1 - x, "right": x}.get(anchor, 2 * min(x, 1 - x))  # share of the plot it may take
            need.append(sides + text_px / room if room >= 0.2 else text_px + 24)
        if ann.get("xref", "paper") == "paper" and ann.get("text") and ann.get("yref", "paper") == "paper" \
                and (ann.get("y") or 0) >= 1:  # titles over subplots, one per column
            longest = max(len(plain(line)) for line in str(ann["text"]).split("<br>"))
            columns = max(1, sum(1 for a in layout.get("annotations", [])
                                 if a.get("y") == ann.get("y") and a.get("yref", "paper") == "paper"))
            need.append(sides + columns * (longest * TEXT_CHAR_PX + 16))
    return int(min(max(need), COLUMN_WIDTH))  # a laptop's reader never scrolls a figure sideways


COLORBAR_PX = 80  # the right margin plotly makes for a colour bar with its ticks and title


def has_colorbar(fig: go.Figure) -> bool:
    return any("colorbar" in t and getattr(t, "showscale", None) is not False and t.type in ("heatmap", "contour")
               for t in fig.data)


def cell_text_px(trace) -> float:
    """The width a heatmap cell needs for the longest number written in it (10 px digits, a little air)."""
    longest = max((len(plain(str(t))) for row in (trace.text or []) for t in row), default=4)
    return longest * 6 + 4


def is_framed(fig: go.Figure) -> bool:
    return isinstance(fig.layout.meta, dict) and "min_width" in fig.layout.meta


def mark_framed(fig: go.Figure, width: int) -> go.Figure:
    """Record the figure's readable width (the page reads it; see ``display.figure_html``)."""
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    fig.update_layout(meta=meta | {"min_width": int(width)})
    return fig


def prepare(fig: go.Figure) -> go.Figure:
    """What every figure gets before it is framed: readable axes, and its title split at the top edge."""
    return split_title(readable_axes(fig))


def frame(fig: go.Figure) -> go.Figure:
    """A figure shown alone: its title split and its bands laid out. A framed figure is left as it is."""
    if is_framed(fig):
        return fig
    prepare(fig)
    width = min_width(fig)
    apply_frame(fig, frame_of(fig))
    return mark_framed(fig, width)


# Layout keys that may differ between the states of a static twin and travel with each state.
_STATE_LAYOUT_DEFAULTS = {"title": {"text": ""}, "annotations": [], "shapes": []}


def state_layout(fig: go.Figure) -> dict:
    """The parts of a state's layout that showing that state must restore: title, notes, shapes, axes."""
    own = fig.layout.to_plotly_json()
    out = {k: own.get(k, v) for k, v in _STATE_LAYOUT_DEFAULTS.items()}
    out.update({k: v for k, v in own.items() if k.startswith(("xaxis", "yaxis"))})
    return out


def frame_states(states: list[go.Figure], default: int = 0) -> tuple[go.Figure, list[tuple[int, int]], list[dict]]:
    """Prepared states in one shared frame: one figure that holds every state's traces (the ``default``
    state's visible, the others hidden), each state's span of those traces, and each state's layout.

    The frame is the largest of the states' (:func:`common_frame`) and the readable width the widest's, so
    showing another state changes what is drawn, never the figure's size.
    """
    shared = common_frame([frame_of(sub) for sub in states])
    width = max(min_width(sub) for sub in states)
    traces, spans, layouts = [], [], []
    for sub in states:
        spans.append((len(traces), len(traces) + len(sub.data)))
        traces.extend(sub.data)
        layouts.append(state_layout(sub))
    axis_names = {k for step in layouts for k in step if k.startswith(("xaxis", "yaxis"))}
    for step in layouts:  # an axis that one state lacks must not linger from another state
        for name in axis_names - set(step):
            step[name] = {"visible": False}
    fig = go.Figure(data=traces, layout=states[default].layout)
    apply_frame(fig, shared)
    mark_framed(fig, width)
    fig.update_traces(visible=False)
    for i in range(*spans[default]):
        fig.data[i].visible = True
    return fig, spans, layouts
