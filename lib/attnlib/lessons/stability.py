"""Why residual connections and LayerNorm placement matter, measured.

* :func:`gradient_flow`: how much gradient reaches each layer of a deep stack at
  initialisation, for four ways of wiring a sub-layer ``f`` into the stack.
* :func:`train_reversal`: a few seconds of training on a tiny "reverse the
  sequence" task, pre-LN against post-LN, with or without learning-rate warm-up.

Shape letters: B batch, T length, D model width, V vocabulary.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from attnlib.measure import torch_threads
from attnlib.model.config import ModelConfig
from attnlib.model.layers import EncoderLayer
from attnlib.model.positional import SinusoidalEncoding

ARRANGEMENTS = ("plain", "residual", "post-LN", "pre-LN")
MAX_DEPTH = 96


def residual_step(x: torch.Tensor, sublayer: Callable[[torch.Tensor], torch.Tensor], norm: Callable[[torch.Tensor], torch.Tensor],
                  arrangement: str) -> torch.Tensor:
    """One layer of a stack, wired four ways.

    * ``plain``:    ``f(x)`` — no shortcut;
    * ``residual``: ``x + f(x)`` — shortcut, no normalisation;
    * ``post-LN``:  ``LN(x + f(x))`` — the 2017 paper;
    * ``pre-LN``:   ``x + f(LN(x))`` — most models since.
    """
    if arrangement == "plain":
        return sublayer(x)
    if arrangement == "residual":
        return x + sublayer(x)
    if arrangement == "post-LN":
        return norm(x + sublayer(x))
    if arrangement == "pre-LN":
        return x + sublayer(norm(x))
    raise ValueError(f"arrangement must be one of {ARRANGEMENTS}, got {arrangement!r}")


@lru_cache(maxsize=256)
def gradient_flow(arrangement: str, depth: int, d_model: int = 32, batch: int = 64, seed: int = 0) -> tuple[float, ...]:
    """Norm of the loss gradient at the *input* of each layer (first to last) of a fresh stack.

    Each layer's sub-layer is a position-wise feed-forward network ``D -> 4D -> D`` initialised like
    the Transformer's (Xavier-uniform weights, PyTorch's default biases); every LayerNorm starts as
    the plain normalisation (scale 1, shift 0). The loss is the mean squared error to a random target.
    """
    if arrangement not in ARRANGEMENTS:
        raise ValueError(f"arrangement must be one of {ARRANGEMENTS}, got {arrangement!r}")
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth={depth}: choose between 1 and {MAX_DEPTH} layers")
    with torch_threads(1):
        return _gradient_flow(arrangement, depth, d_model, batch, seed)


def _gradient_flow(arrangement: str, depth: int, d_model: int, batch: int, seed: int) -> tuple[float, ...]:
    g = torch.Generator().manual_seed(seed)
    d, h = d_model, 4 * d_model

    def uniform(bound, *shape):
        return (2 * torch.rand(*shape, generator=g) - 1) * bound

    w1, b1 = uniform(math.sqrt(6 / (d + h)), depth, d, h), uniform(1 / math.sqrt(d), depth, h)  # (L, D, 4D), (L, 4D)
    w2, b2 = uniform(math.sqrt(6 / (d + h)), depth, h, d), uniform(1 / math.sqrt(h), depth, d)  # (L, 4D, D), (L, D)
    x = torch.randn(batch, d, generator=g).requires_grad_()  # (B, D)
    target = torch.randn(batch, d, generator=g)  # (B, D)

    def norm(t):
        return F.layer_norm(t, (d,))

    inputs, hidden = [], x
    for layer in range(depth):
        if hidden is not x:
            hidden.retain_grad()
        inputs.append(hidden)

        def feed_forward(t, layer=layer):
            return torch.relu(t @ w1[layer] + b1[layer]) @ w2[layer] + b2[layer]  # (B, D)

        hidden = residual_step(hidden, feed_forward, norm, arrangement)
    if arrangement == "pre-LN":
        hidden = norm(hidden)  # pre-LN stacks end with a final LayerNorm
    loss = ((hidden - target) ** 2).mean()
    loss.backward()
    return tuple(float(t.grad.norm()) for t in inputs)


# -- a short training run ---------------------------------------------------------------------

class ReversalEncoder(nn.Module):
    """Embeddings + sinusoidal positions + a stack of encoder layers + a linear read-out."""

    def __init__(self, vocab: int, d_model: int, n_heads: int, depth: int, norm_first: bool, max_len: int = 32):
        super().__init__()
        cfg = ModelConfig(d_model=d_model, n_heads=n_heads, d_ff=2 * d_model, dropout=0.0, norm_first=norm_first,
                          max_len=max_len)
        self.scale = math.sqrt(d_model)
        self.tokens = nn.Embedding(vocab, d_model)
        self.positions = SinusoidalEncoding(d_model, max_len)
        self.layers = nn.ModuleList(EncoderLayer(cfg) for _ in range(depth))
        self.norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.head = nn.Linear(d_model, vocab)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:  # (B, T) -> (B, T, V)
        h = self.positions(self.tokens(ids) * self.scale)  # (B, T, D)
        for layer in self.layers:
            h = layer(h)
        return self.head(self.norm(h))


def warmup_factor(step: int, warmup: int) -> float:
    """Learning-rate multiplier: linear ramp over ``warmup`` steps, then 1 (``warmup=0``: always 1)."""
    return 1.0 if warmup <= 0 else min(1.0, (step + 1) / warmup)


def train_reversal(norm_first: bool, warmup: int = 0, *, depth: int = 4, steps: int = 120, lr: float = 2e-2,
                   vocab: int = 10, length: int = 6, batch: int = 32, d_model: int = 32, seed: int = 0) -> dict:
    """Train a fresh encoder to output its input reversed; return the loss of every step.

    Returns ``{"losses": [...], "accuracy": float, "chance": ln(vocab), "settings": {...}}``, the
    accuracy measured on fresh sequences after training. Everything is seeded and runs on one
    thread: the same arguments give the same curve.
    """
    if steps < 1 or depth < 1 or length < 2:
        raise ValueError(f"need steps >= 1, depth >= 1 and length >= 2, got {steps}, {depth}, {length}")
    with torch_threads(1):
        result = _train_reversal(norm_first, warmup, depth, steps, lr, vocab, length, batch, d_model, seed)
    result["settings"] = dict(norm_first=norm_first, warmup=warmup, depth=depth, steps=steps, lr=lr, vocab=vocab,
                              length=length, batch=batch, d_model=d_model, seed=seed)
    return result


def _train_reversal(norm_first, warmup, depth, steps, lr, vocab, length, batch, d_model, seed) -> dict:
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = ReversalEncoder(vocab, d_model, 2, depth, norm_first)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98), foreach=True)
    losses = []
    for step in range(steps):
        for group in opt.param_groups:
            group["lr"] = lr * warmup_factor(step, warmup)
        ids = torch.randint(0, vocab, (batch, length), generator=g)  # (B, T)
        logits = model(ids)  # (B, T, V)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), ids.flip(1).flatten())  # (B·T, V) vs (B·T,)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        ids = torch.randint(0, vocab, (256, length), generator=g)
        accuracy = float((model(ids).argmax(-1) == ids.flip(1)).float().mean())
    return {"losses": losses, "accuracy": accuracy, "chance": math.log(vocab)}
