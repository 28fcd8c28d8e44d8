"""Figures of the toy English→French corpus: phenomena, lengths, gold alignments, batches and masks.

* :func:`alignment_figure` draws the gold alignment of one example pair twice: as links between
  the two sentences and as a matrix (rows French, columns English, like a cross-attention map);
* :func:`phenomena_figure` and :func:`length_figure` compare the splits;
* :func:`batch_figure` shows a padded batch as the three tensors the model reads;
* :func:`mask_figure` shows, for one sentence of that batch, which keys every query may see.

Shape letters: B batch, S source length, T target length (both padded).
"""

from __future__ import annotations

import functools
from collections import Counter

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from attnlib.book.narrow import wide_on_purpose
from attnlib.book.plots import heatmap_trace, label_axes, tag_labels
from attnlib.model.masks import causal_mask, padding_mask
from attnlib.translation.corpus import HELD_OUT_TAGS, MAX_TRAIN_LENGTH, PHENOMENA, SPLITS, Pair, load_split
from attnlib.translation.vocab import Batch, Vocab, build_vocabs, make_batches

#: One pair per phenomenon, from the corpus files: dropdown label -> (split, English sentence).
EXAMPLES = {
    "past tense: the cat sat on the mat": ("test", "the cat sat on the mat ."),
    "gender: the snake brings the pear": ("train", "the snake brings the pear ."),
    "adjective order: the black cat sees the dog": ("test", "the black cat sees the dog ."),
    "agreement: the clever ladies sleep": ("train", "the clever ladies sleep ."),
    "conjugation: we fill the glass": ("train", "we fill the glass ."),
    "negation: we don't jump": ("train", "we don't jump ."),
    "object pronoun: she draws it": ("train", "she draws it ."),
    "contraction: you go to the museum": ("train", "you go to the museum ."),
    "preposition: the pig is near the candle": ("train", "the pig is near the candle ."),
    "elision: i open my door": ("train", "i open my door ."),
    "coordination: she is shy and she is old": ("train", "she is shy and she is old ."),
    "pronoun antecedent: … because it is wide": ("test", "the cat does not cross the street because it is wide ."),
    "held out: he doesn't write it": ("generalisation", "he doesn't write it ."),
}

#: Four test pairs of different lengths: the batch the chapter turns into tensors.
BATCH_SENTENCES = ("the cat sat on the mat .", "she is sad .", "the black cat sees the dog .", "i eat .")

LINK_COLOR = "#1f77b4"
CROSS_COLOR = "#d62728"  # a link that crosses another: the word order changed
VISIBLE, HIDDEN = "#4a90c2", "#e3e3e3"


# -- data ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def split_pairs(split: str) -> tuple[Pair, ...]:
    """One split of the corpus, read once."""
    return tuple(load_split(split))


def all_splits() -> dict[str, list[Pair]]:
    return {name: list(split_pairs(name)) for name in SPLITS}


def find_pair(english: str, split: str | None = None) -> Pair:
    """The corpus pair whose English side is ``english`` (searching one split, or all of them)."""
    english = " ".join(english.split())
    for name in ([split] if split else SPLITS):
        for pair in split_pairs(name):
            if pair.src == english:
                return pair
    where = f"the {split} split" if split else "the corpus"
    raise ValueError(f"{english!r} is not an English sentence of {where}")


def example_pair(example: str) -> Pair:
    if example not in EXAMPLES:
        raise ValueError(f"unknown example {example!r}; choose one of {list(EXAMPLES)}")
    split, english = EXAMPLES[example]
    return find_pair(english, split)


@functools.lru_cache(maxsize=None)
def vocabularies() -> tuple[Vocab, Vocab]:
    """The English and French vocabularies of the training split (what the translator uses)."""
    return build_vocabs(split_pairs("train"))


def example_batch() -> Batch:
    """:data:`BATCH_SENTENCES` as one padded batch, in that order."""
    src_vocab, tgt_vocab = vocabularies()
    pairs = [find_pair(s, "test") for s in BATCH_SENTENCES]
    return next(iter(make_batches(pairs, src_vocab, tgt_vocab, batch_size=len(pairs))))


