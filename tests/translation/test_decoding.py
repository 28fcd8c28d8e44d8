"""Beam search, step by step and under several length penalties at once (on the shipped checkpoint)."""

import pytest
import torch

from attnlib.translation.corpus import load_split
from attnlib.translation.decoding import beam_search, beam_search_alphas, beam_steps, best_outputs, search_ended
from attnlib.translation.translator import Translator


@pytest.fixture(scope="module")
def shipped():
    return Translator.load(device="cpu")


def _same(a, b):
    return [h.ids for h in a] == [h.ids for h in b] and [h.log_prob for h in a] == pytest.approx([h.log_prob for h in b])


def test_one_search_under_several_penalties_is_one_beam_search_per_penalty(shipped):
    long = [p.src for p in load_split("generalisation") if "held_out_length" in p.phenomena][:3]
    alphas = (0.0, 0.6, 1.0)
    for text in ["the black cat sees the dog .", "they are not noisy ."] + long:
        src = shipped.source_ids(text)
        for k in (1, 3):
            together = beam_search_alphas(shipped.model, src, k, alphas)
            assert list(together) == list(alphas)
            for alpha in alphas:
                assert _same(together[alpha], beam_search(shipped.model, src, beam_size=k, length_penalty=alpha))


def test_the_steps_are_the_search_and_the_penalty_only_decides_when_it_ends(shipped):
    src = shipped.source_ids("the black cat sees the dog .")
    for beams, done in beam_steps(shipped.model, src, beam_size=3):
        assert len(beams) <= 3 and all(h.ids[-1] == 2 for h in done)  # finished outputs end with <eos>
        if search_ended(beams, done, 3, 0.6):
            break
    assert _same(best_outputs(beams, done, 3, 0.6), beam_search(shipped.model, src, beam_size=3))


def test_bad_arguments_are_refused_before_any_search(shipped):
    src = shipped.source_ids("they are not noisy .")
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="beam_size must be a whole number of at least 1"):
            beam_search(shipped.model, src, beam_size=bad)
    with pytest.raises(ValueError, match="at least one length penalty"):
        beam_search_alphas(shipped.model, src, 3, ())
    with pytest.raises(ValueError, match="one sentence at a time"):
        beam_search(shipped.model, torch.cat([src, src]), beam_size=2)
