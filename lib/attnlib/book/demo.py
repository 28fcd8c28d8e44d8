"""One demo, two renderings.

A demo is a plain function from parameters to a plotly figure::

    demo = Demo(attention_map, Param("temperature", [0.25, 0.5, 1, 2, 4], default=1))
    demo.show()

* With a live kernel, ``show()`` gives ipywidgets controls that call the function.
* In the book build, ``show()`` precomputes the figure for every value on the
  grid and emits **one** plotly figure whose sliders (or dropdowns) switch
  between them, so the demo still moves on a static web page.

A ``ValueError`` raised by the function (an empty sentence, an unknown word, …)
is shown as a message in place of the figure, never as a traceback.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import plotly.graph_objects as go

from . import layout
from .display import LiveFigure, in_book_build, show
from .plots import message_figure

# Layout keys that may differ between the precomputed figures and travel with each step.
_STEP_LAYOUT_DEFAULTS = {"title": {"text": ""}, "annotations": [], "shapes": []}
MAX_STATIC_FIGURES = 200


def format_value(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def menu_label(p: "Param", v: Any) -> str:
    """A dropdown's option names its parameter: on a static page nothing else says what it controls."""
    return f"{p.text}: {format_value(v)}"


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

    def static(self) -> tuple[go.Figure, str | None]:
        """One figure holding every precomputed state, and the script (if any) that links its controls.

        Every state is laid out in one shared frame (:mod:`attnlib.book.layout`): the figure's size and the
        place of each control are computed once, so moving a control changes what is drawn, never where.
        """
        grid = self.grid()
        if len(grid) > MAX_STATIC_FIGURES:
            raise ValueError(f"{len(grid)} precomputed figures is too many for one page (max {MAX_STATIC_FIGURES})")
        default = tuple(p.default_index for p in self.params)
        sliders = [p for p in self.params if p.numeric]
        menus = [p for p in self.params if not p.numeric]
        states = self.states()
        shared = layout.common_frame([layout.frame_of(sub, len(menus), len(sliders)) for sub in states])
        labels = [menu_label(p, v) for p in menus for v in p.values]
        width = max(layout.min_width(sub, labels) for sub in states)

        traces, spans, layouts = [], [], []
        axis_names: set[str] = set()
        for sub in states:
            spans.append((len(traces), len(traces) + len(sub.data)))
            traces.extend(sub.data)
            layouts.append(_step_layout(sub))
            axis_names |= {k for k in layouts[-1] if k.startswith(("xaxis", "yaxis"))}
        for step_layout in layouts:  # an axis that one state lacks must not linger from another state
            for name in axis_names - set(step_layout):
                step_layout[name] = {"visible": False}
        n = len(traces)

        def visible(k: int) -> list[bool]:
            start, stop = spans[k]
            return [start <= i < stop for i in range(n)]

        fig = go.Figure(data=traces, layout=states[grid.index(default)].layout)
        layout.apply_frame(fig, shared)
        layout.mark_framed(fig, width)
        fig.update_traces(visible=False)
        for i in range(*spans[grid.index(default)]):
            fig.data[i].visible = True

        if len(self.params) == 1:  # plotly's own controls suffice
            steps = [[{"visible": visible(k)}, layouts[k]] for k in range(len(grid))]
            self._add_controls(fig, shared, method="update", args=steps)
            return fig, None
        # Several parameters: each control only records its choice ("skip"); a small
        # script maps the combination of choices to the precomputed figure.
        self._add_controls(fig, shared, method="skip", args=None)
        table = {"spans": spans, "layouts": layouts, "sizes": [len(p.values) for p in self.params],
                 "names": [p.name for p in self.params], "state": list(default), "n": n}
        return fig, _LINK_SCRIPT.replace("__TABLE__", json.dumps(table))

    def _add_controls(self, fig: go.Figure, frame: layout.Frame, method: str, args) -> None:
        """Sliders in the band under the figure, dropdowns in the band under its title, one row each."""
        sliders, menus = [], []
        for p in self.params:
            labels = [format_value(v) for v in p.values]
            step_args = (lambda k: args[k]) if args is not None else (lambda k: [])
            if p.numeric:
                sliders.append(dict(
                    name=p.name, active=p.default_index, currentvalue={"prefix": f"{p.text} = ", "font": {"size": 13}},
                    x=0, len=1, xanchor="left", y=frame.slider_y(len(sliders)), yanchor="top", pad={"t": 8, "b": 0},
                    font={"size": 12},
                    steps=[dict(label=labels[k], value=str(k), method=method, args=step_args(k))
                           for k in range(len(labels))],
                ))
            else:
                menus.append(dict(
                    name=p.name, type="dropdown", active=p.default_index, showactive=True,
                    x=0, xanchor="left", y=frame.menu_y(len(menus)), yanchor="top", pad={"t": 0, "b": 0},
                    buttons=[dict(label=menu_label(p, v), method=method, args=step_args(k))
                             for k, v in enumerate(p.values)],
                ))
        fig.update_layout(sliders=sliders, updatemenus=menus)

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
        figure = LiveFigure(layout.common_frame([layout.frame_of(sub) for sub in states]),
                            max(layout.min_width(sub) for sub in states))

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
            fig, script = self.static()
            show(fig, post_script=script)
        else:
            self.live()


def _step_layout(fig: go.Figure) -> dict:
    """The parts of a figure's layout that one step of a slider must restore."""
    layout = fig.layout.to_plotly_json()
    out = {k: layout.get(k, v) for k, v in _STEP_LAYOUT_DEFAULTS.items()}
    for key, value in layout.items():
        if key.startswith(("xaxis", "yaxis")):
            out[key] = value
    return out


# Maps the choices of several "skip" controls to one precomputed state. ``{plot_id}`` is
# filled in by plotly's to_html; __TABLE__ by Demo.static.
_LINK_SCRIPT = """
(function () {
  var gd = document.getElementById('{plot_id}');
  var t = __TABLE__;
  function show(k) {
    var vis = [];
    for (var i = 0; i < t.n; i++) { vis.push(i >= t.spans[k][0] && i < t.spans[k][1]); }
    return Plotly.update(gd, {visible: vis}, t.layouts[k]);
  }
  function apply() {
    var k = 0;
    for (var j = 0; j < t.sizes.length; j++) { k = k * t.sizes[j] + t.state[j]; }
    return show(k);
  }
  // every precomputed state, for whoever wants to look at each one (the book's browser tests do)
  gd.attnStates = {count: t.spans.length, show: show, reset: apply};
  function choose(name, index) {
    var j = t.names.indexOf(name);
    if (j < 0 || isNaN(index)) { return; }
    t.state[j] = index;
    apply();
  }
  gd.on('plotly_sliderchange', function (e) { choose(e.slider.name, parseInt(e.step.value, 10)); });
  gd.on('plotly_buttonclicked', function (e) { choose(e.menu.name, e.active); });
})();
"""
