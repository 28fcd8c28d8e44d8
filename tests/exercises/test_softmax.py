"""The softmax chapter's checkers: a stable softmax and the largest temperature."""

import pytest
import torch

from attnlib.exercises import NOT_ANSWERED
from attnlib.exercises.softmax import SCORES, check_largest_temperature, check_softmax, largest_temperature, top_weight
from attnlib.lessons.softmax import naive_softmax, stable_softmax


def good_softmax(scores):
    e = torch.exp(scores - scores.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)


@pytest.mark.parametrize("mistake, hint", [
    (naive_softmax, "overflows"),
    (lambda s: stable_softmax(s, dim=0), "dim=0"),
    (lambda s: torch.exp(s - s.amax(dim=-1, keepdim=True)), "do not sum to one"),
    (lambda s: torch.exp(s - s.amax()) / torch.exp(s - s.amax()).sum(-1, keepdim=True), "NaN"),
    (lambda s: torch.exp(s - s.amax(-1)) / torch.exp(s - s.amax(-1)).sum(-1), "keepdim=True"),
    (lambda s: good_softmax(s).flatten(), "shape"),
    (lambda s: 1 / 0, "ZeroDivisionError"),
])
def test_softmax_checker_rejects_plausible_mistakes(mistake, hint):
    verdict = check_softmax(mistake)
    assert not verdict and hint in verdict.message


def test_softmax_checker_accepts_the_solution():
    assert check_softmax(good_softmax)
    assert check_softmax(lambda s: torch.softmax(s, dim=-1))
    assert check_softmax(lambda s: None) == NOT_ANSWERED


def test_temperature_checker():
    best = largest_temperature()
    assert best == pytest.approx(0.398, abs=1e-3) and top_weight(best) == pytest.approx(0.9, abs=1e-6)
    assert check_largest_temperature(best) and check_largest_temperature(0.4)
    assert SCORES.shape == (5,)
    for answer, hint in ((0.5, "Too warm"), (0.2, "Find the largest"), (-1, "positive"), (0.0, "positive")):
        verdict = check_largest_temperature(answer)
        assert not verdict and hint in verdict.message
    assert check_largest_temperature(None) == NOT_ANSWERED
