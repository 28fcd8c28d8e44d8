"""The recogniser of the corpus's English: it accepts what the grammar generates, from its tables and not
from the shipped sentences, and rejects the rest naming the token at fault."""

from __future__ import annotations

import random

import pytest

from attnlib.translation.corpus import SPLITS, load_split
from attnlib.translation.corpus.lexicon import ADJ_BY_EN, NOUN_BY_EN, TRANSITIVE_VERBS
from attnlib.translation.corpus.realise import Location, Negation, NounPhrase, Subject, finish, transitive
from attnlib.translation.corpus.recognise import (
    Rejection, grammatical_share, is_grammatical, is_well_formed, why_rejected,
)
from attnlib.translation.corpus.sample import HELD_OUT_STYLES, Sampler


@pytest.fixture(scope="module")
def shipped() -> set[str]:
    return {p.src for name in SPLITS for p in load_split(name)}


# -- it accepts the grammar's language ------------------------------------------------------------------------------

@pytest.mark.parametrize("split", SPLITS)
def test_every_english_sentence_of_every_shipped_split_is_grammatical(split: str) -> None:
    rejected = [(p.src, str(why_rejected(p.src))) for p in load_split(split) if not is_grammatical(p.src)]
    assert not rejected, f"{len(rejected)} rejected in {split}, e.g. {rejected[:3]}"


@pytest.mark.parametrize("style", ["main", *HELD_OUT_STYLES])
def test_fresh_sentences_drawn_with_other_seeds_are_grammatical(style: str, shipped: set[str]) -> None:
    """Seeds 1 to 3 (the shipped splits come from seed 0), in each of the sampler's styles."""
    sentences = []
    for seed in (1, 2, 3):
        sampler = Sampler(random.Random(seed), *([HELD_OUT_STYLES[style]] if style != "main" else []))
        sentences += [sampler.sentence().pair.src for _ in range(150)]
    rejected = [(s, str(why_rejected(s))) for s in sentences if not is_grammatical(s)]
    assert not rejected, rejected[:3]
    assert sum(s not in shipped for s in sentences) > len(sentences) / 2  # most are sentences no split holds


def test_a_sentence_realised_by_hand_that_no_split_holds_is_grammatical(shipped: set[str]) -> None:
    see = next(v for v in TRANSITIVE_VERBS if v.en == "see")
    giraffe = NounPhrase(NOUN_BY_EN["giraffe"], "my", plural=True, post=ADJ_BY_EN["purple"])
    umbrellas = NounPhrase(NOUN_BY_EN["umbrella"], "the", pre=ADJ_BY_EN["old"], post=ADJ_BY_EN["pink"])
    pool = NounPhrase(NOUN_BY_EN["pool"], "a")
    sentence = finish(transitive(Subject(np=giraffe), see, umbrellas, Negation(contracted=True),
                                 Location("next to", pool))).pair.src
    assert sentence == "my purple giraffes don't see the old pink umbrella next to a pool ."
    assert sentence not in shipped
    assert is_grammatical(sentence)


@pytest.mark.parametrize("sentence", [
    "he sees the dog .", "they see the dog .", "the cat sleeps .", "the cats sleep .",
    "an owl sleeps .", "a dog sleeps .", "these cats sleep .", "this cat sleeps .", "two cats sleep .",
    "i am near the house .", "he is near the house .", "we are near the house .", "you aren't near the house .",
    "he doesn't see the dog .", "we do not see the dog .", "she looks for the key .", "she waits .",
    "she finds the key and he takes it .", "she finds the keys and we take them .",
    "the street is near the cat because it is wide .", "the cats are near the streets because they are tired .",
])
def test_agreement_and_constructions_that_the_grammar_makes_are_accepted(sentence: str) -> None:
    assert why_rejected(sentence) is None


# -- it rejects what the grammar cannot make, naming the token ------------------------------------------------------

