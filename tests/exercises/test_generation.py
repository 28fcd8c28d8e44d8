"""The GPT chapter's checkers: a temperature and a top-k filter."""

import pytest
import torch

from attnlib.exercises.generation import check_temperature, check_top_k


@pytest.mark.parametrize("mistake, hint", [
    (lambda z, t: torch.softmax(z * t, -1), "multiplied"),
    (lambda z, t: torch.softmax(z, -1), "not used"),
    (lambda z, t: z / t, "add up"),
    (lambda z, t: torch.softmax(z / t, -1)[:-1], "shape"),
    (lambda z, t: torch.softmax(z / (t + 0.1), -1), "should be"),
])
def test_temperature_checker_rejects_plausible_mistakes(mistake, hint):
    verdict = check_temperature(mistake)
    assert not verdict and hint in verdict.message


def test_temperature_checker_accepts_the_solution_and_says_when_unanswered():
    assert check_temperature(lambda z, t: torch.softmax(z / t, dim=-1))
    assert "Not answered" in check_temperature(lambda z, t: None).message


def _top_k(probs, k):
    kept = torch.zeros_like(probs)
    best = probs.topk(k).indices
    kept[best] = probs[best]
    return kept / kept.sum()


def _unnormalised(probs, k):
    kept = torch.zeros_like(probs)
    best = probs.topk(k).indices
    kept[best] = probs[best]
    return kept


def _smallest(probs, k):
    kept = torch.zeros_like(probs)
    worst = (-probs).topk(k).indices
    kept[worst] = probs[worst]
    return kept / kept.sum()


@pytest.mark.parametrize("mistake, hint", [
    (_unnormalised, "add up to"),
    (_smallest, "likeliest"),
    (lambda probs, k: probs, "exactly"),
])
def test_top_k_checker_rejects_plausible_mistakes(mistake, hint):
    verdict = check_top_k(mistake)
    assert not verdict and hint in verdict.message


def test_top_k_checker_accepts_the_solution():
    assert check_top_k(_top_k)
