"""The trained translator decoding, shown: one step at a time, beam scores, your own sentence.

* :func:`step_figure` — one greedy step: the prefix so far, the most likely next tokens,
  and where the newest token's cross-attention looks (one row per decoder layer).
* :func:`beam_scores_figure` — the outputs beam search keeps, ranked by raw log-probability
  and by the length-normalised score, for one value of the length penalty α.
* :func:`beam_outcomes_figure` — on how many sentences beam search comes closer to the reference than
  greedy search, and on how many it strays further, for each α.
* :func:`translation_figure` — any English sentence, its translation and a cross-attention map
  (French rows × English columns) of one layer, averaged over heads or one head.
* :func:`live_translator` — the same, run in the published page by the exported model.

All of them use the checkpoint in ``data/`` (:func:`translator`, loaded once).

Shape letters: L decoder layers, H heads, S source length, T target length.
"""

from __future__ import annotations

from functools import lru_cache

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from attnlib.book.live import ROW_PX, numbered, show_live_translator, tick_angle
from attnlib.book.plots import attention_views, heatmap_trace, label_axes, parse_view
from attnlib.lessons.beams import Tally
from attnlib.lessons.stepwise import beam_hypotheses, greedy_trace, normalised_score
from attnlib.translation.translator import Translator
from attnlib.translation.vocab import EOS, sentence_text

#: Good sentences from the corpus (test split): the static page offers these.
EXAMPLE_SENTENCES = (
    "the black cat sees the dog .",
    "the lazy cook pushes it .",
    "they are not angry .",
    "you send a spoon to the wolves .",
)
STEP_SENTENCES = EXAMPLE_SENTENCES[:3]
MAX_STEPS = 12  # the static slider's range; longer translations stop at the last step shown
TOP_K = 5
ALPHAS = (0.0, 0.3, 0.6, 1.0, 1.5)
#: Long sentences (of the generalisation split, longer than any the model trained on) where the α demo has a
#: story: :func:`length_example` picks the first whose winning output changes with α. (On the valid and test
#: splits, whose sentences are as long as the training ones, beam search's winner is the same at every α.)
LENGTH_CANDIDATES = (
    "my beautiful witch doesn't sell the wine to the small neighbour "
    "and the tired baker sells eight dirty mats to these turtles .",
)


@lru_cache(maxsize=1)
def translator() -> Translator:
    """The book's trained translator (``data/translator.pt``), loaded once, on the CPU."""
    return Translator.load(device="cpu")


@lru_cache(maxsize=32)
def trace(sentence: str):
    """The greedy trace of ``sentence`` (cached)."""
    return greedy_trace(translator(), sentence, k=TOP_K)


# -- one step ------------------------------------------------------------------------------------

def step_figure(sentence: str = EXAMPLE_SENTENCES[0], step: int = 1) -> go.Figure:
    """Step ``step`` of greedy decoding: top-k next tokens (left) and cross-attention of the newest token (right)."""
    tr = trace(sentence)
    if step < 1:
        raise ValueError(f"steps count from 1 (the first French word), got {step}")
    n = len(tr.steps)
    note = ""
    if step > n:
        note = f" (the translation ended at step {n})"
        step = n
    s = tr.steps[step - 1]
    prefix = " ".join(s.prefix) if s.prefix else "<bos>"
    fig = make_subplots(rows=1, cols=2, column_widths=[0.35, 0.65], horizontal_spacing=0.12,
                        subplot_titles=(f"next token: top {len(s.top_tokens)}",
                                        "where it looks (mean over heads)"))
    colors = ["#d62728" if i == 0 else "#9ecae1" for i in range(len(s.top_tokens))]
    fig.add_trace(go.Bar(x=[round(p, 4) for p in s.top_probs], y=list(range(len(s.top_tokens))), orientation="h",
                         marker_color=colors, text=[f"{p:.2f}" for p in s.top_probs], textposition="auto",
                         hovertext=list(s.top_tokens), hoverinfo="text+x", showlegend=False), row=1, col=1)
    fig.update_xaxes(range=[0, 1], title_text="probability", row=1, col=1)
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(s.top_tokens))), ticktext=list(s.top_tokens),
                     autorange="reversed", row=1, col=1)
    layers = [f"layer {i + 1}" for i in range(s.cross.shape[0])]
    fig.add_trace(heatmap_trace(s.cross, tr.source, layers, showscale=False), row=1, col=2)
    label_axes(fig, tr.source, layers, row=1, col=2, x_title="English (source)", y_title="")
    fig.update_xaxes(side="bottom", row=1, col=2)
    fig.update_annotations(yshift=8)  # the panel titles, a little above their plots
    fig.update_layout(
        title=f"step {step}: {prefix} ▸ <b>{s.chosen}</b>{note}",
        height=400, margin=dict(t=110, l=70, r=20, b=40),
    )
    return fig


def step_values(sentences=STEP_SENTENCES) -> list[int]:
    """Slider values: 1 … the longest translation among ``sentences`` (at most MAX_STEPS)."""
    return list(range(1, min(MAX_STEPS, max(len(trace(s).steps) for s in sentences)) + 1))


