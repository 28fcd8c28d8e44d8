"""Cross-attention as a word aligner: the alignment error rate of each decoder layer, read two ways.

* :func:`aer_by_layer` — the AER (lower is better) of each decoder layer's mean of heads and of its best
  head, under the naive and the shifted reading, with the spread over seeds; IBM Models 1 and 2, the
  diagonal and the least AER of one link per French token as horizontal lines. It draws the record of
  ``python -m attnlib.translation experiment alignment`` (``data/experiments/alignment.json``).
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from attnlib.translation.attention_aer import READINGS
from attnlib.translation.experiments import load

#: blue and orange: apart for every common colour-vision deficiency
COLORS = {"naive": "#1f77b4", "shifted": "#ff7f0e"}
#: each layer's two measures: where they sit beside the layer's tick, and their marker
MEASURES = {"mean": ("mean of heads", -0.07, "circle"), "best_head": ("best head", 0.07, "diamond")}
#: the reference lines, from the record's baselines, and how each is drawn
REFERENCES = {"ibm1": "dash", "ibm2": "dot", "diagonal": "dashdot", "floor": "solid"}
FLOOR_LABEL = "best possible, one link per word"
GREY = "#555"


def _references(results: dict) -> dict[str, tuple[str, float]]:
    """name -> (label, AER) of every horizontal line."""
    out = {key: (b["label"], b["aer"]) for key, b in results["baselines"].items() if key in REFERENCES}
    out["floor"] = (FLOOR_LABEL, results["floor"])
    return {key: out[key] for key in REFERENCES if key in out}


def aer_by_layer(results: dict | None = None) -> go.Figure:
    """AER in % per decoder layer: one colour per reading, a circle for the layer's mean of heads and a
    diamond for its best head (each seed's own best), at the mean over seeds with whiskers from the lowest
    to the highest seed; grey lines for the aligners that use no attention. The axis is logarithmic, so
    that a few points near the bottom stay apart from tens of points at the top."""
    results = load("alignment")["results"] if results is None else results
    seeds = len(results["runs"])
    layers = results["layers"]
    fig = go.Figure()
    for reading in READINGS:
        for which, (label, offset, symbol) in MEASURES.items():
            entries = results[reading][which]  # one spread per layer
            means = [round(100 * e["mean"], 2) for e in entries]
            fig.add_trace(go.Scatter(
                x=[li + 1 + offset for li in range(layers)], y=means, name=f"{reading}: {label}",
                mode="lines+markers", line=dict(color=COLORS[reading], dash="solid" if which == "mean" else "dot"),
                marker=dict(symbol=symbol, size=10, color=COLORS[reading]),
                error_y=dict(type="data", symmetric=False, color=COLORS[reading], thickness=1.5, width=4,
                             array=[round(100 * (e["max"] - e["mean"]), 2) for e in entries],
                             arrayminus=[round(100 * (e["mean"] - e["min"]), 2) for e in entries]),
                customdata=[[round(100 * e["min"], 1), round(100 * e["max"], 1)] for e in entries],
                hovertemplate=f"layer %{{x:.0f}}, {reading} reading, {label}: %{{y:.1f}}% "
                              f"(seeds: %{{customdata[0]}}–%{{customdata[1]}}%)<extra></extra>"))
    for key, (label, value) in _references(results).items():
        line = dict(color=GREY, dash=REFERENCES[key], width=1 if key == "floor" else 1.5)
        fig.add_hline(y=round(100 * value, 2), line=line)
        fig.add_trace(go.Scatter(x=[1, layers], y=[None, None], mode="lines", name=f"{label} ({100 * value:.1f}%)",
                                 line=line))
    values = [100 * e[k] for r in READINGS for w in MEASURES for e in results[r][w] for k in ("min", "max")]
    values += [100 * v for _, v in _references(results).values()]
    low, high = max(min(values), 0.5), max(max(values), 1.0)  # a perfect 0 has no place on a log axis: 0.5% stands in
    top = max(high * 1.15, 100) if high > 50 else high * 1.15  # up to 100% when the top is near it
    ticks = [t for t in (1, 2, 3, 5, 10, 20, 30, 50, 100) if low / 1.3 <= t <= top]
    fig.update_yaxes(type="log", range=[_log10(low / 1.3), _log10(top)],
                     tickvals=ticks, ticktext=[f"{t}%" for t in ticks], title_text="AER (log scale)")
    fig.update_xaxes(tickvals=list(range(1, layers + 1)), ticktext=[f"layer {li + 1}" for li in range(layers)],
                     range=[0.6, layers + 0.4], title_text="decoder layer")
    fig.update_layout(title=f"Cross-attention read as a word alignment<br><sup>alignment error rate, lower is "
                            f"better; whiskers: lowest to highest of {seeds} seeds</sup>",
                      height=480, margin=dict(t=100, l=70, r=20, b=60), legend=dict(orientation="h", y=-0.2))
    return fig


def _log10(x: float) -> float:
    return round(math.log10(x), 4)
