"""Sentences grouped by length, as the length and RNN experiments score them.

A sentence's length is its number of English tokens, the final full stop included: what the encoder reads.

    groups = by_length(pairs, [(4, 6), (7, 9), (10, 14)])   # {"4–6": [...], "7–9": [...], "10–14": [...]}
"""

from __future__ import annotations

from typing import Sequence

from attnlib.translation.corpus import Pair


def length(pair: Pair) -> int:
    return len(pair.src_tokens)


def label(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}–{hi}"


def by_length(pairs: Sequence[Pair], ranges: Sequence[tuple[int, int]]) -> dict[str, list[Pair]]:
    """The pairs in each inclusive range of lengths, keyed by :func:`label`, in the order of ``ranges``;
    a pair outside every range is left out, and ranges must not overlap."""
    for (lo, hi), (lo2, _) in zip(sorted(ranges), sorted(ranges)[1:]):
        if lo2 <= hi:
            raise ValueError(f"length ranges {lo}–{hi} and {lo2}… overlap")
    if any(lo > hi for lo, hi in ranges):
        raise ValueError(f"a length range runs backwards: {ranges}")
    return {label(lo, hi): [p for p in pairs if lo <= length(p) <= hi] for lo, hi in ranges}
