"""Multi-head attention made visible: how heads split the features, and what each head looks at.

* :func:`split_figure` draws ``(B, T, D) → (B, T, H, Dh) → (B, H, T, Dh)`` for one short
  sentence, every feature coloured by the head it goes to, and shows what goes wrong
  when the transpose is skipped.
* :func:`heads_figure` shows the per-head attention maps of a hand-set
  :class:`~attnlib.model.multihead.MultiHeadAttention` for H = 1, 2, 4 or 8 heads.
* :func:`mixing_figure` shows what ``W^O`` does: in :func:`mixing_attention`, the two-head layer with
  a ``W^V`` and a ``W^O`` that are not the identity, it adds what the two heads found.

The hand-set layer. A word enters as ``D = 16`` numbers: its 8 toy features
(:mod:`attnlib.lessons.toy`) followed by a one-hot code of its position (sentences of at
most 8 words). ``W^Q`` and ``W^K`` map them to 16 query/key numbers laid out as
eight *relations* of two numbers each, in this order:

=====  ====================  ============================================================
dims   relation              how
=====  ====================  ============================================================
0-1    previous word         position p → an arrow at (p−1)·45° (query), at p·45° (key)
2-3    two words back        query arrow at (p−2)·45°; keys as above
4-5    first word            every query asks "are you position 0?"
6-7    itself                query arrow at p·45°
8-9    pronoun → noun        a pronoun wants a thing or a person; pronouns are not nouns
10-11  adjective → noun      a quality wants the thing or person it describes
12-13  verb → doer           an action wants a person (or an animal)
14-15  function word → noun  a function word (the, on, because) wants a thing or a person
=====  ====================  ============================================================

With H heads, head h owns dims ``[h·16/H, (h+1)·16/H)``: with 8 heads every relation
has its own head and its own softmax; with fewer, neighbouring relations share a head
and their scores are *added* before one softmax. The matrices, and so the parameter
count, are the same for every H; only the cut changes. ``W^V`` and ``W^O`` are the identity
(except in :func:`mixing_attention`).

Shape letters: B batch, T words, D = 16 model width, H heads, Dh = D / H.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from attnlib.book.narrow import wide_on_purpose
from attnlib.book.plots import heatmap_trace
from attnlib.lessons import toy
from attnlib.model.capture import capture_attention
from attnlib.model.multihead import MultiHeadAttention

D_MODEL = 16
MAX_WORDS = 8
SENTENCES = ("the black cat sat on the mat", "the cat sat because it was tired")

RELATIONS = ("previous word", "two words back", "first word", "itself",
             "pronoun → noun", "adjective → noun", "verb → doer", "function word → noun")


class HeadLayout(NamedTuple):
    """How :func:`heads_figure` shows one head count."""

    grid: tuple[int, int]  # (rows, cols) the maps are placed in; H = 1 keeps a readable size
    groups: tuple[str, ...]  # the relations each head holds, one name per head


LAYOUTS = {
    1: HeadLayout((1, 2), ("all eight relations in one head",)),
    2: HeadLayout((1, 2), ("where: the four positional relations", "what: the four relations of meaning")),
    4: HeadLayout((2, 2), ("the two words before", "first word + itself", "pronoun / adjective → noun",
                           "verb → doer, function word → noun")),
    8: HeadLayout((2, 4), RELATIONS),
}
HEAD_COUNTS = tuple(LAYOUTS)  # the head counts the figure (and chapter 5's slider) offers
POSITION_STRENGTH = 11.0  # how sharply a positional query points (before the 1/√Dh scaling)
MEANING_STRENGTH = 4.0
DOER_STRENGTH = 8.0  # the toy animals are only 0.3 "person": the verb must ask louder


def _arrow(angle_steps: float) -> list[float]:
    a = angle_steps * math.pi / 4  # 45° per position: 8 positions go once around
    return [math.cos(a), math.sin(a)]


def hand_set_weights() -> tuple[torch.Tensor, torch.Tensor]:
    """``W^Q`` and ``W^K`` of the hand-set layer, each ``(D, D)`` as in ``x @ W`` (rows: input features)."""
    f = {name: i for i, name in enumerate(toy.FEATURES)}
    pos = lambda p: len(toy.FEATURES) + p  # row of the one-hot position p
    wq, wk = torch.zeros(D_MODEL, D_MODEL), torch.zeros(D_MODEL, D_MODEL)
    s = POSITION_STRENGTH
    for p in range(MAX_WORDS):
        wk[pos(p), 0:2] = torch.tensor(_arrow(p))  # previous word: keys point at their own position
        wq[pos(p), 0:2] = s * torch.tensor(_arrow(p - 1 if p > 0 else 0))  # the first word looks at itself
        wk[pos(p), 2:4] = torch.tensor(_arrow(p))  # two words back (the first two words look at the first)
        wq[pos(p), 2:4] = s * torch.tensor(_arrow(max(p - 2, 0)))
        wq[pos(p), 4] = s  # first word: every query asks the same question ...
        wk[pos(p), 6:8] = torch.tensor(_arrow(p))  # itself
        wq[pos(p), 6:8] = s * torch.tensor(_arrow(p))
    wk[pos(0), 4] = 1.0  # ... and only position 0 answers it
    m = MEANING_STRENGTH
    # pronoun → noun (dims 8, 9: wants a thing, wants a person)
    wq[f["pronoun"], 8:10] = m
    wk[f["thing"], 8], wk[f["abstract"], 8], wk[f["person"], 9] = 1.0, 0.5, 1.0
    wk[f["pronoun"], 8:10] = -1.5  # a pronoun is not a noun
    # adjective → noun (dims 10, 11)
    wq[f["quality"], 10:12] = m
    wk[f["thing"], 10], wk[f["person"], 11] = 1.0, 1.0
    wk[f["pronoun"], 10] = 0.5  # "it was tired": the adjective may also settle on the pronoun
    # verb → doer (dims 12, 13): a person acts, an animal too (the toy animals are part person)
    wq[f["action"], 12:14] = DOER_STRENGTH
    wk[f["person"], 12] = 1.5
    wk[f["pronoun"], 13] = -1.0
    # function word → noun (dims 14, 15)
    wq[f["function"], 14:16] = m
    wk[f["thing"], 14], wk[f["person"], 15] = 1.0, 1.0
    return wq, wk


def hand_set_attention(n_heads: int) -> MultiHeadAttention:
    """The hand-set layer cut into ``n_heads`` heads (a ValueError if ``n_heads`` does not divide 16)."""
    mha = MultiHeadAttention(D_MODEL, n_heads, bias=False)
    wq, wk = hand_set_weights()
    with torch.no_grad():  # nn.Linear stores W transposed: y = x @ weight.T
        mha.q_proj.weight.copy_(wq.T)
        mha.k_proj.weight.copy_(wk.T)
        mha.v_proj.weight.copy_(torch.eye(D_MODEL))
        mha.out_proj.weight.copy_(torch.eye(D_MODEL))
    return mha.eval()


def sentence_input(sentence: str) -> tuple[list[str], torch.Tensor]:
    """Words, and the layer's input ``(1, T, D)``: toy features followed by a one-hot position."""
    words = toy.words_of(sentence)
    if len(words) < 2:
        raise ValueError("one word can only look at itself; give a sentence of 2 to 8 words")
    if len(words) > MAX_WORDS:
        raise ValueError(f"the hand-set heads know {MAX_WORDS} positions; shorten the sentence to at most "
                         f"{MAX_WORDS} words (it has {len(words)})")
    positions = torch.eye(MAX_WORDS)[: len(words)]  # (T, 8)
    return words, torch.cat([toy.embed(words), positions], dim=-1)[None]  # (1, T, D)


