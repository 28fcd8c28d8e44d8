"""Scoring the language models as the n-gram baseline is scored, so that the numbers compare.

    perplexity(model, vocab, sentences)                  # the causal model, the convention of attnlib.lm.ngram
    cases = fill_cases(sentences, seed=0)                # one hidden word per sentence, the same for every model
    fill_scores(model, vocab, cases)                     # the masked model: FillScores(pseudo-perplexity, top-1, top-5)
    ngram_fill_scores(ngram_model, cases)                # the trigram on the same cases

**Perplexity** (the causal model) follows :mod:`attnlib.lm.ngram`'s convention: a sentence is its
whitespace tokens followed by ``<eos>``; every one of them is predicted from ``<bos>`` and the tokens
before it; the perplexity is ``exp`` of the mean negative log-likelihood (natural log) per predicted token
over all the sentences together. The probabilities are the model's whole softmax, specials included.

**Pseudo-perplexity** (the masked model). A masked model gives no probability to a whole sentence, only
to a hidden word given the words on both sides. So it is scored on *fill cases*: in each sentence one
word position (never its punctuation: the final ``.`` would be too easy) is drawn with a seeded
generator (:func:`fill_cases`), the sentence is read with ``<mask>`` there, and the pseudo-perplexity is
``exp`` of the mean negative log-likelihood of the true word over the cases. The model's distribution
there leaves out the special tokens (they get probability 0, as in :mod:`attnlib.lm.fill`). The trigram is
scored on the very same cases through :func:`~attnlib.lm.ngram.top_k_fill`, whose distribution over its
vocabulary comes from scoring the whole sentence with each word in the gap. **Top-k accuracy** is the
share of cases whose true word is among the k likeliest.

Shape letters: B sentences, T tokens, V vocabulary.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Sequence

import torch

from attnlib.model.language_model import CausalLM, MaskedLM
from attnlib.translation.vocab import PUNCTUATION, SPECIALS, Vocab
from .data import MASK, causal_batch, encode
from .ngram import NgramModel, top_k_fill

__all__ = ["FillScores", "TOP_K", "fill_cases", "fill_log_probs", "fill_scores", "log_probs_at", "ngram_fill_scores",
           "perplexity", "token_nll"]

TOP_K = (1, 5)  # the accuracies reported
BATCH = 256  # sentences per forward pass when scoring


@torch.no_grad()
def token_nll(model: CausalLM, vocab: Vocab, sentences: Sequence[str]) -> tuple[float, int]:
    """The summed negative log-likelihood of every predicted token of ``sentences`` (each word and the
    ``<eos>``), and how many tokens that is."""
    if not isinstance(model, CausalLM):
        raise ValueError(f"perplexity scores a CausalLM; a masked model has a pseudo-perplexity (fill_scores), "
                         f"got {type(model).__name__}")
    was_training, device = model.training, next(model.parameters()).device
    model.eval()
    total, count = 0.0, 0
    try:
        for start in range(0, len(sentences), BATCH):
            inp, tgt = causal_batch(sentences[start:start + BATCH], vocab)  # (B, T), (B, T)
            inp, tgt = inp.to(device), tgt.to(device)
            log_probs = torch.log_softmax(model(inp).double(), dim=-1)  # (B, T, V)
            picked = log_probs.gather(-1, tgt.unsqueeze(-1)).squeeze(-1)  # (B, T)
            real = tgt != vocab.pad_id  # (B, T): padding is not predicted
            total -= float(picked[real].sum())
            count += int(real.sum())
    finally:
        model.train(was_training)
    return total, count


def perplexity(model: CausalLM, vocab: Vocab, sentences: Sequence[str]) -> float:
    """``exp`` of the mean negative log-likelihood per predicted token over all ``sentences``."""
    if isinstance(sentences, str):
        raise TypeError("perplexity takes a list of sentences, not one string")
    total, count = token_nll(model, vocab, list(sentences))
    if count == 0:
        raise ValueError("perplexity needs at least one sentence to score")
    return math.exp(total / count)


def fill_cases(sentences: Sequence[str], seed: int = 0) -> list[tuple[str, int]]:
    """One ``(sentence, position)`` per sentence: a word (not punctuation) drawn with ``random.Random(seed)``.
    A sentence of punctuation alone has none and is left out."""
    rng = random.Random(seed)
    cases = []
    for sentence in sentences:
        words = [i for i, token in enumerate(sentence.split()) if token not in PUNCTUATION]
        if words:
            cases.append((sentence, rng.choice(words)))
    return cases


@torch.no_grad()
def log_probs_at(model: MaskedLM, ids: torch.Tensor, where: torch.Tensor, specials: Sequence[int]) -> torch.Tensor:
    """ln P(token) at one position of each row: ``ids (B, T)``, ``where (B,)`` -> ``(B, V)`` float64 on the
    CPU, the ``specials`` at ``-inf`` (never proposed), the words renormalised among themselves."""
    was_training = model.training
    model.eval()
    try:
        logits = model(ids)[torch.arange(ids.shape[0], device=ids.device), where].double()  # (B, V)
    finally:
        model.train(was_training)
    logits[:, list(specials)] = float("-inf")
    return torch.log_softmax(logits, dim=-1).cpu()


def fill_log_probs(model: MaskedLM, vocab: Vocab, cases: Sequence[tuple[str, int]]) -> torch.Tensor:
    """ln P(word | the sentence with ``<mask>`` at the case's position), ``(N, V)`` float64, every special
    token at ``-inf``."""
    if not isinstance(model, MaskedLM):
        raise ValueError(f"filling a gap needs a MaskedLM, got {type(model).__name__}")
    device = next(model.parameters()).device
    specials = [vocab.stoi[t] for t in (*SPECIALS, MASK) if t in vocab]
    rows = []
    for start in range(0, len(cases), BATCH):
        chunk = cases[start:start + BATCH]
        masked = [" ".join(MASK if i == pos else t for i, t in enumerate(s.split())) for s, pos in chunk]
        where = torch.tensor([pos + 1 for _, pos in chunk], device=device)  # +1: the <bos>
        rows.append(log_probs_at(model, encode(masked, vocab).to(device), where, specials))
    return torch.cat(rows) if rows else torch.zeros(0, len(vocab), dtype=torch.float64)


@dataclass(frozen=True)
class FillScores:
    """How well a model recovers the hidden words of a set of fill cases."""

    n: int  # cases
    pseudo_perplexity: float  # exp of the mean negative log-likelihood of the true words
    accuracy: dict[int, float]  # k -> share of cases whose true word is among the k likeliest

    def to_dict(self) -> dict:
        return {"n": self.n, "pseudo_perplexity": round(self.pseudo_perplexity, 4),
                **{f"top{k}": round(v, 4) for k, v in self.accuracy.items()}}


def _scores(nlls: list[float], ranks: list[int], ks: Sequence[int]) -> FillScores:
    if not nlls:
        raise ValueError("scoring fills needs at least one (sentence, position) case")
    mean = sum(nlls) / len(nlls)
    return FillScores(len(nlls), math.exp(mean) if math.isfinite(mean) else math.inf,
                      {k: sum(r < k for r in ranks) / len(ranks) for k in ks})


def fill_scores(model: MaskedLM, vocab: Vocab, cases: Sequence[tuple[str, int]],
                ks: Sequence[int] = TOP_K) -> FillScores:
    """The masked model's pseudo-perplexity and top-k accuracies on ``cases``. A word the vocabulary
    lacks has probability 0 (an infinite pseudo-perplexity) and is never found."""
    log_probs = fill_log_probs(model, vocab, cases)  # (N, V)
    nlls, ranks = [], []
    for row, (sentence, pos) in zip(log_probs, cases):
        word = sentence.split()[pos]
        if word not in vocab:
            nlls.append(math.inf)
            ranks.append(len(vocab))
            continue
        truth = vocab.stoi[word]
        nlls.append(-float(row[truth]))
        # its rank: the words above it, and the ones as likely with a lower id (topk's order)
        ranks.append(int((row > row[truth]).sum()) + int((row[:truth] == row[truth]).sum()))
    return _scores(nlls, ranks, ks)


def ngram_fill_scores(model: NgramModel, cases: Sequence[tuple[str, int]], ks: Sequence[int] = TOP_K) -> FillScores:
    """The n-gram model's pseudo-perplexity and top-k accuracies on the same ``cases``, from
    :func:`~attnlib.lm.ngram.top_k_fill`'s distribution over its whole vocabulary."""
    nlls, ranks = [], []
    everything = len(model.vocabulary)
    for sentence, pos in cases:
        tokens = sentence.split()
        ranked = top_k_fill(model, tokens[:pos], tokens[pos + 1:], k=everything)
        words = [w for w, _ in ranked]
        if tokens[pos] in words:
            rank = words.index(tokens[pos])
            p = ranked[rank][1]
            nlls.append(-math.log(p) if p > 0 else math.inf)
            ranks.append(rank)
        else:
            nlls.append(math.inf)
            ranks.append(everything)
    return _scores(nlls, ranks, ks)
