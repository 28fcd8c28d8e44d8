"""Realisation: a sentence spec becomes English tokens, French tokens and the alignment between them.

A spec is built from :class:`NounPhrase`, :class:`Subject`, :class:`Negation` and :class:`Location`;
the clause functions (:func:`transitive`, :func:`copula_adjective`, …) turn it into a :class:`Chunk`
of tokens in English order and in French order, each French token linked to the English tokens it
translates, and :func:`finish` makes the :class:`~attnlib.translation.corpus.pairs.Pair`.  The
phenomenon tags are collected along the way, where each rule applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from .lexicon import (
    ALLER, CONTRACTIONS, DETERMINERS, ELISIONS, ETRE, ETRE_PAST, FRENCH_VOWELS, IT_OBJECT, NUMBERS, OBJECT_PRONOUNS,
    PREPOSITIONS, SUBJECT_PRONOUNS, VENIR, Adjective, Noun, Verb,
)
from .pairs import PHENOMENA, Antecedent, Pair

__all__ = [
    "Chunk", "Location", "Negation", "NounPhrase", "Sentence", "Subject",
    "because", "copula_adjective", "copula_location", "coordination", "ditransitive", "finish", "intransitive",
    "motion", "sat", "transitive",
]


@dataclass(eq=False)
class _En:
    """An English token; identity (not text) matters, so two "the" stay distinct."""

    text: str


@dataclass(eq=False)
class _Fr:
    """A French token and the English tokens it translates."""

    text: str
    links: tuple[_En, ...]
    role: str = ""  # "article": may contract with à/de (au, du); "pronoun": an object pronoun


@dataclass
class Chunk:
    """A piece of a sentence pair: English tokens, French tokens, and what it shows."""

    en: list[_En] = field(default_factory=list)
    fr: list[_Fr] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    adj_nouns: set[tuple[str, str]] = field(default_factory=set)  # (adjective, noun) lemmas used together
    # a pronoun and what it refers to: (pronoun, antecedent noun, other noun) tokens, and the two noun lemmas
    antecedent: tuple[_En, _En, _En] | None = None
    noun_pair: tuple[str, str] | None = None


def _words(en_text: str, fr_text: str, role: str = "") -> Chunk:
    """A phrase whose English and French words all translate each other (``in front of`` = ``devant``)."""
    en = [_En(w) for w in en_text.split()]
    return Chunk(en, [_Fr(w, tuple(en), role) for w in fr_text.split()])


def _meta(*chunks: Chunk) -> dict:
    """What the chunks show, merged: tags, adjective–noun pairs, and a pronoun's antecedent if one has it."""
    tags: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for c in chunks:
        tags |= c.tags
        pairs |= c.adj_nouns
    referring = next((c for c in chunks if c.antecedent), None)
    return {"tags": tags, "adj_nouns": pairs, "antecedent": referring and referring.antecedent,
            "noun_pair": referring and referring.noun_pair}


def _seq(*chunks: Chunk) -> Chunk:
    """Chunks in the same order on both sides."""
    return Chunk([t for c in chunks for t in c.en], [t for c in chunks for t in c.fr], **_meta(*chunks))


def _reorder(en: Sequence[Chunk], fr: Sequence[Chunk]) -> Chunk:
    """The same chunks in English order and in French order: where attention has to look elsewhere.

    Each chunk's English tokens come from the ``en`` list and its French tokens from
    the ``fr`` list, so a chunk may be English-only (``does not``) or French-only (``ne``).
    """
    return Chunk([t for c in en for t in c.en], [t for c in fr for t in c.fr], **_meta(*en, *fr))


@dataclass(frozen=True)
class NounPhrase:
    """What to say: a noun with its determiner, number, adjectives and an optional "of the …" owner."""

    noun: Noun
    det: str = "the"  # a key of DETERMINERS, or an English number word
    plural: bool = False
    pre: Adjective | None = None
    post: Adjective | None = None
    owner: NounPhrase | None = None

    @property
    def gender(self) -> str:
        return self.noun.gender


def _determiner(np: NounPhrase, next_english_word: str) -> Chunk:
    numbers = dict(NUMBERS)
    if np.det in numbers:
        return _words(np.det, numbers[np.det])
    en_sg, en_pl, fr_m, fr_f, fr_pl = DETERMINERS[np.det]
    en = en_pl if np.plural else en_sg
    if en == "a" and next_english_word[0] in "aeiou":
        en = "an"
    fr = fr_pl if np.plural else (fr_f if np.gender == "f" else fr_m)
    return _words(en, fr, role="article" if np.det == "the" else "")


