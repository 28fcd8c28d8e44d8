"""The in-page translator's element, as the book build writes it into a page."""

import html

import pytest

from attnlib.book import live
from attnlib.figures.decoding import live_figure, live_translator, translation_map

SENTENCE = "the cat does not cross the street because it is tired ."


@pytest.fixture(scope="module")
def element() -> str:
    _, target, _ = translation_map(SENTENCE, "layer 1 · mean of heads")
    return live.live_translator_html(live_figure(SENTENCE, 0, 2), SENTENCE, target, 0, 2)


def test_the_element_opens_on_the_python_translation_with_its_controls_waiting(element):
    source, target, _ = translation_map(SENTENCE, "layer 1 · mean of heads")
    assert f'data-example="{html.escape(SENTENCE)}"' in element and 'data-layer="0" data-head="2"' in element
    assert "".join(f"<span>{html.escape(t)}</span>" for t in target) in element  # the French, word by word
    for control in ("attn-live-input", "attn-live-button", "attn-live-layer", "attn-live-head", "attn-live-step"):
        tag = element[element.index(f'class="{control}"'):]
        assert " disabled" in tag[: tag.index(">")], control  # until the model is ready
    assert live.LOADING in element and "attnFigures.plot(" in element


def test_the_element_carries_no_script_of_its_own(element):
    """The build puts the translator's script in the head of the pages that need it (see sphinxext)."""
    assert "<script src" not in element and "live_translator" not in element


def test_the_figure_has_a_row_of_fixed_height_per_french_token():
    short, long_ = live_figure("the cat sees the dog ."), live_figure(SENTENCE)
    _, short_target, _ = translation_map("the cat sees the dog .", "layer 1 · mean of heads")
    _, long_target, _ = translation_map(SENTENCE, "layer 1 · mean of heads")
    assert long_.layout.height - short.layout.height == 28 * (len(long_target) - len(short_target))
    assert long_.layout.xaxis.tickangle == -90 and short.layout.xaxis.tickangle is None  # 13 and 7 English tokens


def test_a_live_notebook_shows_a_note_instead(monkeypatch, capsys):
    monkeypatch.delenv("ATTN_BOOK_BUILD", raising=False)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj._repr_html_()))
    live_translator(SENTENCE)
    assert shown == [f"<p><em>{html.escape(live.NOTEBOOK_NOTE)}</em></p>"]
