"""Is a sentence in the corpus's English?  A recogniser built from the grammar's own tables and rules.

It reads a sentence the way the sampler builds one, from the lexicon's words and the realiser's
constructions, never from the list of corpus sentences, so a sentence the grammar could generate but
that no split holds is accepted.  A sentence is one of::

    clause .                                   any of the seven clauses (recognise_clauses)
    clause and clause .                        coordination: no object *it* in either clause ...
    clause and pronoun verb it/them .          ... except this one: *it* / *them* is the first clause's thing
    the N1 … the N2 because it is ADJ .        the pronoun antecedent: ADJ fits one noun only
    the N1s … the N2s because they are ADJ .

A sentence is **grammatical** (:func:`is_grammatical`) when the generator could have written it:
syntax, agreement and every restriction of the tables (which nouns a verb takes, which adjectives
describe which nouns, which pronouns and determiners a construction uses).  It is **well formed**
(:func:`is_well_formed`) when only the syntax and the agreement hold: *the table eats the bread .*
is well formed but not grammatical.  :func:`why_rejected` names the first token at fault and why.

Tokens are the corpus's: lower case, separated by spaces, the final ``.`` a token of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from .lexicon import ADJ_BY_EN, OBJECT_PRONOUNS, VERBS, Adjective
from .pairs import HELD_OUT_NOUN_PAIRS
from .recognise_clauses import Clause, clause
from .recognise_phrases import (
    DETERMINER_FORMS, NOUN_FORMS, PLACE_PREPOSITIONS, SUBJECT_PERSONS, Fault, Phrase, Reading,
)
# The sampler's own rules for its two pronoun constructions, so that the recogniser cannot drift from them.
from .sample import _ANIMAL_THING_VERBS, _PERSON_THING_VERBS, _SIDE_BY_SIDE, _THINGS, _predicates

__all__ = ["VOCABULARY", "Rejection", "grammatical_share", "is_grammatical", "is_well_formed", "why_rejected"]

_ANIMATE = frozenset({"person", "animal"})
_HELD_OUT_NOUN_SETS = {frozenset(pair) for pair in HELD_OUT_NOUN_PAIRS}

#: Every English token the grammar can write.
VOCABULARY = frozenset(
    {*NOUN_FORMS, *DETERMINER_FORMS, *ADJ_BY_EN, *SUBJECT_PERSONS, *(en for en, _, _ in OBJECT_PRONOUNS),
     *(w for v in VERBS for form in (v.en, v.en_3sg) for w in form.split()),
     *(w for words, _ in PLACE_PREPOSITIONS for w in words),
     "not", "do", "does", "don't", "doesn't", "am", "is", "are", "isn't", "aren't", "go", "goes", "come", "comes",
     "sat", "to", "from", "of", "with", "and", "because", "it", "."})


@dataclass(frozen=True)
class Rejection:
    """Why a sentence is not in the corpus's English: the first token at fault and what went wrong there.

    ``kind`` is ``"syntax"`` when no rule reads the sentence (a word out of place, a broken agreement,
    an unknown word, a missing ``.``), ``"restriction"`` when it is well formed but the corpus never says
    it (*the table eats the bread*).  ``position`` is the token's index, ``len(tokens)`` when the sentence
    stops too early (``token`` is then None); ``expected`` lists what the rules allowed there (syntax only).
    """

    position: int
    token: str | None
    kind: str
    message: str
    expected: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.message


def why_rejected(english: str) -> Rejection | None:
    """None if the generator could have written ``english``, else where and why it cannot."""
    r = Reading(english.split())
    readings = list(_sentences(r))
    if any(not faults for faults in readings):
        return None
    if readings:  # well formed, but each reading breaks a restriction: report the reading that breaks fewest
        faults = min(readings, key=lambda fs: (len(fs), -min(fs)[0]))
        pos, why = min(faults)
        token = r.word(pos)
        where = f"'{token}' (word {pos + 1})" if token is not None else "the end"
        return Rejection(pos, token, "restriction", f"{where}: {why}")
    return _syntax_rejection(r)


def is_grammatical(english: str) -> bool:
    """Whether the corpus's generator could have written ``english`` (syntax, agreement and restrictions)."""
    return why_rejected(english) is None


def is_well_formed(english: str) -> bool:
    """Whether ``english`` reads as the corpus's English, its restrictions aside (*the table eats the bread .*)."""
    rejection = why_rejected(english)
    return rejection is None or rejection.kind == "restriction"