def realise_np(np: NounPhrase) -> Chunk:
    """English ``det pre post noun [of owner]`` -> French ``det pre noun post [de owner]``."""
    noun_en = np.noun.en_plural if np.plural else np.noun.en
    noun = _words(noun_en, np.noun.fr_plural if np.plural else np.noun.fr)
    pre = _words(np.pre.en, np.pre.form(np.gender, np.plural)) if np.pre else Chunk()
    post = _words(np.post.en, np.post.form(np.gender, np.plural)) if np.post else Chunk()
    first_word = (np.pre or np.post or np.noun).en
    det = _determiner(np, first_word)
    phrase = _reorder([det, pre, post, noun], [det, pre, noun, post])
    phrase.tags |= _np_tags(np)
    phrase.adj_nouns |= {(a.en, np.noun.en) for a in (np.pre, np.post) if a}
    if np.owner:
        phrase = _seq(phrase, _words("of", "de"), realise_np(np.owner))
    return phrase


def _np_tags(np: NounPhrase) -> set[str]:
    tags = set()
    if not np.plural:
        tags.add("gender")  # le/la, un/une, ce/cette, mon/ma: the noun's gender decides
    if np.plural or (np.gender == "f" and (np.pre or np.post)):
        tags.add("agreement")
    if np.post:
        tags.add("adjective_order")
    return tags


@dataclass(frozen=True)
class Subject:
    """A subject pronoun (``pronoun`` set) or a noun phrase."""

    np: NounPhrase | None = None
    pronoun: str | None = None  # english: i you he she we they

    def _pronoun_row(self) -> tuple:
        return next(p for p in SUBJECT_PRONOUNS if p[0] == self.pronoun)

    @property
    def person(self) -> int:
        """0 je, 1 tu, 2 il/elle, 3 nous, 4 ils/elles: the index into a conjugation table."""
        if self.np:
            return 4 if self.np.plural else 2
        return self._pronoun_row()[2]

    @property
    def gender(self) -> str | None:
        return self.np.gender if self.np else self._pronoun_row()[3]

    @property
    def plural(self) -> bool:
        return self.np.plural if self.np else self._pronoun_row()[4]

    @property
    def noun(self) -> str | None:
        return self.np.noun.en if self.np else None


def realise_subject(subject: Subject) -> Chunk:
    if subject.np:
        return realise_np(subject.np)
    chunk = _words(subject.pronoun, subject._pronoun_row()[1])
    chunk.tags.add("conjugation")
    return chunk


def _verb_chunk(verb: Verb, subject: Subject, negated: bool) -> Chunk:
    """English verb form (base after do/does) aligned with the conjugated French form."""
    english = verb.en if negated or subject.person != 2 else verb.en_3sg
    return _words(english, verb.forms[subject.person])


@dataclass(frozen=True)
class Negation:
    contracted: bool = False  # doesn't / isn't rather than does not / is not


def _ne_pas(english: Sequence[_En]) -> tuple[Chunk, Chunk]:
    """French ``ne`` and ``pas``, both linked to every English negation word."""
    return Chunk([], [_Fr("ne", tuple(english))]), Chunk([], [_Fr("pas", tuple(english))])


def _clause(subject: Subject, verb: Chunk, negation: Negation | None, complements: Sequence[Chunk] = (),
            clitic: Chunk | None = None) -> Chunk:
    """English ``subj [do not] verb [pronoun] complements`` -> French ``subj [ne] [pronoun] verb [pas] complements``.

    The object pronoun (``clitic``) follows the verb in English but precedes it in French;
    ``does not`` becomes ``ne … pas`` *around* the verb.
    """
    subj = realise_subject(subject)
    clitic = clitic or Chunk()
    if negation is None:
        return _reorder([subj, verb, clitic, *complements], [subj, clitic, verb, *complements])
    aux = "does" if subject.person == 2 else "do"
    neg = Chunk([_En(aux + "n't")] if negation.contracted else [_En(aux), _En("not")], [], {"negation"})
    ne, pas = _ne_pas(neg.en)
    return _reorder([subj, neg, verb, clitic, *complements], [subj, ne, clitic, verb, pas, *complements])


def _copula_clause(subject: Subject, negation: Negation | None, complement: Chunk) -> Chunk:
    """``is`` -> ``est``; ``is not`` -> ``n' est pas`` (is-est, not-ne/pas); ``isn't`` links to all three."""
    subj = realise_subject(subject)
    english = ("am", "are", "is", "are", "are")[subject.person]
    french = ETRE[subject.person]
    if negation is None:
        return _seq(subj, _words(english, french), complement)
    if negation.contracted and english != "am":  # there is no "amn't"
        be_en = _En(english + "n't")
        ne, pas = _ne_pas([be_en])
        be = Chunk([be_en], [_Fr(french, (be_en,))])
        neg = Chunk([], [], {"negation"})
    else:
        be = _words(english, french)
        neg = Chunk([_En("not")], [], {"negation"})
        ne, pas = _ne_pas(neg.en)
    return _reorder([subj, be, neg, complement], [subj, ne, be, pas, complement])


