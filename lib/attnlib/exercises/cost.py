"""Checkers for the chapter on cost and scale: the memory of the weights, and the online softmax."""

from __future__ import annotations

import math

import torch

from attnlib.lessons.cost import MIB, weights_bytes
from . import NOT_ANSWERED, Verdict, guarded

# (B, H, T): every factor differs from 1 and from the others, so each slip gives a different number.
MEMORY_CASES = ((2, 8, 512), (3, 4, 1000), (32, 12, 128), (5, 2, 64))


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)


@guarded
def check_weights_memory(fn) -> Verdict:
    """``fn(B, H, T)`` must give the MiB of one float32 ``(B, H, T, T)`` tensor of attention weights."""
    for b, h, t in MEMORY_CASES:
        answer = fn(b, h, t)
        if answer is None:
            return NOT_ANSWERED
        answer = float(answer)
        right = weights_bytes(b, h, t) / MIB
        if _close(answer, right):
            continue
        slips = [
            (right / b, "The batch is missing: every one of the B sequences has its own weights."),
            (right / h, "The heads are missing: every head computes its own (T, T) map of weights."),
            (right / 4, "Each weight is a float32, 4 bytes: multiply the number of weights by 4."),
            (right / t, "Every query has a weight for every key: the map is T × T, so T², not T."),
            (right * MIB / 1e6, "Close: that is megabytes (10⁶ bytes). A MiB is 2²⁰ = 1,048,576 bytes."),
            (right * MIB, "That is the number of bytes: divide by 2**20 to get MiB."),
            (right * 8, "That counts bits: a float32 is 4 bytes (32 bits)."),
        ]
        for value, hint in slips:
            if _close(answer, value):
                return Verdict(False, f"For B={b}, H={h}, T={t}: {hint}")
        return Verdict(False, f"For B={b}, H={h}, T={t} the weights take {right:g} MiB, you computed {answer:g}. "
                              f"Count the elements of a (B, H, T, T) tensor, times 4 bytes, divided by 2**20.")
    return Verdict(True, "Correct: B·H·T² weights of 4 bytes each. Doubling T quadruples it.")


def _merge_cases():
    gen = torch.Generator().manual_seed(11)
    yield "the larger maximum in the first half", torch.tensor([3.0, 1.0, -1.0]), torch.tensor([0.5, 0.0, 2.0])
    yield "the larger maximum in the second half", torch.tensor([0.1, -0.5, 0.3]), torch.tensor([2.5, -1.0, 4.0, 0.0])
    yield "equal maxima", torch.tensor([1.0, 2.0]), torch.tensor([2.0, -3.0, 0.0])
    yield "random scores", torch.randn(7, generator=gen) * 3, torch.randn(5, generator=gen) * 3
    yield "huge scores", torch.tensor([1000.0, 998.0, 990.0]), torch.tensor([1003.0, 1001.0])


def state_of(scores: torch.Tensor) -> tuple[float, float]:
    """``(m, l)`` of a row of scores: its maximum and ``Σ exp(s - m)``."""
    m = float(scores.max())
    return m, float(torch.exp(scores - m).sum())


@guarded
def check_merge(fn) -> Verdict:
    """``fn(a, b)`` gets the states ``(m, l)`` of two halves of a row of scores and must return the state of
    the whole row: ``m = max(m_a, m_b)``, ``l = l_a·exp(m_a - m) + l_b·exp(m_b - m)``."""
    for name, left, right in _merge_cases():
        a, b = state_of(left), state_of(right)
        result = fn(a, b)
        if result is None:
            return NOT_ANSWERED
        m, l = (float(torch.as_tensor(x)) for x in result)
        right_m, right_l = state_of(torch.cat([left, right]))
        if not (math.isfinite(m) and math.isfinite(l)):
            return Verdict(False, f"Your m or l is inf or NaN for {name}, states {a} and {b}. Never exponentiate "
                                  f"a maximum on its own: exp(1000) overflows. Use differences like exp(m_a − m), "
                                  f"which are at most 1.")
        if not _close(m, right_m):
            return Verdict(False, f"For {name} (states {a} and {b}), m should be the larger of the two maxima, "
                                  f"{right_m:g}; yours is {m:g}.")
        if math.isclose(l, right_l, rel_tol=1e-5):
            continue
        (ma, la), (mb, lb) = a, b
        if math.isclose(l, la + lb, rel_tol=1e-5):
            return Verdict(False, f"For {name}: l_a and l_b are sums against different maxima, m_a = {ma:g} and "
                                  f"m_b = {mb:g}, so they cannot simply be added. Bring each of them to the common "
                                  f"maximum m first, multiplying by exp(m_a − m) and exp(m_b − m): either half may "
                                  f"hold the maximum, so both need the factor.")
        if math.isclose(l, la * math.exp(m - ma) + lb * math.exp(m - mb), rel_tol=1e-5):
            return Verdict(False, f"For {name}: the exponent has the wrong sign. Each sum must shrink to the "
                                  f"larger maximum: multiply by exp(m_a − m), which is at most 1.")
        if math.isclose(l, la * math.exp(ma) + lb * math.exp(mb), rel_tol=1e-5):
            return Verdict(False, f"For {name}: your l is Σ exp(s) over the whole row. The state keeps the sum "
                                  f"relative to the maximum, Σ exp(s − m), so that nothing overflows.")
        return Verdict(False, f"For {name}, the merged l should be {right_l:.6g}; yours is {l:.6g}.")
    return Verdict(True, "Correct: two partial softmax states merge exactly. This is how the work on one row "
                         "can be split between processors and combined at the end.")
