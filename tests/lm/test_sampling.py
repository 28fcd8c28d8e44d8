"""Temperature, top-k, top-p and the draw: what each keeps, how the mass is shared, and bad arguments."""

import math
import random

import pytest
import torch

from attnlib.lm.sampling import draw, next_token_distribution, ranked

LOGITS = torch.tensor([1.0, 3.0, -0.5, 2.0, 0.0, 2.5, -2.0, 1.5])  # distinct: best first 1, 5, 3, 7, 0, 4, 2, 6


def random_logits(seed: int, n: int = 50) -> torch.Tensor:
    return torch.randn(n, generator=torch.Generator().manual_seed(seed)) * 3


def support(probs: torch.Tensor) -> set[int]:
    return set(torch.nonzero(probs).flatten().tolist())


def one_hot(i: int, n: int) -> torch.Tensor:
    out = torch.zeros(n, dtype=torch.float64)
    out[i] = 1.0
    return out


# -- the filters ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_no_filter_is_the_softmax(seed):
    logits = random_logits(seed)
    torch.testing.assert_close(next_token_distribution(logits), torch.softmax(logits.double(), -1))
    torch.testing.assert_close(next_token_distribution(logits, temperature=0.5),
                               torch.softmax(logits.double() / 0.5, -1))


@pytest.mark.parametrize("seed", range(5))
def test_temperature_zero_top_k_one_and_a_cold_temperature_are_all_greedy(seed):
    logits = random_logits(seed)
    greedy = one_hot(int(logits.argmax()), len(logits))
    assert torch.equal(next_token_distribution(logits, temperature=0), greedy)
    assert torch.equal(next_token_distribution(logits, temperature=1.3, top_k=1), greedy)
    assert torch.equal(next_token_distribution(logits, temperature=0, top_k=5, top_p=0.5), greedy)
    torch.testing.assert_close(next_token_distribution(logits, temperature=1e-3), greedy)  # T -> 0


def test_temperature_sharpens_below_one_and_flattens_above():
    def entropy(p):
        return -sum(x * math.log(x) for x in p.tolist() if x > 0)

    cold, warm, hot = (next_token_distribution(LOGITS, temperature=t) for t in (0.5, 1.0, 2.0))
    assert entropy(cold) < entropy(warm) < entropy(hot) < math.log(len(LOGITS))
    assert cold.argmax() == warm.argmax() == hot.argmax() == 1  # the order of the tokens never changes


def test_ties_go_to_the_lower_id():
    tied = torch.tensor([0.0, 2.0, 1.0, 2.0, 2.0])
    assert ranked(tied.tolist()) == [1, 3, 4, 2, 0]
    assert torch.equal(next_token_distribution(tied, temperature=0), one_hot(1, 5))
    assert support(next_token_distribution(tied, top_k=2)) == {1, 3}
    assert support(next_token_distribution(tied, top_p=0.5)) == {1, 3}  # 1/3 + 1/3 reaches 1/2: ids 1, 3
    # a cold temperature is not greedy on a tie: the tied maxima share the mass
    torch.testing.assert_close(next_token_distribution(tied, temperature=1e-3),
                               torch.tensor([0, 1 / 3, 0, 1 / 3, 1 / 3], dtype=torch.float64))


