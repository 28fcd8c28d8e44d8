"""Checkers for the positional-encodings chapter."""

from __future__ import annotations

import torch

from attnlib.model.positional import frequencies, relative_shift, sinusoidal_table
from . import NOT_ANSWERED, Verdict, guarded

_TABLE_CASES = ((10, 8), (50, 16), (7, 4))


def _as_table(result, shape) -> torch.Tensor | str:
    t = torch.as_tensor(result, dtype=torch.float64)
    if tuple(t.shape) != tuple(shape):
        return f"the table should have one row per position and one column per feature: shape {tuple(shape)}, yours is {tuple(t.shape)}"
    return t


def _near(a: torch.Tensor, b: torch.Tensor) -> bool:
    return torch.allclose(a, b.double(), atol=1e-4)


def _variants(max_len: int, d: int) -> dict[str, torch.Tensor]:
    """Tables that plausible slips produce, with the hint for each."""
    p = torch.arange(max_len, dtype=torch.float64)[:, None]  # (P, 1)
    pairs = torch.arange(d // 2, dtype=torch.float64)  # (D/2,)
    right = p * frequencies(d)[None, :]  # (P, D/2)

    def interleave(a, b):
        return torch.stack([a, b], dim=-1).reshape(max_len, d)  # (P, D)

    per_feature = p * 10000.0 ** (-torch.arange(d, dtype=torch.float64) / d)[None, :]  # (P, D)
    feature_is_sin = (torch.arange(d) % 2 == 0)[None, :]
    return {
        "Sine and cosine are swapped: even features (2i) hold sin(p·ω_i), odd features (2i+1) hold cos(p·ω_i).":
            interleave(right.cos(), right.sin()),
        "The frequencies are off: the exponent is -2i/d_model with i the *pair* index (0, 1, 2, ...), "
        "so ω_i = 10000^(-2i/d_model). You seem to have used -i/d_model.":
            interleave((p * 10000.0 ** (-pairs / d)).sin(), (p * 10000.0 ** (-pairs / d)).cos()),
        "The frequencies are off: each (sin, cos) pair shares one frequency ω_i = 10000^(-2i/d_model); "
        "you gave every feature its own frequency 10000^(-j/d_model).":
            torch.where(feature_is_sin, per_feature.sin(), per_feature.cos()),
        "The exponent needs a minus sign: the frequencies must *fall* from 1 to about 1/10000, "
        "ω_i = 10000^(-2i/d_model).":
            interleave((p * 10000.0 ** (2 * pairs / d)).sin(), (p * 10000.0 ** (2 * pairs / d)).cos()),
        "You put all the sines first and all the cosines after; the library interleaves them: "
        "feature 2i is sin(p·ω_i) and feature 2i+1 is cos(p·ω_i).":
            torch.cat([right.sin(), right.cos()], dim=-1),
    }


@guarded
def check_sinusoidal_table(fn) -> Verdict:
    """``fn(max_len, d_model) -> (max_len, d_model)`` must match :func:`attnlib.sinusoidal_table`."""
    for max_len, d in _TABLE_CASES:
        result = fn(max_len, d)
        if result is None:
            return NOT_ANSWERED
        table = _as_table(result, (max_len, d))
        if isinstance(table, str):
            return Verdict(False, table)
        if not _near(table, sinusoidal_table(max_len, d)):
            for hint, wrong in _variants(max_len, d).items():
                if _near(table, wrong):
                    return Verdict(False, hint)
            return Verdict(False, f"The table for max_len={max_len}, d_model={d} differs from the formula. "
                                  f"Row 0 should be sin 0 = 0 in even features and cos 0 = 1 in odd ones; "
                                  f"compare your row 1 with sin(1·ω_i), cos(1·ω_i).")
    return Verdict(True, "Correct: your table matches attnlib.sinusoidal_table for every size tried.")


@guarded
def check_shift_matrix(fn) -> Verdict:
    """``fn(k, d_model) -> (d_model, d_model)`` must satisfy ``PE(p + k) = M_k PE(p)`` for every p."""
    for k, d in ((1, 4), (3, 8), (7, 16)):
        result = fn(k, d)
        if result is None:
            return NOT_ANSWERED
        m = torch.as_tensor(result, dtype=torch.float64)
        if tuple(m.shape) != (d, d):
            return Verdict(False, f"M_k maps a {d}-vector to a {d}-vector: shape ({d}, {d}), yours is {tuple(m.shape)}")
        ref = relative_shift(k, d)
        if not torch.allclose(m, ref, atol=1e-6):
            if torch.allclose(m, ref.T, atol=1e-6):
                return Verdict(False, "Your matrix turns the pairs the wrong way: it maps PE(p) to PE(p - k). "
                                      "Check the signs: sin(a+b) = sin a cos b + cos a sin b, "
                                      "cos(a+b) = cos a cos b - sin a sin b.")
            pe = sinusoidal_table(40, d).double()  # (P, D)
            err = float((pe[:-k] @ m.T - pe[k:]).abs().max())
            return Verdict(False, f"PE(p + {k}) = M PE(p) fails for d_model={d}: off by up to {err:.3f}. "
                                  f"Each (sin, cos) pair should be rotated by the angle k·ω_i.")
    return Verdict(True, "Correct: your M_k shifts every position by k, for every width tried.")
