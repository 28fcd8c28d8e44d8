"""The book's GPT and BERT in the published page are the Python ones: the same continuations token for token,
greedy and seeded, the same words for a <mask> with the same probabilities, the same attention, the same
messages, from the site's own files and nothing else.

The generator stands in chapter 13's page. The fill is tested on a page of its own, written here with the
element and the scripts the book build gives a page that shows one, beside the built site's files.
"""

import html as htmllib
import random
import re

import numpy as np
import pytest
import torch
from book_pages import error_problems, new_tab
from browser import serve

from attnlib.book.live_lm import DEFAULTS, MODEL_FOLDER, SCRIPTS, WORKER, read_request
from attnlib.book.sphinxext import VENDOR, live_scripts
from attnlib.figures import live_lm as figures
from attnlib.lm.data import MASK, english
from attnlib.lm.fill import mask_attention, top_fills
from attnlib.lm.generate import generate
from attnlib.lm.trained import TrainedLM

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "chapters/13_decoder_only.html"
FILL_PAGE = "fill.html"
READY_TIMEOUT_MS = 90_000
ATTENTION_TOLERANCE = 1e-4
FILL_TOLERANCE = 1e-6
SAMPLED_TOLERANCE = 1e-5  # a drawn token's probability: float32 scores from two runtimes, then float64


@pytest.fixture(scope="module")
def causal():
    return TrainedLM.load(kind="causal", device="cpu")


@pytest.fixture(scope="module")
def masked():
    return TrainedLM.load(kind="masked", device="cpu")


def wait_ready(page) -> None:
    """Until every element can be used and shows the page's own first picture."""
    page.wait_for_function("window.attnLiveLM && window.attnLiveLM.readyMs && window.attnLiveLM.openedMs",
                           timeout=READY_TIMEOUT_MS)


@pytest.fixture(scope="module")
def page(chromium, site):
    with new_tab(chromium) as tab:
        tab.goto(site + PAGE)
        wait_ready(tab)
        yield tab


@pytest.fixture(scope="module")
def fill_site(built_book, tmp_path_factory):
    """A page with the fill element as the book build writes one, beside the built site's _static/."""
    folder = tmp_path_factory.mktemp("fill-site")
    (folder / "_static").symlink_to(built_book / "_static")
    shown = []
    with pytest.MonkeyPatch.context() as mp:  # as in the book build
        mp.setenv("ATTN_BOOK_BUILD", "1")
        mp.setattr("IPython.display.display", lambda obj: shown.append(obj._repr_html_()))
        figures.live_fill(figures.FILL_SENTENCE)
    body = "".join(shown)
    head = "".join(f"<script>{code}</script>" if name is None else f'<script defer="defer" src="_static/{name}"></script>'
                   for name, code in live_scripts(body, "_static/"))
    (folder / FILL_PAGE).write_text(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>fill</title>'
        f'<link rel="stylesheet" href="_static/book.css"><script src="_static/plotly.min.js"></script>'
        f'<script src="_static/attn_figures.js"></script>{head}</head><body><main>{body}</main></body></html>')
    with serve(folder) as base:
        yield base, body


@pytest.fixture(scope="module")
def fill_page(chromium, fill_site):
    base, _ = fill_site
    with new_tab(chromium) as tab:
        tab.goto(base + FILL_PAGE)
        wait_ready(tab)
        yield tab


# -- what the page computes --------------------------------------------------------------------------------

def fields(**changes) -> dict:
    return {**DEFAULTS, **{k: str(v) for k, v in changes.items()}}


def in_page(page, cases: list[tuple[str, dict]]) -> list[dict]:
    """Generate each (prompt, fields) with the page's model: the tokens, the numbers that drew them, the
    probability of each, and the last step's attention."""
    return page.evaluate("""async (cases) => {
        const lm = await window.attnLiveLM.model('causal'), out = [];
        for (const [prompt, fields] of cases) {
            const r = await lm.generate(prompt, fields), last = r.steps[r.steps.length - 1];
            out.push({ids: r.ids, tokens: r.steps.map(s => s.token), uniforms: r.steps.map(s => s.u),
                      probs: r.steps.map(s => s.probs[s.token]), dims: last.attention.dims,
                      attention: Array.from(last.attention.data)});
        }
        return out;
    }""", [[p, f] for p, f in cases])


