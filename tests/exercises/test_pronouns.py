"""The what-does-it-refer-to chapter's checkers: the gender read from the French, and the nearest-noun rule."""

from attnlib.exercises import NOT_ANSWERED
from attnlib.exercises.pronouns import check_chosen_gender, check_nearest_rule
from attnlib.translation.antecedents import pronoun_gender


def test_chosen_gender_checker_accepts_the_books_own_reading():
    assert check_chosen_gender(pronoun_gender)
    assert check_chosen_gender(lambda french: None) == NOT_ANSWERED


def test_chosen_gender_checker_rejects_a_pronoun_read_anywhere_in_the_sentence():
    verdict = check_chosen_gender(lambda french: "f" if "elle" in french.split() else "m")
    assert not verdict and "parce qu'" in verdict.message  # the subject elle is not the pronoun


def test_chosen_gender_checker_rejects_a_gender_where_there_is_no_pronoun():
    verdict = check_chosen_gender(lambda french: pronoun_gender(french) or "m")
    assert not verdict and "return None" in verdict.message


def test_nearest_rule_checker_accepts_the_later_noun_and_rejects_the_earlier_one():
    assert check_nearest_rule(lambda pair: pair.antecedent.noun > pair.antecedent.other)
    verdict = check_nearest_rule(lambda pair: pair.antecedent.noun < pair.antecedent.other)
    assert not verdict and "nearest" in verdict.message
    assert check_nearest_rule(lambda pair: None) == NOT_ANSWERED
