"""Checkers for "what does *it* refer to?": read the choice from the French, and the positional rule."""

from __future__ import annotations

from attnlib.translation.corpus import Antecedent, Pair
from . import NOT_ANSWERED, Verdict, guarded

GENDER_CASES = (
    ("le chat ne traverse pas la rue parce qu' il est fatigué .", "m"),
    ("le chat ne traverse pas la rue parce qu' elle est large .", "f"),
    ("elle voit le seau parce qu' il est vide .", "m"),            # the subject "elle" is not the pronoun
    ("les boîtes sont près des chiens parce qu' elles sont lourdes .", "f"),
    ("les chiens sont près des boîtes parce qu' ils sont affamés .", "m"),
    ("le chat dort .", None),                                      # no pronoun: no choice made
)

RULE_CASES = (
    Pair("the cat does not cross the street because it is tired .", "", (), (), Antecedent(8, 1, 6)),
    Pair("the cat does not cross the street because it is wide .", "", (), (), Antecedent(8, 6, 1)),
    Pair("the box is next to the dog because it is hungry .", "", (), (), Antecedent(8, 6, 1)),
    Pair("the wolves are behind the farms because they are empty .", "", (), (), Antecedent(7, 5, 1)),
)


@guarded
def check_chosen_gender(fn) -> Verdict:
    """``fn(french) -> "m" | "f" | None``: the gender of the pronoun after *parce qu'*."""
    for french, expected in GENDER_CASES:
        result = fn(french)
        if result is None and french == GENDER_CASES[0][0]:  # the empty template returns None
            return NOT_ANSWERED
        if result != expected:
            if french.startswith("elle") and result == "f":
                return Verdict(False, f"In {french!r} you read the subject *elle*. The pronoun to score is the one "
                                      "after *parce qu'*: start looking there.")
            if expected is None:
                return Verdict(False, f"{french!r} has no *parce qu'* and no pronoun: return None, not {result!r}.")
            return Verdict(False, f"For {french!r} the answer is {expected!r}, yours is {result!r}. *il* and *ils* "
                                  "are masculine, *elle* and *elles* feminine.")
    return Verdict(True, "Correct: this is how the book reads which noun the translation chose "
                         "(attnlib.translation.antecedents.pronoun_gender).")


@guarded
def check_nearest_rule(fn) -> Verdict:
    """``fn(pair) -> bool``: does "it is the nearest noun" name the right antecedent of ``pair``?"""
    for pair in RULE_CASES:
        result = fn(pair)
        if result is None or result is Ellipsis:
            return NOT_ANSWERED
        a = pair.antecedent
        expected = a.noun > a.other
        if bool(result) != expected:
            nearest = max(a.noun, a.other)
            return Verdict(False, f"In {pair.src!r} the noun nearest to '{pair.src_tokens[a.pronoun]}' is "
                                  f"'{pair.src_tokens[nearest]}' (position {nearest}); the antecedent is "
                                  f"'{pair.src_tokens[a.noun]}', so the rule is {'right' if expected else 'wrong'}.")
    return Verdict(True, "Correct: the rule is right exactly when the antecedent comes after the other noun.")
