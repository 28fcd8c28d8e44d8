"""bertviz views of the translator: the right tensors in, and offline HTML out for the published book."""

import html
import re
import shutil

import pytest
import torch

from attnlib import ModelConfig, Transformer, capture_attention
from attnlib.book.bertviz import (LOCAL_PATHS, MODEL_MIN_PX, bertviz_inputs, book_style, head_view, offline_html,
                                  stable_ids, to_bertviz, view_html)
from attnlib.book.sphinxext import VENDOR
from attnlib.figures.decoding import translator as load_translator
from attnlib.measure import torch_threads
from attnlib.model.capture import attention_layer
from book_pages import new_tab, open_page
from browser import serve

SENTENCE = "the black cat sees the dog ."
COLUMN_PX = 688  # the book's text column on a desktop screen
CDN_HTML = """<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js"></script>
<div id="bertviz-0123456789abcdef0123456789abcdef"></div>
<script type="text/javascript">
require.config({
  paths: {
      d3: 'https://cdnjs.cloudflare.com/ajax/libs/d3/5.7.0/d3.min',
    jquery: 'https://cdnjs.cloudflare.com/ajax/libs/jquery/2.0.0/jquery.min',
  }
});
</script>"""


@pytest.fixture(scope="module")
def data():
    with torch_threads(1):
        yield bertviz_inputs(load_translator(), SENTENCE)


def test_inputs_hold_every_layer_of_the_three_kinds_with_matching_tokens(data):
    cfg = load_translator().model.cfg
    s, t = len(data["encoder_tokens"]), len(data["decoder_tokens"])
    assert data["encoder_tokens"][-1] == "<eos>" and data["decoder_tokens"][0] == "<bos>"
    assert len(data["encoder_attention"]) == cfg.n_encoder_layers
    assert len(data["decoder_attention"]) == len(data["cross_attention"]) == cfg.n_decoder_layers
    assert all(w.shape == (1, cfg.n_heads, s, s) for w in data["encoder_attention"])
    assert all(w.shape == (1, cfg.n_heads, t, t) for w in data["decoder_attention"])
    assert all(w.shape == (1, cfg.n_heads, t, s) for w in data["cross_attention"])
    for w in data["decoder_attention"]:  # causal
        assert torch.all(torch.triu(w[0], diagonal=1) == 0)
    # the decoder reads <bos> + the translation without its final <eos>
    assert data["decoder_tokens"][1:] == load_translator().translate(SENTENCE).target[:-1]
    with pytest.raises(ValueError, match="unknown word"):
        bertviz_inputs(load_translator(), "the astronaut sleeps .")


def test_offline_html_drops_the_cdn_and_points_at_the_site():
    html = offline_html(CDN_HTML)
    assert "require.min.js" not in html and "cdnjs" not in html and "https://" not in html
    for name, path in LOCAL_PATHS.items():
        assert f"{name}: '{path}'" in html
    with pytest.raises(RuntimeError, match="unexpected bertviz HTML"):
        offline_html("<div>no bertviz here</div>")
    with pytest.raises(RuntimeError, match="another site"):
        offline_html(CDN_HTML + '<script src="https://example.com/x.js"></script>')


def test_stable_ids_are_derived_from_the_content():
    a = stable_ids(CDN_HTML)
    b = stable_ids(CDN_HTML.replace("0123456789abcdef0123456789abcdef", "f" * 32))
    assert a == b and "0123456789abcdef" not in a
    assert stable_ids(CDN_HTML.replace("d3.min", "d3.js")) != a


@pytest.mark.parametrize("kind", ["head", "model"])
def test_views_are_offline_in_the_book_and_in_a_notebook(data, kind):
    live = view_html(kind, data, book=False)
    assert '<iframe class="bertviz-frame"' in live and "srcdoc=" in live
    inside = html.unescape(re.search(r'srcdoc="([^"]*)"', live).group(1))
    assert not re.search(r"<script[^>]*\bsrc=", inside)  # every script is inline: nothing is fetched
    assert "d3js.org v5.7.0" in inside and "jQuery v3.7.1" in inside and "window.requirejs" in inside
    book = view_html(kind, data, book=True)
    assert not re.search(r"""(src=|['"])https?://""", book)
    assert "../_static/vendor/d3.min" in book and "../_static/vendor/jquery.min" in book
    assert book == view_html(kind, data, book=True)  # reproducible builds
    assert '"Cross"' in book and "noir" in book
    with pytest.raises(ValueError, match="'head' or 'model'"):
        view_html("neuron", data)


