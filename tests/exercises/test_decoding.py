"""The decoding chapter's checkers: one greedy step and the length-normalised score."""

import math

import pytest

from attnlib.exercises.decoding import check_greedy_step, check_normalised_score


@pytest.mark.parametrize("mistake, hint", [
    (lambda logits: logits.argmax(dim=0), "dim=-1"),
    (lambda logits: logits.max(-1).values, "token ids"),
    (lambda logits: logits.softmax(-1), "distribution"),
    (lambda logits: logits.argmin(-1), "argmin"),
    (lambda logits: logits[0], "integer token ids"),
])
def test_greedy_step_checker_rejects_plausible_mistakes(mistake, hint):
    verdict = check_greedy_step(mistake)
    assert not verdict and hint in verdict.message


def test_greedy_step_checker_accepts_argmax_with_or_without_softmax():
    assert check_greedy_step(lambda logits: logits.argmax(dim=-1))
    assert check_greedy_step(lambda logits: logits.softmax(-1).argmax(-1))
    assert "Not answered" in check_greedy_step(lambda logits: None).message


@pytest.mark.parametrize("mistake, hint", [
    (lambda lp, n, a: lp * n**a, "Divide"),
    (lambda lp, n, a: lp / n, "length**alpha"),
    (lambda lp, n, a: -lp / n**a, "sign"),
    (lambda lp, n, a: lp / (n + 1) ** a, "should be"),
])
def test_normalised_score_checker_rejects_plausible_mistakes(mistake, hint):
    verdict = check_normalised_score(mistake)
    assert not verdict and hint in verdict.message


def test_normalised_score_checker_accepts_the_solution():
    assert check_normalised_score(lambda lp, n, a: lp / n**a)
    assert check_normalised_score(lambda lp, n, a: lp / math.pow(n, a))
