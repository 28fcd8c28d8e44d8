"""Attention masks.

Convention used everywhere in the library (the same as
``torch.nn.functional.scaled_dot_product_attention``): a mask is a **boolean**
tensor that is ``True`` where a query *may* attend to a key. It must broadcast
to the score shape ``(B, H, Tq, Tk)``.

Shape letters: B batch, H heads, Tq queries, Tk keys, S source length, T target length.
"""

from __future__ import annotations

import torch


def padding_mask(tokens: torch.Tensor, pad_id: int = 0) -> torch.Tensor:
    """Keys that are real tokens. ``tokens (B, Tk)`` -> mask ``(B, 1, 1, Tk)``."""
    if tokens.dim() != 2:
        raise ValueError(f"padding_mask expects token ids of shape (batch, length), got {tuple(tokens.shape)}")
    return (tokens != pad_id)[:, None, None, :]  # (B, 1, 1, Tk)


def lengths_mask(lengths: torch.Tensor | list[int], max_len: int | None = None) -> torch.Tensor:
    """Padding mask from sequence lengths: ``(B,)`` -> ``(B, 1, 1, Tk)``."""
    lengths = torch.as_tensor(lengths)
    if lengths.dim() != 1 or lengths.numel() == 0:
        raise ValueError(f"lengths must be one length per sequence, shape (B,) with B >= 1; got shape {tuple(lengths.shape)}")
    if bool((lengths < 0).any()):
        raise ValueError(f"lengths cannot be negative, got {lengths.tolist()}")
    max_len = int(lengths.max()) if max_len is None else max_len
    positions = torch.arange(max_len, device=lengths.device)
    return (positions[None, :] < lengths[:, None])[:, None, None, :]  # (B, 1, 1, Tk)


def causal_mask(n_queries: int, n_keys: int | None = None, device=None) -> torch.Tensor:
    """Each query sees itself and the past, never the future: ``(1, 1, Tq, Tk)``.

    With ``n_keys > n_queries`` the queries are the *last* ``n_queries`` positions,
    which is what incremental decoding with a key/value cache needs.
    """
    n_keys = n_queries if n_keys is None else n_keys
    if n_keys < n_queries:
        raise ValueError(f"causal_mask: {n_queries} queries cannot be later than {n_keys} keys")
    offset = n_keys - n_queries
    q = torch.arange(n_queries, device=device)[:, None] + offset
    k = torch.arange(n_keys, device=device)[None, :]
    return (k <= q)[None, None]  # (1, 1, Tq, Tk)


def combine(*masks: torch.Tensor | None) -> torch.Tensor | None:
    """A key is visible only if every mask allows it (logical AND, broadcast)."""
    out = None
    for m in masks:
        if m is None:
            continue
        out = m if out is None else out & m
    return out
