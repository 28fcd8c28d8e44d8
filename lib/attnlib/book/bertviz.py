"""bertviz's head and model views of the translator, made to work on the offline book site.

    data = bertviz_inputs(translator, "the black cat sees the dog .")
    head_view(data)     # IPython HTML: bertviz's interactive head view
    model_view(data)    # every layer and head at once

bertviz returns HTML that loads require.js from a CDN and tells require.js to fetch d3 and
jQuery from CDNs too: offline it stays blank, and in JupyterLab it races its own loader ("require is
not defined"). The book draws it without either:

* on the published site, which loads its own require.js on every page (``_static/vendor/require.js``, see
  :mod:`attnlib.book.sphinxext`), :func:`offline_html` removes bertviz's ``<script src=…require…>`` tag and
  points the d3 and jQuery paths at ``_static/vendor/``;
* in a live notebook (JupyterLab, Jupyter, Colab, VS Code), :func:`notebook_html` puts the view in an
  ``<iframe>`` that holds everything it needs: d3 and jQuery inlined from the package (``vendor/``), and a
  three-line stand-in for require.js that hands them over. Nothing is fetched, and nothing on the
  notebook's page can be used before it exists.

Live and in the book, :func:`book_style` changes three things in bertviz's drawing code: layers and
heads are numbered from 1, as in the book's text and figures (bertviz labels them with their 0-based
indices); the model view is drawn as wide as the column it sits in instead of a fixed 970 px,
which hid its last head behind a sideways scroll in the book's text column; and the model view takes its
light or dark palette from the page's theme (``<html data-theme>``), again whenever the reader toggles
it (the head view's words follow the theme through the book's CSS).
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from pathlib import Path
from typing import Any

import torch

from attnlib.model.capture import attention_layers, capture_attention
from attnlib.translation.translator import Translator
from attnlib.translation.vocab import decoder_input
from .display import in_book_build

#: requirejs module paths (no ``.js``), relative to a page in ``chapters/`` of the built site.
LOCAL_PATHS = {"d3": "../_static/vendor/d3.min", "jquery": "../_static/vendor/jquery.min"}

_REQUIRE_TAG = re.compile(r"<script[^>]*\bsrc=\"[^\"]*require(?:\.min)?\.js\"[^>]*>\s*</script>")
_PATH_ENTRY = re.compile(r"""(\b(d3|jquery)\s*:\s*)(['"])(https?:)?//[^'"]*\3""")
_VIS_ID = re.compile(r"bertviz-[0-9a-f]{32}")
VENDOR = Path(__file__).parent / "vendor"  # d3 and jQuery, as bertviz asks for them
#: the model view is never drawn narrower than this (a phone's column); a narrower page scrolls sideways
MODEL_MIN_PX = 320

# per view: (a line of bertviz's JavaScript, what the book puts instead); each must occur exactly once
_BOOK_STYLE = {
    "head": [  # the layer menu shows layer + 1; its values stay the 0-based indices the code looks up
        (".val(layer).text(layer)", ".val(layer).text(layer + 1)"),
    ],
    "model": [
        ("const DIV_WIDTH = 970;",  # as wide as the view's own <div>, at most bertviz's 970 px
         f"const DIV_WIDTH = Math.max({MODEL_MIN_PX}, "
         "Math.min(970, document.getElementById(params['root_div_id']).clientWidth || 970));"),
        # the page's theme, not the argument, picks its palette; and it is drawn again when the reader toggles
        # the theme (its dark palette's black becomes the page's own background)
        ("config.mode = params['display_mode'];",
         "config.mode = document.documentElement.getAttribute('data-theme') === 'dark' ? 'dark' : 'light';"
         " new MutationObserver(function () { const m = document.documentElement.getAttribute('data-theme')"
         " === 'dark' ? 'dark' : 'light'; if (m !== config.mode) { config.mode = m; render(); } })"
         ".observe(document.documentElement, {attributes: true, attributeFilter: ['data-theme']});"),
        ("return PALETTE[config.mode]['background']",
         "return config.mode === 'dark' ? getComputedStyle(document.body).backgroundColor"
         " : PALETTE[config.mode]['background']"),
        (".text(config.heads[i])", ".text(config.heads[i] + 1)"),    # column labels
        (".text(config.layers[i])", ".text(config.layers[i] + 1)"),  # row labels
        ("""'Layer ' + config.layers[layerIndex] + ", Head " + config.heads[headIndex]""",  # enlarged thumbnail
         """'Layer ' + (config.layers[layerIndex] + 1) + ", Head " + (config.heads[headIndex] + 1)"""),
    ],
}
_EXTERNAL = re.compile(r"""(src|href)\s*=\s*["'](https?:)?//|['"](https?:)?//[^'"]*\.(js|css)['"]|['"]https?://cdn""")


BERTVIZ_KINDS = {
    "encoder": r"encoder\.layers\.(\d+)\.self_attn",
    "decoder": r"decoder\.layers\.(\d+)\.self_attn",
    "cross": r"decoder\.layers\.(\d+)\.cross_attn",
}


def to_bertviz(patterns: dict[str, torch.Tensor], kind: str, index: int = 0) -> tuple[torch.Tensor, ...]:
    """The per-layer tuple bertviz takes: one ``(1, H, Tq, Tk)`` tensor per layer, in layer order.

    ``kind`` is ``"encoder"``, ``"decoder"`` or ``"cross"``; ``index`` picks the sentence in the batch.
    """
    if kind not in BERTVIZ_KINDS:
        raise ValueError(f"kind must be one of {list(BERTVIZ_KINDS)}, got {kind!r}")
    found = {}
    for name, w in patterns.items():
        m = re.fullmatch(BERTVIZ_KINDS[kind], name)
        if m:
            found[int(m.group(1))] = w
    if not found:
        raise ValueError(f"no {kind} attention in this capture (it holds {list(patterns)}); capture those layers first")
    if sorted(found) != list(range(len(found))):
        raise ValueError(f"{kind} layers {sorted(found)} are not all captured; capture every layer for bertviz")
    batch = next(iter(found.values())).shape[0]
    if not -batch <= index < batch:
        raise ValueError(f"index={index}: this capture holds {batch} sentence(s), so use 0 to {batch - 1}")
    index %= batch
    return tuple(found[i][index : index + 1].float().cpu() for i in range(len(found)))


def bertviz_inputs(translator: Translator, sentence: str) -> dict[str, Any]:
    """Capture every attention layer while the translator reads ``sentence`` and writes its translation.

    Returns the keyword arguments that ``bertviz.head_view`` and ``bertviz.model_view`` take:
    ``encoder_attention``, ``decoder_attention``, ``cross_attention`` (tuples of ``(1, H, q, k)``, one per
    layer), ``encoder_tokens`` (English, ``<eos>`` included) and ``decoder_tokens`` (what the decoder reads:
    ``<bos>`` and the French words, each position predicting the next word).
    """
    result = translator.translate(sentence, with_attention=False)  # ValueError for unusable input
    src = translator.source_ids(sentence)  # (1, S)
    ids = [translator.tgt_vocab.stoi[w] for w in result.target]
    tgt_in = torch.tensor([decoder_input(ids)], device=src.device)  # (1, T): <bos> alone when ids is empty
    with torch.no_grad(), capture_attention(translator.model, list(attention_layers(translator.model))) as patterns:
        translator.model(src, tgt_in)
    return {
        "encoder_attention": to_bertviz(patterns, "encoder"),
        "decoder_attention": to_bertviz(patterns, "decoder"),
        "cross_attention": to_bertviz(patterns, "cross"),
        "encoder_tokens": list(result.source),
        "decoder_tokens": [translator.tgt_vocab.itos[i] for i in tgt_in[0].tolist()],
    }


def offline_html(html: str) -> str:
    """bertviz's HTML for the offline site: no CDN require.js tag, d3 and jQuery from ``_static/vendor/``.

    Raises RuntimeError if bertviz's HTML does not have the shape this function expects (a newer bertviz),
    rather than publishing a page that would try to reach a CDN.
    """
    html, n_tags = _REQUIRE_TAG.subn("", html)
    found: set[str] = set()

    def local(m: re.Match) -> str:
        found.add(m.group(2))
        return f"{m.group(1)}'{LOCAL_PATHS[m.group(2)]}'"

    html = _PATH_ENTRY.sub(local, html)
    if n_tags != 1 or found != set(LOCAL_PATHS):
        raise RuntimeError(f"unexpected bertviz HTML: {n_tags} require.js tag(s), CDN paths for {sorted(found)}; "
                           f"expected one tag and paths for {sorted(LOCAL_PATHS)}")
    leftover = _EXTERNAL.search(html)
    if leftover:
        raise RuntimeError(f"bertviz HTML still refers to another site: …{html[leftover.start():leftover.end() + 60]}…")
    return html


# In the notebook's iframe: bertviz asks require.js for jQuery and d3; the inlined scripts already made them
# globals. The iframe then takes the height of what bertviz drew, and follows it when a menu redraws it.
_REQUIRE_STAND_IN = """
window.requirejs = window.require = function (names, ready) {
  ready.apply(null, names.map(function (name) { return {jquery: window.jQuery, d3: window.d3}[name]; }));
};
window.require.config = function () {};
"""
_FIT_FRAME = """
(function () {
  function fit() {
    if (window.frameElement) { window.frameElement.style.height = document.documentElement.scrollHeight + 'px'; }
  }
  new ResizeObserver(fit).observe(document.body);
  fit();
})();
"""
NOTEBOOK_FRAME_PX = 420  # the iframe's height until the view has drawn and measured itself


def notebook_html(html: str) -> str:
    """bertviz's HTML as a self-contained ``<iframe>`` for a live notebook: it draws offline and at once.

    Raises RuntimeError if bertviz's HTML does not have the shape expected (see :func:`offline_html`).
    """
    body, n_tags = _REQUIRE_TAG.subn("", html)
    if n_tags != 1:
        raise RuntimeError(f"unexpected bertviz HTML: {n_tags} require.js tag(s), expected 1")
    scripts = "".join(f"<script>{(VENDOR / name).read_text(encoding='utf-8')}</script>"
                      for name in ("d3.min.js", "jquery.min.js"))
    document = ("<!DOCTYPE html><html><head><meta charset='utf-8'>"
                "<style>body{margin:0;padding:4px 0;font-family:sans-serif;overflow-x:auto}</style></head><body>"
                f"{scripts}<script>{_REQUIRE_STAND_IN}</script>{body}<script>{_FIT_FRAME}</script></body></html>")
    # in a <div>: IPython warns about HTML that starts with an iframe
    return (f'<div class="bertviz-notebook"><iframe class="bertviz-frame" title="bertviz attention view" '
            f'srcdoc="{html_lib.escape(document, quote=True)}" style="width:100%;height:{NOTEBOOK_FRAME_PX}px;border:0">'
            '</iframe></div>')


_MENU_NAMES = (('<select id="filter">', '<select id="filter" aria-label="which attention">'),
               ('<select id="layer">', '<select id="layer" aria-label="layer">'))


def book_style(kind: str, html: str) -> str:
    """bertviz's ``"head"`` or ``"model"`` view numbered from 1, and a model view as wide as its column.

    Raises RuntimeError if bertviz's JavaScript lacks a line this function rewrites (a newer bertviz),
    rather than showing numbers that disagree with the text.
    """
    for old, new in _BOOK_STYLE[kind]:
        if html.count(old) != 1:
            raise RuntimeError(f"unexpected bertviz {kind} view: {html.count(old)} copies of {old!r}, expected 1")
        html = html.replace(old, new)
    for old, new in _MENU_NAMES:  # bertviz's menus have a text before them but no label a screen reader hears
        html = html.replace(old, new)
    return html


def stable_ids(html: str) -> str:
    """Replace bertviz's random element id by one derived from the content, so builds are reproducible."""
    digest = hashlib.sha1(_VIS_ID.sub("bertviz", html).encode()).hexdigest()[:32]
    return _VIS_ID.sub(f"bertviz-{digest}", html)


def view_html(kind: str, data: dict[str, Any], book: bool | None = None, **options) -> str:
    """The HTML of bertviz's ``"head"`` or ``"model"`` view of ``data`` (see :func:`bertviz_inputs`).

    ``book`` (default: whether this is the book build) gives the published site's offline, reproducible
    HTML; otherwise it is the notebook's self-contained frame (:func:`notebook_html`).
    """
    import bertviz

    views = {"head": bertviz.head_view, "model": bertviz.model_view}
    if kind not in views:
        raise ValueError(f"kind must be 'head' or 'model', got {kind!r}")
    html = book_style(kind, views[kind](**data, **options, html_action="return").data)
    book = in_book_build() if book is None else book
    if not book:
        return notebook_html(html)
    # on a screen narrower than MODEL_MIN_PX the model view scrolls sideways instead of spilling over
    return f'<div class="bertviz-view" style="overflow-x:auto">{offline_html(stable_ids(html))}</div>'


def head_view(data: dict[str, Any], **options):
    """bertviz's head view, ready to display in a notebook cell (IPython HTML)."""
    from IPython.display import HTML

    return HTML(view_html("head", data, **options))


def model_view(data: dict[str, Any], **options):
    """bertviz's model view (every layer × head as a thumbnail), ready to display."""
    from IPython.display import HTML

    return HTML(view_html("model", data, **options))
