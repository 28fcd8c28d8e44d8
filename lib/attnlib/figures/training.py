"""Figures of training: label smoothing, the learning-rate schedule, loss and BLEU curves, scores.

* :func:`label_smoothing_figure`: the smoothed target distribution, and the loss as a function of the
  model's confidence (its minimum moves from 1 to ``1 - ε + ε/V``);
* :func:`schedule_figure`: :func:`attnlib.translation.train.lr_at` for a warm-up length and a peak rate;
* :func:`history_figure`: training loss and validation BLEU of a run's history;
* :class:`LiveCurve`: an ``on_eval`` callback that redraws :func:`history_figure` during a live run;
* :func:`phenomenon_figure`: exact-match accuracy per phenomenon, one bar group per split.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from attnlib.book.plots import tag_labels
from attnlib.lessons.smoothing import best_confidence, smoothed_targets
from attnlib.translation.corpus import HELD_OUT_TAGS, PHENOMENA, Pair
from attnlib.translation.train import TRAIN_PRESETS, TrainConfig, lr_at

#: A ten-token French vocabulary for the label-smoothing picture (the real one has 837 tokens).
TOY_VOCAB = ("<pad>", "<bos>", "<eos>", "<unk>", "le", "chat", "chien", "noir", "voit", ".")
TOY_TARGET = "chat"
SMOOTHING_VALUES = (0.0, 0.05, 0.1, 0.2, 0.4)
WARMUP_VALUES = (25, 50, 100, 150, 300, 600)
PEAK_VALUES = (3e-4, 1e-3, 2e-3, 3e-3)
SCHEDULE_STEPS = 1500


# -- label smoothing ----------------------------------------------------------------------------


def smoothed_loss_curve(p_right: list[float], vocab_size: int, epsilon: float) -> list[float]:
    """Smoothed cross-entropy when the model gives ``p`` to the right token and spreads ``1 - p`` evenly."""
    q_right = 1 - epsilon + epsilon / vocab_size
    q_other = epsilon / vocab_size
    out = []
    for p in p_right:
        p_other = (1 - p) / (vocab_size - 1)
        loss = -q_right * math.log(p)
        if q_other > 0:
            loss -= (vocab_size - 1) * q_other * math.log(p_other) if p_other > 0 else -math.inf
        out.append(loss)
    return out


def label_smoothing_figure(epsilon: float = 0.1) -> go.Figure:
    """Left: the target distribution for the word "chat". Right: the loss against the model's confidence."""
    if not 0.0 <= epsilon < 1.0:
        raise ValueError(f"ε = {epsilon} is not in [0, 1): it is the share of probability moved off the right token")
    V = len(TOY_VOCAB)
    q = smoothed_targets([TOY_VOCAB.index(TOY_TARGET)], V, epsilon, pad_id=None)[0]  # (V,)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12, subplot_titles=(
        f"target distribution for “{TOY_TARGET}” (V = {V})", "loss against p(right token)"))
    colors = ["#d62728" if t == TOY_TARGET else "#1f77b4" for t in TOY_VOCAB]
    fig.add_trace(go.Bar(x=list(TOY_VOCAB), y=[round(v, 4) for v in q.tolist()], marker_color=colors,
                         text=[f"{v:.3f}" for v in q.tolist()], textposition="outside", showlegend=False,
                         hovertemplate="%{x}: %{y:.4f}<extra></extra>"), row=1, col=1)
    fig.update_yaxes(range=[0, 1.15], title_text="probability", row=1, col=1)
    ps = [round(0.3 + 0.7 * k / 140, 4) for k in range(1, 141)]
    ps[-1] = 0.9999  # log(0) for the others at p = 1
    losses = smoothed_loss_curve(ps, V, epsilon)
    fig.add_trace(go.Scatter(x=ps, y=[round(v, 4) for v in losses], mode="lines", showlegend=False,
                             line=dict(color="#1f77b4"), hovertemplate="p=%{x:.3f}: loss %{y:.3f}<extra></extra>"),
                  row=1, col=2)
    best = best_confidence(V, epsilon) if epsilon > 0 else 0.9999
    best_loss = smoothed_loss_curve([best], V, epsilon)[0]
    fig.add_trace(go.Scatter(x=[best], y=[round(best_loss, 4)], mode="markers+text", showlegend=False,
                             marker=dict(color="#d62728", size=10), text=[f"minimum at p = {best:.3f}"],
                             textposition="bottom left", cliponaxis=False), row=1, col=2)  # under the curve: free
    # no tick at 0.3: in a narrow column its label would meet the y axis's 0 in the corner
    fig.update_xaxes(title_text="probability the model gives the right token", range=[0.3, 1.0],
                     tickvals=[0.4, 0.6, 0.8, 1.0], row=1, col=2)
    fig.update_yaxes(title_text="loss", range=[0, 2.5], row=1, col=2)
    fig.update_layout(title=f"label smoothing ε = {epsilon:g}: the right token keeps 1 − ε + ε/V = "
                            f"{1 - epsilon + epsilon / V:.3f}, every token gets ε/V = {epsilon / V:.3f}",
                      height=420, margin=dict(t=90, b=50))
    return fig