def python_generation(lm: TrainedLM, prompt: str, typed: dict):
    ids, s = read_request(lm, prompt, typed)
    return ids, generate(lm.model, ids, s["max_new_tokens"], s["temperature"], s["top_k"], s["top_p"], s["seed"],
                         lm.vocab.eos_id)


def prefixes(n: int, seed: int) -> list[str]:
    """Test-split sentences cut after 1 to all of their words."""
    rng = random.Random(seed)
    return [" ".join(s.split()[: rng.randint(1, len(s.split()))]) for s in english("test")[:n]]


TYPED = ["My Sister", "  the   black  ", "THE CAT DOES NOT", "the dog is", "the cat sees the dog", "the cat",
         "they are not noisy", "my sister does not throw the ball to a dog .", "The Black Cat Sees The Dog .", "dog",
         "the cat does not drink the milk because it", "i"]


def test_greedy_continuations_equal_python_s_on_fifty_prompts(page, causal):
    prompts = prefixes(45, seed=0) + TYPED
    assert len(prompts) >= 50 and len({len(p.split()) for p in prompts}) >= 8
    ours = in_page(page, [(p, fields(temperature=0)) for p in prompts])
    for prompt, mine in zip(prompts, ours):
        ids, expected = python_generation(causal, prompt, fields(temperature=0))
        assert mine["ids"] == ids, prompt
        assert mine["tokens"] == expected.ids, prompt  # token for token, the <eos> included


SETTINGS = [(t, k, p) for t in (0.5, 0.8, 1.0, 1.3, 2.0) for k, p in ((0, 1), (5, 1), (0, 0.9), (40, 0.8), (3, 0.6))]


def test_seeded_sampling_equals_python_s_for_the_same_seed_and_settings(page, causal):
    rng = random.Random(7)
    prompts = prefixes(60, seed=1) + TYPED
    cases = [(rng.choice(prompts), fields(temperature=t, top_k=k, top_p=p, seed=rng.randrange(2**32)))
             for t, k, p in SETTINGS for _ in range(2)] + [(p, fields(seed=s)) for p, s in (("my sister", 0), ("the black", 3))]
    assert len(cases) >= 50
    for (prompt, typed), mine in zip(cases, in_page(page, cases)):
        _, expected = python_generation(causal, prompt, typed)
        assert mine["tokens"] == expected.ids, (prompt, typed)
        assert mine["uniforms"] == expected.uniforms  # the same numbers, bit for bit
        drawn = [float(expected.probs[i, t]) for i, t in enumerate(expected.ids)]
        np.testing.assert_allclose(mine["probs"], drawn, atol=SAMPLED_TOLERANCE, err_msg=str((prompt, typed)))


def test_the_attention_of_a_continuation_equals_python_s(page, causal):
    cases = [("my sister", fields()), ("the cat does not", fields(seed=2)), ("the black", fields(temperature=0)),
             ("the dog is", fields(temperature=1.5, seed=9, max_new_tokens=5))]
    for (prompt, typed), mine in zip(cases, in_page(page, cases)):
        ids, out = python_generation(causal, prompt, typed)
        read = torch.tensor([ids + out.ids[:-1]])  # every token the last step read
        with torch.no_grad():
            from attnlib.model.capture import attention_layers, capture_attention

            names = list(attention_layers(causal.model))
            with capture_attention(causal.model, names) as patterns:
                causal.model(read)
        expected = torch.cat([patterns[n] for n in names]).numpy()  # (L, H, T, T)
        np.testing.assert_allclose(np.array(mine["attention"]).reshape(mine["dims"]), expected,
                                   atol=ATTENTION_TOLERANCE, err_msg=prompt)


