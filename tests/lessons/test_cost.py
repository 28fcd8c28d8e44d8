"""The cost of attention: sizes, the online softmax, tiled attention, the measurement and its figures."""

import pytest
import torch

from attnlib import measure
from attnlib.lessons import cost
from attnlib import scaled_dot_product_attention
from attnlib.book.demo import Demo, Param
from attnlib.figures import cost as views


# -- sizes ---------------------------------------------------------------------------------------

def test_weights_and_cache_sizes():
    assert cost.weights_bytes(2, 8, 512) == 2 * 8 * 512 * 512 * 4
    assert cost.weights_bytes(1, 1, 3, key_length=5, bytes_per_element=2) == 30
    assert cost.weights_bytes(1, 16, 32768) == 64 * 2**30
    assert cost.kv_cache_bytes(layers=2, length=64, d_model=128) == 2 * 2 * 64 * 128 * 4
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="positive whole number"):
            cost.weights_bytes(1, 1, bad)
    with pytest.raises(ValueError, match="layers"):
        cost.kv_cache_bytes(layers=0, length=4, d_model=8)


# -- the online softmax and tiled attention ------------------------------------------------------

@pytest.mark.parametrize("block", [1, 3, 7, 64, 1000])
def test_online_softmax_equals_softmax_even_for_huge_scores(block):
    gen = torch.Generator().manual_seed(0)
    scores = torch.cat([torch.randn(2, 40, generator=gen) * 5, torch.tensor([[1000.0] * 20 + [990.0] * 20])])
    torch.testing.assert_close(cost.online_softmax(scores, block), torch.softmax(scores, dim=-1))
    m, l = cost.online_softmax_stats(cost.split_blocks(scores, block))
    torch.testing.assert_close(m, scores.amax(-1))
    torch.testing.assert_close(l, torch.exp(scores - scores.amax(-1, keepdim=True)).sum(-1))


def test_online_softmax_rejects_nothing():
    with pytest.raises(ValueError, match="no blocks"):
        cost.online_softmax_stats([])
    with pytest.raises(ValueError, match="at least one score"):
        cost.split_blocks(torch.zeros(0), 2)
    with pytest.raises(ValueError, match="block"):
        cost.online_softmax(torch.zeros(3), 0)


def test_online_softmax_steps_rescale_when_the_maximum_grows_and_end_at_the_softmax():
    steps = cost.online_softmax_steps(views.EXAMPLE_SCORES, views.EXAMPLE_BLOCK)
    assert [s["seen"] for s in steps] == [4, 8, 12]
    assert [s["rescale"] < 1 for s in steps] == [False, True, True]
    assert steps[-1]["max"] == max(views.EXAMPLE_SCORES)
    true = torch.softmax(torch.tensor(views.EXAMPLE_SCORES, dtype=torch.float64), 0)
    torch.testing.assert_close(torch.tensor(steps[-1]["estimate"], dtype=torch.float64), true)
    assert steps[0]["estimate"][4:] == [0.0] * 8  # nothing is known yet about unread keys
    assert not torch.allclose(torch.tensor(steps[0]["estimate"], dtype=torch.float64), true)
    with pytest.raises(ValueError, match="one-dimensional"):
        cost.online_softmax_steps([[1.0, 2.0]], 1)


@pytest.mark.parametrize("tq, tk, block", [(5, 5, 2), (3, 17, 4), (8, 6, 100), (1, 9, 1)])
def test_tiled_attention_equals_the_explicit_path(tq, tk, block):
    gen = torch.Generator().manual_seed(tq * 100 + tk)
    q, k, v = torch.randn(2, 3, tq, 8, generator=gen), torch.randn(2, 3, tk, 8, generator=gen), torch.randn(2, 3, tk, 5, generator=gen)
    out, _ = scaled_dot_product_attention(q, k, v, need_weights=True)
    torch.testing.assert_close(cost.tiled_attention(q, k, v, block=block), out)
    out1, _ = scaled_dot_product_attention(q, k, v, scale=1.0)
    torch.testing.assert_close(cost.tiled_attention(q * 10, k, v, block=block, scale=0.1), out1, atol=1e-5, rtol=1e-4)


def test_tiled_attention_checks_its_input():
    q = torch.randn(1, 4, 8)
    with pytest.raises(ValueError, match="same feature size"):
        cost.tiled_attention(q, torch.randn(1, 4, 6), torch.randn(1, 4, 8))
    with pytest.raises(ValueError, match="block"):
        cost.tiled_attention(q, q, q, block=0)