# -- the learning-rate schedule ---------------------------------------------------------------


def warmup_values() -> list[int]:
    """The warm-up lengths the schedule demo offers: :data:`WARMUP_VALUES` and the CPU preset's."""
    return sorted({*WARMUP_VALUES, TRAIN_PRESETS["cpu"].warmup})


def peak_values() -> list[float]:
    """The peak learning rates the schedule demo offers: :data:`PEAK_VALUES` and the CPU preset's."""
    return sorted({*PEAK_VALUES, TRAIN_PRESETS["cpu"].lr})


def schedule(warmup: int, peak_lr: float, steps: int = SCHEDULE_STEPS) -> list[float]:
    """``lr_at(step)`` for steps 1..steps with this warm-up and peak."""
    if warmup < 1:
        raise ValueError(f"warm-up must last at least 1 step, got {warmup}")
    if not 0 < peak_lr <= 1:
        raise ValueError(f"the peak learning rate must be in (0, 1], got {peak_lr}")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    cfg = TrainConfig(lr=peak_lr, warmup=warmup)
    return [lr_at(s, cfg) for s in range(1, steps + 1)]


def schedule_figure(warmup: int | None = None, peak_lr: float | None = None, steps: int = SCHEDULE_STEPS) -> go.Figure:
    """The warm-up schedule (by default the CPU preset's), with the CPU preset's schedule in grey for comparison."""
    preset = TRAIN_PRESETS["cpu"]
    warmup = preset.warmup if warmup is None else warmup
    peak_lr = preset.lr if peak_lr is None else peak_lr
    lrs = schedule(warmup, peak_lr, steps)
    reference = schedule(preset.warmup, preset.lr, steps)
    every = max(1, steps // 75)  # keep the page light: ~75 points a line (the curve is smooth)
    xs = sorted({*range(1, steps + 1, every), min(warmup, steps), min(preset.warmup, steps)})  # peaks included
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=xs, y=[round(reference[s - 1], 7) for s in xs], mode="lines",
                             name=f"cpu preset (warm-up {preset.warmup}, peak {preset.lr:g})",
                             line=dict(color="#d0d0d0", width=9)))  # a wide band: it shows even under the blue line
    fig.add_trace(go.Scatter(x=xs, y=[round(lrs[s - 1], 7) for s in xs], mode="lines",
                             name=f"warm-up {warmup}, peak {peak_lr:g}", line=dict(color="#1f77b4", width=3)))
    fig.add_trace(go.Scatter(x=[warmup], y=[peak_lr], mode="markers", marker=dict(color="#d62728", size=9),
                             name="peak: end of warm-up"))
    fig.update_layout(title="learning rate: linear warm-up, then decay as 1/√step", xaxis_title="step",
                      yaxis_title="learning rate", yaxis=dict(range=[0, 1.07 * max(peak_values())], exponentformat="e"),
                      height=500, margin=dict(t=60, b=40), legend=dict(x=0.55, y=0.98))
    return fig


