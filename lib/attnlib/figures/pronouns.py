"""Figures for "what does *it* refer to?": attention drawn as lines from the pronoun, head shares, probes.

* :func:`pronoun_lines_figure`: one encoder head's attention from *it* to every word, as lines whose
  width and colour grow with the weight (the picture made famous for *the animal didn't cross the street
  because it was too tired*), for the book's own sentences;
* :func:`head_shares_figure`: for every head, how often the pronoun looks more at its antecedent than
  at the other noun, against the two positional rules;
* :func:`probe_figure`: how well a linear probe reads the antecedent's gender from each layer, at the
  pronoun and, for the decoder, one step before it.
"""

from __future__ import annotations

import functools

import plotly.graph_objects as go

from attnlib.lessons.pronouns import STEP_BEFORE, PronounAttention, attention_from_pronoun
from attnlib.model.capture import attention_layer
from attnlib.translation.corpus import PINNED_EXAMPLES
from .decoding import translator

#: The running example with each of its two endings: *it* is the cat, then the street.
SENTENCES = {"… because it is tired": PINNED_EXAMPLES[2], "… because it is wide": PINNED_EXAMPLES[3]}
LINE_COLOR = "8, 81, 156"  # rgb of the lines; their opacity is the weight


KINDS = {"encoder": ("encoder", "self"), "cross": ("decoder", "cross")}  # each choice: the layers' (stack, kind)


def head_label(layer: int, head: int) -> str:
    """``layer 1 · head 2`` (1-based, as the book counts)."""
    return f"layer {layer + 1} · head {head + 1}"


def head_labels() -> list[str]:
    """``layer 1 · head 1`` … for every head of a layer stack (encoder and decoder have as many layers)."""
    cfg = translator().model.cfg
    return [head_label(layer, head) for layer in range(cfg.n_encoder_layers) for head in range(cfg.n_heads)]


@functools.lru_cache(maxsize=None)
def _attention(sentence: str) -> PronounAttention:
    return attention_from_pronoun(translator(), sentence)


def _parse(label: str) -> tuple[int, int]:
    try:
        layer, head = (int(part.split()[-1]) - 1 for part in label.split("·"))
    except ValueError:
        raise ValueError(f"unknown head {label!r}: write it as 'layer 1 · head 2'") from None
    if label not in head_labels():
        raise ValueError(f"the translator has no {label!r}; choose one of {head_labels()}")
    return layer, head


def pronoun_lines_figure(sentence: str = "… because it is tired", attention: str = "cross",
                         head: str = "layer 1 · head 1") -> go.Figure:
    """A line from the pronoun on the left to every English word on the right, as wide and as dark as the
    head's weight on that word. Encoder heads start from *it* (the English on both sides); cross-attention
    heads from *il* or *elle* in the French on the left, at the step that writes it."""
    if sentence not in SENTENCES:
        raise ValueError(f"unknown sentence {sentence!r}; choose one of {list(SENTENCES)}")
    if attention not in KINDS:
        raise ValueError(f"unknown attention {attention!r}; choose one of {list(KINDS)}")
    kind, (layer, h) = attention, _parse(head)
    name = attention_layer(KINDS[kind][0], layer, KINDS[kind][1])
    att = _attention(SENTENCES[sentence])
    words = att.source
    if kind == "encoder":
        weights = att.encoder[name][h].tolist()  # (S,)
        left, start = words, att.pronoun
    else:
        weights = att.cross[name][h].tolist()  # (S,)
        left, start = att.target, att.french_pronoun
    y = [-i for i in range(len(words))]
    y_left = [-i * (len(words) - 1) / max(len(left) - 1, 1) for i in range(len(left))]  # spread over the same height
    fig = go.Figure()
    for j, w in enumerate(weights):
        fig.add_trace(go.Scatter(x=[0.12, 0.88], y=[y_left[start], y[j]], mode="lines", showlegend=False,
                                 line=dict(width=1 + 14 * w, color=f"rgba({LINE_COLOR}, {0.08 + 0.92 * w:.3f})"),
                                 hovertemplate=f"{left[start]} → {words[j]}: {w:.1%}<extra></extra>"))
    bold = [f"<b>{w}</b>" if i == start else w for i, w in enumerate(left)]
    fig.add_trace(go.Scatter(x=[0.0] * len(left), y=y_left, mode="text", text=bold, textposition="middle left",
                             showlegend=False, hoverinfo="skip", textfont=dict(size=14)))
    fig.add_trace(go.Scatter(x=[1.0] * len(words), y=y, mode="text", showlegend=False, hoverinfo="skip",
                             text=[f"{w}  {100 * v:.0f}%" for w, v in zip(words, weights)],
                             textposition="middle right", textfont=dict(size=14)))
    fig.update_xaxes(visible=False, range=[-0.45, 1.5])
    fig.update_yaxes(visible=False, range=[y[-1] - 0.6, 0.6])
    french = att.target[att.french_pronoun] if att.french_pronoun is not None else "no pronoun"
    what = f"from “it”; translated with “{french}”" if kind == "encoder" else f"writing “{french}”"
    fig.update_layout(title=dict(text=f"{kind} {head}<br><sup>attention {what}</sup>"),
                      height=90 + 30 * len(words), margin=dict(l=10, r=10, t=80, b=10),
                      plot_bgcolor="white")
    return fig


