"""Sampling: which sentence specs to draw, and how often each construction appears.

A :class:`Sampler` draws specs from the lexicon and hands them to the realiser; a style sets the
weight of each construction and the chance of each option (negation, pronoun, adjective, …), and
:data:`HELD_OUT_STYLES` skews them towards the sentences the generalisation split needs.
Every choice goes through one ``random.Random`` and is made over an ordered tuple (lexicon order),
never over a ``set``, so the same seed always draws the same sentences.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, replace
from typing import Sequence

from .lexicon import (
    ADJ_BY_EN, ADJECTIVES, DITRANSITIVE_VERBS, INTRANSITIVE_VERBS, NOUN_BY_EN, NOUNS, NUMBERS, OBJECT_PRONOUNS,
    OWNERS, PREPOSITIONS, TRANSITIVE_VERBS, Adjective, Noun, Verb,
)
from .pairs import HELD_OUT_ADJECTIVE_NOUN, HELD_OUT_NOUN_PAIRS
from .realise import (
    Chunk, Location, Negation, NounPhrase, Sentence, Subject, because, copula_adjective, copula_location,
    coordination, ditransitive, finish, intransitive, motion, sat, transitive,
)

__all__ = ["HELD_OUT_STYLES", "Sampler", "pinned_sentences"]


@functools.cache
def _nouns(tags: frozenset[str], require: frozenset[str] = frozenset(), exclude: str = "") -> tuple[Noun, ...]:
    """Nouns with one of ``tags`` (and, if given, one of ``require``), in lexicon order."""
    return tuple(n for n in NOUNS if n.tags & tags and (not require or n.tags & require) and n.en != exclude)


@functools.cache
def _adjectives(noun: Noun, prenominal: bool) -> tuple[Adjective, ...]:
    """Adjectives that can describe ``noun`` on the given side of it, in lexicon order."""
    return tuple(a for a in ADJECTIVES if a.prenominal == prenominal and a.applies & noun.tags)


@dataclass(frozen=True)
class _Style:
    """How often each construction is drawn.  The generalisation pools use skewed styles."""

    templates: tuple[tuple[str, float], ...] = (
        ("transitive", 0.27), ("intransitive", 0.12), ("copula_location", 0.09), ("copula_adjective", 0.09),
        ("motion", 0.06), ("ditransitive", 0.06), ("sat", 0.05), ("coordination", 0.04), ("antecedent", 0.18),
        ("object_antecedent", 0.04),
    )
    p_pronoun_subject: float = 0.35
    p_negation: float = 0.25
    p_contracted_negation: float = 0.4
    p_object_pronoun: float = 0.4  # him, her, them, me, you, us, for a verb that takes people or animals
    p_it_object: float = 0.12  # otherwise "it", for a verb that takes animals or things
    p_pre_adjective: float = 0.12
    p_post_adjective: float = 0.25
    p_owner: float = 0.2
    p_extra_location: float = 0.08
    p_held_out_pair: float = 0.0
    p_held_out_nouns: float = 0.0  # "antecedent": force one of HELD_OUT_NOUN_PAIRS


_MAIN = _Style()
_HELD_OUT_PAIR_STYLE = _Style(
    templates=(("transitive", 0.45), ("intransitive", 0.15), ("copula_location", 0.15), ("copula_adjective", 0.25)),
    p_pronoun_subject=0.2, p_held_out_pair=0.6,
)
_NEGATED_PRONOUN_STYLE = _Style(templates=(("transitive", 1.0),), p_negation=1.0, p_object_pronoun=0.6,
                                p_it_object=1.0)
_LONG_STYLE = _Style(
    templates=(("transitive", 0.3), ("ditransitive", 0.2), ("coordination", 0.5)),
    p_pronoun_subject=0.15, p_pre_adjective=0.4, p_post_adjective=0.7, p_owner=0.7, p_extra_location=0.6,
)
_HELD_OUT_NOUNS_STYLE = _Style(templates=(("antecedent", 1.0),), p_held_out_nouns=1.0)
#: The style that makes sentences held out for each reason (see ``HELD_OUT_TAGS``) likely.
HELD_OUT_STYLES = {"held_out_adjective_noun": _HELD_OUT_PAIR_STYLE, "held_out_negated_pronoun": _NEGATED_PRONOUN_STYLE,
                   "held_out_length": _LONG_STYLE, "held_out_noun_pair": _HELD_OUT_NOUNS_STYLE}
#: Thing nouns a pronoun may refer to, and the animal nouns they are paired with.
_THINGS = frozenset({"thing", "furniture", "vehicle", "food", "drink", "place"})
_ANIMALS = frozenset({"animal"})
_SIDE_BY_SIDE = ("near", "behind", "in front of", "next to")  # "the box is next to the cat", either way round
#: Templates that make a whole sentence of their own, never one clause of a coordination.
_WHOLE_SENTENCES = frozenset({"coordination", "antecedent", "object_antecedent"})


class Sampler:
    """Draws sentence specs with one ``random.Random``; every choice is over an ordered tuple."""

    def __init__(self, rng: random.Random, style: _Style = _MAIN):
        self.rng = rng
        self.style = style

    # -- small helpers ---------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, options: Sequence):
        return options[self.rng.randrange(len(options))]

    def weighted(self, options: Sequence[tuple[str, float]]) -> str:
        return self.rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]

    # -- noun phrases ----------------------------------------------------------------

    def held_out_pair(self, tags: frozenset[str]) -> tuple[Adjective, Noun] | None:
        """In the held-out style, often force one of the held-out adjective–noun pairs."""
        if not self.chance(self.style.p_held_out_pair):
            return None
        fitting = [(a, n) for a, n in HELD_OUT_ADJECTIVE_NOUN if NOUN_BY_EN[n].tags & tags]
        if not fitting:
            return None
        a, n = self.pick(fitting)
        return ADJ_BY_EN[a], NOUN_BY_EN[n]

    def determiner(self, noun: Noun, role: str) -> tuple[str, bool]:
        """(determiner, plural).  Destinations take "the"; negated objects no "a"/numbers ("pas de")."""
        if not noun.countable:
            return self.weighted((("the", 0.7), ("my", 0.1), ("your", 0.1), ("this", 0.1))), False
        if role == "destination":
            return "the", self.chance(0.2)
        options = [("the", 0.55), ("my", 0.08), ("your", 0.07), ("this", 0.07)]
        if role not in ("negated_object", "owner"):
            options += [("a", 0.15), ("number", 0.08)]
        det = self.weighted(options)
        if det == "a":
            return det, False
        if det == "number":
            return self.pick(NUMBERS)[0], True
        return det, self.chance(0.3)

    def noun_phrase(self, tags: frozenset[str], role: str = "", exclude: str = "",
                    require: frozenset[str] = frozenset()) -> NounPhrase:
        forced = self.held_out_pair(tags) if role != "owner" and not require else None
        noun = forced[1] if forced else self.pick(_nouns(tags, require, exclude))
        det, plural = self.determiner(noun, role)
        pre = post = None
        if forced and forced[0].prenominal:
            pre = forced[0]
        elif forced:
            post = forced[0]
        scale = 0.4 if role == "owner" else 1.0
        if pre is None and (options := _adjectives(noun, True)) and self.chance(self.style.p_pre_adjective * scale):
            pre = self.pick(options)
        if post is None and (options := _adjectives(noun, False)) and self.chance(self.style.p_post_adjective * scale):
            post = self.pick(options)
        owner = None
        if role not in ("owner", "destination") and noun.en in OWNERS and self.chance(self.style.p_owner):
            owner = self.noun_phrase(frozenset(OWNERS[noun.en]), role="owner", exclude=noun.en)
        return NounPhrase(noun, det, plural, pre, post, owner)

    # -- clause parts ----------------------------------------------------------------
    def subject(self, tags: frozenset[str],
                pronouns: Sequence[str] = ("i", "you", "he", "she", "we", "they")) -> Subject:
        if pronouns and "person" in tags and self.chance(self.style.p_pronoun_subject):
            return Subject(pronoun=self.pick(tuple(pronouns)))
        return Subject(np=self.noun_phrase(tags, role="subject"))

    def negation(self) -> Negation | None:
        if not self.chance(self.style.p_negation):
            return None
        return Negation(contracted=self.chance(self.style.p_contracted_negation))

    def location(self, restrict: frozenset[str] = frozenset(), company: frozenset[str] = frozenset()) -> Location:
        """A place phrase; ``restrict`` keeps swimmers in the water and the living in places."""
        if company and self.chance(0.25):
            return Location("with", self.noun_phrase(company, role="landmark"))
        preps = [p for p in PREPOSITIONS if _nouns(p[2], restrict)]
        en, _, landmark_tags = self.pick(preps)
        return Location(en, self.noun_phrase(landmark_tags, role="landmark", require=restrict))

    def object_pronoun(self, subject: Subject, verb: Verb) -> str | None:
        """An object pronoun instead of a noun phrase, or None.

        him/her/them for anyone; me/you/us only if the verb takes people, and never the subject itself;
        otherwise, sometimes, *it* for an animal or a thing the sentence does not name (French *le*).
        """
        if verb.takes_pronoun() and self.chance(self.style.p_object_pronoun):
            excluded = _same_person(subject) if "person" in verb.objects else {0, 1, 3}
            return self.pick(tuple(en for en, _, person in OBJECT_PRONOUNS if person not in excluded))
        if verb.takes_it() and self.chance(self.style.p_it_object):
            return "it"
        return None

    # -- clauses ---------------------------------------------------------------------
    def clause(self, template: str) -> Chunk:
        return getattr(self, "_" + template)()

    def _transitive(self) -> Chunk:
        verb = self.pick(TRANSITIVE_VERBS)
        subject = self.subject(verb.subjects)
        negation = self.negation()
        location = self.location(restrict=frozenset({"place"})) if self.chance(self.style.p_extra_location) else None
        if pronoun := self.object_pronoun(subject, verb):
            return transitive(subject, verb, pronoun, negation, location)
        role = "negated_object" if negation else "object"
        obj = self.noun_phrase(verb.objects, role=role, exclude=subject.noun or "")
        return transitive(subject, verb, obj, negation, location)

    def _intransitive(self) -> Chunk:
        verb = self.pick(INTRANSITIVE_VERBS)
        location = None
        if verb.landmarks or self.chance(0.75):
            location = self.location(verb.landmarks, verb.company)
        return intransitive(self.subject(verb.subjects), verb, self.negation(), location)

    def _ditransitive(self) -> Chunk:
        verb = self.pick(DITRANSITIVE_VERBS)
        subject = self.subject(verb.subjects)
        negation = self.negation()
        obj = self.noun_phrase(verb.objects, role="negated_object" if negation else "object")
        recipient = self.noun_phrase(frozenset({"person", "animal"}), role="recipient", exclude=subject.noun or "")
        return ditransitive(subject, verb, obj, recipient, negation)

    def _copula_location(self) -> Chunk:
        subject = self.subject(frozenset({"person", "animal", "thing", "food", "drink"}))
        return copula_location(subject, self.location(), self.negation())

    def _copula_adjective(self) -> Chunk:
        """Pronoun subjects only where French shows the gender: il, elle, ils."""
        forced = self.held_out_pair(frozenset({"person", "animal", "thing", "furniture", "part", "food",
                                               "drink", "vehicle", "place"}))
        if forced:
            adjective, noun = forced
            det, plural = self.determiner(noun, "subject")
            subject = Subject(np=NounPhrase(noun, det, plural))
        else:  # a bare subject: "the empty bottle is full" would be nonsense
            subject = self.subject(frozenset({"person", "animal", "thing", "furniture", "part", "food",
                                              "drink", "vehicle", "place"}), pronouns=("he", "she", "they"))
            if subject.np:
                subject = Subject(np=NounPhrase(subject.np.noun, subject.np.det, subject.np.plural))
            tags = subject.np.noun.tags if subject.np else frozenset({"person"})
            adjective = self.pick(tuple(a for a in ADJECTIVES if a.predicative and a.applies & tags))
        return copula_adjective(subject, adjective, self.negation())

    def _motion(self) -> Chunk:
        subject = self.subject(frozenset({"person", "animal"}))
        place = self.noun_phrase(frozenset({"place", "destination"}), role="destination")
        return motion(subject, self.chance(0.6), place, self.negation())

    def _sat(self) -> Chunk:
        subject = self.subject(frozenset({"person", "animal"}), pronouns=("he", "she", "they"))
        return sat(subject, self.location())

    def _antecedent(self) -> Chunk:
        """An animal and a thing, then "because it is …": the predicate fits one of them only.

        Which noun comes first (the animal as subject of a verb or a place phrase, or the thing as
        subject of a place phrase) and which one the pronoun means are drawn independently, half
        and half, so neither "the subject" nor "the nearest noun" is right more than by chance;
        the thing is drawn to differ from the animal in gender three times in four (and often does by
        chance otherwise), so that il/elle shows the choice.
        """
        plural = self.chance(0.25)
        animal_first = self.chance(0.5)
        forced = self.pick(HELD_OUT_NOUN_PAIRS) if self.chance(self.style.p_held_out_nouns) else None
        animal = NOUN_BY_EN[forced[0]] if forced else self.pick(_nouns(_ANIMALS))
        verb = self.pick(_ANIMAL_THING_VERBS) if animal_first and self.chance(0.6) else None
        if forced:
            thing = NOUN_BY_EN[forced[1]]
            verb = verb if verb and verb.objects & thing.tags else None
        else:
            things = _referable(verb.objects & _THINGS if verb else _THINGS, animal)
            differing = tuple(n for n in things if n.gender != animal.gender)
            thing = self.pick(differing if differing and self.chance(0.75) else things)
        plural = plural and animal.countable and thing.countable
        a, b = NounPhrase(animal, "the", plural), NounPhrase(thing, "the", plural)
        first, second = (a, b) if animal_first else (b, a)
        antecedent, other = (first, second) if self.chance(0.5) else (second, first)
        predicate = self.pick(_predicates(antecedent.noun, other.noun))
        if verb is not None:
            clause = transitive(Subject(np=first), verb, second, self.negation())
        else:
            preposition = self.pick(_SIDE_BY_SIDE)
            clause = copula_location(Subject(np=first), Location(preposition, second), self.negation())
        return because(clause, antecedent, other, predicate)

    def _object_antecedent(self) -> Chunk:
        """"the girl finds the key and she takes it" -> "… et elle la prend": *it* takes the key's gender.

        The first clause names one thing and nothing else *it* could mean (a person or a pronoun as the
        subject, no place, no owner), so the antecedent is certain and *le*/*la* (*les* for *them*) is
        decided by a noun a few words back.
        """
        verb = self.pick(_PERSON_THING_VERBS)
        subject = self.subject(frozenset({"person"}))
        negation = self.negation()
        thing = self.noun_phrase(verb.objects - _ANIMATE, role="negated_object" if negation else "object")
        thing = replace(thing, owner=None)  # "the door of the house": two things, and "it" could be either
        first = transitive(subject, verb, thing, negation)
        again = self.pick(tuple(v for v in _PERSON_THING_VERBS if v.objects & thing.noun.tags))
        pronoun = Subject(pronoun=self.pick(("i", "you", "he", "she", "we", "they")))
        second = transitive(pronoun, again, "them" if thing.plural else "it", self.negation(), refers_to=thing)
        return coordination(first, second)

    def _coordination(self) -> Chunk:
        """Two clauses joined by "and"; neither has an *it* of its own, which the other clause could
        give an antecedent of another gender ("she finds the key and he takes it" is *la*)."""
        parts = [t for t in self.style.templates if t[0] not in _WHOLE_SENTENCES] \
            or [t for t in _MAIN.templates if t[0] not in _WHOLE_SENTENCES]
        without_it = Sampler(self.rng, replace(self.style, p_it_object=0.0))  # the same random stream
        return coordination(without_it.clause(self.weighted(parts)), without_it.clause(self.weighted(parts)))

    def sentence(self) -> Sentence:
        return finish(self.clause(self.weighted(self.style.templates)))


_ANIMATE = frozenset({"person", "animal"})


@functools.cache
def _predicates(noun: Noun, other: Noun) -> tuple[Adjective, ...]:
    """Adjectives that can follow "is" for ``noun`` and not for ``other``: what makes the pronoun mean ``noun``.

    Only adjectives of one kind: for an animal, those that describe only the living (*tired*, *hungry*);
    for a thing, those that never describe the living (*empty*, *wide*). So the kind of the adjective
    tells the kind of noun meant, and the sentence, not a word-by-word memory, tells which noun that is.
    """
    living = "animal" in noun.tags
    return tuple(a for a in ADJECTIVES if a.predicative and a.applies & noun.tags and not a.applies & other.tags
                 and (a.applies <= _ANIMATE if living else not a.applies & _ANIMATE))


@functools.cache
def _referable(tags: frozenset[str], animal: Noun) -> tuple[Noun, ...]:
    """Things with ``tags`` that a predicate can tell from ``animal``, both ways round."""
    return tuple(n for n in _nouns(tags) if "animal" not in n.tags and _predicates(n, animal)
                 and _predicates(animal, n) and (n.en, animal.en) not in HELD_OUT_NOUN_PAIRS
                 and (animal.en, n.en) not in HELD_OUT_NOUN_PAIRS)


def _same_person(subject: Subject) -> set[int]:
    """Object pronouns that would refer back to the subject ("i see me", "we see us")."""
    if subject.pronoun in ("i", "we"):
        return {0, 3}
    if subject.pronoun == "you":
        return {1}
    return set()


def pinned_sentences() -> list[Sentence]:
    """The book's running examples, built with the same realiser as everything else."""
    the = lambda noun, **kw: NounPhrase(NOUN_BY_EN[noun], "the", **kw)  # noqa: E731
    see = next(v for v in TRANSITIVE_VERBS if v.en == "see")
    cross = next(v for v in TRANSITIVE_VERBS if v.en == "cross")
    cat, street = the("cat"), the("street")
    refuses = transitive(Subject(np=cat), cross, street, Negation())  # "the cat does not cross the street"
    return [
        finish(sat(Subject(np=the("cat")), Location("on", the("mat")))),
        finish(transitive(Subject(np=the("cat", post=ADJ_BY_EN["black"])), see, the("dog"))),
        finish(because(refuses, cat, street, ADJ_BY_EN["tired"])),   # it = the cat: il
        finish(because(refuses, street, cat, ADJ_BY_EN["wide"])),    # it = the street: elle
    ]


#: Verbs for "the animal VERB the thing": an animal may do them to a thing.
_ANIMAL_THING_VERBS = tuple(v for v in TRANSITIVE_VERBS if "animal" in v.subjects and v.objects & _THINGS
                            and _nouns(v.objects & _THINGS))
#: Verbs for "the girl VERB the thing" and "she VERB it": a person may do them to something inanimate.
_PERSON_THING_VERBS = tuple(v for v in TRANSITIVE_VERBS if "person" in v.subjects and _nouns(v.objects - _ANIMATE))
