"""Checkers for the chapter on why attention: blending by hand, and a soft lookup."""

from __future__ import annotations

import math

import torch

from attnlib.lessons import toy
from . import NOT_ANSWERED, Verdict, guarded

BLEND_WORDS = ("cat", "mat", "sat")
_BLEND_SOLUTION = (0.5, 0.25, 0.25)


def blend(weights) -> torch.Tensor:
    """The weighted average ``(F,)`` of the vectors of :data:`BLEND_WORDS`."""
    w = torch.as_tensor(weights, dtype=torch.float32).flatten()  # (3,)
    return w @ toy.embed(list(BLEND_WORDS))  # (F,)


BLEND_TARGET = blend(_BLEND_SOLUTION)  # (F,)


def target_features() -> dict[str, float]:
    """The target vector, feature by feature (only the non-zero features)."""
    return {f: round(v, 3) for f, v in zip(toy.FEATURES, BLEND_TARGET.tolist()) if v}


@guarded
def check_blend(weights) -> Verdict:
    """Three weights for (cat, mat, sat) whose weighted average is :data:`BLEND_TARGET`."""
    try:
        w = [float(x) for x in weights]
    except (TypeError, ValueError):
        return Verdict(False, "Give three numbers, one weight per word, e.g. [0.2, 0.3, 0.5].")
    if len(w) != len(BLEND_WORDS):
        return Verdict(False, f"Give one weight per word: {len(BLEND_WORDS)} numbers for {BLEND_WORDS}, "
                              f"you gave {len(w)}.")
    if any(not math.isfinite(x) for x in w):
        return Verdict(False, "The weights must be ordinary finite numbers.")
    if min(w) < 0:
        return Verdict(False, "A weight is negative. Attention's weights come out of a softmax, so they are "
                              "never below zero.")
    if abs(sum(w) - 1) > 1e-3:
        return Verdict(False, f"Your weights add up to {sum(w):g}, not 1. Attention takes a weighted *average*: "
                              "the weights must sum to one.")
    got = blend(w)
    if torch.allclose(got, BLEND_TARGET, atol=2e-3):
        return Verdict(True, "Correct: " + ", ".join(f"{x:g} × {word}" for x, word in zip(w, BLEND_WORDS))
                       + " lands exactly on the target.")
    worst = int((got - BLEND_TARGET).abs().argmax())
    feature = toy.FEATURES[worst]
    owners = [word for word in BLEND_WORDS if toy.embed([word])[0, worst] != 0]
    return Verdict(False, f"Close the gap feature by feature: your blend has {feature} = {got[worst]:.3f}, the "
                          f"target {BLEND_TARGET[worst]:.3f}. Only {' and '.join(owners)} "
                          f"{'carries' if len(owners) == 1 else 'carry'} {feature}.")


def soft_lookup_reference(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """softmax(keys · query / √d) · values: ``(d,)``, ``(n, d)``, ``(n, dv)`` -> ``(dv,)``."""
    weights = torch.softmax(keys @ query / math.sqrt(query.shape[-1]), dim=-1)  # (n,)
    return weights @ values  # (dv,)


def _cases():
    gen = torch.Generator().manual_seed(3)
    for n, d, dv in ((4, 2, 3), (6, 8, 5), (3, 16, 1)):
        yield (torch.randn(d, generator=gen), torch.randn(n, d, generator=gen),
               torch.randn(n, dv, generator=gen))


@guarded
def check_soft_lookup(fn) -> Verdict:
    """``fn(query (d,), keys (n, d), values (n, dv)) -> (dv,)``: the soft lookup of one query."""
    for q, k, v in _cases():
        out = fn(q, k, v)
        if out is None:
            return NOT_ANSWERED
        out = torch.as_tensor(out, dtype=torch.float32)
        ref = soft_lookup_reference(q, k, v)
        if out.shape != ref.shape:
            if out.shape == (k.shape[0],):
                return Verdict(False, "You returned one number per key: those are the weights. Return the "
                                      "weighted average of the values, weights @ values.")
            return Verdict(False, f"The output should be one value-sized vector, shape {tuple(ref.shape)}; "
                                  f"yours is {tuple(out.shape)}.")
        if torch.allclose(out, ref, atol=1e-4):
            continue
        scores = k @ q
        if torch.allclose(out, v[int(scores.argmax())], atol=1e-4):
            return Verdict(False, "That is a hard lookup: you returned the value of the best key only. Attention "
                                  "blends *all* values, weighted by the softmax of the scores.")
        if torch.allclose(out, torch.softmax(scores, -1) @ v, atol=1e-4):
            return Verdict(False, "Almost: divide the scores by √d (the width of query and key) before softmax.")
        if torch.allclose(out, (scores / math.sqrt(q.shape[-1])) @ v, atol=1e-4):
            return Verdict(False, "Scores are not weights: turn them into weights with a softmax first, so that "
                                  "they are positive and sum to one.")
        return Verdict(False, "The output differs from softmax(keys·query/√d) @ values. Print the weights "
                              "for a small case and check that they sum to one.")
    return Verdict(True, "Correct: your soft lookup matches on every test case.")
