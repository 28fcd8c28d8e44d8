"""The hand-made word space says what the chapters claim."""

import pytest
import torch

from attnlib.lessons import toy
from attnlib.figures import qkv
from attnlib.lessons.scoring import AdditiveScore, score


def test_it_attends_most_to_question():
    words, weights = qkv.attention_weights(toy.EXAMPLE_SENTENCE)
    assert words[int(weights[words.index("it")].argmax())] == "question"


def test_function_words_spread_their_attention_evenly():
    words, weights = qkv.attention_weights(toy.EXAMPLE_SENTENCE)
    row = weights[words.index("the")]
    assert torch.allclose(row, torch.full_like(row, 1 / len(words)))


def test_unknown_and_empty_sentences_get_clear_messages():
    with pytest.raises(ValueError, match="'zebra'"):
        toy.words_of("the zebra sat")
    with pytest.raises(ValueError, match="empty"):
        toy.words_of("   ")


def test_scorers_agree_with_their_formulas():
    q, k = torch.randn(3, 4), torch.randn(5, 4)
    torch.testing.assert_close(score(q, k, "scaled dot"), q @ k.T / 2)
    cos = score(q, k, "cosine") * 0.1
    assert cos.abs().max() <= 1 + 1e-6
    assert score(q, k, "additive").shape == (3, 5)
    assert AdditiveScore(4, 6, 8)(q, torch.randn(5, 6)).shape == (3, 5)  # different widths are fine
    with pytest.raises(ValueError, match="unknown scoring method"):
        score(q, k, "manhattan")


def test_named_writes_the_nonzero_entries_rounded():
    x = toy.embed(["it"])[0]  # thing 0.3 is 0.30000001192092896 in float32
    assert toy.named(x, toy.FEATURES) == "thing 0.3, pronoun 1"
    assert toy.named(x @ toy.W_K, toy.KEY_FEATURES) == "is a thing -1.05, is a person -0.5"
    assert toy.named(torch.zeros(2), ("a", "b")) == "all zero"
    with pytest.raises(ValueError, match="3 values but 2 names"):
        toy.named(torch.zeros(3), ("a", "b"))
