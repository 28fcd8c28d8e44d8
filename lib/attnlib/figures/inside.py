"""Inside the trained translator: which heads align, how maps form during training, what ablations break.

* :func:`alignment_heatmap` — alignment accuracy of every cross-attention head (layers × heads).
* :func:`phenomenon_figure` — one head's alignment accuracy on the pairs of each phenomenon.
* :func:`snapshot_figure` — the cross-attention map of a fixed sentence at one evaluation step of
  training (the checkpoint's ``meta["history"][i]["attention"]``).
* :func:`ablation_curves`, :func:`ablation_scores` — the baseline against its ablations, over several seeds
  (``data/experiments/ablation.json``, written by ``python -m attnlib.translation experiment ablation``);
* :func:`ablation_map`, :func:`translations` — what one seed of each writes and where it looks
  (``data/ablations/*.json``, written by ``python -m attnlib.translation ablation``).

Shape letters: L decoder layers, H heads, T target length, S source length.
"""

from __future__ import annotations

from functools import lru_cache

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from attnlib.book.plots import attention_figure, heatmap_trace, label_axes, seed_band, tag_labels
from attnlib.translation.ablation import load_results
from attnlib.translation.alignment import HeadHits, baseline_accuracy, head_hits, sample_pairs
from attnlib.translation.corpus import load_split
from attnlib.translation.experiments import load
from attnlib.translation.experiments.record import show_spread
from attnlib.translation.vocab import sentence_text
from .decoding import translator

ALIGNMENT_PAIRS = 600  # a seeded subset of the test split: enough for stable percentages, fast to score
# blue, red and orange: apart for every common colour-vision deficiency (red and green were not)
COLORS = {"baseline": "#1f77b4", "no_positions": "#d62728", "no_scaling": "#ff7f0e"}


# -- which heads align -----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def head_table() -> HeadHits:
    """Alignment hits of every cross-attention head of the book's translator on a seeded test subset."""
    return head_hits(translator(), sample_pairs(load_split("test"), ALIGNMENT_PAIRS, seed=0))


@lru_cache(maxsize=1)
def _alignment_pairs() -> tuple:
    return tuple(p for p in sample_pairs(load_split("test"), ALIGNMENT_PAIRS, seed=0) if p.alignment)


@lru_cache(maxsize=1)
def diagonal_baseline() -> float:
    """What a head that looks straight down the diagonal scores on the pairs of :func:`head_table`:
    the level a head must beat to have learned anything about word order."""
    return baseline_accuracy(_alignment_pairs(), "diagonal")


@lru_cache(maxsize=1)
def diagonal_baselines() -> dict[str, float]:
    """:func:`diagonal_baseline` on the pairs that carry each phenomenon tag."""
    tags = dict.fromkeys(t for p in _alignment_pairs() for t in p.phenomena)
    return {t: baseline_accuracy([p for p in _alignment_pairs() if t in p.phenomena], "diagonal") for t in tags}


# Below the baseline red, at it white, above it blue: the colour says "better or worse than the diagonal".
# Red against blue (ColorBrewer's RdBu ends), not against green: readers with a red-green deficiency tell them apart.
BASELINE_COLORSCALE = [[0.0, "#b2182b"], [0.5, "#f7f7f7"], [1.0, "#2166ac"]]
GAIN, LOSS = "#4393c3", "#de2d26"  # the bars of a head above and below the baseline


def head_label(layer: int, head: int) -> str:
    """1-based label of a head: ``"layer 1 · head 2"`` for (0, 1)."""
    return f"layer {layer + 1} · head {head + 1}"


def head_labels(table: HeadHits | None = None) -> list[str]:
    table = table or head_table()
    return [head_label(li, h) for li in range(len(table.layers)) for h in range(table.n_heads)]