# -- alignments ------------------------------------------------------------------------------


def alignment_matrix(pair: Pair) -> torch.Tensor:
    """``(T, S)``: 1 where French token j (row) is linked to English token i (column)."""
    if not pair.alignment:
        raise ValueError(f"the pair {pair.src!r} has no gold alignment")
    m = torch.zeros(len(pair.tgt_tokens), len(pair.src_tokens))  # (T, S)
    for i, j in pair.alignment:
        m[j, i] = 1.0
    return m


def crossing_links(pair: Pair) -> set[tuple[int, int]]:
    """Links that cross another link: where French changes the English word order."""
    links = sorted(set(pair.alignment))
    return {a for a in links for b in links if (a[0] - b[0]) * (a[1] - b[1]) < 0}


def alignment_figure(example: str = next(iter(EXAMPLES))) -> go.Figure:
    """Links between the two sentences (crossing links in red) above the same alignment as a matrix."""
    pair = example_pair(example)
    en, fr = pair.src_tokens, pair.tgt_tokens
    crossing = crossing_links(pair)
    links_px, gap_px, matrix_px = 120, 40, 30 * len(fr)  # heights of the two panels and the gap between
    area = links_px + gap_px + matrix_px
    fig = make_subplots(rows=2, cols=1, row_heights=[links_px / area, matrix_px / area],
                        vertical_spacing=gap_px / area)
    width = max(len(en), len(fr)) - 1 or 1
    x_en = [i * width / max(len(en) - 1, 1) for i in range(len(en))]
    x_fr = [j * width / max(len(fr) - 1, 1) for j in range(len(fr))]
    for i, j in pair.alignment:
        fig.add_trace(go.Scatter(x=[x_en[i], x_fr[j]], y=[1, 0], mode="lines", showlegend=False, hoverinfo="skip",
                                 line=dict(color=CROSS_COLOR if (i, j) in crossing else LINK_COLOR, width=2)),
                      row=1, col=1)
    fig.add_trace(go.Scatter(x=x_en, y=[1] * len(en), mode="text", text=en, textposition="top center",
                             showlegend=False, hoverinfo="skip", textfont=dict(size=13)), row=1, col=1)
    fig.add_trace(go.Scatter(x=x_fr, y=[0] * len(fr), mode="text", text=fr, textposition="bottom center",
                             showlegend=False, hoverinfo="skip", textfont=dict(size=13)), row=1, col=1)
    fig.update_xaxes(visible=False, range=[-0.8, width + 0.8], row=1, col=1)
    fig.update_yaxes(visible=False, range=[-0.6, 1.6], row=1, col=1)
    fig.add_trace(heatmap_trace(alignment_matrix(pair), en, fr, colorscale=[[0, "#f4f4f4"], [1, LINK_COLOR]],
                                show_values=False, showscale=False), row=2, col=1)
    fig.data[-1].update(xgap=1, ygap=1)
    label_axes(fig, en, fr, row=2, col=1, x_title="English", y_title="French")
    fig.update_xaxes(side="bottom", row=2, col=1)
    tags = ", ".join(t.replace("_", " ") for t in pair.phenomena)
    fig.update_layout(title=dict(text=f"Gold alignment: {tags}; red links cross, where the order changes",
                                 y=0.99, yanchor="top"),
                      height=area + 160, margin=dict(t=80, l=100, r=20, b=80))
    return fig


# -- the splits ------------------------------------------------------------------------------


def phenomenon_shares(pairs: list[Pair]) -> dict[str, float]:
    """Tag -> share of the pairs that carry it (tags of :data:`PHENOMENA` and :data:`HELD_OUT_TAGS`)."""
    if not pairs:
        raise ValueError("no pairs to count")
    counts = Counter(t for p in pairs for t in p.phenomena)
    return {tag: counts[tag] / len(pairs) for tag in (*PHENOMENA, *HELD_OUT_TAGS)}


