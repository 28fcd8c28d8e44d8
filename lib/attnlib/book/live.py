"""The translator that runs in the published page: the HTML shell around its first figure.

The book build exports the shipped translator to ONNX (:mod:`attnlib.translation.onnx_export`) and
serves it with onnxruntime-web from the site itself (:mod:`attnlib.book.sphinxext`). On a page,
:func:`show_live_translator` puts a text box, a status line, the French output, a layer and a head
menu, a step slider and the heatmap drawn here; ``live_translator.js`` brings them to life. Only
the pages that show one load that script, the runtime and the model.

In a live notebook the Python widgets do the same work with the kernel, so there the cell only says
where the in-page translator is.

The book's language models run in the page the same way, with the same runtime and shared scripts
(:mod:`attnlib.book.live_lm`).
"""

from __future__ import annotations

import hashlib
import html

import plotly.graph_objects as go

from .display import PLOTLY_CONFIG, _HTML, figure_html, in_book_build

# the in-page translator's scripts, in the site's _static/, in the order they run (each needs those before it):
# attnlib.book.sphinxext puts them in the head of the pages that show an element (the element itself carries no
# script), with a few lines that start the worker, which runs the model (and loads WORKER_SCRIPTS itself)
SCRIPTS = ("live_rules.js", "live_runtime.js", "live_translator.js")
WORKER = "live_translator_worker.js"
WORKER_SCRIPTS = ("live_worker.js",)
ELEMENT_CLASS = "attn-live"
# How the translator's heatmap is drawn, here (its first picture, attnlib.figures.decoding) and by the page
# (live_translator.js reads these from translator.json, see DISPLAY below): one home for each number.
ROW_PX = 28  # the height of one French row
MAX_NUMBERED_CELLS = 225  # more cells than this show colour only: numbers would be too small to read
VERTICAL_LABELS_FROM = 11  # English words from which column labels stand upright, not slanted into each other
VERTICAL_ANGLE = -90
MIN_CELL_PX = 30  # in the page, a cell narrower than this (a phone, a long sentence) shows colour only
DISPLAY = {"row_px": ROW_PX, "max_numbered_cells": MAX_NUMBERED_CELLS, "vertical_labels_from": VERTICAL_LABELS_FROM,
           "vertical_angle": VERTICAL_ANGLE, "min_cell_px": MIN_CELL_PX, "plotly_config": PLOTLY_CONFIG}


def tick_angle(columns: int) -> int | None:
    """The English labels' angle for a map of ``columns`` tokens (None: plotly chooses)."""
    return VERTICAL_ANGLE if columns >= VERTICAL_LABELS_FROM else None


def numbered(cells: int) -> bool:
    """Whether a map of ``cells`` cells writes its numbers in them."""
    return cells <= MAX_NUMBERED_CELLS
LOADING = "Loading the translator and its runtime…"
NOTEBOOK_NOTE = ("In the published book, a translator that runs in the page itself stands here. "
                 "In this notebook, the Python translator does the same in this section's other cells.")


def live_translator_html(fig: go.Figure, example: str, target: list[str], layer: int, head: int | None) -> str:
    """The page's element: ``fig`` is the heatmap of ``example`` (translated as ``target``, a row each)
    for ``layer`` and ``head`` (0-based; None for the mean of heads)."""
    uid = hashlib.sha1(f"{example}|{layer}|{head}".encode()).hexdigest()[:8]
    words = "".join(f"<span>{html.escape(t)}</span>" for t in target)
    head_value = "mean" if head is None else str(head)
    step = len(target)
    return (
        f'<div class="{ELEMENT_CLASS}" data-example="{html.escape(example)}" data-layer="{layer}" '
        f'data-head="{head_value}" data-rows="{len(target)}">'
        f'<form class="attn-live-form">'
        f'<label for="attn-live-{uid}">English sentence</label>'
        f'<input class="attn-live-input" id="attn-live-{uid}" type="text" value="{html.escape(example)}" '
        f'autocomplete="off" spellcheck="false" disabled>'
        f'<button class="attn-live-button" type="submit" disabled>Translate</button></form>'
        f'<p class="attn-live-status" role="status">{LOADING}</p>'
        f'<p class="attn-live-output" lang="fr" aria-live="polite">{words}</p>'
        f'<div class="attn-live-controls">'
        f'<span>Cross-attention of</span>'
        f'<select class="attn-live-layer" aria-label="decoder layer" disabled><option>layer {layer + 1}</option></select>'
        f'<select class="attn-live-head" aria-label="head" disabled>'
        f'<option>{"mean of heads" if head is None else f"head {head + 1}"}</option></select>'
        f'<label class="attn-live-slider">Step <input class="attn-live-step" type="range" min="1" max="{step}" '
        f'value="{step}" disabled></label>'
        f'<span class="attn-live-step-label">step {step} of {step}: writing {html.escape(target[-1])}</span></div>'
        f'{figure_html(fig, redrawn=True)}'
        f'<noscript><p>The translator in this page needs JavaScript.</p></noscript></div>'
    )


def show_live_translator(*args, **kwargs) -> None:
    """Display the element (book build) or the note that says where it is (live notebook)."""
    from IPython.display import display

    display(_HTML(live_translator_html(*args, **kwargs) if in_book_build()
                  else f"<p><em>{html.escape(NOTEBOOK_NOTE)}</em></p>"))