def alignment_heatmap(table: HeadHits | None = None, baseline: float | None = None) -> go.Figure:
    """Alignment accuracy of every cross-attention head: one row per decoder layer, one column per head.

    The colours are anchored at ``baseline`` (white; by default :func:`diagonal_baseline`, the level of
    a head that looks straight down the diagonal): blue heads beat it, red ones fall short. The scale
    reaches as far either side as the farthest head, so that differences of a few points show.
    """
    table = table or head_table()
    baseline = diagonal_baseline() if baseline is None else float(baseline)
    acc = table.accuracy()  # (L, H)
    layers = [f"layer {i + 1}" for i in range(acc.shape[0])]
    heads = [f"head {h + 1}" for h in range(acc.shape[1])]
    reach = max(float((acc - baseline).abs().max()), 0.01)
    fig = go.Figure(heatmap_trace(acc, heads, layers, colorscale=BASELINE_COLORSCALE,
                                  zmin=round(baseline - reach, 4), zmax=round(baseline + reach, 4)))
    ticks = [baseline - reach, baseline, baseline + reach]
    fig.update_traces(text=[[f"{100 * v:.1f}%" for v in row] for row in acc.tolist()], colorbar=dict(
        title=dict(text="accuracy; no<br>colour: the<br>diagonal rule", side="top"), len=1.1, lenmode="fraction",
        tickvals=[round(t, 4) for t in ticks], ticktext=[f"{100 * t:.0f}%" for t in ticks]))
    label_axes(fig, heads, layers, x_title="head", y_title="decoder layer")
    layer, head, best = table.best_head()
    fig.update_layout(title=f"How often each head's strongest weight hits a gold-aligned English word<br>"
                            f"<sup>best: {head_label(layer, head)}, {100 * best:.1f}% of {int(table.counted.sum())} "
                            f"French tokens in {len(table.counted)} test pairs</sup>",
                      height=260 + 60 * acc.shape[0], margin=dict(t=150, l=90, r=20, b=20))
    return fig


def _parse_head(label: str, table: HeadHits) -> tuple[int, int]:
    try:
        layer_part, head_part = (p.strip() for p in label.split("·"))
        layer, head = int(layer_part.removeprefix("layer ")) - 1, int(head_part.removeprefix("head ")) - 1
    except ValueError:
        raise ValueError(f"unknown head {label!r}: write it as 'layer 1 · head 2'") from None
    if not (0 <= layer < len(table.layers) and 0 <= head < table.n_heads):
        raise ValueError(f"the translator has {len(table.layers)} decoder layers of {table.n_heads} heads; "
                         f"{label!r} is not one of them")
    return layer, head


