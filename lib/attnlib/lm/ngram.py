"""An n-gram language model over the corpus's English: the baseline the book's neural models are measured against.

The counting and the smoothing are nltk's (``nltk.lm``); this module fixes how sentences become
n-grams, how a split is scored, and how a masked word is filled in, so that every model of the book
is scored the same way.

**The scoring convention** (shared with the neural language models):

* a sentence is split on whitespace and followed by the end token ``<eos>``;
* every token, ``<eos>`` included, is predicted from its history; the history of the first tokens is
  padded with ``<s>``, which is never predicted;
* the perplexity of a list of sentences is ``exp`` of the mean negative log-likelihood (natural log)
  per predicted token, over all the sentences together (not a mean of per-sentence perplexities).

A token the training sentences never show has probability 0 under every smoothing here except
Laplace's (nltk maps it to ``<UNK>``, which they never saw), so the perplexity is then infinite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Sequence

from nltk.lm import MLE, KneserNeyInterpolated, Laplace, WittenBellInterpolated
from nltk.lm.api import LanguageModel

__all__ = ["BOS", "EOS", "SMOOTHINGS", "NgramModel", "fill_accuracy", "fit", "perplexity", "top_k_fill"]

BOS = "<s>"  # pads the history of a sentence's first tokens; never predicted
EOS = "<eos>"  # ends every sentence; predicted like any word

# Witten–Bell is the default.  Kneser–Ney is the textbook choice for words, but nltk's version recounts
# the continuation counts over the whole table on every score (about 150 times slower here: 7 s against
# 0.05 s for 200 test sentences, so a fill over the vocabulary takes minutes) and its fixed discount
# (0.1) scores worse on this corpus (test perplexity 18.3 against 14.4 for the first 200 sentences).
# Witten–Bell needs no parameter: how much mass a history leaves to the shorter one grows with the
# number of different words seen after it.  MLE (no smoothing) and Laplace are for checking by hand.
SMOOTHINGS = {
    "witten_bell": WittenBellInterpolated,
    "kneser_ney": KneserNeyInterpolated,
    "laplace": Laplace,
    "mle": MLE,
}


@dataclass
class NgramModel:
    """A fitted nltk model with its order, and a cache of the log-probabilities it has computed."""

    lm: LanguageModel
    order: int
    smoothing: str
    _cache: dict[tuple[str, tuple[str, ...]], float] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def vocabulary(self) -> list[str]:
        """The words a masked position can be filled with: every training token, ``<s>``, ``<eos>`` aside."""
        return sorted(w for w in self.lm.vocab if w not in (BOS, EOS, self.lm.vocab.unk_label))

    def logprob(self, word: str, history: Sequence[str]) -> float:
        """ln P(word | the last ``order - 1`` tokens of history); ``-inf`` where the model gives 0."""
        context = tuple(history[len(history) - self.order + 1:]) if self.order > 1 else ()
        key = (word, context)
        if key not in self._cache:
            p = self.lm.score(word, context or None)
            self._cache[key] = math.log(p) if p > 0 else -math.inf
        return self._cache[key]


def _tokens(sentence: str) -> list[str]:
    """A sentence's predicted tokens: its words, then ``<eos>``."""
    return sentence.split() + [EOS]


def _ngrams(tokens: Sequence[str], order: int) -> list[tuple[str, ...]]:
    """Every n-gram (n = 1 … order) that ends on a predicted token; histories padded with ``<s>``."""
    padded = [BOS] * (order - 1) + list(tokens)
    return [tuple(padded[i + order - n:i + order]) for i in range(len(tokens)) for n in range(1, order + 1)]