@dataclass(frozen=True)
class Location:
    """A prepositional phrase: "on the mat", "next to the dogs", "with the girl"."""

    preposition: str  # english, a key of PREPOSITIONS or "with"
    np: NounPhrase


def realise_location(loc: Location) -> Chunk:
    fr = "avec" if loc.preposition == "with" else next(p[1] for p in PREPOSITIONS if p[0] == loc.preposition)
    chunk = _seq(_words(loc.preposition, fr), realise_np(loc.np))
    chunk.tags.add("preposition")
    return chunk


def _object_pronoun(english: str, refers_to: NounPhrase | None = None) -> Chunk:
    """The French object pronoun; *it* takes the gender of the noun it refers to (le when there is none).

    *le* and *la* become *l'* before a vowel when the sentence is finished (:func:`_elide`).
    """
    if english == "it":
        fr = IT_OBJECT[refers_to.gender if refers_to else "m"]
    else:
        fr = next(p[1] for p in OBJECT_PRONOUNS if p[0] == english)
    chunk = _words(english, fr, role="pronoun")
    chunk.tags.add("object_pronoun")
    return chunk


def transitive(subject: Subject, verb: Verb, obj: NounPhrase | str, negation: Negation | None = None,
               location: Location | None = None, refers_to: NounPhrase | None = None) -> Chunk:
    """"the black cat sees the dog"; "she does not see him" -> "elle ne le voit pas".

    ``obj`` is a noun phrase or an English object pronoun; ``refers_to`` is the noun phrase an
    object *it* or *them* refers back to, in an earlier clause (*… the key and she takes it*: *la*).
    """
    v = _verb_chunk(verb, subject, negation is not None)
    extra = [realise_location(location)] if location else []
    if isinstance(obj, str):  # an object pronoun: before the verb in French
        return _clause(subject, v, negation, extra, clitic=_object_pronoun(obj, refers_to))
    return _clause(subject, v, negation, [realise_np(obj), *extra])


def intransitive(subject: Subject, verb: Verb, negation: Negation | None = None,
                 location: Location | None = None) -> Chunk:
    """"the dog sleeps under the table" -> "le chien dort sous la table"."""
    v = _verb_chunk(verb, subject, negation is not None)
    return _clause(subject, v, negation, [realise_location(location)] if location else [])


def ditransitive(subject: Subject, verb: Verb, obj: NounPhrase, recipient: NounPhrase,
                 negation: Negation | None = None) -> Chunk:
    """"the girl gives the apple to the horse" -> "la fille donne la pomme au cheval"."""
    v = _verb_chunk(verb, subject, negation is not None)
    to = _seq(_words("to", "à"), realise_np(recipient))
    return _clause(subject, v, negation, [realise_np(obj), to])


def copula_location(subject: Subject, location: Location, negation: Negation | None = None) -> Chunk:
    """"the cat is on the mat" -> "le chat est sur le tapis"."""
    return _copula_clause(subject, negation, realise_location(location))


def copula_adjective(subject: Subject, adjective: Adjective, negation: Negation | None = None) -> Chunk:
    """"the tables are black" -> "les tables sont noires": the adjective agrees across the verb."""
    adj = _words(adjective.en, adjective.form(subject.gender or "m", subject.plural))
    if subject.gender == "f" or subject.plural:
        adj.tags.add("agreement")
    if subject.noun:
        adj.adj_nouns.add((adjective.en, subject.noun))
    return _copula_clause(subject, negation, adj)


def motion(subject: Subject, towards: bool, place: NounPhrase, negation: Negation | None = None) -> Chunk:
    """"goes to the market" -> "va au marché", "comes from the station" -> "vient de la gare"."""
    base, third = ("go", "goes") if towards else ("come", "comes")
    english = third if negation is None and subject.person == 2 else base
    v = _words(english, (ALLER if towards else VENIR)[subject.person])
    where = _seq(_words("to" if towards else "from", "à" if towards else "de"), realise_np(place))
    return _clause(subject, v, negation, [where])


def sat(subject: Subject, location: Location) -> Chunk:
    """"the cat sat on the mat" -> "le chat était assis sur le tapis": one word to two, and agreement."""
    gender, plural = subject.gender or "m", subject.plural
    participle = "assis" + ("e" if gender == "f" else "") + ("s" if plural and gender == "f" else "")
    en = _En("sat")
    verb = Chunk([en], [_Fr(ETRE_PAST[subject.person], (en,)), _Fr(participle, (en,))], {"past_tense"})
    if gender == "f" or plural:
        verb.tags.add("agreement")
    return _seq(realise_subject(subject), verb, realise_location(location))


