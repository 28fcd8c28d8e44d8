"""Ways to score how well a query matches a key.

Every function maps ``q (Tq, K)`` and ``k (Tk, K)`` (or with leading batch dims)
to scores ``(Tq, Tk)``; softmax over the last axis turns scores into weights.

* dot:         q·k                          (Luong et al. 2015)
* scaled dot:  q·k / √K                     (Vaswani et al. 2017)
* cosine:      q·k / (|q| |k|) / τ          (direction only, τ a temperature)
* additive:    vᵀ tanh(W_q q + W_k k)       (Bahdanau et al. 2015, a small MLP)

The first three have no parameters; the additive score has, and means something only once they
are trained. :func:`fit_additive` trains one, quickly and reproducibly, to reproduce given target
scores (e.g. the scaled dot-product's on the toy word space), so that the four can be compared.
"""

from __future__ import annotations

import math

import torch
from torch import nn
import torch.nn.functional as F

from attnlib.measure import torch_threads


def dot_scores(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    return q @ k.transpose(-2, -1)  # (..., Tq, Tk)


def scaled_dot_scores(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    return dot_scores(q, k) / math.sqrt(q.shape[-1])


def cosine_scores(q: torch.Tensor, k: torch.Tensor, temperature: float = 0.1) -> torch.Tensor:
    """Cosine similarity: only the angle counts; a zero vector scores 0 with everything."""
    return F.normalize(q, dim=-1) @ F.normalize(k, dim=-1).transpose(-2, -1) / temperature


class AdditiveScore(nn.Module):
    """Bahdanau's MLP score: ``vᵀ tanh(W_q q + W_k k)``; q and k may even have different widths."""

    def __init__(self, d_query: int, d_key: int, d_hidden: int, seed: int | None = 0):
        super().__init__()
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        self.w_q = nn.Parameter(torch.randn(d_query, d_hidden, generator=gen) / math.sqrt(d_query))
        self.w_k = nn.Parameter(torch.randn(d_key, d_hidden, generator=gen) / math.sqrt(d_key))
        self.v = nn.Parameter(torch.randn(d_hidden, generator=gen) / math.sqrt(d_hidden))

    def forward(self, q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        hq = (q @ self.w_q).unsqueeze(-2)  # (..., Tq, 1, Dh)
        hk = (k @ self.w_k).unsqueeze(-3)  # (..., 1, Tk, Dh)
        return torch.tanh(hq + hk) @ self.v  # (..., Tq, Tk)


def additive_scores(q: torch.Tensor, k: torch.Tensor, d_hidden: int = 16, seed: int = 0) -> torch.Tensor:
    """Additive scores with a fixed, seeded, *untrained* MLP: what the score says before any training
    (its ranking is arbitrary). :func:`fit_additive` gives a trained one."""
    with torch.no_grad():
        return AdditiveScore(q.shape[-1], k.shape[-1], d_hidden, seed=seed)(q, k)


def fit_additive(q: torch.Tensor, k: torch.Tensor, target: torch.Tensor, d_hidden: int = 16, steps: int = 600,
                 lr: float = 0.03, seed: int = 0) -> AdditiveScore:
    """Train an :class:`AdditiveScore` on queries ``q (Tq, Kq)`` and keys ``k (Tk, Kk)`` to reproduce
    the ``target (Tq, Tk)`` scores of every query-key pair.

    Softmax ignores a constant added to one query's scores, so the fit matches each query's row
    up to such a constant: the loss is the mean squared difference of the row-centred scores.
    Full-batch Adam from the seeded initialisation, on one thread: the same weights every time, in
    well under a second for a few dozen queries and keys.
    """
    if target.shape != (q.shape[0], k.shape[0]):
        raise ValueError(f"target must be (queries, keys) = {(q.shape[0], k.shape[0])}, got {tuple(target.shape)}")
    model = AdditiveScore(q.shape[-1], k.shape[-1], d_hidden, seed=seed)
    goal = (target - target.mean(-1, keepdim=True)).detach()  # (Tq, Tk)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    with torch_threads(1), torch.enable_grad():  # also when called under no_grad
        for _ in range(steps):
            s = model(q, k)  # (Tq, Tk)
            loss = F.mse_loss(s - s.mean(-1, keepdim=True), goal)
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.requires_grad_(False)
    return model


SCORERS = {
    "dot": dot_scores,
    "scaled dot": scaled_dot_scores,
    "cosine": cosine_scores,
    "additive": additive_scores,
}


def score(q: torch.Tensor, k: torch.Tensor, method: str = "scaled dot") -> torch.Tensor:
    if method not in SCORERS:
        raise ValueError(f"unknown scoring method {method!r}; choose one of {list(SCORERS)}")
    if q.shape[-1] != k.shape[-1] and method != "additive":
        raise ValueError(f"{method} scoring needs queries and keys of the same width, got {q.shape[-1]} and {k.shape[-1]}")
    return SCORERS[method](q, k)
