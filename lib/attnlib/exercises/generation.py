"""Checkers for the chapter on the book's GPT: a temperature, and a top-k filter."""

from __future__ import annotations

import torch

from attnlib.lm.sampling import next_token_distribution
from . import NOT_ANSWERED, Verdict, guarded


def _logit_cases():
    gen = torch.Generator().manual_seed(5)
    for v in (9, 30, 4):
        yield torch.randn(v, generator=gen, dtype=torch.float64) * 2.5


def _as_probs(result, v: int) -> torch.Tensor | Verdict:
    probs = torch.as_tensor(result, dtype=torch.float64)
    if probs.shape != (v,):
        return Verdict(False, f"Return one probability per token of the vocabulary, shape ({v},); "
                              f"yours has shape {tuple(probs.shape)}.")
    return probs


@guarded
def check_temperature(fn) -> Verdict:
    """``fn(logits (V,), T) -> probs (V,)``: the softmax of ``logits / T``, for T > 0."""
    for logits in _logit_cases():
        for t in (0.5, 1.0, 2.0):
            result = fn(logits.clone(), t)
            if result is None:
                return NOT_ANSWERED
            probs = _as_probs(result, len(logits))
            if isinstance(probs, Verdict):
                return probs
            want = next_token_distribution(logits, t)
            if torch.allclose(probs, want, atol=1e-6):
                continue
            if not torch.isclose(probs.sum(), torch.tensor(1.0, dtype=torch.float64), atol=1e-6):
                return Verdict(False, f"Your probabilities add up to {float(probs.sum()):.4f}, not 1: finish with a "
                                      "softmax over the vocabulary.")
            if torch.allclose(probs, torch.softmax(logits * t, -1), atol=1e-6):
                return Verdict(False, "You multiplied the logits by T. Divide them: a temperature below 1 must "
                                      "*sharpen* the distribution, and dividing by a small T makes the gaps larger.")
            if torch.allclose(probs, torch.softmax(logits, -1), atol=1e-6):
                return Verdict(False, f"At T = {t} your distribution is the plain softmax: the temperature is not "
                                      "used. Divide the logits by T before the softmax.")
            return Verdict(False, f"At T = {t} the probabilities should be softmax(logits / T); yours differ.")
    return Verdict(True, "Correct: softmax(logits / T), chapter 3's temperature. Below 1 the likeliest word "
                         "gains, above 1 the unlikely ones do.")


@guarded
def check_top_k(fn) -> Verdict:
    """``fn(probs (V,), k) -> probs (V,)``: the k likeliest tokens keep their probabilities, renormalised to
    sum to 1; every other token gets 0."""
    for logits in _logit_cases():
        probs = torch.softmax(logits, -1)
        for k in (1, 3, len(probs)):
            result = fn(probs.clone(), k)
            if result is None:
                return NOT_ANSWERED
            got = _as_probs(result, len(probs))
            if isinstance(got, Verdict):
                return got
            want = next_token_distribution(logits, 1.0, top_k=k)
            if torch.allclose(got, want, atol=1e-6):
                continue
            kept = int((got > 0).sum())
            if kept != min(k, len(probs)):
                return Verdict(False, f"With k = {k} exactly {min(k, len(probs))} tokens should keep a probability "
                                      f"above 0; yours keeps {kept}.")
            if not torch.isclose(got.sum(), torch.tensor(1.0, dtype=torch.float64), atol=1e-6):
                return Verdict(False, f"The kept probabilities add up to {float(got.sum()):.4f}: divide them by "
                                      "their sum so that they add up to 1 again.")
            return Verdict(False, f"With k = {k} the tokens kept must be the {k} likeliest; some of yours are not.")
    return Verdict(True, "Correct: the k likeliest tokens, renormalised. With k = 1 this is greedy decoding; "
                         "with k = V it changes nothing.")
