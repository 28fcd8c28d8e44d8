"""Capture attention patterns for one forward pass, then forget about them.

    with capture_attention(model, ["encoder.layers.0.self_attn"]) as patterns:
        model(src, tgt_in)
    patterns["encoder.layers.0.self_attn"]  # (B, H, Tq, Tk)

A forward hook is placed on the ``tap`` (an identity module) of each chosen
attention layer and removed on exit, even if the forward pass raised. No
module keeps a stale ``self.attn`` tensor around.

An attention layer is any module with such a tap: every :class:`MultiHeadAttention`, and the additive
attention of the recurrent encoder-decoder (:mod:`attnlib.model.recurrent`), whose one head gives
``(B, 1, T, S)``.
"""

from __future__ import annotations

from contextlib import contextmanager
from numbers import Integral
from typing import Iterable, Iterator

import torch
from torch import nn

from .multihead import AttentionTap

STACKS = ("encoder", "decoder")
KINDS = ("self", "cross")


def attention_layer(stack: str, layer: int, kind: str) -> str:
    """The module name of one attention layer of a :class:`~attnlib.model.transformer.Transformer`:
    ``attention_layer("decoder", 0, "cross") == "decoder.layers.0.cross_attn"`` (layers counted from 0)."""
    if stack not in STACKS:
        raise ValueError(f"stack must be one of {list(STACKS)}, got {stack!r}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}, got {kind!r}")
    if (stack, kind) == ("encoder", "cross"):
        raise ValueError("the encoder has no cross-attention: only the decoder attends to another sequence")
    if isinstance(layer, bool) or not isinstance(layer, Integral) or layer < 0:
        raise ValueError(f"layer must be a whole number from 0, got {layer!r}")
    return f"{stack}.layers.{int(layer)}.{kind}_attn"


def attention_layers(model: nn.Module) -> dict[str, nn.Module]:
    """Every attention layer of ``model`` (a module with an :class:`AttentionTap`) by its dotted module name
    (``"self"`` for a bare layer)."""
    return {(name or "self"): m for name, m in model.named_modules() if isinstance(getattr(m, "tap", None), AttentionTap)}


def cross_attention_layers(model: nn.Module) -> list[str]:
    """The names of the decoder's cross-attention layers, first to last."""
    return [name for name in attention_layers(model) if name.endswith("cross_attn")]


@contextmanager
def capture_attention(model: nn.Module, names: Iterable[str] | None = None) -> Iterator[dict[str, torch.Tensor]]:
    """Record the weights ``(B, H, Tq, Tk)`` of the named attention layers (default: all)."""
    layers = attention_layers(model)
    chosen = list(layers) if names is None else list(names)
    unknown = [n for n in chosen if n not in layers]
    if unknown:
        raise ValueError(f"no attention layer named {unknown}; this model has: {list(layers)}")
    patterns: dict[str, torch.Tensor] = {}
    handles = []

    def recorder(name: str):
        def hook(module, inputs, output):
            patterns[name] = output.detach()
        return hook

    try:
        for name in chosen:
            tap = layers[name].tap
            tap.users += 1  # counted, not switched: a capture inside another must not end the outer one
            handles.append(tap.register_forward_hook(recorder(name)))
        yield patterns
    finally:
        for handle in handles:
            handle.remove()
        for name in chosen[: len(handles)]:
            layers[name].tap.users -= 1