# -- length normalisation ----------------------------------------------------------------------

@lru_cache(maxsize=8)
def _hypotheses(sentence: str):
    return beam_hypotheses(translator(), sentence, beam_size=5)


def _tail(text: str, width: int = 34) -> str:
    """The end of a long output (where the kept outputs differ), whole words only."""
    if len(text) <= width:
        return text
    words, kept = text.split(), []
    while words and len(" ".join([words[-1], *kept])) <= width - 2:
        kept.insert(0, words.pop())
    return "… " + " ".join(kept)


def winners(sentence: str, alphas=ALPHAS) -> list[int]:
    """Index of the best kept output under each α."""
    hyps = _hypotheses(sentence)
    return [max(range(len(hyps)), key=lambda i: normalised_score(hyps[i][1], len(hyps[i][0]), a)) for a in alphas]


@lru_cache(maxsize=1)
def length_example(candidates=LENGTH_CANDIDATES) -> str:
    """The first candidate whose winning output changes as α goes from its smallest to its largest value
    (the first candidate if none does)."""
    for sentence in candidates:
        w = winners(sentence)
        if w[0] != w[-1]:
            return sentence
    return candidates[0]


def beam_scores_figure(alpha: float = 0.6, sentence: str | None = None) -> go.Figure:
    """The outputs beam search kept, each with its log-probability and its score log p / length^α."""
    if not 0 <= alpha <= 3:
        raise ValueError(f"the length penalty α should be between 0 and 3, got {alpha}")
    sentence = sentence or length_example()
    hyps = _hypotheses(sentence)
    scores = [normalised_score(lp, len(toks), alpha) for toks, lp in hyps]
    best = max(range(len(hyps)), key=scores.__getitem__)
    labels = [f"{_tail(sentence_text(toks))} ({len(toks)} tokens)" for toks, _ in hyps]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=("log p(output)", f"score = log p / length^{alpha:g}"))
    y = list(range(len(hyps)))
    fig.add_trace(go.Bar(x=[round(lp, 4) for _, lp in hyps], y=y, orientation="h", marker_color="#9ecae1",
                         text=[f"{lp:.2f}" for _, lp in hyps], textposition="auto", showlegend=False), row=1, col=1)
    fig.add_trace(go.Bar(x=[round(s, 4) for s in scores], y=y, orientation="h",
                         marker_color=["#d62728" if i == best else "#9ecae1" for i in y],
                         text=[f"{s:.3f}" for s in scores], textposition="auto", showlegend=False), row=1, col=2)
    fig.update_yaxes(tickmode="array", tickvals=y, ticktext=labels, autorange="reversed", row=1, col=1)
    fig.update_layout(title=f"What beam search kept, α = {alpha:g}<br>for “{sentence}”; the red output wins",
                      height=140 + 60 * len(hyps),
                      margin=dict(t=90, l=20, r=20, b=30))
    fig.update_yaxes(automargin=True)
    return fig


# -- better or worse than greedy ---------------------------------------------------------------

BETTER, WORSE = "#2c7fb8", "#d95f02"  # blue and orange: told apart without red-green vision


