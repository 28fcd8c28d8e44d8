"""The positional-encodings chapter's checkers: the sinusoidal table and the shift matrix."""

import math

import pytest
import torch

from attnlib.exercises import NOT_ANSWERED
from attnlib.exercises.positions import check_shift_matrix, check_sinusoidal_table
from attnlib.model.positional import frequencies


def solution_table(max_len, d_model):
    p = torch.arange(max_len)[:, None]
    omega = 10000 ** (-torch.arange(0, d_model, 2) / d_model)
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(p * omega)
    pe[:, 1::2] = torch.cos(p * omega)
    return pe


def swapped(max_len, d_model):
    return solution_table(max_len, d_model).view(max_len, -1, 2).flip(-1).reshape(max_len, d_model)


def exponent_i(max_len, d_model):
    p = torch.arange(max_len)[:, None]
    omega = 10000 ** (-torch.arange(d_model // 2) / d_model)  # -i/d instead of -2i/d
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(p * omega), torch.cos(p * omega)
    return pe


def concatenated(max_len, d_model):
    pe = solution_table(max_len, d_model)
    return torch.cat([pe[:, 0::2], pe[:, 1::2]], dim=1)


@pytest.mark.parametrize("mistake, hint", [
    (swapped, "swapped"),
    (exponent_i, "-i/d_model"),
    (concatenated, "interleaves"),
    (lambda n, d: torch.zeros(n, d + 1), "shape"),
    (lambda n, d: solution_table(n, d) * 2, "differs from the formula"),
    (lambda n, d: 1 / 0, "ZeroDivisionError"),
])
def test_table_checker_rejects_plausible_mistakes_with_a_hint(mistake, hint):
    verdict = check_sinusoidal_table(mistake)
    assert not verdict and hint in verdict.message


def test_table_checker_accepts_the_solution_and_waits_for_an_answer():
    assert check_sinusoidal_table(solution_table)
    assert check_sinusoidal_table(lambda n, d: None) == NOT_ANSWERED


def solution_shift(k, d_model):
    m = torch.zeros(d_model, d_model, dtype=torch.float64)
    for i, w in enumerate(frequencies(d_model).tolist()):
        c, s = math.cos(k * w), math.sin(k * w)
        m[2 * i, 2 * i], m[2 * i, 2 * i + 1] = c, s
        m[2 * i + 1, 2 * i], m[2 * i + 1, 2 * i + 1] = -s, c
    return m


def test_shift_checker():
    assert check_shift_matrix(solution_shift)
    wrong_way = check_shift_matrix(lambda k, d: solution_shift(k, d).T)
    assert not wrong_way and "wrong way" in wrong_way.message
    identity = check_shift_matrix(lambda k, d: torch.eye(d))
    assert not identity and "rotated by the angle" in identity.message
    assert "shape" in check_shift_matrix(lambda k, d: torch.eye(d + 1)).message
    assert check_shift_matrix(lambda k, d: None) == NOT_ANSWERED
