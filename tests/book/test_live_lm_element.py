"""The language models' elements as the book build writes them into a page, the scripts a page gets for
them, and how the page reads its number fields (the browser tests are in test_live_lm.py)."""

import html
import json
import re

import pytest

from attnlib.book import live, live_lm
from attnlib.book.sphinxext import LIVE_FILES, live_scripts
from attnlib.figures import live_lm as figures
from attnlib.lm.generate import LIMIT_MESSAGES
from attnlib.lm.trained import TrainedLM


@pytest.fixture(scope="module")
def causal():
    return TrainedLM.load(kind="causal", device="cpu")


@pytest.fixture(scope="module")
def generator() -> str:
    bars, attention, text = figures.generator_figures("my sister", 1, 2, {"seed": "4"}, step=2)
    return live_lm.live_generator_html(bars, attention, "my sister", text["words"], text["new"], text["step"],
                                       text["label"], 1, 2, 4, 4, {"seed": "4"})


@pytest.fixture(scope="module")
def fill() -> str:
    bars, attention = figures.fill_figures("the black <mask> sees the dog .", None)
    return live_lm.live_fill_html(bars, attention, "the black <mask> sees the dog .", None, 4)


def controls(element: str) -> list[str]:
    return re.findall(r"<(?:input|select|button)\b[^>]*>", element)


def test_the_generator_opens_on_python_s_continuation_with_its_controls_waiting(generator, causal):
    _, _, text = figures.generator_figures("my sister", 1, 2, {"seed": "4"}, step=2)
    assert 'data-prompt="my sister"' in generator and 'data-seed="4"' in generator and 'data-step="2"' in generator
    assert 'data-layer="1" data-head="2"' in generator
    text_html = re.search(r'<p class="attn-live-output attn-lm-text"[^>]*>(.*?)</p>', generator).group(1)
    words = re.findall(r"<span(?: class=([\w-]+))?>([^<]*)</span>", text_html)
    assert [html.unescape(w) for _, w in words] == ["my", "sister", *text["new"]]
    assert [c for c, _ in words] == ["attn-lm-given"] * 2 + ["", "attn-live-current"] + ["attn-live-later"] * (len(text["new"]) - 2)
    assert all(" disabled" in c for c in controls(generator))  # until the model is ready
    assert live_lm.LOADING in generator and generator.count("attnFigures.plot(") == 2


def test_every_setting_is_a_labelled_field_with_its_default(generator):
    for name in live_lm.FIELDS:
        value = "4" if name == "seed" else live_lm.DEFAULTS[name]
        field = re.search(rf'<label class="attn-lm-field">([^<]+)<input[^>]*name="{name}"[^>]*value="([^"]*)"', generator)
        assert field and field.group(1).strip() == live_lm.FIELD_LABELS[name] and field.group(2) == value, name
    assert re.search(r'<label for="(attn-lm-\w+)">Prompt[^<]*</label><input[^>]*id="\1"', generator)
    assert 'aria-label="layer"' in generator and 'aria-label="head"' in generator


def test_the_fill_opens_on_python_s_words(fill):
    assert 'data-sentence="the black &lt;mask&gt; sees the dog ."' in fill and 'data-head="mean"' in fill
    assert "attn-live-layer" not in fill  # one row per layer: only the head is chosen
    assert all(" disabled" in c for c in controls(fill)) and fill.count("attnFigures.plot(") == 2


@pytest.mark.parametrize("element", ["generator", "fill"])
def test_an_element_carries_no_script_of_its_own(element, request):
    """The build puts the scripts in the head of the pages that need them (see sphinxext.live_scripts)."""
    html_ = request.getfixturevalue(element)
    assert "<script src" not in html_ and "live_lm" not in html_


def test_a_live_notebook_shows_a_note_instead(monkeypatch):
    monkeypatch.delenv("ATTN_BOOK_BUILD", raising=False)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj._repr_html_()))
    figures.live_generator()
    figures.live_fill()
    assert shown == [f"<p><em>{html.escape(live_lm.NOTEBOOK_NOTE.format(model=m))}</em></p>" for m in ("GPT", "BERT")]


