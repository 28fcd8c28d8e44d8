"""Positional encodings: telling a permutation-blind attention layer where each token is.

* sinusoidal (the original paper's default): fixed sines and cosines of geometric frequencies;
* learned: one trainable vector per position;
* rotary (RoPE): rotate pairs of query/key features by a position-dependent angle,
  so q·k depends only on the *relative* offset;
* ALiBi (attention with linear biases, Press et al. 2022): nothing is added to the embeddings and
  nothing is rotated; each head subtracts a fixed penalty ``m_h · |i - j|`` from the score of query i
  for key j, so attention fades with distance, at a rate of its own in each head.

Where ALiBi's bias goes, attention by attention (:class:`ALiBi`):

* encoder self-attention: ``-m_h |i - j|``, the same for words before and after (every word sees both);
* decoder self-attention: ``-m_h (i - j)``, the distance back into the past. It is the same formula,
  since the causal mask hides every key with ``j > i`` and on the rest ``|i - j| = i - j``;
* cross-attention: no bias. A French word at position i and an English word at position j are in two
  sentences of different lengths and orders, so ``i - j`` measures nothing; the ALiBi paper had only
  a decoder and no cross-attention. The decoder still knows where it is from its self-attention.

The kinds ``"alibi"`` and ``"none"`` add nothing to the embeddings (:class:`NoEncoding`); the model's
``max_len`` still bounds the input, as for the other kinds.

Shape letters: B batch, T length, D model width, H heads, Dh head width, P positions, Tq queries, Tk keys.
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
    """Adds nothing (used with rotary and ALiBi, which act inside attention, and for no positions at all)."""

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


def alibi_slopes(n_heads: int) -> torch.Tensor:
    """Each head's penalty per position of distance, a geometric sequence ``m_h = 2^(-8h/H)``, h = 1..H -> ``(H,)``.

    With 8 heads: 1/2, 1/4, …, 1/256. The first head looks mostly at its neighbours, the last one far away.
    """
    if n_heads < 1:
        raise ValueError(f"ALiBi needs at least one head, got n_heads={n_heads}")
    h = torch.arange(1, n_heads + 1, dtype=torch.float64)
    return (2.0 ** (-8.0 * h / n_heads)).float()  # (H,)


class ALiBi(nn.Module):
    """The linear distance penalty of every head: ``bias[h, i, j] = -m_h · |i - j|``, added to the scores.

    Called with the number of queries and keys; ``offset`` is the position of the first query (the keys
    already in a key/value cache), the keys being positions ``0 … Tk-1``. Nothing is learned.
    """

    def __init__(self, n_heads: int):
        super().__init__()
        self.register_buffer("slopes", alibi_slopes(n_heads), persistent=False)

    def forward(self, n_queries: int, n_keys: int, offset: int = 0) -> torch.Tensor:  # -> (1, H, Tq, Tk)
        queries = torch.arange(offset, offset + n_queries, device=self.slopes.device)  # (Tq,) positions i
        keys = torch.arange(n_keys, device=self.slopes.device)  # (Tk,) positions j
        distance = (queries[:, None] - keys[None, :]).abs()  # (Tq, Tk)
        return (self.slopes[:, None, None] * -distance)[None]  # (1, H, Tq, Tk); 0, not -0, on the diagonal


def make_positional(kind: str, d_model: int, max_len: int) -> nn.Module:
    """The module added to token embeddings for a config's ``positional`` kind."""
    if kind == "sinusoidal":
        return SinusoidalEncoding(d_model, max_len)
    if kind == "learned":
        return LearnedEncoding(d_model, max_len)
    if kind in ("rotary", "alibi", "none"):  # these act inside attention, or not at all
        return NoEncoding(max_len)
    raise ValueError(f"unknown positional encoding {kind!r}")
