"""The soft-lookup chapter's checkers: the blend of three words and the soft lookup."""

import math

import pytest
import torch

from attnlib.exercises import NOT_ANSWERED
from attnlib.exercises.lookup import (BLEND_TARGET, BLEND_WORDS, blend, check_blend, check_soft_lookup,
                                      soft_lookup_reference, target_features)


def test_blend_target_is_readable_and_the_solution_is_accepted():
    assert target_features() == {"person": 0.15, "thing": 0.6, "action": 0.25}
    assert check_blend([0.5, 0.25, 0.25])
    torch.testing.assert_close(blend([0.5, 0.25, 0.25]), BLEND_TARGET)
    assert len(BLEND_WORDS) == 3


@pytest.mark.parametrize("answer, hint", [
    ([1.0, 1.0, 0.0], "add up to 2"),          # a weighted sum, not an average
    ([0.6, -0.1, 0.5], "negative"),
    ([0.4, 0.3, 0.3], "action = 0.300"),        # sums to one but misses the target
    ([0.5, 0.5], "one weight per word"),
    ("abc", "three numbers"),
])
def test_blend_checker_rejects_mistakes_with_a_hint(answer, hint):
    verdict = check_blend(answer)
    assert not verdict and hint in verdict.message


def test_blend_checker_waits_for_an_answer():
    assert check_blend(None) == NOT_ANSWERED


def good_lookup(query, keys, values):
    return torch.softmax(keys @ query / math.sqrt(query.shape[-1]), dim=-1) @ values


@pytest.mark.parametrize("mistake, hint", [
    (lambda q, k, v: v[(k @ q).argmax()], "hard lookup"),
    (lambda q, k, v: torch.softmax(k @ q, -1) @ v, "√d"),
    (lambda q, k, v: (k @ q / math.sqrt(q.shape[-1])) @ v, "softmax"),
    (lambda q, k, v: torch.softmax(k @ q / math.sqrt(q.shape[-1]), -1), "weights"),
    (lambda q, k, v: v.mean(0), "differs"),
    (lambda q, k, v: 1 / 0, "ZeroDivisionError"),
])
def test_soft_lookup_checker_rejects_plausible_mistakes(mistake, hint):
    verdict = check_soft_lookup(mistake)
    assert not verdict and hint in verdict.message


def test_soft_lookup_checker_accepts_the_solution():
    assert check_soft_lookup(good_lookup)
    assert check_soft_lookup(soft_lookup_reference)
    assert check_soft_lookup(lambda q, k, v: None) == NOT_ANSWERED
