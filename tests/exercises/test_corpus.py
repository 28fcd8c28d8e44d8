"""The corpus chapter's checkers: teacher forcing and French adjective phrases."""

import pytest
import torch

from attnlib.exercises import NOT_ANSWERED
from attnlib.exercises.corpus import (check_adjective_phrases, check_teacher_forcing, french_noun_phrase,
                                      teacher_forcing_pair)
from attnlib.translation.corpus import load_split


def right_shift(ids, bos, eos):
    return [bos] + ids, ids + [eos]


@pytest.mark.parametrize("mistake, hint", [
    (lambda ids, b, e: ([b] + ids + [e], [b] + ids + [e]), "identical"),
    (lambda ids, b, e: (ids + [e], [b] + ids), "Swapped"),
    (lambda ids, b, e: ([b] + ids + [e], ids + [e]), "both <bos> and <eos>"),
    (lambda ids, b, e: ([b] + ids, ids), "lacks <eos>"),
    (lambda ids, b, e: (ids, ids + [e]), "start with <bos>"),
    (lambda ids, b, e: ([b] + ids[:-1], ids + [e]), "same length"),
    (lambda ids, b, e: ids[5], "IndexError"),
])
def test_teacher_forcing_checker_rejects_plausible_mistakes_with_a_hint(mistake, hint):
    verdict = check_teacher_forcing(mistake)
    assert not verdict and hint in verdict.message


def test_teacher_forcing_checker_accepts_lists_and_tensors():
    assert check_teacher_forcing(right_shift)
    assert check_teacher_forcing(lambda ids, b, e: tuple(torch.tensor(x) for x in right_shift(ids, b, e)))
    assert teacher_forcing_pair([7, 8]) == ([1, 7, 8], [7, 8, 2])
    assert check_teacher_forcing(lambda ids, b, e: None) == NOT_ANSWERED
    assert check_teacher_forcing(None) == NOT_ANSWERED


def test_french_noun_phrases_follow_the_corpus():
    """Every "the <adjective> <noun>" that opens a training sentence opens its French the same way."""
    checked = 0
    for pair in load_split("train"):
        words = pair.src.split()
        if len(words) < 4:
            continue
        try:
            french = french_noun_phrase(" ".join(words[:3]))
        except ValueError:
            continue
        assert pair.tgt.startswith(french + " "), (pair.src, pair.tgt, french)
        checked += 1
    assert checked > 1000
    assert french_noun_phrase("the black tables") == "les tables noires"
    assert french_noun_phrase("a small cat") == "un petit chat"
    with pytest.raises(ValueError, match="adjective and a noun"):
        french_noun_phrase("the zebra")


@pytest.mark.parametrize("answers, hint", [
    ({"the black tables": "les noires tables", "the small cats": "les petits chats"}, "wrong order"),
    ({"the black tables": "les tables noirs", "the small cats": "les petits chats"}, "agree"),
    ({"the black tables": "les tables noires", "the small cats": "les chats petits"}, "in front of the noun"),
    ({"the black tables": "la table noire", "the small cats": "les petits chats"}, "article"),
    ({"the black tables": "les tables noires", "the small cats": None}, "too"),
])
def test_adjective_checker_explains_the_rule_that_was_broken(answers, hint):
    verdict = check_adjective_phrases(answers)
    assert not verdict and hint in verdict.message


def test_adjective_checker_accepts_the_solution():
    assert check_adjective_phrases({"the black tables": "les tables noires", "the small cats": "Les petits chats ."})
    assert check_adjective_phrases({"the black tables": None, "the small cats": None}) == NOT_ANSWERED
