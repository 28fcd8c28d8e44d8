"""Reading the corpus's English, part 1: the reading state, the words, noun phrases, subjects and places.

Every reader here is a generator: from the position of a token it yields each way its phrase can be
read there (a sentence may be read in more than one way: *you* is a subject or an object, *the door*
may or may not go on with *of the house*).  A token that no rule allows ends that way of reading and
is noted as *expected* at its position, so the furthest such position is where a rejected sentence
goes wrong (:class:`Reading`).

Two kinds of rule are kept apart.  The **syntax** (word classes, word order, agreement: *he sees*,
*they see*, *a cat*, *an owl*, *these cats*) decides whether a phrase can be read at all.  The
corpus's **restrictions** (which nouns a verb, an adjective or a preposition takes, which determiners
and pronouns a construction uses) never stop a reading: they are collected as :data:`Fault` s, so a
sentence that is good English over the corpus's words but that the generator never says can be told
from one that is not English at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .lexicon import ADJ_BY_EN, DETERMINERS, NOUNS, NUMBERS, OWNERS, PREPOSITIONS, SUBJECT_PRONOUNS, Adjective, Noun

__all__ = ["Fault", "Phrase", "Place", "Reading", "Subject", "location", "noun_phrase", "subject"]

#: A restriction broken: (position of the token it is blamed on, what the corpus never says).
Fault = tuple[int, str]

VOWELS = "aeiou"  # the realiser writes "an" before a word starting with one of these letters

# -- the words, from the lexicon's tables --------------------------------------------------------------------------

#: Every form of every noun: form -> [(noun, plural)].  Mass nouns (bread, milk) have no plural.
NOUN_FORMS: dict[str, list[tuple[Noun, bool]]] = {}
for _noun in NOUNS:
    NOUN_FORMS.setdefault(_noun.en, []).append((_noun, False))
    if _noun.countable:
        NOUN_FORMS.setdefault(_noun.en_plural, []).append((_noun, True))

#: Determiner token -> (its lemma, the numbers it allows): "these" is "this" in the plural, "an" is "a".
DETERMINER_FORMS: dict[str, tuple[str, frozenset[bool]]] = {}
for _lemma, (_singular, _plural, *_) in DETERMINERS.items():
    DETERMINER_FORMS[_singular] = (_lemma, frozenset({False} | ({True} if _plural == _singular else set())))
    if _plural and _plural != _singular:
        DETERMINER_FORMS[_plural] = (_lemma, frozenset({True}))
DETERMINER_FORMS["an"] = ("a", frozenset({False}))
DETERMINER_FORMS.update({en: ("number", frozenset({True})) for en, _ in NUMBERS})

#: Locative prepositions as token tuples ("in front of"), with the noun tags of their landmark.
PLACE_PREPOSITIONS: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = tuple(
    (tuple(en.split()), tags) for en, _, tags in PREPOSITIONS)

#: Subject pronoun -> (person index 0 je … 4 ils, plural), as the realiser conjugates them.
SUBJECT_PERSONS = {en: (person, plural) for en, _, person, _, plural in SUBJECT_PRONOUNS}


class Reading:
    """One sentence being read: its tokens, and what the rules expected at the furthest token they stopped at."""

    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.far = -1
        self.expected: dict[str, int] = {}  # label -> rank (0: a near miss such as a wrong agreement; listed first)

    def word(self, pos: int) -> str | None:
        return self.tokens[pos] if pos < len(self.tokens) else None

    def expect(self, pos: int, label: str, rank: int = 2) -> None:
        """Note that a rule wanted ``label`` at ``pos`` and found something else there."""
        if pos > self.far:
            self.far, self.expected = pos, {}
        if pos == self.far:
            self.expected[label] = min(rank, self.expected.get(label, rank))

    def match(self, pos: int, words: tuple[str, ...]) -> int | None:
        """The position after ``words`` if the tokens at ``pos`` are those words, else None (nothing noted)."""
        end = pos + len(words)
        return end if tuple(self.tokens[pos:end]) == words else None

    def text(self, start: int, end: int) -> str:
        return " ".join(self.tokens[start:end])


# -- noun phrases --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Phrase:
    """A noun phrase read at tokens ``start:end``: ``det [pre] [post] noun [of owner]``."""

    start: int
    end: int
    head: int  # position of the noun
    det: str  # lemma: the, a, my, your, this, or "number"
    noun: Noun
    plural: bool
    pre: Adjective | None
    post: Adjective | None
    owner: Phrase | None
    faults: tuple[Fault, ...]
    text: str

    @property
    def bare(self) -> bool:
        """No adjective and no owner: *the cat*, *these cats*."""
        return self.pre is None and self.post is None and self.owner is None


# Roles whose noun phrase never has "a" or a number: a negated object (French *pas de*) and an owner.
_UNCOUNTED_ROLES = {"negated_object": "after a negation", "owner": "after 'of'"}


def _adjective(r: Reading, pos: int, prenominal: bool) -> Adjective | None:
    """The adjective at ``pos`` if it is one of the given side in French (``pre``: petit, grand …), noting it."""
    adj = ADJ_BY_EN.get(r.word(pos) or "")
    if adj is not None and adj.prenominal == prenominal:
        return adj
    r.expect(pos, "an adjective")
    return None


def noun_phrase(r: Reading, pos: int, role: str = "") -> Iterator[Phrase]:
    """``det [pre] [post] noun [of NP]``: *the small black cat*, *two cups*, *the door of the house*.

    ``role`` is what the phrase is in its clause (subject, object, negated_object, landmark, recipient,
    destination, owner): it decides the corpus's determiner and owner restrictions.
    """
    det = r.word(pos)
    if det not in DETERMINER_FORMS:
        r.expect(pos, "a determiner (the, a, my, your, this, these) or a number")
        return
    lemma, numbers = DETERMINER_FORMS[det]
    faults: list[Fault] = []
    if role in _UNCOUNTED_ROLES and lemma in ("a", "number"):
        faults.append((pos, f"the corpus never says '{det}' {_UNCOUNTED_ROLES[role]}"))
    if role == "destination" and lemma != "the":
        faults.append((pos, "a place one goes to or comes from always has 'the'"))
    i = pos + 1
    following = r.word(i)
    if lemma == "a" and following is not None and (following[0] in VOWELS) != (det == "an"):
        r.expect(i, f"a word {'starting' if det == 'an' else 'not starting'} with a vowel after '{det}'", rank=0)
        return
    pre = _adjective(r, i, prenominal=True)
    i += pre is not None
    post = _adjective(r, i, prenominal=False)
    i += post is not None
    forms = NOUN_FORMS.get(r.word(i) or "", [])
    counted = lemma in ("a", "number")  # "a bread", "two milk": mass nouns are never counted
    fitting = [(noun, plural) for noun, plural in forms if plural in numbers and (noun.countable or not counted)]
    if not fitting:
        if forms and not forms[0][0].countable and counted:
            r.expect(i, f"a noun one can count after '{det}' ('{forms[0][0].en}' is not)", rank=0)
        elif forms:
            r.expect(i, f"a {'plural' if True in numbers else 'singular'} noun after '{det}'", rank=0)
        else:
            r.expect(i, "a noun")
        return
    for noun, plural in fitting:
        own = list(faults)
        for adj in (pre, post):
            if adj and not adj.applies & noun.tags:
                own.append((i, f"'{adj.en}' never describes '{noun.en}' in the corpus"))
        phrase = Phrase(pos, i + 1, i, lemma, noun, plural, pre, post, None, tuple(own), r.text(pos, i + 1))
        yield phrase
        yield from _owned(r, phrase, role)


def _owned(r: Reading, phrase: Phrase, role: str) -> Iterator[Phrase]:
    """*the door* + *of the house*: the owners the lexicon allows (``OWNERS``), for roles that take one."""
    of = phrase.end
    if r.word(of) != "of":
        r.expect(of, "'of'")
        return
    noun = phrase.noun
    faults = list(phrase.faults)
    if role == "owner":
        faults.append((of, "the corpus never says 'of …' twice in a row"))
    elif role == "destination":
        faults.append((of, "a place one goes to or comes from never has 'of …' in the corpus"))
    elif noun.en not in OWNERS:
        faults.append((of, f"the corpus never says 'of …' after '{noun.en}'"))
    for owner in noun_phrase(r, of + 1, role="owner"):
        own = list(faults) + list(owner.faults)
        if noun.en in OWNERS and not owner.noun.tags & OWNERS[noun.en]:
            own.append((owner.head, f"a {noun.en} never belongs to a {owner.noun.en} in the corpus"))
        if owner.noun == noun:
            own.append((owner.head, f"'{noun.en}' never belongs to '{noun.en}'"))
        yield Phrase(phrase.start, owner.end, phrase.head, phrase.det, noun, phrase.plural, phrase.pre, phrase.post,
                     owner, tuple(own), r.text(phrase.start, owner.end))


# -- subjects ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Subject:
    """A subject pronoun or a noun phrase, with what the verb must agree with."""

    start: int
    end: int
    person: int  # 0 i, 1 you, 2 he/she/it/a singular noun, 3 we, 4 they/a plural noun
    plural: bool
    pronoun: str | None
    np: Phrase | None
    faults: tuple[Fault, ...]
    text: str

    @property
    def tags(self) -> frozenset[str]:
        """The noun tags the verb's restrictions look at; a pronoun subject is a person."""
        return self.np.noun.tags if self.np else frozenset({"person"})

    @property
    def noun(self) -> str | None:
        return self.np.noun.en if self.np else None


