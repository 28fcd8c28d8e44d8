"""Scaled dot-product attention, two ways.

    Attention(Q, K, V) = softmax(Q Kᵀ / √d_k + bias + mask) V

* The **explicit** path computes and returns the weights: for teaching, widgets
  and bertviz.
* The **fast** path calls ``torch.nn.functional.scaled_dot_product_attention``,
  which may use a fused kernel that never materialises the ``(Tq, Tk)`` matrix.

Both agree to float tolerance; the explicit one runs only when weights are asked for.

The optional ``bias`` is a float added to the scaled scores before the softmax (ALiBi's distance
penalty): the explicit path adds it to the scores, the fast path receives it, with the boolean mask
folded in as ``-inf``, as the one additive float mask that the fused kernel takes.

Shape letters: ``...`` any leading dims (usually B, H), Tq queries, Tk keys,
Dk query/key width, Dv value width.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def _broadcasts(shape: tuple[int, ...], scores_shape: tuple[int, ...]) -> bool:
    """Whether ``shape`` broadcasts to the scores without growing them: every dim, from the right, is 1 or theirs.
    (Written out: torch.broadcast_shapes is Python too, and slower than this for the training loop.)"""
    return len(shape) <= len(scores_shape) and all(m in (1, n) for m, n in zip(reversed(shape), reversed(scores_shape)))


def check_qkv(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None,
              bias: torch.Tensor | None = None) -> None:
    """Raise a ValueError that names the problem, before torch raises a cryptic one."""
    for name, t in (("query", q), ("key", k), ("value", v)):
        if t.dim() < 2:
            raise ValueError(f"{name} must have at least 2 dims (..., length, features), got shape {tuple(t.shape)}")
        if not t.is_floating_point():  # integer scores would softmax to nonsense (or all-zero weights)
            raise ValueError(f"{name} must hold floating-point numbers, got dtype {t.dtype}: convert it with .float()")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"query and key must have the same feature size to be compared by a dot product: "
            f"query {tuple(q.shape)} has {q.shape[-1]}, key {tuple(k.shape)} has {k.shape[-1]}"
        )
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"key and value must have one row per key: key {tuple(k.shape)} has {k.shape[-2]} rows, "
            f"value {tuple(v.shape)} has {v.shape[-2]}"
        )
    if q.shape[:-2] != k.shape[:-2] or k.shape[:-2] != v.shape[:-2]:
        raise ValueError(
            f"query, key and value must share their leading (batch/head) dims: "
            f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        )
    scores_shape = (*q.shape[:-1], k.shape[-2])
    if bias is not None:
        if not bias.is_floating_point():
            raise ValueError(f"bias is added to the scores and must hold floating-point numbers, got dtype {bias.dtype}")
        if not _broadcasts(tuple(bias.shape), scores_shape):
            raise ValueError(f"bias of shape {tuple(bias.shape)} does not broadcast to the scores' shape "
                             f"{scores_shape} (..., queries, keys)")
    if mask is not None:
        if mask.dtype != torch.bool:
            raise ValueError(f"mask must be boolean (True = may attend), got dtype {mask.dtype}")
        if not _broadcasts(tuple(mask.shape), scores_shape):
            hint = ""
            if mask.dim() > len(scores_shape):
                hint = (f"; it has more dims than the scores — a (B, 1, 1, Tk) mask is meant for (B, H, T, d) "
                        f"inputs: drop its head axis (mask[:, 0]) or add one to q, k, v")
            raise ValueError(
                f"mask of shape {tuple(mask.shape)} does not broadcast to the scores' shape {scores_shape} "
                f"(..., queries, keys){hint}"
            )


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    *,
    need_weights: bool = False,
    scale: float | None = None,
    dropout_p: float = 0.0,
    bias: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``q (..., Tq, Dk)``, ``k (..., Tk, Dk)``, ``v (..., Tk, Dv)`` -> ``out (..., Tq, Dv)``, ``weights (..., Tq, Tk) | None``.

    ``scale`` defaults to ``1/√Dk``; pass ``1.0`` for unscaled dot products. ``bias`` (float, broadcast
    to ``(..., Tq, Tk)``) is added to the scaled scores. A query whose mask hides every key gets zero
    weights and a zero output (not the NaN that softmax over all ``-inf`` would give).
    """
    check_qkv(q, k, v, mask, bias)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    visible = None  # (..., Tq, 1): does the query see at least one key?
    if mask is not None:
        visible = mask.any(dim=-1, keepdim=True)
        # every query sees a key (the usual case): nothing to repair. Asked only on the CPU, where the answer
        # is at hand (a GPU would have to stop and wait), and not while a graph is traced (torch.export)
        if q.device.type == "cpu" and not torch.compiler.is_compiling() and bool(visible.all()):
            visible = None
        else:
            mask = mask | ~visible  # let empty rows attend anywhere; their output is zeroed below
    if need_weights:
        out, weights = explicit_attention(q, k, v, mask, scale=scale, dropout_p=dropout_p, bias=bias)
    else:
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=fused_mask(mask, bias, q.dtype),
                                             dropout_p=dropout_p, scale=scale)
        weights = None
    if visible is not None:
        out = out.masked_fill(~visible, 0.0)
        if weights is not None:
            weights = weights.masked_fill(~visible, 0.0)
    return out, weights


def fused_mask(mask: torch.Tensor | None, bias: torch.Tensor | None, dtype: torch.dtype) -> torch.Tensor | None:
    """What the fused kernel's ``attn_mask`` takes: the boolean mask alone, or the bias with hidden keys at ``-inf``."""
    if bias is None:
        return mask
    bias = bias.to(dtype)
    if mask is None:
        return bias
    return torch.where(mask, bias, float("-inf"))  # (..., Tq, Tk): both broadcast


def explicit_attention(q, k, v, mask=None, *, scale: float, dropout_p: float = 0.0, bias=None):
    """The textbook computation, every intermediate visible. Returns (out, weights before dropout)."""
    scores = (q @ k.transpose(-2, -1)) * scale  # (..., Tq, Tk)
    if scores.dtype in (torch.float16, torch.bfloat16):
        scores = scores.float()  # the bias and the softmax in float32: half precision would round them
    if bias is not None:
        scores = scores + bias.to(scores.dtype)  # e.g. ALiBi: a penalty growing with distance
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1).to(q.dtype)  # (..., Tq, Tk)
    dropped = F.dropout(weights, p=dropout_p) if dropout_p > 0 else weights
    return dropped @ v, weights  # (..., Tq, Dv), (..., Tq, Tk)
