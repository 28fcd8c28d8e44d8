"""The book's GPT and BERT running in the published page: the HTML shells around their first pictures, and the
rule by which the page reads what is typed in its number fields.

The book build exports both language models to ONNX (:mod:`attnlib.lm.onnx_export`) into the site's
``_static/language_models/`` and serves them with onnxruntime-web, as it serves the translator
(:mod:`attnlib.book.live`, :mod:`attnlib.book.sphinxext`). Two elements use them:

* :func:`show_live_generator` — a prompt box, the sampling settings (temperature, top-k, top-p, seed, the
  most new tokens), the continuation word by word, the next-token probabilities of one step (a slider
  replays the steps) and the self-attention of the text, one layer and head (or their mean) at a time;
* :func:`show_live_fill` — a sentence box with one ``<mask>``, the five likeliest words for it with their
  probabilities, and where the ``<mask>`` looks in each layer (the mean of the heads, or one head).

``live_lm.js`` brings them to life; the page loads it, the runtime and the one model an element needs
only where such an element stands. Python draws their first picture, so the page is not empty before
the runtime has loaded. In a live notebook the Python functions do the same work with the kernel, so
there the cell only says where the in-page element is.

The page samples exactly as :func:`attnlib.lm.generate.generate` does and reads what is typed exactly as
:class:`~attnlib.lm.trained.TrainedLM` does; :func:`read_number` and :func:`read_settings` are the Python
side of how it reads its number fields (``lm_reader.js`` repeats them).
"""

from __future__ import annotations

import hashlib
import html
import re
from typing import Mapping, Sequence

import plotly.graph_objects as go

from attnlib.lm.generate import check_max_new_tokens, check_room
from attnlib.lm.prng import check_seed
from attnlib.lm.sampling import check_sampling
from attnlib.lm.trained import TrainedLM
from . import layout
from .display import _HTML, figure_html, in_book_build
from .live import DISPLAY as TRANSLATOR_DISPLAY
from .plots import MAX_TEXT_CELLS

# the scripts of a page with a language model, in the order they run (each needs those before it); the worker
# runs the model. attnlib.book.sphinxext loads them in the pages that show an element, and only there.
SCRIPTS = ("live_rules.js", "lm_prng.js", "lm_sampling.js", "lm_reader.js", "live_runtime.js", "live_lm.js")
WORKER = "live_lm_worker.js"
MODEL_FOLDER = "language_models"  # under _static/
GENERATOR_CLASS, FILL_CLASS = "attn-lm-generator", "attn-lm-fill"
ELEMENT_KINDS = {GENERATOR_CLASS: "causal", FILL_CLASS: "masked"}  # which model each element runs

# The settings a generator opens with, as typed in its fields (python -m attnlib.lm generate's defaults, and a
# limit of 20 new tokens: room for any sentence of the corpus)
FIELDS = ("temperature", "top_k", "top_p", "seed", "max_new_tokens")
DEFAULTS = {"temperature": "1", "top_k": "0", "top_p": "1", "seed": "0", "max_new_tokens": "20"}
FIELD_LABELS = {"temperature": "temperature", "top_k": "top-k", "top_p": "top-p", "seed": "seed",
                "max_new_tokens": "max new tokens"}
FIELD_HINTS = {"temperature": "0 is greedy", "top_k": "0 keeps all", "top_p": "1 keeps all", "seed": "0 to 2³² − 1",
               "max_new_tokens": "stops sooner at <eos>"}

BARS = 10  # the likeliest tokens shown at each step (and the one drawn, when it is not among them)
FILLS = 5  # the words proposed for a <mask>, as python -m attnlib.lm fill prints them
BAR_PX = 30  # the height of one bar
BAR_RANGE = {"scale": 1.25, "pad": 0.02}  # the probability axis reaches scale × the tallest bar + pad (at most 1)
DRAWN, KEPT = "#d62728", "#3182bd"  # the token drawn, the others (as chapter 13's step figure)
LABEL_PX = {"upright": 12, "slanted": 15}  # the width a column's label needs (as attnlib.book.layout.min_width)

