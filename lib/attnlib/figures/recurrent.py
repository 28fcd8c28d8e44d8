"""Figures for the trained recurrent baseline against the Transformer (``data/experiments/rnn.json``).

* :func:`length_figure`: test BLEU (or exact match) per source length, the mean over seeds and their range;
* :func:`pronoun_figure`: how often *il*/*elle* matches the antecedent, against the distance back to it;
* :func:`time_figure`: seconds per training step, or per translated batch, at 1 and 2 CPU threads;
* :func:`attention_figure`: one model's attention while it translates a running example (its first seed);
* :func:`curve_figure`: validation BLEU or pronoun accuracy against the training step, over the seeds.

Each takes the experiment's record (:func:`attnlib.translation.experiments.load`; by default the shipped one).
"""

from __future__ import annotations

import plotly.graph_objects as go

from attnlib.book.plots import seed_band
from attnlib.translation.experiments import load
from .inside import cross_attention_map

# red for the recurrent network, blue for attention, as in the timing figure of one layer of each
COLORS = {"gru": "#d62728", "transformer": "#1f77b4"}
#: what :func:`length_figure` can draw, as a reader picks it -> (the record's key, the scale)
SCORES = {"test BLEU": ("bleu", 1.0), "exact match": ("exact_match", 100.0)}


def _results(record: dict | None) -> dict:
    return (record if record is not None else load("rnn"))["results"]


def _spread_trace(arch: str, entry: dict, x: list[str], entries: list[dict], scale: float, unit: str) -> go.Scatter:
    """One model's means over seeds, its whiskers reaching from the lowest seed to the highest."""
    means = [scale * e["mean"] for e in entries]
    seeds = len(entries[0]["values"])
    return go.Scatter(
        x=x, y=[round(m, 2) for m in means], name=entry["label"], mode="lines+markers",
        line=dict(color=COLORS[arch]), marker=dict(size=9),
        error_y=dict(type="data", symmetric=False, thickness=1.5, width=6,
                     array=[round(scale * e["max"] - m, 2) for e, m in zip(entries, means)],
                     arrayminus=[round(m - scale * e["min"], 2) for e, m in zip(entries, means)]),
        customdata=[[round(scale * e["sd"], 2), round(scale * e["min"], 2), round(scale * e["max"], 2)] for e in entries],
        hovertemplate=(f"{entry['label']}, %{{x}}: %{{y:.1f}}{unit} ± %{{customdata[0]:.1f}} "
                       f"(%{{customdata[1]:.1f}}–%{{customdata[2]:.1f}} over {seeds} seeds)<extra></extra>"))


def length_figure(score: str = "test BLEU", record: dict | None = None) -> go.Figure:
    """``score`` (one of :data:`SCORES`) on the test sentences of each source length, for both models:
    the mean over seeds, and a whisker from the lowest seed to the highest."""
    if score not in SCORES:
        raise ValueError(f"unknown score {score!r}; choose one of {', '.join(SCORES)}")
    models = _results(record)["models"]
    title, (score, scale) = score, SCORES[score]
    buckets = list(next(iter(models.values()))["lengths"])
    first = next(iter(models.values()))["lengths"]
    x = [f"{b}<br>n = {first[b]['n']}" for b in buckets]  # short lines: a phone's first label clears the y axis
    fig = go.Figure([_spread_trace(arch, entry, x, [entry["lengths"][b][score] for b in buckets], scale,
                                   "%" if scale == 100 else "")
                     for arch, entry in models.items()])
    seeds = len(first[buckets[0]][score]["values"])
    fig.update_xaxes(title_text="English tokens in the sentence (n: sentences)")
    fig.update_yaxes(title_text=title + (" (%)" if scale == 100 else ""), rangemode="tozero")
    fig.update_layout(title=f"{title[0].upper() + title[1:]} by sentence length<br><sup>mean and range over "
                            f"{seeds} seeds</sup>",
                      height=400, margin=dict(t=60, l=70, r=20, b=70), legend=dict(orientation="h", y=-0.3))
    return fig


def pronoun_figure(record: dict | None = None) -> go.Figure:
    """How often each model's *il*/*elle* has the antecedent's gender, per distance from the antecedent to the
    pronoun (2 tokens: the nearer noun; 5 to 9: the first noun), with a coin toss's 50% for reference."""
    models = _results(record)["models"]
    first = next(iter(models.values()))["distances"]
    buckets = list(first)
    x = [f"{b} back<br>n = {first[b]['n']}" for b in buckets]
    fig = go.Figure([_spread_trace(arch, entry, x, [entry["distances"][b]["accuracy"] for b in buckets], 100.0, "%")
                     for arch, entry in models.items()])
    # labelled where it is drawn: a third legend entry would not fit a phone's width
    fig.add_hline(y=50, line=dict(color="#555", dash="dash"), annotation_text="coin toss",
                  annotation_position="bottom right", annotation_font_color="#555")
    fig.update_xaxes(title_text="tokens from the antecedent to “it” (n: sentences)")
    fig.update_yaxes(title_text="right pronoun (%)", range=[0, 105])
    seeds = len(first[buckets[0]]["accuracy"]["values"])
    fig.update_layout(title=f"Pronouns by antecedent distance<br><sup>mean and range over {seeds} seeds</sup>",
                      height=400, margin=dict(t=60, l=70, r=20, b=70), legend=dict(orientation="h", y=-0.3))
    return fig


