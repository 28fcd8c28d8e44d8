"""The alignment error rate (AER; Och and Ney, 2003): how far a hard word alignment is from the gold one.

A hard alignment A is a set of links ``(english_index, french_index)``. Against the sure gold links S
and the possible ones P ⊇ S (:mod:`attnlib.translation.corpus.possible`),

    AER(A; S, P) = 1 − (|A ∩ S| + |A ∩ P|) / (|A| + |S|)

0 is perfect, 1 is wholly wrong. A sure link of A counts twice in the numerator (it is in S and in P), a
possible-only link once, a link outside P not at all; the denominator grows with every link A proposes and
every sure link there is. Over a corpus, each of the four counts is summed over the sentences first
(:class:`AerCounts`), so a long sentence weighs more than a short one, as in Och and Ney.

An alignment that gives every French token exactly one English token, as an attention argmax or an IBM
model's Viterbi alignment does, cannot reach 0 where S links a French token to several English ones
(``ne`` to *does* and *not*): :func:`one_link_floor` is the least AER such an alignment can have.

    aer(hypothesis, sure, possible)                 # one sentence
    total = sum((counts(a, p) for a, p in zip(hypotheses, pairs)), AerCounts())
    total.aer                                       # a corpus
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Iterable, Sequence

from .corpus import Pair
from .corpus.possible import possible_links

Link = tuple[int, int]  # (English index, French index)


@dataclass(frozen=True)
class AerCounts:
    """The four counts of the AER, summed over any number of sentences (``+`` adds them)."""

    hypothesis: int = 0  # |A|
    sure: int = 0  # |S|
    hit_sure: int = 0  # |A ∩ S|
    hit_possible: int = 0  # |A ∩ P|

    def __add__(self, other: "AerCounts") -> "AerCounts":
        return AerCounts(self.hypothesis + other.hypothesis, self.sure + other.sure,
                         self.hit_sure + other.hit_sure, self.hit_possible + other.hit_possible)

    @property
    def aer(self) -> float:
        if self.hypothesis + self.sure == 0:
            raise ValueError("no links on either side: the AER of nothing against nothing is undefined")
        return 1 - (self.hit_sure + self.hit_possible) / (self.hypothesis + self.sure)

    @property
    def precision(self) -> float:
        """|A ∩ P| / |A|: the share of proposed links that are at least possible."""
        return self.hit_possible / self.hypothesis if self.hypothesis else 0.0

    @property
    def recall(self) -> float:
        """|A ∩ S| / |S|: the share of sure links found."""
        return self.hit_sure / self.sure if self.sure else 0.0


def _links(links: Iterable[Sequence[int]], what: str) -> set[Link]:
    out = set()
    for link in links:
        if len(link) != 2 or any(isinstance(x, bool) or not isinstance(x, int) or x < 0 for x in link):
            raise ValueError(f"{what} link {link!r} is not a pair of token indices (english_index, french_index)")
        out.add((int(link[0]), int(link[1])))
    return out


def count_links(hypothesis: Iterable[Link], sure: Iterable[Link], possible: Iterable[Link] | None = None) -> AerCounts:
    """The AER's counts for one sentence; ``possible`` defaults to ``sure`` (then every link is sure)."""
    a, s = _links(hypothesis, "hypothesis"), _links(sure, "sure")
    p = s if possible is None else _links(possible, "possible")
    if not s <= p:
        raise ValueError(f"every sure link must also be possible (P ⊇ S); {sorted(s - p)} are sure only")
    return AerCounts(len(a), len(s), len(a & s), len(a & p))


def aer(hypothesis: Iterable[Link], sure: Iterable[Link], possible: Iterable[Link] | None = None) -> float:
    """AER of one hard alignment: ``1 − (|A∩S| + |A∩P|) / (|A| + |S|)``."""
    return count_links(hypothesis, sure, possible).aer


def counts(hypothesis: Iterable[Link], pair: Pair) -> AerCounts:
    """The counts of ``hypothesis`` against ``pair``'s sure links and its possible ones."""
    return count_links(hypothesis, pair.alignment, possible_links(pair))


def corpus_aer(hypotheses: Sequence[Collection[Link]], pairs: Sequence[Pair]) -> float:
    """AER over a corpus: counts summed over sentences, then the ratio."""
    if len(hypotheses) != len(pairs):
        raise ValueError(f"{len(hypotheses)} alignments for {len(pairs)} pairs: give one per pair")
    return sum((counts(a, p) for a, p in zip(hypotheses, pairs)), AerCounts()).aer


def one_link_floor(pairs: Sequence[Pair]) -> float:
    """The least AER of an alignment with one link per French token: a sure link for each of them."""
    total = AerCounts()
    for pair in pairs:
        best = {j: i for i, j in sorted(pair.alignment)}  # one sure English token per French token
        total += counts({(i, j) for j, i in best.items()}, pair)
    return total.aer


def diagonal_alignment(n_source: int, n_target: int) -> set[Link]:
    """French token ``j`` linked to English token ``round(j · n_source / n_target)`` (halves rounded up),
    the last English token at most: the alignment of two languages that keep the same order."""
    if n_source < 1 or n_target < 1:
        raise ValueError(f"both sentences need a token: got {n_source} English and {n_target} French")
    return {(min(int(j * n_source / n_target + 0.5), n_source - 1), j) for j in range(n_target)}
