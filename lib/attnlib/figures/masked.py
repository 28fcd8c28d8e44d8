"""The book's BERT filling a gap, shown: the likeliest words for a ``<mask>``, and where the ``<mask>`` looks.

* :func:`fill_figure` — for a sentence with one ``<mask>``, the five likeliest words with their probabilities
  (left) and the self-attention from the ``<mask>`` position to every token (right): one row per layer,
  averaged over its heads, or one row per head of one layer.

The model is the shipped one (``data/lm-masked.pt``, :func:`bert`, loaded once); the computations are
:mod:`attnlib.lessons.masked`'s.
"""

from __future__ import annotations

from functools import lru_cache

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from attnlib.book.live import numbered, tick_angle
from attnlib.book.plots import heatmap_trace, label_axes
from attnlib.lessons.masked import Fill, mask_fill, mask_word
from attnlib.lm.trained import TrainedLM

#: Sentences of the corpus (test split) with the word number ``index`` hidden: each needs words on both sides.
CORPUS_GAPS = (
    ("the black cat sees the dog .", 3),  # a verb: its subject on the left, its object on the right
    ("the teachers cut the bananas .", 2),  # the same, with a plural subject
    ("the lions are red .", 1),  # a noun whose number only the verb after it tells
    ("the cat does not cross the street because it is tired .", 1),  # a noun far from the words that choose it
    ("we open your books and she paints them .", 7),  # a pronoun whose noun is four words back
)
EXAMPLES = tuple(mask_word(sentence, index) for sentence, index in CORPUS_GAPS)
ANSWERS = {mask_word(sentence, index): sentence.split()[index] for sentence, index in CORPUS_GAPS}
TOP_K = 5
NICE_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
BAR, ANSWER = "#9ecae1", "#d62728"  # the proposed words; the word the corpus has there


@lru_cache(maxsize=1)
def bert() -> TrainedLM:
    """The book's masked language model (``data/lm-masked.pt``), loaded once, on the CPU."""
    return TrainedLM.load(kind="masked", device="cpu")


@lru_cache(maxsize=64)
def fill(sentence: str) -> Fill:
    """:func:`~attnlib.lessons.masked.mask_fill` of ``sentence`` (cached; a ValueError for bad input)."""
    return mask_fill(bert(), sentence, k=TOP_K)


def view_options(lm: TrainedLM | None = None) -> list[str]:
    """Every layer averaged over its heads, then the heads of each layer."""
    cfg = (lm or bert()).model.cfg
    return ["every layer · mean of heads"] + [f"layer {i} · each head" for i in range(1, cfg.n_layers + 1)]


def _rows(result: Fill, view: str) -> tuple[list[str], list[list[float]]]:
    """The heatmap's row labels and rows for ``view``: one per layer (mean of heads) or one per head."""
    n_layers, n_heads = result.attention.shape[:2]
    if view == "every layer · mean of heads":
        return [f"layer {i + 1}" for i in range(n_layers)], [result.looks_at(i).tolist() for i in range(n_layers)]
    try:
        layer = int(view.removesuffix(" · each head").removeprefix("layer ")) - 1
    except ValueError:
        layer = -1
    if not view.endswith(" · each head") or not 0 <= layer < n_layers:
        raise ValueError(f"unknown view {view!r}; choose one of {view_options()}")
    return [f"head {h + 1}" for h in range(n_heads)], [result.looks_at(layer, h).tolist() for h in range(n_heads)]


def fill_figure(sentence: str = EXAMPLES[0], view: str = "every layer · mean of heads") -> go.Figure:
    """The five likeliest words for the ``<mask>`` of ``sentence`` (red: the word the corpus has there, for
    the corpus's examples) and the ``<mask>`` position's attention over the sentence."""
    result = fill(sentence.strip())  # ValueError: no <mask>, two, an unknown word … (the model's own messages)
    labels, rows = _rows(result, view)
    answer = ANSWERS.get(sentence.strip())
    fig = make_subplots(rows=1, cols=2, column_widths=[0.3, 0.7], horizontal_spacing=0.14,
                        subplot_titles=(f"top {len(result.words)} words", f"where <mask> looks ({view})"))
    y = list(range(len(result.words)))
    fig.add_trace(go.Bar(x=[round(p, 4) for p in result.probs], y=y, orientation="h",
                         marker_color=[ANSWER if w == answer else BAR for w in result.words],
                         text=[f"{p:.2f}" for p in result.probs], textposition="outside", cliponaxis=False,
                         hovertext=result.words, hoverinfo="text+x", showlegend=False), row=1, col=1)
    top = max(result.probs)  # the axis ends past the longest bar, with room for its number
    tick = max([t for t in NICE_TICKS if t <= top] or [NICE_TICKS[0]])  # one mark, never past the longest bar
    fig.update_xaxes(range=[0, top * 1.45], title_text="probability", tickvals=[0, tick], row=1, col=1)
    fig.update_yaxes(tickmode="array", tickvals=y, ticktext=result.words, autorange="reversed", row=1, col=1)
    tokens = result.tokens
    fig.add_trace(heatmap_trace(rows, tokens, labels, showscale=False,
                                show_values=numbered(len(tokens) * len(labels))), row=1, col=2)
    label_axes(fig, tokens, labels, row=1, col=2, x_title="", y_title="")
    fig.update_xaxes(side="bottom", tickangle=tick_angle(len(tokens)), row=1, col=2)
    fig.update_annotations(yshift=8)  # the panel titles, a little above their plots
    said = f"; red: “{answer}”, the word the corpus has there" if answer in result.words else (
        f"; the corpus has “{answer}” there" if answer else "")
    fig.update_layout(title=f"The book's BERT fills a gap<br>“{sentence.strip()}”{said}",
                      height=380, margin=dict(t=110, l=90, r=20, b=70))
    return fig
