"""Decoding, step by step: traces, scores, the cache and the chapter's demos (on the shipped checkpoint)."""

import pytest
import torch

from attnlib.translation.decoding import beam_search, greedy_decode
from attnlib.book.demo import Demo, Param
from attnlib.figures import decoding as dv
from attnlib.lessons.stepwise import (batch_source_ids, forced_decode, greedy_trace, normalised_score,
                              positions_computed, sequence_log_prob, time_decoding, token_log_probs, trim_at_eos)




@pytest.fixture(scope="module")
def translator():
    return dv.translator()


def test_the_trace_is_greedy_decoding_recorded(translator):
    sentence = dv.EXAMPLE_SENTENCES[0]
    trace = greedy_trace(translator, sentence, k=3)
    ids = trim_at_eos(greedy_decode(translator.model, translator.source_ids(sentence))[0].tolist())
    assert trace.target == [translator.tgt_vocab.itos[i] for i in ids]
    assert list(trace.source) == translator.translate(sentence).source
    for step in trace.steps:
        assert len(step.top_tokens) == 3 and list(step.top_probs) == sorted(step.top_probs, reverse=True)
        assert step.cross.shape == (translator.model.cfg.n_decoder_layers, len(trace.source))
        torch.testing.assert_close(step.cross.sum(-1), torch.ones(step.cross.shape[0]))  # each row a distribution
    assert trace.steps[2].prefix == tuple(trace.target[:2])
    with pytest.raises(ValueError, match="unknown word"):
        greedy_trace(translator, "the astronaut sleeps .")


def test_sequence_log_prob_is_the_score_beam_search_accumulates(translator):
    src = translator.source_ids("they are not noisy .")
    best = beam_search(translator.model, src, beam_size=3)[0]
    assert sequence_log_prob(translator.model, src, list(best.ids)) == pytest.approx(best.log_prob, abs=1e-3)
    assert (token_log_probs(translator.model, src, list(best.ids)) <= 0).all()
    assert normalised_score(-2.0, 4, 0.5) == pytest.approx(-1.0) and normalised_score(-2.0, 4, 0) == -2.0
    with pytest.raises(ValueError, match="no output"):
        token_log_probs(translator.model, src, [])


def test_the_cache_changes_the_work_not_the_output(translator):
    batch = batch_source_ids(translator, list(dv.EXAMPLE_SENTENCES[1:3]))
    assert batch.shape[0] == 2 and (batch[:, -1] == 0).any()  # padded
    assert torch.equal(forced_decode(translator.model, batch, 12, True), forced_decode(translator.model, batch, 12, False))
    assert torch.equal(greedy_decode(translator.model, batch, use_cache=True),
                       greedy_decode(translator.model, batch, use_cache=False))
    assert positions_computed(10, True) == 10 and positions_computed(10, False) == 55
    seconds = time_decoding(translator.model, batch[:1], steps=3, repeats=1)
    assert set(seconds) == {False, True} and all(s > 0 for s in seconds.values())
    with pytest.raises(ValueError, match="steps must be between"):
        forced_decode(translator.model, batch, 500)
    with pytest.raises(ValueError, match="at least one"):
        batch_source_ids(translator, [])


def test_step_figure_shows_the_chosen_token_and_handles_steps_past_the_end():
    fig = dv.step_figure(dv.EXAMPLE_SENTENCES[0], 2)
    trace = dv.trace(dv.EXAMPLE_SENTENCES[0])
    assert f"<b>{trace.steps[1].chosen}</b>" in fig.layout.title.text and "le" in fig.layout.title.text
    assert list(fig.data[0].x) == [round(p, 4) for p in trace.steps[1].top_probs]
    late = dv.step_figure(dv.EXAMPLE_SENTENCES[0], 40)
    assert "ended at step" in late.layout.title.text and "<eos>" in late.layout.title.text
    with pytest.raises(ValueError, match="count from 1"):
        dv.step_figure(dv.EXAMPLE_SENTENCES[0], 0)
    assert dv.step_values()[0] == 1 and len(dv.step_values()) <= dv.MAX_STEPS


def test_translation_figure_is_a_french_by_english_map_for_every_view(translator):
    views = dv.view_options()
    cfg = translator.model.cfg
    assert len(views) == cfg.n_decoder_layers + cfg.n_heads
    assert len(dv.EXAMPLE_SENTENCES) * len(views) <= 60  # the static twin stays small
    for view in (views[0], views[-1]):
        source, target, weights = dv.translation_map(dv.EXAMPLE_SENTENCES[0], view)
        assert weights.shape == (len(target), len(source))
        torch.testing.assert_close(weights.sum(-1), torch.ones(len(target)))
    fig = dv.translation_figure(dv.EXAMPLE_SENTENCES[0], views[0])
    assert "le chat noir voit le chien ." in fig.layout.title.text
    assert list(fig.layout.yaxis.ticktext) == target and list(fig.layout.xaxis.ticktext) == source
    with pytest.raises(ValueError, match="unknown view"):
        dv.translation_map(dv.EXAMPLE_SENTENCES[0], "layer one")
    with pytest.raises(ValueError, match="decoder layers"):
        dv.translation_map(dv.EXAMPLE_SENTENCES[0], "layer 9 · mean of heads")


@pytest.mark.parametrize("sentence, hint", [("", "empty"), ("   ", "empty"), ("the astronaut sleeps .", "astronaut"),
                                            ("the cat sees the dog " * 14, "shorten")])
def test_bad_sentences_get_a_message_in_place_of_the_figure(sentence, hint):
    demo = Demo(dv.translation_figure, Param("sentence", dv.EXAMPLE_SENTENCES, free_text=True),
                Param("view", dv.view_options()))
    fig = demo.figure(sentence=sentence)
    assert hint in fig.layout.annotations[0].text and not fig.data


def test_beam_scores_figure_marks_the_best_normalised_score():
    for alpha in (0.0, 1.0):
        fig = dv.beam_scores_figure(alpha)
        scores = list(fig.data[1].x)
        red = [i for i, c in enumerate(fig.data[1].marker.color) if c == "#d62728"]
        assert red == [scores.index(max(scores))]
        hyps = dv._hypotheses(dv.length_example())
        assert scores == [round(normalised_score(lp, len(t), alpha), 4) for t, lp in hyps]
    with pytest.raises(ValueError, match="between 0 and 3"):
        dv.beam_scores_figure(-1.0)


def test_the_length_example_is_one_whose_winner_grows_longer_with_alpha():
    sentence = dv.length_example()
    assert sentence in dv.LENGTH_CANDIDATES
    hyps = dv._hypotheses(sentence)
    lengths = [len(hyps[i][0]) for i in dv.winners(sentence)]
    assert lengths == sorted(lengths)  # provable: a larger α can only hand the win to a longer output
    if sentence != dv.LENGTH_CANDIDATES[0]:  # a later candidate is only taken when its winner changes
        assert lengths[0] < lengths[-1]