def phenomena_figure(splits: dict[str, list[Pair]] | None = None,
                     names: tuple[str, ...] = ("train", "test", "generalisation")) -> go.Figure:
    """How often each phenomenon occurs in each split (share of pairs, in %)."""
    splits = all_splits() if splits is None else splits
    tags = [*PHENOMENA, *HELD_OUT_TAGS]
    fig = go.Figure()
    for name in names:
        shares = phenomenon_shares(splits[name])
        fig.add_trace(go.Bar(y=tags, x=[round(100 * shares[t], 2) for t in tags], name=f"{name} ({len(splits[name])})",
                             orientation="h"))
    fig.update_layout(title="phenomena: share of the pairs that show each one", barmode="group",
                      xaxis_title="% of pairs", height=640, margin=dict(t=60, l=190, r=20, b=40),
                      yaxis=dict(autorange="reversed"), legend=dict(orientation="h", y=-0.1))
    tag_labels(fig, tags)
    return fig


def length_figure(splits: dict[str, list[Pair]] | None = None,
                  names: tuple[str, ...] = ("train", "test", "generalisation")) -> go.Figure:
    """Distribution of English sentence lengths (tokens, final "." included) per split."""
    splits = all_splits() if splits is None else splits
    fig = go.Figure()
    longest = 0
    for name in names:
        counts = Counter(len(p.src_tokens) for p in splits[name])
        longest = max(longest, *counts)
        xs = sorted(counts)
        fig.add_trace(go.Bar(x=xs, y=[round(100 * counts[x] / len(splits[name]), 2) for x in xs], name=name))
    fig.add_vline(x=MAX_TRAIN_LENGTH + 0.5, line_dash="dash", line_color="grey")  # said in the subtitle: a label
    fig.update_layout(title="English sentence length per split: the dashed line marks the longest "  # there hits bars
                            f"sentence of train and test, {MAX_TRAIN_LENGTH} tokens", barmode="group", xaxis_title="tokens",
                      yaxis_title="% of pairs", height=380, margin=dict(t=60, b=40),
                      legend=dict(orientation="h", y=-0.2),  # under the plot, clear of the line's label
                      xaxis=dict(dtick=2, range=[1.5, longest + 0.5]))
    return fig


# -- batches and masks ------------------------------------------------------------------------


def _token_grid(ids: torch.Tensor, vocab: Vocab) -> tuple[list[list[int]], list[list[str]], list[list[str]]]:
    """Cell kinds (0 pad, 1 special, 2 word), cell text and hover text of an id matrix ``(B, L)``."""
    kinds, text, hover = [], [], []
    for row in ids.tolist():
        tokens = [vocab.itos[i] for i in row]
        kinds.append([0 if i == vocab.pad_id else 1 if i < 4 else 2 for i in row])
        text.append([f"{t.replace('<', '‹').replace('>', '›')}<br>{i}" for t, i in zip(tokens, row)])
        hover.append([f"id {i}: {t}" for t, i in zip(tokens, row)])
    return kinds, text, hover


