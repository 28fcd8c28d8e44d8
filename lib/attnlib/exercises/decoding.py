"""Checkers for the decoding chapter: one greedy step, and the length-normalised beam score."""

from __future__ import annotations

import math

import torch

from attnlib.lessons.stepwise import normalised_score
from . import NOT_ANSWERED, Verdict, guarded


def _logit_cases():
    gen = torch.Generator().manual_seed(3)
    for b, v in ((4, 11), (1, 7), (6, 6)):  # the square case hides an axis mix-up from shape checks
        yield torch.randn(b, v, generator=gen) * 3


@guarded
def check_greedy_step(fn) -> Verdict:
    """``fn(logits (B, V)) -> ids (B,)``: the most likely next token of every sentence in the batch."""
    for logits in _logit_cases():
        result = fn(logits.clone())
        if result is None:
            return NOT_ANSWERED
        ids = torch.as_tensor(result)
        expected = logits.argmax(-1)
        if ids.is_floating_point():
            if ids.shape == expected.shape and torch.allclose(ids, logits.max(-1).values):
                return Verdict(False, "You returned the largest *scores*. Greedy search needs the *token ids*: "
                                      "use argmax (or .max(-1).indices), not .max(-1).values.")
            if ids.shape == logits.shape:
                return Verdict(False, "You returned a whole distribution per sentence. Pick one token id per "
                                      "sentence: the argmax over the vocabulary.")
            return Verdict(False, "Return integer token ids (one per sentence), e.g. logits.argmax(dim=-1).")
        if ids.shape != expected.shape:
            if ids.shape == logits.argmax(0).shape:
                return Verdict(False, f"Your result has one entry per vocabulary word ({logits.shape[1]}), not one "
                                      f"per sentence ({logits.shape[0]}): take the argmax along the vocabulary "
                                      "axis (dim=-1), not dim=0.")
            return Verdict(False, f"Expected one id per sentence, shape {tuple(expected.shape)}; "
                                  f"yours has shape {tuple(ids.shape)}.")
        if not torch.equal(ids.long(), expected):
            if logits.shape[0] == logits.shape[1] and torch.equal(ids.long(), logits.argmax(0)):
                return Verdict(False, "For a square batch your ids are the argmax over the *sentences* (dim=0). "
                                      "The vocabulary is the last axis: argmax(dim=-1).")
            if torch.equal(ids.long(), logits.argmin(-1)):
                return Verdict(False, "You picked the *least* likely token: use argmax, not argmin.")
            return Verdict(False, "Some ids are not the most likely token. Greedy search takes the argmax of "
                                  "each row of logits.")
    return Verdict(True, "Correct: one argmax per row of logits. (Softmax first would give the same ids: "
                         "it never changes which entry is largest.)")


_SCORE_CASES = ((-2.0, 4, 0.6), (-3.5, 12, 1.0), (-1.2, 3, 0.0), (-7.3, 20, 0.6), (-0.4, 1, 1.5))


@guarded
def check_normalised_score(fn) -> Verdict:
    """``fn(log_prob, length, alpha) -> log_prob / length ** alpha``."""
    for lp, n, alpha in _SCORE_CASES:
        got = fn(lp, n, alpha)
        if got is None:
            return NOT_ANSWERED
        got = float(got)
        want = normalised_score(lp, n, alpha)
        if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9):
            continue
        if math.isclose(got, lp * n**alpha, rel_tol=1e-6):
            return Verdict(False, "You multiplied by length^α. Divide instead: a longer output has a more "
                                  "negative log p, and dividing by a bigger number gives it back a fair chance.")
        if math.isclose(got, lp / n, rel_tol=1e-6):
            return Verdict(False, "You divided by the length itself. The penalty is length**alpha: α = 0 means "
                                  "no normalisation, α = 1 the average log-probability per token.")
        if math.isclose(got, lp / (n * alpha), rel_tol=1e-6) if alpha else False:
            return Verdict(False, "You divided by length × α. The exponent matters: length ** alpha.")
        if math.isclose(got, -lp / n**alpha, rel_tol=1e-6):
            return Verdict(False, "Your sign is flipped: log-probabilities are negative and so is the score; "
                                  "the best output has the score closest to zero.")
        return Verdict(False, f"For log p = {lp}, length {n}, α = {alpha} the score should be {want:.4f}; "
                              f"yours is {got:.4f}.")
    return Verdict(True, "Correct: log p / length^α, the score beam search ranks finished outputs by.")