def head_shares_figure(shares: dict[str, float], baselines: dict[str, float]) -> go.Figure:
    """One bar per head: the share of test sentences in which the pronoun's larger weight, of the two nouns',
    goes to its antecedent; dashed lines: how often "the first noun" and "the nearer noun" are right."""
    if not shares:
        raise ValueError("no head shares to draw")
    # which head is which is said by the bar labels and the subtitle, not a legend: five legend entries
    # need more width than a phone has, the two rules' lines fit
    groups = {"encoder": ("encoder.", "self_attn"), "decoder self": ("decoder.", "self_attn"),
              "cross": ("decoder.", "cross_attn")}
    fig = go.Figure()
    for short, (stack, kind) in groups.items():
        names = [n for n in shares if n.startswith(stack) and n.split("#")[0].endswith(kind)]
        labels = [f"{short} {int(n.split('.')[2]) + 1}·{int(n.split('#')[1]) + 1}" for n in names]
        fig.add_trace(go.Bar(x=[shares[n] for n in names], y=labels, orientation="h", name=short, showlegend=False,
                             hovertemplate="%{y}: %{x:.1%}<extra></extra>"))
    for (rule, value), dash in zip(baselines.items(), ("dash", "dot")):
        fig.add_vline(x=value, line=dict(color="#555", dash=dash))
        fig.add_trace(go.Scatter(x=[value, value], y=[None, None], mode="lines", name=f"rule: {rule.replace('_', ' ')}",
                                 line=dict(color="#555", dash=dash)))
    fig.update_xaxes(range=[0, 1], tickformat=".0%", title_text="pronoun looks more at its antecedent")
    fig.update_yaxes(autorange="reversed", title_text="layer·head")
    fig.update_layout(title="Which head finds what “it” means?<br>encoder: at it; decoder: writing il/elle",
                      height=160 + 20 * len(shares),
                      margin=dict(l=10, r=10, t=60, b=50), legend=dict(orientation="h", y=-0.12, yanchor="top"))
    return fig


def probe_figure(accuracies: dict[str, float]) -> go.Figure:
    """A bar per layer: how often a linear probe on its output reads the antecedent's gender (chance: 50%);
    beside a decoder layer's bar, a second one for the step before the pronoun (names ending in
    :data:`~attnlib.lessons.pronouns.STEP_BEFORE`), when there is one."""
    if not accuracies:
        raise ValueError("no probe accuracies to draw")
    names = [n for n in accuracies if not n.endswith(STEP_BEFORE)]
    before = [n for n in names if n + STEP_BEFORE in accuracies]

    def bars(x, values, name, color, legend):
        return go.Bar(x=x, y=values, name=name, marker_color=color, showlegend=legend,
                      text=[f"{100 * v:.0f}%" for v in values], textposition="outside", cliponaxis=False,
                      constraintext="none",  # a number above a narrow bar keeps its size
                      hovertemplate=f"%{{x}}, {name}: %{{y:.1%}}<extra></extra>")

    fig = go.Figure(bars(names, [accuracies[n] for n in names], "at the pronoun", "#3182bd", bool(before)))
    if before:
        fig.add_trace(bars(before, [accuracies[n + STEP_BEFORE] for n in before], "before it", "#fd8d3c", True))
        fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    fig.add_hline(y=0.5, line=dict(color="#555", dash="dash"))
    fig.add_trace(go.Scatter(x=[names[0], names[-1]], y=[None, None], mode="lines", name="chance",
                             line=dict(color="#555", dash="dash")))
    fig.update_yaxes(range=[0, 1.12], tickformat=".0%", title_text="probe reads the gender")
    fig.update_xaxes(tickmode="array", tickvals=names, tickangle=0,  # two short lines: never turned on a phone
                     ticktext=[n.replace(" ", "<br>", 1) for n in names])
    fig.update_layout(title="Where is the gender of <i>it</i> known?", height=380, margin=dict(l=10, r=10, t=60, b=40),
                      legend=dict(orientation="h", y=-0.15, yanchor="top"))
    return fig
