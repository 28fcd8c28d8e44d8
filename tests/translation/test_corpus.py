"""The toy English→French corpus: reproducible, well-split, correctly aligned, honestly documented."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from attnlib.translation.corpus import (
    CORPUS_DIR, HELD_OUT_ADJECTIVE_NOUN, MAX_TRAIN_LENGTH, PHENOMENA, SPLIT_SIZES, SPLITS, CorpusFileError,
    CorpusFormatError, Pair,
    load_pairs, load_split,
)
from attnlib.translation.corpus import splits as corpus  # the generator, with the lexicon it draws from
from attnlib.translation.corpus.lexicon import NOUN_BY_EN, TRANSITIVE_VERBS
from attnlib.translation.corpus.realise import Negation, NounPhrase, Subject, coordination, finish, transitive
from attnlib.translation.corpus.splits import write_corpus

IN_DISTRIBUTION = ("train", "valid", "test")
NEGATION_WORDS = {"do", "does", "not", "don't", "doesn't", "isn't", "aren't"}
BE = {"is", "are", "isn't", "aren't"}  # after a subject "it" or "they"; an object "it" is followed by anything else
OBJECT_PRONOUNS_FR = {"le", "la", "les", "l'", "me", "m'", "te", "t'", "nous"}
NOUNS = {n.en: n for n in corpus.NOUNS}
NOUNS_PLURAL = {n.en_plural: n for n in corpus.NOUNS}
ADJECTIVES = {a.en: a for a in corpus.ADJECTIVES}


@pytest.fixture(scope="module")
def splits() -> dict[str, list[Pair]]:
    return {name: load_split(name) for name in SPLITS}


def linked(pair: Pair, english_index: int) -> list[int]:
    """French positions aligned to one English position."""
    return sorted(j for i, j in pair.alignment if i == english_index)


def linked_en(pair: Pair, french_index: int) -> set[str]:
    """English words aligned to one French position."""
    src = pair.src_tokens
    return {src[i] for i, j in pair.alignment if j == french_index}


def find(pairs: list[Pair], src: str) -> Pair:
    matches = [p for p in pairs if p.src == src]
    assert len(matches) == 1, f"{src!r} occurs {len(matches)} times"
    return matches[0]


# -- files --------------------------------------------------------------------------------

def test_regenerating_reproduces_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    written = write_corpus(tmp_path, seed=corpus.DEFAULT_SEED)
    committed = sorted(p.name for p in CORPUS_DIR.glob("*.tsv"))
    assert committed == sorted(p.name for p in written.values())
    for path in written.values():
        assert path.read_bytes() == (CORPUS_DIR / path.name).read_bytes(), f"{path.name} differs from data/corpus"


def test_reading_the_corpus_does_not_parse_the_lexicon() -> None:
    """Tokenising and loading pairs import only ``corpus.pairs``; the grammar is built when generating."""
    code = ("import sys, attnlib.translation.vocab, attnlib.translation.corpus.pairs; "
            "print(*(m for m in sys.modules if m.startswith('attnlib.translation.corpus')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    loaded = out.stdout.split()
    assert "attnlib.translation.corpus.pairs" in loaded
    assert "attnlib.translation.corpus.lexicon" not in loaded, loaded


def test_another_seed_gives_another_corpus() -> None:
    assert corpus.generate_corpus(seed=1)["train"][:50] != load_split("train")[:50]


def test_an_impossible_hold_out_fails_loudly_instead_of_hanging(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus, "MAX_GENERALISATION_LENGTH", MAX_TRAIN_LENGTH)  # nothing is long and short
    with pytest.raises(RuntimeError, match="fewer than 2 held_out_length sentences"):
        corpus._draw_held_out(random.Random(0), set(), "held_out_length", 2)


def test_split_sizes_and_file_sizes(splits: dict[str, list[Pair]]) -> None:
    assert {name: len(pairs) for name, pairs in splits.items()} == SPLIT_SIZES
    for name in SPLITS:  # small enough to read on GitHub and to ship in the wheel
        assert (CORPUS_DIR / f"{name}.tsv").stat().st_size < 2_500_000


def test_lines_round_trip_through_load_pairs(splits: dict[str, list[Pair]]) -> None:
    lines = (CORPUS_DIR / "valid.tsv").read_text(encoding="utf-8").splitlines()
    assert [p.to_line() for p in splits["valid"]] == lines


# -- splits -------------------------------------------------------------------------------

def test_no_english_sentence_is_in_two_splits_or_twice_in_one(splits: dict[str, list[Pair]]) -> None:
    everything = [p.src for pairs in splits.values() for p in pairs]
    assert len(everything) == len(set(everything))


def _has_pair(pair: Pair, adjective: str, noun: str) -> bool:
    """Attributive ("the white horse", "the small black dog"), predicative ("the horses aren't white"), or
    through a pronoun ("the river is behind the horse because it is white": the gold antecedent says which)."""
    sentence, n = pair.src, NOUNS[noun]
    if pair.antecedent and pair.src_tokens[pair.antecedent.noun] in (n.en, n.en_plural):
        if pair.src_tokens[-2] == adjective:
            return True
    nouns = f"(?:{n.en}|{n.en_plural})"
    attributive = rf"\b{adjective} (?:\w+ )?{nouns}\b"
    predicative = rf"\b{nouns} (?:is|are|isn't|aren't)(?: not)? {adjective}\b"
    return bool(re.search(attributive, sentence) or re.search(predicative, sentence))


def test_held_out_adjective_noun_pairs_never_occur_outside_generalisation(splits: dict[str, list[Pair]]) -> None:
    for name in IN_DISTRIBUTION:
        offending = [p.src for p in splits[name] for a, n in HELD_OUT_ADJECTIVE_NOUN if _has_pair(p, a, n)]
        assert not offending, f"held-out adjective-noun pairs in {name}: {offending[:5]}"
    tagged = [p for p in splits["generalisation"] if "held_out_adjective_noun" in p.phenomena]
    assert len(tagged) >= corpus.GENERALISATION_QUOTAS["held_out_adjective_noun"]
    for p in tagged:
        assert any(_has_pair(p, a, n) for a, n in HELD_OUT_ADJECTIVE_NOUN), p.src
    for a, n in HELD_OUT_ADJECTIVE_NOUN:  # every held-out pair is tested
        assert any(_has_pair(p, a, n) for p in tagged), f"{a} {n} never appears in generalisation"
        # ... while its parts are both well known from train
        train = splits["train"]
        assert sum(f" {a} " in f" {p.src} " for p in train) >= 20, a
        assert sum(f" {n} " in f" {p.src} " or f" {NOUNS[n].en_plural} " in f" {p.src} " for p in train) >= 20, n


def _negated_pronoun(pair: Pair) -> bool:
    """French "ne le voit pas": ne/n' directly followed by an object pronoun."""
    fr = pair.tgt_tokens
    return any(a in ("ne", "n'") and b in OBJECT_PRONOUNS_FR for a, b in zip(fr, fr[1:]))


