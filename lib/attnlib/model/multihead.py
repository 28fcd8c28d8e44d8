"""Multi-head attention: h attentions side by side on slices of the model width.

    head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)
    MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W^O

The h projections are done as one ``(D, D)`` matmul each for Q, K and V, and
the result is *split* into heads by a reshape and a transpose. A layer may carry a positional
encoding that acts inside attention: rotary (it rotates queries and keys) or ALiBi (it adds a
distance penalty to each head's scores); both count positions from the keys already cached.

Shape letters: B batch, T/Tq query length, Tk key length, D model width,
H heads, Dh = D / H head width.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .attention import scaled_dot_product_attention
from .positional import ALiBi, RotaryEmbedding


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    """``(B, T, D)`` -> ``(B, H, T, Dh)``: each head gets its own contiguous slice of the features."""
    if x.dim() != 3:
        raise ValueError(f"split_heads expects (batch, length, features), got shape {tuple(x.shape)}")
    b, t, d = x.shape
    if d % n_heads:
        raise ValueError(f"cannot split {d} features into {n_heads} heads: {d} is not divisible by {n_heads}")
    x = x.view(b, t, n_heads, d // n_heads)  # (B, T, H, Dh)
    return x.transpose(1, 2)  # (B, H, T, Dh)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """``(B, H, T, Dh)`` -> ``(B, T, D)``: the concatenation of the heads' outputs."""
    if x.dim() != 4:
        raise ValueError(f"merge_heads expects (batch, heads, length, head_features), got shape {tuple(x.shape)}")
    b, h, t, dh = x.shape
    x = x.transpose(1, 2)  # (B, T, H, Dh)
    return x.reshape(b, t, h * dh)  # (B, T, D)


class AttentionTap(nn.Module):
    """An identity on the attention weights: the hook point that pattern capture listens on.

    While ``active`` is set (by :func:`attnlib.model.capture.capture_attention`), the
    attention layer owning it computes its weights explicitly and passes them through here.
    """

    def __init__(self) -> None:
        super().__init__()
        self.users = 0  # captures recording this layer now: nested ones each count

    @property
    def active(self) -> bool:
        return self.users > 0

    def forward(self, weights: torch.Tensor) -> torch.Tensor:  # (B, H, Tq, Tk)
        return weights


@dataclass
class KVCache:
    """Keys and values already projected and split into heads, kept between decoding steps.

    ``static`` caches (cross-attention) are filled once from the encoder output;
    the others grow by one position per step.
    """

    k: torch.Tensor | None = None  # (B, H, Tk, Dh)
    v: torch.Tensor | None = None  # (B, H, Tk, Dh)
    static: bool = False

    @property
    def length(self) -> int:
        return 0 if self.k is None else self.k.shape[-2]

    def append(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Add this step's keys and values ``(B, H, Tk, Dh)``; returns every key and value so far.

        A static cache is filled once and then only read: appending to a full one is a bug.
        """
        if self.static and self.k is not None:
            raise RuntimeError("a static (cross-attention) cache is filled once; read it instead")
        if self.k is not None:
            k = torch.cat([self.k, k], dim=-2)  # (B, H, Tpast + Tk, Dh)
            v = torch.cat([self.v, v], dim=-2)
        self.k, self.v = k, v
        return k, v

    def reorder(self, rows: torch.Tensor) -> None:
        """Keep batch rows ``rows`` (B',), in that order: beam search follows its surviving beams."""
        if self.k is not None:
            self.k, self.v = self.k[rows], self.v[rows]  # (B', H, T, Dh)


class MultiHeadAttention(nn.Module):
    """h scaled dot-product attentions on slices of the model width, concatenated and mixed by W^O."""

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        *,
        dropout: float = 0.0,
        bias: bool = True,
        scale_scores: bool = True,
        rotary: RotaryEmbedding | None = None,
        alibi: ALiBi | None = None,
    ):
        super().__init__()
        if d_model < 1 or n_heads < 1:
            raise ValueError(f"d_model ({d_model}) and n_heads ({n_heads}) must be whole numbers of at least 1")
        if d_model % n_heads:
            raise ValueError(
                f"d_model={d_model} is not divisible by n_heads={n_heads}: every head needs the same "
                f"number of features (d_model / n_heads); choose n_heads among the divisors of d_model"
            )
        self.d_model, self.n_heads, self.d_head = d_model, n_heads, d_model // n_heads
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.k_proj = nn.Linear(d_model, d_model, bias=bias)
        self.v_proj = nn.Linear(d_model, d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)  # W^O
        self.dropout = dropout
        self.scale = None if scale_scores else 1.0  # None: 1/sqrt(Dh)
        self.rotary = rotary
        self.alibi = alibi  # self-attention only: its queries and keys are positions of one sequence
        self.tap = AttentionTap()

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor | None = None,
        value: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        *,
        need_weights: bool = False,
        cache: KVCache | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``query (B, Tq, D)``, ``key``/``value (B, Tk, D)`` (default: the query, i.e. self-attention).

        Returns ``out (B, Tq, D)`` and, if asked for or captured, ``weights (B, H, Tq, Tk)``.
        """
        key = query if key is None else key
        value = key if value is None else value
        for name, t in (("query", query), ("key", key), ("value", value)):
            if t.dim() != 3 or t.shape[-1] != self.d_model:
                raise ValueError(
                    f"{name} must have shape (batch, length, {self.d_model}), got {tuple(t.shape)}"
                )
        if key.shape[:2] != value.shape[:2]:
            raise ValueError(f"key {tuple(key.shape)} and value {tuple(value.shape)} must have the same batch and length")

        q = split_heads(self.q_proj(query), self.n_heads)  # (B, H, Tq, Dh)
        offset = cache.length if (cache is not None and not cache.static) else 0
        if cache is not None and cache.static and cache.k is not None:
            k, v = cache.k, cache.v  # encoder keys/values, projected once
        else:
            k = split_heads(self.k_proj(key), self.n_heads)  # (B, H, Tk, Dh)
            v = split_heads(self.v_proj(value), self.n_heads)  # (B, H, Tk, Dh)
            if self.rotary is not None:
                k = self.rotary(k, offset=offset)
            if cache is not None:
                k, v = cache.append(k, v)  # (B, H, Tpast + Tk, Dh): the past steps' keys too
        if self.rotary is not None:
            q = self.rotary(q, offset=offset)
        # the queries are positions offset … offset + Tq - 1, the keys 0 … Tk - 1 (the cached ones first)
        bias = None if self.alibi is None else self.alibi(q.shape[-2], k.shape[-2], offset)  # (1, H, Tq, Tk)

        need_weights = need_weights or self.tap.active
        out, weights = scaled_dot_product_attention(
            q, k, v, mask,
            need_weights=need_weights,
            scale=self.scale,
            dropout_p=self.dropout if self.training else 0.0,
            bias=bias,
        )  # (B, H, Tq, Dh), (B, H, Tq, Tk) | None
        if weights is not None:
            weights = self.tap(weights)
        return self.out_proj(merge_heads(out)), weights  # (B, Tq, D)
