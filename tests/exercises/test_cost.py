"""The cost chapter's checkers: the attention weights' memory and merging two online-softmax partial sums."""

import math

import pytest
import torch

from attnlib.exercises import NOT_ANSWERED
from attnlib.exercises.cost import check_merge, check_weights_memory


def weights_mib(B, H, T):
    return B * H * T * T * 4 / 2**20


@pytest.mark.parametrize("mistake, hint", [
    (lambda B, H, T: H * T * T * 4 / 2**20, "batch"),
    (lambda B, H, T: B * T * T * 4 / 2**20, "heads"),
    (lambda B, H, T: B * H * T * T / 2**20, "4 bytes"),
    (lambda B, H, T: B * H * T * 4 / 2**20, "T²"),
    (lambda B, H, T: B * H * T * T * 4 / 1e6, "megabytes"),
    (lambda B, H, T: B * H * T * T * 4, "2**20"),
    (lambda B, H, T: B * H * T * T * 32 / 2**20, "bits"),
    (lambda B, H, T: 1.0, "Count the elements"),
    (lambda B, H, T: B / 0, "ZeroDivisionError"),
])
def test_weights_memory_checker_names_the_slip(mistake, hint):
    verdict = check_weights_memory(mistake)
    assert not verdict and hint in verdict.message


def test_weights_memory_checker_accepts_the_solution():
    assert check_weights_memory(weights_mib)
    assert check_weights_memory(None) == NOT_ANSWERED
    assert check_weights_memory(lambda B, H, T: None) == NOT_ANSWERED


def merge(a, b):
    (m_a, l_a), (m_b, l_b) = a, b
    m = max(m_a, m_b)
    return m, l_a * math.exp(m_a - m) + l_b * math.exp(m_b - m)


@pytest.mark.parametrize("mistake, hint", [
    (lambda a, b: (max(a[0], b[0]), a[1] + b[1]), "cannot simply be added"),
    (lambda a, b: (max(a[0], b[0]), a[1] * math.exp(max(a[0], b[0]) - a[0]) + b[1] * math.exp(max(a[0], b[0]) - b[0])),
     "wrong sign"),
    (lambda a, b: (max(a[0], b[0]), a[1] * math.exp(a[0] - max(a[0], b[0])) + b[1]), "both need the factor"),
    (lambda a, b: (max(a[0], b[0]), a[1] + b[1] * math.exp(b[0] - max(a[0], b[0]))), "both need the factor"),
    (lambda a, b: (a[0] + b[0], merge(a, b)[1]), "larger of the two maxima"),
    (lambda a, b: (max(a[0], b[0]), a[1] * math.exp(a[0]) + b[1] * math.exp(b[0])), "Σ exp(s) over the whole row"),
    (lambda a, b: (max(a[0], b[0]), float("nan")), "inf or NaN"),
    (lambda a, b: (max(a[0], b[0]), 1.0), "should be"),
])
def test_merge_checker_names_the_slip(mistake, hint):
    verdict = check_merge(mistake)
    assert not verdict and hint in verdict.message


def test_merge_checker_accepts_the_solution_and_tensors():
    assert check_merge(merge)
    assert check_merge(lambda a, b: tuple(torch.tensor(x) for x in merge(a, b)))
    assert check_merge(None) == NOT_ANSWERED
    assert check_merge(lambda a, b: None) == NOT_ANSWERED
