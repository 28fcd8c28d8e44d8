"""Does beam search translate better than greedy search? Counted sentence by sentence, against the reference.

For every sentence of a sample, greedy search and beam search each translate it, and each output is scored
against the reference translation by sentence-level chrF (:func:`attnlib.translation.evaluate.sentence_chrf`).
Beam search *beats* greedy search on the sentence when its chrF is higher, *ties* when it is equal (nearly
always because the two outputs are the same), and *loses* when it is lower.

* :func:`evenly` takes a sample spread over a whole split, the same one on every run, and :func:`tagged`
  the pairs that show one phenomenon (the generalisation split's long sentences, say);
* :func:`beam_against_greedy` counts the outcomes on some pairs, for several length penalties α at once;
* :func:`model_scores` says which of the two outputs the model itself prefers.

Shape letters: B batch, S source length, T target length.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attnlib.translation.corpus import Pair
from attnlib.translation.decoding import beam_search_alphas, greedy_decode
from attnlib.translation.evaluate import sentence_chrf
from attnlib.translation.translator import Translator
from attnlib.translation.vocab import pad_rows, trim_at_eos
from .stepwise import normalised_score, sequence_log_prob

OUTCOMES = ("beats", "ties", "loses")  # what beam search does against greedy search, on one sentence
ALPHAS = (0.0, 0.6, 1.0)  # length penalties compared by default
MAX_ALPHA = 3.0
BATCH = 128  # sentences greedy search translates at once


@dataclass(frozen=True)
class Duel:
    """One sentence translated by both searches, each output with its chrF against the reference."""

    source: str
    reference: str
    greedy: str
    beam: str
    greedy_chrf: float
    beam_chrf: float
    greedy_ids: tuple[int, ...] = ()  # the generated ids, <eos> included when reached
    beam_ids: tuple[int, ...] = ()

    @property
    def gain(self) -> float:
        """How many chrF points beam search gains over greedy search (negative: it loses them)."""
        return self.beam_chrf - self.greedy_chrf

    @property
    def outcome(self) -> str:
        return "beats" if self.gain > 0 else "loses" if self.gain < 0 else "ties"


@dataclass(frozen=True)
class Tally:
    """The duels of one sample of pairs, for one beam size and one length penalty α."""

    label: str  # which pairs: a split's name, say
    alpha: float
    beam_size: int
    duels: tuple[Duel, ...]

    @property
    def n(self) -> int:
        return len(self.duels)

    def count(self, outcome: str) -> int:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; choose one of {', '.join(OUTCOMES)}")
        return sum(d.outcome == outcome for d in self.duels)

    @property
    def shares(self) -> dict[str, float]:
        """The share of the sentences on which beam search beats, ties and loses (they sum to 1)."""
        return {o: self.count(o) / self.n for o in OUTCOMES}

    @property
    def differ(self) -> int:
        """Sentences on which the two searches write different outputs."""
        return sum(d.beam != d.greedy for d in self.duels)

    def exact(self, search: str) -> int:
        """Sentences that ``search`` ("greedy" or "beam") translates exactly as the reference does."""
        if search not in ("greedy", "beam"):
            raise ValueError(f"search must be 'greedy' or 'beam', got {search!r}")
        return sum(getattr(d, search) == d.reference for d in self.duels)

    @property
    def best(self) -> Duel | None:
        """The sentence on which beam search gains the most over greedy search (None if it never gains)."""
        return max((d for d in self.duels if d.gain > 0), key=lambda d: d.gain, default=None)

    @property
    def worst(self) -> Duel | None:
        """The sentence on which beam search loses the most (None if it never loses)."""
        return min((d for d in self.duels if d.gain < 0), key=lambda d: d.gain, default=None)


def evenly(pairs: list[Pair], n: int) -> list[Pair]:
    """``n`` pairs spread evenly over ``pairs`` (all of them if there are no more than ``n``)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"the sample size must be a whole number of at least 1, got {n!r}")
    if n >= len(pairs):
        return list(pairs)
    return [pairs[i * len(pairs) // n] for i in range(n)]


def tagged(pairs: list[Pair], phenomenon: str) -> list[Pair]:
    """The pairs tagged with ``phenomenon`` (ValueError if none is)."""
    chosen = [p for p in pairs if phenomenon in p.phenomena]
    if not chosen:
        known = sorted({t for p in pairs for t in p.phenomena})
        raise ValueError(f"no pair shows {phenomenon!r}; these pairs show {', '.join(known) or 'no phenomenon'}")
    return chosen


def _check(pairs: list[Pair], alphas, beam_size: int) -> tuple[float, ...]:
    if not pairs:
        raise ValueError("there are no sentence pairs to translate: give at least one")
    if isinstance(beam_size, bool) or not isinstance(beam_size, int) or beam_size < 1:
        raise ValueError(f"beam_size must be a whole number of at least 1, got {beam_size!r}")
    alphas = tuple(alphas)
    if not alphas:
        raise ValueError("give at least one length penalty α")
    for alpha in alphas:
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 <= alpha <= MAX_ALPHA:
            raise ValueError(f"each length penalty α must be a number from 0 to {MAX_ALPHA:g}, got {alpha!r}")
    return alphas


def greedy_ids(translator: Translator, texts: list[str]) -> list[list[int]]:
    """Greedy search on many sentences, in batches: each output's ids, <eos> included when reached."""
    out = []
    for start in range(0, len(texts), BATCH):
        src = pad_rows([translator.src_vocab.encode(t, add_eos=True) for t in texts[start:start + BATCH]])  # (B, S)
        generated = greedy_decode(translator.model, src.to(translator.device))  # (B, T)
        out += [trim_at_eos(row.tolist()) for row in generated]
    return out


def beam_against_greedy(translator: Translator, pairs: list[Pair], alphas=ALPHAS, beam_size: int = 4,
                        label: str = "") -> list[Tally]:
    """Greedy search against beam search of ``beam_size`` on every pair, one :class:`Tally` per α in ``alphas``.

    Greedy search translates the pairs in batches; beam search one sentence at a time, every α from one search
    (:func:`attnlib.translation.decoding.beam_search_alphas`, the same outputs as one beam search per α).
    """
    alphas = _check(pairs, alphas, beam_size)
    words = translator.tgt_vocab
    duels: dict[float, list[Duel]] = {alpha: [] for alpha in alphas}
    for pair, g_ids in zip(pairs, greedy_ids(translator, [p.src for p in pairs])):
        greedy = words.decode(g_ids)
        g_chrf = sentence_chrf(greedy, pair.tgt)
        found = beam_search_alphas(translator.model, translator.source_ids(pair.src), beam_size, alphas)
        for alpha in alphas:
            b_ids = found[alpha][0].ids
            beam = words.decode(list(b_ids))
            b_chrf = g_chrf if beam == greedy else sentence_chrf(beam, pair.tgt)
            duels[alpha].append(Duel(pair.src, pair.tgt, greedy, beam, g_chrf, b_chrf, tuple(g_ids), tuple(b_ids)))
    return [Tally(label, float(alpha), beam_size, tuple(duels[alpha])) for alpha in alphas]


@torch.no_grad()
def model_scores(translator: Translator, duel: Duel, alpha: float) -> tuple[float, float]:
    """The length-normalised scores log p / length^α that the model gives the greedy and the beam output:
    beam search keeps the output with the higher one, whether or not it is the closer to the reference."""
    if not duel.greedy_ids or not duel.beam_ids:
        raise ValueError("this duel keeps no output ids to score: make it with beam_against_greedy")
    src = translator.source_ids(duel.source)  # (1, S)
    return tuple(normalised_score(sequence_log_prob(translator.model, src, list(ids)), len(ids), alpha)
                 for ids in (duel.greedy_ids, duel.beam_ids))
