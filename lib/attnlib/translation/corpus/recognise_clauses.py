"""Reading the corpus's English, part 2: the clauses the sampler builds, each after its subject.

=================  ==========================================================  ================
clause             English shape                                               realiser
=================  ==========================================================  ================
transitive         subj [do not] verb (NP | pronoun) [place]                   ``transitive``
ditransitive       subj [do not] verb NP to NP                                 ``ditransitive``
intransitive       subj [do not] verb [place]                                  ``intransitive``
motion             subj [do not] go to NP / come from NP                       ``motion``
copula_location    subj be [not] place                                         ``copula_location``
copula_adjective   subj be [not] adjective                                     ``copula_adjective``
sat                subj sat place                                              ``sat``
=================  ==========================================================  ================

*do not* is *does not* / *doesn't* after a singular third person and *do not* / *don't* otherwise,
and the verb then takes its base form; without it the verb agrees (*he sees*, *they see*).  *be* is
*am*, *is* or *are* by person, negated *am not*, *is not* / *isn't*, *are not* / *aren't*.

The object pronouns *it* and *them* are checked by the sentence (:mod:`.recognise`): whether the
corpus says them depends on the clause beside this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .lexicon import ADJ_BY_EN, OBJECT_PRONOUNS, VERBS, Adjective, Verb
from .pairs import HELD_OUT_ADJECTIVE_NOUN
from .recognise_phrases import Fault, Phrase, Place, Reading, Subject, location, noun_phrase, subject
from .realise import Subject as SpokenSubject
from .sample import _same_person  # the sampler's own rule: no "i see me", "we see us", "you see you"

__all__ = ["Clause", "clause"]

#: Verbs by the first word of either of their forms ("waits" starts "waits" and "waits for").
_VERBS_BY_WORD: dict[str, list[Verb]] = {}
for _verb in VERBS:
    for _form in {_verb.en.split()[0], _verb.en_3sg.split()[0]}:
        _VERBS_BY_WORD.setdefault(_form, []).append(_verb)

_MOTION = {"go": ("goes", "to"), "come": ("comes", "from")}  # base -> (3rd singular, its preposition)
_BE = ("am", "are", "is", "are", "are")  # by person: i, you, he/she/it, we, they
_OBJECT_PERSONS = {en: person for en, _, person in OBJECT_PRONOUNS}  # me 0, you 1, us 3, him/her/them None
_OBJECT_WORDS = (*_OBJECT_PERSONS, "it")
#: Subjects each construction takes (noun tags), and the pronouns it uses, where the sampler restricts them.
_COPULA_LOCATION_SUBJECTS = frozenset({"person", "animal", "thing", "food", "drink"})
_COPULA_ADJECTIVE_SUBJECTS = frozenset({"person", "animal", "thing", "furniture", "part", "food", "drink",
                                        "vehicle", "place"})
_ANIMATE = frozenset({"person", "animal"})
_THIRD_PERSON_PRONOUNS = ("he", "she", "they")


@dataclass(frozen=True)
class Clause:
    """One clause read at tokens ``subject.start:end``, with the faults found in it."""

    kind: str  # transitive, ditransitive, intransitive, motion, copula_location, copula_adjective, sat
    subject: Subject
    end: int
    faults: tuple[Fault, ...]
    verb: Verb | None = None
    verb_pos: int = 0
    negated: bool = False
    obj: Phrase | None = None
    pronoun: str | None = None  # an object pronoun
    pronoun_pos: int = 0
    place: Place | None = None
    adjective: Adjective | None = None
    # faults of the construction standing as a clause of its own; the "because it is …" sentence uses a
    # copula_location with other subjects and landmarks (*the forest is next to the dog*, *near the pie*)
    own: tuple[Fault, ...] = ()


def clause(r: Reading, pos: int) -> Iterator[Clause]:
    """Every clause that can be read from ``pos``."""
    for subj in subject(r, pos):
        yield from _do_clauses(r, subj)
        yield from _be_clauses(r, subj)
        yield from _sat(r, subj)


def _agrees(subj: Subject) -> str:
    return f"agreeing with '{subj.text}'"


def _negation(r: Reading, pos: int, subj: Subject) -> Iterator[tuple[int, bool]]:
    """No negation, or *does not* / *doesn't* (3rd person singular), *do not* / *don't* (the others)."""
    yield pos, False
    aux, other = ("does", "do") if subj.person == 2 else ("do", "does")
    if r.word(pos) == aux:
        if r.word(pos + 1) == "not":
            yield pos + 2, True
        else:
            r.expect(pos + 1, "'not'")
    elif r.word(pos) == aux + "n't":
        yield pos + 1, True
    elif r.word(pos) in (other, other + "n't"):
        r.expect(pos, f"'{aux}' or '{aux}n't' ({_agrees(subj)})", rank=0)


def _verb(r: Reading, pos: int, subj: Subject, negated: bool) -> Iterator[tuple[int, Verb]]:
    """The verbs whose form here agrees: the base after *do not* and for all but *he*/*she*/a singular noun."""
    third = subj.person == 2 and not negated
    candidates = _VERBS_BY_WORD.get(r.word(pos) or "", [])
    found = False
    for verb in candidates:
        end = r.match(pos, tuple((verb.en_3sg if third else verb.en).split()))
        if end is not None:
            found = True
            yield end, verb
    if not found and candidates:  # a verb, in the wrong form
        verb = candidates[0]
        right = verb.en_3sg if third else verb.en
        why = f"after '{r.text(subj.end, pos)}'" if negated else _agrees(subj)
        r.expect(pos, f"'{right}'" if r.word(pos) == right.split()[0] else f"'{right}' ({why})", rank=0)
    r.expect(pos, f"a verb {_agrees(subj)}")


def _subject_fault(subj: Subject, pos: int, tags: frozenset[str], what: str) -> tuple[Fault, ...]:
    """A fault if the subject is not one the construction takes (its noun tags; a pronoun is a person)."""
    if subj.tags & tags:
        return ()
    return ((pos, f"'{subj.text}' is never the subject of '{what}' in the corpus"),)


def _do_clauses(r: Reading, subj: Subject) -> Iterator[Clause]:
    """The clauses with a verb of the lexicon (and *go*, *come*), negated with *do not*."""
    for pos, negated in _negation(r, subj.end, subj):
        yield from _motion(r, subj, pos, negated)
        for end, verb in _verb(r, pos, subj, negated):
            faults = subj.faults + _subject_fault(subj, pos, verb.subjects, r.text(pos, end))
            base = Clause("", subj, end, faults, verb, pos, negated)
            if verb.objects:
                yield from _with_object(r, base)
            else:
                yield from _intransitive(r, base)


def _with_object(r: Reading, c: Clause) -> Iterator[Clause]:
    """transitive (a noun phrase or a pronoun, then maybe a place) and ditransitive (… to NP)."""
    verb, subj = c.verb, c.subject
    if r.word(c.end) in _OBJECT_WORDS and not verb.only_ditransitive:
        pronoun = r.word(c.end)
        faults = c.faults + _pronoun_faults(c, pronoun)
        base = Clause("transitive", subj, c.end + 1, faults, verb, c.verb_pos, c.negated, None, pronoun, c.end)
        yield base
        yield from _extra_place(r, base)
    elif not verb.only_ditransitive:
        r.expect(c.end, "an object pronoun (me, you, him, her, it, us, them)")
    role = "negated_object" if c.negated else "object"
    for obj in noun_phrase(r, c.end, role=role):
        faults = c.faults + obj.faults
        if not obj.noun.tags & verb.objects:
            faults += ((obj.head, f"'{verb.en}' never takes '{obj.noun.en}' as its object in the corpus"),)
        if verb.ditransitive:
            yield from _recipient(r, Clause("ditransitive", subj, obj.end, faults, verb, c.verb_pos, c.negated, obj))
        if verb.only_ditransitive:
            continue
        if obj.noun.en == subj.noun and not _held_out_pair(obj):
            faults += ((obj.head, f"'{obj.noun.en}' is never both the subject and the object in the corpus"),)
        base = Clause("transitive", subj, obj.end, faults, verb, c.verb_pos, c.negated, obj)
        yield base
        yield from _extra_place(r, base)


def _held_out_pair(np: Phrase) -> bool:
    """A held-out adjective–noun pair (*the small dog*): the sampler forces it, past the rule that an object
    or a recipient is not the subject's noun (*your small dog listens to the small dog*)."""
    return any(adj and (adj.en, np.noun.en) in HELD_OUT_ADJECTIVE_NOUN for adj in (np.pre, np.post))


