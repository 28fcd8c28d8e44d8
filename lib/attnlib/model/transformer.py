"""The encoder-decoder Transformer of "Attention Is All You Need", small and readable.

    src ids -> Embedding·√D + positions -> N encoder layers -> memory
    tgt ids -> Embedding·√D + positions -> N decoder layers (attending to memory) -> Linear -> logits

"+ positions" is the config's positional kind (the decoder's may differ: ``decoder_positional``); rotary and
ALiBi add nothing there and act inside each self-attention instead (:mod:`attnlib.model.positional`).

Shape letters: B batch, S source length, T target length, D model width, V vocabulary.
"""

from __future__ import annotations

import torch
from torch import nn

from .config import ModelConfig
from .embeddings import Embeddings, check_ids, init_weights  # noqa: F401 (importable from here too)
from .layers import DecoderLayer, EncoderLayer
from .masks import causal_mask, padding_mask
from .multihead import KVCache


class Encoder(nn.Module):
    """Embeddings, then N encoder layers of self-attention and feed-forward: source ids -> memory."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.embed = Embeddings(cfg.src_vocab_size, cfg)
        self.layers = nn.ModuleList(EncoderLayer(cfg) for _ in range(cfg.n_encoder_layers))
        self.norm = nn.LayerNorm(cfg.d_model) if cfg.norm_first else nn.Identity()  # pre-LN needs a last norm

    def forward(self, src: torch.Tensor, src_mask: torch.Tensor) -> torch.Tensor:  # (B, S) -> (B, S, D)
        x = self.embed(src)
        for layer in self.layers:
            x = layer(x, src_mask)
        return self.norm(x)


class Decoder(nn.Module):
    """Embeddings, then N decoder layers (masked self-attention, cross-attention, feed-forward)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.embed = Embeddings(cfg.tgt_vocab_size, cfg, cfg.decoder_positional_kind)
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.n_decoder_layers))
        self.norm = nn.LayerNorm(cfg.d_model) if cfg.norm_first else nn.Identity()

    def forward(self, tgt, memory, self_mask, cross_mask, caches=None, offset: int = 0):  # (B, T) -> (B, T, D)
        y = self.embed(tgt, offset=offset)
        for i, layer in enumerate(self.layers):
            y = layer(y, memory, self_mask, cross_mask, None if caches is None else caches[i])
        return self.norm(y)


class Transformer(nn.Module):
    """Encoder-decoder with a generator head. ``forward(src (B, S), tgt_in (B, T)) -> logits (B, T, V)``."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)
        self.generator = nn.Linear(cfg.d_model, cfg.tgt_vocab_size)
        init_weights(self)
        if cfg.tie_embeddings:
            self.generator.weight = self.decoder.embed.tokens.weight

    def source_mask(self, src: torch.Tensor) -> torch.Tensor:  # (B, 1, 1, S)
        return padding_mask(src, self.cfg.pad_id)

    def target_mask(self, tgt: torch.Tensor) -> torch.Tensor:  # (B, 1, T, T)
        return padding_mask(tgt, self.cfg.pad_id) & causal_mask(tgt.shape[1], device=tgt.device)

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``src (B, S)`` -> ``memory (B, S, D)``, ``src_mask (B, 1, 1, S)``."""
        check_ids(src, self.cfg.src_vocab_size, "source")
        src_mask = self.source_mask(src)
        return self.encoder(src, src_mask), src_mask

    def decode(self, tgt_in: torch.Tensor, memory: torch.Tensor, src_mask: torch.Tensor) -> torch.Tensor:
        """Teacher-forced decoding of a whole prefix: ``tgt_in (B, T)`` -> ``logits (B, T, V)``."""
        check_ids(tgt_in, self.cfg.tgt_vocab_size, "target")
        y = self.decoder(tgt_in, memory, self.target_mask(tgt_in), src_mask)
        return self.generator(y)

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        memory, src_mask = self.encode(src)
        return self.decode(tgt_in, memory, src_mask)

    # -- incremental decoding ------------------------------------------------------------
    def new_caches(self) -> list[tuple[KVCache, KVCache]]:
        """Empty (self-attention, cross-attention) key/value caches, one pair per decoder layer."""
        return [(KVCache(), KVCache(static=True)) for _ in self.decoder.layers]

    def decode_step(self, tgt_new, memory, src_mask, caches) -> torch.Tensor:
        """Decode only the newest token(s) ``tgt_new (B, t)``, reusing cached keys/values -> ``logits (B, t, V)``.

        Gives the same logits as :meth:`decode` on the whole prefix, at a fraction of the cost.
        """
        check_ids(tgt_new, self.cfg.tgt_vocab_size, "target")
        past = caches[0][0].length
        self_mask = causal_mask(tgt_new.shape[1], past + tgt_new.shape[1], device=tgt_new.device)
        y = self.decoder(tgt_new, memory, self_mask, src_mask, caches=caches, offset=past)
        return self.generator(y)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
