"""The first pictures of the language models in the page: what Python's generator and fill say, drawn as the
page redraws them."""

import math

import pytest
import torch

from attnlib.book.describe import describe
from attnlib.book.live import ROW_PX
from attnlib.book.live_lm import BARS, DRAWN, FILLS, KEPT, WORDS
from attnlib.figures import live_lm as figures
from attnlib.lessons.generation import generation_trace
from attnlib.lm.fill import mask_attention, top_fills


def test_the_generator_s_bars_are_the_step_s_likeliest_tokens_and_the_one_drawn():
    lm = figures.causal_lm()
    for step in (1, 3, 99):
        bars, _, text = figures.generator_figures("my sister", step=step)
        tr = generation_trace(lm, "my sister", seed=0, max_new_tokens=20, n_candidates=BARS)
        s = tr.steps[min(step, len(tr.steps)) - 1]
        labels, values = list(bars.data[0].y), list(bars.data[0].x)
        words = list(bars.layout.yaxis.ticktext)
        assert labels == list(range(len(words))) and len(words) <= BARS + 1
        assert words[: len(s.candidates)] == [w for w, _ in s.candidates]  # the likeliest first
        assert values == [round(p, 4) for p in ([p for _, p in s.candidates]
                                                + ([s.chosen_probability] if len(words) > len(s.candidates) else []))]
        colours = list(bars.data[0].marker.color)
        assert colours[words.index(s.chosen)] == DRAWN and colours.count(DRAWN) == 1 and set(colours) <= {DRAWN, KEPT}
        assert bars.layout.yaxis.range == (BARS + 0.5, -0.5)  # room for every bar at every step: it never jumps
        assert text["step"] == min(step, len(tr.steps)) and text["new"] == [x.chosen for x in tr.steps]
        assert describe(bars) == WORDS["bars"].format(count=len(words), step=text["step"], word=s.chosen,
                                                      list=figures.said([(w, p) for w, p in zip(words, [
                                                          *(p for _, p in s.candidates), s.chosen_probability])], 2))


def test_a_tail_token_drawn_is_shown_below_the_likeliest():
    _, _, text = figures.generator_figures("my sister", step=1, fields={"seed": "0"})
    bars, _, _ = figures.generator_figures("the black", step=1, fields={"seed": "0"})
    words = list(bars.layout.yaxis.ticktext)
    assert len(words) == BARS + 1 and bars.data[0].marker.color[-1] == DRAWN  # "dolphin", from the tail


def test_the_map_holds_the_rows_read_by_the_step_in_room_for_the_whole_text():
    lm = figures.causal_lm()
    tr = generation_trace(lm, "my sister", seed=0, max_new_tokens=20)
    read = list(tr.tokens[:-1])
    for step, head in ((1, None), (4, 2)):
        _, fig, _ = figures.generator_figures("my sister", layer=1, head=head, step=step)
        z = fig.data[0].z
        assert list(fig.layout.xaxis.ticktext) == list(fig.layout.yaxis.ticktext) == read
        assert fig.layout.height == figures.MAP_TOP_PX + ROW_PX * len(read)
        rows = 1 + len(tr.prompt) + step - 1  # <bos>, the prompt, the tokens before the step
        w = tr.weights[1, :, : len(read), : len(read)]
        w = w.mean(0) if head is None else w[head]
        for i, row in enumerate(z):
            for j, v in enumerate(row):
                if j > i or i >= rows:
                    assert v is None  # above the diagonal: the causal mask; below the rows read: not yet
                else:
                    assert math.isclose(v, round(float(w[i, j]), 4), abs_tol=1e-9)


def test_the_fill_shows_top_fills_and_where_the_mask_looks():
    lm = figures.masked_lm()
    sentence = "the cat does not drink the milk because it is <mask> ."
    for head in (None, 3):
        bars, fig = figures.fill_figures(sentence, head)
        expected = top_fills(lm, sentence)
        assert len(expected) == FILLS and list(bars.layout.yaxis.ticktext) == [w for w, _ in expected]
        assert list(bars.data[0].text) == [f"{p:.4f}" for _, p in expected]  # as the fill command prints them
        tokens, _, weights = mask_attention(lm, sentence)  # (L, H, T)
        rows = weights.mean(1) if head is None else weights[:, head]
        assert list(fig.layout.xaxis.ticktext) == tokens
        assert list(fig.layout.yaxis.ticktext) == [f"layer {i + 1}" for i in range(weights.shape[0])]
        assert torch.allclose(torch.tensor(fig.data[0].z, dtype=torch.float64), rows.double().round(decimals=4), atol=1e-9)


def test_bad_input_is_refused_before_anything_is_drawn():
    with pytest.raises(ValueError, match="unknown word"):
        figures.generator_figures("the astronaut")
    with pytest.raises(ValueError, match="^top_p must be"):
        figures.generator_figures("my sister", fields={"top_p": "2"})
    with pytest.raises(ValueError, match="exactly one <mask>"):
        figures.fill_figures("the black cat")