@pytest.mark.parametrize("k", [1, 2, 3, 7, 8, 20])
def test_top_k_keeps_the_k_best_in_their_old_proportions(k):
    probs = next_token_distribution(LOGITS, top_k=k)
    best = ranked(LOGITS.tolist())[:k]
    assert support(probs) == set(best)
    full = torch.softmax(LOGITS.double(), -1)
    torch.testing.assert_close(probs[best], full[best] / full[best].sum())
    assert math.isclose(probs.sum().item(), 1.0, abs_tol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_top_p_keeps_the_smallest_set_whose_mass_reaches_p(seed):
    logits = random_logits(seed)
    full = torch.softmax(logits.double(), -1)
    order = ranked(logits.tolist())
    for p in (0.1, 0.5, 0.9, 0.99):
        probs = next_token_distribution(logits, top_p=p)
        kept = support(probs)
        n = len(kept)
        assert kept == set(order[:n])  # the most likely tokens
        assert full[order[:n]].sum() >= p - 1e-12  # their mass reaches p ...
        assert full[order[: n - 1]].sum() < p  # ... and one fewer would not
        torch.testing.assert_close(probs[order[:n]], full[order[:n]] / full[order[:n]].sum())


def test_top_p_of_one_changes_nothing_and_top_k_of_zero_or_none_neither():
    for seed in range(5):
        logits = random_logits(seed)
        plain = next_token_distribution(logits, temperature=0.7)
        for same in (next_token_distribution(logits, temperature=0.7, top_p=1.0),
                     next_token_distribution(logits, temperature=0.7, top_k=0),
                     next_token_distribution(logits, temperature=0.7, top_k=None, top_p=1)):
            assert torch.equal(same, plain)
        assert len(support(plain)) == len(logits)


def test_top_p_applies_after_top_k_renormalises():
    # the two best hold 0.51 and 0.49 of the mass after top-k = 2; top-p = 0.5 then keeps only the first
    logits = torch.log(torch.tensor([0.2, 0.3, 0.1, 0.288, 0.112]))
    assert support(next_token_distribution(logits, top_k=2, top_p=0.5)) == {1}
    assert support(next_token_distribution(logits, top_p=0.5)) == {1, 3}  # without top-k: 0.3 < 0.5


@pytest.mark.parametrize("temperature, top_k, top_p", [
    (1.0, None, 1.0), (0.3, None, 1.0), (2.0, 5, 1.0), (1.0, None, 0.7), (0.8, 10, 0.9), (0, None, 1.0),
])
def test_filtered_probabilities_sum_to_one_and_are_zero_outside_the_kept_set(temperature, top_k, top_p):
    for seed in range(5):
        logits = random_logits(seed)
        probs = next_token_distribution(logits, temperature, top_k, top_p)
        assert probs.dtype == torch.float64 and probs.shape == logits.shape
        assert math.isclose(probs.sum().item(), 1.0, abs_tol=1e-12)
        kept = support(probs)
        assert (probs >= 0).all() and kept and (top_k is None or len(kept) <= top_k)
        # every kept token is at least as likely as every dropped one
        dropped = set(range(len(logits))) - kept
        if dropped:
            assert min(logits[list(kept)]) >= max(logits[list(dropped)])


def test_tokens_at_minus_infinity_are_never_kept():
    logits = torch.tensor([float("-inf"), 0.0, float("-inf"), 1.0])
    assert support(next_token_distribution(logits)) == {1, 3}
    assert support(next_token_distribution(logits, top_k=3)) == {1, 3}


# -- the draw -----------------------------------------------------------------------------------------------

def test_draw_is_the_inverse_cdf_in_id_order():
    probs = [0.0, 0.25, 0.0, 0.5, 0.25]
    assert [draw(probs, u) for u in (0.0, 0.2499, 0.25, 0.7499, 0.75, 0.999)] == [1, 1, 3, 3, 4, 4]
    assert draw(torch.tensor(probs), 0.5) == 3  # a tensor as well as a list


def test_draw_never_picks_a_token_of_probability_zero_even_when_rounding_falls_short():
    probs = [0.3, 0.7 - 1e-9, 0.0]  # sums to just below 1
    assert draw(probs, 1 - 2**-32) == 1


def test_draws_follow_the_distribution():
    probs = next_token_distribution(LOGITS, temperature=1.5, top_k=5)
    rng = random.Random(0)
    n = 20000
    counts = torch.zeros(len(LOGITS), dtype=torch.float64)
    for _ in range(n):
        counts[draw(probs, rng.random())] += 1
    torch.testing.assert_close(counts / n, probs, atol=0.015, rtol=0)
    assert support(counts) == support(probs)


# -- bad arguments ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"temperature": -0.1}, "temperature must be a finite number >= 0 .* got -0.1"),
    ({"temperature": float("nan")}, "temperature must be a finite number >= 0"),
    ({"temperature": float("inf")}, "temperature must be a finite number >= 0"),
    ({"temperature": "1"}, "temperature must be a finite number"),
    ({"temperature": True}, "temperature must be a finite number"),
    ({"top_k": -1}, "top_k must be a whole number >= 0 .* got -1"),
    ({"top_k": 2.5}, "top_k must be a whole number"),
    ({"top_k": True}, "top_k must be a whole number"),
    ({"top_p": 0}, "top_p must be a number in \\(0, 1\\] .* got 0"),
    ({"top_p": 1.01}, "top_p must be a number in \\(0, 1\\]"),
    ({"top_p": float("nan")}, "top_p must be a number in \\(0, 1\\]"),
    ({"top_p": -0.5}, "top_p must be a number in \\(0, 1\\]"),
])
def test_bad_sampling_arguments_are_named_before_any_work(kwargs, message):
    with pytest.raises(ValueError, match=message):
        next_token_distribution(LOGITS, **kwargs)
    with pytest.raises(ValueError, match=message):  # checked before the logits are even looked at
        next_token_distribution("not logits", **kwargs)


@pytest.mark.parametrize("logits, message", [
    (torch.zeros(2, 8), "shape \\(V,\\); got \\(2, 8\\).*logits\\[0, -1\\]"),
    (torch.zeros(0), "shape \\(V,\\); got \\(0,\\)"),
    ([1.0, 2.0], "shape \\(V,\\); got list"),
    (torch.arange(4), "floating-point"),
    (torch.tensor([0.0, float("nan")]), "NaN or \\+inf"),
    (torch.tensor([0.0, float("inf")]), "NaN or \\+inf"),
    (torch.full((3,), float("-inf")), "every logit is -inf"),
])
def test_bad_logits_are_refused(logits, message):
    with pytest.raises(ValueError, match=message):
        next_token_distribution(logits)


@pytest.mark.parametrize("probs, u, message", [
    ([0.5, 0.5], 1.0, "u must be a uniform number in \\[0, 1\\), got 1.0"),
    ([0.5, 0.5], -0.1, "u must be a uniform number"),
    ([0.5, 0.5], float("nan"), "u must be a uniform number"),
    ([2.0, -1.0], 0.5, "finite probabilities >= 0"),
    ([], 0.5, "non-empty"),
    ([0.5, 0.6], 0.5, "must sum to 1, they sum to 1.1"),
    ([1.0, 3.0], 0.5, "not logits"),
    (torch.ones(2, 2) / 4, 0.5, "one distribution, shape \\(V,\\)"),
])
def test_bad_draws_are_refused(probs, u, message):
    with pytest.raises(ValueError, match=message):
        draw(probs, u)