# Words the page writes, here and in live_lm.js: one wording for both
WORDS = {
    "step": "step {step} of {steps}: “{word}”, probability {p}, drawn by the number {u}",
    "written": "Wrote {count} new tokens with seed {seed}; the slider replays the steps.",
    "bars": "The {count} likeliest next tokens at step {step}: {list}. Drawn: {word}.",
    "fills": "The {count} likeliest words for the {mask}: {list}.",
    "filled": "The likeliest word for the {mask} is “{word}”, probability {p}; the bars show the {count} likeliest.",
    "ready_generator": "Ready: type the first words of a sentence and press Enter.",
    "ready_fill": "Ready: type a sentence with one {mask} and press Enter.",
}
# How the page draws, from language_models.json: the translator's rules for heatmaps, and these
DISPLAY = {**TRANSLATOR_DISPLAY, "max_text_cells": MAX_TEXT_CELLS, "bars": BARS, "fills": FILLS, "bar_px": BAR_PX, "bar_range": BAR_RANGE,
           "drawn": DRAWN, "kept": KEPT, "label_px": LABEL_PX, "min_width": layout.MIN_WIDTH,
           "column_px": layout.COLUMN_PX, "column_width": layout.COLUMN_WIDTH, "words": WORDS}

LOADING = "Loading the language model and its runtime…"
NOTEBOOK_NOTE = ("In the published book, the book's {model} runs in the page itself here. In this notebook, "
                 "the Python functions of this chapter do the same in its other cells.")


# -- what the page reads in its number fields ---------------------------------------------------------------

_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NAMED = re.compile(r"[+-]?(?:inf|infinity|nan)", re.IGNORECASE)


def read_number(text: str):
    """What a reader typed in a number field, as the value Python would be given: a whole number (``7``,
    ``-2``) an int, a number with a point or an exponent (``0.5``, ``2.``, ``1e3``, ``inf``) a float, anything
    else the text itself. Spaces and tabs around it are left out."""
    s = text.strip(" \t")
    if _INT.fullmatch(s):
        return int(s)
    if _FLOAT.fullmatch(s) or _NAMED.fullmatch(s):
        return float(s)
    return text


def read_settings(fields: Mapping[str, str]) -> dict:
    """The sampling settings and the limit typed in the generator's fields (``FIELDS``, each a text), checked
    in the order python -m attnlib.lm generate checks them, or the ValueError it raises first."""
    values = {name: read_number(fields[name]) for name in FIELDS}
    check_sampling(values["temperature"], values["top_k"], values["top_p"])
    check_seed(values["seed"])
    check_max_new_tokens(values["max_new_tokens"])
    return values


def read_request(lm: TrainedLM, prompt: str, fields: Mapping[str, str]) -> tuple[list[int], dict]:
    """What the generator does with a request before it runs the model: the settings, then the prompt
    (``<bos>`` and its ids), then whether the new tokens fit; the ids and the settings, or the first ValueError."""
    settings = read_settings(fields)
    ids = lm.prompt_ids(prompt)[0].tolist()
    check_room(len(ids), settings["max_new_tokens"], lm.model.cfg.max_len)
    return ids, settings


# -- the elements -------------------------------------------------------------------------------------------

def _uid(*parts) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:8]


def _options(n_layers: int | None, n_heads: int, layer: int, head: int | None) -> str:
    """The layer menu (none when ``n_layers`` is None) and the head menu, showing ``layer`` and ``head``
    until the page fills them."""
    menus = []
    if n_layers is not None:
        menus.append(f'<select class="attn-live-layer" aria-label="layer" disabled>'
                     f'<option>layer {layer + 1}</option></select>')
    menus.append(f'<select class="attn-live-head" aria-label="head" disabled>'
                 f'<option>{"mean of heads" if head is None else f"head {head + 1}"}</option></select>')
    return "".join(menus)


def _words(tokens: Sequence[str], given: int, step: int) -> str:
    """The text as spans, one a token: the first ``given`` typed by the reader, then those written, the one of
    ``step`` marked and the later ones pale (as live_lm.js marks them)."""
    def cls(i: int) -> str:
        n = i - given + 1  # the step that wrote it
        return "attn-lm-given" if i < given else "attn-live-current" if n == step else "attn-live-later" if n > step else ""

    return "".join(f'<span{f" class={cls(i)}" if cls(i) else ""}>{html.escape(t)}</span>' for i, t in enumerate(tokens))


def step_label(step: int, steps: int, word: str, p: float, u: float) -> str:
    return WORDS["step"].format(step=step, steps=steps, word=word, p=f"{p:.3f}", u=f"{u:.3f}")


