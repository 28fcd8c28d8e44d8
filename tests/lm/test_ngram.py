"""The n-gram baseline: its perplexity follows the book's convention (checked by hand), it beats a unigram
model on the corpus, it fills a masked word, and it says clearly what input it cannot take."""

from __future__ import annotations

import math

import pytest

from attnlib.lm.ngram import EOS, SMOOTHINGS, fill_accuracy, fit, perplexity, top_k_fill
from attnlib.translation.corpus import load_split

TINY = ["the cat sleeps .", "the dog sleeps .", "the cat eats ."]


@pytest.fixture(scope="module")
def train() -> list[str]:
    return [p.src for p in load_split("train")]


@pytest.fixture(scope="module")
def trigram(train: list[str]):
    return fit(train)


# -- perplexity, by hand ------------------------------------------------------------------------------------------

def test_trigram_perplexity_without_smoothing_agrees_with_a_hand_computation() -> None:
    """the cat sleeps . <eos>: P(the | <s> <s>) = 3/3, P(cat | <s> the) = 2/3, P(sleeps | the cat) = 1/2,
    P(. | cat sleeps) = 1, P(<eos> | sleeps .) = 1: five predicted tokens, <s> never predicted."""
    model = fit(TINY, order=3, smoothing="mle")
    by_hand = math.exp(-(math.log(3 / 3) + math.log(2 / 3) + math.log(1 / 2) + 0 + 0) / 5)
    assert perplexity(model, ["the cat sleeps ."]) == pytest.approx(by_hand)


def test_unigram_perplexity_pools_the_tokens_of_all_sentences() -> None:
    """Unigram counts over the 15 predicted tokens of TINY (<eos> thrice, <s> never): the 3, cat 2, dog 1,
    sleeps 2, eats 1, . 3, <eos> 3.  The mean is over the 10 tokens of both sentences together."""
    model = fit(TINY, order=1, smoothing="mle")
    probabilities = [3, 2, 2, 3, 3] + [3, 1, 1, 3, 3]  # the cat sleeps . <eos> | the dog eats . <eos>, over 15
    by_hand = math.exp(-sum(math.log(c / 15) for c in probabilities) / 10)
    assert perplexity(model, ["the cat sleeps .", "the dog eats ."]) == pytest.approx(by_hand)
    one_by_one = [perplexity(model, [s]) for s in ("the cat sleeps .", "the dog eats .")]
    assert by_hand != pytest.approx(sum(one_by_one) / 2)  # not a mean of per-sentence perplexities


def test_laplace_bigram_perplexity_agrees_with_a_hand_computation() -> None:
    """Add-one over nltk's vocabulary: the 6 words, <eos>, <s> and <UNK>, so 9 in all.
    the dog eats . <eos>: (3+1)/(3+9), (1+1)/(3+9), (0+1)/(1+9), (1+1)/(1+9), (3+1)/(3+9)."""
    model = fit(TINY, order=2, smoothing="laplace")
    by_hand = math.exp(-sum(map(math.log, (4 / 12, 2 / 12, 1 / 10, 2 / 10, 4 / 12))) / 5)
    assert perplexity(model, ["the dog eats ."]) == pytest.approx(by_hand)


def test_witten_bell_gives_a_distribution_over_the_next_token(trigram) -> None:
    for history in (("<s>", "<s>"), ("the", "cat"), ("cat", "sees")):
        total = sum(math.exp(trigram.logprob(w, history)) for w in [*trigram.vocabulary, EOS])
        assert total == pytest.approx(1.0)


# -- on the corpus ------------------------------------------------------------------------------------------------

def test_the_trigram_model_of_train_beats_a_unigram_model_on_test(train: list[str], trigram) -> None:
    test = [p.src for p in load_split("test")]
    trigram_perplexity = perplexity(trigram, test)
    unigram_perplexity = perplexity(fit(train, order=1), test)
    assert math.isfinite(trigram_perplexity) and trigram_perplexity > 1
    assert trigram_perplexity < unigram_perplexity / 3


def test_a_word_train_never_shows_makes_the_perplexity_infinite(trigram) -> None:
    assert perplexity(trigram, ["the cat sees the chien ."]) == math.inf


# -- filling a masked word ----------------------------------------------------------------------------------------

def test_fill_recovers_an_obvious_word_in_a_tiny_corpus() -> None:
    model = fit(["the cat sat on the mat .", "the dog sat on the mat .", "the cat sees the dog ."])
    ranked = top_k_fill(model, "the cat sat on the", ".", k=3)
    assert ranked[0][0] == "mat" and ranked[0][1] > 0.5
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)
    everything = top_k_fill(model, ["the", "cat"], ["on", "the", "mat", "."], k=len(model.vocabulary))
    assert everything[0][0] == "sat"
    assert sum(p for _, p in everything) == pytest.approx(1.0)


def test_fill_accuracy_counts_top_1_and_top_5(trigram) -> None:
    cases = [("the cat sat on the mat .", 2), ("the black cat sees the dog .", 5)]
    scores = fill_accuracy(trigram, cases)
    assert set(scores) == {1, 5} and 0 <= scores[1] <= scores[5] <= 1
    assert top_k_fill(trigram, "the cat", "on the mat .", 1)[0][0] == "sat"
    assert scores[1] >= 0.5


# -- bad input ----------------------------------------------------------------------------------------------------

def test_bad_input_gets_a_clear_message(trigram) -> None:
    with pytest.raises(ValueError, match="at least one sentence"):
        fit([])
    with pytest.raises(ValueError, match=f"unknown smoothing 'kneser'.*{', '.join(SMOOTHINGS)}"):
        fit(TINY, smoothing="kneser")
    with pytest.raises(ValueError, match="order"):
        fit(TINY, order=0)
    with pytest.raises(TypeError, match="list of sentences"):
        fit("the cat sleeps .")
    with pytest.raises(ValueError, match="at least one sentence"):
        perplexity(trigram, [])
    with pytest.raises(ValueError, match="k is how many"):
        top_k_fill(trigram, "the", "sleeps .", k=0)
    with pytest.raises(ValueError, match="at least one"):
        fill_accuracy(trigram, [])
    with pytest.raises(ValueError, match="position 9 is outside"):
        fill_accuracy(trigram, [("the cat sleeps .", 9)])
