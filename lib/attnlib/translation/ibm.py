"""Classical word aligners to hold attention against: IBM Models 1 and 2 (Brown et al., 1993), as nltk has them.

An IBM model explains each French word as the translation of one English word, or of an empty word
(NULL) for French words with no English source. Model 1 knows only how likely each French word is as
a translation of each English word, t(f | e), so it cannot tell two *the* of one sentence apart. Model 2
adds how likely English position i is for French position j in sentences of the two lengths. Both are
trained by expectation–maximisation on sentence pairs alone, without a single gold link; nltk's Model 2
starts from a Model 1 trained for twice its own iterations.

The Viterbi alignment links each French word to its likeliest English word, exactly one, like an
attention argmax; a French word whose likeliest source is NULL gets no link.

    aligner = train_ibm(load_split("train"), model=2, iterations=5)
    links = ibm_alignments(aligner, load_split("test"))       # one set of (english, french) links per pair

nltk is an optional dependency of ``attnlib`` (``pip install nltk``; ``attnlib[book]`` and
``attnlib[lm]`` bring it), imported only when a model is trained.
"""

from __future__ import annotations

from typing import Any, Sequence

from .aer import Link
from .corpus import Pair

MODELS = (1, 2)


def _nltk_translate():
    try:
        from nltk import translate
    except ImportError:
        raise ImportError("the IBM baselines need nltk: `pip install nltk` (or attnlib[book])") from None
    return translate


def _sentences(pairs: Sequence[Pair]) -> list:
    # nltk's AlignedSent(words, mots) models P(words | mots): French generated from English
    translate = _nltk_translate()
    return [translate.AlignedSent(p.tgt_tokens, p.src_tokens) for p in pairs]


def train_ibm(pairs: Sequence[Pair], model: int, iterations: int) -> Any:
    """IBM Model ``model`` (1 or 2) trained by nltk on ``pairs`` (their gold links unused) for ``iterations``
    rounds of expectation–maximisation."""
    if model not in MODELS:
        raise ValueError(f"model must be 1 or 2 (IBM Model 1 or 2), got {model!r}")
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise ValueError(f"iterations must be a whole number of at least 1, got {iterations!r}")
    if not pairs:
        raise ValueError("no sentence pairs to train an IBM model on")
    translate = _nltk_translate()
    cls = translate.IBMModel1 if model == 1 else translate.IBMModel2
    return cls(_sentences(pairs), iterations)


def ibm_alignments(aligner: Any, pairs: Sequence[Pair]) -> list[set[Link]]:
    """The Viterbi alignment of each pair under a trained IBM model: ``(english, french)`` links,
    none for a French word aligned to NULL."""
    out = []
    for sentence in _sentences(pairs):
        aligner.align(sentence)
        out.append({(i, j) for j, i in sentence.alignment if i is not None})
    return out
