"""Longer than training: the scores of translators trained on short sentences, by sentence length.

* :func:`length_figure` — BLEU (or exact match) against the English sentence's length, one line per
  positional encoding, the mean over seeds with bars from the lowest to the highest seed; one panel per
  decoding (greedy; forced to the reference's length; forced so with the full stop held back too); a
  dashed line after the longest length trained on. It reads ``data/experiments/length.json``
  (``python -m attnlib.translation experiment length``).
"""

from __future__ import annotations

from functools import lru_cache

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from attnlib.book import describe
from attnlib.translation.experiments import load
from attnlib.translation.experiments.length import MODES

#: Okabe-Ito colours, apart for every common colour-vision deficiency, and a marker each besides
STYLES = {
    "sinusoidal": ("#0072b2", "circle"),
    "learned": ("#e69f00", "square"),
    "rotary": ("#009e73", "diamond"),
    "alibi": ("#56b4e9", "triangle-up"),
    "none": ("#d55e00", "x"),
}
#: what the legend calls each encoding
NAMES = {"sinusoidal": "sinusoidal", "learned": "learned", "rotary": "rotary", "alibi": "ALiBi",
         "none": "none in the decoder"}
SCORES = {"BLEU": ("bleu", 1.0), "exact match": ("exact_match", 100.0)}  # what is plotted, and its scale
# "&lt;eos&gt;": plotly would take a bare <eos> for a tag and drop it
PANELS = {"greedy": "greedy: the model decides when to stop",
          "forced": "&lt;eos&gt; held back to the reference's length",
          "forced_full_stop": "&lt;eos&gt; and the full stop held back"}
OFFSET = 0.09  # how far apart the encodings' points sit at one length, so that their bars do not hide each other


@lru_cache(maxsize=1)
def shipped_record() -> dict:
    return load("length")


def length_figure(score: str = "BLEU", record: dict | None = None) -> go.Figure:
    """``score`` ("BLEU" or "exact match", in %) by length bucket, one line per encoding, one panel per
    decoding; each point is the mean over seeds, its bar runs from the lowest seed to the highest."""
    if score not in SCORES:
        raise ValueError(f"unknown score {score!r}: choose one of {list(SCORES)}")
    record = record or shipped_record()
    key, scale = SCORES[score]
    results, settings = record["results"], record["settings"]
    buckets = list(next(iter(results.values()))["greedy"])
    seeds = len(settings["seeds"])
    fig = make_subplots(rows=len(MODES), cols=1, shared_xaxes=True, vertical_spacing=0.09,
                        subplot_titles=[PANELS[m] for m in MODES])
    middle = (len(results) - 1) / 2
    for k, (name, entry) in enumerate(results.items()):
        color, symbol = STYLES.get(name, ("#555", "circle"))
        x = [round(i + (k - middle) * OFFSET, 3) for i in range(len(buckets))]
        for row, mode in enumerate(MODES, start=1):
            spreads = [entry[mode][b][key] for b in buckets]
            mean = [round(scale * s["mean"], 2) for s in spreads]
            fig.add_trace(go.Scatter(
                x=x, y=mean, mode="lines+markers", name=NAMES.get(name, name), legendgroup=name,
                showlegend=row == 1, line=dict(color=color, width=2), marker=dict(color=color, symbol=symbol, size=8),
                error_y=dict(type="data", symmetric=False, thickness=1.5, width=3, color=color,
                             array=[round(scale * s["max"] - m, 2) for s, m in zip(spreads, mean)],
                             arrayminus=[round(m - scale * s["min"], 2) for s, m in zip(spreads, mean)]),
                customdata=[[b, scale * s["min"], scale * s["max"]] for b, s in zip(buckets, spreads)],
                hovertemplate=f"{NAMES.get(name, name)}, %{{customdata[0]}} words: %{{y:.1f}} "
                              f"(%{{customdata[1]:.1f}}–%{{customdata[2]:.1f}} over {seeds} seeds)<extra></extra>",
            ), row=row, col=1)
    limit = settings["train_length"]
    for row in range(1, len(MODES) + 1):
        fig.add_vline(x=0.5, line=dict(color="#555", dash="dash"), row=row, col=1)
    fig.add_trace(go.Scatter(x=[0.5, 0.5], y=[None, None], mode="lines", line=dict(color="#555", dash="dash"),
                             name=f"longest trained: {limit} words"))
    fig.update_xaxes(tickmode="array", tickvals=list(range(len(buckets))), ticktext=buckets,
                     range=[-0.4, len(buckets) - 0.6])
    fig.update_xaxes(title_text="English words (full stop included)", row=len(MODES), col=1)
    fig.update_yaxes(range=[0, 102], title_text=score + (" (%)" if scale != 1.0 else ""))
    fig.update_annotations(yshift=6)  # the panel titles, clear of the top tick label ("100")
    fig.update_layout(title=f"{score} by sentence length: trained on at most {limit} words",
                      height=860, margin=dict(t=90, b=70, l=60, r=20),
                      legend=dict(orientation="h", y=-0.08, yanchor="top"))
    fig.layout.meta = {"description": _description(record, key, scale, score, buckets)}
    return fig


def _description(record: dict, key: str, scale: float, score: str, buckets: list[str]) -> str:
    """The figure in words: each encoding's mean at the trained lengths and at the longest bucket, both ways."""
    trained, longest = buckets[0], buckets[-1]

    def at(entry, mode, bucket):
        return describe.number(scale * entry[mode][bucket][key]["mean"])

    parts = [f"{NAMES.get(name, name)} {at(e, 'greedy', trained)} at {trained} words, at {longest} "
             f"{at(e, 'greedy', longest)} greedy, {at(e, 'forced', longest)} with <eos> held back and "
             f"{at(e, 'forced_full_stop', longest)} with the full stop too"
             for name, e in record["results"].items()]
    return (f"{score}, mean over {len(record['settings']['seeds'])} seeds, of translators trained on sentences of "
            f"at most {record['settings']['train_length']} words: " + "; ".join(parts) + ".")