def grammatical_share(sentences: Iterable[str], strict: bool = True) -> float:
    """The share of ``sentences`` that are grammatical (``strict``) or only well formed."""
    test = is_grammatical if strict else is_well_formed
    verdicts = [test(s) for s in sentences]
    if not verdicts:
        raise ValueError("grammatical_share needs at least one sentence")
    return sum(verdicts) / len(verdicts)


def _syntax_rejection(r: Reading) -> Rejection:
    pos = max(r.far, 0)
    labels = tuple(sorted(r.expected, key=lambda label: r.expected[label]))  # near misses first, then in order
    wanted = _listed(labels)
    token = r.word(pos)
    if token is None:
        message = (f"the sentence stops after '{r.tokens[pos - 1]}': expected {wanted}" if pos
                   else f"the sentence is empty: expected {wanted}")
    elif token not in VOCABULARY:
        message = f"'{token}' (word {pos + 1}) is not a word of the corpus's English"
    else:
        after = f"after '{r.tokens[pos - 1]}'" if pos else "at the start"
        message = f"'{token}' (word {pos + 1}) cannot come {after}: expected {wanted}"
    return Rejection(pos, token, "syntax", message, labels)


def _listed(labels: tuple[str, ...], most: int = 4) -> str:
    shown = list(labels[:most]) + (["…"] if len(labels) > most else [])
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


# -- the sentence: one clause, two joined by "and", or one and "because it is …" -----------------------------------

def _sentences(r: Reading) -> Iterator[tuple[Fault, ...]]:
    """The faults of every complete reading of the sentence (an empty tuple: the generator writes it)."""
    for first in clause(r, 0):
        pos = first.end
        yield from _ended(r, pos, first.faults + first.own + _it_fault(first))
        if r.word(pos) == "and":
            for second in clause(r, pos + 1):
                yield from _ended(r, second.end, first.faults + first.own + second.faults + second.own
                                             + _coordinated(first, second))
        elif r.word(pos) == "because":
            yield from _because(r, first)
        else:
            r.expect(pos, "'and'")
            r.expect(pos, "'because'")


def _ended(r: Reading, pos: int, faults: tuple[Fault, ...]) -> Iterator[tuple[Fault, ...]]:
    """The reading if the sentence ends at ``pos`` with its full stop."""
    if r.word(pos) != ".":
        r.expect(pos, "'.'", rank=1)
    elif pos + 1 < len(r.tokens):
        r.expect(pos + 1, "nothing after the final '.'")
    else:
        yield faults


def _it_fault(c: Clause) -> tuple[Fault, ...]:
    """An object *it* or *them* in a clause of its own: the verb must take things (*it*) or the living (*them*)."""
    if c.pronoun == "it" and not c.verb.takes_it():
        return ((c.pronoun_pos, f"'{c.verb.en}' takes only people, never 'it', in the corpus"),)
    if c.pronoun == "them" and not c.verb.takes_pronoun():
        return ((c.pronoun_pos, f"'{c.verb.en}' never takes 'them' (people or animals) in the corpus"),)
    return ()


def _coordinated(first: Clause, second: Clause) -> tuple[Fault, ...]:
    """*X and Y*: no *it* in either clause, unless the second's *it*/*them* is the first clause's thing."""
    faults: tuple[Fault, ...] = ()
    if first.pronoun == "it":
        faults += ((first.pronoun_pos, "the corpus never says 'it' in the first of two clauses"),)
    else:
        faults += _it_fault(first)
    if second.pronoun in ("it", "them"):
        why = _object_antecedent(first, second)
        if why and (second.pronoun == "it" or _it_fault(second)):
            faults += ((second.pronoun_pos, why),)
    return faults