def _settings(timing: dict) -> list[tuple[str, str]]:
    """(x label, key) of every setting timed: the CPU thread counts, and the GPU when there was one."""
    out = [(f"{n} thread{'s' * (int(n) > 1)}", n) for n in timing["train_step"]]
    return out + ([("GPU", "cuda")] if timing.get("cuda") else [])


#: what :func:`time_figure` can show, as a reader picks it -> the timing's key
TIMED = {"one training step": "train_step", "translating a batch": "translate"}


def time_figure(what: str = "one training step", record: dict | None = None) -> go.Figure:
    """Seconds for ``what`` (one of :data:`TIMED`: a training step, or the greedy translation of a batch of
    test sentences), for both models on 1 and 2 CPU threads (and a GPU when one was there), with the
    ratio GRU/Transformer of each setting in the subtitle."""
    if what not in TIMED:
        raise ValueError(f"unknown timing {what!r}; choose one of {', '.join(TIMED)}")
    timing = _results(record)["timing"]
    kind, settings = TIMED[what], _settings(timing)
    entries = [timing["cuda"][kind] if key == "cuda" else timing[kind][key] for _, key in settings]
    fig = go.Figure()
    for arch, name in (("gru", "GRU"), ("transformer", "Transformer")):
        seconds = [e[f"{arch}_s"] for e in entries]
        fig.add_trace(go.Bar(x=[label for label, _ in settings], y=seconds, name=name, marker_color=COLORS[arch],
                             text=[f"{s:.3g} s" for s in seconds], textposition="outside", cliponaxis=False,
                             hovertemplate=f"{name}, %{{x}}: %{{y:.3f}} s<extra></extra>"))
    ratios = ", ".join(f"{e['ratio']:.2f} on {'the GPU' if key == 'cuda' else label}"
                       for (label, key), e in zip(settings, entries))
    title = (f"Seconds to translate {timing['sentences']} sentences" if kind == "translate"
             else f"Seconds per training step, {timing['batch_size']} pairs")
    fig.update_yaxes(title_text="seconds", rangemode="tozero")
    fig.update_layout(title=dict(text=title, subtitle=dict(text=f"GRU time ÷ Transformer time:<br>{ratios}")),
                      barmode="group", height=400, margin=dict(t=70, l=60, r=10, b=40),
                      legend=dict(orientation="h", y=-0.15))
    return fig


def probe_sentences(record: dict | None = None) -> list[str]:
    """The sentences whose attention every model kept."""
    models = list(_results(record)["models"].values())
    return [s for s in models[0]["probes"] if all(s in m["probes"] for m in models)]


def attention_figure(model: str = "GRU", sentence: str = "the black cat sees the dog .",
                     record: dict | None = None) -> go.Figure:
    """The attention of ``model`` ("GRU" or "Transformer") while it writes its own translation of ``sentence``:
    the GRU's one additive attention, the Transformer's last cross-attention layer averaged over its heads."""
    models = {entry["label"]: entry for entry in _results(record)["models"].values()}
    if model not in models:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(models)}")
    probe = models[model]["probes"].get(sentence)
    if probe is None:
        raise ValueError(f"{sentence!r} is not a probe sentence; choose one of {probe_sentences(record)}")
    which = "one attention" if model == "GRU" else "last layer, mean of heads"
    return cross_attention_map(probe, f"{model} ({which})", "French (as the model writes it)")


#: what :func:`curve_figure` can draw, as a reader picks it -> (the history's key, the axis title, scale)
CURVES = {"validation BLEU": ("valid_bleu", "validation BLEU", 1.0),
          "pronoun accuracy": ("valid_pronouns", "right pronoun, validation (%)", 100.0)}


def curve_figure(measure: str = "validation BLEU", record: dict | None = None) -> go.Figure:
    """``measure`` (one of :data:`CURVES`) at every evaluation during training, for both models: the mean
    over seeds as a line, the band from the lowest seed to the highest around it."""
    if measure not in CURVES:
        raise ValueError(f"unknown measure {measure!r}; choose one of {', '.join(CURVES)}")
    key, title, scale = CURVES[measure]
    fig, said = go.Figure(), []
    for arch, entry in _results(record)["models"].items():
        runs = [[h for h in r["history"] if key in h] for r in entry["runs"]]
        traces, means = seed_band([h["step"] for h in runs[0]], [[scale * h[key] for h in run] for run in runs],
                                  entry["label"], COLORS[arch],
                                  hovertemplate=f"{entry['label']}, step %{{x}}: %{{y:.1f}}<extra></extra>")
        fig.add_traces(traces)
        steps = [h["step"] for h in runs[0]]
        said.append(f"{entry['label']} from {means[0]:.0f} at step {steps[0]} to {means[-1]:.0f} at step {steps[-1]}")
    if key == "valid_pronouns":
        fig.add_hline(y=50, line=dict(color="#555", dash="dash"), annotation_text="coin toss",
                      annotation_position="bottom right", annotation_font_color="#555")
    fig.update_xaxes(title_text="training step")
    fig.update_yaxes(title_text=title, range=[0, 105])
    fig.update_layout(title=f"{measure[0].upper() + measure[1:]} while they train<br><sup>mean over seeds, "
                            f"and the range</sup>",
                      height=400, margin=dict(t=60, l=70, r=20, b=70), legend=dict(orientation="h", y=-0.3),
                      # said in words, since the bands around the lines would read as lines of their own
                      meta=dict(description=f"Mean over seeds: {'; '.join(said)}."))
    return fig