def fill_in_page(fill_page, sentences: list[str]) -> list[dict]:
    return fill_page.evaluate("""async (sentences) => {
        const lm = await window.attnLiveLM.model('masked'), out = [];
        for (const s of sentences) {
            const r = await lm.fill(s);
            out.push({fills: r.fills, tokens: r.tokens, position: r.position, dims: r.attention.dims,
                      attention: Array.from(r.attention.data)});
        }
        return out;
    }""", sentences)


def masked_sentences(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for s in english("test")[:n]:
        words = s.split()
        i = rng.randrange(len(words))
        out.append(" ".join(words[:i] + [MASK] + words[i + 1:]))
    return out + ["The Black <MASK> sees the dog", "  the black <mask>   sees the dog .", "<mask> cat sees the dog",
                  "the cat does not drink the milk because it is <mask> ."]


def test_the_fill_equals_top_fills_on_fifty_sentences(fill_page, masked):
    sentences = masked_sentences(50, seed=3)
    assert len(sentences) >= 50
    for sentence, mine in zip(sentences, fill_in_page(fill_page, sentences)):
        expected = top_fills(masked, sentence)
        assert [w for w, _ in mine["fills"]] == [w for w, _ in expected], sentence  # the same words, in order
        np.testing.assert_allclose([p for _, p in mine["fills"]], [p for _, p in expected], atol=FILL_TOLERANCE)


def test_where_the_mask_looks_equals_python_s(fill_page, masked):
    sentences = masked_sentences(4, seed=4)
    for sentence, mine in zip(sentences, fill_in_page(fill_page, sentences)):
        tokens, position, weights = mask_attention(masked, sentence)  # (L, H, T)
        assert mine["tokens"] == tokens and mine["position"] == position
        row = np.array(mine["attention"]).reshape(mine["dims"])[:, :, position]
        np.testing.assert_allclose(row, weights.numpy(), atol=ATTENTION_TOLERANCE, err_msg=sentence)


# -- bad input ----------------------------------------------------------------------------------------------

BAD_PROMPTS = ["", "   ", "the astronaut sees the moon", "teh blak cat", "the <eos> cat", "the <mask> cat", "<pad>",
               "qa qb qc qd qe qf qg qh", "x" * 200, "the cat " * 32]
BAD_FIELDS = [dict(temperature="-1"), dict(temperature="abc"), dict(temperature="nan"), dict(temperature=""),
              dict(top_k="2.5"), dict(top_k="-1"), dict(top_k="2.0"), dict(top_p="0"), dict(top_p="1.5"),
              dict(top_p="x"), dict(seed="-1"), dict(seed="4294967296"), dict(seed="1.5"), dict(max_new_tokens="0"),
              dict(max_new_tokens="2.5"), dict(max_new_tokens="64")]
BAD_SENTENCES = ["", "the black cat sees the dog", "the <mask> <mask> sees the dog", "the <mask> sees the astronaut",
                 "the <eos> <mask>", "kat <mask>", "<mask> " + "the cat " * 31]


def python_message(f) -> str:
    with pytest.raises(ValueError) as err:
        f()
    return str(err.value)


def page_message(page, script: str, *args):
    return page.evaluate("""async ([script, args]) => {
        const f = new Function('attnLiveLM', 'args', 'return (async () => {' + script + '})()');
        try { await f(window.attnLiveLM, args); return null; }
        catch (err) { return [err instanceof window.attnLiveLM.InputError, err.message]; }
    }""", [script, list(args)])


@pytest.mark.parametrize("prompt", BAD_PROMPTS)
def test_a_bad_prompt_gets_python_s_message(page, causal, prompt):
    expected = python_message(lambda: read_request(causal, prompt, fields()))
    got = page_message(page, "(await attnLiveLM.model('causal')).request(args[0], args[1]);", prompt, fields())
    assert got == [True, expected]


@pytest.mark.parametrize("bad", BAD_FIELDS, ids=lambda b: ",".join(f"{k}={v}" for k, v in b.items()))
def test_a_bad_setting_gets_python_s_message(page, causal, bad):
    prompt = "the cat " * 22 if bad.get("max_new_tokens") == "64" else "my sister"  # 64 new tokens need room
    typed = fields(**bad)
    expected = python_message(lambda: read_request(causal, prompt, typed))
    got = page_message(page, "(await attnLiveLM.model('causal')).request(args[0], args[1]);", prompt, typed)
    assert got == [True, expected]


@pytest.mark.parametrize("sentence", BAD_SENTENCES)
def test_a_bad_sentence_to_fill_gets_python_s_message(fill_page, masked, sentence):
    expected = python_message(lambda: masked.sentence_ids(sentence))
    got = page_message(fill_page, "await (await attnLiveLM.model('masked')).fill(args[0]);", sentence)
    assert got == [True, expected]


# -- the element, as a reader uses it ----------------------------------------------------------------------

GENERATOR = ".attn-lm-generator"


def shown(page, root: str = GENERATOR) -> dict:
    return page.evaluate("""(root) => {
        const el = document.querySelector(root), [bars, map] = el.querySelectorAll('.js-plotly-plot');
        return {bars: bars.layout.yaxis.ticktext, barValues: bars.data[0].x, colours: bars.data[0].marker.color,
                z: map.data[0].z, x: map.layout.xaxis.ticktext, y: map.layout.yaxis.ticktext,
                height: map.layout.height, divHeight: map.getBoundingClientRect().height,
                status: el.querySelector('.attn-live-status').textContent, stale: el.classList.contains('attn-live-stale'),
                words: [...el.querySelectorAll('.attn-lm-text span')].map(s => s.textContent),
                label: (el.querySelector('.attn-live-step-label') || {}).textContent,
                said: [...el.querySelectorAll('.attn-figure-desc')].map(d => d.textContent)};
    }""", root)


def set_fields(page, typed: dict) -> None:
    for name, value in typed.items():
        page.fill(f'{GENERATOR} input[name="{name}"]', value)


def wait_written(page, words: list[str]) -> None:
    page.wait_for_function("""(words) => {
        const el = document.querySelector('.attn-lm-generator');
        const shown = [...el.querySelectorAll('.attn-lm-text span')].map(s => s.textContent);
        const slider = el.querySelector('.attn-live-step');
        return JSON.stringify(shown) === JSON.stringify(words) && Number(slider.value) === Number(slider.max)
            && el.querySelector('.attn-live-status').textContent.startsWith('Wrote');
    }""", arg=words)


def python_map(lm: TrainedLM, prompt: str, typed: dict, layer: int, head, step: int) -> tuple[list[str], np.ndarray]:
    """The tokens read by the last step, and the map the element shows at ``step``: the rows read so far,
    rounded as the heatmap rounds them, NaN where there is no cell."""
    ids, out = python_generation(lm, prompt, typed)
    read = ids + out.ids[:-1]
    tokens = [lm.vocab.itos[i] for i in read]
    from attnlib.model.capture import attention_layers, capture_attention

    names = list(attention_layers(lm.model))
    with torch.no_grad(), capture_attention(lm.model, names) as patterns:
        lm.model(torch.tensor([read]))
    w = patterns[names[layer]][0]  # (H, T, T)
    w = (w.mean(0) if head is None else w[head]).numpy()
    n, rows = len(read), len(ids) + step - 1
    z = np.full((n, n), np.nan)
    for i in range(rows):
        z[i, : i + 1] = np.round(w[i, : i + 1], 4)
    return tokens, z


def as_array(z) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in z], dtype=float)


