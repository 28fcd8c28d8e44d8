"""The queries-keys-values chapter's checkers: attention written out, and the key a query picks."""

import math

import pytest
import torch

from attnlib.exercises import NOT_ANSWERED
from attnlib.exercises.qkv import check_attention, check_top_key
from attnlib.figures import qkv


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
