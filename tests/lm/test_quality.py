"""Grading samples: the shares of grammatical and new sentences are what the recogniser and the train split say."""

import pytest

from attnlib.lm.quality import SETTINGS, Setting, quality, sample_quality, sample_sentences
from attnlib.translation.corpus.recognise import is_grammatical


def test_shares_count_the_grammar_and_the_seen_sentences():
    seen = {"the cat sees the dog ."}
    sentences = ["the cat sees the dog .", "the dog sees the cat .", "dog the sees .", None]
    q = quality(Setting("x"), sentences, seen)
    assert q.n == 4 and q.grammatical == 0.5  # the two grammatical ones; an unfinished one never is
    assert q.novel == 0.75 and q.novel_grammatical == 0.25  # "the dog sees the cat ." is both
    assert q.finished == 0.75 and q.distinct == 4 and q.examples[-1] == "(unfinished)"


def test_sampled_sentences_are_reproducible_and_greedy_writes_one(tiny_causal):
    a = sample_sentences(tiny_causal, Setting("T 1"), 6, seed=3)
    assert a == sample_sentences(tiny_causal, Setting("T 1"), 6, seed=3)
    assert len(set(sample_sentences(tiny_causal, Setting("greedy", 0.0), 5))) == 1


def test_sample_quality_grades_what_was_sampled(tiny_causal):
    rows = sample_quality(tiny_causal, SETTINGS[:2], n=5, seen=set())
    assert [r.setting for r in rows] == list(SETTINGS[:2]) and all(r.novel == 1.0 for r in rows)
    for r in rows:
        done = [s for s in sample_sentences(tiny_causal, r.setting, 5) if s is not None]
        assert r.grammatical == sum(map(is_grammatical, done)) / 5


def test_bad_settings_and_models_are_refused(tiny_checkpoints):
    with pytest.raises(ValueError, match="temperature"):
        Setting("hot", -1.0)
    from attnlib.lm.trained import TrainedLM
    masked = TrainedLM.load(tiny_checkpoints["masked"], kind="masked", device="cpu")
    with pytest.raises(ValueError, match="causal"):
        sample_sentences(masked, SETTINGS[0], 3)
