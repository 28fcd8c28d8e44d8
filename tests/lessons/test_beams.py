"""Beam search against greedy search, counted against the reference: the tallies and their figure."""

import pytest

from attnlib.figures import decoding as dv
from attnlib.lessons.beams import (OUTCOMES, Duel, Tally, beam_against_greedy, evenly, model_scores, tagged)
from attnlib.lessons.stepwise import sequence_log_prob
from attnlib.translation.corpus import Pair, load_split
from attnlib.translation.decoding import beam_search
from attnlib.translation.evaluate import sentence_chrf

# Long sentences of the generalisation split (longer than any training sentence) on which greedy search loops
# or stumbles, and beam search writes something else.
LOOPS = "the small lazy brothers help your tired queen and they do not watch you in your dirty mountain ."
CUT = ("he does not meet the angry brother of the lady and the small snake knows the small yellow cat behind the "
       "strange villages .")
STOPS_EARLY = ("the big brave doctor visits the palaces near your blue bakery and the young grandfather doesn't show the "
               "monkey to four queens .")


@pytest.fixture(scope="module")
def translator():
    return dv.translator()


@pytest.fixture(scope="module")
def pairs():
    """Three ordinary test sentences and two long ones on which the searches disagree."""
    long = {p.src: p for p in load_split("generalisation")}
    return evenly(load_split("test"), 3) + [long[LOOPS], long[CUT]]


@pytest.fixture(scope="module")
def tallies(translator, pairs):
    return beam_against_greedy(translator, pairs, alphas=(0.0, 0.6), beam_size=4, label="mixed")


def test_the_shares_of_the_outcomes_sum_to_one(tallies, pairs):
    for tally in tallies:
        assert tally.n == len(pairs) and tally.label == "mixed" and tally.beam_size == 4
        assert sum(tally.shares.values()) == pytest.approx(1.0)
        assert sum(tally.count(o) for o in OUTCOMES) == tally.n
        assert tally.shares["ties"] == tally.count("ties") / tally.n
        assert all(d.outcome == "ties" and d.beam == d.greedy for d in tally.duels[:3])  # the test sentences


def test_the_outputs_are_the_two_searches_and_the_scores_their_chrf(translator, tallies, pairs):
    for tally in tallies:
        for pair, duel in zip(pairs, tally.duels):
            assert duel.greedy == translator.translate(pair.src).text
            best = beam_search(translator.model, translator.source_ids(pair.src), beam_size=4, length_penalty=tally.alpha)[0]
            assert duel.beam_ids == best.ids and duel.beam == translator.tgt_vocab.decode(list(best.ids))
            assert duel.greedy_chrf == pytest.approx(sentence_chrf(duel.greedy, pair.tgt))
            assert duel.beam_chrf == pytest.approx(sentence_chrf(duel.beam, pair.tgt))
    assert sentence_chrf("le chat noir .", "le chat noir .") == 100 > sentence_chrf("le chien noir .", "le chat noir .")


def test_the_helping_example_really_beats_greedy_against_its_reference(translator, tallies):
    tally = tallies[1]  # α = 0.6
    best, worst = tally.best, tally.worst
    assert best is not None and best.source == LOOPS and best.outcome == "beats"
    assert best.beam != best.greedy and sentence_chrf(best.beam, best.reference) > sentence_chrf(best.greedy, best.reference)
    assert worst is not None and worst.source == CUT and worst.gain < 0
    assert best.gain == max(d.gain for d in tally.duels) and worst.gain == min(d.gain for d in tally.duels)
    greedy_score, beam_score = model_scores(translator, best, 0.6)  # the model prefers what beam search found
    assert beam_score > greedy_score
    assert tally.differ == 2 and tally.exact("greedy") == tally.exact("beam") == 3