def _pronoun_faults(c: Clause, pronoun: str) -> tuple[Fault, ...]:
    """me, you, us only for a verb that takes people, never the subject itself; him, her for people and animals."""
    if pronoun in ("it", "them"):
        return ()  # decided by the sentence: it depends on the other clause
    where = c.end
    if not c.verb.takes_pronoun():
        return ((where, f"'{c.verb.en}' never takes '{pronoun}' as its object in the corpus"),)
    person = _OBJECT_PERSONS[pronoun]
    if person is not None and "person" not in c.verb.objects:
        return ((where, f"'{c.verb.en}' takes animals, never '{pronoun}', in the corpus"),)
    if person in _same_person(SpokenSubject(pronoun=c.subject.pronoun)):
        return ((where, f"'{pronoun}' would be the subject '{c.subject.text}' itself"),)
    return ()


def _extra_place(r: Reading, c: Clause) -> Iterator[Clause]:
    """A transitive clause's place: only *in*, *near*, *behind*, *in front of*, *next to* a place."""
    for place in location(r, c.end):
        faults = c.faults + place.faults
        if "place" not in place.np.noun.tags or not place.tags:
            faults += ((place.start, f"after an object the corpus says only where, with a place "
                                     f"('{r.text(place.start, place.end)}' is not one)"),)
        yield Clause(c.kind, c.subject, place.end, faults, c.verb, c.verb_pos, c.negated, c.obj, c.pronoun,
                     c.pronoun_pos, place)