def test_negation_with_object_pronoun_is_held_out(splits: dict[str, list[Pair]]) -> None:
    for name in IN_DISTRIBUTION:
        assert not [p.src for p in splits[name] if _negated_pronoun(p)], name
        single_clause = [p for p in splits[name] if "coordination" not in p.phenomena]
        assert not [p for p in single_clause if {"negation", "object_pronoun"} <= set(p.phenomena)], name
        # each construction alone is common
        assert sum("negation" in p.phenomena for p in splits[name]) >= 50
        assert sum("object_pronoun" in p.phenomena for p in splits[name]) >= 10
    tagged = [p for p in splits["generalisation"] if "held_out_negated_pronoun" in p.phenomena]
    assert len(tagged) >= corpus.GENERALISATION_QUOTAS["held_out_negated_pronoun"]
    assert all(_negated_pronoun(p) and {"negation", "object_pronoun"} <= set(p.phenomena) for p in tagged)
    assert not [p for p in splits["generalisation"] if _negated_pronoun(p) and p not in tagged]


def test_long_sentences_are_held_out(splits: dict[str, list[Pair]]) -> None:
    longest = max(len(p.src_tokens) for name in IN_DISTRIBUTION for p in splits[name])
    assert longest == MAX_TRAIN_LENGTH
    tagged = [p for p in splits["generalisation"] if "held_out_length" in p.phenomena]
    assert len(tagged) >= corpus.GENERALISATION_QUOTAS["held_out_length"]
    assert min(len(p.src_tokens) for p in tagged) > MAX_TRAIN_LENGTH
    untagged = [p for p in splits["generalisation"] if "held_out_length" not in p.phenomena]
    assert all(len(p.src_tokens) <= MAX_TRAIN_LENGTH for p in untagged)


def test_every_generalisation_pair_says_why_it_is_held_out(splits: dict[str, list[Pair]]) -> None:
    for p in splits["generalisation"]:
        assert set(p.phenomena) & set(corpus.HELD_OUT_TAGS), p.src
    for name in IN_DISTRIBUTION:
        assert not [p for p in splits[name] if set(p.phenomena) & set(corpus.HELD_OUT_TAGS)]


# -- phenomena ----------------------------------------------------------------------------

