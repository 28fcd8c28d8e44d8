"""Positional encodings: telling a permutation-blind attention layer where each token is.

* sinusoidal (the original paper's default): fixed sines and cosines of geometric frequencies;
* learned: one trainable vector per position;
* rotary (RoPE): rotate pairs of query/key features by a position-dependent angle,
  so q·k depends only on the *relative* offset.

Shape letters: B batch, T length, D model width, H heads, Dh head width, P positions.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def check_length(length: int, offset: int, max_len: int) -> None:
    if offset + length > max_len:
        raise ValueError(
            f"a sequence of {length} tokens starting at position {offset} does not fit the positional table "
            f"of {max_len} positions: shorten the input (at most {max_len} tokens) or build the model with a larger max_len"
        )


def frequencies(d_model: int, base: float = 10000.0) -> torch.Tensor:
    """Angular frequency of each sine/cosine pair: ``ω_i = base^(-2i/D)`` for i < D/2 -> ``(D/2,)``."""
    if d_model % 2:
        raise ValueError(f"sinusoidal encodings pair a sine with a cosine: d_model={d_model} must be even")
    return base ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)


def sinusoidal_table(max_len: int, d_model: int, base: float = 10000.0) -> torch.Tensor:
    """``PE[p, 2i] = sin(p ω_i)``, ``PE[p, 2i+1] = cos(p ω_i)`` -> ``(P, D)`` float32."""
    angles = torch.arange(max_len, dtype=torch.float64)[:, None] * frequencies(d_model, base)[None, :]  # (P, D/2)
    # math.sin, not Tensor.sin: torch's vectorised sine may differ in the last bit with the memory
    # alignment, and the table must be the same in every process (the exported model is compared byte for byte)
    rows = [[f(a) for a in row for f in (math.sin, math.cos)] for row in angles.tolist()]  # interleave sin, cos
    return torch.tensor(rows, dtype=torch.float64).float()  # (P, D)


def relative_shift(k: int, d_model: int, base: float = 10000.0) -> torch.Tensor:
    """The fixed matrix ``M_k`` with ``PE(p + k) = M_k @ PE(p)`` for every position p: ``(D, D)``.

    Each (sin, cos) pair at frequency ω is rotated by the angle kω, by the
    angle-addition formulas; ``M_k`` depends on the offset k, never on p.
    """
    m = torch.zeros(d_model, d_model, dtype=torch.float64)
    for i, w in enumerate(frequencies(d_model, base).tolist()):
        c, s = math.cos(k * w), math.sin(k * w)
        # sin(a+b) = sin a cos b + cos a sin b ; cos(a+b) = cos a cos b - sin a sin b
        m[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = torch.tensor([[c, s], [-s, c]], dtype=torch.float64)
    return m


class SinusoidalEncoding(nn.Module):
    """Adds the fixed sinusoidal table to the embeddings."""

    def __init__(self, d_model: int, max_len: int):
        super().__init__()
        self.max_len = max_len
        self.register_buffer("table", sinusoidal_table(max_len, d_model), persistent=False)

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:  # (B, T, D) -> (B, T, D)
        check_length(x.shape[1], offset, self.max_len)
        return x + self.table[offset : offset + x.shape[1]].to(x.dtype)


class LearnedEncoding(nn.Module):
    """Adds one trainable vector per position to the embeddings."""

    def __init__(self, d_model: int, max_len: int):
        super().__init__()
        self.max_len = max_len
        self.embedding = nn.Embedding(max_len, d_model)
        nn.init.normal_(self.embedding.weight, std=0.02)

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:  # (B, T, D) -> (B, T, D)
        check_length(x.shape[1], offset, self.max_len)
        positions = torch.arange(offset, offset + x.shape[1], device=x.device)
        return x + self.embedding(positions).to(x.dtype)


class NoEncoding(nn.Module):
    """Adds nothing (used with rotary, which acts inside attention, and for the ablation)."""

    def __init__(self, max_len: int):
        super().__init__()
        self.max_len = max_len

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:
        check_length(x.shape[1], offset, self.max_len)
        return x


class RotaryEmbedding(nn.Module):
    """Rotates each (even, odd) feature pair of queries and keys by ``p ω_i``.

    Then ``rot(q, p) · rot(k, p')`` depends on ``p - p'`` only: position enters
    attention as a relative offset, and no vector is added to the embeddings.
    """

    def __init__(self, d_head: int, max_len: int, base: float = 10000.0):
        super().__init__()
        self.max_len = max_len
        angles = torch.arange(max_len, dtype=torch.float64)[:, None] * frequencies(d_head, base)[None, :]  # (P, Dh/2)
        self.register_buffer("cos", angles.cos().float(), persistent=False)
        self.register_buffer("sin", angles.sin().float(), persistent=False)

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:  # (B, H, T, Dh) -> (B, H, T, Dh)
        length = x.shape[-2]
        check_length(length, offset, self.max_len)
        cos = self.cos[offset : offset + length].to(x.dtype)  # (T, Dh/2)
        sin = self.sin[offset : offset + length].to(x.dtype)
        pairs = x.unflatten(-1, (-1, 2))  # (B, H, T, Dh/2, 2)
        even, odd = pairs[..., 0], pairs[..., 1]
        rotated = torch.stack([even * cos - odd * sin, even * sin + odd * cos], dim=-1)  # (B, H, T, Dh/2, 2)
        return rotated.flatten(-2)  # (B, H, T, Dh)


def make_positional(kind: str, d_model: int, max_len: int) -> nn.Module:
    """The module added to token embeddings for a config's ``positional`` kind."""
    if kind == "sinusoidal":
        return SinusoidalEncoding(d_model, max_len)
    if kind == "learned":
        return LearnedEncoding(d_model, max_len)
    if kind in ("rotary", "none"):
        return NoEncoding(max_len)
    raise ValueError(f"unknown positional encoding {kind!r}")