def test_the_page_opens_on_python_s_picture_and_says_it_as_python_does(page, built_book, causal):
    written = (built_book / PAGE).read_text(encoding="utf-8")
    element = written[written.index('class="attn-live-lm attn-lm-generator"'):]
    python = [htmllib.unescape(d) for d in re.findall(r'<p class="attn-figure-desc"[^>]*>(.*?)</p>', element)[:2]]
    assert page.evaluate("[...document.querySelectorAll('.attn-lm-generator input, .attn-lm-generator button,"
                         " .attn-lm-generator select')].every(c => !c.disabled)")  # every control is live
    now = shown(page)
    assert now["said"] == python  # the page's bars and map are said in Python's words, once it redrew them
    _, out = python_generation(causal, figures.GENERATOR_PROMPT, fields())
    assert now["label"].startswith(f"step 1 of {len(out.ids)}: “{causal.vocab.itos[out.ids[0]]}”")
    assert now["words"] == [*figures.GENERATOR_PROMPT.split(), *(causal.vocab.itos[i] for i in out.ids)]


def test_the_reader_generates_and_sees_each_step_s_bars_and_attention(page, causal):
    page.evaluate("""() => { const map = document.querySelectorAll('.attn-lm-generator .js-plotly-plot')[1];
        window.lmHeights = []; map.on('plotly_afterplot', () => window.lmHeights.push(map.layout.height)); }""")
    prompt, typed = "the cat does not", fields(temperature="0.8", top_k="40", top_p="0.9", seed="11")
    ids, out = python_generation(causal, prompt, typed)
    words = [causal.vocab.itos[i] for i in ids[1:] + out.ids]
    set_fields(page, typed)
    page.fill(f"{GENERATOR} .attn-lm-prompt", prompt)
    page.press(f"{GENERATOR} .attn-lm-prompt", "Enter")
    wait_written(page, words)
    now = shown(page)
    tokens, z = python_map(causal, prompt, typed, 0, None, len(out.ids))
    assert now["x"] == tokens and now["y"] == tokens
    np.testing.assert_allclose(as_array(now["z"]), z, atol=ATTENTION_TOLERANCE)  # layer 1, mean of heads
    assert now["divHeight"] == now["height"]  # the box it is drawn in grew with it: nothing cut off
    heights = page.evaluate("window.lmHeights")  # the map keeps its size while the text is written
    assert len(heights) >= len(out.ids) and set(heights) == {now["height"]}
    last = out.probs[-1]
    best = [causal.vocab.itos[i] for i in torch.argsort(last, descending=True, stable=True)[:10].tolist()]
    assert now["bars"][: len(best)] == [w for w in best if last[causal.vocab.stoi[w]] > 0]

    page.select_option(f"{GENERATOR} .attn-live-layer", "2")
    page.select_option(f"{GENERATOR} .attn-live-head", "1")
    page.fill(f"{GENERATOR} .attn-live-step", "3")  # the slider replays the steps
    page.dispatch_event(f"{GENERATOR} .attn-live-step", "input")
    now = shown(page)
    _, z = python_map(causal, prompt, typed, 2, 1, 3)
    np.testing.assert_allclose(as_array(now["z"]), z, atol=ATTENTION_TOLERANCE)
    drawn = causal.vocab.itos[out.ids[2]]
    assert now["label"].startswith(f"step 3 of {len(out.ids)}: “{drawn}”")
    assert now["colours"][now["bars"].index(drawn)] == figures.DRAWN  # the token drawn, in red
    spans = page.eval_on_selector_all(f"{GENERATOR} .attn-lm-text span", "s => s.map(x => x.className)")
    assert spans[len(ids) - 1 + 2] == "attn-live-current" and spans[-1] == "attn-live-later"


