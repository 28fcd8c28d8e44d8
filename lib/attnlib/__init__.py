"""attnlib: the small Transformer library behind the book *Attention, Interactively*.

The model's API is here (``from attnlib import Transformer``, or ``CausalLM``, ``MaskedLM``, or the recurrent
baseline ``RNNEncoderDecoder``), loaded on first
use: importing a part of the package (``python -m attnlib.translation``, ``attnlib.paths``) does not load
torch before it needs it, so a command can answer ``--help`` or a Ctrl-C at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_HOMES = {  # name -> the module of attnlib.model that defines it
    "scaled_dot_product_attention": "attention",
    "attention_layers": "capture", "capture_attention": "capture",
    "LMConfig": "config", "LM_PRESETS": "config", "PRESETS": "config", "ModelConfig": "config",
    "RNNConfig": "config", "RNN_PRESETS": "config", "RNNEncoderDecoder": "recurrent",
    "CausalLM": "language_model", "MaskedLM": "language_model",
    "pick_device": "device", "seed_everything": "device",
    "causal_mask": "masks", "combine": "masks", "lengths_mask": "masks", "padding_mask": "masks",
    "KVCache": "multihead", "MultiHeadAttention": "multihead", "merge_heads": "multihead", "split_heads": "multihead",
    "RotaryEmbedding": "positional", "relative_shift": "positional", "sinusoidal_table": "positional",
    "Transformer": "transformer",
}
__all__ = sorted(_HOMES, key=str.lower)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'attnlib' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".model.{_HOMES[name]}", __name__), name)
    globals()[name] = value  # found once, then an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


if TYPE_CHECKING:  # what type checkers and editors see
    from .model.attention import scaled_dot_product_attention
    from .model.capture import attention_layers, capture_attention
    from .model.config import LM_PRESETS, PRESETS, RNN_PRESETS, LMConfig, ModelConfig, RNNConfig
    from .model.language_model import CausalLM, MaskedLM
    from .model.device import pick_device, seed_everything
    from .model.masks import causal_mask, combine, lengths_mask, padding_mask
    from .model.multihead import KVCache, MultiHeadAttention, merge_heads, split_heads
    from .model.positional import RotaryEmbedding, relative_shift, sinusoidal_table
    from .model.recurrent import RNNEncoderDecoder
    from .model.transformer import Transformer
