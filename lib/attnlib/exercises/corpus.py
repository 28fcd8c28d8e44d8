"""Checkers for the corpus chapter: teacher-forcing inputs and outputs, French adjective order.

The French noun phrases are built from the corpus's own lexicon (:func:`attnlib.translation.corpus.lexicon.lexicon_rows`),
with the rules the corpus generator applies: the article agrees with the noun, most adjectives follow
the noun and agree with it in gender and number, a few (*petit, grand, beau, …*) stay in front.
"""

from __future__ import annotations

import functools

import torch

from attnlib.translation.corpus.lexicon import lexicon_rows
from attnlib.translation.vocab import BOS_ID, EOS_ID
from . import NOT_ANSWERED, Verdict, guarded, not_answered

CASES = ([5, 9, 7], [12], [8, 30, 30, 4], [])


def teacher_forcing_pair(ids: list[int], bos_id: int = BOS_ID, eos_id: int = EOS_ID) -> tuple[list[int], list[int]]:
    """``ids`` of a target sentence -> (decoder input, what it must predict): ``<bos> + ids``, ``ids + <eos>``."""
    return [bos_id, *ids], [*ids, eos_id]


def _as_list(x) -> list[int]:
    if isinstance(x, torch.Tensor):
        return [int(v) for v in x.reshape(-1).tolist()]
    return [int(v) for v in x]


@guarded
def check_teacher_forcing(fn) -> Verdict:
    """``fn(ids, bos_id, eos_id) -> (tgt_in, tgt_out)`` for one unpadded sentence."""
    for ids in CASES:
        result = fn(list(ids), BOS_ID, EOS_ID)
        if result is None:
            return NOT_ANSWERED
        tgt_in, tgt_out = (_as_list(x) for x in result)
        right_in, right_out = teacher_forcing_pair(list(ids))
        if (tgt_in, tgt_out) == (right_in, right_out):
            continue
        full = [BOS_ID, *ids, EOS_ID]
        if tgt_in == tgt_out:
            return Verdict(False, "tgt_in and tgt_out are identical: the decoder would learn to copy the token it "
                                  "reads. Shift by one: at position t it reads token t and must predict token t+1.")
        if (tgt_in, tgt_out) == (right_out, right_in):
            return Verdict(False, "Swapped: the decoder *reads* <bos> first (tgt_in starts with <bos>) and must "
                                  "*predict* <eos> last (tgt_out ends with <eos>).")
        if tgt_in == full or tgt_out == full:
            return Verdict(False, f"One of your sequences holds both <bos> and <eos> ({full} for ids {ids}), so the "
                                  f"two are not the same length. Each gets one special token: tgt_in = <bos> + ids, "
                                  f"tgt_out = ids + <eos>.")
        if tgt_out == list(ids):
            return Verdict(False, "tgt_out lacks <eos>: the model must also learn to *stop*, so the last token it "
                                  "predicts is <eos>.")
        if tgt_in == list(ids) or tgt_in == [*ids, EOS_ID]:
            return Verdict(False, "tgt_in must start with <bos>: at the first step the decoder has read nothing "
                                  "yet, and <bos> is its cue to produce the first French word.")
        if len(tgt_in) != len(tgt_out):
            return Verdict(False, f"tgt_in and tgt_out must have the same length (one prediction per input "
                                  f"position); for ids {ids} yours have {len(tgt_in)} and {len(tgt_out)}.")
        return Verdict(False, f"For ids {ids} the answer is tgt_in={right_in}, tgt_out={right_out}; yours gave "
                              f"{tgt_in} and {tgt_out}.")
    return Verdict(True, "Correct: tgt_out is tgt_in shifted by one, so position t learns to predict token t+1, "
                         "and the empty sentence still teaches the model to stop.")


# -- French noun phrases ----------------------------------------------------------------------

_ARTICLES = {("the", "m", False): "le", ("the", "f", False): "la", ("the", "m", True): "les",
             ("the", "f", True): "les", ("a", "m", False): "un", ("a", "f", False): "une"}