# -- the measurement -----------------------------------------------------------------------------

def test_growth_slopes_read_the_exponent():
    rows = [{"T": t, "explicit_s": 1e-9 * t**2, "fast_s": 1e-9 * t**2, "explicit_peak_mb": 1e-6 * t**2,
             "fast_peak_mb": 1e-3 * t} for t in (64, 128, 256, 512)]
    slopes = cost.growth_slopes(rows)
    assert slopes["explicit_memory"] == pytest.approx(2) and slopes["fast_memory"] == pytest.approx(1)
    rows[-1]["fast_peak_mb"] = None  # not measurable: no slope rather than a wrong one
    assert cost.growth_slopes(rows)["fast_memory"] is None
    with pytest.raises(ValueError, match="two points"):
        cost.growth_slopes(rows, tail=1)


def test_measure_scaling_sees_the_weights_in_memory():
    rows = cost.measure_scaling((128, 256, 512, 1024), batch=1, heads=2, head_dim=16, repeats=2, warmup=1)
    assert [r["T"] for r in rows] == [128, 256, 512, 1024]
    assert all(r["explicit_s"] > 0 and r["fast_s"] > 0 for r in rows)
    assert rows[-1]["weights_mb"] == 2 * 1024 * 1024 * 4 / 2**20
    if measure.memory_method() is not None:
        last = rows[-1]
        assert last["explicit_peak_mb"] >= last["weights_mb"]  # the weights are in memory at some point
        assert last["fast_peak_mb"] < last["weights_mb"] / 2  # the fused kernel never holds them
        assert cost.growth_slopes(rows)["explicit_memory"] > 1.6
    table = cost.scaling_table(rows)
    assert "1024" in table and "weights MiB" in table


def test_measure_scaling_rejects_bad_lengths():
    for lengths in ([64], [0, 64], [64, 100_000]):
        with pytest.raises(ValueError, match="lengths"):
            cost.measure_scaling(lengths)


# -- figures -------------------------------------------------------------------------------------

def _rows(memory=True):
    return [{"T": t, "B": 1, "H": 4, "explicit_s": 1e-8 * t**2, "fast_s": 5e-9 * t**2,
             "explicit_peak_mb": 2e-6 * t**2 if memory else None, "fast_peak_mb": 1e-3 * t if memory else None,
             "weights_mb": 1e-6 * t**2} for t in (128, 256, 512, 1024)]


def test_scaling_figure_shows_both_paths_and_their_slopes():
    fig = views.scaling_figure(_rows(), "some cpu")
    names = {t.name for t in fig.data}
    assert {"explicit (need_weights=True)", "fast (fused SDPA)"} <= names
    texts = [a.text for a in fig.layout.annotations]
    assert "slope: explicit 2.00, fast 2.00" in texts and "slope: explicit 2.00, fast 1.00" in texts
    assert fig.layout.xaxis.type == "log" and "some cpu" in fig.layout.title.text
    no_memory = views.scaling_figure(_rows(memory=False), "cpu")
    assert "memory could not be measured here" in [a.text for a in no_memory.layout.annotations]
    with pytest.raises(ValueError, match="two lengths"):
        views.scaling_figure(_rows()[:1], "cpu")


def test_online_softmax_figure_greys_unread_keys_and_ends_on_the_true_weights():
    first = views.online_softmax_figure(1)
    assert list(first.data[0].marker.color).count(views.UNSEEN_COLOUR) == 8
    last = views.online_softmax_figure(3)
    assert views.UNSEEN_COLOUR not in list(last.data[0].marker.color)
    bars, dots = last.data[2], last.data[3]
    assert list(bars.y) == pytest.approx(list(dots.y), abs=1e-4)
    assert "× 0.607" in last.layout.title.text  # exp(2.6 - 3.1): the sum shrinks to the new maximum
    for bad in (0, 4, 1.5):
        with pytest.raises(ValueError, match="blocks_seen"):
            views.online_softmax_figure(bad)
    fig, states = Demo(views.online_softmax_figure, Param("blocks_seen", [1, 2, 3])).static()
    assert states["params"][0]["values"] == ["1", "2", "3"] and len(set(states["descriptions"])) == 3
