"""The masking chapter's checkers tell right masks from wrong ones."""

import pytest
import torch

from attnlib import causal_mask, lengths_mask
from attnlib.exercises import NOT_ANSWERED
from attnlib.exercises.masking import check_causal_mask, check_padding_mask


def test_causal_mask_checker_accepts_solutions_and_waits_for_an_answer():
    assert check_causal_mask(lambda T: torch.ones(T, T, dtype=torch.bool).tril())
    assert check_causal_mask(lambda T: causal_mask(T))  # the library's (1, 1, T, T) shape is fine too
    assert check_causal_mask(lambda T: None) == NOT_ANSWERED
    assert check_causal_mask(None) == NOT_ANSWERED


@pytest.mark.parametrize("mistake, hint", [
    (lambda T: torch.ones(T, T, dtype=torch.bool).triu(), "transposed"),
    (lambda T: torch.ones(T, T, dtype=torch.bool).tril(-1), "itself"),
    (lambda T: ~torch.ones(T, T, dtype=torch.bool).tril(), "inverted"),
    (lambda T: torch.ones(T, T).tril(), "boolean"),
    (lambda T: torch.ones(T, T + 1, dtype=torch.bool), "shape"),
    (lambda T: torch.eye(T, dtype=torch.bool), "differs"),
])
def test_causal_mask_checker_rejects_plausible_mistakes_with_a_hint(mistake, hint):
    verdict = check_causal_mask(mistake)
    assert not verdict and hint in verdict.message


def test_padding_mask_checker():
    assert check_padding_mask(lambda lengths, T: torch.arange(T)[None, :] < lengths[:, None])
    assert check_padding_mask(lambda lengths, T: lengths_mask(lengths, T))  # (B, 1, 1, T) is fine
    assert check_padding_mask(lambda lengths, T: None) == NOT_ANSWERED
    inverted = check_padding_mask(lambda lengths, T: torch.arange(T)[None, :] >= lengths[:, None])
    assert not inverted and "True at the <pad>" in inverted.message
    off_by_one = check_padding_mask(lambda lengths, T: torch.arange(T)[None, :] <= lengths[:, None])
    assert not off_by_one and "Off by one" in off_by_one.message
    crash = check_padding_mask(lambda lengths, T: torch.arange(T) < lengths)
    assert not crash and "RuntimeError" in crash.message