def beam_outcomes_figure(tallies: dict[str, list[Tally]]) -> go.Figure:
    """For each sample of sentences (one panel each) and each α (one row each): the share of sentences on which
    beam search's output is closer to the reference than greedy search's (to the right) and further from it
    (to the left), by sentence chrF. The rest, ties, is written by each row's α."""
    if not tallies or not all(tallies.values()):
        raise ValueError("give at least one sample, each with at least one tally (lessons.beams.beam_against_greedy)")
    names = list(tallies)
    beam_sizes = {t.beam_size for rows in tallies.values() for t in rows}
    if len(beam_sizes) != 1:
        raise ValueError(f"the tallies mix beam sizes {sorted(beam_sizes)}: compare one beam size at a time")
    titles = [f"{name} ({rows[0].n} sentences)" for name, rows in tallies.items()]
    row_heights = [len(tallies[n]) for n in names]
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True, subplot_titles=titles,
                        row_heights=row_heights, vertical_spacing=0.5 / sum(row_heights) + 0.04)
    reach = max(100 * max(t.shares["beats"], t.shares["loses"]) for rows in tallies.values() for t in rows)
    reach = max(10, 5 * -(-reach // 5) + 5)  # room for the numbers beside the bars
    for r, name in enumerate(names, start=1):
        rows = tallies[name]
        y = [f"α = {t.alpha:g}<br>ties {100 * t.shares['ties']:.0f}%" for t in rows]
        for outcome, sign, colour, legend in (("beats", 1, BETTER, "beam closer"),
                                              ("loses", -1, WORSE, "greedy closer")):
            shares = [100 * t.shares[outcome] for t in rows]
            fig.add_trace(go.Bar(
                x=[round(sign * v, 2) if v else None for v in shares],  # no sliver of a bar for none
                y=y, orientation="h", marker_color=colour, name=legend,
                legendgroup=outcome, showlegend=r == 1, text=[f"{v:.0f}%" if v else "" for v in shares],
                textposition="outside", cliponaxis=False,
                hovertext=[f"α = {t.alpha:g}: {t.count(outcome)} of {t.n} sentences" for t in rows],
                hoverinfo="text"), row=r, col=1)
        fig.update_yaxes(autorange="reversed", row=r, col=1)
        if not any(t.differ for t in rows):  # nothing to draw: say so where the bars would be
            axis = "" if r == 1 else r
            fig.add_annotation(x=0, y=y[len(y) // 2], xref=f"x{axis}", yref=f"y{axis}", showarrow=False,
                               text="the same output as greedy, every time", bgcolor="white", font=dict(size=13))
    ticks = list(range(-int(reach) + int(reach) % 10, int(reach) + 1, 10))
    fig.update_xaxes(range=[-reach, reach], tickvals=ticks, ticktext=[f"{abs(v)}" for v in ticks],
                     zeroline=True, zerolinecolor="#444", zerolinewidth=1.5)
    fig.update_xaxes(title_text="% of sentences", row=len(names), col=1)
    fig.update_layout(title=f"Beam (K = {beam_sizes.pop()}) against greedy: which is closer to the reference (chrF)",
                      barmode="relative", height=110 + 48 * sum(row_heights) + 40 * len(names),
                      margin=dict(t=80, l=10, r=20, b=60), legend=dict(orientation="h", y=-0.2), bargap=0.35)
    fig.update_yaxes(automargin=True)
    return fig


# -- your own sentence -------------------------------------------------------------------------

def view_options(model=None) -> list[str]:
    """The cross-attention views offered: every layer's mean over heads, then each head of the last layer."""
    cfg = (model or translator().model).cfg
    return attention_views(cfg.n_decoder_layers, cfg.n_heads)


@lru_cache(maxsize=64)
def _translation(sentence: str):
    return translator().translate(sentence)  # ValueError for empty, unknown or over-long input


def translation_map(sentence: str, view: str) -> tuple[list[str], list[str], torch.Tensor]:
    """English tokens, French tokens and the chosen cross-attention map ``(T, S)`` for ``sentence``."""
    t = translator()
    result = _translation(sentence)
    layer, head = parse_view(view, t.model.cfg.n_decoder_layers, t.model.cfg.n_heads, "decoder ")
    weights = list(result.cross_attention.values())[layer]  # (H, T, S)
    weights = weights.mean(0) if head is None else weights[head]  # (T, S)
    return result.source, result.target, weights


def translation_figure(sentence: str = EXAMPLE_SENTENCES[0], view: str = "layer 1 · mean of heads") -> go.Figure:
    source, target, weights = translation_map(sentence, view)
    fig = go.Figure(heatmap_trace(weights, source, target, show_values=numbered(len(source) * len(target))))
    label_axes(fig, source, target, x_title="English (what is read)", y_title="French (what is written)")
    text = sentence_text(target) + (" …" if target[-1] != EOS else "")  # cut at the length limit: unfinished
    fig.update_layout(title=dict(text=f"“{text}” ({view})", y=0.99, yanchor="top"),
                      height=200 + ROW_PX * len(target), margin=dict(t=130, l=110, r=20, b=20))
    return fig


LIVE_TOP_PX = 100  # the axis titles and labels above and below the rows


def live_figure(sentence: str, layer: int = 0, head: int | None = None) -> go.Figure:
    """The in-page translator's first picture: :func:`translation_figure`'s heatmap without a title (the
    page writes the French above it). ``live_translator.js`` redraws it with the same rules: a row of
    ``ROW_PX`` per French token, numbers only in small maps, upright labels for long sentences (the rules of
    :mod:`attnlib.book.live`), and a grey ground where rows are still to be written."""
    view = f"layer {layer + 1} · " + ("mean of heads" if head is None else f"head {head + 1}")
    source, target, weights = translation_map(sentence, view)
    fig = go.Figure(heatmap_trace(weights, source, target, show_values=numbered(len(source) * len(target))))
    label_axes(fig, source, target, x_title="English (what is read)", y_title="French (what is written)")
    fig.update_layout(height=LIVE_TOP_PX + ROW_PX * len(target), margin=dict(t=80, l=110, r=20, b=20),
                      plot_bgcolor="#eef1f4")
    fig.update_xaxes(showgrid=False, zeroline=False,
                     tickangle=tick_angle(len(source)))
    fig.update_yaxes(showgrid=False, zeroline=False)
    return fig



def live_translator(sentence: str = EXAMPLE_SENTENCES[0], layer: int = 0, head: int | None = None) -> None:
    """Show the translator that runs in the page, opening on ``sentence`` (see :mod:`attnlib.book.live`)."""
    _, target, _ = translation_map(sentence, "layer 1 · mean of heads")
    show_live_translator(live_figure(sentence, layer, head), sentence, target, layer, head)
