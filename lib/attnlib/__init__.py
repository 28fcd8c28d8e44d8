"""attnlib: the small Transformer library behind the book *Attention, Interactively*."""

from .model.attention import scaled_dot_product_attention
from .model.capture import attention_layers, capture_attention
from .model.config import PRESETS, ModelConfig
from .model.device import pick_device, seed_everything
from .model.masks import causal_mask, combine, lengths_mask, padding_mask
from .model.multihead import KVCache, MultiHeadAttention, merge_heads, split_heads
from .model.positional import RotaryEmbedding, relative_shift, sinusoidal_table
from .model.transformer import Transformer

__all__ = [
    "KVCache", "ModelConfig", "MultiHeadAttention", "PRESETS", "RotaryEmbedding", "Transformer",
    "attention_layers", "capture_attention", "causal_mask", "combine", "lengths_mask", "merge_heads",
    "padding_mask", "pick_device", "relative_shift", "scaled_dot_product_attention", "seed_everything",
    "sinusoidal_table", "split_heads",
]
