"""The pieces of a Transformer layer: feed-forward, residual + LayerNorm, encoder and decoder layers.

Shape letters: B batch, S source length, T target length, D model width.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from .config import BlockConfig, ModelConfig
from .multihead import KVCache, MultiHeadAttention
from .positional import ALiBi, RotaryEmbedding


class FeedForward(nn.Module):
    """The same two-layer MLP applied to every position on its own: ``D -> d_ff -> D``."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Dropout(dropout), nn.Linear(d_ff, d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, T, D) -> (B, T, D)
        return self.net(x)


class Residual(nn.Module):
    """A sub-layer wrapped in a residual connection and a LayerNorm.

    * pre-LN  (``norm_first=True``):  ``x + f(LN(x))`` — the residual stream is never normalised,
      so gradients reach early layers undamped; trains without a careful warm-up.
    * post-LN (``norm_first=False``, the 2017 paper): ``LN(x + f(x))``.
    """

    def __init__(self, d_model: int, dropout: float, norm_first: bool):
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)
        self.norm_first = norm_first

    def forward(self, x: torch.Tensor, sublayer: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
        if self.norm_first:
            return x + self.dropout(sublayer(self.norm(x)))
        return self.norm(x + self.dropout(sublayer(x)))


def _attention(cfg: BlockConfig, positional: str | None = None) -> MultiHeadAttention:
    """An attention layer of ``cfg``'s sizes; ``positional`` is its stack's kind, for the kinds that act inside
    self-attention (rotary, alibi). Cross-attention passes None: source and target positions are not comparable."""
    return MultiHeadAttention(
        cfg.d_model, cfg.n_heads, dropout=cfg.dropout, scale_scores=cfg.scale_scores,
        rotary=RotaryEmbedding(cfg.d_head, cfg.max_len) if positional == "rotary" else None,
        alibi=ALiBi(cfg.n_heads) if positional == "alibi" else None,
    )


class EncoderLayer(nn.Module):
    """Self-attention over the whole sequence, then the feed-forward network.

    The mask decides what kind of block this is: a padding mask makes the translator's encoder layer (and
    BERT's), a causal mask makes GPT's block, which has no cross-attention because there is no source.
    """

    def __init__(self, cfg: BlockConfig):
        super().__init__()
        self.self_attn = _attention(cfg, cfg.positional)
        self.feed_forward = FeedForward(cfg.d_model, cfg.d_ff, cfg.dropout)
        self.attn_residual = Residual(cfg.d_model, cfg.dropout, cfg.norm_first)
        self.ff_residual = Residual(cfg.d_model, cfg.dropout, cfg.norm_first)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None,
                cache: KVCache | None = None) -> torch.Tensor:  # (B, S, D) -> (B, S, D)
        """``cache``: the keys and values of earlier positions, for a causal stack decoded one token at a time."""
        x = self.attn_residual(x, lambda h: self.self_attn(h, mask=mask, cache=cache)[0])
        return self.ff_residual(x, self.feed_forward)


class DecoderLayer(nn.Module):
    """Masked self-attention over the target prefix, cross-attention to the source, feed-forward."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.self_attn = _attention(cfg, cfg.decoder_positional_kind)
        self.cross_attn = _attention(cfg)  # queries from the target, keys/values from the encoder: no positions
        self.feed_forward = FeedForward(cfg.d_model, cfg.d_ff, cfg.dropout)
        self.self_residual = Residual(cfg.d_model, cfg.dropout, cfg.norm_first)
        self.cross_residual = Residual(cfg.d_model, cfg.dropout, cfg.norm_first)
        self.ff_residual = Residual(cfg.d_model, cfg.dropout, cfg.norm_first)

    def forward(
        self,
        y: torch.Tensor,  # (B, T, D)
        memory: torch.Tensor,  # (B, S, D) encoder output
        self_mask: torch.Tensor | None = None,  # (1|B, 1, T, T) causal (& padding)
        cross_mask: torch.Tensor | None = None,  # (B, 1, 1, S) source padding
        cache: tuple[KVCache, KVCache] | None = None,  # (self, cross) caches for incremental decoding
    ) -> torch.Tensor:
        self_cache, cross_cache = cache if cache is not None else (None, None)
        y = self.self_residual(y, lambda h: self.self_attn(h, mask=self_mask, cache=self_cache)[0])
        y = self.cross_residual(y, lambda h: self.cross_attn(h, memory, mask=cross_mask, cache=cross_cache)[0])
        return self.ff_residual(y, self.feed_forward)
