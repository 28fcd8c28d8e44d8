"""The multi-head chapter's checkers: splitting into heads and the parameter count."""

import pytest

from attnlib.exercises import NOT_ANSWERED
from attnlib.exercises.heads import check_parameter_count, check_split_heads, parameter_count


def right_split(x, n_heads):
    b, t, d = x.shape
    return x.view(b, t, n_heads, d // n_heads).transpose(1, 2)


@pytest.mark.parametrize("mistake, hint", [
    (lambda x, h: x.view(x.shape[0], h, x.shape[1], -1), "mixes the features of several positions"),
    (lambda x, h: x.view(x.shape[0], x.shape[1], h, -1), "transpose(1, 2)"),
    (lambda x, h: x.view(x.shape[0], x.shape[1], -1, h).permute(0, 3, 1, 2), "contiguous slice"),
    (lambda x, h: right_split(x, h) * 2, "different numbers"),
    (lambda x, h: x, "should have shape"),
])
def test_split_heads_checker_rejects_plausible_mistakes_with_a_hint(mistake, hint):
    verdict = check_split_heads(mistake)
    assert not verdict and hint in verdict.message


def test_split_heads_checker_accepts_the_solution_and_waits_for_an_answer():
    assert check_split_heads(right_split)
    assert check_split_heads(lambda x, h: x.reshape(x.shape[0], x.shape[1], h, -1).permute(0, 2, 1, 3))
    assert check_split_heads(lambda x, h: None) == NOT_ANSWERED


def test_parameter_count_checker():
    assert parameter_count(512, 8) == 4 * (512 * 512 + 512) == parameter_count(512, 1)
    assert check_parameter_count(1_050_624)
    for mistake, hint in ((4 * 512 * 512, "biases"), (3 * (512 * 512 + 512), "W^O"),
                          (8 * 1_050_624, "factor of 8"), (1000, "Not quite"), ("many", "whole number")):
        verdict = check_parameter_count(mistake)
        assert not verdict and hint in verdict.message
    assert check_parameter_count(None) == NOT_ANSWERED