def batch_figure(batch: Batch | None = None, src_vocab: Vocab | None = None, tgt_vocab: Vocab | None = None) -> go.Figure:
    """The three id tensors of a batch, each cell labelled with its token and id; padding in grey."""
    if batch is None:
        batch = example_batch()
    if src_vocab is None or tgt_vocab is None:
        src_vocab, tgt_vocab = vocabularies()
    panels = [("src (B, S): English ids + ‹eos›", batch.src, src_vocab),
              ("tgt_in (B, T): ‹bos› + French ids (what the decoder reads)", batch.tgt_in, tgt_vocab),
              ("tgt_out (B, T): French ids + ‹eos› (what it must predict)", batch.tgt_out, tgt_vocab)]
    fig = make_subplots(rows=3, cols=1, subplot_titles=[p[0] for p in panels], vertical_spacing=0.09)
    # pad, special, word: grey, orange and blue, apart for colour-blind readers too (each cell also names its token)
    colors = [[0, "#e6e6e6"], [0.5, "#ffd28a"], [1, "#bdd7ee"]]
    for r, (_, ids, vocab) in enumerate(panels, start=1):
        kinds, text, hover = _token_grid(ids, vocab)
        fig.add_trace(go.Heatmap(z=kinds, text=text, texttemplate="%{text}", textfont=dict(size=11),
                                 hovertext=hover, hoverinfo="text", zmin=0, zmax=2, colorscale=colors,
                                 showscale=False, xgap=2, ygap=2), row=r, col=1)
        fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=list(range(ids.shape[0])),
                         ticktext=[f"row {b}" for b in range(ids.shape[0])], row=r, col=1)
        fig.update_xaxes(tickmode="array", tickvals=list(range(ids.shape[1])), title_text="position",
                         title_standoff=2, row=r, col=1)
    fig.update_layout(title="A batch as tensors: grey is ‹pad› (id 0), orange a special token",
                      height=190 * 3 + 60 * batch.src.shape[0], margin=dict(t=80, l=60, r=20, b=40))
    return wide_on_purpose(fig, "a batch is a table of token ids, one cell per token: its width, padding "
                                "included, is the point")


def masks_for_row(batch: Batch, row: int) -> dict[str, torch.Tensor]:
    """The three attention masks of sentence ``row`` (True = may attend), expanded to full matrices.

    ``encoder self`` ``(S, S)``, ``decoder self`` ``(T, T)``, ``cross`` ``(T, S)``: what
    :class:`attnlib.model.transformer.Transformer` builds from the padded ids with :func:`attnlib.model.masks.padding_mask`
    and :func:`attnlib.model.masks.causal_mask`.
    """
    if not 0 <= row < len(batch):
        raise ValueError(f"row {row} does not exist: the batch has rows 0..{len(batch) - 1}")
    s, t = batch.src.shape[1], batch.tgt_in.shape[1]
    src_mask = padding_mask(batch.src)  # (B, 1, 1, S)
    tgt_mask = padding_mask(batch.tgt_in) & causal_mask(t)  # (B, 1, T, T)
    return {"encoder self": src_mask[row, 0].expand(s, s),  # (S, S)
            "decoder self": tgt_mask[row, 0],  # (T, T)
            "cross": src_mask[row, 0].expand(t, s)}  # (T, S)


def mask_figure(row: int = 1, batch: Batch | None = None) -> go.Figure:
    """For one sentence of the batch: which keys each query may see in the three kinds of attention."""
    if batch is None:
        batch = example_batch()
    src_vocab, tgt_vocab = vocabularies()
    masks = masks_for_row(batch, row)
    src = [src_vocab.itos[i] for i in batch.src[row].tolist()]
    tgt = [tgt_vocab.itos[i] for i in batch.tgt_in[row].tolist()]
    titles = {"encoder self": "encoder self (S × S)", "decoder self": "decoder self (T × T)",
              "cross": "cross (T × S)"}  # short: three side by side
    fig = make_subplots(rows=1, cols=3, subplot_titles=list(titles.values()), horizontal_spacing=0.12)
    axes = {"encoder self": (src, src), "decoder self": (tgt, tgt), "cross": (src, tgt)}
    for c, (name, mask) in enumerate(masks.items(), start=1):
        keys, queries = axes[name]
        fig.add_trace(heatmap_trace(mask.float(), keys, queries, colorscale=[[0, HIDDEN], [1, VISIBLE]],
                                    show_values=False, showscale=False), row=1, col=c)
        fig.data[-1].update(xgap=1, ygap=1)
        label_axes(fig, keys, queries, row=1, col=c)
    hidden = int((batch.src[row] == 0).sum())
    fig.update_layout(title=f"sentence {row}: “{batch.pairs[row].src}” ({hidden} ‹pad› in src) · blue: may attend, "
                            f"grey: hidden", height=540, margin=dict(t=90, l=80, r=20, b=90))
    fig.update_xaxes(side="bottom", tickangle=-60, title_text="")
    return wide_on_purpose(fig, "the three masks of one batch row side by side, one cell per token pair: "
                                "which cells are blocked is the point")
