"""Interoperability with ``torch.nn``: the same layer, loaded into PyTorch's own implementation.

PyTorch's ``nn.MultiheadAttention`` keeps W^Q, W^K and W^V stacked in one
``in_proj_weight`` of shape ``(3D, D)``; ours keeps three ``nn.Linear`` layers.
Both store a weight as ``(out, in)``, so copying is a concatenation.

Beware the mask conventions: ``nn.MultiheadAttention``'s ``attn_mask`` and
``key_padding_mask`` are True where attention is **forbidden**, the opposite of
``attnlib`` and of ``torch.nn.functional.scaled_dot_product_attention``.
"""

from __future__ import annotations

import torch
from torch import nn

from .multihead import MultiHeadAttention


def to_torch_multihead(ours: MultiHeadAttention) -> nn.MultiheadAttention:
    """A ``torch.nn.MultiheadAttention`` (batch_first) computing exactly what ``ours`` computes."""
    bias = ours.q_proj.bias is not None
    ref = nn.MultiheadAttention(ours.d_model, ours.n_heads, bias=bias, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([ours.q_proj.weight, ours.k_proj.weight, ours.v_proj.weight]))  # (3D, D)
        ref.out_proj.weight.copy_(ours.out_proj.weight)  # (D, D)
        if bias:
            ref.in_proj_bias.copy_(torch.cat([ours.q_proj.bias, ours.k_proj.bias, ours.v_proj.bias]))  # (3D,)
            ref.out_proj.bias.copy_(ours.out_proj.bias)  # (D,)
    return ref.train(ours.training)