def test_beam_of_one_without_length_penalty_is_greedy_search_where_greedy_finishes_first(translator):
    sample = evenly(load_split("test"), 8)
    (tally,) = beam_against_greedy(translator, sample, alphas=(0,), beam_size=1)
    assert tally.differ == 0 and tally.shares["ties"] == 1 and all(d.beam_ids == d.greedy_ids for d in tally.duels)
    # Where greedy search wanders, a beam of one still follows its path, but keeps every output that ended on
    # the way: it returns one of those when the path it follows becomes less likely (never a less likely one).
    pair = next(p for p in load_split("generalisation") if p.src == STOPS_EARLY)
    (duel,) = beam_against_greedy(translator, [pair], alphas=(0,), beam_size=1)[0].duels
    assert duel.beam != duel.greedy and duel.beam_ids == duel.greedy_ids[: len(duel.beam_ids) - 1] + (2,)
    src = translator.source_ids(pair.src)
    assert sequence_log_prob(translator.model, src, list(duel.beam_ids)) > sequence_log_prob(
        translator.model, src, list(duel.greedy_ids))


def test_evenly_and_tagged_choose_the_same_pairs_every_time():
    pairs = [Pair(f"s{i} .", f"t{i} .", phenomena=("long",) if i % 2 else ()) for i in range(10)]
    assert [p.src for p in evenly(pairs, 3)] == ["s0 .", "s3 .", "s6 ."] and evenly(pairs, 3) == evenly(pairs, 3)
    assert evenly(pairs, 10) == pairs and evenly(pairs, 50) == pairs
    assert [p.src for p in tagged(pairs, "long")] == ["s1 .", "s3 .", "s5 .", "s7 .", "s9 ."]
    assert len(tagged(load_split("generalisation"), "held_out_length")) == 150


def test_bad_arguments_get_clear_messages(translator, pairs, tallies):
    some = pairs[:1]
    for bad, hint in [(dict(pairs=[]), "no sentence pairs"), (dict(beam_size=0), "beam_size must be a whole number"),
                      (dict(beam_size=2.5), "beam_size"), (dict(beam_size=True), "beam_size"),
                      (dict(alphas=()), "at least one length penalty"), (dict(alphas=(-0.5,)), "from 0 to 3"),
                      (dict(alphas=(5,)), "from 0 to 3"), (dict(alphas=("0.6",)), "from 0 to 3")]:
        with pytest.raises(ValueError, match=hint):
            beam_against_greedy(translator, **({"pairs": some} | bad))
    with pytest.raises(ValueError, match="whole number of at least 1"):
        evenly(some, 0)
    with pytest.raises(ValueError, match="no pair shows 'rhyme'; these pairs show"):
        tagged(load_split("test")[:20], "rhyme")
    with pytest.raises(ValueError, match="unknown outcome 'wins'"):
        tallies[0].count("wins")
    with pytest.raises(ValueError, match="'greedy' or 'beam'"):
        tallies[0].exact("sampling")
    with pytest.raises(ValueError, match="keeps no output ids"):
        model_scores(translator, Duel("a .", "b .", "c .", "c .", 0.0, 0.0), 0.6)
    with pytest.raises(ValueError, match="at least one sample"):
        dv.beam_outcomes_figure({})
    mixed = {"a": [tallies[0]], "b": [Tally("b", 0.0, 2, tallies[0].duels)]}
    with pytest.raises(ValueError, match="mix beam sizes"):
        dv.beam_outcomes_figure(mixed)


def test_the_figure_draws_each_share_and_says_when_nothing_changes(tallies):
    same = Tally("same", 0.0, 4, tallies[0].duels[:3])  # the test sentences: every output the same
    fig = dv.beam_outcomes_figure({"ordinary": [same], "mixed": tallies})
    bars = {(t.name, t.xaxis): t for t in fig.data}
    better, worse = bars[("beam closer", "x2")], bars[("greedy closer", "x2")]
    for tally, right, left in zip(tallies, better.x, worse.x):
        assert right == pytest.approx(100 * tally.shares["beats"], abs=0.01) or (right is None and not tally.count("beats"))
        assert left == pytest.approx(-100 * tally.shares["loses"], abs=0.01) or (left is None and not tally.count("loses"))
    assert all(x is None for x in bars[("beam closer", "x")].x)  # no bar where beam search never differs
    notes = [a.text for a in fig.layout.annotations]
    assert "the same output as greedy, every time" in notes and "mixed (5 sentences)" in notes
    assert all(f"ties {100 * t.shares['ties']:.0f}%" in y for t, y in zip(tallies, better.y))