@functools.lru_cache(maxsize=None)
def _lexicon() -> tuple[dict, dict]:
    """English noun (singular or plural) -> (french singular, french plural, gender, is_plural);
    English adjective -> (four forms, before the noun?)."""
    nouns, adjectives = {}, {}
    for pos, en, fr, details in lexicon_rows():
        fields = dict(part.split("=", 1) for part in details.split("; ") if "=" in part)
        if pos == "noun":
            en_plural, fr_plural = fields["plural"].split("/")
            nouns[en] = (fr, fr_plural, fields["gender"], False)
            nouns[en_plural] = (fr, fr_plural, fields["gender"], True)
        elif pos == "adjective":
            adjectives[en] = (tuple(fields["forms"].split("/")), fields["position"] == "before")
    return nouns, adjectives


def french_noun_phrase(english: str) -> str:
    """``"the black tables"`` -> ``"les tables noires"``, by the corpus's rules (article, adjective, noun)."""
    words = english.lower().split()
    nouns, adjectives = _lexicon()
    if len(words) != 3 or words[0] not in ("the", "a") or words[1] not in adjectives or words[2] not in nouns:
        raise ValueError(f"expected 'the' or 'a', an adjective and a noun of the lexicon, got {english!r}")
    sing, plur, gender, plural = nouns[words[2]]
    if words[0] == "a" and plural:
        raise ValueError(f"'a' does not go with the plural {words[2]!r}")
    forms, before = adjectives[words[1]]
    adjective = forms[(gender == "f") + 2 * plural]
    noun = plur if plural else sing
    article = _ARTICLES[(words[0], gender, plural)]
    return " ".join([article, adjective, noun] if before else [article, noun, adjective])


def _phrase_hint(answer: str, english: str) -> str | None:
    """Why ``answer`` is not the French of ``english``; ``None`` if it is."""
    expected = french_noun_phrase(english).split()
    got = " ".join(answer.lower().replace("’", "'").split()).rstrip(" .").split()
    if got == expected:
        return None
    adjective_en = english.split()[1]
    forms, before = _lexicon()[1][adjective_en]
    if sorted(got) == sorted(expected):
        where = "in front of the noun, as in English" if before else "after the noun"
        return f"“{english}”: right words, wrong order. This adjective goes {where}."
    if len(got) == 3 and got[0] == expected[0]:
        adj_slot = 1 if before else 2
        noun_slot = 2 if before else 1
        if got[noun_slot] == expected[noun_slot] and got[adj_slot] in forms:
            return (f"“{english}”: the order is right, but the adjective must agree with the noun in gender and "
                    f"number: it has the forms {', '.join(forms)} (masculine, feminine, masculine plural, "
                    f"feminine plural).")
        swapped = got[noun_slot] == expected[adj_slot] and got[adj_slot] == expected[noun_slot]
        if swapped or (got[adj_slot] in forms and got[noun_slot] == expected[noun_slot]):
            where = "in front of the noun" if before else "after the noun"
            return f"“{english}”: this adjective goes {where}; check the form too."
    if got and got[0] != expected[0]:
        return f"“{english}”: check the article first: it agrees with the noun's gender and number."
    return f"“{english}”: not quite. Look the words up in data/corpus/lexicon.tsv and apply the three rules."


@guarded
def check_adjective_phrases(answers: dict) -> Verdict:
    """``answers`` maps English noun phrases (``"the black tables"``) to the reader's French."""
    if all(not_answered(a) for a in answers.values()):
        return NOT_ANSWERED
    for english, answer in answers.items():
        if not_answered(answer):
            return Verdict(False, f"Give a French answer for “{english}” too.")
        hint = _phrase_hint(str(answer), english)
        if hint is not None:
            return Verdict(False, hint)
    shown = "; ".join(f"{en} → {french_noun_phrase(en)}" for en in answers)
    return Verdict(True, f"Correct: {shown}.")
