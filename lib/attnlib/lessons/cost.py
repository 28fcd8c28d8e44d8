"""The cost of attention: quadratic time and memory, measured, and the online softmax behind fused kernels.

* :func:`measure_scaling` times the two paths of :func:`attnlib.model.attention.scaled_dot_product_attention`
  against the sequence length and measures their peak memory: the explicit path writes the whole
  ``(B, H, T, T)`` matrix of weights, the fast path (``F.scaled_dot_product_attention``) may never form it.
* :func:`online_softmax_stats` computes a softmax's maximum and normaliser in one pass over blocks of
  scores; :func:`tiled_attention` uses the same trick for attention, one block of keys at a time, the
  idea of FlashAttention written in plain torch.
* :func:`weights_bytes` and :func:`kv_cache_bytes` are the sizes the text talks about, computed.

Shape letters: B batch, H heads, T length (Tq queries, Tk keys), Dh head width, Dv value width,
n the number of keys in one block, ``...`` any leading dims.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

import torch

from attnlib import measure
from attnlib.model.attention import check_qkv, scaled_dot_product_attention

LENGTHS = (128, 256, 512, 1024, 2048)
MAX_LENGTH = 8192
MIB = 2**20


# --------------------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------------------

def _positive(**values: int) -> None:
    for name, v in values.items():
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{name} must be a positive whole number, got {v!r}")


def weights_bytes(batch: int, heads: int, length: int, key_length: int | None = None,
                  bytes_per_element: int = 4) -> int:
    """Bytes of one ``(B, H, Tq, Tk)`` tensor of attention weights (float32: 4 bytes per element)."""
    key_length = length if key_length is None else key_length
    _positive(batch=batch, heads=heads, length=length, key_length=key_length, bytes_per_element=bytes_per_element)
    return batch * heads * length * key_length * bytes_per_element


def kv_cache_bytes(layers: int, length: int, d_model: int, batch: int = 1, bytes_per_element: int = 4) -> int:
    """Bytes of a decoder's key/value cache: a key and a value of width ``d_model`` per position, per
    layer and per sequence, ``2·L·B·T·D`` elements."""
    _positive(layers=layers, length=length, d_model=d_model, batch=batch, bytes_per_element=bytes_per_element)
    return 2 * layers * batch * length * d_model * bytes_per_element


# --------------------------------------------------------------------------------------
# Measuring the two paths
# --------------------------------------------------------------------------------------

def random_qkv(batch: int, heads: int, length: int, head_dim: int, seed: int = 0,
               device: torch.device | str = "cpu") -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Seeded queries, keys and values, each ``(B, H, T, Dh)``."""
    gen = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(batch, heads, length, head_dim, generator=gen).to(device) for _ in range(3))
    return q, k, v  # (B, H, T, Dh) each


def measure_scaling(lengths: Sequence[int] = LENGTHS, batch: int = 1, heads: int = 4, head_dim: int = 32,
                    repeats: int = 5, warmup: int = 1, seed: int = 0, device: torch.device | str = "cpu") -> list[dict]:
    """Time and peak extra memory of self-attention on ``(B, H, T, Dh)`` inputs, explicit path against fast path.

    One row per length: ``T, B, H, explicit_s, fast_s`` (medians of ``repeats`` calls, the two paths
    taking turns), ``explicit_peak_mb, fast_peak_mb`` (MiB above what was in use before one call; None
    where this platform cannot measure it) and ``weights_mb``, the size of one ``(B, H, T, T)`` weights
    tensor. Forward passes only, no gradients. The row keys match ``benchmarks/results.json``.
    """
    lengths = [int(t) for t in lengths]
    if len(lengths) < 2 or min(lengths) < 2 or max(lengths) > MAX_LENGTH:
        raise ValueError(f"give at least two lengths between 2 and {MAX_LENGTH}, got {lengths}")
    _positive(batch=batch, heads=heads, head_dim=head_dim, repeats=repeats)
    device = torch.device(device)
    sync = measure.synchronizer(device)
    rows = []
    with torch.inference_mode():
        for T in lengths:
            q, k, v = random_qkv(batch, heads, T, head_dim, seed=seed, device=device)  # (B, H, T, Dh) each

            def explicit():
                return scaled_dot_product_attention(q, k, v, need_weights=True)  # weights (B, H, T, T) written out

            def fast():
                return scaled_dot_product_attention(q, k, v)  # fused: the weights may never exist

            t = measure.time_interleaved({"explicit": explicit, "fast": fast}, repeats=repeats, warmup=warmup, sync=sync)
            rows.append({
                "T": T, "B": batch, "H": heads,
                "explicit_s": t["explicit"].median, "fast_s": t["fast"].median,
                "explicit_peak_mb": measure.peak_memory_mb(explicit, device),
                "fast_peak_mb": measure.peak_memory_mb(fast, device),
                "weights_mb": weights_bytes(batch, heads, T, bytes_per_element=q.element_size()) / MIB,
            })
            del q, k, v
    return rows


def growth_slopes(rows: Sequence[dict], tail: int = 3) -> dict[str, float | None]:
    """Log-log slopes over the ``tail`` largest lengths (where fixed overheads no longer dominate):
    ``explicit_time, fast_time, explicit_memory, fast_memory``. ~1: linear growth, ~2: quadratic."""
    if tail < 2:
        raise ValueError(f"a slope needs at least two points, got tail={tail}")
    rows = sorted(rows, key=lambda r: r["T"])[-tail:]
    ts = [r["T"] for r in rows]
    out = {}
    for path in ("explicit", "fast"):
        out[f"{path}_time"] = measure.log_log_slope(ts, [r[f"{path}_s"] for r in rows])
        mem = [r.get(f"{path}_peak_mb") for r in rows]
        out[f"{path}_memory"] = measure.log_log_slope(ts, mem) if all(m is not None for m in mem) else None
    return out


