"""The appendix's derivations as functions, so that each result can be checked against autograd or the library.

* :func:`softmax_jacobian`: ``∂a_i/∂s_j = a_i (δ_ij − a_j)``, the matrix ``diag(a) − a aᵀ``.
* :func:`sinusoid_offset_dot`: ``PE(p)·PE(p+k) = Σ_i cos(k ω_i)``, the same for every position ``p``.
* :func:`mha_parameter_count`: ``4(D² + D)`` for multi-head attention of width ``D``, whatever the heads.

Shape letters: n scores (keys), D model width.
"""

from __future__ import annotations

import torch

from attnlib.model.positional import frequencies


def softmax_jacobian(scores: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """``(n,)`` scores -> ``(n, n)`` matrix ``J[i, j] = ∂a_i/∂s_j`` of ``a = softmax(s / temperature)``:
    ``(diag(a) − a aᵀ) / temperature``."""
    if scores.dim() != 1 or scores.numel() < 2:
        raise ValueError(f"need a row of at least two scores, got shape {tuple(scores.shape)}")
    if not temperature > 0:
        raise ValueError(f"the temperature must be positive, got {temperature!r}")
    a = torch.softmax(scores / temperature, dim=-1)  # (n,)
    return (torch.diag(a) - torch.outer(a, a)) / temperature  # (n, n)


def sinusoid_offset_dot(k: int, d_model: int, base: float = 10000.0) -> float:
    """``PE(p)·PE(p + k)`` for sinusoidal encodings: ``Σ_i cos(k ω_i)``, which does not depend on ``p``."""
    return float(torch.cos(k * frequencies(d_model, base)).sum())


def mha_parameter_count(d_model: int) -> int:
    """Four ``D × D`` matrices (W^Q, W^K, W^V, W^O) and their four biases of ``D``: ``4(D² + D)``."""
    if d_model < 1:
        raise ValueError(f"d_model must be positive, got {d_model}")
    return 4 * (d_model * d_model + d_model)
