"""From next-token logits to one token: temperature, top-k, top-p, and a draw by inverse CDF.

    probs = next_token_distribution(logits, temperature=0.8, top_k=20, top_p=0.9)   # (V,) float64
    token = draw(probs, rng.random())                                                # an id

The filters apply in this order, each to what the previous one left:

1. **temperature** T divides the logits: T < 1 sharpens the distribution, T > 1 flattens it, and
   T = 0 is greedy decoding: all the mass on the most likely token.
2. **top-k** keeps the k most likely tokens (``None`` or 0: all of them).
3. **top-p** (nucleus) keeps the smallest set of most likely tokens whose probabilities, renormalised
   after top-k, add up to at least p (1.0: all of them).

Ties, wherever a rank is needed (the argmax, the k best, the nucleus), go to the **lower id**.

This docstring specifies the page's JavaScript twin, ``attnlib/book/lm_sampling.js``. Everything is
computed in float64, and every sum is taken left to right, one addition at a time: over the kept tokens
best first for the softmax's total and the nucleus (a token before another if its probability is higher,
or equal with a lower id), and over the ids in increasing order for :func:`draw`. (Python's own ``sum``
is not used: since 3.12 it compensates its rounding, which a plain JavaScript loop would not.) Given the
same probabilities and the same uniform number, :func:`draw` then picks the same token in both
languages; the probabilities themselves go through ``exp``, whose last bit may differ between C's and
JavaScript's libraries (a test holds the twin to 1e-12, the kept tokens and the tokens drawn exactly).

Shape letters: V vocabulary.
"""

from __future__ import annotations

import math
from itertools import accumulate
from numbers import Integral, Real

import torch

SUM_TOLERANCE = 1e-6  # how far from 1 a distribution handed to draw() may sum (float32 softmaxes land within it)


# What check_sampling says of each bad argument, ``{value}`` being its repr(); the page's script says the same
# from language_models.json (lm_sampling.js)
SAMPLING_MESSAGES = {
    "temperature": "temperature must be a finite number >= 0 (0 means greedy: always the most likely token), "
                   "got {value}",
    "top_k": "top_k must be a whole number >= 0 (None or 0 keeps every token), got {value}",
    "top_p": "top_p must be a number in (0, 1] (1 keeps every token), got {value}",
}


def check_sampling(temperature, top_k, top_p) -> None:
    """A ValueError that names the argument, before any work: T >= 0 and finite, k a whole number >= 0 or
    None, p in (0, 1]."""
    if isinstance(temperature, bool) or not isinstance(temperature, Real) or not math.isfinite(temperature) \
            or temperature < 0:
        raise ValueError(SAMPLING_MESSAGES["temperature"].format(value=repr(temperature)))
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, Integral) or top_k < 0):
        raise ValueError(SAMPLING_MESSAGES["top_k"].format(value=repr(top_k)))
    if isinstance(top_p, bool) or not isinstance(top_p, Real) or not 0 < top_p <= 1:  # NaN fails the comparison
        raise ValueError(SAMPLING_MESSAGES["top_p"].format(value=repr(top_p)))


def _check_logits(logits) -> list[float]:
    if not isinstance(logits, torch.Tensor) or logits.dim() != 1 or logits.numel() == 0:
        shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ValueError(f"logits must be one tensor of scores, one per vocabulary entry, shape (V,); got {shape}: "
                         f"for a model's output (B, T, V) take one row, e.g. logits[0, -1]")
    if not logits.is_floating_point():
        raise ValueError(f"logits must hold floating-point scores, got dtype {logits.dtype}")
    values = logits.detach().to("cpu", torch.float64).tolist()  # float32 -> float64 is exact
    if any(math.isnan(x) or x == math.inf for x in values):
        raise ValueError("logits must be finite, or -inf for a token ruled out; they hold NaN or +inf")
    if max(values) == -math.inf:
        raise ValueError("every logit is -inf: no token is left to choose")
    return values


def ranked(values: list[float]) -> list[int]:
    """The ids from the highest score to the lowest, a lower id first among equal scores."""
    return sorted(range(len(values)), key=lambda i: (-values[i], i))


def next_token_distribution(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                            top_p: float = 1.0) -> torch.Tensor:
    """The next token's probabilities ``(V,)`` float64 after temperature, top-k and top-p, from ``logits (V,)``.

    Tokens the filters drop get exactly 0; the kept ones share the mass in proportion to
    ``exp(logit / temperature)`` and sum to 1. Temperature 0 puts all the mass on the argmax (the lower
    id among equal maxima).
    """
    check_sampling(temperature, top_k, top_p)
    values = _check_logits(logits)
    order = ranked(values)  # ids, best first
    probs = torch.zeros(len(values), dtype=torch.float64)  # (V,)
    if temperature == 0:
        probs[order[0]] = 1.0
        return probs
    best = values[order[0]]
    # exp((x - best) / T): shifted by the maximum so nothing overflows, however small T is; the best
    # token gets exp(0) = 1, so the total is never 0. Tokens at -inf get exp(-inf) = 0.
    weights = [math.exp((values[i] - best) / temperature) for i in order]  # best first
    kept = len(order) if not top_k else min(int(top_k), len(order))
    weights = weights[:kept]
    total = list(accumulate(weights))[-1]  # left to right, best first
    mass = [w / total for w in weights]
    if top_p < 1.0:
        # the smallest prefix whose running sum reaches p; if rounding keeps it short of p, every token
        running = list(accumulate(mass))
        kept = next((n + 1 for n, s in enumerate(running) if s >= top_p), len(mass))
        total = running[kept - 1]
        mass = [m / total for m in mass[:kept]]
    probs[order[:kept]] = torch.tensor(mass, dtype=torch.float64)
    return probs


def draw(probs, u: float) -> int:
    """The token whose slice of [0, 1) holds ``u``: the first id whose running sum of ``probs`` exceeds ``u``.

    ``probs`` is a distribution ``(V,)`` (a tensor or a sequence of floats) and ``u`` one uniform number
    in [0, 1) (from :class:`attnlib.lm.prng.Mulberry32`). The running sum is taken in float64, left to
    right in id order, so the page's JavaScript picks the same token from the same numbers. A token of
    probability 0 is never picked; if rounding leaves the total just below a ``u`` close to 1, the last
    token of nonzero probability is.
    """
    if isinstance(u, bool) or not isinstance(u, Real) or not 0 <= u < 1:
        raise ValueError(f"u must be a uniform number in [0, 1), got {u!r}")
    if isinstance(probs, torch.Tensor):
        if probs.dim() != 1:
            raise ValueError(f"probs must be one distribution, shape (V,); got {tuple(probs.shape)}")
        probs = probs.detach().to("cpu", torch.float64).tolist()
    values = [float(p) for p in probs]
    if not values or any(not math.isfinite(p) or p < 0 for p in values):
        raise ValueError("probs must be a non-empty list of finite probabilities >= 0")
    running = list(accumulate(values))  # the CDF, id by id
    if abs(running[-1] - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"probs must sum to 1, they sum to {running[-1]!r}: pass a distribution, not logits")
    u = float(u)
    for token, edge in enumerate(running):
        if u < edge:
            return token
    return max(i for i, p in enumerate(values) if p > 0)