@pytest.mark.parametrize("phenomenon", PHENOMENA)
def test_every_phenomenon_is_in_train_and_test(splits: dict[str, list[Pair]], phenomenon: str) -> None:
    assert sum(phenomenon in p.phenomena for p in splits["train"]) >= 200
    assert sum(phenomenon in p.phenomena for p in splits["test"]) >= 15


def test_only_known_tags(splits: dict[str, list[Pair]]) -> None:
    known = set(PHENOMENA) | set(corpus.HELD_OUT_TAGS)
    for pairs in splits.values():
        for p in pairs:
            assert set(p.phenomena) <= known and p.phenomena, p


def test_the_running_examples_head_the_test_split(splits: dict[str, list[Pair]]) -> None:
    sat, black_cat, tired, wide = splits["test"][:4]
    assert (sat.src, sat.tgt) == ("the cat sat on the mat .", "le chat était assis sur le tapis .")
    assert linked(sat, 2) == [2, 3]  # sat -> était assis
    assert (black_cat.src, black_cat.tgt) == ("the black cat sees the dog .", "le chat noir voit le chien .")
    assert set(black_cat.alignment) == {(0, 0), (1, 2), (2, 1), (3, 3), (4, 4), (5, 5), (6, 6)}
    assert black_cat.phenomena == ("gender", "adjective_order")
    assert tired.tgt == "le chat ne traverse pas la rue parce qu' il est fatigué ."  # it = the cat
    assert wide.tgt == "le chat ne traverse pas la rue parce qu' elle est large ."  # it = the street
    assert tired.antecedent == (8, 1, 6) and wide.antecedent == (8, 6, 1)


# -- what "it" refers to ---------------------------------------------------------------------

def test_every_pronoun_sentence_records_its_antecedent_and_only_those(splits: dict[str, list[Pair]]) -> None:
    for pairs in splits.values():
        for p in pairs:
            assert ("pronoun_antecedent" in p.phenomena) == (p.antecedent is not None), p.src
            if p.antecedent:
                tokens = p.src_tokens
                assert tokens[p.antecedent.pronoun] in ("it", "they") and tokens[p.antecedent.pronoun - 1] == "because"
                assert {tokens[p.antecedent.noun], tokens[p.antecedent.other]} <= set(NOUNS) | set(NOUNS_PLURAL)
    assert sum(p.antecedent is not None for p in splits["test"]) >= 100


def test_the_french_pronoun_takes_the_gender_of_the_antecedent(splits: dict[str, list[Pair]]) -> None:
    for p in (p for pairs in splits.values() for p in pairs if p.antecedent):
        tokens = p.src_tokens
        noun = NOUNS.get(tokens[p.antecedent.noun]) or NOUNS_PLURAL[tokens[p.antecedent.noun]]
        [french] = linked(p, p.antecedent.pronoun)
        plural = tokens[p.antecedent.pronoun] == "they"
        assert p.tgt_tokens[french] == {("m", False): "il", ("f", False): "elle", ("m", True): "ils",
                                        ("f", True): "elles"}[noun.gender, plural], p
        assert p.tgt_tokens[french - 1] == "qu'" and p.tgt_tokens[french - 2] == "parce"


def test_the_predicate_fits_the_antecedent_and_not_the_other_noun(splits: dict[str, list[Pair]]) -> None:
    for p in (p for pairs in splits.values() for p in pairs if p.antecedent):
        tokens = p.src_tokens
        mine, other = (NOUNS.get(tokens[i]) or NOUNS_PLURAL[tokens[i]] for i in p.antecedent[1:])
        adjective = ADJECTIVES[tokens[-2]]
        assert adjective.applies & mine.tags and not adjective.applies & other.tags, p.src


def test_position_does_not_tell_the_antecedent_but_gender_often_shows_it(splits: dict[str, list[Pair]]) -> None:
    for name in ("train", "test"):
        pairs = [p for p in splits[name] if p.antecedent]
        nearer = sum(p.antecedent.is_nearer for p in pairs) / len(pairs)
        assert 0.42 < nearer < 0.58, (name, nearer)  # "always the first noun" and "always the nearest" ≈ 50 %
        def gender(i, p):
            return (NOUNS.get(p.src_tokens[i]) or NOUNS_PLURAL[p.src_tokens[i]]).gender
        differ = sum(gender(p.antecedent.noun, p) != gender(p.antecedent.other, p) for p in pairs) / len(pairs)
        assert differ > 0.6, (name, differ)
        animal_first = sum("animal" in (NOUNS.get(p.src_tokens[1]) or NOUNS_PLURAL[p.src_tokens[1]]).tags
                           for p in pairs) / len(pairs)
        assert 0.35 < animal_first < 0.65, (name, animal_first)  # the kind of noun does not tell the position


