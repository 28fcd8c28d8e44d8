"""Attention as a soft lookup: the compass picture and the demo."""

import pytest
import torch

from attnlib import scaled_dot_product_attention

from attnlib.lessons import toy
from attnlib.book.demo import Demo, Param
from attnlib.figures import lookup

S = toy.EXAMPLE_SENTENCE


def test_lookup_matches_the_library_attention_row():
    words, weights, output = lookup.lookup(S, "it")
    x = toy.embed(words)
    q, k, v = toy.queries_keys_values(x)
    out, w = scaled_dot_product_attention(q, k, v, need_weights=True)
    i = words.index("it")
    torch.testing.assert_close(weights, w[i])
    torch.testing.assert_close(output, out[i])


def test_it_looks_at_question_and_temperature_sharpens_or_flattens():
    words, w1, _ = lookup.lookup(S, "it", 1.0)
    assert words[int(w1.argmax())] == "question" and 0.30 < w1.max() < 0.35
    _, w_cold, out_cold = lookup.lookup(S, "it", 0.25)
    _, w_hot, _ = lookup.lookup(S, "it", 4.0)
    assert w_cold.max() > 0.9 > w1.max() > w_hot.max()
    assert w_hot.max() - w_hot.min() < 0.1  # nearly the plain average
    q_point = lookup.project(toy.embed(["question"])[0])
    assert (lookup.project(out_cold) - q_point).norm() < 0.15


def test_function_words_look_nowhere_in_particular():
    words, w, out = lookup.lookup(S, "the", 0.25)
    torch.testing.assert_close(w, torch.full_like(w, 1 / len(words)))
    torch.testing.assert_close(lookup.project(out), lookup.project(toy.embed(words)).mean(0))


def test_projection_is_linear_so_the_star_is_the_average_of_the_points():
    words, w, out = lookup.lookup(S, "she", 0.5)
    points = lookup.project(toy.embed(words))  # (T, 2)
    torch.testing.assert_close(lookup.project(out), w @ points)
    # the compass: each feature is a unit direction, neighbours 45 degrees apart
    torch.testing.assert_close(lookup.PROJECTION.norm(dim=-1), torch.ones(len(toy.FEATURES)))


def test_lookup_figure_shows_the_weights_and_the_output():
    fig = lookup.lookup_figure("it", 0.25)
    assert "97% of its weight on “question”" in fig.layout.title.text
    star = [t for t in fig.data if t.type == "scatter" and t.marker.symbol == "star"][0]
    _, _, out = lookup.lookup(S, "it", 0.25)
    assert star.x[0] == pytest.approx(lookup.project(out)[0].item(), abs=1e-3)
    bars = [t for t in fig.data if t.type == "bar"][0]
    assert len(bars.x) == len(toy.words_of(S)) and sum(bars.x) == pytest.approx(1, abs=1e-3)
    words_trace = [t for t in fig.data if t.type == "scatter" and t.mode == "markers+text"][0]
    assert "the / about / for / a" in [t.replace("<br>", " ") for t in words_trace.text]  # identical words share a marker
    assert sum(words_trace.marker.color) == pytest.approx(1, abs=1e-3)


def _label_boxes(fig):
    words_trace = [t for t in fig.data if t.type == "scatter" and t.mode == "markers+text"][0]
    return words_trace, [lookup.label_box(x, y, size, text, spot) for x, y, size, text, spot in zip(
        words_trace.x, words_trace.y, words_trace.marker.size, words_trace.text, words_trace.textposition)]


@pytest.mark.parametrize("temperature", lookup.TEMPERATURES)
@pytest.mark.parametrize("query_word", lookup.LOOKUP_WORDS)
def test_word_labels_overlap_neither_each_other_nor_the_markers(query_word, temperature):
    trace, boxes = _label_boxes(lookup.lookup_figure(query_word, temperature))
    assert not isinstance(trace.textposition, str)  # chosen point by point
    u = lookup._PX_PER_UNIT
    markers = [lookup._box(x * u, y * u, s, s) for x, y, s in zip(trace.x, trace.y, trace.marker.size)]
    for a in range(len(boxes)):
        for b in range(len(boxes)):
            if a != b:
                assert lookup._overlap(boxes[a], boxes[b]) == 0, (trace.text[a], trace.text[b])
                assert lookup._overlap(boxes[a], markers[b]) == 0, (trace.text[a], trace.text[b])
    # a long label is broken over two lines only where one line would not fit
    assert all(("<br>" in t) <= (len(t) > 12) for t in trace.text)


@pytest.mark.parametrize("kwargs, match", [
    (dict(query_word="zebra"), "not in the sentence"),
    (dict(query_word="it", temperature=0.0), "positive"),
    (dict(query_word="it", temperature=float("nan")), "positive"),
    (dict(query_word="it", temperature=1e6), "outside the range"),
    (dict(query_word="cat", sentence="cat"), "at least two words"),
    (dict(query_word="it", sentence=""), "empty"),
    (dict(query_word="it", sentence="it ate the zebra"), "unknown word"),
])
def test_bad_input_gives_a_clear_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lookup.lookup_figure(**kwargs)


def test_the_demo_static_twin_is_small_and_moves():
    demo = Demo(lookup.lookup_figure, Param("query_word", lookup.LOOKUP_WORDS),
                Param("temperature", lookup.TEMPERATURES, default=1.0))
    assert len(demo.grid()) <= 60 and all(w in S.split() for w in lookup.LOOKUP_WORDS)
    small = Demo(lookup.lookup_figure, Param("query_word", ["it", "the"]), Param("temperature", [0.25, 4.0]))
    fig, states = small.static()  # a slice of the grid: the whole one is built when the chapter runs
    assert [p["slider"] for p in states["params"]] == [False, True]  # a menu of words, a temperature slider
    assert sum(t.visible for t in fig.data) == len(lookup.lookup_figure("it", 0.25).data)


def test_cat_alignment_is_a_valid_attention_map():
    w = lookup.cat_alignment()
    assert w.shape == (len(lookup.CAT_FRENCH), len(lookup.CAT_ENGLISH))
    torch.testing.assert_close(w.sum(-1), torch.ones(len(lookup.CAT_FRENCH)))
    fr, en = lookup.CAT_FRENCH, lookup.CAT_ENGLISH
    assert en[int(w[fr.index("chat")].argmax())] == "cat" and en[int(w[fr.index("tapis")].argmax())] == "mat"
    assert lookup.cat_alignment_figure().layout.title.text.startswith("Drawn by hand")
