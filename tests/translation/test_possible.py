"""Possible links: each rule adds exactly the links the card describes to hand-made pairs, nothing to a
pair French and English cut the same way, and on the shipped corpus only where its phenomenon is."""

import re

import pytest

from attnlib.translation.corpus import CORPUS_DIR, Pair, load_split, parse_alignment
from attnlib.translation.corpus.possible import RULES, possible_by_rule, possible_links


def pair(english: str, french: str, links: str) -> Pair:
    return Pair(english, french, parse_alignment(links))


def added(p: Pair) -> dict[str, set[str]]:
    """Each rule's links as ``english–french`` words, so that a test reads like the card."""
    en, fr = p.src_tokens, p.tgt_tokens
    return {rule: {f"{en[i]}–{fr[j]}" for i, j in links} for rule, links in possible_by_rule(p).items()}


def test_a_pair_with_the_same_cut_on_both_sides_has_only_sure_links():
    p = pair("the black cat sees the dog .", "le chat noir voit le chien .", "0-0 1-2 2-1 3-3 4-4 5-5 6-6")
    assert possible_links(p) == frozenset(p.alignment)
    assert all(not links for links in added(p).values())


def test_negation_joins_the_negation_words_and_the_verb():
    p = pair("she does not see the dog .", "elle ne voit pas le chien .", "0-0 1-1 1-3 2-1 2-3 3-2 4-4 5-5 6-6")
    assert added(p)["negation"] == {"does–voit", "not–voit", "see–ne", "see–pas"}
    copula = pair("they are not angry .", "ils ne sont pas fâchés .", "0-0 1-2 2-1 2-3 3-4 4-5")
    assert added(copula)["negation"] == {"are–ne", "are–pas", "not–sont"}
    contracted = pair("it isn't red .", "il n' est pas rouge .", "0-0 1-1 1-2 1-3 2-4 3-5")
    assert added(contracted)["negation"] == set()  # isn't is linked to all three already


def test_an_object_pronoun_goes_with_the_verb_it_stands_before():
    p = pair("the girl holds it .", "la fille le tient .", "0-0 1-1 2-3 3-2 4-4")
    assert added(p) == {"negation": set(), "object_pronoun": {"holds–le", "it–tient"}, "elision": set(),
                        "article": set()}
    negated = pair("she does not see him .", "elle ne le voit pas .", "0-0 1-1 1-4 2-1 2-4 3-3 4-2 5-5")
    assert added(negated)["object_pronoun"] == {"see–le", "him–voit"}
    assert added(negated)["negation"] == {"does–voit", "not–voit", "see–ne", "see–pas"}  # not the pronoun


def test_an_elided_word_goes_with_the_word_it_is_written_with():
    p = pair("i like the cat .", "j' aime le chat .", "0-0 1-1 2-2 3-3 4-4")
    assert added(p)["elision"] == {"like–j'", "i–aime"}
    because = pair("the cat sleeps because it is tired .", "le chat dort parce qu' il est fatigué .",
                   "0-0 1-1 2-2 3-3 3-4 4-5 5-6 6-7 7-8")
    assert added(because)["elision"] == {"it–qu'", "because–il"}


def test_an_article_that_stays_apart_goes_with_its_preposition_as_au_does():
    p = pair("you go to the town .", "tu vas à la ville .", "0-0 1-1 2-2 3-3 4-4 5-5")
    assert added(p)["article"] == {"to–la", "the–à"}
    fused = pair("you go to the museum .", "tu vas au musée .", "0-0 1-1 2-2 3-2 4-3 5-4")
    assert added(fused)["article"] == set()
    owner = pair("the door of the house .", "la porte de la maison .", "0-0 1-1 2-2 3-3 4-4 5-5")
    assert added(owner)["article"] == {"of–la", "the–de"}
    pronoun = pair("she gives it to the dog .", "elle le donne au chien .", "0-0 1-2 2-1 3-3 4-3 5-4 6-5")
    assert added(pronoun)["article"] == set()


def test_rules_can_be_chosen_and_bad_input_is_refused():
    p = pair("i like the cat .", "j' aime le chat .", "0-0 1-1 2-2 3-3 4-4")
    assert possible_links(p, rules=[]) == frozenset(p.alignment)
    assert possible_links(p, rules=["elision"]) == possible_links(p)
    with pytest.raises(ValueError, match="no rule called"):
        possible_links(p, rules=["guesswork"])
    with pytest.raises(ValueError, match="no sure links"):
        possible_links(Pair("the cat .", "le chat ."))


def test_on_the_corpus_each_rule_fires_only_with_its_phenomenon():
    tag_of = {"negation": "negation", "object_pronoun": "object_pronoun", "elision": "elision"}
    fired = dict.fromkeys(RULES, 0)
    for p in load_split("test") + load_split("generalisation"):
        links = possible_links(p)
        assert frozenset(p.alignment) <= links
        assert all(i < len(p.src_tokens) and j < len(p.tgt_tokens) for i, j in links)
        for rule, extra in possible_by_rule(p).items():
            fired[rule] += bool(extra)
            if extra and rule in tag_of:
                assert tag_of[rule] in p.phenomena, (rule, p.src)
            if extra and rule == "article":
                assert re.search(r"\b(à|de) la\b", p.tgt), p.tgt
    assert all(fired.values()), fired


def test_the_data_card_states_the_counts_of_sure_and_possible_links():
    card = (CORPUS_DIR.parent / "README.md").read_text(encoding="utf-8")
    for split in ("train", "test"):
        pairs = load_split(split)
        sure = sum(len(p.alignment) for p in pairs)
        possible = sum(len(possible_links(p)) for p in pairs)
        french = sum(len(p.tgt_tokens) for p in pairs)
        row = rf"^\| {split} \| {sure:,} \| {possible - sure:,} \| {french:,} \|$"
        assert re.search(row, card, re.M), f"card counts for {split}"
