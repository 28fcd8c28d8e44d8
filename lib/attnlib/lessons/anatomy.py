"""The anatomy of a Transformer: where its parameters sit, and the shapes that flow through it.

Shape letters: B batch, S source length, T target length, D model width, H heads, V vocabulary.
"""

from __future__ import annotations

import re

import torch

from attnlib.model.capture import attention_layer, capture_attention
from attnlib.model.transformer import Transformer

# (pattern on the parameter name, component); the first match wins.
_COMPONENTS = (
    (r"encoder\.embed\.", "source embedding"),
    (r"decoder\.embed\.", "target embedding"),
    (r"encoder\.layers\.\d+\.self_attn\.", "encoder self-attention"),
    (r"encoder\.layers\.\d+\.feed_forward\.", "encoder feed-forward"),
    (r"encoder\.(layers\.\d+\.\w+_residual\.)?norm\.", "encoder LayerNorms"),
    (r"decoder\.layers\.\d+\.self_attn\.", "decoder masked self-attention"),
    (r"decoder\.layers\.\d+\.cross_attn\.", "decoder cross-attention"),
    (r"decoder\.layers\.\d+\.feed_forward\.", "decoder feed-forward"),
    (r"decoder\.(layers\.\d+\.\w+_residual\.)?norm\.", "decoder LayerNorms"),
    (r"generator\.", "output projection"),
)
COMPONENTS = tuple(dict.fromkeys(name for _, name in _COMPONENTS))


def component_of(parameter_name: str) -> str:
    for pattern, name in _COMPONENTS:
        if re.match(pattern, parameter_name):
            return name
    raise ValueError(f"parameter {parameter_name!r} belongs to no known component of the Transformer")


def parameter_breakdown(model: Transformer) -> dict[str, int]:
    """Number of parameters per component, in the order of :data:`COMPONENTS` (shared weights counted once)."""
    counts = dict.fromkeys(COMPONENTS, 0)
    for name, p in model.named_parameters():  # a tied weight is listed once
        counts[component_of(name)] += p.numel()
    return counts


def data_flow(model: Transformer, src: torch.Tensor, tgt_in: torch.Tensor) -> list[tuple[str, tuple[int, ...]]]:
    """The shape of what leaves each stage of one forward pass, in the order it happens.

    Includes the attention weights of the first encoder and decoder layer (self and cross).
    """
    encoder_self, decoder_self, cross = (attention_layer("encoder", 0, "self"), attention_layer("decoder", 0, "self"),
                                         attention_layer("decoder", 0, "cross"))
    modules = dict(model.named_modules())
    named = [(model.encoder.embed, "source embedding + positions"),
             (modules[encoder_self].tap, "encoder self-attention weights")]
    named += [(layer, f"encoder layer {i + 1}") for i, layer in enumerate(model.encoder.layers)]
    named += [(model.encoder, "memory (encoder output)"), (model.decoder.embed, "target embedding + positions"),
              (modules[decoder_self].tap, "decoder masked self-attention weights"),
              (modules[cross].tap, "cross-attention weights")]
    named += [(layer, f"decoder layer {i + 1}") for i, layer in enumerate(model.decoder.layers)]
    named += [(model.generator, "logits over the target vocabulary")]
    stages: list[tuple[str, tuple[int, ...]]] = [("source token ids", tuple(src.shape))]
    handles = []

    def recorder(label: str):
        def hook(module, inputs, output):
            if label.startswith("target embedding"):
                stages.append(("target token ids (shifted right)", tuple(tgt_in.shape)))
            stages.append((label, tuple(output.shape)))
        return hook

    try:
        # capturing makes the layers compute their weights
        with torch.no_grad(), capture_attention(model, [encoder_self, decoder_self, cross]):
            for module, label in named:
                handles.append(module.register_forward_hook(recorder(label)))
            model(src, tgt_in)
    finally:
        for h in handles:
            h.remove()
    return stages


def text_table(headers: list[str], rows: list[list]) -> str:
    """A plain-text table with right-aligned numbers (thousands separated) and left-aligned text."""
    cells = [[f"{v:,}" if isinstance(v, int) else str(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[j]) for r in cells)) for j, h in enumerate(headers)]
    numeric = [all(isinstance(row[j], (int, float)) for row in rows) for j in range(len(headers))]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)])
