"""Showing figures the same way in a live notebook and in the published book.

Both are drawn in the book's frame (:mod:`attnlib.book.layout`): title and subtitle, bands for the
legend, a height that fits, and a readable width below which the figure scrolls sideways rather than
squeezing its text into a tangle.

* In the book build (``ATTN_BOOK_BUILD=1``, set by ``python -m attnlib.book build``) every figure becomes
  a ``<div>`` plus an ``attnFigures.plot`` call (attn_figures.js) that uses the one copy of plotly.js the site serves, so
  pages work offline and stay small.
* In a live kernel a figure is shown by plotly's own renderer, inside a :class:`LiveFigure`: a box that
  keeps the readable width and a height that never shrinks when a control redraws it, and that shows the
  figure's narrow twin, as the page does, in a column narrower than that width.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re

import plotly.graph_objects as go
import plotly.io as pio
from plotly.io.base_renderers import MimetypeRenderer

from . import layout, narrow
from .describe import describe

BOOK_BUILD_ENV = "ATTN_BOOK_BUILD"
# No toolbar: on a phone it covers the title, and a book's figure has no use for zoom boxes.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}
# In a notebook, plotly's renderer follows the output area's width itself; "responsive" would size the figure
# to the output area's height as well, which is 0 until something is drawn in it.
LIVE_CONFIG = {k: v for k, v in PLOTLY_CONFIG.items() if k != "responsive"}
PAGE_CHROME_PX = 40  # what a narrow page keeps around its text column


def in_book_build() -> bool:
    return os.environ.get(BOOK_BUILD_ENV, "") not in ("", "0")


def figure_name(fig: go.Figure) -> str:
    """What a screen reader calls a figure: its title as plain text, or "figure" when it has none."""
    title = re.sub(r"<[^>]+>", " ", (fig.layout.title.text or "")).strip()
    return "figure: " + re.sub(r"\s+", " ", html.unescape(title)) if title else "figure"


def figure_html(fig: go.Figure | dict, states: dict | None = None, redrawn: bool = False) -> str:
    """A figure as an HTML fragment that expects ``window.Plotly`` and the book's ``attn_figures.js``.

    The figure is laid out in the book's frame (:func:`attnlib.book.layout.frame`). On a column narrower
    than its readable width the page shows its narrow twin (panels stacked, texts wrapped; see
    :mod:`attnlib.book.narrow`) instead, and only a figure that still does not fit scrolls sideways in its
    box, with a hint saying so. Under it come the page's own controls when it has ``states`` (a static
    twin's table, see :meth:`attnlib.book.demo.Demo.static`), its description in words (read by a screen
    reader after the figure's name, and swapped when a control moves), and a closed "data" block that the
    page fills with the plotted numbers as tables. A figure that another script of the page ``redrawn``
    (the in-page translator's) keeps the layout it was first drawn in. The ids are a hash of the figure, so
    building the book twice gives the same HTML.
    """
    fig = go.Figure(fig)  # a copy: the caller's figure stays as it was
    if states is None:  # a figure shown alone: its narrow twin is made here, from the figure before framing
        prepared = None if layout.is_framed(fig) else layout.prepare(go.Figure(fig))
        fig = layout.frame(fig)
        spec = {"narrow": narrow.twin([prepared], 0, fig.layout.meta["min_width"]) if prepared else None,
                "wide_on_purpose": narrow.why_wide([fig])}
    else:  # a static twin, framed with its narrow twin by Demo.static
        spec = dict(states)
    spec["min_width"] = width = fig.layout.meta["min_width"]
    if redrawn:  # another script of the page redraws it (and says what it shows): the page leaves it be
        spec["redrawn"] = True
    fig_dict = fig.to_plotly_json()
    digest = hashlib.sha1(
        (json.dumps(fig_dict, sort_keys=True, default=str) + json.dumps(spec, sort_keys=True)).encode()
    ).hexdigest()[:12]
    plot = pio.to_html(
        fig_dict,
        include_plotlyjs=False,
        full_html=False,
        div_id=f"fig-{digest}",
        config=PLOTLY_CONFIG,
        validate=False,
    ).replace("Plotly.newPlot(", "attnFigures.plot(", 1)  # which picks the wide or the narrow layout first
    name = figure_name(fig)
    why = spec.get("wide_on_purpose")
    hint = f"scroll the figure sideways → ({why})" if why else "scroll the figure sideways →"
    if states is None:
        description, controls = describe(fig), ""
    else:
        k = state_index(states["state"], [len(p["values"]) for p in states["params"]])
        description, controls = states["descriptions"][k], controls_html(states, digest, name)
    data = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")  # "</" would end the script early
    return (f'<div class="attn-fig" id="attn-{digest}">'
            # before the plot: attnFigures.plot reads it to lay the figure out for the column it finds
            f'<script type="application/json" class="attn-fig-spec">{data}</script>'
            # a box that may scroll is reachable from the keyboard (tabindex) and named after its figure
            f'<div class="attn-figure" tabindex="0" role="figure" aria-label="{html.escape(name)}" '
            f'aria-describedby="desc-{digest}" '
            f'style="overflow-x:auto;overflow-y:hidden;max-width:100%;padding-bottom:14px">'
            f'<div class="attn-figure-inner" style="min-width:{width}px">{plot}</div></div>'
            f'<div class="attn-scroll-hint">{html.escape(hint)}</div>'
            f'{controls}'
            f'<p class="attn-figure-desc" id="desc-{digest}" aria-live="polite">{html.escape(description)}</p>'
            f'<details class="attn-figure-data"><summary>The numbers in this figure</summary>'
            f'<div class="attn-figure-table"></div></details></div>')


def state_index(choice: list[int], sizes: list[int]) -> int:
    """The grid index of one choice per parameter (row-major, the order of :meth:`Demo.grid`)."""
    k = 0
    for index, size in zip(choice, sizes):
        k = k * size + index
    return k


def controls_html(states: dict, key: str, figure: str) -> str:
    """The page's own controls for a static twin: a slider (``<input type="range">`` over the value indices)
    for a numeric parameter, a menu (``<select>``) for any other. Both work from the keyboard (arrows, Home,
    End), are named by their label, and a slider says its value (``aria-valuetext``) rather than its index."""
    rows = []
    for j, p in enumerate(states["params"]):
        cid, active = f"ctl-{key}-{j}", states["state"][j]
        label, values = html.escape(p["label"]), [html.escape(v) for v in p["values"]]
        if p["slider"]:
            rows.append(
                f'<div class="attn-control attn-control-slider"><label for="{cid}">{label} = '
                f'<output for="{cid}" aria-hidden="true">{values[active]}</output></label>'
                f'<span class="attn-range-end" aria-hidden="true">{values[0]}</span>'
                f'<input type="range" id="{cid}" data-param="{j}" min="0" max="{len(values) - 1}" step="1" '
                f'value="{active}" aria-valuetext="{values[active]}">'
                f'<span class="attn-range-end" aria-hidden="true">{values[-1]}</span></div>')
        else:
            options = "".join(f'<option value="{k}"{" selected" if k == active else ""}>{v}</option>'
                              for k, v in enumerate(values))
            rows.append(f'<div class="attn-control attn-control-menu"><label for="{cid}">{label}</label>'
                        f'<select id="{cid}" data-param="{j}">{options}</select></div>')
    return (f'<div class="attn-controls" role="group" aria-label="{html.escape("controls of the " + figure)}">'
            f'{"".join(rows)}</div>')


class BookRenderer(MimetypeRenderer):
    """plotly renderer for the book build: HTML that relies on the site-wide plotly.js."""

    def to_mimebundle(self, fig_dict):
        return {"text/html": figure_html(fig_dict)}


class _HTML:
    """A minimal object with an HTML representation (avoids importing IPython at module import)."""

    def __init__(self, html: str):
        self.html = html

    def _repr_html_(self) -> str:
        return self.html


class LiveFigure:
    """A figure in a live notebook, redrawn in place: framed as on the page, never shorter than before.

    ``frame`` and ``width`` (from :func:`attnlib.book.layout.common_frame` and ``min_width`` over every
    state a demo can show) fix the figure's height and readable width from the first drawing on; a state
    that needs more (a sentence typed into a text box) grows them, and they never shrink back.

    As on the page, a column narrower than the figure's readable width shows its narrow twin
    (:func:`attnlib.book.narrow.narrow`: panels stacked, texts wrapped) instead, in its own frame
    (``narrow_frame``). Both are drawn at every redraw, each as wide as the column; a CSS container query on
    the box shows the one that fits, so the choice follows the column as the notebook is resized, with no
    round trip to the kernel. A figure that is wide on purpose, or fits a phone already, has no twin.
    """

    def __init__(self, frame: layout.Frame | None = None, width: int = layout.MIN_WIDTH,
                 narrow_frame: layout.Frame | None = None):
        import secrets

        import ipywidgets as w

        self.frame, self.width, self.narrow_frame = frame, width, narrow_frame
        self.last: go.Figure | None = None  # the figure drawn last, as drawn
        self.last_narrow: go.Figure | None = None  # its narrow twin, or None
        self.output = w.Output(layout=w.Layout(min_width=f"{width}px", width="100%"))  # as wide as the column
        self.narrow_output = w.Output(layout=w.Layout(width="100%"))
        self.output.add_class("attn-live-wide")
        self.narrow_output.add_class("attn-live-narrow")
        self.key = f"attn-live-{secrets.token_hex(6)}"
        self.switch = w.HTML()  # the <style> that picks the wide figure or its twin for the column
        # its description in words, as on the page: what the figure shows now, said again when it changes
        self.description = w.HTML()
        self.description.add_class("attn-figure-desc")
        # a column narrower than the figure's readable width (with no twin) scrolls it sideways, as the page does
        box = w.Box([self.output, self.narrow_output],
                    layout=w.Layout(overflow="auto hidden", width="100%", flex_flow="column"))
        box.add_class(self.key)
        self.widget = w.VBox([self.switch, box, self.description])

    @classmethod
    def for_states(cls, states: list[go.Figure]) -> "LiveFigure":
        """A live figure framed for every one of ``states`` (prepared figures), wide and narrow."""
        frame = layout.common_frame([layout.frame_of(sub) for sub in states])
        width = max(layout.min_width(sub) for sub in states)
        thin = None
        if narrow.needs_twin(states, width):
            thin = layout.common_frame([layout.frame_of(narrow.narrow(go.Figure(sub))) for sub in states])
        return cls(frame, width, thin)

    def _style(self, twin: bool) -> str:
        """The rule that hides the figure the column cannot hold: the twin, or (below ``width``) the wide one.
        Hidden, not removed from the layout: plotly draws each at the column's width whichever is shown."""
        hide = "height: 0; min-width: 0 !important; overflow: hidden; visibility: hidden;"
        k = self.key
        rule = f".{k} {{ container-type: inline-size; }} .{k} > .attn-live-narrow {{ {hide} }}"
        if twin:
            rule += (f" @container (max-width: {self.width - 1}px) {{ .{k} > .attn-live-wide {{ {hide} }}"
                     f" .{k} > .attn-live-narrow {{ height: auto; overflow: visible; visibility: visible; }} }}")
        return f"<style>{rule}</style>"

    def draw(self, fig: go.Figure) -> None:
        fig = layout.prepare(go.Figure(fig))
        thin = None
        if narrow.needs_twin([fig], max(self.width, layout.min_width(fig))):
            thin = narrow.narrow(go.Figure(fig))
            own = layout.frame_of(thin)
            self.narrow_frame = own if self.narrow_frame is None else layout.common_frame([self.narrow_frame, own])
            layout.apply_frame(thin, self.narrow_frame)
        own = layout.frame_of(fig)
        self.frame = own if self.frame is None else layout.common_frame([self.frame, own])
        self.width = max(self.width, layout.min_width(fig))
        layout.apply_frame(fig, self.frame)
        self.output.layout.min_width = f"{self.width}px"
        self.switch.value = self._style(thin is not None)
        self.last, self.last_narrow = fig, thin
        self.description.value = f'<p aria-live="polite">{html.escape(describe(fig))}</p>'
        # Each figure replaces its widget's outputs in one state update (no flicker). Capturing with
        # `with self.output:` would do the same, but a notebook run by nbclient then loses track of the
        # cell's reply until its time-out expires.
        # The bundle is what plotly's renderers for this notebook make (JupyterLab's, Colab's, ...); IPython's
        # own formatter would display the figure in the cell instead (plotly figures display themselves).
        self.output.outputs = ({"output_type": "display_data", "data": fig._repr_mimebundle_(), "metadata": {}},)
        self.narrow_output.outputs = () if thin is None else (
            {"output_type": "display_data", "data": thin._repr_mimebundle_(), "metadata": {}},)


def show(fig: go.Figure, states: dict | None = None) -> None:
    """Display ``fig`` in whichever way suits where the code runs (``states``: a static twin's table)."""
    from IPython.display import display

    if in_book_build():
        display(_HTML(figure_html(fig, states)))
    else:
        live = LiveFigure()
        live.draw(fig)
        display(live.widget)


def setup_plotly() -> None:
    pio.templates.default = "plotly_white"
    if in_book_build():
        pio.renderers["book"] = BookRenderer()
        pio.renderers.default = "book"
        return
    for name in pio.renderers.default.split("+"):  # the notebook's own renderers (JupyterLab's, Colab's, ...)
        renderer = pio.renderers[name]
        if hasattr(renderer, "config"):
            renderer.config = dict(LIVE_CONFIG)
