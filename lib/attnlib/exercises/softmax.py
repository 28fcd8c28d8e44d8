"""Checkers for the chapter on softmax and scaling: a stable softmax, and a temperature to aim for."""

from __future__ import annotations

import math

import torch

from . import NOT_ANSWERED, Verdict, guarded

# Scores of one query over five keys, for the temperature exercise.
SCORES = torch.tensor([2.0, 1.0, 0.5, 0.0, -1.0])
TARGET_WEIGHT = 0.9
TEMPERATURE_TOLERANCE = 0.01


def _cases():
    gen = torch.Generator().manual_seed(7)
    yield "small scores", torch.randn(3, 5, generator=gen)
    yield "a batch of rows", torch.randn(2, 4, 6, generator=gen)
    yield "large scores", torch.tensor([[1000.0, 999.0, 990.0], [-1000.0, -1001.0, -1003.0]])
    yield "very different rows", torch.tensor([[0.0, 0.0, 0.0, 0.0], [50.0, 0.0, -50.0, 10.0]])


@guarded
def check_softmax(fn) -> Verdict:
    """``fn(scores)`` must return the softmax of every row (along the last axis), even for huge scores."""
    for name, x in _cases():
        try:
            out = fn(x.clone())
        except RuntimeError as err:
            if "must match the size" in str(err):
                return Verdict(False, f"Shapes do not line up ({err}). A max or sum over the last axis drops that "
                                      "axis; keep it with keepdim=True so that it broadcasts against the scores.")
            raise
        if out is None:
            return NOT_ANSWERED
        out = torch.as_tensor(out, dtype=torch.float32)
        ref = torch.softmax(x, dim=-1)
        if out.shape != ref.shape:
            return Verdict(False, f"The weights must have the shape of the scores, {tuple(ref.shape)}; "
                                  f"yours is {tuple(out.shape)}.")
        if not torch.isfinite(out).all():
            return Verdict(False, f"Your softmax returns inf or NaN for {name} like {x[0].tolist()}: exp(1000) "
                                  "overflows to inf (and a row whose exps all underflow to 0 gives 0/0). "
                                  "Subtract each row's own maximum before exp; the weights do not change.")
        if torch.allclose(out, ref, atol=1e-5):
            continue
        if x.dim() >= 2 and torch.allclose(out, torch.softmax(x, dim=0), atol=1e-5):
            return Verdict(False, "Each *row* must sum to one: take the max and the sum along the last axis "
                                  "(dim=-1, keepdim=True), not dim=0.")
        if torch.allclose(out.sum(-1), torch.ones(out.shape[:-1]), atol=1e-4):
            return Verdict(False, f"Your rows sum to one but the weights differ from softmax for {name}. Is the "
                                  "maximum you subtract taken along the same axis as the sum?")
        return Verdict(False, f"The rows of your output do not sum to one for {name}: divide exp(scores) by "
                              "its sum along the last axis (keepdim=True so that it broadcasts).")
    return Verdict(True, "Correct: your softmax matches torch.softmax, huge scores included.")


def top_weight(temperature: float, scores: torch.Tensor = SCORES) -> float:
    return torch.softmax(scores / temperature, dim=-1).max().item()


def largest_temperature(target: float = TARGET_WEIGHT, scores: torch.Tensor = SCORES) -> float:
    """The largest temperature whose top weight still reaches ``target`` (by bisection: the top weight
    only falls as the temperature rises)."""
    lo, hi = 1e-3, 100.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if top_weight(mid, scores) >= target else (lo, mid)
    return lo


@guarded
def check_largest_temperature(answer) -> Verdict:
    """The largest temperature at which the top weight of softmax(SCORES / T) is still ≥ 0.9."""
    t = float(answer)
    if not math.isfinite(t) or t <= 0:
        return Verdict(False, "A temperature is a positive number: the scores are divided by it.")
    best = largest_temperature()
    w = top_weight(t)
    if abs(t - best) <= TEMPERATURE_TOLERANCE:
        return Verdict(True, f"Correct: the top weight reaches exactly 0.9 at τ ≈ {best:.3f}, and your τ = {t:g} "
                             f"is within {TEMPERATURE_TOLERANCE:g} of it.")
    if t > best:
        return Verdict(False, f"Too warm: at τ = {t:g} the top weight is only {w:.3f}. Lower the temperature.")
    return Verdict(False, f"At τ = {t:g} the top weight is {w:.3f}, above 0.9 indeed, but a warmer temperature "
                          "still reaches 0.9. Find the largest one.")