def test_held_out_noun_pairs_meet_only_in_the_generalisation_split(splits: dict[str, list[Pair]]) -> None:
    def nouns(p: Pair) -> frozenset[str]:
        return frozenset((NOUNS.get(p.src_tokens[i]) or NOUNS_PLURAL[p.src_tokens[i]]).en for i in p.antecedent[1:])
    held = {frozenset(pair) for pair in corpus.HELD_OUT_NOUN_PAIRS}
    for name in IN_DISTRIBUTION:
        assert not [p.src for p in splits[name] if p.antecedent and nouns(p) in held]
    tagged = [p for p in splits["generalisation"] if "held_out_noun_pair" in p.phenomena]
    assert len(tagged) == corpus.GENERALISATION_QUOTAS["held_out_noun_pair"]
    assert all(nouns(p) in held for p in tagged) and {nouns(p) for p in tagged} == held


def test_negation_ne_and_pas_both_align_to_the_english_negation(splits: dict[str, list[Pair]]) -> None:
    checked = 0
    for p in splits["train"] + splits["test"]:
        if "negation" not in p.phenomena:
            continue
        for j, word in enumerate(p.tgt_tokens):
            if word in ("ne", "n'", "pas"):
                english = linked_en(p, j)
                assert english and english <= NEGATION_WORDS, (p.src, p.tgt, word, english)
                checked += 1
        for i, word in enumerate(p.src_tokens):
            if word in ("not", "doesn't", "don't"):
                french = {p.tgt_tokens[j] for j in linked(p, i)}
                assert "pas" in french and french & {"ne", "n'"}, (p.src, p.tgt)
    assert checked > 1000
    # hand-checked: "the dog does not sleep ." -> "le chien ne dort pas ."
    p = next(q for q in splits["train"] if q.src_tokens[:4] == ["the", "dog", "does", "not"])
    assert p.tgt_tokens[:2] == ["le", "chien"] and p.tgt_tokens[2] in ("ne", "n'") and p.tgt_tokens[4] == "pas"
    assert linked(p, 2) == linked(p, 3) == [2, 4]  # does, not -> ne, pas
    assert linked_en(p, 2) == linked_en(p, 4) == {"does", "not"}


def test_contractions_align_to_preposition_and_article(splits: dict[str, list[Pair]]) -> None:
    seen = {"au": 0, "aux": 0, "du": 0, "des": 0}
    for p in splits["train"]:
        for j, word in enumerate(p.tgt_tokens):
            if word in seen:
                english = linked_en(p, j)
                assert "the" in english and english - {"the"}, (p.src, p.tgt, word)
                if word in ("au", "aux"):
                    assert english == {"to", "the"}, (p.src, p.tgt)
                seen[word] += 1
    assert min(seen.values()) >= 50, seen
    p = find(splits["train"] + splits["valid"] + splits["test"],
             next(q.src for q in splits["train"] if " goes to the " in q.src and " au " in q.tgt))
    au = p.tgt_tokens.index("au")
    to = p.src_tokens.index("to")
    assert linked(p, to) == [au] and au in linked(p, to + 1)  # "to" and "the" -> "au"


def test_articles_agree_with_noun_gender(splits: dict[str, list[Pair]]) -> None:
    """Whenever "the" + singular noun: "le"/"au"/"du" for masculine nouns, "la" for feminine ones."""
    checked = 0
    for p in splits["train"]:
        src = p.src_tokens
        for i in range(len(src) - 1):
            noun = NOUNS.get(src[i + 1])
            if src[i] == "the" and noun:
                (j,) = linked(p, i)
                expected = {"le", "au", "du"} if noun.gender == "m" else {"la"}
                assert p.tgt_tokens[j] in expected, (p.src, p.tgt)
                checked += 1
    assert checked > 1000


def test_adjectives_follow_the_noun_and_agree(splits: dict[str, list[Pair]]) -> None:
    """"the black tables" -> "les tables noires": post-nominal adjectives cross the noun and agree."""
    checked = 0
    for p in splits["train"]:
        src = p.src_tokens
        for i in range(len(src) - 1):
            adj = ADJECTIVES.get(src[i])
            plural = src[i + 1] in NOUNS_PLURAL
            noun = NOUNS_PLURAL.get(src[i + 1]) if plural else NOUNS.get(src[i + 1])
            if not (adj and noun):
                continue
            (ja,) = linked(p, i)
            (jn,) = linked(p, i + 1)
            assert p.tgt_tokens[ja] == adj.form(noun.gender, plural), (p.src, p.tgt)
            assert (ja < jn) == adj.prenominal, (p.src, p.tgt)
            checked += 1
    assert checked > 1000
    tables = [p for p in splits["train"] if " black tables " in p.src]
    assert tables and all(" tables noires " in p.tgt for p in tables)