# -- training curves ----------------------------------------------------------------------------


def history_figure(history: list[dict], title: str = "training") -> go.Figure:
    """Smoothed training loss (left) and validation BLEU (right) at every evaluation of a run."""
    if not history:
        raise ValueError("the history is empty: nothing has been evaluated yet")
    steps = [r["step"] for r in history]
    seconds = [r.get("train_seconds", float("nan")) for r in history]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=("training loss (smoothed)", "validation BLEU (greedy decoding)"))
    hover = "step %{x}<br>%{y}<br>%{customdata:.0f} s of training<extra></extra>"
    fig.add_trace(go.Scatter(x=steps, y=[r["loss"] for r in history], mode="lines+markers", customdata=seconds,
                             hovertemplate=hover, showlegend=False), row=1, col=1)
    if any("valid_bleu" in r for r in history):
        fig.add_trace(go.Scatter(x=steps, y=[r.get("valid_bleu") for r in history], mode="lines+markers",
                                 customdata=seconds, hovertemplate=hover, showlegend=False,
                                 line=dict(color="#2ca02c")), row=1, col=2)
    fig.update_xaxes(title_text="step", rangemode="tozero")
    fig.update_yaxes(title_text="loss", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="BLEU", range=[0, 100], row=1, col=2)
    fig.update_annotations(yshift=12)  # the panel titles, clear of the top tick label ("100")
    fig.update_yaxes(ticklabelstandoff=6)  # the two axes' "0" labels apart at the corner
    fig.update_layout(title=title, height=390, margin=dict(t=90, b=40))
    return fig


class LiveCurve:
    """An ``on_eval`` callback for :func:`attnlib.translation.train.train` that redraws the curves in a notebook.

    Use :func:`live_curve`, which gives ``None`` (no callback) in the book build, where nothing
    can update after the page is written.
    """

    def __init__(self, title: str = "training (live)"):
        from IPython.display import display

        from attnlib.book.display import LiveFigure

        self.title = title
        self.figure = LiveFigure()
        display(self.figure.widget)

    def __call__(self, history: list[dict], translator=None) -> None:  # train() passes its translator too
        self.figure.draw(history_figure(history, f"{self.title}: step {history[-1]['step']}"))


def live_curve(title: str = "training (live)") -> LiveCurve | None:
    from attnlib.book.display import in_book_build

    return None if in_book_build() else LiveCurve(title)


# -- scores ------------------------------------------------------------------------------------


def phenomenon_figure(per_split: dict[str, dict[str, float]]) -> go.Figure:
    """Exact-match accuracy (%) per phenomenon tag, one bar per split."""
    if not per_split:
        raise ValueError("no scores to show")
    known = [t for t in (*PHENOMENA, *HELD_OUT_TAGS) if any(t in s for s in per_split.values())]
    fig = go.Figure()
    for name, scores in per_split.items():
        # each bar says its value: a 0% bar and a split with no such pairs would both draw nothing
        fig.add_trace(go.Bar(y=known, x=[round(100 * scores[t], 1) if t in scores else 0 for t in known],
                             text=[f"{100 * scores[t]:.0f}%" if t in scores else "no pairs" for t in known],
                             textposition="outside", cliponaxis=False, name=name, orientation="h",
                             hovertemplate="%{y}: %{x:.1f}% exactly right<extra>" + name + "</extra>"))
    fig.update_layout(title="sentences translated exactly right, per phenomenon", barmode="group",
                      xaxis=dict(title="% exact match", range=[0, 118], tickvals=[0, 20, 40, 60, 80, 100]),
                      yaxis=dict(autorange="reversed"),
                      height=120 + 22 * len(known) * len(per_split),
                      margin=dict(t=60, l=190, r=20, b=40), legend=dict(orientation="h", y=-0.12))
    tag_labels(fig, known)
    return fig


