"""Sure and possible links: where the gold alignment leaves a careful annotator a choice.

The corpus's gold links (``Pair.alignment``, ``(english_index, french_index)``) are the **sure** links S:
every one is a translation the grammar made (``cat``–``chat``, ``to the``–``au``, ``does not``–``ne``
and ``pas``). Human annotators of real corpora (Och and Ney, 2003) add **possible** links P ⊇ S where
a link is defensible but not certain, and the alignment error rate counts a possible link as half right.
This module derives P from a pair alone: its tokens, its sure links and the grammar's tables
(:mod:`attnlib.translation.corpus.lexicon`). The shipped files are not changed.

Four rules add possible links, each where French and English cut one unit into words differently:

``negation``
    *ne … pas* wraps the French verb, so *does not cross* and *ne traverse pas* are one unit: the English
    negation words (those sure-linked to *ne* and *pas*) and the French verb, and the English verb and
    *ne*, *pas* (*does* carries the tense and person that *traverse* shows).
``object_pronoun``
    an object pronoun stands before the French verb as a clitic, said and often written as one group
    with it (*le voit*, *l'aime*): the pronoun and the other side's verb (*le*–*sees*, *voit*–*it*).
``elision``
    an elided word and the word after it are one written word (*j'aime*, *qu'il*, *d'un*): each half and
    the English words of the other half (*j'*–*like*, *aime*–*i*).
``article``
    *à la*, *de la* are the two words that *au*, *du* fuse into one, linked to both English words: so the
    preposition and *the*'s *la*, and *the* and the preposition (*to*–*la*, *the*–*à*).

Everything else stays sure alone: a content word and its translation, the final full stop, the
multi-word units the grammar already links as a block (*in front of*–*devant*, *sat*–*était assis*).

    possible_links(pair)      # P: the sure links and every possible one
    possible_by_rule(pair)    # {"negation": {...}, ...}: the links each rule adds beyond S
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from .lexicon import CONTRACTIONS, DETERMINERS, ELISIONS, IT_OBJECT, OBJECT_PRONOUNS
from .pairs import Pair

__all__ = ["RULES", "possible_by_rule", "possible_links"]

Link = tuple[int, int]  # (English index, French index)

_PRONOUNS = {fr for _, fr, _ in OBJECT_PRONOUNS} | set(IT_OBJECT.values())
#: French object pronouns as they stand before the verb, elided forms included (le, l', me, m', …)
CLITICS = frozenset(_PRONOUNS | {ELISIONS[w] for w in _PRONOUNS if w in ELISIONS})
#: the English object pronouns they translate
OBJECT_WORDS = frozenset({en for en, _, _ in OBJECT_PRONOUNS} | {"it"})
NE = frozenset({"ne", ELISIONS["ne"]})
PAS = "pas"
#: prepositions that fuse with a definite article (à le -> au), and the articles that stay apart (la)
FUSING = frozenset(prep for prep, _ in CONTRACTIONS)
ARTICLES = frozenset(DETERMINERS["the"][2:])


class _Sides:
    """A pair's tokens and sure links, with each French token's English words at hand."""

    def __init__(self, pair: Pair):
        self.en, self.fr = pair.src_tokens, pair.tgt_tokens
        self.english_of: dict[int, set[int]] = defaultdict(set)
        for i, j in pair.alignment:
            self.english_of[j].add(i)

    def is_clitic(self, j: int) -> bool:
        """French token ``j`` is an object pronoun: a clitic form translating an English object pronoun."""
        english = self.english_of[j]
        return self.fr[j] in CLITICS and bool(english) and all(self.en[i] in OBJECT_WORDS for i in english)

    def swap(self, a: int, b: int) -> set[Link]:
        """French tokens ``a`` and ``b`` as one unit: each with the English words of the other."""
        return {(i, b) for i in self.english_of[a]} | {(i, a) for i in self.english_of[b]}


def _negation(s: _Sides) -> set[Link]:
    links = set()
    for j0, word in enumerate(s.fr):
        if word not in NE:
            continue
        j1 = next((j for j in range(j0 + 1, len(s.fr)) if s.fr[j] == PAS), None)
        if j1 is None:
            continue
        negation = s.english_of[j0] | s.english_of[j1]
        for verb in (j for j in range(j0 + 1, j1) if not s.is_clitic(j)):
            links |= {(i, verb) for i in negation} | {(i, j) for i in s.english_of[verb] for j in (j0, j1)}
    return links


def _object_pronoun(s: _Sides) -> set[Link]:
    links = set()
    for j in range(len(s.fr) - 1):
        if s.is_clitic(j) and not s.is_clitic(j + 1):
            links |= s.swap(j, j + 1)
    return links


def _elision(s: _Sides) -> set[Link]:
    return set().union(*(s.swap(j, j + 1) for j in range(len(s.fr) - 1) if s.fr[j].endswith("'")))


def _article(s: _Sides) -> set[Link]:
    links = set()
    for j in range(1, len(s.fr)):
        if s.fr[j] in ARTICLES and s.fr[j - 1] in FUSING and {s.en[i] for i in s.english_of[j]} == {"the"}:
            links |= s.swap(j - 1, j)
    return links


#: rule name -> the links it proposes (sure ones included; :func:`possible_by_rule` removes them)
RULES = {"negation": _negation, "object_pronoun": _object_pronoun, "elision": _elision, "article": _article}


def possible_by_rule(pair: Pair) -> dict[str, set[Link]]:
    """The links each rule of :data:`RULES` adds beyond the sure ones; a link two rules propose is in both."""
    sides, sure = _Sides(pair), set(pair.alignment)
    return {name: rule(sides) - sure for name, rule in RULES.items()}


def possible_links(pair: Pair, rules: Iterable[str] | None = None) -> frozenset[Link]:
    """P for ``pair``: its sure links and the possible links of ``rules`` (default: all of :data:`RULES`)."""
    chosen = list(RULES) if rules is None else list(rules)
    unknown = [r for r in chosen if r not in RULES]
    if unknown:
        raise ValueError(f"no rule called {unknown}: the rules are {', '.join(RULES)}")
    if not pair.alignment:
        raise ValueError(f"the pair {pair.src!r} has no sure links: possible links are derived from them")
    added = possible_by_rule(pair)
    return frozenset(pair.alignment).union(*(added[r] for r in chosen))