def test_verbs_are_conjugated_by_subject(splits: dict[str, list[Pair]]) -> None:
    """A pronoun subject picks the verb form: nous …ons / sommes, ils …ent / sont, je …"""
    endings = {"we": ("ons", "sommes"), "they": ("ent", "sont", "ont", "font", "vont")}
    checked = 0
    for p in splits["train"]:
        first = p.src_tokens[0]
        if first not in endings or "coordination" in p.phenomena:
            continue
        fr = [w for w in p.tgt_tokens[1:] if w not in {"ne", "n'"} | OBJECT_PRONOUNS_FR]
        assert p.tgt_tokens[0] == {"we": "nous", "they": "ils"}[first], p.tgt
        assert fr[0].endswith(endings[first]) or fr[0] in endings[first], (p.src, p.tgt)
        checked += 1
    assert checked > 200
    assert any(p.src.startswith("i ") and p.tgt.startswith("j' ") for p in splits["train"])  # elision too


def test_object_pronouns_move_before_the_verb(splits: dict[str, list[Pair]]) -> None:
    checked = 0
    for p in splits["train"]:
        src = p.src_tokens
        for i, word in enumerate(src):
            if word in ("him", "her", "them", "me", "us"):
                (pronoun,) = linked(p, i)
                verb = linked(p, i - 1)  # "sees him", "waits for him": the word before goes to the verb
                assert p.tgt_tokens[pronoun] in OBJECT_PRONOUNS_FR and pronoun < min(verb), (p.src, p.tgt)
                checked += 1
    assert checked > 300


# -- "it" as an object ------------------------------------------------------------------------

def object_its(pair: Pair) -> list[int]:
    """English positions of *it* as an object (*she sees it*), not as a subject (*because it is wide*)."""
    src = pair.src_tokens
    return [i for i, w in enumerate(src) if w == "it" and src[i + 1] not in BE]


def earlier_things(pair: Pair, i: int) -> list[str]:
    """The nouns, neither people nor animals, of the clauses before the one that holds English position ``i``."""
    src = pair.src_tokens
    clause_start = max((k for k in range(i) if src[k] == "and"), default=0)
    nouns = [NOUNS.get(w) or NOUNS_PLURAL.get(w) for w in src[:clause_start]]
    return [n.en for n in nouns if n and not n.tags & {"person", "animal"}]


def realised(clause) -> Pair:
    return finish(clause).pair


def verb(english: str):
    return next(v for v in TRANSITIVE_VERBS if v.en == english)


def test_object_it_goes_before_the_verb_as_le_la_or_l_by_its_antecedent(splits: dict[str, list[Pair]]) -> None:
    """*it* is *le* or *la* by the gender of the one thing an earlier clause names (*le* if none), *l'* before
    a vowel, and it sits before the French verb though it follows the English one: a crossing link."""
    forms: dict[str, int] = {"le": 0, "la": 0, "l'": 0}
    with_antecedent = 0
    for name, pairs in splits.items():
        for p in pairs:
            for i in object_its(p):
                (j,) = linked(p, i)
                french, following = p.tgt_tokens[j], p.tgt_tokens[j + 1]
                verb_at = min(linked(p, i - 1))  # "sees it", "looks for it": the word before goes to the verb
                assert j < verb_at and j + 1 == verb_at, (name, p.src, p.tgt)  # right before the verb
                things = earlier_things(p, i)
                assert len(things) <= 1, (p.src, things)  # the antecedent is never in doubt
                gender = NOUN_BY_EN[things[0]].gender if things else "m"
                elided = following[0] in "aeiouyàâéèêîôûh"
                assert french == ("l'" if elided else {"m": "le", "f": "la"}[gender]), (name, p.src, p.tgt)
                forms[french] += 1
                with_antecedent += bool(things)
    assert min(forms.values()) >= 100 and with_antecedent >= 300, (forms, with_antecedent)


def test_them_for_things_is_les_before_the_verb(splits: dict[str, list[Pair]]) -> None:
    checked = 0
    for p in splits["train"]:
        for i, word in enumerate(p.src_tokens):
            if word == "them" and earlier_things(p, i):
                (j,) = linked(p, i)
                assert p.tgt_tokens[j] == "les" and j < min(linked(p, i - 1)), (p.src, p.tgt)
                checked += 1
    assert checked >= 50


def test_no_subject_pronoun_stands_for_an_object(splits: dict[str, list[Pair]]) -> None:
    """*il*, *elle* translate only subjects: never an object *it* (the old "elle il voit" for "she sees it")."""
    subjects = {"il", "elle", "ils", "elles"}
    for pairs in splits.values():
        for p in pairs:
            objects = set(object_its(p)) | {i for i, w in enumerate(p.src_tokens) if w in ("him", "her", "them")}
            for j, word in enumerate(p.tgt_tokens):
                if word in subjects:
                    assert not {i for i, k in p.alignment if k == j} & objects, (p.src, p.tgt)
            fr = p.tgt_tokens
            assert not [(a, b) for a, b in zip(fr, fr[1:]) if a in subjects and b in subjects], p.tgt


