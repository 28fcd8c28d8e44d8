"""What every model of the library does first: check the token ids it is given, and embed them.

Shared by the Transformer, the language models and the recurrent encoder-decoder, so that each reads
its input the same way and refuses bad ids with the same message.

Shape letters: B batch, L length, D model width.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .positional import make_positional


class Embeddings(nn.Module):
    """Token embedding scaled by √D (so it is not drowned by the positional signal), plus positions.

    ``positional`` overrides the config's kind: the recurrent model passes ``"none"``, since a recurrence
    reads its tokens in order and needs no position added (the table still bounds the length it reads)."""

    def __init__(self, vocab_size: int, cfg, positional: str | None = None):
        super().__init__()
        self.tokens = nn.Embedding(vocab_size, cfg.d_model, padding_idx=cfg.pad_id)
        self.positions = make_positional(cfg.positional if positional is None else positional, cfg.d_model,
                                         cfg.max_len)
        self.dropout = nn.Dropout(cfg.dropout)
        self.scale = math.sqrt(cfg.d_model)

    def forward(self, ids: torch.Tensor, offset: int = 0) -> torch.Tensor:  # (B, L) -> (B, L, D)
        return self.dropout(self.positions(self.tokens(ids) * self.scale, offset=offset))


def init_weights(model: nn.Module) -> None:
    """Xavier-uniform for every matrix (embeddings and projections), learned positions left at their small normal."""
    for name, p in model.named_parameters():
        if p.dim() > 1 and "positions" not in name:
            nn.init.xavier_uniform_(p)


def check_ids(ids: torch.Tensor, vocab_size: int, name: str) -> None:
    if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.dtype not in (torch.long, torch.int32):
        shape = tuple(ids.shape) if isinstance(ids, torch.Tensor) else type(ids).__name__
        raise ValueError(f"{name} must be an integer tensor of token ids with shape (batch, length), got {shape}")
    if ids.shape[1] == 0:
        raise ValueError(f"{name} is empty: give at least one token")
    if ids.numel() and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(
            f"{name} holds ids outside the vocabulary [0, {vocab_size}): min {int(ids.min())}, max {int(ids.max())}"
        )
