"""Checkers for the encoder-only chapter: what a chosen position reads under BERT's 80/10/10 recipe, and the
masked-word loss at the chosen positions only."""

from __future__ import annotations

import math

import torch

from attnlib.lm.data import MASK, MASK_SHARES
from . import NOT_ANSWERED, Verdict, guarded

WORD, RANDOM_WORD = "cat", "spoon"
MASKED_SHARE, RANDOM_SHARE, _ = MASK_SHARES
# uniform numbers to try, the edges of the three bands among them (0.8 and 0.9 open the second and the third)
_UNIFORMS = (0.0, 0.31, 0.79, 0.7999, 0.8, 0.83, 0.8999, 0.9, 0.93, 0.9999)


def reads(word: str, u: float, random_word: str) -> str:
    """What a chosen position reads, as :func:`attnlib.lm.data.masked_batch` decides it from one uniform number
    ``u`` in [0, 1): ``<mask>`` below 0.8, ``random_word`` from 0.8 up to 0.9, the word itself from 0.9 on."""
    if u < MASKED_SHARE:
        return MASK
    if u < MASKED_SHARE + RANDOM_SHARE:
        return random_word
    return word


def _band(u: float) -> str:
    return "[0, 0.8)" if u < MASKED_SHARE else "[0.8, 0.9)" if u < MASKED_SHARE + RANDOM_SHARE else "[0.9, 1)"


@guarded
def check_reads(fn) -> Verdict:
    """``fn(word, u, random_word) -> str``: what a chosen position reads for the uniform number ``u``."""
    got = {u: fn(WORD, u, RANDOM_WORD) for u in _UNIFORMS}
    if all(v is None for v in got.values()):
        return NOT_ANSWERED
    want = {u: reads(WORD, u, RANDOM_WORD) for u in _UNIFORMS}
    if got == want:
        return Verdict(True, "Correct: <mask> 80 % of the time, a random word 10 %, the word itself 10 %, "
                             "decided by one uniform number as the library decides it.")
    if all(v == MASK for v in got.values()):
        return Verdict(False, "Every chosen position reads <mask>. Only 80 % should: 10 % read a random word and "
                              "10 % keep their word, so that the model learns from every word it reads.")
    if all(got[u] == {MASK: MASK, RANDOM_WORD: WORD, WORD: RANDOM_WORD}[want[u]] for u in _UNIFORMS):
        return Verdict(False, "The random word and the unchanged word are swapped: both shares are 10 %, but the "
                              "library gives the random word to u in [0.8, 0.9) and keeps the word from 0.9 on.")
    wrong = [u for u in _UNIFORMS if got[u] != want[u]]
    if all(u in (0.8, 0.9) for u in wrong):
        return Verdict(False, f"Check the edges: u = {wrong[0]} opens the band {_band(wrong[0])}, so it should read "
                              f"{want[wrong[0]]!r}, not {got[wrong[0]]!r}. Use u < 0.8 and u < 0.9, not <=.")
    u = wrong[0]
    return Verdict(False, f"For u = {u} (in {_band(u)}) the position should read {want[u]!r}; yours reads "
                          f"{got[u]!r}. Below 0.8: {MASK!r}; from 0.8 up to 0.9: the random word; from 0.9: the word.")


def masked_loss(logits: torch.Tensor, target: torch.Tensor, pad_id: int) -> torch.Tensor:
    """The masked-word loss: the mean of -ln p(target) over the positions whose target is not ``pad_id``.
    ``logits (B, T, V)``, ``target (B, T)``; :func:`attnlib.lm.train.batch_loss` computes it from a model."""
    return torch.nn.functional.cross_entropy(logits.flatten(0, 1), target.flatten(), ignore_index=pad_id)


def _loss_cases():
    gen = torch.Generator().manual_seed(14)
    pad = 0
    for b, t, v, rows in ((2, 6, 9, ((1, 4), (2,))), (3, 5, 7, ((1,), (1, 2, 3), (4,)))):
        logits = torch.randn(b, t, v, generator=gen) * 2  # (B, T, V)
        target = torch.full((b, t), pad)  # (B, T): <pad> where nothing was chosen
        for i, positions in enumerate(rows):  # sentences with different numbers of chosen words
            for p in positions:
                target[i, p] = int(torch.randint(1, v, (1,), generator=gen))
        yield logits, target, pad


@guarded
def check_masked_loss(fn) -> Verdict:
    """``fn(logits (B, T, V), target (B, T), pad_id) -> loss``: mean cross-entropy over the chosen positions."""
    for logits, target, pad in _loss_cases():
        got = fn(logits.clone(), target.clone(), pad)
        if got is None:
            return NOT_ANSWERED
        got = torch.as_tensor(got, dtype=torch.float64)
        if got.numel() != 1:
            return Verdict(False, f"Return one number, the mean over the chosen positions; yours has shape "
                                  f"{tuple(got.shape)}.")
        got = float(got)
        want = float(masked_loss(logits, target, pad))
        if math.isclose(got, want, rel_tol=1e-5, abs_tol=1e-6):
            continue
        log_probs = torch.log_softmax(logits, dim=-1)
        picked = -log_probs.gather(-1, target[..., None])[..., 0]  # (B, T): -ln p(target) everywhere
        chosen = target != pad
        if math.isclose(got, float(picked.mean()), rel_tol=1e-5):
            return Verdict(False, "You averaged over every position, the unchosen ones too. The loss counts only "
                                  "the chosen positions: those whose target is not pad_id.")
        if math.isclose(got, float(picked[chosen].sum()), rel_tol=1e-5):
            return Verdict(False, "You summed the losses of the chosen positions: take their mean, so that the loss "
                                  "does not grow with the number of words chosen.")
        if math.isclose(got, -want, rel_tol=1e-5):
            return Verdict(False, "Your sign is flipped: the loss is minus the log-probability, a positive number.")
        per_sentence = [float(picked[i][chosen[i]].mean()) for i in range(len(target)) if chosen[i].any()]
        if math.isclose(got, sum(per_sentence) / len(per_sentence), rel_tol=1e-5):
            return Verdict(False, "You averaged each sentence first, then the sentences. Each chosen word counts once: "
                                  "take one mean over all the chosen positions of the batch.")
        raw = -logits.gather(-1, target[..., None])[..., 0]  # (B, T): no softmax
        if math.isclose(got, float(raw[chosen].mean()), rel_tol=1e-5):
            return Verdict(False, "You used the raw scores. Turn them into log-probabilities first: "
                                  "torch.log_softmax(logits, dim=-1).")
        return Verdict(False, f"The loss should be {want:.4f}; yours is {got:.4f}. Take -log_softmax at the target "
                              "of every chosen position (target != pad_id), and their mean.")
    return Verdict(True, "Correct: the mean of -ln p(word) over the chosen positions only, the loss the book's "
                         "BERT was trained on.")