def test_a_page_gets_the_scripts_and_the_model_its_elements_need(generator, fill):
    assert live_scripts("<p>no model here</p>", "../_static/") == []
    for body, kinds in ((generator, ["causal"]), (fill, ["masked"]), (generator + fill, ["causal", "masked"])):
        scripts = live_scripts(body, "../_static/")
        (starts, code), *files = scripts
        assert starts is None and "new Worker('../_static/live_lm_worker.js')" in code
        assert json.dumps({"type": "load", "kinds": kinds}) in code  # the worker loads only what the page shows
        assert [name for name, _ in files] == list(live_lm.SCRIPTS)  # in the order they run
    both = live_scripts('<div class="attn-live" ' + generator, "../_static/")
    names = [name for name, _ in both if name]
    assert len(names) == len(set(names)) and names.index("live_rules.js") < names.index("lm_reader.js")
    assert set(LIVE_FILES) >= {*live_lm.SCRIPTS, live_lm.WORKER, *live.SCRIPTS, live.WORKER, *live.WORKER_SCRIPTS}


@pytest.mark.parametrize("text, value", [
    ("7", 7), (" -2 ", -2), ("+3", 3), ("007", 7), ("0.5", 0.5), ("2.", 2.0), (".5", 0.5), ("1e3", 1000.0),
    ("-0.0", -0.0), ("inf", float("inf")), ("-Infinity", float("-inf")), ("2.0", 2.0), ("abc", "abc"), ("", ""),
    ("1_000", "1_000"), ("0x10", "0x10"), ("\u00a03", "\u00a03"), ("\t4\t", 4),
])
def test_a_field_is_read_as_the_value_python_would_be_given(text, value):
    got = live_lm.read_number(text)
    assert got == value and type(got) is type(value)


def test_settings_are_checked_in_the_command_s_order(causal):
    bad = {"temperature": "-1", "top_k": "2.5", "top_p": "0", "seed": "-1", "max_new_tokens": "0"}
    for name in live_lm.FIELDS:  # the first bad one, in the order python -m attnlib.lm generate checks them
        typed = {**live_lm.DEFAULTS, **{k: v for k, v in bad.items() if live_lm.FIELDS.index(k) >= live_lm.FIELDS.index(name)}}
        with pytest.raises(ValueError, match=f"^{name} "):
            live_lm.read_settings(typed)
    ids, settings = live_lm.read_request(causal, "My Sister", live_lm.DEFAULTS)
    assert ids == causal.prompt_ids("my sister")[0].tolist()
    assert settings == {"temperature": 1, "top_k": 0, "top_p": 1, "seed": 0, "max_new_tokens": 20}
    with pytest.raises(ValueError, match="^the prompt is empty"):  # the settings first, then the prompt
        live_lm.read_request(causal, "", live_lm.DEFAULTS)
    long_prompt = " ".join(["the", "cat"] * 23)  # 46 words leave room for 18 new tokens in 64 positions
    with pytest.raises(ValueError) as err:
        live_lm.read_request(causal, long_prompt, live_lm.DEFAULTS)
    assert str(err.value) == LIMIT_MESSAGES["room"].format(words=46, room=18, positions=64)


def test_the_page_s_words_and_numbers_come_from_python():
    d = live_lm.DISPLAY
    assert d["words"] is live_lm.WORDS and d["bars"] == live_lm.BARS and d["fills"] == live_lm.FILLS
    for key in ("row_px", "max_numbered_cells", "vertical_labels_from", "min_cell_px"):  # the translator's heatmap rules
        assert d[key] == live.DISPLAY[key]
    label = live_lm.step_label(2, 9, "does", 0.0512, 0.2)
    assert label == "step 2 of 9: “does”, probability 0.051, drawn by the number 0.200"