# (sentence, the token at fault or None when it stops too early, its position, words the reason must contain)
NOT_ENGLISH = [
    ("the dog the cat sees .", "the", 2, ["a verb agreeing with 'the dog'"]),           # word order swapped
    ("cat the sees the dog .", "cat", 0, ["a determiner"]),                             # word order swapped
    ("he see the dog .", "see", 1, ["'sees'", "agreeing with 'he'"]),                   # agreement broken
    ("the cats sleeps .", "sleeps", 2, ["'sleep'", "the cats"]),
    ("the dog are happy .", "are", 2, ["'is'"]),
    ("he don't see the dog .", "don't", 1, ["'doesn't'"]),
    ("the cat does not sees the dog .", "sees", 4, ["'see'", "does not"]),
    ("a apple is red .", "apple", 1, ["vowel"]),                                        # a / an
    ("an cat sleeps .", "cat", 1, ["vowel"]),
    ("these cat sleeps .", "cat", 1, ["plural noun"]),
    ("a bread is hot .", "bread", 1, ["count"]),
    ("the cat sees the chien .", "chien", 4, ["not a word"]),                           # an unknown word
    ("le chat dort .", "le", 0, ["not a word"]),                                        # French
    ("The cat sleeps .", "The", 0, ["not a word"]),                                     # not the corpus's tokens
    ("the cat sees the dog", None, 5, ["'.'", "stops after 'dog'"]),                    # no final "."
    ("the cat is happy . .", ".", 5, ["nothing after the final '.'"]),
    ("the cat sees the .", ".", 4, ["a noun"]),                                         # determiner without noun
    ("the cat sees sees the dog .", "sees", 3, ["an object pronoun", "a determiner"]),  # doubled verb
    ("the cat is is happy .", "is", 3, ["an adjective"]),
    ("the cat sees the", None, 4, ["a noun"]),                                          # truncated
    ("the cat sees", None, 3, ["a determiner"]),
    ("the girl gives the apple .", ".", 5, ["'to'"]),
    ("the cat doesn't cross the street because it are tired .", "are", 8, ["'is'"]),
    ("", None, 0, ["empty"]),
]


@pytest.mark.parametrize("sentence, token, position, words", NOT_ENGLISH)
def test_a_sentence_no_rule_reads_is_rejected_at_its_first_bad_token(sentence, token, position, words) -> None:
    rejection = why_rejected(sentence)
    assert isinstance(rejection, Rejection) and rejection.kind == "syntax"
    assert (rejection.token, rejection.position) == (token, position), rejection.message
    if token is not None:
        assert f"'{token}' (word {position + 1})" in rejection.message
    for word in words:
        assert word in rejection.message, rejection.message
    assert str(rejection) == rejection.message
    assert not is_grammatical(sentence) and not is_well_formed(sentence)


def test_a_sentence_that_stops_early_says_what_was_expected() -> None:
    rejection = why_rejected("the cat sees the dog")
    assert rejection.expected[0] == "'.'"
    assert {"'and'", "'because'"} <= set(rejection.expected)


# Well formed, but the generator never says them: a restriction of the tables or of a construction.
NOT_THE_CORPUS = [
    ("the table eats the bread .", "eats", ["'the table'", "subject"]),
    ("the cat sees the cat .", "cat", ["both the subject and the object"]),
    ("the house is open .", "open", ["'open'", "the house"]),
    ("the black cat is happy .", "happy", ["no adjective"]),
    ("i am happy .", "happy", ["'i'"]),
    ("i see me .", "me", ["subject"]),
    ("she eats him .", "him", ["'eat'"]),
    ("the cat does not see a dog .", "a", ["after a negation"]),
    ("the boy goes to a market .", "a", ["'the'"]),
    ("the boy sleeps with the dog .", "dog", ["with"]),
    ("the dog swims in the river .", "swims", ["'the dog'"]),
    ("the cat sat with the mat .", "with", ["sat with"]),
    ("the mother of the table sleeps .", "table", ["belongs"]),
    ("the cat sleeps because it is tired .", "because", ["'because it is …'"]),
    ("the cat does not cross the streets because it is tired .", "because", ["one number"]),
    ("the cat does not cross the street because they are tired .", "they", ["'it'"]),
    ("he sees it and she finds the key .", "it", ["first of two clauses"]),
    ("she finds the keys and he takes it .", "it", ["plural", "'them'"]),
    ("the girl finds the key and she eats it .", "it", ["'eat'", "'key'"]),
]


@pytest.mark.parametrize("sentence, token, words", NOT_THE_CORPUS)
def test_a_well_formed_sentence_the_corpus_never_says_is_rejected_with_its_reason(sentence, token, words) -> None:
    rejection = why_rejected(sentence)
    assert rejection is not None and rejection.kind == "restriction", rejection
    assert rejection.token == token and sentence.split()[rejection.position] == token, rejection.message
    assert rejection.message.startswith(f"'{token}' (word {rejection.position + 1}): ")
    for word in words:
        assert word in rejection.message, rejection.message
    assert is_well_formed(sentence) and not is_grammatical(sentence)


def test_grammatical_share_counts_sentences_and_refuses_none() -> None:
    sentences = ["the cat sleeps .", "the table eats the bread .", "he see the dog .", "she waits ."]
    assert grammatical_share(sentences) == 0.5
    assert grammatical_share(sentences, strict=False) == 0.75
    with pytest.raises(ValueError, match="at least one sentence"):
        grammatical_share([])