def head_weights(sentence: str, n_heads: int) -> tuple[list[str], torch.Tensor]:
    """Words, and each head's weights ``(H, T, T)``, captured from the hand-set layer."""
    words, x = sentence_input(sentence)
    mha = hand_set_attention(n_heads)
    with capture_attention(mha) as patterns, torch.no_grad():
        mha(x)
    return words, patterns["self"][0]  # (H, T, T)


_AXES = 8  # every figure defines 8 axis pairs (unused ones hidden), so a slider can switch between them


def _one_of(counts: tuple[int, ...]) -> str:
    """``(1, 2, 4, 8)`` -> ``"1, 2, 4 or 8"``."""
    return ", ".join(map(str, counts[:-1])) + f" or {counts[-1]}"


def _cell_domains(index: int, rows: int, cols: int, gap_x: float = 0.07, gap_y: float = 0.2):
    row, col = divmod(index, cols)
    width, height = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
    x0, y1 = col * (width + gap_x), 1 - row * (height + gap_y)
    clip = lambda v: round(min(max(v, 0.0), 1.0), 4)
    return [clip(x0), clip(x0 + width)], [clip(y1 - height), clip(y1)]


def heads_figure(n_heads: int = 8, sentence: str = SENTENCES[0]) -> go.Figure:
    """One attention map per head of the hand-set layer, for H = 1, 2, 4 or 8 heads."""
    if n_heads not in LAYOUTS:  # the layer itself explains a head count that does not divide 16
        hand_set_attention(n_heads)
        raise ValueError(f"this figure lays out {_one_of(HEAD_COUNTS)} heads, not {n_heads}")
    words, weights = head_weights(sentence, n_heads)
    (rows, cols), names = LAYOUTS[n_heads]
    fig = go.Figure()
    annotations = []
    for h in range(_AXES):
        suffix = "" if h == 0 else str(h + 1)
        if h >= n_heads:
            fig.update_layout({f"xaxis{suffix}": dict(visible=False, domain=[0, 0.01]),
                               f"yaxis{suffix}": dict(visible=False, domain=[0, 0.01])})
            continue
        xd, yd = _cell_domains(h, rows, cols)
        trace = heatmap_trace(weights[h], words, words, showscale=False, show_values=n_heads <= 2)
        trace.update(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
        fig.add_trace(trace)
        ticks = dict(tickmode="array", tickvals=list(range(len(words))), ticktext=words, tickfont=dict(size=10),
                     visible=True)
        fig.update_layout({f"xaxis{suffix}": dict(domain=xd, anchor=f"y{suffix}", side="top", tickangle=-60, **ticks),
                           f"yaxis{suffix}": dict(domain=yd, anchor=f"x{suffix}", autorange="reversed", **ticks)})
        title = f"head {h + 1}: {names[h]}" if n_heads > 1 else names[h]
        annotations.append(dict(text=title, x=sum(xd) / 2, y=yd[1], xref="paper", yref="paper", yshift=56,
                                showarrow=False, font=dict(size=11), xanchor="center", yanchor="bottom"))
    d_head = D_MODEL // n_heads
    fig.update_layout(
        annotations=annotations,
        title=dict(text=f"{n_heads} head{'s' * (n_heads > 1)} of Dh = {d_head} features each "
                        f"(d_model = {D_MODEL}): one softmax, one map per head", font=dict(size=13)),
        height=800, margin=dict(t=140, l=70, r=20, b=20),
    )
    fig.update_traces(textfont=dict(size=10))
    return fig


# -- how the features are split: (B, T, D) -> (B, T, H, Dh) -> (B, H, T, Dh) ------------------

SPLIT_SENTENCE = "she read the book"  # four words with different initials: cells read "s0", "r5", ...
SPLIT_D_MODEL = 8
SPLIT_HEADS = tuple(h for h in range(1, SPLIT_D_MODEL + 1) if SPLIT_D_MODEL % h == 0)  # (1, 2, 4, 8)
SPLIT_METHODS = ("view, then transpose", "view straight to (B, H, T, Dh)")
HEAD_COLORS = ("#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3")


def _discrete_colorscale(n: int) -> list[list]:
    """Head h (z = h) gets the flat colour HEAD_COLORS[h]."""
    scale = []
    for h in range(n):
        scale += [[h / n, HEAD_COLORS[h]], [(h + 1) / n, HEAD_COLORS[h]]]
    return scale


def split_tensors(n_heads: int, method: str = SPLIT_METHODS[0]) -> dict:
    """Labels (``"s5"``: word *she*, feature 5) pushed through the split, as nested lists.

    ``x`` is ``(T, D)``; ``view`` is ``(T, H, Dh)``; ``heads`` is ``(H, T, Dh)``: what each head receives.
    The batch axis (B = 1) is left out.
    """
    if method not in SPLIT_METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {list(SPLIT_METHODS)}")
    if n_heads not in SPLIT_HEADS:
        raise ValueError(f"cannot split {SPLIT_D_MODEL} features into {n_heads} heads: choose a divisor of "
                         f"{SPLIT_D_MODEL} ({_one_of(SPLIT_HEADS)})")
    words = toy.words_of(SPLIT_SENTENCE)
    t, d, h = len(words), SPLIT_D_MODEL, n_heads
    dh = d // h
    ids = torch.arange(t * d).view(1, t, d)  # (B, T, D): id = position * D + feature
    if method == SPLIT_METHODS[0]:
        view = ids.view(1, t, h, dh)  # (B, T, H, Dh)
        heads = view.transpose(1, 2)  # (B, H, T, Dh)
    else:
        view = None
        heads = ids.view(1, h, t, dh)  # (B, H, T, Dh) in shape only: rows are no longer words
    label = lambda i: f"{words[i // d][0]}{i % d}"
    to_labels = lambda x: [[label(int(i)) for i in row] for row in x] if x.dim() == 2 else [to_labels(y) for y in x]
    return {"words": words, "d_head": dh, "x": to_labels(ids[0]), "view": None if view is None else to_labels(view[0]),
            "heads": to_labels(heads[0]), "head_of": lambda lab: int(lab[1:]) // dh}


def _blocks_trace(blocks: list[list[list[str]]], head_of, n_heads: int) -> tuple[go.Heatmap, list[int]]:
    """Matrices placed side by side with a one-cell gap; each cell coloured by the head its feature goes to."""
    rows = len(blocks[0])
    z, text, starts = [[] for _ in range(rows)], [[] for _ in range(rows)], []
    for b, block in enumerate(blocks):
        if b:
            for r in range(rows):
                z[r].append(None)
                text[r].append("")
        starts.append(len(z[0]))
        for r in range(rows):
            z[r] += [head_of(lab) for lab in block[r]]
            text[r] += list(block[r])
    trace = go.Heatmap(z=z, text=text, texttemplate="%{text}", textfont=dict(size=10), zmin=-0.5,
                       zmax=n_heads - 0.5, colorscale=_discrete_colorscale(n_heads) if n_heads > 1 else
                       [[0, HEAD_COLORS[0]], [1, HEAD_COLORS[0]]], showscale=False, xgap=1, ygap=1,
                       hovertext=[[f"{lab} → head {head_of(lab) + 1}" if lab else "" for lab in row] for row in text],
                       hoverinfo="text", x=list(range(len(z[0]))), y=list(range(rows)))
    return trace, starts


def split_figure(n_heads: int = 2, method: str = SPLIT_METHODS[0]) -> go.Figure:
    """The split into heads drawn as labelled cells; the colour says which head a feature belongs to."""
    s = split_tensors(n_heads, method)
    words, dh, head_of = s["words"], s["d_head"], s["head_of"]
    t, h, d = len(words), n_heads, SPLIT_D_MODEL
    right = method == SPLIT_METHODS[0]
    panels = [([s["x"]], f"x: (B, T, D) = (1, {t}, {d}); colour = the head each feature will go to",
               [words], [None])]
    if right:
        panels.append((s["view"], f"x.view(B, T, H, Dh): (1, {t}, {h}, {dh}); each word's {d} features cut into "
                                  f"{h} pieces (nothing moves in memory)",
                       [[f"head {i + 1}" for i in range(h)]] * t, words))
        panels.append((s["heads"], f"x.view(…).transpose(1, 2): (1, {h}, {t}, {dh}); one ({t}, {dh}) matrix per "
                                   f"head, every word in each", [words] * h, [f"head {i + 1}" for i in range(h)]))
    else:  # the wrong result, then the right one to compare (always three panels, so a slider can switch)
        panels.append((s["heads"], f"x.view(B, H, T, Dh): (1, {h}, {t}, {dh}), the right shape, the wrong "
                                   f"contents: rows are not words" + (", heads mix colours" if h > 1 else ""),
                       [[f"row {r}" for r in range(t)]] * h, [f"head {i + 1}" for i in range(h)]))
        panels.append((split_tensors(n_heads)["heads"], f"what each head should get: x.view(B, T, H, Dh)"
                                                        f".transpose(1, 2)", [words] * h,
                       [f"head {i + 1}" for i in range(h)]))
    n_rows = [len(p[0][0]) for p in panels]
    fig = make_subplots(rows=len(panels), cols=1, subplot_titles=[p[1] for p in panels],
                        row_heights=[max(n, 3) for n in n_rows], vertical_spacing=0.16)
    fig.update_annotations(font_size=12, x=0, xanchor="left", yshift=16)  # the panel titles
    width = 35  # the widest panel: 4 blocks of 8 with gaps, so every cell has the same width
    for i, (blocks, _, y_labels, block_names) in enumerate(panels, start=1):
        trace, starts = _blocks_trace(blocks, head_of, h)
        fig.add_trace(trace, row=i, col=1)
        fig.update_xaxes(visible=False, range=[-0.5, width - 0.5], row=i, col=1)
        labels = y_labels[0]
        fig.update_yaxes(tickmode="array", tickvals=list(range(len(labels))), ticktext=labels, autorange="reversed",
                         tickfont=dict(size=10), showgrid=False, zeroline=False, row=i, col=1)
        if block_names[0] is not None:
            for name, start in zip(block_names, starts):
                block_width = len(blocks[0][0])
                fig.add_annotation(x=start + (block_width - 1) / 2, y=-0.5, yshift=4, text=name, showarrow=False,
                                   yanchor="bottom", font=dict(size=10, color="#555"), row=i, col=1)
    fig.update_layout(title=dict(text=f"Splitting d_model = {d} features into {h} head{'s' * (h > 1)} of "
                                      f"Dh = {dh}: {method}", font=dict(size=13)),
                      height=660, margin=dict(t=80, l=70, r=20, b=20), plot_bgcolor="white")
    return wide_on_purpose(fig, "the tensor is drawn one cell per feature, 35 cells across: its layout in "
                                "memory is the point, and squeezed it would not be readable")


# -- what W^O does: it mixes the heads -------------------------------------------------------

MIXING_SENTENCE = SENTENCES[1]  # "the cat sat because it was tired"
MIXING_HEADS = ("where", "what")  # the two heads of LAYOUTS[2]


def mixing_attention() -> MultiHeadAttention:
    """The two-head hand-set layer ("where" and "what") with a ``W^V`` and a ``W^O`` that do something.

    ``W^V`` copies a word's 8 toy features into each head's 8 value numbers (its position is dropped), so
    each head passes on the features of the words it looks at. ``W^O`` adds the two heads' outputs feature
    by feature: output number f is head 1's number f plus head 2's number f, for f < 8; numbers 8 to 15 are 0.
    """
    mha = hand_set_attention(2)
    f = len(toy.FEATURES)  # 8 = Dh
    eye = torch.eye(f)
    w_v, w_o = torch.zeros(D_MODEL, D_MODEL), torch.zeros(D_MODEL, D_MODEL)  # (D, D) as in x @ W
    w_v[:f, :f], w_v[:f, f:] = eye, eye  # features -> head 1's values and head 2's values
    w_o[:f, :f], w_o[f:, :f] = eye, eye  # head 1's number i and head 2's number i -> output number i
    with torch.no_grad():  # nn.Linear stores W transposed
        mha.v_proj.weight.copy_(w_v.T)
        mha.out_proj.weight.copy_(w_o.T)
    return mha


@torch.no_grad()
def mixing(word: str = "it", sentence: str = MIXING_SENTENCE) -> dict:
    """One word through :func:`mixing_attention`: ``words``, each head's largest weight (``looks_at``: the
    word per head), ``concat`` ``(D,)`` (the heads' outputs side by side, before ``W^O``), ``w_o`` ``(D, D)``
    as in ``concat @ w_o``, and ``output`` ``(D,)``, the layer's output for the word."""
    words, x = sentence_input(sentence)  # (1, T, D)
    if word not in words:
        raise ValueError(f"{word!r} is not in the sentence; pick one of {words}")
    i = words.index(word)
    mha = mixing_attention()
    seen = {}
    hook = mha.out_proj.register_forward_hook(lambda m, args, out: seen.update(concat=args[0]))
    try:
        with capture_attention(mha) as patterns:
            output, _ = mha(x)  # (1, T, D)
    finally:
        hook.remove()
    weights = patterns["self"][0, :, i]  # (H, T): each head's row for the word
    return {"words": words, "looks_at": [words[int(row.argmax())] for row in weights],
            "concat": seen["concat"][0, i], "w_o": mha.out_proj.weight.T.clone(), "output": output[0, i]}


def mixing_figure(word: str = "it") -> go.Figure:
    """Before ``W^O`` (the two heads' outputs side by side), ``W^O`` itself, and after: for one word."""
    m = mixing(word)
    f = len(toy.FEATURES)
    columns = lambda v: v.view(2, f).T  # (D,) -> (8, 2): a column per head (or per half of the output)
    panels = [(columns(m["concat"]), [f"head {h + 1}: {name}" for h, name in enumerate(MIXING_HEADS)],
               list(toy.FEATURES), f"before W<sup>O</sup>: the heads' outputs"),
              (m["w_o"], [str(c) for c in range(D_MODEL)],
               [f"h{h + 1} {name}" for h in range(len(MIXING_HEADS)) for name in toy.FEATURES],
               "W<sup>O</sup> (16 × 16)"),
              (columns(m["output"]), ["output 0–7", "output 8–15"], list(toy.FEATURES),
               f"after W<sup>O</sup>: the output for “{word}”")]
    fig = make_subplots(rows=3, cols=1, row_heights=[8, 16, 8], vertical_spacing=0.07,
                        subplot_titles=[title for *_, title in panels])
    fig.update_annotations(font_size=12, x=0, xanchor="left", yshift=22)
    for row, (values, x_labels, y_labels, _) in enumerate(panels, start=1):
        square = values.shape[1] == D_MODEL
        trace = heatmap_trace(values, x_labels, y_labels, zmin=0.0, zmax=1.0, showscale=False,
                              value_format=".0f" if square else ".2f")
        trace.update(xgap=1, ygap=1)
        if square:  # only the ones of W^O are written: its zeros are the background
            trace.update(text=[["1" if v else "" for v in r] for r in values.tolist()])
        fig.add_trace(trace, row=row, col=1)
        fig.update_xaxes(tickmode="array", tickvals=list(range(len(x_labels))), ticktext=x_labels, side="top",
                         tickfont=dict(size=10), tickangle=0, row=row, col=1)
        fig.update_yaxes(tickmode="array", tickvals=list(range(len(y_labels))), ticktext=y_labels,
                         autorange="reversed", tickfont=dict(size=10), row=row, col=1)
    fig.update_layout(title=dict(text=f"W<sup>O</sup> mixes the heads (the word “{word}”)", font=dict(size=14)),
                      height=900,
                      margin=dict(t=90, l=80, r=20, b=20), plot_bgcolor="white")
    return fig