def test_the_keyboard_alone_generates(page, causal):
    page.focus(f"{GENERATOR} .attn-lm-prompt")
    page.fill(f"{GENERATOR} .attn-lm-prompt", "the black")
    for _ in range(4):  # prompt -> Generate -> temperature -> top-k -> top-p
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "top_p"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.type("0")  # temperature: its text was selected on the way in
    page.keyboard.press("Enter")
    _, out = python_generation(causal, "the black", fields(temperature=0, top_k=page.input_value(
        f'{GENERATOR} input[name="top_k"]'), top_p=page.input_value(f'{GENERATOR} input[name="top_p"]'),
        seed=page.input_value(f'{GENERATOR} input[name="seed"]'),
        max_new_tokens=page.input_value(f'{GENERATOR} input[name="max_new_tokens"]')))
    wait_written(page, ["the", "black", *(causal.vocab.itos[i] for i in out.ids)])


def test_every_control_is_named(page):
    unnamed = page.evaluate("""() => [...document.querySelectorAll('.attn-live-lm input, .attn-live-lm select, .attn-live-lm button')]
        .filter(c => !(c.labels && c.labels.length && c.labels[0].textContent.trim()) && !c.getAttribute('aria-label')
                     && !(c.tagName === 'BUTTON' && c.textContent.trim())).map(c => c.outerHTML.slice(0, 80))""")
    assert unnamed == []