def subject(r: Reading, pos: int) -> Iterator[Subject]:
    """*i*, *you*, *he*, *she*, *we*, *they*, or a noun phrase (singular: 3rd person; plural: like *they*)."""
    word = r.word(pos)
    if word in SUBJECT_PERSONS:
        person, plural = SUBJECT_PERSONS[word]
        yield Subject(pos, pos + 1, person, plural, word, None, (), word)
    else:
        r.expect(pos, "a subject pronoun (i, you, he, she, we, they)")
    for np in noun_phrase(r, pos, role="subject"):
        yield Subject(pos, np.end, 4 if np.plural else 2, np.plural, None, np, np.faults, np.text)


# -- places --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """A prepositional phrase: *on the mat*, *in front of the house*, *with the dog*."""

    start: int
    end: int
    preposition: str
    tags: frozenset[str]  # the landmark tags the preposition takes (none for "with": the verb decides)
    np: Phrase
    faults: tuple[Fault, ...]  # all of them, ``misfit`` included
    misfit: tuple[Fault, ...]  # a landmark the preposition never takes (*on the soup*)


def location(r: Reading, pos: int) -> Iterator[Place]:
    """A locative preposition (or *with*) and its noun phrase; the landmark's tags are checked here."""
    found = False
    for words, tags in PLACE_PREPOSITIONS + ((("with",), frozenset()),):
        end = r.match(pos, words)
        if end is None:
            continue
        found = True
        prep = " ".join(words)
        for np in noun_phrase(r, end, role="landmark"):
            misfit = ((np.head, f"nothing is '{prep}' a {np.noun.en} in the corpus"),) \
                if tags and not np.noun.tags & tags else ()
            yield Place(pos, np.end, prep, tags, np, np.faults + misfit, misfit)
    if not found:
        r.expect(pos, "a preposition (on, under, in, near, behind, in front of, next to, with)")
