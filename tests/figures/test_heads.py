"""The multi-head chapter's figures and hand-set heads say what the chapter claims."""

import pytest
import torch

from attnlib.figures import heads
from attnlib.lessons import toy


def top(words, weights, head, query):
    return words[int(weights[head, words.index(query)].argmax())]


def test_hand_set_layer_has_the_same_parameters_for_every_head_count():
    counts = {h: sum(p.numel() for p in heads.hand_set_attention(h).parameters()) for h in (1, 2, 4, 8)}
    assert set(counts.values()) == {4 * 16 * 16}  # no biases
    with pytest.raises(ValueError, match="not divisible by n_heads=3"):
        heads.hand_set_attention(3)


def test_eight_heads_each_do_their_one_job():
    words, w = heads.head_weights("the cat sat because it was tired", 8)
    assert w.shape == (8, 7, 7)
    torch.testing.assert_close(w.sum(-1), torch.ones(8, 7))
    assert all(int(w[0, i].argmax()) == i - 1 for i in range(1, 7))  # previous word
    assert all(int(w[1, i].argmax()) == max(i - 2, 0) for i in range(7))  # two words back
    assert (w[2, :, 0] > 0.9).all()  # first word
    assert all(int(w[3, i].argmax()) == i for i in range(7))  # itself
    assert top(words, w, 4, "it") == "cat" and w[4, words.index("it"), words.index("cat")] > 0.7  # pronoun → noun
    assert top(words, w, 5, "tired") == "cat"  # adjective → noun
    assert top(words, w, 6, "sat") == "cat"  # verb → doer
    assert top(words, w, 7, "the") == "cat" and top(words, w, 7, "because") == "cat"  # function word → noun
    # a head with nothing to look for spreads its weight evenly
    torch.testing.assert_close(w[4, words.index("sat")], torch.full((7,), 1 / 7))


# What one, two and four heads do with "it" is chapter 5's claim, asserted on the page itself (its hidden
# check cell), so it has one home there.


def test_heads_figure_has_one_map_per_head_and_always_eight_axis_pairs():
    assert heads.HEAD_COUNTS == (1, 2, 4, 8)
    for h in heads.HEAD_COUNTS:
        fig = heads.heads_figure(h)
        assert len(fig.data) == h
        keys = fig.layout.to_plotly_json()
        assert sum(k.startswith("xaxis") for k in keys) == 8 and sum(k.startswith("yaxis") for k in keys) == 8
        assert sum(bool(fig.layout[f"xaxis{'' if i == 0 else i + 1}"].visible) for i in range(8)) == h
        assert len([a for a in fig.layout.annotations if a.text.startswith("head") or h == 1]) == h


@pytest.mark.parametrize("kwargs, message", [
    ({"n_heads": 3}, "not divisible by n_heads=3"),
    ({"n_heads": 16}, "1, 2, 4 or 8 heads"),
    ({"sentence": "the student read the old book because it was difficult"}, "at most 8 words"),
    ({"sentence": "cat"}, "2 to 8 words"),
    ({"sentence": "the zebra sat"}, "'zebra'"),
])
def test_heads_figure_rejects_bad_input_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        heads.heads_figure(**kwargs)


@pytest.mark.parametrize("h", heads.SPLIT_HEADS)
def test_split_gives_each_head_its_own_slice_of_every_word(h):
    s = heads.split_tensors(h)
    dh = 8 // h
    assert len(s["heads"]) == h and all(len(block) == 4 and len(block[0]) == dh for block in s["heads"])
    for head, block in enumerate(s["heads"]):
        for t, row in enumerate(block):
            assert row == [f"{s['words'][t][0]}{f}" for f in range(head * dh, (head + 1) * dh)]
    wrong = heads.split_tensors(h, heads.SPLIT_METHODS[1])["heads"]
    assert (wrong == s["heads"]) == (h == 1)  # skipping the transpose only goes unnoticed with one head


def test_split_figure_colours_each_head_block_in_one_colour_only_when_transposed():
    assert heads.SPLIT_HEADS == (1, 2, 4, 8)  # the divisors of 8
    for method, panel, one_colour in zip(heads.SPLIT_METHODS, (2, 1), (True, False)):
        fig = heads.split_figure(4, method)
        assert len(fig.data) == 3  # x, then two panels: the same axes for both methods
        block_colours = [{z for row in fig.data[panel].z for z in row[start:start + 2]} for start in (0, 3, 6, 9)]
        assert all(len(c) == 1 for c in block_colours) == one_colour
    with pytest.raises(ValueError, match="divisor of 8"):
        heads.split_figure(3)
    with pytest.raises(ValueError, match="unknown method"):
        heads.split_figure(2, "reshape")


def test_mixing_layer_adds_what_the_two_heads_pass_on():
    m = heads.mixing("it")
    assert m["looks_at"] == ["because", "cat"]  # head 1: the previous word; head 2: the noun
    concat, out = m["concat"], m["output"]  # (16,) each
    assert concat.shape == out.shape == (16,)
    torch.testing.assert_close(out[:8], concat[:8] + concat[8:])  # output number f = head 1's f + head 2's f
    assert (out[8:] == 0).all()
    torch.testing.assert_close(out, concat @ m["w_o"])
    # each head passes on the toy features of the words it looks at, weighted as it looks
    words, w = heads.head_weights(heads.MIXING_SENTENCE, 2)
    x = toy.embed(words)  # (T, 8)
    torch.testing.assert_close(concat.view(2, 8), w[:, words.index("it")] @ x)
    with pytest.raises(ValueError, match="not in the sentence"):
        heads.mixing("dog")


def test_mixing_figure_shows_before_w_o_and_after():
    fig = heads.mixing_figure()
    before, w_o, after = fig.data
    assert torch.tensor(before.z).shape == (8, 2) and torch.tensor(w_o.z).shape == (16, 16)
    assert torch.tensor(after.z).shape == (8, 2)
    assert sum(t == "1" for row in w_o.text for t in row) == 16  # the ones written, the zeros left blank
