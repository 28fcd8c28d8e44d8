"""Checkers for "Inside the translator": alignment accuracy of one map, and reading the head heatmap."""

from __future__ import annotations

import math

import torch

from attnlib.translation.alignment import HeadHits, alignment_accuracy, gold_matrix
from . import NOT_ANSWERED, Verdict, guarded


def _cases():
    """(weights (T, S), alignment) pairs: French rows × English columns, some French rows unaligned."""
    gen = torch.Generator().manual_seed(0)
    shapes_and_links = (
        # 5 French tokens (the last, <eos>, unaligned) × 4 English tokens; a crossing and a one-to-two link
        ((5, 4), ((0, 0), (1, 2), (2, 1), (3, 3), (2, 3))),
        # square, so that an argmax over the wrong axis has the right shape
        ((4, 4), ((0, 0), (1, 1), (3, 2))),
        # 7 × 6 with two unaligned French rows
        ((7, 6), ((0, 0), (1, 1), (2, 3), (3, 2), (4, 4), (5, 5))),
    )
    for (t, s), links in shapes_and_links:
        weights = torch.randn(t, s, generator=gen).mul(2).softmax(-1)  # (T, S): rows sum to 1
        gold = gold_matrix(links, t, s)
        # make about half the aligned rows point at a gold word, so the answer is neither 0 nor 1
        for j in range(0, t, 2):
            if gold[j].any():
                weights[j, int(gold[j].nonzero()[0])] += 1.0
        yield weights / weights.sum(-1, keepdim=True), links


def _links_by_french(links) -> dict[int, set[int]]:
    gold: dict[int, set[int]] = {}
    for i, j in links:
        gold.setdefault(j, set()).add(i)
    return gold


def _argmax_dim0(weights, links) -> float | None:
    """The right recipe with ``argmax(dim=0)``: best[j] is then a French row, not an English column."""
    best, gold = weights.argmax(0), _links_by_french(links)  # (S,)
    if max(gold) >= len(best):
        return None
    return sum(int(best[j]) in ii for j, ii in gold.items()) / len(gold)


def _all_rows(weights, links) -> float:
    """The right hits, divided by every French row (unaligned ones such as <eos> included)."""
    best, gold = weights.argmax(-1), _links_by_french(links)
    return sum(int(best[j]) in ii for j, ii in gold.items()) / weights.shape[0]


def _swapped(weights, links) -> float | None:
    """Links read as (French, English)."""
    best, gold = weights.argmax(-1), {}
    for i, j in links:
        gold.setdefault(i, set()).add(j)
    if max(gold) >= len(best):
        return None
    return sum(int(best[j]) in ii for j, ii in gold.items()) / len(gold)


@guarded
def check_alignment_accuracy(fn) -> Verdict:
    """``fn(weights (T, S), alignment [(english i, french j), …]) -> float`` in [0, 1]."""
    for weights, links in _cases():
        got = fn(weights.clone(), list(links))
        if got is None:
            return NOT_ANSWERED
        got = float(got)
        want = alignment_accuracy(weights, links)
        if math.isclose(got, want, abs_tol=1e-6):
            continue
        n_aligned = int(gold_matrix(links, *weights.shape).any(-1).sum())
        if got > 1:
            if math.isclose(got, want * n_aligned, abs_tol=1e-6):
                return Verdict(False, "That is the number of hits. Divide by the number of French tokens that "
                                      "have a gold link to get a share between 0 and 1.")
            return Verdict(False, f"An accuracy lies between 0 and 1; you returned {got:.3f}.")
        if math.isclose(got, _all_rows(weights, links), abs_tol=1e-6):
            return Verdict(False, "You divided by every French token, including those without a gold link "
                                  "(such as <eos>). Count only the French tokens that the alignment links.")
        dim0 = _argmax_dim0(weights, links)
        if dim0 is not None and math.isclose(got, dim0, abs_tol=1e-6):
            return Verdict(False, "Each French token (a row) looks somewhere in the English: take the argmax "
                                  "along the English axis, argmax(dim=-1), not dim=0.")
        swapped = _swapped(weights, links)
        if swapped is not None and math.isclose(got, swapped, abs_tol=1e-6):
            return Verdict(False, "The links are (English i, French j): French token j is row j, English "
                                  "token i is column i. You read them the other way round.")
        return Verdict(False, f"For this {tuple(weights.shape)} map the accuracy should be {want:.3f}; yours is "
                              f"{got:.3f}. For each French row with a gold link: is its argmax column one of "
                              f"its gold English tokens?")
    return Verdict(True, "Correct: argmax along the English axis, hits counted over the aligned French tokens only.")


@guarded
def check_best_head(answer, table: HeadHits) -> Verdict:
    """``answer = (layer, head)``, counted from 1 as in the heatmap."""
    layer, head, acc = table.best_head()
    try:
        a_layer, a_head = (int(x) for x in answer)
    except (TypeError, ValueError):
        return Verdict(False, "Answer with two numbers, (layer, head), counted from 1 as on the heatmap's axes.")
    if (a_layer, a_head) == (layer + 1, head + 1):
        return Verdict(True, f"Correct: layer {layer + 1}, head {head + 1} hits the gold alignment "
                             f"{100 * acc:.1f}% of the time.")
    if (a_layer, a_head) == (layer, head):
        return Verdict(False, "Close: you counted from 0. The heatmap counts layers and heads from 1.")
    return Verdict(False, "Not that one: find the darkest (largest) cell of the heatmap and read its row and column.")
