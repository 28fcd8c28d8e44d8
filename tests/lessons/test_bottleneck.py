"""The fixed-vector bottleneck: a fixed-size summary loses the first word as sentences grow."""

import pytest
import torch

from attnlib.lessons.bottleneck import (first_word_readout, random_rotation, read_first, recall_first_word,
                                summarise)
from attnlib.book.demo import Demo, Param
from attnlib.figures import bottleneck

SHORT = (2, 8, 32)


@pytest.mark.parametrize("decay", [1.0, 0.7])
def test_batched_readout_equals_the_step_by_step_recurrence(decay):
    gen = torch.Generator().manual_seed(0)
    rotation = random_rotation(8, gen)
    torch.testing.assert_close(rotation @ rotation.T, torch.eye(8), atol=1e-5, rtol=0)
    x = torch.randn(5, 7, 8, generator=gen)  # (N, T, D)
    torch.testing.assert_close(first_word_readout(x, rotation, decay), read_first(summarise(x, rotation, decay), rotation, 7),
                               atol=1e-4, rtol=1e-4)


def test_one_word_is_read_back_exactly():
    gen = torch.Generator().manual_seed(1)
    rotation = random_rotation(4, gen)
    x = torch.randn(3, 1, 4, generator=gen)
    torch.testing.assert_close(read_first(summarise(x, rotation), rotation, 1), x[:, 0])


def test_summary_forgets_as_sentences_grow_but_attention_does_not():
    res = recall_first_word(SHORT, width=32, vocab=256, trials=96)
    s = res["summary"]
    assert s[0] > 0.9 and s[-1] < 0.15 and s == sorted(s, reverse=True)
    assert min(res["attention"]) == 1.0
    assert res["chance"] == 1 / 256


def test_wider_summaries_hold_out_longer_and_forgetting_hurts():
    narrow = recall_first_word(SHORT, width=16, vocab=256, trials=96)["summary"]
    wide = recall_first_word(SHORT, width=64, vocab=256, trials=96)["summary"]
    fading = recall_first_word(SHORT, width=64, decay=0.8, vocab=256, trials=96)["summary"]
    assert sum(wide) > sum(narrow) + 0.3
    assert sum(fading) < sum(wide) - 0.3


@pytest.mark.parametrize("kwargs, match", [
    (dict(lengths=[]), "positive integers"),
    (dict(lengths=[0, 4]), "positive integers"),
    (dict(width=0), "width"),
    (dict(decay=0.0), "memory factor"),
    (dict(decay=1.5), "memory factor"),
    (dict(vocab=1), "vocabulary"),
])
def test_bad_arguments_are_explained(kwargs, match):
    with pytest.raises(ValueError, match=match):
        recall_first_word(**kwargs)


def test_demo_figure_and_its_static_twin():
    fig = bottleneck.recall_figure(32, 1.0)
    names = [t.name for t in fig.data]
    assert names == ["attention over every word", "one summary of 32 numbers", "guessing"]
    assert fig.data[0].y[-1] == 1.0 and fig.data[1].y[-1] < 0.1 and fig.layout.xaxis.type == "log"
    demo = Demo(bottleneck.recall_figure, Param("width", bottleneck.WIDTHS, default=32),
                Param("decay", bottleneck.DECAYS, default=1.0))
    assert len(demo.grid()) <= 60
    assert "must be in (0, 1]" in demo.figure(decay=2.0).layout.annotations[0].text  # calm on bad input
