"""Attention step by step and the mask playground say what the chapter claims."""

import itertools
import math

import pytest
import torch

from attnlib import causal_mask, scaled_dot_product_attention

from attnlib.lessons import toy
from attnlib.book.demo import Demo, Param
from attnlib.figures import masking


def test_batch_is_padded_with_zero_vectors():
    padded, lengths = masking.pad_batch(masking.BATCH)
    assert lengths == [7, 4] and padded[1][4:] == [masking.PAD] * 3 and len(padded[0]) == len(padded[1]) == 7
    x = masking.embed_padded(padded)
    assert x.shape == (2, 7, 8)
    assert (x[1, 4:] == 0).all() and (x[1, :4].abs().sum(-1) > 0).all()
    torch.testing.assert_close(x[1, :4], toy.embed(padded[1][:4]))


@pytest.mark.parametrize("kind, shape", [
    ("none", None), ("padding", (2, 1, 1, 7)), ("causal", (1, 1, 7, 7)),
    ("padding + causal", (2, 1, 7, 7)), ("cross", (2, 1, 1, 7)),
])
def test_masks_have_the_shapes_the_chapter_names(kind, shape):
    mask = masking.make_mask(kind, [7, 4], 7, 7)
    assert (mask is None) if shape is None else (mask.shape == shape and mask.dtype == torch.bool)


def test_unknown_mask_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown mask kind 'diagonal'"):
        masking.make_mask("diagonal", [3], 3, 3)
    with pytest.raises(ValueError, match="unknown mask kind"):
        masking.playground_figure("diagonal")


def test_each_mask_stops_the_leak_it_is_for():
    leak = {k: masking.leaks(masking.batch_attention(k)["weights"], [7, 4], cross=k == "cross")
            for k in masking.MASK_KINDS}
    assert round(leak["none"]["pad"], 2) == 0.35 and leak["none"]["future"] > 0.35  # numbers the chapter quotes
    assert leak["padding"]["pad"] == 0 and leak["padding"]["future"] > 0.4
    assert leak["causal"] == {"pad": 0.0, "future": 0.0}  # right padding lies in every real word's future
    assert leak["padding + causal"] == {"pad": 0.0, "future": 0.0}
    assert leak["cross"]["pad"] == 0


def test_cross_attention_it_finds_book_and_weights_are_target_by_source():
    r = masking.batch_attention("cross")
    assert r["weights"].shape == (2, 3, 7)
    assert r["keys"][1][int(r["weights"][1, 0].argmax())] == "book"
    # the mask hides the source's padding for every target word, and nothing else
    assert r["mask"][1, :, 4:].sum() == 0 and r["mask"][1, :, :4].all() and r["mask"][0].all()


def test_steps_are_the_textbook_formula_and_match_the_library():
    s = masking.attention_steps(mask="causal")
    t = len(s["words"])
    assert s["scores"].shape == s["weights"].shape == (t, t) and s["output"].shape == (t, 8)
    torch.testing.assert_close(s["scaled"], s["scores"] / math.sqrt(4))
    assert torch.isinf(s["masked"]).sum() == t * (t - 1) // 2  # the strict upper triangle
    torch.testing.assert_close(s["weights"].sum(-1), torch.ones(t))
    assert s["weights"][0, 0] == 1  # the first word sees only itself
    out, w = scaled_dot_product_attention(s["Q"], s["K"], s["V"], causal_mask(t)[0, 0], need_weights=True)
    torch.testing.assert_close(w, s["weights"])
    torch.testing.assert_close(out, s["output"])


def test_steps_figure_reveals_one_step_at_a_time_and_marks_hidden_cells():
    titles = lambda fig: [a.text for a in fig.layout.annotations]
    first = masking.steps_figure(1, "causal")
    assert "(7, 7)" in titles(first)[0] and "(7, 7)" not in titles(first)[1]  # later panels: no shape yet
    assert sum(1 for tr in first.data if any(v is not None for row in tr.z for v in row)) == 1
    third = masking.steps_figure(3, "causal")
    overlay = [tr for tr in third.data if tr.text is not None and any("−∞" in c for row in tr.text for c in row)]
    assert len(overlay) == 1 and sum(c == "−∞" for row in overlay[0].text for c in row) == 21  # 7·6/2 cells
    assert not any(tr.text is not None and any("−∞" in c for row in tr.text for c in row)
                   for tr in masking.steps_figure(5, "none").data)
    last = masking.steps_figure(5, "none")
    assert "(7, 8)" in titles(last)[5] and "step 5 (weighted sum)" in last.layout.title.text
    # unmasked weights are all small: their colours run to this state's largest weight, not to 1
    weights = [tr for tr in last.data if tr.xaxis == "x4"][0]
    top = float(masking.attention_steps(mask="none")["weights"].max())
    assert top < 0.5 and weights.zmin == 0 and weights.zmax == pytest.approx(top, abs=1e-4)
    assert f"{top:.2f}" in titles(last)[3]


@pytest.mark.parametrize("kwargs, message", [
    ({"step": 6}, "step must be one of"),
    ({"mask": "padding"}, "knows the masks"),
    ({"sentence": "cat"}, "at least two words"),
    ({"sentence": "the zebra sat"}, "'zebra'"),
    ({"sentence": "  "}, "empty"),
])
def test_steps_figure_rejects_bad_input_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        masking.steps_figure(**kwargs)


def test_playground_shows_mask_and_weights_for_both_sentences():
    fig = masking.playground_figure("padding")
    assert len(fig.data) == 4
    mask2 = fig.data[2].z  # sentence 2's mask: the three <pad> columns are hidden
    assert all(row[4:] == [0, 0, 0] and row[:4] == [1, 1, 1, 1] for row in mask2)
    weights2 = fig.data[3].z
    assert all(sum(row[4:]) == 0 for row in weights2)
    top = max(v for tr in (fig.data[1], fig.data[3]) for row in tr.z for v in row)
    assert top < 0.7 and fig.data[1].zmax == fig.data[3].zmax == pytest.approx(top, abs=1e-4)  # shared, not 0-1
    assert "0.00" in fig.layout.title.text and "<pad>" in fig.layout.title.text


def test_static_twins_keep_the_same_axes_in_every_state():
    """A slider step restores only the axes its own figure has: every state must define all of them."""
    for demo in (Demo(masking.playground_figure, Param("kind", list(masking.MASK_KINDS))),
                 Demo(masking.steps_figure, Param("step", [1, 3, 5]), Param("mask", list(masking.STEP_MASKS)))):
        axes = [sorted(k for k in demo.figure(**{p.name: v for p, v in zip(demo.params, combo)}).layout
                       .to_plotly_json() if k.startswith(("xaxis", "yaxis")))
                for combo in itertools.product(*(p.values for p in demo.params))]
        assert all(a == axes[0] for a in axes) and len(axes[0]) >= 8
