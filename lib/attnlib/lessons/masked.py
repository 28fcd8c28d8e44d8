"""The book's BERT at work: BERT's masking of a batch, the likeliest words for a ``<mask>`` with where the
``<mask>`` looks, and its fills against the trigram's, hidden word by hidden word.

    masking_table(sentences, vocab, masking_generator(seed=0, step=0))   # each chosen word and what is read there
    fill = mask_fill(bert, "the <mask> sees the dog .")   # the 5 likeliest words; the attention from the <mask>
    duel = fill_duel(bert, trigram, fill_cases(english("test"))[:400])   # each hidden word's rank under both models
    duel.scores("model"), duel.scores("trigram")         # pseudo-perplexity, top-1, top-5, as in attnlib.lm.scores
    content_words()                                      # the nouns, adjectives and verbs the corpus draws at random

Shape letters: L layers, H heads, T tokens of one sentence with its ``<bos>`` and ``<eos>``, V vocabulary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import torch

from attnlib.lm.data import MASK, masked_batch
from attnlib.lm.ngram import NgramModel, top_k_fill
from attnlib.lm.scores import TOP_K, FillScores, fill_log_probs, log_probs_at
from attnlib.lm.trained import TrainedLM
from attnlib.model.capture import attention_layers, capture_attention
from attnlib.translation.corpus.lexicon import ADJECTIVES, NOUNS, VERBS
from attnlib.translation.vocab import PUNCTUATION, Vocab

__all__ = ["Case", "Choice", "Duel", "Fill", "content_words", "fill_duel", "mask_fill", "mask_word", "masking_table"]


# -- BERT's recipe on a batch -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    """One word position that BERT's recipe chose: the word to give back, and what the model reads there."""

    sentence: int  # which sentence of the batch
    position: int  # the token's position, <bos> at 0
    word: str  # the word that was there: the target
    reads: str  # what the model reads in its place

    @property
    def action(self) -> str:
        """``"<mask>"``, ``"random word"`` or ``"unchanged"`` (a random word that happens to be the word
        itself reads as unchanged: the model cannot tell them apart either)."""
        return MASK if self.reads == MASK else "unchanged" if self.reads == self.word else "random word"


def masking_table(sentences: Sequence[str], vocab: Vocab, generator: torch.Generator) -> list[Choice]:
    """Every position :func:`~attnlib.lm.data.masked_batch` chooses in ``sentences``, in reading order."""
    inp, target = masked_batch(sentences, vocab, generator)  # (B, T), (B, T)
    chosen = (target != vocab.pad_id).nonzero().tolist()  # [[b, t], ...], row by row
    return [Choice(b, t, vocab.itos[int(target[b, t])], vocab.itos[int(inp[b, t])]) for b, t in chosen]


# -- one <mask>, filled -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fill:
    """The likeliest words for one ``<mask>``, and where the ``<mask>`` position looks in every layer."""

    tokens: list[str]  # <bos> … <eos>, as the model reads them
    position: int  # of the <mask> in ``tokens``
    words: list[str]  # the k likeliest words, best first (never a special token)
    probs: list[float]  # their probabilities among the words
    attention: torch.Tensor  # (L, H, T): each layer's and head's weights from the <mask> to every token

    def looks_at(self, layer: int, head: int | None = None) -> torch.Tensor:
        """``(T,)``: the weights from the ``<mask>`` in one layer, of one head or the mean of the heads."""
        rows = self.attention[layer]  # (H, T)
        return rows.mean(0) if head is None else rows[head]