def phenomenon_figure(head: str) -> go.Figure:
    """Alignment accuracy of ``head`` on the test pairs of each phenomenon; the best head as dots.

    Each bar starts at the diagonal baseline of its phenomenon's pairs (grey dash): its length is what
    the head gains over looking straight down the diagonal (red when it falls short). The axis spans
    the values of every head, the same for each, so switching heads compares like with like.
    """
    table = head_table()
    layer, h = _parse_head(head, table)
    scores = table.by_phenomenon(layer, h)
    best_layer, best_head, _ = table.best_head()
    best = table.by_phenomenon(best_layer, best_head)
    base = diagonal_baselines()
    counts = table.counts()
    tags = list(scores)
    overall = float(table.accuracy()[layer, h])
    every = [v for li in range(len(table.layers)) for hh in range(table.n_heads)
             for v in table.by_phenomenon(li, hh).values()] + [base[t] for t in tags]
    low, high = min(every), max(every)
    pad = 0.08 * (high - low)
    gain = [scores[t] - base[t] for t in tags]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=tags, y=[round(g, 4) for g in gain], base=[round(base[t], 4) for t in tags], name=head,
                         marker_color=[GAIN if g >= 0 else LOSS for g in gain],
                         customdata=[[round(scores[t], 4), round(base[t], 4), counts[t]] for t in tags],
                         hovertemplate="%{x}: %{customdata[0]:.1%} (diagonal %{customdata[1]:.1%}), "
                                       "%{customdata[2]} pairs<extra></extra>"))
    fig.add_trace(go.Scatter(x=tags, y=[round(base[t], 4) for t in tags], mode="markers", name="diagonal baseline",
                             marker=dict(color="#555", size=22, symbol="line-ew", line=dict(width=3, color="#555")),
                             hovertemplate="%{x}: diagonal baseline %{y:.1%}<extra></extra>"))
    fig.add_trace(go.Scatter(x=tags, y=[round(best[t], 4) for t in tags], mode="markers", name="best head",
                             marker=dict(color="#08519c", size=9, symbol="diamond")))
    fig.add_trace(go.Scatter(x=tags, y=[round(overall, 4)] * len(tags), mode="lines", name=f"{head}, all pairs",
                             line=dict(color="#555", dash="dash")))
    tag_labels(fig, tags, axis="x")
    fig.update_yaxes(range=[round(low - pad, 4), round(min(high + 2 * pad, 1.0 + pad), 4)], tickformat=".0%",
                     title_text="alignment accuracy<br>(bars start at the diagonal)")
    fig.update_layout(title=dict(text=f"{head}: {100 * overall:.1f}% overall; per phenomenon", y=0.98, yanchor="top"),
                      height=480, margin=dict(t=110, b=90), legend=dict(orientation="h", y=-0.3))
    return fig


# -- maps over training ----------------------------------------------------------------------------

def _history() -> list[dict]:
    history = [h for h in translator().meta.get("history", []) if h.get("attention")]
    if not history:
        raise ValueError("this checkpoint has no attention snapshots from training (meta['history'])")
    return history


def snapshot_steps() -> list[int]:
    """Training steps at which the checkpoint recorded attention snapshots."""
    return [h["step"] for h in _history()]


def snapshot_sentences() -> list[str]:
    return list(_history()[-1]["attention"])


def mean_row_entropy(weights) -> float:
    """Average entropy (in nats) of the rows of an attention map: high when blurred, 0 when each row is one-hot."""
    import torch

    w = torch.as_tensor(weights, dtype=torch.float32).clamp_min(1e-12)  # (T, S)
    return float(-(w * w.log()).sum(-1).mean())


def snapshot_entropies(sentence: str) -> list[float]:
    """:func:`mean_row_entropy` of ``sentence``'s snapshot at every recorded step."""
    return [mean_row_entropy(h["attention"][sentence]["weights"]) for h in _history() if sentence in h["attention"]]


def cross_attention_map(record: dict, label: str, french_title: str) -> go.Figure:
    """A recorded cross-attention map ``{"weights" (T, S), "source", "target"}``, titled with its translation."""
    text = sentence_text(record["target"])
    fig = attention_figure(record["weights"], record["source"], record["target"], title=f"{label}: “{text}”")
    fig.update_layout(title=dict(y=0.98, yanchor="top"), height=200 + 28 * max(len(record["target"]), 8),
                      margin=dict(t=150, l=110, r=20, b=20))
    fig.update_xaxes(title_text="English")
    fig.update_yaxes(title_text=french_title)
    return fig


def snapshot_figure(sentence: str, step: int) -> go.Figure:
    """Last-layer cross-attention (mean over heads) of ``sentence`` as the model stood at ``step``."""
    records = {h["step"]: h for h in _history()}
    if step not in records:
        raise ValueError(f"no snapshot at step {step}; snapshots were taken at steps {sorted(records)}")
    snap = records[step]["attention"].get(sentence)
    if snap is None:
        raise ValueError(f"no snapshot of {sentence!r}; the checkpoint has {snapshot_sentences()}")
    bleu = records[step].get("valid_bleu")
    score = f" (validation BLEU {bleu:.1f})" if bleu is not None else ""
    return cross_attention_map(snap, f"step {step}{score}", "French (as written at that step)")


