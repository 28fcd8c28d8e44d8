"""The Transformer-block chapter's checkers: the pre-LN sub-layer and the feed-forward parameter count."""

import pytest

from attnlib.exercises import NOT_ANSWERED
from attnlib.exercises.blocks import check_ffn_parameters, check_pre_ln
from attnlib.model.layers import FeedForward


@pytest.mark.parametrize("mistake, hint", [
    (lambda x, f, norm: norm(x + f(x)), "post-LN"),
    (lambda x, f, norm: f(norm(x)), "residual connection is missing"),
    (lambda x, f, norm: norm(x) + f(norm(x)), "raw x"),
    (lambda x, f, norm: x + norm(f(x)), "before"),
    (lambda x, f, norm: x + f(x), "LayerNorm is missing"),
    (lambda x, f, norm: x[..., :2], "shape"),
    (lambda x, f, norm: 2 * x, "differs"),
    (lambda x, f, norm: undefined_name, "NameError"),  # noqa: F821
])
def test_pre_ln_checker_rejects_plausible_mistakes_with_a_hint(mistake, hint):
    verdict = check_pre_ln(mistake)
    assert not verdict and hint in verdict.message


def test_pre_ln_checker_accepts_the_solution():
    assert check_pre_ln(lambda x, sublayer, norm: x + sublayer(norm(x)))
    assert check_pre_ln(lambda x, sublayer, norm: None) == NOT_ANSWERED


@pytest.mark.parametrize("mistake, hint", [
    (lambda d, ff: 2 * d * ff, "bias"),
    (lambda d, ff: 2 * d * ff + ff, "second layer has a bias"),
    (lambda d, ff: 2 * d * ff + d, "first layer has a bias"),
    (lambda d, ff: d * ff + ff, "only the first layer"),
    (lambda d, ff: 7, "Count weights and biases"),
])
def test_ffn_checker_rejects_plausible_mistakes_with_a_hint(mistake, hint):
    verdict = check_ffn_parameters(mistake)
    assert not verdict and hint in verdict.message


def test_ffn_checker_accepts_the_solution():
    assert check_ffn_parameters(lambda d, ff: 2 * d * ff + ff + d)
    assert sum(p.numel() for p in FeedForward(512, 2048).parameters()) == 2_099_712
    assert check_ffn_parameters(lambda d, ff: None) == NOT_ANSWERED