def scaling_table(rows: Sequence[dict]) -> str:
    """The measurements as aligned plain text."""
    def mb(x):
        return "—" if x is None else f"{x:.1f}"

    lines = [f"{'T':>6}  {'explicit ms':>11}  {'fast ms':>8}  {'explicit MiB':>12}  {'fast MiB':>8}  {'weights MiB':>11}"]
    for r in rows:
        lines.append(f"{r['T']:>6}  {r['explicit_s'] * 1e3:>11.2f}  {r['fast_s'] * 1e3:>8.2f}  "
                     f"{mb(r['explicit_peak_mb']):>12}  {mb(r['fast_peak_mb']):>8}  {r['weights_mb']:>11.1f}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# The online softmax, and attention one block of keys at a time
# --------------------------------------------------------------------------------------

def split_blocks(scores: torch.Tensor, block: int) -> list[torch.Tensor]:
    """``(..., n)`` -> blocks of at most ``block`` scores along the last axis."""
    _positive(block=block)
    if scores.dim() < 1 or scores.shape[-1] < 1:
        raise ValueError(f"need at least one score, got shape {tuple(scores.shape)}")
    return list(scores.split(block, dim=-1))


def online_softmax_stats(blocks: Iterable[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """One pass over blocks of scores ``(..., n)``: the maximum ``m`` and the normaliser
    ``l = Σ exp(s - m)``, each ``(...)``. Each block is read once; when a larger maximum arrives,
    the sum so far is rescaled by ``exp(m_old - m_new)``."""
    m = l = None
    for b in blocks:
        b_max = b.amax(dim=-1)  # (...)
        m_new = b_max if m is None else torch.maximum(m, b_max)
        block_sum = torch.exp(b - m_new[..., None]).sum(dim=-1)  # (...)
        l = block_sum if l is None else l * torch.exp(m - m_new) + block_sum
        m = m_new
    if m is None:
        raise ValueError("no blocks: the softmax of nothing is undefined")
    return m, l


def online_softmax(scores: torch.Tensor, block: int) -> torch.Tensor:
    """Softmax along the last axis, its statistics computed one block at a time (same result as torch.softmax)."""
    m, l = online_softmax_stats(split_blocks(scores, block))
    return torch.exp(scores - m[..., None]) / l[..., None]


def online_softmax_steps(scores: Sequence[float], block: int) -> list[dict]:
    """The running state after each block of a 1-D row of scores, for drawing: ``seen`` (how many scores),
    ``max``, ``sum``, ``rescale`` (the factor ``exp(m_old - m_new)`` applied to the old sum) and ``estimate``
    (softmax over the scores seen so far, zero for the others)."""
    s = torch.as_tensor(scores, dtype=torch.float64)
    if s.dim() != 1:
        raise ValueError(f"a row of scores is one-dimensional, got shape {tuple(s.shape)}")
    steps, m, l, seen = [], None, None, 0
    for b in split_blocks(s, block):
        m_new = b.max() if m is None else torch.maximum(m, b.max())
        rescale = 1.0 if m is None else float(torch.exp(m - m_new))
        l = torch.exp(b - m_new).sum() if l is None else l * rescale + torch.exp(b - m_new).sum()
        m, seen = m_new, seen + b.numel()
        estimate = torch.zeros_like(s)
        estimate[:seen] = torch.exp(s[:seen] - m) / l
        steps.append({"seen": seen, "max": float(m), "sum": float(l), "rescale": rescale,
                      "estimate": estimate.tolist()})
    return steps


def tiled_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, block: int = 128,
                    scale: float | None = None) -> torch.Tensor:
    """softmax(q kᵀ · scale) v without ever holding more than ``(..., Tq, block)`` scores.

    ``q (..., Tq, Dk)``, ``k (..., Tk, Dk)``, ``v (..., Tk, Dv)`` -> ``(..., Tq, Dv)``. The keys are visited
    one block at a time; each query keeps a running maximum ``m``, a running normaliser ``l`` and a running
    unnormalised output ``o``, all rescaled by ``exp(m_old - m_new)`` when the maximum grows. No mask
    (a teaching version: FlashAttention also tiles the queries and runs each tile in on-chip memory).
    """
    check_qkv(q, k, v, None)
    _positive(block=block)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    m = q.new_full((*q.shape[:-1], 1), float("-inf"))  # (..., Tq, 1) running maximum
    l = q.new_zeros((*q.shape[:-1], 1))  # (..., Tq, 1) running normaliser
    o = q.new_zeros((*q.shape[:-1], v.shape[-1]))  # (..., Tq, Dv) running output, not yet divided by l
    for start in range(0, k.shape[-2], block):
        kb, vb = k[..., start:start + block, :], v[..., start:start + block, :]  # (..., n, Dk), (..., n, Dv)
        s = (q @ kb.transpose(-2, -1)) * scale  # (..., Tq, n): one block of scores, never all Tk
        m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))  # (..., Tq, 1)
        p = torch.exp(s - m_new)  # (..., Tq, n)
        rescale = torch.exp(m - m_new)  # (..., Tq, 1): 0 on the first block (m = -inf)
        l = l * rescale + p.sum(dim=-1, keepdim=True)
        o = o * rescale + p @ vb  # (..., Tq, Dv)
        m = m_new
    return o / l  # (..., Tq, Dv)
