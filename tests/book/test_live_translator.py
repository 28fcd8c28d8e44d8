"""The translator that runs in the published page (chapter 10) is the Python translator: same tokens,
same attention, same messages, from the site's own files and nothing else."""

import html as htmllib
import re

import numpy as np
import pytest
from book_pages import error_problems, new_tab

from attnlib.book.live import SCRIPTS, WORKER, WORKER_SCRIPTS
from attnlib.book.sphinxext import VENDOR
from attnlib.translation.corpus import load_split

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "chapters/10_decoding.html"
READY_TIMEOUT_MS = 60_000
TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def page(chromium, site):
    with new_tab(chromium) as page:
        page.goto(site + PAGE)
        page.wait_for_function("window.attnLiveTranslator && window.attnLiveTranslator.readyMs",
                               timeout=READY_TIMEOUT_MS)
        yield page


def longest_sentence(shipped, extra: int = 0) -> str:
    words = ["the", "cat", "sees", "the", "dog", "and"] * 11
    return " ".join(words[: shipped.max_words + extra])  # the most words the translator reads: just fits


def sentences(shipped) -> list[str]:
    """Test and generalisation sentences, and what a reader types: capitals, no final period, spaces."""
    corpus = [p.src for p in load_split("test")[:70]] + [p.src for p in load_split("generalisation")[:30]]
    typed = ["The Black Cat sees the dog", "  the cat   sees the dog  ", "THEY ARE NOT NOISY.", "the cat",
             "the cat does not cross the street because it is tired .",
             "the cat does not cross the street because it is wide .", "dog", longest_sentence(shipped)]
    return corpus + typed


def in_page(page, texts: list[str]) -> list[dict]:
    """Translate each text with the page's translator: tokens and the last step's cross-attention."""
    return page.evaluate("""async (texts) => {
        const t = await window.attnLiveTranslator.ready, out = [];
        for (const text of texts) {
            const r = await t.translate(text);
            out.push({source: r.source, target: r.target, dims: r.crossAttention.dims,
                      attention: Array.from(r.crossAttention.data)});
        }
        return out;
    }""", texts)


def python_attention(result) -> np.ndarray:
    return np.stack([w.numpy() for w in result.cross_attention.values()])  # (L, H, T, S)


def test_the_page_translates_over_a_hundred_sentences_as_python_does(page, shipped):
    texts = sentences(shipped)
    assert len(texts) >= 100
    for text, ours in zip(texts, in_page(page, texts)):
        expected = shipped.translate(text)
        assert ours["source"] == expected.source, text
        assert ours["target"] == expected.target, text  # token for token, <eos> included
        attention = np.array(ours["attention"]).reshape(ours["dims"])
        np.testing.assert_allclose(attention, python_attention(expected), atol=TOLERANCE, err_msg=text)


BAD_INPUT = ["", "   ", "the astronaut sees the moon", "the cat sees the astronaut and the astronaut",
             "<eos> the cat", "the <unk> cat", "l'astronaute", "the cat sees the dog " * 14, "?!",
             "x" * 200, "🐱" * 30 + " sees the dog", "a b c d e f g h i j k", "the cat sees the dog " * 6]


@pytest.mark.parametrize("text", BAD_INPUT)
def test_bad_input_gets_the_python_message(page, shipped, text):
    with pytest.raises(ValueError) as python:
        shipped.source_ids(text)
    message = page.evaluate("""async (text) => {
        const t = await window.attnLiveTranslator.ready;
        try { t.sourceIds(text); return null; }
        catch (err) { return [err instanceof window.attnLiveTranslator.InputError, err.message]; }
    }""", text)
    assert message == [True, str(python.value)]


def shown(page) -> dict:
    return page.evaluate("""() => {
        const root = document.querySelector('.attn-live'), plot = root.querySelector('.js-plotly-plot');
        return {z: plot.data[0].z, x: plot.layout.xaxis.ticktext, y: plot.layout.yaxis.ticktext,
                height: plot.layout.height, div_height: plot.getBoundingClientRect().height,
                status: root.querySelector('.attn-live-status').textContent, stale: root.classList.contains('attn-live-stale'),
                words: [...root.querySelectorAll('.attn-live-output span')].map(s => s.textContent)};
    }""")


def type_sentence(page, text: str) -> None:
    page.fill(".attn-live-input", text)
    page.press(".attn-live-input", "Enter")