def _recipient(r: Reading, c: Clause) -> Iterator[Clause]:
    """``to NP``: a person or an animal, never the subject's own noun."""
    if r.word(c.end) != "to":
        r.expect(c.end, "'to'")
        return
    for np in noun_phrase(r, c.end + 1, role="recipient"):
        faults = c.faults + np.faults
        if not np.noun.tags & _ANIMATE:
            faults += ((np.head, f"only people and animals are given things in the corpus, not '{np.noun.en}'"),)
        if np.noun.en == c.subject.noun and not _held_out_pair(np):
            faults += ((np.head, f"'{np.noun.en}' is never both the subject and the recipient in the corpus"),)
        yield Clause(c.kind, c.subject, np.end, faults, c.verb, c.verb_pos, c.negated, c.obj, place=None)


def _intransitive(r: Reading, c: Clause) -> Iterator[Clause]:
    """``verb [place]``: a place is needed where the verb has landmarks (*swims* in water, *lives* in a place)."""
    verb = c.verb
    if verb.landmarks:
        yield Clause("intransitive", c.subject, c.end, c.faults + (
            (c.end, f"'{verb.en}' always says where in the corpus"),), verb, c.verb_pos, c.negated)
    else:
        yield Clause("intransitive", c.subject, c.end, c.faults, verb, c.verb_pos, c.negated)
    for place in location(r, c.end):
        faults = c.faults + place.faults
        if place.preposition == "with":
            if not place.np.noun.tags & verb.company:
                faults += ((place.np.head, f"nobody {verb.en_3sg} with a {place.np.noun.en} in the corpus"
                            if verb.company else f"nobody {verb.en_3sg} with anyone in the corpus"),)
        elif verb.landmarks and not place.np.noun.tags & verb.landmarks:
            faults += ((place.np.head, f"'{verb.en}' never happens there in the corpus"),)
        yield Clause("intransitive", c.subject, place.end, faults, verb, c.verb_pos, c.negated, place=place)