def fit(sentences: Iterable[str], order: int = 3, smoothing: str = "witten_bell") -> NgramModel:
    """An ``order``-gram model of ``sentences`` (one string each, tokens separated by spaces)."""
    if smoothing not in SMOOTHINGS:
        raise ValueError(f"unknown smoothing {smoothing!r}: choose one of {', '.join(SMOOTHINGS)}")
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"the order of an n-gram model is a whole number from 1, not {order!r}")
    if isinstance(sentences, str):
        raise TypeError("fit takes a list of sentences, not one string")
    sentences = [_tokens(s) for s in sentences]
    if not sentences:
        raise ValueError("fit needs at least one sentence to count")
    lm = SMOOTHINGS[smoothing](order)
    lm.fit([_ngrams(tokens, order) for tokens in sentences], [BOS, *(w for tokens in sentences for w in tokens)])
    return NgramModel(lm, order, smoothing)


def _sentence_logprob(model: NgramModel, tokens: Sequence[str], start: int = 0, stop: int | None = None) -> float:
    """Σ ln P(token | history) over the predicted tokens ``start:stop`` (all by default)."""
    padded = [BOS] * (model.order - 1) + list(tokens)
    stop = len(tokens) if stop is None else min(stop, len(tokens))
    return sum(model.logprob(tokens[i], padded[i:i + model.order - 1]) for i in range(start, stop))


def perplexity(model: NgramModel, sentences: Iterable[str]) -> float:
    """exp(mean negative log-likelihood per predicted token) over all ``sentences`` (see the module's convention)."""
    if isinstance(sentences, str):
        raise TypeError("perplexity takes a list of sentences, not one string")
    total, count = 0.0, 0
    for sentence in sentences:
        tokens = _tokens(sentence)
        total += _sentence_logprob(model, tokens)
        count += len(tokens)
    if count == 0:
        raise ValueError("perplexity needs at least one sentence to score")
    return math.exp(-total / count) if total > -math.inf else math.inf


def top_k_fill(model: NgramModel, left_context: str | Sequence[str], right_context: str | Sequence[str],
               k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` likeliest words for one masked position, with probabilities normalised over the vocabulary.

    Each word of the vocabulary is put in the gap and the whole sentence (``<eos>`` included) scored;
    only the n-grams that reach the gap change, so only those are computed.  Returns ``(word, probability)``
    best first (ties in alphabetical order).  Contexts are strings or token lists; ``<eos>`` is added.
    """
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k is how many words to return, a whole number from 1, not {k!r}")
    left = left_context.split() if isinstance(left_context, str) else list(left_context)
    right = right_context.split() if isinstance(right_context, str) else list(right_context)
    gap = len(left)
    scores = {}
    for word in model.vocabulary:
        tokens = [*left, word, *right, EOS]
        scores[word] = _sentence_logprob(model, tokens, gap, gap + model.order)
    best = max(scores.values())
    if best == -math.inf:
        raise ValueError(f"no word of the vocabulary can fill the gap in {' '.join(left)} ___ {' '.join(right)} "
                         f"(every filling has probability 0 under the {model.smoothing} model)")
    weights = {w: math.exp(s - best) for w, s in scores.items()}
    total = sum(weights.values())
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    return [(w, weight / total) for w, weight in ranked[:k]]


def fill_accuracy(model: NgramModel, cases: Iterable[tuple[str, int]], ks: Sequence[int] = (1, 5)) -> dict[int, float]:
    """Masked-word recovery: for each ``(sentence, position)``, is the word there among the top k fillings?

    Returns ``{k: share of cases}`` for each k of ``ks`` (top-1 and top-5 accuracy by default).
    """
    cases = list(cases)
    if not cases:
        raise ValueError("fill_accuracy needs at least one (sentence, position) case")
    if not ks or any(not isinstance(k, int) or k < 1 for k in ks):
        raise ValueError(f"ks are how many words count as found, whole numbers from 1, not {ks!r}")
    hits = dict.fromkeys(ks, 0)
    for sentence, position in cases:
        tokens = sentence.split()
        if not 0 <= position < len(tokens):
            raise ValueError(f"position {position} is outside {sentence!r} ({len(tokens)} tokens)")
        ranked = [w for w, _ in top_k_fill(model, tokens[:position], tokens[position + 1:], max(ks))]
        for k in ks:
            hits[k] += tokens[position] in ranked[:k]
    return {k: hits[k] / len(cases) for k in ks}
