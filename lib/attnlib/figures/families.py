"""One block, three families, drawn: the attention mask of each, side by side.

* :func:`masks_figure` — what may attend to what in the book's BERT (every token sees every token), its GPT
  (each token sees itself and the tokens before it) and its translator's cross-attention (every French
  position sees all the English), for one sentence (:func:`attnlib.lessons.families.family_masks`).
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from attnlib.book.plots import heatmap_trace, label_axes
from attnlib.lessons.families import family_masks
from .masking import MASK_COLORSCALE

ENGLISH = "the cat sees the dog .".split()
FRENCH = "le chat voit le chien .".split()


def masks_figure(english=ENGLISH, french=FRENCH) -> go.Figure:
    """The three families' masks (green ✓: may attend), one panel each, queries down and keys across."""
    masks = family_masks(english, french)  # ValueError for an empty side
    fig = make_subplots(rows=1, cols=len(masks), subplot_titles=[name.replace(", ", "<br>") for name in masks],
                        horizontal_spacing=0.1)
    for col, (name, (queries, keys, allowed)) in enumerate(masks.items(), start=1):
        trace = heatmap_trace(allowed.float(), keys, queries, colorscale=MASK_COLORSCALE, show_values=False,
                              showscale=False)
        trace.update(text=[["✓" if v else "" for v in row] for row in allowed.tolist()], texttemplate="%{text}",
                     hovertext=[[f"{queries[i]} → {keys[j]}: " + ("may attend" if allowed[i, j] else "hidden")
                                 for j in range(len(keys))] for i in range(len(queries))])
        fig.add_trace(trace, row=1, col=col)
        label_axes(fig, keys, queries, row=1, col=col, x_title="", y_title="")
    fig.update_xaxes(tickangle=-60, tickfont=dict(size=11))
    fig.update_annotations(yshift=40, font_size=13)  # the panel titles, above the word labels
    fig.update_traces(textfont=dict(size=11))
    fig.update_layout(title="One block, three masks: what each position may attend to (✓), queries down, keys across",
                      height=360, margin=dict(t=150, l=60, r=20, b=20))
    return fig