# -- ablations ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def ablation_results() -> dict[str, dict]:
    return load_results()


def ablation_record() -> dict:
    """The ablations trained with several seeds (``data/experiments/ablation.json``)."""
    return load("ablation")


#: the measures :func:`ablation_curves` draws: the history's key -> the panel's title
ABLATION_CURVES = {"loss": "training loss", "valid_bleu": "validation BLEU"}


def ablation_curves(record: dict | None = None) -> go.Figure:
    """Training loss and validation BLEU against the step, for the baseline and each ablation: the mean over
    seeds as a line, the band from the lowest seed to the highest around it."""
    record = record or ablation_record()
    results, seeds = record["results"], len(record["settings"]["seeds"])
    fig = make_subplots(rows=1, cols=2, subplot_titles=tuple(ABLATION_CURVES.values()), horizontal_spacing=0.1)
    said = []
    for key, r in results.items():
        ends = []
        for col, measure in enumerate(ABLATION_CURVES, start=1):
            runs = [[h for h in run["history"] if h.get(measure) is not None] for run in r["runs"]]
            traces, means = seed_band([h["step"] for h in runs[0]], [[h[measure] for h in run] for run in runs],
                                      r["label"], COLORS.get(key, "#555"), legendgroup=key, showlegend=col == 1)
            for trace in traces:
                fig.add_trace(trace, row=1, col=col)
            ends.append(means[-1])
        said.append(f"{r['label']} ends at a loss of {ends[0]:.2f} and a validation BLEU of {ends[1]:.0f}")
    fig.update_xaxes(title_text="training step")
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(range=[0, 100], row=1, col=2)
    fig.update_layout(title=f"The ablated models while they train<br><sup>mean over {seeds} seeds, and the "
                            f"range</sup>", height=420, margin=dict(t=90, b=40), legend=dict(orientation="h", y=-0.2),
                      # said in words, since the bands around the lines would read as lines of their own
                      meta=dict(description=f"Mean over {seeds} seeds: {'; '.join(said)}."))
    return fig


def ablation_scores(record: dict | None = None) -> list[tuple[str, str, str, str]]:
    """(label, test BLEU, exact match %, pronoun accuracy %) of each variant: mean ± sd (lowest–highest seed)."""
    results = (record or ablation_record())["results"]
    return [(r["label"], show_spread(r["bleu"]), show_spread(r["exact_match"], scale=100),
             show_spread(r["pronouns"], scale=100)) for r in results.values()]


def probe_sentences(results: dict[str, dict] | None = None) -> list[str]:
    """Sentences every variant recorded (the baseline's order)."""
    results = results or ablation_results()
    first = next(iter(results.values()))
    return [s for s in first["probes"] if all(s in r["probes"] for r in results.values())]


def ablation_map(variant: str, sentence: str) -> go.Figure:
    """The final cross-attention map (last layer, mean over heads) of one variant (key or label) on one probe."""
    results = ablation_results()
    by_label = {r["label"]: key for key, r in results.items()}
    variant = by_label.get(variant, variant)
    if variant not in results:
        raise ValueError(f"no ablation called {variant!r}; there are {list(by_label)}")
    probe = results[variant]["probes"].get(sentence)
    if probe is None:
        raise ValueError(f"{sentence!r} is not a probe sentence; choose one of {probe_sentences(results)}")
    return cross_attention_map(probe, results[variant]["label"], "French (as the model writes it)")


def translations(results: dict[str, dict] | None = None, sentences=None) -> list[tuple[str, str, str]]:
    """(variant label, English, the variant's French) for each variant and probe sentence."""
    results = results or ablation_results()
    sentences = sentences or probe_sentences(results)
    return [(r["label"], s, sentence_text(r["probes"][s]["target"]))
            for r in results.values() for s in sentences if s in r["probes"]]
