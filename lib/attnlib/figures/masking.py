"""Scaled dot-product attention step by step, and its masks, on the hand-made word space.

Two figures:

* :func:`steps_figure` walks through scores → scale → mask → softmax → weighted sum
  for one sentence, one panel per intermediate matrix, each titled with its shape;
* :func:`playground_figure` applies one kind of mask (none, padding, causal,
  padding + causal, cross) to a padded batch of two sentences and shows the mask
  beside the weights it produces.

Padding is a zero vector: its key scores 0 against every query, which is exactly
why it gets weight unless a mask hides it.

Shape letters: B batch, T (padded) length, S source length, F = 8 toy features,
Dk = 4 query/key width, Dv = 8 value width.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from attnlib.book.plots import heatmap_trace, label_axes
from attnlib.lessons import toy
from attnlib.model.attention import scaled_dot_product_attention
from attnlib.model.masks import causal_mask, combine, lengths_mask

PAD = "<pad>"
STEP_SENTENCE = "the black cat sat on the mat"
BATCH = ("the black cat sat on the mat", "she read the book")  # different lengths: the second is padded
CROSS_TARGETS = ("it was black", "it was old")  # queries for cross-attention into BATCH
MASK_KINDS = ("none", "padding", "causal", "padding + causal", "cross")
STEP_MASKS = ("none", "causal")

STEPS = (
    "scores = Q Kᵀ",
    "scaled = scores / √d_k",
    "masked = scaled + M",
    "weights = softmax(masked)",
    "values V",
    "output = weights · V",
)
STEP_TEXT = {
    1: "Attention in five steps, step 1 (scores): every query meets every key; one dot product per cell.",
    2: "Attention in five steps, step 2 (scale): divide by √d_k = 2; the scores shrink toward 0 (paler), their ranking is unchanged.",
    3: "Attention in five steps, step 3 (mask): add the mask M: 0 where a query may look, −∞ where it may not (grey cells).",
    4: "Attention in five steps, step 4 (softmax): softmax along each row: e^−∞ = 0, so hidden keys get exactly zero weight; rows sum to 1.",
    5: "Attention in five steps, step 5 (weighted sum): each output row is the weighted average of the value rows V.",
}
SCORE_COLORSCALE = "RdBu_r"
HIDDEN_COLOR = "#c8c8c8"  # what a −∞ cell looks like


# -- inputs ---------------------------------------------------------------------------------


def pad_batch(sentences) -> tuple[list[list[str]], list[int]]:
    """Words of each sentence, right-padded with ``<pad>`` to the longest; and the true lengths."""
    words = [toy.words_of(s) for s in sentences]
    if not words:
        raise ValueError("the batch is empty: give at least one sentence")
    lengths = [len(w) for w in words]
    longest = max(lengths)
    return [w + [PAD] * (longest - len(w)) for w in words], lengths


def embed_padded(padded: list[list[str]]) -> torch.Tensor:
    """Toy features of a padded batch: ``(B, T, F)``; a ``<pad>`` is the zero vector."""
    rows = []
    for words in padded:
        real = [w for w in words if w != PAD]
        x = toy.embed(real) if real else torch.zeros(0, len(toy.FEATURES))  # (T_real, F)
        pads = torch.zeros(len(words) - len(real), len(toy.FEATURES))
        rows.append(torch.cat([x, pads]))  # (T, F)
    return torch.stack(rows)  # (B, T, F)


def make_mask(kind: str, lengths, n_queries: int, n_keys: int) -> torch.Tensor | None:
    """The boolean mask (True = may attend) for ``kind``, shaped ``(B, 1, Tq, Tk)`` or broadcastable to it."""
    if kind not in MASK_KINDS:
        raise ValueError(f"unknown mask kind {kind!r}; choose one of {list(MASK_KINDS)}")
    if kind == "none":
        return None
    if kind == "causal":
        return causal_mask(n_queries, n_keys)  # (1, 1, Tq, Tk)
    padding = lengths_mask(lengths, n_keys)  # (B, 1, 1, Tk)
    if kind == "padding + causal":
        return combine(padding, causal_mask(n_queries, n_keys))  # (B, 1, Tq, Tk)
    return padding  # "padding", and "cross": keys come from a padded source


def batch_attention(kind: str):
    """Self-attention (or cross-attention for ``kind="cross"``) over the toy batch with the given mask.

    Returns a dict with the padded query and key words, the lengths of the key sentences,
    the mask expanded to ``(B, Tq, Tk)`` and the weights ``(B, Tq, Tk)``.
    """
    keys_words, lengths = pad_batch(BATCH)
    queries_words = pad_batch(CROSS_TARGETS)[0] if kind == "cross" else keys_words
    xq, xk = embed_padded(queries_words), embed_padded(keys_words)  # (B, Tq, F), (B, Tk, F)
    q = (xq @ toy.W_Q)[:, None]  # (B, 1, Tq, Dk): one head
    k = (xk @ toy.W_K)[:, None]  # (B, 1, Tk, Dk)
    v = (xk @ toy.W_V)[:, None]  # (B, 1, Tk, Dv)
    tq, tk = q.shape[-2], k.shape[-2]
    mask = make_mask(kind, lengths, tq, tk)
    _, weights = scaled_dot_product_attention(q, k, v, mask, need_weights=True)  # (B, 1, Tq, Tk)
    full = torch.ones(len(BATCH), 1, tq, tk, dtype=torch.bool) if mask is None else mask.expand(len(BATCH), 1, tq, tk)
    return {"queries": queries_words, "keys": keys_words, "lengths": lengths,
            "mask": full[:, 0], "weights": weights[:, 0]}


def leaks(weights: torch.Tensor, lengths, cross: bool = False) -> dict[str, float]:
    """Where real query words put weight they should not.

    ``weights (B, Tq, Tk)``; ``lengths`` are the key sentences' true lengths. Returns

    * ``pad``: the average weight a real word of a *padded* sentence gives to its ``<pad>`` keys;
    * ``future``: the average weight a real word gives to the words after it (0 for cross-attention).
    """
    n_keys = weights.shape[-1]
    pad, future = [], []
    for b, length in enumerate(lengths):
        rows = range(weights.shape[1]) if cross else range(length)
        for i in rows:
            if length < n_keys:
                pad.append(float(weights[b, i, length:].sum()))
            future.append(0.0 if cross else float(weights[b, i, i + 1 : length].sum()))
    mean = lambda xs: sum(xs) / len(xs) if xs else 0.0
    return {"pad": mean(pad), "future": mean(future)}


# -- step by step -----------------------------------------------------------------------------


def attention_steps(sentence: str = STEP_SENTENCE, mask: str = "none") -> dict:
    """Every intermediate tensor of ``softmax(QKᵀ/√d_k + M) V`` for one sentence, without a batch axis."""
    if mask not in STEP_MASKS:
        raise ValueError(f"the step-by-step view knows the masks {list(STEP_MASKS)}, not {mask!r}")
    words = toy.words_of(sentence)
    if len(words) < 2:
        raise ValueError("attention needs at least two words to be interesting; add a word or two")
    q, k, v = toy.queries_keys_values(toy.embed(words))  # (T, Dk), (T, Dk), (T, Dv)
    t = len(words)
    allowed = torch.ones(t, t, dtype=torch.bool) if mask == "none" else causal_mask(t)[0, 0]  # (T, T)
    scores = q @ k.T  # (T, T)
    scaled = scores / math.sqrt(q.shape[-1])  # (T, T)
    additive = torch.zeros(t, t).masked_fill(~allowed, float("-inf"))  # (T, T): M
    masked = scaled + additive  # (T, T)
    weights = torch.softmax(masked, dim=-1)  # (T, T)
    return {"words": words, "Q": q, "K": k, "V": v, "M": additive, "scores": scores, "scaled": scaled,
            "masked": masked, "weights": weights, "output": weights @ v}


def _score_traces(values: torch.Tensor, x_labels, y_labels, zmax: float) -> list[go.Heatmap]:
    """A diverging heatmap of scores, plus a grey layer labelled −∞ over the hidden cells."""
    hidden = torch.isinf(values)
    finite = values.masked_fill(hidden, 0.0)
    trace = heatmap_trace(finite, x_labels, y_labels, zmin=-zmax, zmax=zmax, colorscale=SCORE_COLORSCALE,
                          showscale=False)
    if not hidden.any():
        return [trace]
    rows, cols = values.shape
    overlay = go.Heatmap(
        z=[[1 if hidden[i, j] else None for j in range(cols)] for i in range(rows)],
        x=list(range(cols)), y=list(range(rows)), zmin=0, zmax=1, showscale=False,
        colorscale=[[0.0, HIDDEN_COLOR], [1.0, HIDDEN_COLOR]],
        text=[["−∞" if hidden[i, j] else "" for j in range(cols)] for i in range(rows)], texttemplate="%{text}",
        hovertext=[[f"{y_labels[i]} → {x_labels[j]}: −∞ (hidden)" for j in range(cols)] for i in range(rows)],
        hoverinfo="text",
    )
    return [trace, overlay]


def _blank_trace(rows: int, cols: int) -> go.Heatmap:
    """An empty frame of the right size for a step not reached yet."""
    return go.Heatmap(z=[[None] * cols for _ in range(rows)], x=list(range(cols)), y=list(range(rows)),
                      showscale=False, hoverinfo="skip")


def steps_figure(step: int = 5, mask: str = "none", sentence: str = STEP_SENTENCE) -> go.Figure:
    """The intermediate matrices of attention up to ``step`` (1-5), side by side, each titled with its shape."""
    if step not in STEP_TEXT:
        raise ValueError(f"step must be one of 1, 2, 3, 4, 5, got {step!r}")
    s = attention_steps(sentence, mask)
    words, t = s["words"], len(s["words"])
    d_v = s["V"].shape[-1]
    shapes = [(t, t)] * 4 + [(t, d_v), (t, d_v)]
    first_step_of_panel = (1, 2, 3, 4, 5, 5)
    titles = [(f"<b>{name}</b>" if first_step_of_panel[i] == step else name) + f"  {shape}"
              if first_step_of_panel[i] <= step else f"<span style='color:#767676'>{name}</span>"
              for i, (name, shape) in enumerate(zip(STEPS, shapes))]
    # The weights' colours run from 0 to this state's largest weight: unmasked weights spread over 7 keys
    # are all small, and on a 0-1 scale they would be nearly white.
    wmax = float(s["weights"].max())
    if step >= 4:
        titles[3] += f"<br>colours: 0 to {wmax:.2f}"
    fig = make_subplots(rows=2, cols=3, subplot_titles=titles, horizontal_spacing=0.09, vertical_spacing=0.24)
    fig.update_annotations(yshift=52, font_size=12)  # the panel titles, above the word labels
    zmax = float(s["scores"].abs().max()) or 1.0
    panels = [
        (s["scores"], "score"), (s["scaled"], "score"), (s["masked"], "score"),
        (s["weights"], "weight"), (s["V"], "feature"), (s["output"], "feature"),
    ]
    for i, (values, kind) in enumerate(panels):
        row, col = divmod(i, 3)
        row, col = row + 1, col + 1
        x_labels = list(toy.FEATURES) if kind == "feature" else words
        if first_step_of_panel[i] > step:  # not reached yet
            fig.add_trace(_blank_trace(*values.shape), row=row, col=col)
        elif kind == "score":
            for trace in _score_traces(values, x_labels, words, zmax):
                fig.add_trace(trace, row=row, col=col)
        else:
            top = round(wmax, 4) if kind == "weight" else 1.0  # values and outputs: features, 0 to 1
            # eight feature columns in a third of the width: one decimal fits a cell in 10 px type
            fmt = ".1f" if kind == "feature" else ".2f"
            fig.add_trace(heatmap_trace(values, x_labels, words, showscale=False, zmax=top, value_format=fmt),
                          row=row, col=col)
        label_axes(fig, x_labels, words, row=row, col=col, x_title="", y_title="")
        if first_step_of_panel[i] > step:  # an empty frame cannot autorange: give it the matrix's extent
            fig.update_xaxes(range=[-0.5, values.shape[1] - 0.5], autorange=False, row=row, col=col)
            fig.update_yaxes(range=[values.shape[0] - 0.5, -0.5], autorange=False, row=row, col=col)
    fig.update_xaxes(tickangle=-60, tickfont=dict(size=10))
    fig.update_yaxes(tickfont=dict(size=10))
    fig.update_traces(textfont=dict(size=10))
    fig.update_layout(
        title=dict(text=STEP_TEXT[step] + ("" if mask == "none" else "  (causal mask)"), font=dict(size=13)),
        height=800, margin=dict(t=150, l=70, r=20, b=30),
    )
    return fig


# -- the mask playground ----------------------------------------------------------------------

PLAYGROUND_TEXT = {
    "none": "No mask: every word sees every key, <pad> and future words included.",
    "padding": "Padding mask, (B, 1, 1, T): no query may look at a <pad> key.",
    "causal": "Causal mask, (1, 1, T, T): each word sees itself and the words before it.",
    "padding + causal": "Padding AND causal, (B, 1, T, T): a decoder's self-attention on a padded batch.",
    "cross": "Cross-attention: queries from the target, keys from the padded source; only <pad> keys are hidden.",
}
MASK_COLORSCALE = [[0.0, "#f2f2f2"], [1.0, "#a1d99b"]]


def playground_figure(kind: str = "padding") -> go.Figure:
    """The mask (green = may attend) and the weights it gives, for both sentences of the padded batch."""
    r = batch_attention(kind)  # raises ValueError for an unknown kind
    cross = kind == "cross"
    lk = leaks(r["weights"], r["lengths"], cross=cross)
    # Both sentences' weights share one colour range, 0 to the largest weight shown: small weights
    # must stand out from the zeros the mask makes.
    wmax = round(float(max(w.max() for w in r["weights"])), 4)
    titles = []
    for b, length in enumerate(r["lengths"]):
        pads = len(r["keys"][b]) - length
        name = f"sentence {b + 1}" + (f" (+{pads} pad)" if pads else "")
        titles += [f"{name}: mask", f"{name}: weights<br>colours: 0 to {wmax:.2f}"]
    fig = make_subplots(rows=2, cols=2, subplot_titles=titles, horizontal_spacing=0.14, vertical_spacing=0.22)
    fig.update_annotations(yshift=48, font_size=12)  # the panel titles, above the word labels
    for b in range(len(BATCH)):
        qw, kw = r["queries"][b], r["keys"][b]
        m = r["mask"][b].float()
        mask_trace = heatmap_trace(m, kw, qw, colorscale=MASK_COLORSCALE, show_values=False, showscale=False)
        mask_trace.update(
            text=[["✓" if v else "" for v in row] for row in r["mask"][b].tolist()], texttemplate="%{text}",
            hovertext=[[f"{qw[i]} → {kw[j]}: " + ("may attend" if r["mask"][b, i, j] else "hidden")
                        for j in range(len(kw))] for i in range(len(qw))],
        )
        fig.add_trace(mask_trace, row=b + 1, col=1)
        fig.add_trace(heatmap_trace(r["weights"][b], kw, qw, showscale=False, zmax=wmax), row=b + 1, col=2)
        for col in (1, 2):
            label_axes(fig, kw, qw, row=b + 1, col=col, x_title="", y_title="")
    fig.update_xaxes(tickangle=-50, tickfont=dict(size=10))
    fig.update_yaxes(tickfont=dict(size=10))
    fig.update_traces(textfont=dict(size=10))
    summary = f"average weight a real word of the padded sentence gives to <pad>: {lk['pad']:.2f}"
    if not cross:
        summary += f"  ·  a real word gives to later words: {lk['future']:.2f}"
    fig.update_layout(title=dict(text=PLAYGROUND_TEXT[kind] + "<br><sup>" + summary + "</sup>", font=dict(size=13)),
                      height=820, margin=dict(t=150, l=70, r=20, b=30))
    return fig