def wait_until_shown(page, target: list[str]) -> None:
    """Until the page shows the whole of ``target`` and says it is done."""
    page.wait_for_function("""(target) => {
        const root = document.querySelector('.attn-live');
        const words = [...root.querySelectorAll('.attn-live-output span')].map(s => s.textContent);
        const slider = root.querySelector('.attn-live-step');
        return JSON.stringify(words) === JSON.stringify(target) && Number(slider.value) === target.length
            && root.querySelector('.attn-live-status').textContent.startsWith('Translated');
    }""", arg=target)


_SAID = """() => [attnFigures.describe(document.querySelector('.attn-live .js-plotly-plot')),
                  document.querySelector('.attn-live .attn-figure-desc').textContent]"""


def test_the_map_is_said_in_words_as_python_says_it_and_the_words_follow_the_translation(page, shipped, built_book):
    html = (built_book / PAGE).read_text(encoding="utf-8")
    python = re.search(r'class="attn-live".*?<p class="attn-figure-desc"[^>]*>(.*?)</p>', html, re.S).group(1)
    in_page, shown_now = page.evaluate(_SAID)
    assert in_page == shown_now == htmllib.unescape(python)  # the page's describer says what Python's said
    text = "i send a ticket to the sad prince ."
    expected = shipped.translate(text)
    type_sentence(page, text)
    wait_until_shown(page, expected.target)
    in_page, shown_now = page.evaluate(_SAID)
    assert in_page == shown_now and f"the largest in each row: {expected.target[0]} → " in shown_now


def test_the_reader_types_a_sentence_and_sees_its_translation_and_attention(page, shipped):
    before = shown(page)
    page.evaluate("""() => { const plot = document.querySelector('.attn-live .js-plotly-plot');
        window.liveHeights = []; plot.on('plotly_afterplot', () => window.liveHeights.push(plot.layout.height)); }""")
    text = "i send a ticket to the sad prince ."
    expected = shipped.translate(text)
    type_sentence(page, text)
    wait_until_shown(page, expected.target)
    after = shown(page)
    assert after["words"] == expected.target and after["y"] == expected.target and after["x"] == expected.source
    mean = python_attention(expected)[0].mean(0)  # layer 1, mean of heads: the element's first view
    np.testing.assert_allclose(after["z"], mean, atol=TOLERANCE)
    # taller by whole rows only: the frame's bands (title, axes) keep their size
    assert after["height"] - before["height"] == 28 * (len(expected.target) - len(before["y"]))
    assert after["div_height"] == after["height"]  # the box it is drawn in grew with it: nothing cut off
    heights = page.evaluate("window.liveHeights")  # one per step drawn: the figure does not jump as words appear
    assert len(heights) >= len(expected.target) and set(heights) == {after["height"]}

    page.select_option(".attn-live-layer", "1")
    page.select_option(".attn-live-head", "2")
    np.testing.assert_allclose(shown(page)["z"], python_attention(expected)[1, 2], atol=TOLERANCE)

    page.fill(".attn-live-step", "3")  # the slider replays the steps: three rows, three words written
    page.dispatch_event(".attn-live-step", "input")
    step = shown(page)
    assert step["y"] == expected.target[:3] and len(step["z"]) == 3
    assert page.locator(".attn-live-step-label").text_content() == f"step 3 of {len(expected.target)}: " \
                                                                     f"writing {expected.target[2]}"


def test_one_word_more_than_the_limit_is_refused_with_the_limit(page, shipped):
    text = longest_sentence(shipped, extra=1)
    with pytest.raises(ValueError, match=f"reads at most {shipped.max_words} "):
        shipped.source_ids(text)
    test_bad_input_gets_the_python_message(page, shipped, text)


def test_a_long_message_wraps_inside_the_translator(page, shipped):
    type_sentence(page, "x" * 200)
    page.wait_for_function("document.querySelector('.attn-live-status').classList.contains('attn-live-error')")
    status = page.evaluate("""() => { const s = document.querySelector('.attn-live-status'),
        root = document.querySelector('.attn-live').getBoundingClientRect(), box = s.getBoundingClientRect();
        return {text: s.textContent, inside: box.left >= root.left - 1 && box.right <= root.right + 1,
                overflow: s.scrollWidth - s.clientWidth}; }""")
    assert "'xxxxxxxxxxxxxxxxxxxxxxx…'" in status["text"] and status["inside"] and status["overflow"] <= 0, status


