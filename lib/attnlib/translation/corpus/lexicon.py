"""The corpus's words: nouns, adjectives and verbs with their French forms, and the closed-class words.

The three open classes are read from ``lexicon_tables/nouns.txt``, ``adjectives.txt`` and
``verbs.txt`` (each file's header explains its columns); pronouns, determiners, numbers,
prepositions and the elision and contraction rules are small enough to stay here.
Importing this module reads the tables and checks the assumptions the realiser makes about them;
reading the corpus never imports it (the loaders live in ``pairs``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from .pairs import HELD_OUT_ADJECTIVE_NOUN

__all__ = [
    "ADJECTIVES", "DITRANSITIVE_VERBS", "INTRANSITIVE_VERBS", "NOUNS", "TRANSITIVE_VERBS", "VERBS",
    "Adjective", "Noun", "Verb", "lexicon_rows", "noun_gender",
]


@dataclass(frozen=True)
class Noun:
    en: str
    fr: str
    gender: str  # "m" or "f"
    tags: frozenset[str]
    en_plural: str
    fr_plural: str

    @property
    def countable(self) -> bool:
        return "mass" not in self.tags


@dataclass(frozen=True)
class Adjective:
    en: str
    forms: tuple[str, str, str, str]  # masculine singular, feminine singular, masculine plural, feminine plural
    prenominal: bool  # petit, grand, beau… go before the noun in French too
    applies: frozenset[str]  # noun tags it can describe
    predicative: bool = True  # may follow "is" ("the car is new" is odd in French: excluded)

    def form(self, gender: str, plural: bool) -> str:
        return self.forms[(gender == "f") + 2 * plural]


@dataclass(frozen=True)
class Verb:
    en: str  # base form, may be two words ("look for")
    en_3sg: str
    infinitive: str
    forms: tuple[str, str, str, str, str]  # je, tu, il/elle, nous, ils/elles
    subjects: frozenset[str]
    objects: frozenset[str] = frozenset()  # noun tags of possible direct objects
    ditransitive: bool = False  # also "gives the X to the Y"
    only_ditransitive: bool = False
    company: frozenset[str] = frozenset()  # intransitive: "plays with the dog"
    landmarks: frozenset[str] = frozenset()  # intransitive: restricts where it happens

    def takes_pronoun(self) -> bool:
        """Whether *him*, *her*, *them* (and *me*, *you*, *us* if it takes people) can be its object."""
        return bool(self.objects & {"person", "animal"})

    def takes_it(self) -> bool:
        """Whether *it* can be its object: it takes something other than people (an animal or a thing)."""
        return bool(self.objects - {"person"})


def _english_plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _french_plural(word: str) -> str:
    if word.endswith(("s", "x", "z")):
        return word
    if word.endswith(("eau", "au", "eu")):
        return word + "x"
    if word.endswith("al"):
        return word[:-2] + "aux"
    return word + "s"


# "@name = tags" defines a group of noun tags; "@name" later in the same file stands for them.
_GROUP_DEFINITION = re.compile(r"@(\w+)\s*=\s*(\S+)")
_GROUP_USE = re.compile(r"@(\w+)")


def _table(name: str) -> list[str]:
    """The rows of one file of ``lexicon_tables/``: comments dropped, ``@group`` names replaced by their tags."""
    text = (resources.files(__package__) / "lexicon_tables" / name).read_text(encoding="utf-8")
    groups: dict[str, str] = {}
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if definition := _GROUP_DEFINITION.fullmatch(line.strip()):
            groups[definition[1]] = definition[2]
            continue
        unknown = [g for g in _GROUP_USE.findall(line) if g not in groups]
        if unknown:
            raise ValueError(f"lexicon_tables/{name}, line {number}: no tag group @{unknown[0]} defined above it")
        rows.append(_GROUP_USE.sub(lambda m: groups[m[1]], line))
    return rows


# Present of aller, venir and être (je tu il nous ils), and the imperfect of être for "sat": the
# clause rules use them directly, so they need no row in verbs.txt.
ALLER = ("vais", "vas", "va", "allons", "vont")
VENIR = ("viens", "viens", "vient", "venons", "viennent")
ETRE = ("suis", "es", "est", "sommes", "sont")
ETRE_PAST = ("étais", "étais", "était", "étions", "étaient")

# Subject pronouns: english, french, person index (0 je … 4 ils), gender (None: not visible), plural.
SUBJECT_PRONOUNS = (
    ("i", "je", 0, None, False), ("you", "tu", 1, None, False), ("he", "il", 2, "m", False),
    ("she", "elle", 2, "f", False), ("we", "nous", 3, None, True), ("they", "ils", 4, "m", True),
)
# Object pronouns: english, french, the subject person they must not repeat ("i see me").
OBJECT_PRONOUNS = (
    ("me", "me", 0), ("you", "te", 1), ("him", "le", None), ("her", "la", None), ("us", "nous", 3),
    ("them", "les", None),
)
# *it* as an object: le or la by the gender of the noun it refers to; an *it* with no noun before it
# (*she sees it*) is le, the form French uses for a thing it does not name.  *them* is les either way.
IT_OBJECT = {"m": "le", "f": "la"}

# Determiners: english singular, english plural, french masculine, feminine, plural.
DETERMINERS = {
    "the": ("the", "the", "le", "la", "les"),
    "a": ("a", None, "un", "une", None),
    "my": ("my", "my", "mon", "ma", "mes"),
    "your": ("your", "your", "ton", "ta", "tes"),
    "this": ("this", "these", "ce", "cette", "ces"),
}
NUMBERS = (
    ("two", "deux"), ("three", "trois"), ("four", "quatre"), ("five", "cinq"), ("six", "six"),
    ("seven", "sept"), ("eight", "huit"), ("nine", "neuf"), ("ten", "dix"),
)

# Locative prepositions: english words, french words, noun tags of the landmark.
_NEAR_TAGS = frozenset("person animal thing furniture vehicle place destination".split())
PREPOSITIONS = (
    ("on", "sur", frozenset({"surface"})),
    ("under", "sous", frozenset({"cover"})),
    ("in", "dans", frozenset({"container", "place", "vehicle"})),
    ("near", "près de", _NEAR_TAGS),
    ("behind", "derrière", _NEAR_TAGS),
    ("in front of", "devant", _NEAR_TAGS),
    ("next to", "à côté de", _NEAR_TAGS),
)
# "the door of the house": which nouns a part or relative can belong to.
OWNERS = {
    "door": {"building", "vehicle"}, "window": {"building", "vehicle"}, "roof": {"building", "vehicle"},
    "wall": {"building"}, "key": {"building", "vehicle"}, "wheel": {"wheeled"},
    "mother": {"person"}, "father": {"person"}, "brother": {"person"}, "sister": {"person"},
}

FRENCH_VOWELS = "aeiouyàâäéèêëîïôöûüœæ"
ELISIONS = {"je": "j'", "me": "m'", "te": "t'", "le": "l'", "la": "l'", "ne": "n'", "de": "d'", "que": "qu'"}
CONTRACTIONS = {("à", "le"): "au", ("à", "les"): "aux", ("de", "le"): "du", ("de", "les"): "des"}



def _tags(text: str) -> frozenset[str]:
    return frozenset(t for t in text.split(",") if t)


def _parse_nouns(rows: list[str]) -> tuple[Noun, ...]:
    nouns = []
    for line in rows:
        en, fr, gender, tags, *plural = line.split()
        en_pl, fr_pl = plural[0].split("/") if plural else (_english_plural(en), _french_plural(fr))
        nouns.append(Noun(en, fr, gender, _tags(tags), en_pl, fr_pl))
    return tuple(nouns)


def _parse_adjectives(rows: list[str]) -> tuple[Adjective, ...]:
    adjectives = []
    for line in rows:
        en, forms, position, applies, *flags = line.split()
        if "," in forms:
            ms, fs, mp, fp = forms.split(",")
        else:  # regular: noir noire noirs noires; rouge rouge rouges rouges; gris grise gris grises
            ms = forms
            fs = ms if ms.endswith("e") else ms + "e"
            mp = ms if ms.endswith(("s", "x")) else ms + "s"
            fp = fs + "s"
        adjectives.append(Adjective(en, (ms, fs, mp, fp), position == "pre", _tags(applies),
                                    predicative="attributive" not in flags))
    return tuple(adjectives)


def _regular_er(infinitive: str) -> tuple[str, str, str, str, str]:
    """je mange, tu manges, il mange, nous mangeons (g keeps its sound), ils mangent."""
    stem = infinitive[:-2]
    nous = stem + ("e" if stem.endswith("g") else "") + "ons"
    if stem.endswith("c"):
        nous = stem[:-1] + "çons"
    return (stem + "e", stem + "es", stem + "e", nous, stem + "ent")


def _parse_verbs(rows: list[str]) -> tuple[Verb, ...]:
    verbs = []
    for line in rows:
        en, en_3sg, infinitive, forms, subjects, objects, flags = (c.strip() for c in line.split("|"))
        options = dict(f.split("=") for f in flags.split() if "=" in f)
        verbs.append(Verb(
            en, en_3sg, infinitive,
            tuple(forms.split()) if forms else _regular_er(infinitive),
            _tags(subjects), _tags(objects),
            ditransitive="ditransitive" in flags.split() or "only_ditransitive" in flags.split(),
            only_ditransitive="only_ditransitive" in flags.split(),
            company=_tags(options.get("company", "")), landmarks=_tags(options.get("landmarks", "")),
        ))
    return tuple(verbs)


NOUNS = _parse_nouns(_table("nouns.txt"))
ADJECTIVES = _parse_adjectives(_table("adjectives.txt"))
VERBS = _parse_verbs(_table("verbs.txt"))
TRANSITIVE_VERBS = tuple(v for v in VERBS if v.objects and not v.only_ditransitive)
DITRANSITIVE_VERBS = tuple(v for v in VERBS if v.ditransitive)
INTRANSITIVE_VERBS = tuple(v for v in VERBS if not v.objects)
NOUN_BY_EN = {n.en: n for n in NOUNS}
_NOUN_BY_FORM = {**{n.en_plural: n for n in NOUNS}, **NOUN_BY_EN}


def noun_gender(english: str) -> str | None:
    """The French gender (``"m"`` or ``"f"``) of an English noun of the lexicon, singular or plural."""
    noun = _NOUN_BY_FORM.get(english)
    return noun.gender if noun else None
ADJ_BY_EN = {a.en: a for a in ADJECTIVES}


def _check_lexicon() -> None:
    """Fail at import if the lexicon breaks an assumption the realiser relies on.

    No French noun or pre-nominal adjective starts with a vowel, so articles never elide
    (``le chat``, never ``l'``); held-out pairs must be grammatical combinations.
    """
    for noun in NOUNS:
        if noun.fr[0] in FRENCH_VOWELS:
            raise AssertionError(f"French noun {noun.fr!r} starts with a vowel")
    for adj in ADJECTIVES:
        if adj.prenominal and any(f[0] in FRENCH_VOWELS for f in adj.forms):
            raise AssertionError(f"pre-nominal adjective {adj.en!r} starts with a vowel")
    for a, n in HELD_OUT_ADJECTIVE_NOUN:
        if not ADJ_BY_EN[a].applies & NOUN_BY_EN[n].tags:
            raise AssertionError(f"held-out pair {a} {n} can never be generated")
    for words in (NOUNS, ADJECTIVES):
        seen = [w.en for w in words]
        if len(seen) != len(set(seen)):
            raise AssertionError("duplicate English entry in the lexicon")


_check_lexicon()


def lexicon_rows() -> list[tuple[str, str, str, str]]:
    """(part of speech, english, french, details) for every lexicon entry, for lexicon.tsv."""
    rows = [("noun", n.en, n.fr,
             f"gender={n.gender}; plural={n.en_plural}/{n.fr_plural}; tags={','.join(sorted(n.tags))}")
            for n in NOUNS]
    rows += [("adjective", a.en, a.forms[0],
              f"forms={'/'.join(a.forms)}; position={'before' if a.prenominal else 'after'}") for a in ADJECTIVES]
    verbs = {(v.en, v.infinitive): v for v in VERBS}  # "eat" and "read" are listed twice (with and without object)
    rows += [("verb", v.en, v.infinitive, f"3sg={v.en_3sg}; present={'/'.join(v.forms)}") for v in verbs.values()]
    rows += [("verb", "go", "aller", f"present={'/'.join(ALLER)}"),
             ("verb", "come", "venir", f"present={'/'.join(VENIR)}"),
             ("verb", "be", "être", f"present={'/'.join(ETRE)}; am/are/is"),
             ("verb", "sat", "était assis", "past, fixed phrase: était/étaient + assis/assise/assis/assises")]
    rows += [("pronoun", en, fr, "subject") for en, fr, *_ in SUBJECT_PRONOUNS]
    rows += [("pronoun", en, fr, "object, before the verb") for en, fr, _ in OBJECT_PRONOUNS]
    rows += [("determiner", k, "/".join(f for f in v[2:] if f), f"plural={v[1]}" if v[1] and v[1] != v[0] else "")
             for k, v in DETERMINERS.items()]
    rows += [("number", en, fr, "") for en, fr in NUMBERS]
    rows += [("preposition", en, fr, "") for en, fr, _ in PREPOSITIONS]
    rows += [("preposition", "with", "avec", ""), ("preposition", "to", "à", "à le -> au, à les -> aux"),
             ("preposition", "from", "de", "de le -> du, de les -> des"),
             ("preposition", "of", "de", "de le -> du, de les -> des"),
             ("negation", "not", "ne … pas", "do not / does not / don't / doesn't / is not / isn't"),
             ("conjunction", "and", "et", ""),
             ("conjunction", "because", "parce que", "parce qu' before a vowel"),
             ("pronoun", "it", "il/elle", "subject; the gender of the noun it refers to"),
             ("pronoun", "it", "le/la", "object, before the verb; the gender of the noun it refers to, le if none"),
             ("pronoun", "they", "ils/elles", "subject, referring to a noun: its gender")]
    return rows
