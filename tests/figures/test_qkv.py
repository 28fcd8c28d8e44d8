"""Chapter 2's scorers compared like with like: the trained additive scorer, and the figures' scales."""


import pytest
import torch

from attnlib.lessons import toy
from attnlib.figures import qkv
from attnlib.lessons.scoring import AdditiveScore, fit_additive, scaled_dot_scores, score


def _rows(sentences=qkv.EXAMPLE_SENTENCES):
    """(scaled-dot weights, trained additive weights, untrained additive weights) of every query word
    whose scaled-dot row is not flat (function words look nowhere in particular: no top key)."""
    for sentence in sentences:
        words = toy.words_of(sentence)
        q, k, _ = toy.queries_keys_values(toy.embed(words))
        ref = scaled_dot_scores(q, k).softmax(-1)  # (T, T)
        _, trained = qkv.attention_weights(sentence, "additive")
        untrained = score(q, k, "additive").softmax(-1)
        for i in range(len(words)):
            if ref[i].max() - ref[i].min() > 1e-3:
                yield ref[i], trained[i], untrained[i]


def test_trained_additive_scorer_attends_like_scaled_dot_and_the_untrained_one_does_not():
    rows = list(_rows())
    assert len(rows) >= 15

    def agrees(ref, w):  # its top key is (one of) scaled dot's top keys
        return ref[int(w.argmax())] >= ref.max() - 1e-3

    trained = sum(agrees(ref, w) for ref, w, _ in rows) / len(rows)
    untrained = sum(agrees(ref, u) for ref, _, u in rows) / len(rows)
    assert trained == 1.0 and untrained < 0.4
    worst_trained = max(float((w - ref).abs().max()) for ref, w, _ in rows)  # the weights themselves, too
    typical_untrained = sum(float((u - ref).abs().max()) for ref, _, u in rows) / len(rows)
    assert worst_trained < 0.05 and typical_untrained > 3 * worst_trained


def test_fit_additive_is_seeded_and_checks_its_target():
    q, k, _ = toy.queries_keys_values(toy.embed(list(toy.VOCABULARY)))
    q, k = torch.unique(q, dim=0), torch.unique(k, dim=0)
    a = fit_additive(q, k, scaled_dot_scores(q, k))
    b = fit_additive(q, k, scaled_dot_scores(q, k))
    assert isinstance(a, AdditiveScore) and all(torch.equal(x, y) for x, y in zip(a.parameters(), b.parameters()))
    assert not any(p.requires_grad for p in a.parameters())
    with torch.no_grad():  # trains under no_grad as well
        c = fit_additive(q, k, scaled_dot_scores(q, k), steps=2)
    assert isinstance(c, AdditiveScore)
    with pytest.raises(ValueError, match="target must be"):
        fit_additive(q, k, torch.zeros(2, 2))
    assert qkv.trained_additive() is qkv.trained_additive()  # fitted once per process


@pytest.mark.parametrize("sentence", qkv.EXAMPLE_SENTENCES)
@pytest.mark.parametrize("method", ["scaled dot", "additive", "cosine"])
def test_weights_heatmap_colours_run_to_this_maps_largest_weight(sentence, method):
    _, weights = qkv.attention_weights(sentence, method)
    fig = qkv.weights_heatmap(sentence, method)
    heat = fig.data[0]
    assert heat.zmin == 0 and heat.zmax == pytest.approx(float(weights.max()), abs=1e-4)
    if method == "scaled dot" and sentence == toy.EXAMPLE_SENTENCE:  # the chapter's first map
        assert heat.zmax < 0.35  # its largest weight is about a third: on a 0-1 scale it would be pale
    assert "map's max" in heat.colorbar.title.text
    assert ("trained" in fig.layout.title.text) == (method == "additive")


def test_scoring_comparison_shares_one_axis_that_ends_at_the_largest_weight():
    fig = qkv.scoring_comparison("it")
    top = max(max(bar.y) for bar in fig.data)
    ranges = {tuple(fig.layout[f"yaxis{n if n > 1 else ''}"].range) for n in range(1, 5)}
    assert len(ranges) == 1  # one axis for all four scorers
    (low, high), = ranges
    assert low == 0 and top <= high <= 1.1 * top < 0.8
    assert "additive (trained)" in [a.text for a in fig.layout.annotations]


def test_projections_figure_shows_the_hand_set_matrices_as_they_are():
    fig = qkv.projections_figure()
    assert len(fig.data) == 2
    for trace, matrix in zip(fig.data, (toy.W_Q, toy.W_K)):
        assert torch.tensor(trace.z).shape == (len(toy.FEATURES), 4)
        torch.testing.assert_close(torch.tensor(trace.z, dtype=torch.float), matrix)
        assert trace.zmin == -trace.zmax  # one colour scale, white at zero, for both signs
    assert list(fig.layout.yaxis.ticktext) == list(toy.FEATURES)
    assert fig.layout.xaxis.ticktext[0] == "wants<br>a thing" and fig.layout.xaxis2.ticktext[0] == "is<br>a thing"
