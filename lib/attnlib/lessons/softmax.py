"""Softmax, temperature, and why attention divides its scores by √d_k, measured.

* :func:`stable_softmax` subtracts each row's maximum before ``exp`` (same result, no overflow);
  :func:`naive_softmax` does not, and returns NaN for scores of a few hundred.
* :func:`entropy` says how spread a row of weights is: ``ln n`` for uniform weights over
  ``n`` keys, ``0`` for one-hot.
* :func:`dot_product_variance` and :func:`saturation` measure, over seeded random draws,
  that the variance of ``q·k`` grows like ``d_k`` and that, unscaled, the softmax then
  saturates and passes back almost no gradient.

Shape letters: N trials, n keys, D = d_k the query/key width.
"""

from __future__ import annotations

import math

import torch

D_KS = (4, 16, 64, 256, 1024)
N_KEYS = 10
MAX_D_K = 4096


def naive_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``exp(x) / Σ exp(x)`` exactly as written: overflows (inf/inf = NaN) once scores pass ~88 in float32."""
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)


def stable_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """The same weights, computed from ``x - max(x)``: every exponent is ≤ 0, so nothing overflows."""
    e = torch.exp(x - x.amax(dim=dim, keepdim=True))
    return e / e.sum(dim=dim, keepdim=True)


MIN_TEMPERATURE, MAX_TEMPERATURE = 0.01, 100.0


def check_temperature(temperature: float) -> float:
    """A usable softmax temperature, or a ValueError saying why not (for widgets and demos)."""
    if not isinstance(temperature, (int, float)) or not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"the temperature must be a positive number, got {temperature!r}")
    if not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE:
        raise ValueError(f"a temperature of {temperature:g} is outside the range the demos draw "
                         f"({MIN_TEMPERATURE:g} to {MAX_TEMPERATURE:g})")
    return float(temperature)


def entropy(weights: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``-Σ a log a`` in nats along ``dim`` (with ``0 log 0 = 0``)."""
    logs = torch.where(weights > 0, weights.log(), torch.zeros_like(weights))
    return (-(weights * logs).sum(dim=dim)).clamp_min(0.0)  # never -0.00 from rounding


def check_d_ks(d_ks) -> list[int]:
    d_ks = [int(d) for d in d_ks]
    if not d_ks or min(d_ks) < 1 or max(d_ks) > MAX_D_K:
        raise ValueError(f"d_k values must be integers from 1 to {MAX_D_K}, got {d_ks}")
    return d_ks


def dot_product_variance(d_ks=D_KS, samples: int = 8000, seed: int = 0) -> list[float]:
    """The measured variance of ``q·k`` for random ``q, k`` with independent unit-variance components."""
    gen = torch.Generator().manual_seed(seed)
    out = []
    for d in check_d_ks(d_ks):
        q = torch.randn(samples, d, generator=gen)  # (N, D)
        k = torch.randn(samples, d, generator=gen)  # (N, D)
        out.append((q * k).sum(-1).var().item())
    return out


def saturation(d_ks=D_KS, n_keys: int = N_KEYS, trials: int = 1000, seed: int = 0) -> dict:
    """Mean entropy of one query's weights over ``n_keys`` random keys, and the mean norm of the
    gradient that reaches the softmax's input, with and without dividing the scores by √d_k.

    The gradient is that of a random linear loss ``L = Σ_j g_j a_j`` (``g`` standard normal),
    standing in for whatever the rest of the network asks of the weights. Returns
    ``{"d_k": [...], "entropy": {"scaled": [...], "unscaled": [...]},
    "grad": {"scaled": [...], "unscaled": [...]}, "max_entropy": ln n_keys}``.
    """
    if n_keys < 2:
        raise ValueError("softmax over a single key is always 1: use at least 2 keys")
    d_ks = check_d_ks(d_ks)
    gen = torch.Generator().manual_seed(seed)
    res = {"d_k": d_ks, "entropy": {"scaled": [], "unscaled": []}, "grad": {"scaled": [], "unscaled": []},
           "max_entropy": math.log(n_keys)}
    for d in d_ks:
        q = torch.randn(trials, 1, d, generator=gen)  # (N, 1, D)
        k = torch.randn(trials, n_keys, d, generator=gen)  # (N, n, D)
        g = torch.randn(trials, n_keys, generator=gen)  # (N, n): the upstream gradient
        scores = (q @ k.transpose(-2, -1))[:, 0]  # (N, n)
        for name, z in (("unscaled", scores), ("scaled", scores / math.sqrt(d))):
            z = z.clone().requires_grad_(True)  # the softmax's input
            a = torch.softmax(z, dim=-1)  # (N, n)
            (a * g).sum().backward()  # trials are independent: one backward gives each its own gradient
            res["entropy"][name].append(entropy(a.detach()).mean().item())
            res["grad"][name].append(z.grad.norm(dim=-1).mean().item())
    return res


def query_and_keys(d_k: int, n_keys: int = N_KEYS, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """One seeded query ``(D,)`` and keys ``(n, D)``; a larger ``d_k`` only appends components,
    so moving a d_k slider changes nothing but the width."""
    if not isinstance(d_k, int) or not 1 <= d_k <= MAX_D_K:
        raise ValueError(f"d_k must be an integer from 1 to {MAX_D_K}, got {d_k!r}")
    if not isinstance(n_keys, int) or not 2 <= n_keys <= 50:
        raise ValueError(f"use between 2 and 50 keys, got {n_keys!r}")
    gen = torch.Generator().manual_seed(seed)
    full = torch.randn(n_keys + 1, MAX_D_K, generator=gen)  # (1 + n, MAX_D_K)
    return full[0, :d_k], full[1:, :d_k]  # (D,), (n, D)
