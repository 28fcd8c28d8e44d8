"""Checkers for the queries-keys-values chapter."""

from __future__ import annotations

import math

import torch

from attnlib.model.attention import scaled_dot_product_attention
from . import NOT_ANSWERED, Verdict, guarded


def _cases():
    gen = torch.Generator().manual_seed(1)
    for tq, tk, d in ((3, 5, 4), (6, 6, 16), (1, 7, 8)):
        yield torch.randn(tq, d, generator=gen), torch.randn(tk, d, generator=gen), torch.randn(tk, 3, generator=gen)


@guarded
def check_attention(fn) -> Verdict:
    """``fn(Q, K, V) -> (output, weights)`` must compute softmax(QKᵀ/√d)V."""
    for q, k, v in _cases():
        result = fn(q, k, v)
        if result is None:
            return NOT_ANSWERED
        out, weights = result
        ref_out, ref_w = scaled_dot_product_attention(q, k, v, need_weights=True)
        weights = torch.as_tensor(weights, dtype=torch.float32)
        if weights.shape != ref_w.shape:
            return Verdict(False, f"weights should have one row per query and one column per key: "
                                  f"shape {tuple(ref_w.shape)}, yours is {tuple(weights.shape)}")
        if not torch.allclose(weights, ref_w, atol=1e-4):
            scores = q @ k.T
            if torch.allclose(weights, scores.softmax(-1), atol=1e-4):
                return Verdict(False, "Close: your weights are softmax(QKᵀ). Divide the scores by √d_k first.")
            if torch.allclose(weights, (scores / math.sqrt(q.shape[-1])).softmax(0), atol=1e-4):
                return Verdict(False, "Each *query's* weights must sum to 1: take the softmax along the keys "
                                      "(dim=-1), not dim=0.")
            return Verdict(False, "The weights differ from softmax(QKᵀ/√d_k). Print your scores for a small "
                                  "case and compare.")
        if out is None or torch.as_tensor(out).shape != ref_out.shape or not torch.allclose(
            torch.as_tensor(out, dtype=torch.float32), ref_out, atol=1e-4
        ):
            return Verdict(False, "The weights are right, but the output is not weights @ V.")
    return Verdict(True, "Correct: your attention matches the library on every test case.")


@guarded
def check_top_key(answer: str, words: list[str], weights: torch.Tensor, query: str) -> Verdict:
    """The word that ``query`` gives the largest weight."""
    i = words.index(query)
    best = words[int(torch.argmax(weights[i]))]
    if str(answer).strip().lower() == best:
        return Verdict(True, f"Correct: “{query}” gives most weight to “{best}” ({float(weights[i].max()):.2f}).")
    return Verdict(False, f"Not quite: look at the row of “{query}” in the heatmap and find its darkest cell.")