def coordination(first: Chunk, second: Chunk) -> Chunk:
    """Two clauses joined by "and" / "et"."""
    chunk = _seq(first, _words("and", "et"), second)
    chunk.tags.add("coordination")
    return chunk


def because(clause: Chunk, antecedent: NounPhrase, other: NounPhrase, adjective: Adjective) -> Chunk:
    """"the cat does not cross the street because it is tired" -> "… parce qu' il est fatigué".

    ``it`` (``they``) refers to one of the clause's two nouns, and French must say which: *il* or
    *elle* takes the gender of the noun meant. Only meaning tells: ``adjective`` fits ``antecedent``
    and not ``other`` (a street is not tired; a cat is not wide). Both nouns have the same number.
    """
    def token(np: NounPhrase) -> _En:
        word = np.noun.en_plural if np.plural else np.noun.en
        return next(t for t in clause.en if t.text == word)

    gender, plural = antecedent.gender, antecedent.plural
    conj_en = _En("because")
    conj = Chunk([conj_en], [_Fr("parce", (conj_en,)), _Fr("que", (conj_en,))])  # que -> qu' before il/elle
    pronoun_en = _En("they" if plural else "it")
    french = ("elles" if gender == "f" else "ils") if plural else ("elle" if gender == "f" else "il")
    pronoun = Chunk([pronoun_en], [_Fr(french, (pronoun_en,))], {"pronoun_antecedent"})
    be = _words("are" if plural else "is", ETRE[4 if plural else 2])
    predicate = _words(adjective.en, adjective.form(gender, plural))
    if gender == "f" or plural:
        predicate.tags.add("agreement")
    predicate.adj_nouns.add((adjective.en, antecedent.noun.en))
    chunk = _seq(clause, conj, pronoun, be, predicate)
    chunk.antecedent = (pronoun_en, token(antecedent), token(other))
    chunk.noun_pair = (antecedent.noun.en, other.noun.en)
    return chunk


def _contract(tokens: list[_Fr]) -> list[_Fr]:
    """à le -> au, à les -> aux, de le -> du, de les -> des: two words become one, linked to both."""
    out: list[_Fr] = []
    for tok in tokens:
        if out and tok.role == "article" and (out[-1].text, tok.text) in CONTRACTIONS:
            prev = out.pop()
            tok = _Fr(CONTRACTIONS[prev.text, tok.text], prev.links + tok.links)
        out.append(tok)
    return out


def _elide(tokens: list[_Fr]) -> list[_Fr]:
    """je aime -> j' aime, ne est -> n' est, le aime -> l' aime (before a vowel)."""
    out = []
    for i, tok in enumerate(tokens):
        following = tokens[i + 1].text if i + 1 < len(tokens) else ""
        if tok.text in ELISIONS and following and following[0] in FRENCH_VOWELS:
            tok = _Fr(ELISIONS[tok.text], tok.links, tok.role)
        out.append(tok)
    return out


@dataclass(frozen=True)
class Sentence:
    """A finished pair, with what the held-out rules look at."""

    pair: Pair
    adj_nouns: frozenset[tuple[str, str]]  # adjective-noun lemma pairs used together
    negated_pronoun: bool  # "ne le voit pas": ne directly before an object pronoun
    noun_pair: frozenset[str] = frozenset()  # the two nouns a pronoun could refer to

    @property
    def length(self) -> int:
        return len(self.pair.src_tokens)


def finish(clause: Chunk) -> Sentence:
    """Add the full stop, contract and elide, and turn token links into Pharaoh indices."""
    stop = _words(".", ".")
    chunk = _seq(clause, stop)
    fr = _elide(_contract(chunk.fr))
    tags = set(chunk.tags)
    if any(t.text in ("au", "aux", "du", "des") for t in fr):
        tags.add("contraction")
    if any(t.text.endswith("'") for t in fr):
        tags.add("elision")
    index = {id(tok): i for i, tok in enumerate(chunk.en)}
    alignment = tuple(sorted({(index[id(e)], j) for j, tok in enumerate(fr) for e in tok.links}))
    if {i for i, _ in alignment} != set(range(len(chunk.en))) or {j for _, j in alignment} != set(range(len(fr))):
        raise AssertionError(f"unaligned token in {[t.text for t in chunk.en]} / {[t.text for t in fr]}")
    phenomena = tuple(p for p in PHENOMENA if p in tags)
    antecedent = Antecedent(*(index[id(t)] for t in chunk.antecedent)) if chunk.antecedent else None
    pair = Pair(" ".join(t.text for t in chunk.en), " ".join(t.text for t in fr), alignment, phenomena, antecedent)
    negated_pronoun = any(a.text in ("ne", "n'") and b.role == "pronoun" for a, b in zip(fr, fr[1:]))
    return Sentence(pair, frozenset(chunk.adj_nouns), negated_pronoun, frozenset(chunk.noun_pair or ()))