def test_she_sees_it_is_in_train_and_the_grammar_makes_it() -> None:
    she_sees_it = realised(transitive(Subject(pronoun="she"), verb("see"), "it"))
    assert (she_sees_it.src, she_sees_it.tgt) == ("she sees it .", "elle le voit .")
    assert set(she_sees_it.alignment) == {(0, 0), (1, 2), (2, 1), (3, 3)}  # sees-voit and it-le cross
    assert she_sees_it.phenomena == ("conjugation", "object_pronoun")
    dog = realised(transitive(Subject(np=NounPhrase(NOUN_BY_EN["dog"])), verb("see"), "it"))
    assert (dog.src, dog.tgt) == ("the dog sees it .", "le chien le voit .")
    assert set(dog.alignment) == {(0, 0), (1, 1), (2, 3), (3, 2), (4, 4)}
    train = load_split("train")
    short = [p for p in train if re.fullmatch(r"(i|you|he|she|we|they) [a-z]+ it \.", p.src)]
    assert len(short) >= 10 and all(re.fullmatch(r"\S+ (le|l') \S+ \.", p.tgt) for p in short), short[:5]


def test_it_takes_the_gender_of_the_thing_named_before() -> None:
    girl, key, book = (NounPhrase(NOUN_BY_EN[n]) for n in ("girl", "key", "book"))
    finds = transitive(Subject(np=girl), verb("find"), key)
    takes = realised(coordination(finds, transitive(Subject(pronoun="she"), verb("take"), "it", refers_to=key)))
    assert (takes.src, takes.tgt) == ("the girl finds the key and she takes it .",
                                      "la fille trouve la clé et elle la prend .")
    assert {(8, 7), (7, 8)} <= set(takes.alignment)  # it-la before takes-prend: a crossing
    reads = transitive(Subject(np=girl), verb("read"), book)
    opens = realised(coordination(reads, transitive(Subject(pronoun="he"), verb("open"), "it", refers_to=book)))
    assert opens.tgt == "la fille lit le livre et il l' ouvre ."  # le livre: le, and le ouvre -> l' ouvre
    assert "elision" in opens.phenomena and (8, 7) in opens.alignment


def test_negation_wraps_object_it_with_ne_and_pas() -> None:
    """*ne* before the pronoun, *pas* after the verb, both linked to the negation; *it* still to the pronoun."""
    she = Subject(pronoun="she")
    sees = realised(transitive(she, verb("see"), "it", Negation()))
    assert (sees.src, sees.tgt) == ("she does not see it .", "elle ne le voit pas .")
    assert set(sees.alignment) == {(0, 0), (1, 1), (1, 4), (2, 1), (2, 4), (3, 3), (4, 2), (5, 5)}
    likes = realised(transitive(she, verb("like"), "it", Negation(contracted=True)))
    assert (likes.src, likes.tgt) == ("she doesn't like it .", "elle ne l' aime pas .")  # ne never elides here
    assert linked(likes, 3) == [2] and linked(likes, 1) == [1, 4]
    key = NounPhrase(NOUN_BY_EN["key"])
    finds = transitive(Subject(np=NounPhrase(NOUN_BY_EN["girl"])), verb("find"), key)
    takes = realised(coordination(finds, transitive(she, verb("take"), "it", Negation(), refers_to=key)))
    assert takes.tgt == "la fille trouve la clé et elle ne la prend pas ."
    assert linked(takes, 10) == [8] and linked(takes, 8) == [7, 10]  # it -> la; not -> ne, pas


def test_negated_object_it_is_held_out_for_the_generalisation_split(splits: dict[str, list[Pair]]) -> None:
    negated = [p for p in splits["generalisation"] for i in object_its(p) if p.tgt_tokens[linked(p, i)[0] - 1] == "ne"]
    assert len(negated) >= 30 and all("held_out_negated_pronoun" in p.phenomena for p in negated)
    for p in negated:
        (i,) = object_its(p)
        (j,) = linked(p, i)
        assert p.tgt_tokens[j + 2] == "pas" and linked_en(p, j - 1) == linked_en(p, j + 2) <= NEGATION_WORDS, p.tgt
    assert not [p for name in IN_DISTRIBUTION for p in splits[name]
                for i in object_its(p) if p.tgt_tokens[linked(p, i)[0] - 1] in ("ne", "n'")]


