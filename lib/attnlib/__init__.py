"""attnlib: the small Transformer library behind the book *Attention, Interactively*."""

from .attention import scaled_dot_product_attention
from .capture import attention_layers, capture_attention, to_bertviz
from .config import PRESETS, ModelConfig
from .device import pick_device, seed_everything
from .masks import causal_mask, combine, lengths_mask, padding_mask
from .model import Transformer
from .multihead import KVCache, MultiHeadAttention, merge_heads, split_heads
from .positional import RotaryEmbedding, relative_shift, sinusoidal_table

__all__ = [
    "KVCache", "ModelConfig", "MultiHeadAttention", "PRESETS", "RotaryEmbedding", "Transformer",
    "attention_layers", "capture_attention", "causal_mask", "combine", "lengths_mask", "merge_heads",
    "padding_mask", "pick_device", "relative_shift", "scaled_dot_product_attention", "seed_everything",
    "sinusoidal_table", "split_heads", "to_bertviz",
]
