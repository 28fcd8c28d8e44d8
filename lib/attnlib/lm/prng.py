"""A small seeded pseudo-random generator that Python and the page's JavaScript run identically.

Sampling a sentence takes one uniform number per token. For the page to sample the same sentence as
the book for the same seed, both must draw the same numbers, bit for bit: Python's ``random`` and
torch's generators have no twin in the browser, so the book uses **mulberry32** (Tommy Ettinger's,
public domain), whose every step is a 32-bit integer operation that JavaScript computes exactly too
(``Math.imul`` for the products, ``>>> 0`` to read a result as unsigned). The twin is
``attnlib/book/lm_prng.js``; a test runs it under Node and compares thousands of numbers.

    rng = Mulberry32(seed=7)
    rng.random()   # a float in [0, 1): a multiple of 2^-32, so float64 holds it exactly in both languages

Good enough to sample text from; not for cryptography, and its period is 2^32.
"""

from __future__ import annotations

from numbers import Integral

MASK32 = 0xFFFFFFFF  # every intermediate is reduced modulo 2^32, as JavaScript's int32 operations do
SEED_LIMIT = 2**32


# what check_seed says of a bad seed (``{value}``: its repr()); the page's lm_prng.js says it from language_models.json
SEED_MESSAGE = ("seed must be a whole number from 0 to {limit} (32 bits, so that the page's JavaScript can use the "
                "same one), got {value}")


def check_seed(seed) -> int:
    """The seed as an int, or a ValueError: a whole number from 0 to 2^32 - 1 (what the page accepts too)."""
    if isinstance(seed, bool) or not isinstance(seed, Integral) or not 0 <= seed < SEED_LIMIT:
        raise ValueError(SEED_MESSAGE.format(limit=SEED_LIMIT - 1, value=repr(seed)))
    return int(seed)


class Mulberry32:
    """mulberry32: a 32-bit state advanced by a constant, then mixed into one 32-bit output per step."""

    def __init__(self, seed: int = 0):
        self.state = check_seed(seed)

    def next_uint32(self) -> int:
        """The next number, a whole number in [0, 2^32)."""
        # JavaScript:  a = (a + 0x6D2B79F5) >>> 0
        self.state = (self.state + 0x6D2B79F5) & MASK32
        t = self.state
        # t = Math.imul(t ^ (t >>> 15), t | 1)
        t = ((t ^ (t >> 15)) * (t | 1)) & MASK32
        # t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t
        t = ((t + (((t ^ (t >> 7)) * (t | 61)) & MASK32)) & MASK32) ^ t
        # (t ^ (t >>> 14)) >>> 0
        return (t ^ (t >> 14)) & MASK32

    def random(self) -> float:
        """The next uniform number in [0, 1): ``next_uint32() / 2^32``, exact in float64."""
        return self.next_uint32() / SEED_LIMIT