def test_bad_input_in_the_box_shows_the_message_and_keeps_the_last_translation(page, shipped):
    type_sentence(page, "the cat sees the dog .")
    wait_until_shown(page, shipped.translate("the cat sees the dog .").target)
    before = shown(page)
    type_sentence(page, "the astronaut sees the dog")
    page.wait_for_function("document.querySelector('.attn-live-status').classList.contains('attn-live-error')")
    after = shown(page)
    assert "unknown word(s) 'astronaut'" in after["status"]
    assert after["z"] == before["z"] and after["words"] == before["words"]  # kept, and greyed
    assert after["stale"] and not before["stale"]
    assert not page.recorder.page_errors


def test_the_page_asks_nothing_of_another_host_and_logs_no_error(page):
    assert error_problems(page) == []  # no other host, no failed request, no JavaScript error
    fetched = [u for u in page.recorder.requests if re.search(r"onnxruntime-web|/translator/", u)]
    assert any(u.endswith(".wasm") for u in fetched) and any(u.endswith("decoder.onnx") for u in fetched)


def test_only_pages_with_a_translator_load_its_runtime(built_book):
    runtime = f'defer="defer" src="../_static/{SCRIPTS[-1]}'  # the translator's own script (the head starts its worker)
    pages = {p.relative_to(built_book).as_posix(): p.read_text() for p in built_book.glob("chapters/*.html")}
    loading = sorted(name for name, text in pages.items() if runtime in text)
    assert PAGE in loading
    assert loading == sorted(name for name, text in pages.items() if 'class="attn-live"' in text)


def test_the_translator_downloads_less_than_twenty_megabytes(built_book):
    static = built_book / "_static"
    files = [static / name for name in VENDOR if "onnxruntime-web" in name]
    files += list((static / "translator").iterdir()) + [static / name for name in (*SCRIPTS, WORKER, *WORKER_SCRIPTS)]
    assert sum(f.stat().st_size for f in files) < 20e6


def test_translations_asked_for_at_once_each_come_out_right(page, shipped):
    """The page runs one translation at a time; a reader who presses Enter twice sees the later one."""
    texts = ["the black cat sees the dog .", "they are not noisy ."]
    targets = page.evaluate("""async (texts) => { const t = await window.attnLiveTranslator.ready;
        return (await Promise.all(texts.map(text => t.translate(text)))).map(r => r.target); }""", texts)
    assert targets == [shipped.translate(text).target for text in texts]
    type_sentence(page, texts[0])
    type_sentence(page, texts[1])
    wait_until_shown(page, targets[1])
    page.wait_for_timeout(500)  # the first one, finishing meanwhile, must not draw over the second
    assert shown(page)["words"] == targets[1]


def test_a_page_opened_as_a_file_says_how_to_serve_it_and_throws_nothing(chromium, built_book):
    context = chromium.new_context()  # no Recorder: it lets only the served site through, and this is a file
    try:
        page, errors = context.new_page(), []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto((built_book / PAGE).as_uri())
        page.wait_for_function("document.querySelector('.attn-live-status').textContent.includes('served over http')")
        page.wait_for_timeout(1000)  # a worker that failed would say so by now
        assert errors == [], errors
    finally:
        context.close()


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_step_by_step_reveal_respects_reduced_motion(chromium, site, shipped, motion):
    """With reduced motion asked for, the translation appears whole; otherwise step by step."""
    with new_tab(chromium) as page:
        page.emulate_media(reduced_motion=motion)
        page.goto(site + PAGE)
        page.wait_for_function("window.attnLiveTranslator && window.attnLiveTranslator.readyMs", timeout=READY_TIMEOUT_MS)
        labels = page.evaluate("""async (text) => {
            const label = document.querySelector('.attn-live-step-label'), seen = [];
            new MutationObserver(() => seen.push(label.textContent)).observe(label, {childList: true, subtree: true,
                                                                                      characterData: true});
            await window.attnLiveTranslator.views[0].translate(text);
            await new Promise((resolve) => setTimeout(resolve, 50));
            return seen;
        }""", "the black cat sees the dog")
        steps = len(shipped.translate("the black cat sees the dog").target)
        assert labels[-1].startswith(f"step {steps} of {steps}")
        assert len(set(labels)) == (1 if motion == "reduce" else steps), labels
