"""Attention against recurrence: the same sequence, all positions at once or one step at a time.

A recurrent layer (here ``torch.nn.GRU``) must finish step ``t - 1`` before it can
start step ``t``: ``T`` steps one after another, each a small matrix product.
Self-attention computes every position in a handful of large matrix products
that do ``O(T²·D)`` work but need no step-by-step loop.

Shape letters: B batch, T length, D width.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from attnlib import measure
from attnlib.model.multihead import MultiHeadAttention

LENGTHS = (16, 32, 64, 128, 256, 512)
MAX_LENGTH = 4096


def attention_flops(length: int, d_model: int) -> int:
    """Multiply-adds ×2 of one self-attention layer: Q, K, V, O projections ``4·T·D²`` plus scores and
    weighted sum ``2·T²·D``."""
    return 2 * (4 * length * d_model**2 + 2 * length**2 * d_model)


def recurrent_flops(length: int, d_model: int) -> int:
    """Multiply-adds ×2 of one GRU layer of width D: three gates, each ``x W + h U``: ``6·T·D²``."""
    return 2 * 6 * length * d_model**2


def sequential_steps(layer: str, length: int) -> int:
    """How many steps must run one after another: a constant for attention, ``T`` for a recurrent layer."""
    if layer == "attention":
        return 1
    if layer == "recurrent":
        return length
    raise ValueError(f"layer must be 'attention' or 'recurrent', got {layer!r}")


def time_attention_vs_recurrence(lengths: Sequence[int] = LENGTHS, d_model: int = 64, n_heads: int = 4,
                                 batch: int = 4, repeats: int = 7, seed: int = 0) -> list[dict]:
    """Time one self-attention layer and one GRU layer of the same width on ``(B, T, D)`` inputs.

    Returns one row per length: ``length``, ``attention_s``, ``recurrent_s`` (fastest of ``repeats``
    forward passes, no gradients), ``attention_flops``, ``recurrent_flops``, and the number of
    sequential steps each needs.
    """
    lengths = [int(t) for t in lengths]
    if not lengths or min(lengths) < 1 or max(lengths) > MAX_LENGTH:
        raise ValueError(f"lengths must be between 1 and {MAX_LENGTH}, got {lengths}")
    if repeats < 1:
        raise ValueError(f"repeats={repeats}: time at least once")
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        attention = MultiHeadAttention(d_model, n_heads).eval()
        recurrent = nn.GRU(d_model, d_model, batch_first=True).eval()
    g = torch.Generator().manual_seed(seed)
    rows = []
    with torch.inference_mode():
        for length in (min(lengths), max(lengths)):  # first calls pay one-off set-up costs: not timed
            x = torch.randn(batch, length, d_model, generator=g)
            attention(x), recurrent(x)
        for length in lengths:
            x = torch.randn(batch, length, d_model, generator=g)  # (B, T, D)
            timings = measure.time_interleaved({"attention": lambda: attention(x), "recurrent": lambda: recurrent(x)},
                                               repeats=repeats, warmup=1)  # taking turns: a busy moment hurts both
            rows.append({
                "length": length,
                "attention_s": timings["attention"].best,
                "recurrent_s": timings["recurrent"].best,
                "attention_flops": attention_flops(length, d_model),
                "recurrent_flops": recurrent_flops(length, d_model),
                "attention_steps": sequential_steps("attention", length),
                "recurrent_steps": sequential_steps("recurrent", length),
            })
    return rows


def timing_table(rows: Sequence[dict]) -> str:
    """The timings as a plain-text table: milliseconds, work, and steps that must run in order."""
    lines = [f"{'T':>5}  {'attention ms':>12}  {'GRU ms':>8}  {'attention MFLOP':>15}  {'GRU MFLOP':>9}  "
             f"{'steps in order (attn / GRU)':>27}"]
    for r in rows:
        lines.append(f"{r['length']:>5}  {r['attention_s'] * 1e3:>12.3f}  {r['recurrent_s'] * 1e3:>8.3f}  "
                     f"{r['attention_flops'] / 1e6:>15.1f}  {r['recurrent_flops'] / 1e6:>9.1f}  "
                     f"{str(r['attention_steps']) + ' / ' + str(r['recurrent_steps']):>27}")
    return "\n".join(lines)
