"""One demo, two renderings.

A demo is a plain function from parameters to a plotly figure::

    demo = Demo(attention_map, Param("temperature", [0.25, 0.5, 1, 2, 4], default=1))
    demo.show()

* With a live kernel, ``show()`` gives ipywidgets controls that call the function.
* In the book build, ``show()`` precomputes the figure for every value on the
  grid and emits **one** plotly figure, with the page's own sliders and menus
  (``<input type="range">``, ``<select>``) that switch between its states, so
  the demo still moves on a static web page, from the mouse or the keyboard.

A ``ValueError`` raised by the function (an empty sentence, an unknown word, …)
is shown as a message in place of the figure, never as a traceback.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import plotly.graph_objects as go

from . import layout, narrow
from .describe import describe
from .display import LiveFigure, in_book_build, show
from .plots import message_figure

MAX_STATIC_FIGURES = 200


def format_value(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


@dataclass(frozen=True)
class Param:
    """A demo parameter: the ``values`` the static twin precomputes (and the live control offers).

    ``free_text=True`` makes the live control a text box that accepts any input;
    ``values`` are then the examples the static page offers.
    """

    name: str
    values: Sequence[Any]
    default: Any = None
    label: str | None = None
    free_text: bool = False

    def __post_init__(self) -> None:
        if not len(self.values):
            raise ValueError(f"parameter {self.name!r} needs at least one value")
        if self.default is None:
            object.__setattr__(self, "default", self.values[0])
        elif self.default not in self.values and not self.free_text:
            raise ValueError(f"default {self.default!r} of {self.name!r} is not among its values {list(self.values)}")

    @property
    def text(self) -> str:
        return self.label or self.name

    @property
    def numeric(self) -> bool:
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self.values)

    @property
    def default_index(self) -> int:
        return list(self.values).index(self.default) if self.default in self.values else 0


@dataclass
class Demo:
    """A figure function and its parameters: live ipywidgets in a notebook, precomputed sliders in the book."""

    fn: Callable[..., go.Figure]
    params: list[Param] = field(default_factory=list)

    def __init__(self, fn: Callable[..., go.Figure], *params: Param):
        self.fn, self.params = fn, list(params)
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"parameter names must be unique, got {names}")

    # -- the function, guarded ------------------------------------------------------------
    def figure(self, **values: Any) -> go.Figure:
        """The figure for these parameter values (the others at their defaults)."""
        unknown = set(values) - {p.name for p in self.params}
        if unknown:
            raise ValueError(f"unknown demo parameter(s) {sorted(unknown)}; known: {[p.name for p in self.params]}")
        kwargs = {p.name: p.default for p in self.params} | values
        try:
            return self.fn(**kwargs)
        except ValueError as err:  # bad input: say what was wrong, keep the page alive
            return message_figure(str(err))

    # -- static twin ------------------------------------------------------------------------
    def grid(self) -> list[tuple[int, ...]]:
        return list(itertools.product(*(range(len(p.values)) for p in self.params)))

    def states(self) -> list[go.Figure]:
        """The figure of every combination on the grid, prepared for framing (:func:`layout.prepare`)."""
        return [layout.prepare(self.figure(**{p.name: p.values[i] for p, i in zip(self.params, combo)}))
                for combo in self.grid()]

    def static(self) -> tuple[go.Figure, dict]:
        """One figure holding every precomputed state, and the table of states its page controls switch.

        Every state is laid out in one shared frame (:mod:`attnlib.book.layout`): the figure's size is
        computed once, so moving a control changes what is drawn, never where. The controls themselves are
        the page's own (a ``<select>`` or an ``<input type="range">`` per parameter, see
        ``display.controls_html``): they work from the keyboard and a screen reader names them. The table
        holds, for each state on the grid, its traces (a span of the figure's data), the parts of its layout
        that differ, and its description in words (:func:`attnlib.book.describe.describe`).
        """
        grid = self.grid()
        if len(grid) > MAX_STATIC_FIGURES:
            raise ValueError(f"{len(grid)} precomputed figures is too many for one page (max {MAX_STATIC_FIGURES})")
        default = tuple(p.default_index for p in self.params)
        states = self.states()
        fig, spans, layouts = layout.frame_states(states, grid.index(default))
        table = {"params": [{"name": p.name, "label": p.text, "values": [format_value(v) for v in p.values],
                             "slider": p.numeric} for p in self.params],
                 "spans": spans, "layouts": layouts, "descriptions": [describe(sub) for sub in states],
                 "state": list(default), "n": len(fig.data),
                 "narrow": narrow.twin(states, grid.index(default), fig.layout.meta["min_width"]),
                 "wide_on_purpose": narrow.why_wide(states)}
        return fig, table

    # -- live widget ------------------------------------------------------------------------
    def live(self):
        """ipywidgets controls driving the function (needs a running kernel)."""
        import ipywidgets as w
        from IPython.display import display

        controls = {}
        for p in self.params:
            if p.free_text:
                controls[p.name] = w.Combobox(value=str(p.default), options=[str(v) for v in p.values],
                                              description=p.text, ensure_option=False, continuous_update=False)
            elif p.numeric:
                controls[p.name] = w.SelectionSlider(options=[(format_value(v), v) for v in p.values],
                                                     value=p.default, description=p.text, continuous_update=False)
            else:
                controls[p.name] = w.Dropdown(options=[(format_value(v), v) for v in p.values],
                                              value=p.default, description=p.text)
        # framed as the static twin is: one height and one readable width for every state on the grid
        states = self.states()
        figure = LiveFigure.for_states(states)

        def redraw(change=None):  # not ipywidgets' interactive_output: it captures output (see LiveFigure.draw)
            figure.draw(self.figure(**{name: control.value for name, control in controls.items()}))

        for control in controls.values():
            control.observe(redraw, names="value")
        redraw()
        box = w.VBox([w.HBox(list(controls.values()), layout=w.Layout(flex_flow="row wrap")), figure.widget])
        box.add_class("attn-demo")  # what the notebook tests look for
        box.live_figure = figure
        display(box)
        return box

    def show(self) -> None:
        """Live controls in a notebook; precomputed sliders in the published book."""
        if in_book_build():
            fig, states = self.static()
            show(fig, states=states)
        else:
            self.live()