def test_bad_input_in_the_box_shows_python_s_message_and_keeps_the_last_text(page, causal):
    page.fill(f"{GENERATOR} .attn-lm-prompt", "my sister")
    set_fields(page, fields())
    page.press(f"{GENERATOR} .attn-lm-prompt", "Enter")
    _, out = python_generation(causal, "my sister", fields())
    wait_written(page, ["my", "sister", *(causal.vocab.itos[i] for i in out.ids)])
    before = shown(page)
    page.fill(f'{GENERATOR} input[name="top_p"]', "1.5")
    page.press(f'{GENERATOR} input[name="top_p"]', "Enter")
    page.wait_for_function("document.querySelector('.attn-lm-generator .attn-live-status').classList.contains('attn-live-error')")
    after = shown(page)
    assert after["status"] == python_message(lambda: read_request(causal, "my sister", fields(top_p="1.5")))
    assert after["words"] == before["words"] and after["z"] == before["z"] and after["stale"] and not before["stale"]
    page.fill(f'{GENERATOR} input[name="top_p"]', "1")
    assert not page.recorder.page_errors


def test_the_fill_opens_on_python_s_picture(fill_page, fill_site):
    _, body = fill_site
    python = [htmllib.unescape(d) for d in re.findall(r'<p class="attn-figure-desc"[^>]*>(.*?)</p>', body)]
    said = fill_page.evaluate("[...document.querySelectorAll('.attn-lm-fill .attn-figure-desc')].map(d => d.textContent)")
    assert said == python


def test_the_fill_shows_python_s_words_and_where_the_mask_looks(fill_page, masked):
    root = ".attn-lm-fill"
    sentence = "the cat does not drink the milk because it is <mask> ."
    fill_page.fill(f"{root} .attn-lm-sentence", sentence)
    fill_page.press(f"{root} .attn-lm-sentence", "Enter")
    expected = top_fills(masked, sentence)
    fill_page.wait_for_function("(w) => document.querySelector('.attn-lm-fill .attn-live-status').textContent"
                                ".includes('“' + w + '”')", arg=expected[0][0])
    fill_page.select_option(f"{root} .attn-live-head", "2")
    state = fill_page.evaluate("""() => { const [bars, map] = document.querySelectorAll('.attn-lm-fill .js-plotly-plot');
        return {bars: bars.layout.yaxis.ticktext, text: bars.data[0].text, z: map.data[0].z, x: map.layout.xaxis.ticktext}; }""")
    assert state["bars"] == [w for w, _ in expected]  # and their probabilities, as the command prints them
    np.testing.assert_allclose([float(t) for t in state["text"]], [p for _, p in expected], atol=1e-4 / 2 + 1e-6)
    tokens, _, weights = mask_attention(masked, sentence)
    assert state["x"] == tokens
    np.testing.assert_allclose(state["z"], np.round(weights[:, 2].numpy(), 4), atol=ATTENTION_TOLERANCE)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_elements_fit_a_phone_and_a_laptop(chromium, site, width):
    with new_tab(chromium, viewport={"width": width, "height": 900}) as tab:
        tab.goto(site + PAGE)
        wait_ready(tab)
        state = tab.evaluate("""() => {
            const el = document.querySelector('.attn-lm-generator'), box = el.getBoundingClientRect();
            const controls = [...el.querySelectorAll('input, select, button')];
            return {overflow: document.documentElement.scrollWidth - window.innerWidth,
                    outside: controls.filter(c => { const r = c.getBoundingClientRect();
                        return r.left < box.left - 1 || r.right > box.right + 1; }).map(c => c.name || c.className),
                    short: controls.filter(c => c.getBoundingClientRect().height < 44).map(c => c.name || c.className)};
        }""")
        assert state["overflow"] <= 0 and state["outside"] == [] and state["short"] == [], state
        assert error_problems(tab) == []