def test_elision_happens_exactly_before_vowels(splits: dict[str, list[Pair]]) -> None:
    vowels = tuple("aeiouyàâéèêîôû")
    elided = 0
    for p in splits["train"]:
        fr = p.tgt_tokens
        for a, b in zip(fr, fr[1:]):
            if a.endswith("'"):
                assert b.startswith(vowels), p.tgt
                elided += 1
            elif a in ("je", "me", "te", "le", "la", "ne", "de"):
                assert not b.startswith(vowels), p.tgt
    assert elided > 500


# -- alignments ---------------------------------------------------------------------------

def test_alignments_are_in_range_and_cover_every_word(splits: dict[str, list[Pair]]) -> None:
    for name, pairs in splits.items():
        for p in pairs:
            n_src, n_tgt = len(p.src_tokens), len(p.tgt_tokens)
            assert p.alignment and all(0 <= i < n_src and 0 <= j < n_tgt for i, j in p.alignment), (name, p)
            assert {j for _, j in p.alignment} == set(range(n_tgt)), f"unaligned French word in {p.tgt!r}"
            assert {i for i, _ in p.alignment} == set(range(n_src)), f"unaligned English word in {p.src!r}"
            assert list(p.alignment) == sorted(set(p.alignment))


def test_tokens_are_lowercase_words_and_a_final_full_stop(splits: dict[str, list[Pair]]) -> None:
    for pairs in splits.values():
        for p in pairs:
            for side in (p.src, p.tgt):
                assert side == side.lower() and side.endswith(" .") and "  " not in side, side
                assert side.count(".") == 1


# -- loading ------------------------------------------------------------------------------

def test_load_pairs_reads_tatoeba_anki_files(tmp_path: Path) -> None:
    path = tmp_path / "fra.txt"
    path.write_text(
        "Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & #1158250 (Wittydev)\n"
        "I'm cold.\tJ'ai froid.\tCC-BY 2.0 (France) Attribution: tatoeba.org #1 (x)\n"
        "the cat .\tle chat .\t0-0 1-1 2-2\tgender\n"
        "Hi.\tSalut !\n",
        encoding="utf-8",
    )
    pairs = load_pairs(path)
    assert [(p.src, p.tgt) for p in pairs] == [
        ("Go.", "Va !"), ("I'm cold.", "J'ai froid."), ("the cat .", "le chat ."), ("Hi.", "Salut !"),
    ]
    assert pairs[0].alignment == () and pairs[0].phenomena == ()
    assert pairs[2].alignment == ((0, 0), (1, 1), (2, 2)) and pairs[2].phenomena == ("gender",)


def test_load_pairs_lists_every_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_bytes(
        b"the cat .\tle chat .\n"  # 1 fine
        b"only one column\n"  # 2
        b"the dog .\tle chien .\n"  # 3 fine
        b"\tle chien .\n"  # 4 empty English
        b"the \xff dog\tle chien\n"  # 5 not UTF-8
        b"the dog .\t   \n"  # 6 empty French
        b"the dog .\tle chien .\t0-0 5-1\n"  # 7 alignment out of range
        b"\n"  # 8 empty line
        b"the end .\tla fin .\n"  # 9 fine
    )
    with pytest.raises(CorpusFormatError) as info:
        load_pairs(path)
    assert [n for n, _ in info.value.problems] == [2, 4, 5, 6, 7, 8]
    message = str(info.value)
    assert str(path) in message
    for n, what in [(2, "fewer than 2"), (4, "empty English"), (5, "UTF-8"), (6, "empty French"), (7, "5-1")]:
        assert re.search(rf"line {n}: .*{what}", message), message
    assert "line 1:" not in message and "line 3:" not in message and "line 9:" not in message
    assert isinstance(info.value, ValueError)


def test_load_pairs_reads_any_line_ending_and_refuses_a_malformed_alignment(tmp_path: Path) -> None:
    crlf, cr = tmp_path / "crlf.tsv", tmp_path / "cr.tsv"
    crlf.write_bytes(b"the cat .\tle chat .\t0-0 1-1 2-2\r\nthe dog .\tle chien .\r\n")
    cr.write_bytes(b"the cat .\tle chat .\t0-0 1-1 2-2\rthe dog .\tle chien .\r")  # old Mac: CR alone
    for path in (crlf, cr):
        pairs = load_pairs(path)
        assert [(p.src, p.tgt) for p in pairs] == [("the cat .", "le chat ."), ("the dog .", "le chien .")]
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"the cat .\tle chat .\t0-0 1-1\nthe dog .\tle chien .\t0-0 1-x 2-2\n"
                    b"a b .\tc d .\t0-0,1-1\n")
    with pytest.raises(CorpusFormatError) as info:
        load_pairs(bad)
    assert [n for n, _ in info.value.problems] == [2, 3] and "not 'i-j' links" in str(info.value)