def live_generator_html(bars: go.Figure, attention: go.Figure, prompt: str, words: Sequence[str], new: Sequence[str],
                        step: int, label: str, layer: int, head: int | None, n_layers: int, n_heads: int,
                        fields: Mapping[str, str] | None = None) -> str:
    """The generator as the page first shows it, at ``step`` of the continuation: ``bars`` (the step's likeliest
    tokens) and ``attention`` (the self-attention of the tokens read so far, in ``layer`` and ``head``, 0-based,
    None for the mean of heads, of the model's ``n_layers`` and ``n_heads``) drawn by Python for ``prompt``
    (read as ``words``) continued with ``new`` under ``fields`` (default: ``DEFAULTS``); ``label`` says what
    the step drew."""
    fields = {**DEFAULTS, **(fields or {})}
    uid = _uid(prompt, *fields.values(), layer, head)
    settings = "".join(
        f'<label class="attn-lm-field">{html.escape(FIELD_LABELS[name])} '
        f'<input class="attn-lm-setting" name="{name}" type="text" inputmode="decimal" value="{html.escape(fields[name])}" '
        f'autocomplete="off" spellcheck="false" aria-describedby="attn-lm-{uid}-{name}" disabled>'
        f'<small id="attn-lm-{uid}-{name}">{html.escape(FIELD_HINTS[name])}</small></label>' for name in FIELDS)
    steps = len(new)
    data = " ".join(f'data-{name.replace("_", "-")}="{html.escape(fields[name])}"' for name in FIELDS)
    return (
        f'<div class="attn-live-lm {GENERATOR_CLASS}" data-prompt="{html.escape(prompt)}" {data} '
        f'data-step="{step}" data-layer="{layer}" data-head="{"mean" if head is None else head}">'
        f'<form class="attn-live-form">'
        f'<label for="attn-lm-{uid}">Prompt: the first English words of a sentence</label>'
        f'<input class="attn-live-input attn-lm-prompt" id="attn-lm-{uid}" type="text" value="{html.escape(prompt)}" '
        f'autocomplete="off" spellcheck="false" disabled>'
        f'<button class="attn-live-button" type="submit" disabled>Generate</button>'
        f'<fieldset class="attn-lm-settings"><legend>Sampling</legend>{settings}</fieldset></form>'
        f'<p class="attn-live-status" role="status">{LOADING}</p>'
        f'<p class="attn-live-output attn-lm-text" aria-live="polite">{_words([*words, *new], len(words), step)}</p>'
        f'<div class="attn-live-controls"><label class="attn-live-slider">Step <input class="attn-live-step" '
        f'type="range" min="1" max="{steps}" value="{step}" disabled></label>'
        f'<span class="attn-live-step-label">{html.escape(label)}</span></div>'
        f'{figure_html(bars, redrawn=True)}'
        f'<div class="attn-live-controls"><span>Self-attention of</span>'
        f'{_options(n_layers, n_heads, layer, head)}</div>'
        f'{figure_html(attention, redrawn=True)}'
        f'<noscript><p>The language model in this page needs JavaScript.</p></noscript></div>'
    )


def live_fill_html(bars: go.Figure, attention: go.Figure, sentence: str, head: int | None, n_heads: int) -> str:
    """The fill element as the page first shows it: ``bars`` (the likeliest words for the ``<mask>`` of
    ``sentence``) and ``attention`` (where the ``<mask>`` looks in each layer, for ``head`` of the model's
    ``n_heads``; None for the mean) drawn by Python."""
    uid = _uid(sentence, head)
    return (
        f'<div class="attn-live-lm {FILL_CLASS}" data-sentence="{html.escape(sentence)}" '
        f'data-head="{"mean" if head is None else head}">'
        f'<form class="attn-live-form">'
        f'<label for="attn-lm-{uid}">A sentence with one &lt;mask&gt; where a word is missing</label>'
        f'<input class="attn-live-input attn-lm-sentence" id="attn-lm-{uid}" type="text" '
        f'value="{html.escape(sentence)}" autocomplete="off" spellcheck="false" disabled>'
        f'<button class="attn-live-button" type="submit" disabled>Fill</button></form>'
        f'<p class="attn-live-status" role="status">{LOADING}</p>'
        f'{figure_html(bars, redrawn=True)}'
        f'<div class="attn-live-controls"><span>Where the &lt;mask&gt; looks:</span>'
        f'{_options(None, n_heads, 0, head)}</div>'
        f'{figure_html(attention, redrawn=True)}'
        f'<noscript><p>The language model in this page needs JavaScript.</p></noscript></div>'
    )


def _show(element: str, model: str) -> None:
    from IPython.display import display

    display(_HTML(element if in_book_build() else f"<p><em>{html.escape(NOTEBOOK_NOTE.format(model=model))}</em></p>"))


def show_live_generator(*args, **kwargs) -> None:
    """Display the generator (book build) or the note that says where it is (live notebook); the arguments
    are :func:`live_generator_html`'s."""
    _show(live_generator_html(*args, **kwargs) if in_book_build() else "", "GPT")


def show_live_fill(*args, **kwargs) -> None:
    """Display the fill element (book build) or the note that says where it is (live notebook); the arguments
    are :func:`live_fill_html`'s."""
    _show(live_fill_html(*args, **kwargs) if in_book_build() else "", "BERT")