def _object_antecedent(first: Clause, second: Clause) -> str | None:
    """Why *… the key and she takes it* does not fit the sampler's ``_object_antecedent`` (None: it fits).

    A person does something to one thing (no place, no *of …*), then a pronoun subject does something
    to *it* (*them* for things in the plural) with a verb that takes that thing.
    """
    obj, verb = first.obj, first.verb
    if first.kind != "transitive" or obj is None or first.place is not None:
        return f"'{second.pronoun}' refers back only to the object of a first clause with no place after it"
    if not first.subject.tags & {"person"} or verb not in _PERSON_THING_VERBS:
        return f"'{second.pronoun}' refers back only to what a person does something to"
    if not obj.noun.tags & (verb.objects - _ANIMATE) or obj.owner is not None:
        return f"'{second.pronoun}' refers back only to one thing, with no 'of …' ('{obj.text}' is not)"
    if second.subject.pronoun is None or second.place is not None:
        return f"the corpus says '… and PRONOUN VERB {second.pronoun} .' with a subject pronoun and no place"
    if second.verb not in _PERSON_THING_VERBS or not second.verb.objects & obj.noun.tags:
        return f"'{second.verb.en}' never takes '{obj.noun.en}', which '{second.pronoun}' refers to"
    if second.pronoun != ("them" if obj.plural else "it"):
        return f"'{obj.text}' is {'plural' if obj.plural else 'singular'}: '{'them' if obj.plural else 'it'}'"
    return None


def _because(r: Reading, first: Clause) -> Iterator[tuple[Fault, ...]]:
    """``… because it is ADJ .`` / ``… because they are ADJ .``"""
    pos = first.end + 1
    pronoun = r.word(pos)
    if pronoun not in ("it", "they"):
        r.expect(pos, "'it' or 'they'")
        return
    be = "is" if pronoun == "it" else "are"
    if r.word(pos + 1) != be:
        r.expect(pos + 1, f"'{be}' (agreeing with '{pronoun}')", rank=0 if r.word(pos + 1) in ("is", "are") else 2)
        return
    adjective = ADJ_BY_EN.get(r.word(pos + 2) or "")
    if adjective is None:
        r.expect(pos + 2, "an adjective")
        return
    yield from _ended(r, pos + 3, first.faults + _antecedent_faults(first, pronoun, pos, adjective))


def _plain(np: Phrase) -> bool:
    return np.det == "the" and np.bare


def _is_animal(np: Phrase) -> bool:
    return "animal" in np.noun.tags


def _is_thing(np: Phrase) -> bool:
    return "animal" not in np.noun.tags and bool(np.noun.tags & _THINGS)


def _antecedent_faults(first: Clause, pronoun: str, pronoun_pos: int, adjective: Adjective) -> tuple[Fault, ...]:
    """The sampler's ``_antecedent``: an animal and a thing, both *the N* and of one number, side by side
    (*is near the …*) or the animal doing something to the thing; the adjective fits one of them only."""
    because = pronoun_pos - 1
    shape = ("the corpus says 'because it is …' only after 'the ANIMAL VERB the THING' "
             "or 'the X is near/behind/in front of/next to the Y'")
    a = first.subject.np
    if first.kind == "transitive" and first.place is None:
        b = first.obj
    elif first.kind == "copula_location" and first.place.preposition in _SIDE_BY_SIDE:
        b = first.place.np
    else:
        return ((because, shape),)
    if a is None or b is None:
        return ((because, shape),)
    if not (_plain(a) and _plain(b)):
        return ((because, "the corpus says 'because it is …' only after two nouns with 'the' and nothing else"),)
    if a.plural != b.plural:
        return ((because, "the corpus says 'because it is …' only after two nouns of one number"),)
    if not (_is_animal(a) and _is_thing(b) or first.kind == "copula_location" and _is_thing(a) and _is_animal(b)):
        return ((because, "'because it is …' follows an animal and a thing (the animal first if it does something)"),)
    # a held-out pair (cow, bottle) is forced: its verb need only take the thing, not as one of _THINGS
    held_out = frozenset({a.noun.en, b.noun.en}) in _HELD_OUT_NOUN_SETS
    if first.kind == "transitive" and (first.verb not in _ANIMAL_THING_VERBS or not first.verb.objects
                                       & b.noun.tags & (b.noun.tags if held_out else _THINGS)):
        return ((first.verb_pos, f"'{first.verb.en}' is not something an animal does to a thing in the corpus"),)
    if pronoun != ("they" if a.plural else "it"):
        return ((pronoun_pos, f"the pronoun for '{a.text}' and '{b.text}' is '{'they' if a.plural else 'it'}'"),)
    one, other = _predicates(a.noun, b.noun), _predicates(b.noun, a.noun)
    if not one or not other:
        return ((because, f"no adjective tells '{a.noun.en}' from '{b.noun.en}' in the corpus"),)
    if adjective not in one + other:
        return ((pronoun_pos + 2, f"'{adjective.en}' must fit one of '{a.noun.en}' and '{b.noun.en}' only, "
                                  f"as only the living or only things can be"),)
    return ()