def test_load_pairs_on_a_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "train.tsv"
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing))):
        load_pairs(missing)


def test_load_split_names(tmp_path: Path) -> None:
    assert load_split("generalization") == load_split("generalisation")
    with pytest.raises(ValueError, match="train, valid, test, generalisation"):
        load_split("training")
    with pytest.raises(FileNotFoundError, match="python -m attnlib.translation corpus"):
        load_split("train", corpus_dir=tmp_path)


def test_handles_windows_line_endings_and_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "crlf.tsv"
    path.write_bytes("\ufeffthe cat .\tle chat .\r\nthe dog .\tle chien .\r\n".encode())
    assert [p.src for p in load_pairs(path)] == ["the cat .", "the dog ."]
    assert load_pairs(path)[1].tgt == "le chien ."


# -- the data card ------------------------------------------------------------------------

def test_the_data_card_matches_the_corpus(splits: dict[str, list[Pair]]) -> None:
    card = (CORPUS_DIR.parent / "README.md").read_text(encoding="utf-8")
    for name, pairs in splits.items():
        assert re.search(rf"`?{name}(\.tsv)?`?\s*\|\s*{len(pairs):,}\b", card), f"card lacks the size of {name}"
    for adjective, noun in HELD_OUT_ADJECTIVE_NOUN:
        assert f"{adjective} {noun}" in card
    for animal, thing in corpus.HELD_OUT_NOUN_PAIRS:
        assert f"{animal} + {thing}" in card
    assert "`pronoun-antecedent-other`" in card  # the fifth column is documented
    for tag in PHENOMENA + corpus.HELD_OUT_TAGS:
        assert f"`{tag}`" in card, tag
    stats = corpus.corpus_statistics(splits)
    assert f"{stats['vocabulary']['english_train']} English" in card
    assert f"{stats['vocabulary']['french_train']} French" in card
    assert f"{MAX_TRAIN_LENGTH} tokens" in card
    assert "CC0-1.0" in card and "python -m attnlib.translation corpus" in card and "seed 0" in card
    for tag in PHENOMENA:  # the phenomenon table's train and test counts
        train, test = (stats["phenomena"][name][tag] for name in ("train", "test"))
        assert re.search(rf"^\| `{tag}` \|.*\| {train:,} \| {test:,} \|$", card, re.M), f"card counts for {tag}"


def test_every_word_of_the_other_splits_occurs_in_train(splits: dict[str, list[Pair]]) -> None:
    """As the card says: evaluation never meets an unknown word, only unseen combinations."""
    known = {w for p in splits["train"] for w in p.src_tokens + p.tgt_tokens}
    for name in ("valid", "test", "generalisation"):
        unknown = {w for p in splits[name] for w in p.src_tokens + p.tgt_tokens} - known
        assert not unknown, (name, sorted(unknown)[:10])


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    for name in SPLITS:
        (tmp_path / f"{name}.tsv").write_bytes((CORPUS_DIR / f"{name}.tsv").read_bytes())
    return tmp_path


def test_a_split_cut_short_is_refused_with_its_name_and_line(corpus_copy: Path) -> None:
    """`head -c 8192` cuts a line in half: that half line is not a pair to score."""
    path = corpus_copy / "test.tsv"
    path.write_bytes(path.read_bytes()[:8192])
    with pytest.raises(CorpusFileError, match=rf"{re.escape(str(path))}, line \d+: the file ends in the middle"):
        load_split("test", corpus_copy)


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.write_bytes(b""), "holds no sentence pairs"),
    (lambda p: (p.unlink(), p.mkdir()), "is a directory"),
    (lambda p: p.write_bytes(b"one column only\n"), "fewer than 2 tab-separated columns"),
    (lambda p: p.write_bytes(b"the \xff cat .\tle chat .\n"), "not valid UTF-8"),
])
def test_an_empty_or_malformed_split_is_refused_with_its_name(corpus_copy: Path, damage, message) -> None:
    path = corpus_copy / "valid.tsv"
    damage(path)
    with pytest.raises(ValueError, match=message) as info:
        load_split("valid", corpus_copy)
    assert str(path) in str(info.value)


def test_an_interrupted_write_leaves_the_old_split_whole(tmp_path: Path) -> None:
    path = tmp_path / "train.tsv"
    corpus._write_lines(path, ["the cat .\tle chat .", "the dog .\tle chien ."])
    before = path.read_bytes()

    def lines_then_crash():
        yield "a new line\tune nouvelle ligne"
        raise KeyboardInterrupt  # Ctrl-C while the generator writes

    with pytest.raises(KeyboardInterrupt):
        corpus._write_lines(path, lines_then_crash())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["train.tsv"]  # no half-written file beside it