@torch.no_grad()
def mask_fill(lm: TrainedLM, text: str, k: int = 5) -> Fill:
    """The ``k`` likeliest words for the one ``<mask>`` of ``text`` (as :func:`~attnlib.lm.fill.top_fills`
    gives them) and every layer's self-attention from the ``<mask>``, captured in the same forward pass.
    Bad input gets :meth:`~attnlib.lm.trained.TrainedLM.sentence_ids`'s message, before the model runs."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k is how many words to propose, a whole number from 1, got {k!r}")
    ids, position = lm.sentence_ids(text)  # (1, T): exactly one <mask>, known words, or a ValueError
    names = list(attention_layers(lm.model))  # the L self-attention layers, first to last
    where = torch.tensor([position], device=ids.device)
    with capture_attention(lm.model, names) as patterns:
        row = log_probs_at(lm.model, ids, where, lm.specials)[0].exp()  # (V,) the specials at 0
    order = row.sort(descending=True, stable=True).indices[: min(k, lm.n_words)]  # ties: the lower id first
    attention = torch.stack([patterns[name][0, :, position] for name in names]).cpu()  # (L, H, T)
    return Fill([lm.vocab.itos[i] for i in ids[0].tolist()], position, [lm.vocab.itos[i] for i in order.tolist()],
                [float(row[i]) for i in order.tolist()], attention)


def mask_word(sentence: str, index: int) -> str:
    """``sentence`` with its word number ``index`` (from 0) replaced by ``<mask>``."""
    tokens = sentence.split()
    if not 0 <= index < len(tokens):
        raise ValueError(f"{sentence!r} has words 0 to {len(tokens) - 1}; there is no word {index}")
    if tokens[index] in PUNCTUATION:
        raise ValueError(f"word {index} of {sentence!r} is the punctuation {tokens[index]!r}: hide a word")
    return " ".join(MASK if i == index else t for i, t in enumerate(tokens))


# -- the model against the trigram, hidden word by hidden word ----------------------------------------------

@dataclass(frozen=True)
class Case:
    """One hidden word: its rank (0 = the likeliest) and probability under each model, and each one's best guess."""

    sentence: str
    position: int  # the hidden word's index among the sentence's words
    model_rank: int
    model_p: float
    model_best: str
    trigram_rank: int
    trigram_p: float
    trigram_best: str

    @property
    def word(self) -> str:
        return self.sentence.split()[self.position]

    @property
    def masked(self) -> str:
        return mask_word(self.sentence, self.position)


WHO = ("model", "trigram")


@dataclass(frozen=True)
class Duel:
    """The masked model and the trigram on the same hidden words."""

    cases: list[Case]

    def scores(self, who: str, ks: Sequence[int] = TOP_K) -> FillScores:
        """Pseudo-perplexity and top-k accuracy of ``who`` (``"model"`` or ``"trigram"``), as
        :func:`~attnlib.lm.scores.fill_scores` and :func:`~attnlib.lm.scores.ngram_fill_scores` compute them."""
        if who not in WHO:
            raise ValueError(f"who is 'model' or 'trigram', got {who!r}")
        ranks = [getattr(c, f"{who}_rank") for c in self.cases]
        nlls = [-math.log(p) if p > 0 else math.inf for p in (getattr(c, f"{who}_p") for c in self.cases)]
        mean = sum(nlls) / len(nlls)
        return FillScores(len(nlls), math.exp(mean) if math.isfinite(mean) else math.inf,
                          {k: sum(r < k for r in ranks) / len(ranks) for k in ks})

    def both(self, model: bool, trigram: bool) -> list[Case]:
        """The cases whose hidden word the model does (``model=True``) or does not guess first, and the
        trigram likewise."""
        return [c for c in self.cases if (c.model_rank == 0) == model and (c.trigram_rank == 0) == trigram]


def fill_duel(lm: TrainedLM, ngram: NgramModel, cases: Sequence[tuple[str, int]]) -> Duel:
    """Each ``(sentence, position)`` of ``cases`` (:func:`~attnlib.lm.scores.fill_cases`) scored by the masked
    model and by the n-gram model, with the ranks and probabilities :mod:`attnlib.lm.scores` counts."""
    cases = list(cases)
    if not cases:
        raise ValueError("a duel needs at least one (sentence, position) case: see attnlib.lm.scores.fill_cases")
    log_probs = fill_log_probs(lm.model, lm.vocab, cases)  # (N, V), the specials at -inf
    everything = len(ngram.vocabulary)
    out = []
    for row, (sentence, pos) in zip(log_probs, cases):
        tokens = sentence.split()
        word = tokens[pos]
        if word in lm.vocab:  # its rank: the words above it, and the ones as likely with a lower id (topk's order)
            truth = lm.vocab.stoi[word]
            m_rank = int((row > row[truth]).sum()) + int((row[:truth] == row[truth]).sum())
            m_p = math.exp(float(row[truth]))
        else:
            m_rank, m_p = len(lm.vocab), 0.0
        ranked = top_k_fill(ngram, tokens[:pos], tokens[pos + 1:], k=everything)
        words = [w for w, _ in ranked]
        t_rank = words.index(word) if word in words else everything
        t_p = ranked[t_rank][1] if word in words else 0.0
        out.append(Case(sentence, pos, m_rank, m_p, lm.vocab.itos[int(row.argmax())], t_rank, t_p, words[0]))
    return Duel(out)


def content_words() -> frozenset[str]:
    """Every English form of the lexicon's nouns (singular and plural), adjectives and verbs (the base form and
    the one after *he*, first word only for *look for*): the words the corpus's sentences choose at random."""
    verbs = {form.split()[0] for v in VERBS for form in (v.en, v.en_3sg)}
    return frozenset({n.en for n in NOUNS} | {n.en_plural for n in NOUNS} | {a.en for a in ADJECTIVES} | verbs)
