"""The pronoun figures draw the weights they are given, and say what is wrong with a bad choice."""

import pytest

from attnlib.figures import pronouns
from attnlib.model.capture import attention_layer


def test_the_lines_from_it_are_as_wide_as_the_weights():
    fig = pronouns.pronoun_lines_figure("… because it is wide", "encoder", "layer 2 · head 1")
    att = pronouns._attention(pronouns.SENTENCES["… because it is wide"])
    weights = att.encoder[attention_layer("encoder", 1, "self")][0].tolist()
    lines = [t for t in fig.data if t.mode == "lines"]
    assert len(lines) == len(att.source) == len(weights)
    assert [round(t.line.width, 6) for t in lines] == [round(1 + 14 * w, 6) for w in weights]
    assert all(t.y[0] == -att.pronoun for t in lines)  # every line starts at "it"
    assert "elle" in fig.layout.title.text  # the French says which noun
    cross = pronouns.pronoun_lines_figure("… because it is wide", "cross", "layer 1 · head 3")
    weights = att.cross[attention_layer("decoder", 0, "cross")][2].tolist()
    lines = [t for t in cross.data if t.mode == "lines"]
    assert [round(t.line.width, 6) for t in lines] == [round(1 + 14 * w, 6) for w in weights]
    assert att.target[att.french_pronoun] == "elle" and "writing “elle”" in cross.layout.title.text


def test_bad_sentence_or_head_is_explained():
    with pytest.raises(ValueError, match="unknown sentence"):
        pronouns.pronoun_lines_figure("nope", "encoder", "layer 1 · head 1")
    with pytest.raises(ValueError, match="unknown attention"):
        pronouns.pronoun_lines_figure("… because it is tired", "sideways", "layer 1 · head 1")
    with pytest.raises(ValueError, match="has no"):
        pronouns.pronoun_lines_figure("… because it is tired", "encoder", "layer 3 · head 1")
    with pytest.raises(ValueError, match="write it as"):
        pronouns.pronoun_lines_figure("… because it is tired", "cross", "second head")


def test_share_and_probe_figures_show_every_value_and_the_baselines():
    shares = {"encoder.layers.0.self_attn#0": 0.4, "decoder.layers.1.self_attn#1": 0.6,
              "decoder.layers.0.cross_attn#2": 0.5}
    fig = pronouns.head_shares_figure(shares, {"first_noun": 0.52, "nearest_noun": 0.48})
    bars = [t for t in fig.data if t.type == "bar"]
    assert sorted(x for t in bars for x in t.x) == [0.4, 0.5, 0.6]
    assert {s.x0 for s in fig.layout.shapes} == {0.52, 0.48}
    fig = pronouns.probe_figure({"encoder layer 1": 0.7, "decoder layer 1": 1.0})
    assert list(fig.data[0].y) == [0.7, 1.0] and fig.layout.shapes[0].y0 == 0.5
    fig = pronouns.probe_figure({"encoder layer 1": 0.7, "decoder layer 1": 1.0, "decoder layer 1, a step before": 0.6})
    bars = [t for t in fig.data if t.type == "bar"]
    assert [(list(b.x), list(b.y)) for b in bars] == [(["encoder layer 1", "decoder layer 1"], [0.7, 1.0]),
                                                      (["decoder layer 1"], [0.6])]
    assert [b.text for b in bars] == [("70%", "100%"), ("60%",)] and fig.layout.barmode == "group"
    with pytest.raises(ValueError):
        pronouns.probe_figure({})
