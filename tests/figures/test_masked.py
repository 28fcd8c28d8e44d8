"""The fill demo draws the model's own words and attention, for every view, and shows bad input's message."""

import pytest

from attnlib.book.demo import Demo, Param
from attnlib.figures import masked
from attnlib.lm.data import MASK
from attnlib.translation.corpus import load_split


def test_the_examples_are_corpus_sentences_with_one_word_hidden():
    test_sentences = {p.src for p in load_split("test")}
    for (sentence, index), text in zip(masked.CORPUS_GAPS, masked.EXAMPLES):
        assert sentence in test_sentences
        assert text.split().count(MASK) == 1 and text.split()[index] == MASK
        assert masked.ANSWERS[text] == sentence.split()[index]


@pytest.mark.parametrize("view", masked.view_options())
def test_the_bars_and_the_rows_are_the_fill(view):
    text = masked.EXAMPLES[0]
    fig = masked.fill_figure(text, view)
    result = masked.fill(text)
    bars, heat = fig.data
    assert list(fig.layout.yaxis.ticktext) == result.words
    assert list(bars.x) == [round(p, 4) for p in result.probs] and list(bars.x) == sorted(bars.x, reverse=True)
    assert 0 < sum(bars.x) <= 1 and not {"<pad>", "<bos>", "<eos>", "<unk>", MASK} & set(result.words)
    assert list(fig.layout.xaxis2.ticktext) == result.tokens
    for row in heat.z:
        assert sum(row) == pytest.approx(1.0, abs=1e-3)  # each row: where the <mask> looks, summing to one
    if view == "every layer · mean of heads":
        assert [round(v, 4) for v in result.looks_at(3).tolist()] == heat.z[3]
    else:
        layer = int(view.split()[1]) - 1
        assert [round(v, 4) for v in result.looks_at(layer, 2).tolist()] == heat.z[2]
    red = [w for w, c in zip(result.words, bars.marker.color) if c == masked.ANSWER]
    assert red == ([masked.ANSWERS[text]] if masked.ANSWERS[text] in result.words else [])


def test_the_word_the_corpus_has_is_red_when_proposed_and_named_when_not():
    text = masked.EXAMPLES[4]  # "… she paints <mask> ." : "them" is among the five
    fig = masked.fill_figure(text)
    assert "them" in masked.fill(text).words and "red: “them”" in fig.layout.title.text
    free = masked.fill_figure("the <mask> sees the dog .")  # not an example: nothing to compare with
    assert masked.ANSWER not in list(free.data[0].marker.color) and "corpus" not in free.layout.title.text


@pytest.mark.parametrize("text, message", [
    ("the black cat sees the dog .", "no &lt;mask&gt;"),
    ("the <mask> sees the <mask> .", "2 &lt;mask&gt; tokens"),
    ("the astronaut <mask> the dog .", "'astronaut'"),
])
def test_the_live_demo_shows_the_models_message_for_bad_input(text, message):
    demo = Demo(masked.fill_figure, Param("sentence", masked.EXAMPLES, free_text=True),
                Param("view", masked.view_options()))
    fig = demo.figure(sentence=text)
    assert not fig.data and message in fig.layout.annotations[0].text.replace("<br>", " ")


def test_an_unknown_view_is_explained():
    with pytest.raises(ValueError, match="unknown view"):
        masked.fill_figure(masked.EXAMPLES[0], "layer 9 · each head")
    with pytest.raises(ValueError, match="unknown view"):
        masked.fill_figure(masked.EXAMPLES[0], "sideways")
