"""Language models: one stack of the encoder's own layers, two ways to mask it.

    CausalLM (the book's GPT):  ids -> Embedding·√D + positions -> N encoder layers, causal mask -> Linear -> logits
    MaskedLM (the book's BERT): ids -> Embedding·√D + positions -> N encoder layers, padding mask -> Linear -> logits

A GPT block *is* an encoder layer run with a causal mask: self-attention and a feed-forward network,
no cross-attention, since there is no second sequence to attend to. So both models reuse
:class:`~attnlib.model.layers.EncoderLayer` and the masks of :mod:`attnlib.model.masks`; only the mask
differs. The causal one predicts the next token at every position; the other sees the whole sentence
and predicts the token hidden at a masked position (which positions are masked is the data's business).

Module names follow the translator's: ``CausalLM.decoder.layers.0.self_attn`` (a decoder-only model),
``MaskedLM.encoder.layers.0.self_attn`` (an encoder-only one), so that
:func:`~attnlib.model.capture.capture_attention` and
:func:`~attnlib.model.capture.attention_layer` name their layers as they name the translator's.

Shape letters: B batch, T length (t: the new positions of one decoding step), D model width, V vocabulary.
"""

from __future__ import annotations

import torch
from torch import nn

from .config import LMConfig
from .layers import EncoderLayer
from .masks import causal_mask, padding_mask
from .multihead import KVCache
from .embeddings import Embeddings, check_ids, init_weights


class Stack(nn.Module):
    """Embeddings, then N encoder layers, then the last LayerNorm that pre-LN needs: ids -> states."""

    def __init__(self, cfg: LMConfig):
        super().__init__()
        self.embed = Embeddings(cfg.vocab_size, cfg)
        self.layers = nn.ModuleList(EncoderLayer(cfg) for _ in range(cfg.n_layers))
        # pre-LN never normalises the residual stream itself: the head would read unnormalised sums
        self.norm = nn.LayerNorm(cfg.d_model) if cfg.norm_first else nn.Identity()

    def forward(self, ids: torch.Tensor, mask: torch.Tensor | None, caches: list[KVCache] | None = None,
                offset: int = 0) -> torch.Tensor:  # (B, T) -> (B, T, D)
        x = self.embed(ids, offset=offset)  # (B, T, D); offset: the positions already in the caches
        for i, layer in enumerate(self.layers):
            x = layer(x, mask, None if caches is None else caches[i])  # (B, T, D)
        return self.norm(x)


class LanguageModel(nn.Module):
    """What both language models share: the config, one :class:`Stack` and an output head ``D -> V``.

    A subclass names its stack (``STACK``) and chooses the mask (``mask``).
    """

    STACK = ""  # the attribute holding the Stack: "decoder" or "encoder" in the subclasses

    def __init__(self, cfg: LMConfig):
        super().__init__()
        if not self.STACK:
            raise TypeError("LanguageModel is what the two families share: build a CausalLM or a MaskedLM")
        if not isinstance(cfg, LMConfig):
            raise ValueError(f"a language model is built from an LMConfig (LMConfig.preset('tiny'), ...), "
                             f"got {type(cfg).__name__}")
        self.cfg = cfg
        setattr(self, self.STACK, Stack(cfg))
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size)  # one score per vocabulary entry
        init_weights(self)
        if cfg.tie_embeddings:
            # The head's weight is a (V, D) matrix, the embedding's too: one D-vector per token either way.
            # Sharing them saves V·D parameters (on the corpus's ~600 English words, 8% of the cpu preset
            # and over a third of the tiny one), and it is allowed because both map between the same
            # vocabulary and the same width: nothing but the values changes. It also makes
            # sense, since a token's score is then the dot product of the state with that token's own
            # embedding (Press & Wolf 2017; GPT-2 and BERT do the same). Only the bias stays the head's own.
            self.head.weight = self.stack.embed.tokens.weight

    @property
    def stack(self) -> Stack:
        return getattr(self, self.STACK)

    def mask(self, ids: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError  # the one thing the two families do differently

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """``ids (B, T)`` -> ``logits (B, T, V)``: one score per vocabulary entry at every position."""
        check_ids(ids, self.cfg.vocab_size, "ids")
        return self.head(self.stack(ids, self.mask(ids)))  # (B, T, V)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())  # a tied matrix is counted once


class CausalLM(LanguageModel):
    """Decoder-only language model (the book's GPT): ``forward(ids (B, T)) -> logits (B, T, V)``.

    The logits at position i score the token at position i + 1, having seen positions 0..i only.
    :meth:`step` decodes one new token at a time with a key/value cache per layer.
    """

    STACK = "decoder"

    def mask(self, ids: torch.Tensor) -> torch.Tensor:  # (B, 1, T, T)
        """Each position sees itself and the positions before it, and no padding."""
        return padding_mask(ids, self.cfg.pad_id) & causal_mask(ids.shape[1], device=ids.device)

    # -- incremental decoding ------------------------------------------------------------
    def new_caches(self) -> list[KVCache]:
        """Empty self-attention key/value caches, one per layer."""
        return [KVCache() for _ in self.stack.layers]

    def step(self, ids_new: torch.Tensor, caches: list[KVCache]) -> torch.Tensor:
        """Run only the newest token(s) ``ids_new (B, t)``, reusing the cached keys and values of the
        positions before them: ``logits (B, t, V)``, the same as :meth:`forward` gives for those positions.

        Generating token n thus costs one position of work instead of n. The cache holds no padding
        mask, so the ids must hold no padding (one sequence, or prompts of equal length).
        """
        check_ids(ids_new, self.cfg.vocab_size, "ids")
        if len(caches) != len(self.stack.layers):
            raise ValueError(f"give one cache per layer ({len(self.stack.layers)}, from new_caches()), "
                             f"got {len(caches)}")
        if bool((ids_new == self.cfg.pad_id).any()):
            raise ValueError(f"step() reads sequences without padding (pad_id={self.cfg.pad_id}): the cache "
                             f"keeps no padding mask; run padded batches through forward() instead")
        past = caches[0].length
        # the t new queries are the last t of past + t positions: they see every cached key
        mask = causal_mask(ids_new.shape[1], past + ids_new.shape[1], device=ids_new.device)  # (1, 1, t, past + t)
        return self.head(self.stack(ids_new, mask, caches=caches, offset=past))  # (B, t, V)


class MaskedLM(LanguageModel):
    """Encoder-only masked language model (the book's BERT): ``forward(ids (B, T)) -> logits (B, T, V)``.

    Every position sees every other (padding aside), so the logits at a masked position score the
    hidden token from the words on both sides of it.
    """

    STACK = "encoder"

    def mask(self, ids: torch.Tensor) -> torch.Tensor:  # (B, 1, 1, T)
        """Every position sees every real token, before and after it; padding is hidden."""
        return padding_mask(ids, self.cfg.pad_id)
