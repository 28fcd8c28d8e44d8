"""A hand-made word space for the early chapters.

Real models learn their embeddings and projections; here every number is set by
hand so that a reader can read them. Each word is described by eight features,
and the query/key projections are written so that a pronoun *looks for* a noun,
an adjective looks for the thing it describes, and a verb looks for who acts.

Shape letters: T words, F = 8 features, K = 4 query/key features.
"""

from __future__ import annotations

from typing import Sequence

import torch

from attnlib.translation.vocab import quoted_words

FEATURES = ("person", "thing", "abstract", "action", "pronoun", "function", "time", "quality")

# word: {feature: strength}; unspecified features are 0.
_LEXICON: dict[str, dict[str, float]] = {
    # people and pronouns
    "she": {"person": 1.0, "pronoun": 1.0},
    "he": {"person": 1.0, "pronoun": 1.0},
    "it": {"pronoun": 1.0, "thing": 0.3},
    "they": {"pronoun": 1.0, "person": 0.5, "thing": 0.3},
    "i": {"person": 1.0, "pronoun": 0.8},
    "teacher": {"person": 1.0, "thing": 0.2},
    "student": {"person": 1.0, "thing": 0.2},
    # things and ideas
    "question": {"thing": 0.6, "abstract": 1.0},
    "answer": {"thing": 0.5, "abstract": 1.0},
    "idea": {"thing": 0.4, "abstract": 1.0},
    "book": {"thing": 1.0, "abstract": 0.3},
    "cat": {"thing": 0.7, "person": 0.3},
    "dog": {"thing": 0.7, "person": 0.3},
    "mat": {"thing": 1.0},
    "table": {"thing": 1.0},
    "street": {"thing": 1.0},
    "river": {"thing": 1.0, "quality": 0.1},
    "bank": {"thing": 1.0, "abstract": 0.2},
    "money": {"thing": 0.8, "abstract": 0.4},
    "water": {"thing": 0.9},
    "time": {"time": 1.0, "thing": 0.4, "abstract": 0.3},
    "day": {"time": 1.0, "thing": 0.3},
    # actions
    "answered": {"action": 1.0, "abstract": 0.2},
    "asked": {"action": 1.0, "abstract": 0.2},
    "thinking": {"action": 1.0, "abstract": 0.5},
    "read": {"action": 1.0},
    "sat": {"action": 1.0},
    "sees": {"action": 1.0},
    "crossed": {"action": 1.0},
    "took": {"action": 1.0},
    "was": {"action": 0.5, "function": 0.5},
    "tired": {"quality": 1.0},
    "wide": {"quality": 1.0},
    # qualities
    "black": {"quality": 1.0},
    "long": {"quality": 0.8, "time": 0.5},
    "old": {"quality": 1.0},
    "difficult": {"quality": 1.0, "abstract": 0.2},
    "finally": {"time": 0.6, "quality": 0.4},
    # function words
    "the": {"function": 1.0},
    "a": {"function": 1.0},
    "after": {"function": 0.6, "time": 0.6},
    "about": {"function": 1.0},
    "for": {"function": 1.0},
    "on": {"function": 1.0},
    "from": {"function": 1.0},
    "to": {"function": 1.0},
    "because": {"function": 1.0},
    "and": {"function": 1.0},
}

QUERY_FEATURES = ("wants a thing", "wants a person", "wants an action", "wants a quality")
KEY_FEATURES = ("is a thing", "is a person", "is an action", "is a quality")

# Rows: word features; columns: what the word looks for (query) / offers (key).
_W_Q = {
    "pronoun": (2.0, 2.0, 0.0, 0.0),  # a pronoun looks for the noun it stands for
    "quality": (2.0, 1.0, 0.0, 0.0),  # an adjective looks for what it describes
    "action": (1.0, 1.5, 0.0, 0.0),  # a verb looks for who does it and to what
    "person": (0.0, 0.0, 1.5, 0.5),  # a noun looks for what it does and how it is
    "thing": (0.0, 0.0, 0.5, 1.5),
}
_W_K = {
    "thing": (1.5, 0.0, 0.0, 0.0),
    "abstract": (1.0, 0.0, 0.0, 0.0),
    "person": (0.0, 1.5, 0.0, 0.0),
    "pronoun": (-1.5, -0.5, 0.0, 0.0),  # a pronoun is not itself an antecedent
    "action": (0.0, 0.0, 1.5, 0.0),
    "quality": (0.0, 0.0, 0.0, 1.5),
}


def _matrix(rows: dict[str, tuple[float, ...]]) -> torch.Tensor:
    m = torch.zeros(len(FEATURES), 4)
    for feature, row in rows.items():
        m[FEATURES.index(feature)] = torch.tensor(row)
    return m


W_Q = _matrix(_W_Q)  # (F, K)
W_K = _matrix(_W_K)  # (F, K)
W_V = torch.eye(len(FEATURES))  # (F, F): the value of a word is its own description

VOCABULARY = tuple(sorted(_LEXICON))
EXAMPLE_SENTENCE = "she finally answered the question after thinking about it for a long time"


def words_of(sentence: str) -> list[str]:
    """Lower-case words of a sentence; a clear error for empty input or words outside the toy lexicon."""
    words = sentence.lower().replace(",", " ").replace(".", " ").split()
    if not words:
        raise ValueError("the sentence is empty: type a few words, e.g. 'the black cat sat on the mat'")
    unknown = [w for w in words if w not in _LEXICON]
    if unknown:
        raise ValueError(
            f"unknown word(s) {quoted_words(unknown)}: this toy lexicon has only "
            f"{len(VOCABULARY)} hand-described words; try words like {', '.join(VOCABULARY[:12])}, ..."
        )
    return words


def embed(words: list[str]) -> torch.Tensor:
    """The hand-made feature vectors of ``words``: ``(T, F)``."""
    return torch.tensor([[_LEXICON[w].get(f, 0.0) for f in FEATURES] for w in words])


def queries_keys_values(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``x (T, F)`` -> ``Q (T, K)``, ``K (T, K)``, ``V (T, F)`` through the hand-set projections."""
    return x @ W_Q, x @ W_K, x @ W_V


def named(values: torch.Tensor, names: Sequence[str]) -> str:
    """A vector's non-zero entries with their names, to two decimals: ``"thing 0.3, pronoun 1"``."""
    if len(values) != len(names):
        raise ValueError(f"{len(values)} values but {len(names)} names")
    parts = [f"{name} {round(v, 2):g}" for name, v in zip(names, values.tolist()) if round(v, 2) != 0]
    return ", ".join(parts) or "all zero"