def test_the_page_asks_nothing_of_another_host_and_loads_only_the_model_it_shows(page):
    assert error_problems(page) == []  # no other host, no failed request, no JavaScript error
    fetched = [u for u in page.recorder.requests if re.search(r"onnxruntime-web|/language_models/", u)]
    assert any(u.endswith(".wasm") for u in fetched) and any(u.endswith("lm_causal.onnx") for u in fetched)
    assert not any(u.endswith("lm_masked.onnx") for u in fetched)  # chapter 13 shows no fill


def test_only_pages_with_a_language_model_load_its_scripts(built_book):
    pages = {p.relative_to(built_book).as_posix(): p.read_text() for p in built_book.glob("chapters/*.html")}
    loading = sorted(name for name, text in pages.items() if f'src="../_static/{SCRIPTS[-1]}' in text)
    assert PAGE in loading
    assert loading == sorted(name for name, text in pages.items() if 'class="attn-live-lm ' in text)
    assert all(f"_static/{WORKER}" in pages[name] for name in loading)


def test_the_language_model_adds_less_than_five_megabytes_to_what_the_translator_s_page_loads(built_book):
    """Beyond what chapter 10 already fetched (the runtime, the shared scripts), chapter 13 fetches this."""
    static = built_book / "_static"
    shared = {static / name for name in VENDOR if "onnxruntime-web" in name}
    mine = [static / name for name in (*SCRIPTS, WORKER)] + [static / MODEL_FOLDER / "language_models.json",
                                                              static / MODEL_FOLDER / "lm_causal.onnx"]
    from attnlib.book.live import SCRIPTS as TRANSLATOR_SCRIPTS, WORKER_SCRIPTS

    shared |= {static / name for name in (*TRANSLATOR_SCRIPTS, *WORKER_SCRIPTS)}
    assert sum(f.stat().st_size for f in mine if f not in shared) < 5e6


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_token_by_token_reveal_respects_reduced_motion(chromium, site, motion):
    with new_tab(chromium) as tab:
        tab.emulate_media(reduced_motion=motion)
        tab.goto(site + PAGE)
        wait_ready(tab)
        labels = tab.evaluate("""async () => {
            const label = document.querySelector('.attn-lm-generator .attn-live-step-label'), seen = [];
            new MutationObserver(() => seen.push(label.textContent)).observe(label, {childList: true, subtree: true,
                                                                                      characterData: true});
            const r = await window.attnLiveLM.views[0].generate();
            await new Promise((resolve) => setTimeout(resolve, 50));
            return [seen, r.steps.length];
        }""")
        seen, steps = labels
        assert seen[-1].startswith(f"step {steps} of {steps}")
        assert len(set(seen)) == (1 if motion == "reduce" else steps), seen


def test_a_page_opened_as_a_file_says_how_to_serve_it_and_throws_nothing(chromium, built_book):
    context = chromium.new_context()
    try:
        tab, errors = context.new_page(), []
        tab.on("pageerror", lambda err: errors.append(str(err)))
        tab.goto((built_book / PAGE).as_uri())
        tab.wait_for_function("document.querySelector('.attn-lm-generator .attn-live-status').textContent"
                              ".includes('served over http')")
        assert errors == [], errors
    finally:
        context.close()