#: Above this many parameters a model on the CPU is scored on a sample of each split, to keep a page fast.
CPU_SCORING_PARAMETERS = 5_000_000
SCORING_SAMPLE = 300


def pairs_to_score(pairs: list[Pair], translator, sample: int = SCORING_SAMPLE, seed: int = 0) -> list[Pair]:
    """All of ``pairs``, or for a large model on the CPU a seeded sample of ``sample`` of them (in file order)."""
    large = translator.model.num_parameters() > CPU_SCORING_PARAMETERS
    if translator.device.type != "cpu" or not large or len(pairs) <= sample:
        return list(pairs)
    import random

    keep = sorted(random.Random(seed).sample(range(len(pairs)), sample))
    return [pairs[i] for i in keep]


def wrong_translations(pairs: list[Pair], hypotheses: list[str], tag: str | None = None, n: int = 3) -> list[tuple]:
    """Up to ``n`` (english, reference, hypothesis) triples the model got wrong, shortest first."""
    if len(pairs) != len(hypotheses):
        raise ValueError(f"{len(pairs)} pairs but {len(hypotheses)} translations")
    wrong = [(p.src, p.tgt, h) for p, h in zip(pairs, hypotheses)
             if h != p.tgt and (tag is None or tag in p.phenomena)]
    return sorted(wrong, key=lambda t: (len(t[0].split()), t[0]))[:n]


def first_difference(reference: str, hypothesis: str) -> int:
    """Index of the first word where the hypothesis departs from the reference (its length if it is a prefix)."""
    ref, hyp = reference.split(), hypothesis.split()
    for k, word in enumerate(hyp):
        if k >= len(ref) or word != ref[k]:
            return k
    return len(hyp)


def mark_difference(reference: str, hypothesis: str) -> str:
    """The hypothesis with its first word that differs from the reference in ``[brackets]``."""
    hyp = hypothesis.split()
    k = first_difference(reference, hypothesis)
    if k < len(hyp):
        return " ".join(hyp[:k] + [f"[{hyp[k]}]"] + hyp[k + 1:])
    return hypothesis + (" [… stops early]" if len(hyp) < len(reference.split()) else "")


MISTAKE_KINDS = ("word ending", "word order", "word missing", "words added", "other words")


def mistake_kind(reference: str, hypothesis: str) -> str:
    """A rough label for how a wrong translation differs from its reference (one of :data:`MISTAKE_KINDS`).

    * word ending: same length, every differing word shares its first three letters with the right one
      (*heureux* for *heureuses*);
    * word order: the same words in another order;
    * word missing / words added: shorter / longer than the reference;
    * other words: same length, some word replaced by an unrelated one.
    """
    ref, hyp = reference.split(), hypothesis.split()
    if ref == hyp:
        raise ValueError("the translation is right: there is no mistake to classify")
    if sorted(ref) == sorted(hyp):
        return "word order"
    if len(hyp) < len(ref):
        return "word missing"
    if len(hyp) > len(ref):
        return "words added"
    if all(r[:3] == h[:3] for r, h in zip(ref, hyp) if r != h):
        return "word ending"
    return "other words"


def mistake_counts(pairs: list[Pair], hypotheses: list[str], tag: str | None = None) -> dict[str, int]:
    """How many wrong translations (of pairs with ``tag``) fall into each of :data:`MISTAKE_KINDS`."""
    counts = dict.fromkeys(MISTAKE_KINDS, 0)
    if len(pairs) != len(hypotheses):
        raise ValueError(f"{len(pairs)} pairs but {len(hypotheses)} translations")
    for p, h in zip(pairs, hypotheses):
        if h != p.tgt and (tag is None or tag in p.phenomena):
            counts[mistake_kind(p.tgt, h)] += 1
    return counts