@pytest.mark.parametrize("book", [False, True])
def test_views_number_layers_and_heads_from_1_and_fit_the_column(data, book):
    """The book counts layers and heads from 1; bertviz labels them with 0-based indices and draws 970 px wide."""
    head, model = (html.unescape(view_html(kind, data, book=book)) for kind in ("head", "model"))
    assert ".text(layer + 1)" in head and ".text(layer)" not in head  # the layer menu
    for label in ("config.heads[i]", "config.layers[i]"):                # the model view's axes
        assert f".text({label} + 1)" in model and f".text({label})" not in model
    assert "'Layer ' + (config.layers[layerIndex] + 1) + \", Head \" + (config.heads[headIndex] + 1)" in model
    assert "const DIV_WIDTH = 970" not in model and "clientWidth" in model
    assert not re.search(r"const DIV_WIDTH = \d+;", model)


def test_book_style_refuses_bertviz_javascript_it_does_not_know():
    with pytest.raises(RuntimeError, match="unexpected bertviz model view"):
        book_style("model", CDN_HTML)


def test_head_view_in_the_book_build_is_displayable_html(data, monkeypatch):
    monkeypatch.setenv("ATTN_BOOK_BUILD", "1")
    out = head_view(data)
    assert "<svg" not in out.data and "require.min.js" not in out.data and "bertviz-" in out.data


# the element ids of bertviz's views, and what a drawn view holds
_DRAWN_COUNTS = "(root) => Array.from(root.querySelectorAll('[id^=bertviz] svg')).map(s => s.querySelectorAll('text, line').length)"


@pytest.mark.browser
def test_the_views_draw_offline_in_a_browser(data, tmp_path, chromium):
    """A page laid out like the site (chapters/…, _static/vendor/…) draws both views with no outside request."""
    needed = {k: v for k, v in VENDOR.items() if k in ("vendor/require.js", "vendor/d3.min.js", "vendor/jquery.min.js")}
    missing = [str(p) for p in needed.values() if not p.exists()]
    assert not missing, f"the site's JavaScript is not installed ({missing}): run `npm ci` (make does)"
    for target, src in needed.items():
        (tmp_path / "_static" / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, tmp_path / "_static" / target)
    (tmp_path / "chapters").mkdir()
    views = view_html("head", data, book=True) + view_html("model", data, book=True)
    widths = {"column": COLUMN_PX, "phone": MODEL_MIN_PX - 50}  # a desktop's text column, a phone's
    for name, width in widths.items():  # one page each: the element ids are the same
        (tmp_path / "chapters" / f"{name}.html").write_text(
            '<html><head><script src="../_static/vendor/require.js"></script></head><body>'
            f'<div style="width:{width}px">{views}</div></body></html>')
    with serve(tmp_path) as base, new_tab(chromium) as page:
        drawn = f"() => ({_DRAWN_COUNTS})(document).length == 2 && ({_DRAWN_COUNTS})(document).every(n => n > 0)"
        seen = {}
        for name in widths:
            page.goto(f"{base}chapters/{name}.html")
            page.wait_for_function(drawn, timeout=15_000)
            seen[name] = page.evaluate("""() => {
                const [head, model] = document.querySelectorAll('[id^=bertviz]');
                const box = model.closest('.bertviz-view');
                return {layerMenu: Array.from(head.querySelectorAll('#layer option')).map(o => o.textContent),
                        axes: Array.from(model.querySelectorAll('svg > text')).map(t => t.textContent),
                        width: model.querySelector('svg').getBoundingClientRect().width,
                        hidden: box.scrollWidth - box.clientWidth}}""")
        rec = page.recorder
        problems = [*rec.page_errors, *rec.console_errors, *rec.failed, *rec.external]
    assert not problems, problems
    cfg = load_translator().model.cfg
    layers, heads = [str(i) for i in range(1, cfg.n_encoder_layers + 1)], [str(i) for i in range(1, cfg.n_heads + 1)]
    for view in seen.values():  # what a reader sees: layers and heads counted from 1
        assert view["layerMenu"] == layers and view["axes"] == ["Heads", *heads, "Layers", *layers]
    # the model view fills the desktop column with nothing hidden; a narrower screen scrolls it sideways
    assert seen["column"]["width"] == COLUMN_PX and seen["column"]["hidden"] == 0
    assert seen["phone"]["width"] == MODEL_MIN_PX and seen["phone"]["hidden"] > 0


