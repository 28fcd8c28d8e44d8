"""The GPT chapter's computations and figures: what they show is what the library's sampling does."""

import plotly.graph_objects as go
import pytest
import torch

from attnlib.lessons.generation import cache_agrees, generation_trace, next_word_distribution
from attnlib.lm.generate import generate
from attnlib.figures import generation as gf


def test_the_filtered_distribution_sums_to_one_and_keeps_k_tokens(tiny_causal):
    words, before, after = next_word_distribution(tiny_causal, "the black", temperature=0.7, top_k=4)
    assert len(words) == len(before) == len(after) == len(tiny_causal.vocab)
    assert abs(float(before.sum()) - 1) < 1e-9 and abs(float(after.sum()) - 1) < 1e-9
    assert int((after > 0).sum()) == 4 and float(before[tiny_causal.vocab.pad_id]) == 0


def test_a_trace_writes_what_generate_writes(tiny_causal):
    tr = generation_trace(tiny_causal, "the black", temperature=1.0, seed=5, max_new_tokens=8)
    out = generate(tiny_causal.model, tiny_causal.prompt_ids("the black"), 8, temperature=1.0, seed=5,
                   eos_id=tiny_causal.vocab.eos_id)
    assert [tiny_causal.vocab.stoi[s.chosen] for s in tr.steps] == out.ids
    assert [s.uniform for s in tr.steps] == out.uniforms
    for s in tr.steps:  # likeliest first, and the chosen token's probability is the one it was drawn with
        probs = [p for _, p in s.candidates]
        assert probs == sorted(probs, reverse=True) and 0 < s.chosen_probability <= 1
    L, H, T, T2 = tr.weights.shape
    assert T == T2 == len(tr.tokens) == 3 + len(tr.steps) and tr.tokens[0] == "<bos>"
    assert torch.allclose(tr.weights.sum(-1), torch.ones(L, H, T), atol=1e-5)
    assert float(torch.triu(tr.weights, diagonal=1).abs().max()) == 0  # the causal mask: no look ahead


def test_the_cache_gives_the_scores_of_a_full_pass(tiny_causal):
    assert cache_agrees(tiny_causal, "the black cat sees the dog .") < 1e-4


def test_bad_prompts_get_the_models_messages(tiny_causal):
    with pytest.raises(ValueError, match="empty"):
        generation_trace(tiny_causal, "")
    with pytest.raises(ValueError, match="unknown word"):
        next_word_distribution(tiny_causal, "the astronaut")


# -- the figures, on the shipped model -------------------------------------------------------------

def test_filters_figure_shows_the_model_and_what_is_sampled_from():
    fig = gf.filters_figure("the black", temperature=0.0)
    model, sampled = fig.data
    assert len(model.y) == gf.SHOWN and list(model.y) == list(sampled.y)
    assert sum(x > 0 for x in sampled.x) == 1 and max(sampled.x) == 1.0  # T = 0: all on the likeliest word
    assert list(model.x) == sorted(model.x, reverse=True) and "1 of 585 words" in fig.layout.title.text


def test_step_figure_marks_the_drawn_token():
    tr = gf.trace(gf.PROMPTS[0], 1.0, gf.SEEDS[0])
    fig = gf.step_figure(gf.PROMPTS[0], gf.SEEDS[0], 1)
    bar = fig.data[0]
    red = [w for w, c in zip(bar.y, bar.marker.color) if c == gf.DRAWN]
    assert red == [tr.steps[0].chosen]
    past_end = gf.step_figure(gf.PROMPTS[0], gf.SEEDS[0], len(tr.steps) + 3)
    assert "ended at step" in past_end.layout.title.text
    with pytest.raises(ValueError, match="count from 1"):
        gf.step_figure(gf.PROMPTS[0], gf.SEEDS[0], 0)


def test_attention_figure_leaves_the_masked_half_blank():
    fig = gf.attention_figure(gf.PROMPTS[0], gf.SEEDS[0], gf.view_options()[-1])
    z = fig.data[0].z
    assert all(z[i][j] is None for i in range(len(z)) for j in range(i + 1, len(z)))
    assert all(abs(sum(row[: i + 1]) - 1) < 1e-3 for i, row in enumerate(z))
    assert "<eos>" not in fig.data[0].hovertext[-1][-1]
    with pytest.raises(ValueError, match="unknown view"):
        gf.attention_figure(gf.PROMPTS[0], gf.SEEDS[0], "layer 9")


def test_quality_figure_has_one_row_per_setting(tiny_causal):
    from attnlib.lm.quality import SETTINGS, sample_quality
    rows = sample_quality(tiny_causal, SETTINGS[:3], n=3, seen=set())
    fig = gf.quality_figure(rows)
    assert isinstance(fig, go.Figure) and [list(t.y) for t in fig.data] == [[r.setting.label for r in rows]] * 3
    with pytest.raises(ValueError):
        gf.quality_figure([])
