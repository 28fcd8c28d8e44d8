"""Checkers for the multi-head attention chapter: split into heads, count the parameters."""

from __future__ import annotations

import torch

from attnlib.model.multihead import MultiHeadAttention, split_heads
from . import NOT_ANSWERED, Verdict, guarded


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a.float(), b.float())


@guarded
def check_split_heads(fn) -> Verdict:
    """``fn(x, n_heads)`` must turn ``(B, T, D)`` into ``(B, H, T, Dh)``, head h holding features h·Dh…(h+1)·Dh."""
    gen = torch.Generator().manual_seed(3)
    for b, t, d, h in ((2, 5, 12, 3), (1, 4, 8, 2), (2, 3, 12, 3), (1, 6, 8, 8)):
        x = torch.randn(b, t, d, generator=gen)
        result = fn(x, h)
        if result is None:
            return NOT_ANSWERED
        result = torch.as_tensor(result)
        right = split_heads(x, h)  # (B, H, T, Dh)
        dh = d // h
        if tuple(result.shape) != tuple(right.shape):
            if tuple(result.shape) == (b, t, h, dh):
                return Verdict(False, f"Your result has shape (B, T, H, Dh) = {(b, t, h, dh)}: the heads are "
                                      f"split but not yet moved in front of the positions. Add .transpose(1, 2).")
            return Verdict(False, f"For x of shape {(b, t, d)} and {h} heads the result should have shape "
                                  f"(B, H, T, Dh) = {tuple(right.shape)}, yours has {tuple(result.shape)}.")
        if _same(result, right):
            continue
        if _same(result, x.reshape(b, t, h, dh)):
            return Verdict(False, "Your result is still laid out as (B, T, H, Dh), which has the same shape only "
                                  "because T = H here: add .transpose(1, 2) to put the heads in front.")
        if _same(result, x.reshape(b, h, t, dh)):
            return Verdict(False, "Right shape, wrong contents: view(B, H, T, Dh) straight away cuts the memory "
                                  "of x in the wrong order, so a 'row' of a head mixes the features of several "
                                  "positions. View as (B, T, H, Dh) first, then swap the H and T axes with "
                                  ".transpose(1, 2).")
        if _same(result, x.reshape(b, t, dh, h).permute(0, 3, 1, 2)):
            return Verdict(False, "Each head should get a contiguous slice of the features (head 0: features "
                                  "0…Dh-1), not every H-th feature. View as (B, T, H, Dh), not (B, T, Dh, H).")
        return Verdict(False, "Your heads hold different numbers from x. Head h of position t should be "
                              "x[:, t, h*Dh:(h+1)*Dh].")
    return Verdict(True, "Correct: each head receives its own slice of every word's features.")


def parameter_count(d_model: int, n_heads: int) -> int:
    """What :class:`~attnlib.model.multihead.MultiHeadAttention` holds: W^Q, W^K, W^V, W^O and their biases."""
    return sum(p.numel() for p in MultiHeadAttention(d_model, n_heads).parameters())


@guarded
def check_parameter_count(answer, d_model: int = 512, n_heads: int = 8) -> Verdict:
    """The number of parameters of ``MultiHeadAttention(d_model, n_heads)`` (with biases)."""
    try:
        answer = int(answer)
    except (TypeError, ValueError):
        return Verdict(False, f"Answer with a whole number, not {answer!r}.")
    d, h = d_model, n_heads
    right = parameter_count(d, h)
    if answer == right:
        return Verdict(True, f"Correct: 4·(d² + d) = {right:,}, whatever the number of heads.")
    if answer == 4 * d * d:
        return Verdict(False, "Close: that counts the four weight matrices but not their biases (d numbers each).")
    if answer == 3 * (d * d + d) or answer == 3 * d * d:
        return Verdict(False, "You counted W^Q, W^K and W^V; the output projection W^O is a fourth d×d matrix.")
    if answer in (h * right, h * 4 * d * d, h * 3 * (d * d + d)):
        return Verdict(False, f"Too many by a factor of {h}: head i's W_i^Q is d×(d/h), so all {h} heads together "
                              f"need one d×d matrix, not {h} of them.")
    return Verdict(False, "Not quite: count W^Q, W^K, W^V and W^O (each d×d) and their biases (d each).")