def _motion(r: Reading, subj: Subject, pos: int, negated: bool) -> Iterator[Clause]:
    """*goes to the market*, *does not come from the station*."""
    word = r.word(pos)
    third = subj.person == 2 and not negated
    for base, (third_form, prep) in _MOTION.items():
        if word not in (base, third_form):
            continue
        if word != (third_form if third else base):
            why = f"after '{r.text(subj.end, pos)}'" if negated else _agrees(subj)
            r.expect(pos, f"'{third_form if third else base}' ({why})", rank=0)
            return
        if r.word(pos + 1) != prep:
            r.expect(pos + 1, f"'{prep}'")
            return
        faults = subj.faults + _subject_fault(subj, pos, _ANIMATE, word)
        for np in noun_phrase(r, pos + 2, role="destination"):
            own = faults + np.faults
            if not np.noun.tags & {"place", "destination"}:
                own += ((np.head, f"nobody goes to or comes from a {np.noun.en} in the corpus"),)
            yield Clause("motion", subj, np.end, own, None, pos, negated, np)


def _be_clauses(r: Reading, subj: Subject) -> Iterator[Clause]:
    """``be [not]`` then a place (copula_location) or an adjective (copula_adjective)."""
    be = _BE[subj.person]
    word, pos = r.word(subj.end), subj.end
    if word == be:
        negations = [(pos + 1, False)] + ([(pos + 2, True)] if r.word(pos + 1) == "not" else [])
    elif word == be + "n't" and be != "am":  # there is no "amn't"
        negations = [(pos + 1, True)]
    else:
        if word in ("am", "is", "are", "isn't", "aren't"):
            r.expect(pos, f"'{be}' ({_agrees(subj)})", rank=0)
        return
    for after, negated in negations:
        for place in location(r, after):
            faults = subj.faults + tuple(f for f in place.faults if f not in place.misfit)
            if place.preposition == "with":
                faults += ((place.start, "the corpus never says 'is with'"),)
            own = _subject_fault(subj, pos, _COPULA_LOCATION_SUBJECTS, f"{be} {place.preposition}") + place.misfit
            yield Clause("copula_location", subj, place.end, faults, None, pos, negated, place=place, own=own)
        adjective = ADJ_BY_EN.get(r.word(after) or "")
        if adjective is None:
            r.expect(after, "an adjective")
            continue
        yield Clause("copula_adjective", subj, after + 1, subj.faults + _predicate_faults(subj, adjective, after),
                     None, pos, negated, adjective=adjective)


def _predicate_faults(subj: Subject, adjective: Adjective, pos: int) -> tuple[Fault, ...]:
    """*the cat is black*: a bare subject (*he*, *she*, *they*, or no adjective and no *of*) the adjective fits."""
    if subj.pronoun and subj.pronoun not in _THIRD_PERSON_PRONOUNS:
        return ((pos, f"the corpus says '… is {adjective.en}' only of he, she, they or a noun, "
                      f"never of '{subj.pronoun}'"),)
    if subj.np and not subj.np.bare:
        return ((pos, f"the corpus says '… is {adjective.en}' only of a noun with no adjective and no 'of' "
                      f"('{subj.text}' has one)"),)
    if not adjective.predicative:
        return ((pos, f"the corpus never says '… is {adjective.en}'"),)
    if not adjective.applies & subj.tags or not subj.tags & _COPULA_ADJECTIVE_SUBJECTS:
        return ((pos, f"'{adjective.en}' never describes '{subj.text}' in the corpus"),)
    return ()


def _sat(r: Reading, subj: Subject) -> Iterator[Clause]:
    """*the cat sat on the mat*: never negated, and only he, she, they among the pronouns."""
    pos = subj.end
    if r.word(pos) != "sat":
        r.expect(pos, f"a verb {_agrees(subj)}")
        return
    faults = subj.faults + _subject_fault(subj, pos, _ANIMATE, "sat")
    if subj.pronoun and subj.pronoun not in _THIRD_PERSON_PRONOUNS:
        faults += ((pos, f"the corpus says 'sat' only after he, she, they or a noun, never after '{subj.pronoun}'"),)
    for place in location(r, pos + 1):
        own = faults + place.faults
        if place.preposition == "with":
            own += ((place.start, "the corpus never says 'sat with'"),)
        yield Clause("sat", subj, place.end, own, None, pos, False, place=place)
