"""Checkers for the masks chapter: build a causal mask, build a padding mask from lengths.

Convention (the library's and ``torch.nn.functional.scaled_dot_product_attention``'s):
a mask is boolean and ``True`` where a query *may* attend to a key.
"""

from __future__ import annotations

import torch

from . import NOT_ANSWERED, Verdict, guarded


def _as_matrix(result, rows: int, cols: int, what: str) -> tuple[torch.Tensor | None, Verdict | None]:
    """The reader's mask as a ``(rows, cols)`` tensor, or a verdict saying why it is not one."""
    if result is None:
        return None, NOT_ANSWERED
    m = torch.as_tensor(result)
    extra = [n for n in m.shape[:-2] if n != 1] + ([m.shape[-2]] if m.dim() > 2 and m.shape[-2] != 1 else [])
    if m.dim() > 2 and len(extra) <= 1 and m.shape[-1] == cols and m.numel() == rows * cols:
        m = m.reshape(rows, cols)  # accept the library's broadcastable shapes: (1, 1, T, T), (B, 1, 1, T)
    if tuple(m.shape) != (rows, cols):
        return None, Verdict(False, f"{what} should have shape ({rows}, {cols}) (one row per query, one column "
                                    f"per key), yours has {tuple(torch.as_tensor(result).shape)}.")
    if m.dtype != torch.bool:
        return None, Verdict(False, f"Return a boolean mask (True = may attend), not {m.dtype}: a float mask of "
                                    f"0 and −∞ is the *additive* form M that the attention function builds from it. "
                                    f"Compare with a condition, e.g. `a <= b`, to get booleans.")
    return m, None


@guarded
def check_causal_mask(fn) -> Verdict:
    """``fn(T)`` must return the ``(T, T)`` boolean mask where query i may see keys 0..i."""
    for t in (4, 1, 7):
        mask, verdict = _as_matrix(fn(t), t, t, f"The causal mask for T={t}")
        if verdict is not None:
            return verdict
        right = torch.ones(t, t, dtype=torch.bool).tril()
        if torch.equal(mask, right):
            continue
        if torch.equal(mask, right.T):
            return Verdict(False, "Your mask is transposed (upper triangle): it lets each word see the *future* "
                                  "and hides the past. Rows are queries, columns keys; query i may see keys j ≤ i.")
        if torch.equal(mask, ~right):
            return Verdict(False, "Your mask is inverted: here True means *may attend* (as in "
                                  "torch.nn.functional.scaled_dot_product_attention), the opposite of "
                                  "nn.MultiheadAttention's attn_mask.")
        if torch.equal(mask, right.tril(-1)):
            return Verdict(False, "Almost: your mask hides the diagonal, so a word may not see itself and the first "
                                  "word sees nothing at all. Query i may see keys j ≤ i, itself included.")
        return Verdict(False, f"For T={t} your mask differs from 'query i sees keys 0..i'. Print it and compare "
                              f"row by row.")
    return Verdict(True, "Correct: each word sees itself and the words before it, never the future.")


@guarded
def check_padding_mask(fn) -> Verdict:
    """``fn(lengths, T)`` must return the ``(B, T)`` boolean mask that is True at real (non-pad) positions."""
    for lengths, t in (([3, 5, 1], 5), ([2, 4], 6), ([1], 1)):
        result = fn(torch.tensor(lengths), t)
        mask, verdict = _as_matrix(result, len(lengths), t, f"The padding mask for lengths={lengths}, T={t}")
        if verdict is not None:
            return verdict
        positions = torch.arange(t)[None, :]  # (1, T)
        length = torch.tensor(lengths)[:, None]  # (B, 1)
        right = positions < length  # (B, T)
        if torch.equal(mask, right):
            continue
        if torch.equal(mask, ~right):
            return Verdict(False, "Your mask is True at the <pad> positions: here True means *may attend*, so it "
                                  "must be True at the real words (the opposite of nn.MultiheadAttention's "
                                  "key_padding_mask).")
        if torch.equal(mask, positions <= length):
            return Verdict(False, "Off by one: a sentence of length n has real words at positions 0..n-1, so "
                                  "position n is already padding. Use `<`, not `<=`.")
        return Verdict(False, f"For lengths={lengths} your mask differs from 'position < length'. Print it and "
                              f"compare with the lengths.")
    return Verdict(True, "Correct: real words are visible, padding is hidden.")