@pytest.mark.browser
def test_the_notebook_views_draw_offline_with_nothing_on_the_page(data, tmp_path, chromium):
    """In a live notebook the views are self-contained frames: a page with no require.js, d3 or jQuery, and no
    network, draws both at once (JupyterLab after Run All), each frame as tall as its drawing."""
    (tmp_path / "notebook.html").write_text(
        "<html><body><div style='width:700px'>" + view_html("head", data, book=False)
        + view_html("model", data, book=False) + "</div></body></html>")
    with serve(tmp_path) as base, new_tab(chromium) as page:
        page.goto(f"{base}notebook.html")
        page.wait_for_function(f"""() => {{
            const frames = Array.from(document.querySelectorAll('iframe.bertviz-frame'));
            return frames.length == 2 && frames.every(f => f.contentDocument && ({_DRAWN_COUNTS})(f.contentDocument).length == 1
                && ({_DRAWN_COUNTS})(f.contentDocument)[0] > 0);
        }}""", timeout=15_000)
        page.wait_for_timeout(300)  # the frames fit themselves to what was drawn
        fits = page.evaluate("""() => Array.from(document.querySelectorAll('iframe.bertviz-frame')).map(f =>
            [f.getBoundingClientRect().height, f.contentDocument.documentElement.scrollHeight])""")
        layer_menu = page.evaluate("""() => Array.from(document.querySelector('iframe.bertviz-frame').contentDocument
            .querySelectorAll('#layer option')).map(o => o.textContent)""")
        rec = page.recorder
        problems = [*rec.page_errors, *rec.console_errors, *rec.failed, *rec.external]
    assert not problems, problems
    assert all(abs(outer - inner) <= 1 for outer, inner in fits), fits
    assert layer_menu == [str(i) for i in range(1, load_translator().model.cfg.n_encoder_layers + 1)]


# -- the adapter: a capture in bertviz's format ----------------------------------------------------

def batch():
    src = torch.tensor([[5, 6, 7, 8, 2], [9, 10, 2, 0, 0]])
    tgt = torch.tensor([[1, 11, 12, 13], [1, 14, 0, 0]])
    return src, tgt


def test_bertviz_adapter_gives_one_tensor_per_layer_in_order():
    model = Transformer(ModelConfig.preset("tiny", n_encoder_layers=2, n_decoder_layers=2)).eval()
    src, tgt = batch()
    with capture_attention(model) as patterns:
        model(src, tgt)
    for kind, (q, k) in {"encoder": (5, 5), "decoder": (4, 4), "cross": (4, 5)}.items():
        views = to_bertviz(patterns, kind, index=0)
        assert isinstance(views, tuple) and len(views) == 2
        assert all(v.shape == (1, 4, q, k) for v in views)
    name = attention_layer("decoder", 1, "cross")
    torch.testing.assert_close(to_bertviz(patterns, "cross", index=1)[1][0], patterns[name][1])
    with pytest.raises(ValueError, match="kind must be one of"):
        to_bertviz(patterns, "sideways")
    encoder = attention_layer("encoder", 0, "self")
    with pytest.raises(ValueError, match="no cross attention"):
        to_bertviz({encoder: patterns[encoder]}, "cross")


# In the page: the colours of the head view's words and of the model view's background and words.
_VIEW_COLOURS = """() => {
  const [head, model] = document.querySelectorAll('[id^=bertviz]');
  const word = head.querySelector('svg text'), label = model.querySelector('svg > text');
  const back = model.querySelector('svg').getAttribute('fill');  // the colour bertviz calls its background
  return {page: getComputedStyle(document.body).backgroundColor, headWord: getComputedStyle(word).fill,
          modelBack: back, modelWord: getComputedStyle(label).fill};
}"""


@pytest.mark.browser
def test_the_views_follow_the_page_theme(chromium, site, built_book):
    """In the dark theme the head view's words are light and the model view is drawn on the page's own
    background; toggled back to light, the model view is drawn again in its light palette."""
    from coloraide import Color

    with new_tab(chromium, color_scheme="dark") as page:
        open_page(page, site, "chapters/11_inside_translator", built_book)
        dark = page.evaluate(_VIEW_COLOURS)
        page.evaluate("() => document.documentElement.setAttribute('data-theme', 'light')")
        page.wait_for_timeout(300)
        light = page.evaluate(_VIEW_COLOURS)
    bg = Color(dark["page"])
    assert bg.luminance() < 0.05
    assert Color(dark["headWord"]).contrast(bg) >= 4.5 and Color(dark["modelWord"]).contrast(bg) >= 4.5
    assert Color(dark["modelBack"]).delta_e(bg, method="2000") < 1
    assert Color(light["modelBack"]).delta_e(Color("white"), method="2000") < 1
    assert Color(light["modelWord"]).contrast(Color("white")) >= 4.5 and Color(light["headWord"]).contrast(Color("white")) >= 4.5
