"""The hand-made word space says what the chapters claim; exercise checkers tell right from wrong."""

import math

import pytest
import torch

from attnlib.lessons import toy
from attnlib.figures import qkv
from attnlib.exercises import NOT_ANSWERED
from attnlib.exercises.qkv import check_attention, check_top_key
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


def correct(Q, K, V):
    w = torch.softmax(Q @ K.T / math.sqrt(K.shape[-1]), dim=-1)
    return w @ V, w


@pytest.mark.parametrize("mistake, hint", [
    (lambda Q, K, V: (torch.softmax(Q @ K.T, -1) @ V, torch.softmax(Q @ K.T, -1)), "√d_k"),
    (lambda Q, K, V: (None, torch.softmax(Q @ K.T / math.sqrt(K.shape[-1]), 0)), "dim=-1"),
    (lambda Q, K, V: (V, correct(Q, K, V)[1]), "output"),
    (lambda Q, K, V: (V, torch.ones(2, 2)), "shape"),
    (lambda Q, K, V: 1 / 0, "ZeroDivisionError"),
])
def test_attention_checker_rejects_plausible_mistakes_with_a_hint(mistake, hint):
    verdict = check_attention(mistake)
    assert not verdict and hint in verdict.message


def test_attention_checker_accepts_the_solution_and_waits_for_an_answer():
    assert check_attention(correct)
    assert check_attention(lambda Q, K, V: None) == NOT_ANSWERED
    assert check_attention(None) == NOT_ANSWERED


def test_top_key_checker():
    words, weights = qkv.attention_weights("the student read the old book because it was difficult")
    assert check_top_key("book", words, weights, "difficult")
    assert not check_top_key("student", words, weights, "difficult")
