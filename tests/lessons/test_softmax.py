"""Softmax, temperature and the √d_k scaling: the measurements say what the chapter claims."""

import math

import pytest
import torch

from attnlib.book.demo import Demo, Param
from attnlib.figures import softmax as softmax_figures
from attnlib.lessons.softmax import (dot_product_variance, entropy, naive_softmax, query_and_keys, saturation,
                             stable_softmax)


def test_stable_softmax_equals_torch_and_survives_huge_scores():
    x = torch.randn(4, 7)
    torch.testing.assert_close(stable_softmax(x), torch.softmax(x, dim=-1))
    torch.testing.assert_close(stable_softmax(x, dim=0), torch.softmax(x, dim=0))
    torch.testing.assert_close(stable_softmax(x + 123.0), stable_softmax(x))  # only differences matter
    big = torch.tensor([[1000.0, 999.0, 990.0], [-1000.0, -1001.0, -1003.0]])
    assert torch.isfinite(stable_softmax(big)).all()
    torch.testing.assert_close(stable_softmax(big), torch.softmax(big, dim=-1))
    assert torch.isnan(naive_softmax(big)).all() and torch.isfinite(naive_softmax(x)).all()


def test_entropy_is_zero_for_one_hot_and_ln_n_for_uniform():
    assert entropy(torch.tensor([0.0, 1.0, 0.0])).item() == 0.0
    assert entropy(torch.full((10,), 0.1)).item() == pytest.approx(math.log(10), rel=1e-5)
    # temperature: lower is sharper
    s = torch.tensor([2.0, 1.0, 0.5, 0.0, -1.0])
    h = [entropy(torch.softmax(s / t, -1)).item() for t in (0.25, 1.0, 4.0)]
    assert h == sorted(h) and h[0] < 0.2 and h[-1] > 1.5


def test_variance_of_dot_products_grows_linearly_with_d_k():
    d_ks = (4, 16, 64, 256, 1024)
    var = dot_product_variance(d_ks, samples=4000)
    for v, d in zip(var, d_ks):
        assert v / d == pytest.approx(1.0, abs=0.12)
    # a straight line through the origin on a log-log plot: slope 1
    slope = (math.log(var[-1]) - math.log(var[0])) / (math.log(d_ks[-1]) - math.log(d_ks[0]))
    assert slope == pytest.approx(1.0, abs=0.05)


def test_without_scaling_softmax_saturates_and_its_gradient_vanishes():
    res = saturation((4, 64, 1024), trials=400)
    h, g = res["entropy"], res["grad"]
    # unscaled: entropy and gradient fall as d_k grows
    assert h["unscaled"] == sorted(h["unscaled"], reverse=True) and h["unscaled"][-1] < 0.15
    assert g["unscaled"] == sorted(g["unscaled"], reverse=True) and g["unscaled"][-1] < 0.2 * g["unscaled"][0]
    # scaled: roughly flat, and far from saturated
    assert max(h["scaled"]) - min(h["scaled"]) < 0.15 and min(h["scaled"]) > 1.7
    assert max(g["scaled"]) / min(g["scaled"]) < 1.15
    assert res["max_entropy"] == pytest.approx(math.log(10))


def test_with_d_k_one_scaling_changes_nothing():
    res = saturation((1,), trials=200)
    assert res["entropy"]["scaled"] == res["entropy"]["unscaled"]
    assert res["grad"]["scaled"] == res["grad"]["unscaled"]


def test_measured_gradient_is_the_softmax_jacobian_applied_to_the_upstream_gradient():
    # a one-hot softmax passes no gradient; a uniform one passes g minus its mean, divided by n
    z = torch.tensor([[0.0, 0.0, 0.0, 0.0]], requires_grad=True)
    g = torch.tensor([[1.0, -2.0, 0.5, 0.5]])
    (torch.softmax(z, -1) * g).sum().backward()
    torch.testing.assert_close(z.grad, (g - g.mean()) / 4)
    z = torch.tensor([[60.0, 0.0, 0.0, 0.0]], requires_grad=True)
    (torch.softmax(z, -1) * g).sum().backward()
    assert z.grad.abs().max() < 1e-20


def test_bad_widths_are_explained():
    with pytest.raises(ValueError, match="d_k"):
        dot_product_variance([0, 4])
    with pytest.raises(ValueError, match="at least 2 keys"):
        saturation((4,), n_keys=1)
    with pytest.raises(ValueError, match="d_k must be an integer"):
        query_and_keys(0)


def test_demo_draws_are_nested_so_the_slider_only_changes_the_width():
    q16, k16 = query_and_keys(16)
    q64, k64 = query_and_keys(64)
    torch.testing.assert_close(q64[:16], q16)
    torch.testing.assert_close(k64[:, :16], k16)


def test_weights_figure_shows_what_the_chapter_says():
    top = {dk: {n: a.max().item() for n, a in softmax_figures.one_query_weights(dk, 1.0).items()}
           for dk in softmax_figures.D_KS}
    unscaled = [top[dk]["unscaled"] for dk in softmax_figures.D_KS]
    assert unscaled == sorted(unscaled) and unscaled[0] < 0.5 and unscaled[-1] > 0.99
    assert all(0.25 < top[dk]["scaled"] < 0.32 for dk in softmax_figures.D_KS)
    fig = softmax_figures.weights_figure(64, 1.0)
    assert len(fig.data) == 2 and all(sum(t.y) == pytest.approx(1, abs=1e-3) for t in fig.data)
    titles = [a.text for a in fig.layout.annotations]
    assert any(t.startswith("unscaled") and "entropy" in t for t in titles)


@pytest.mark.parametrize("kwargs, match", [
    (dict(d_k=0), "d_k must be"),
    (dict(d_k=100000), "d_k must be"),
    (dict(temperature=0.0), "positive"),
    (dict(temperature=float("inf")), "positive"),
    (dict(temperature=1e5), "outside the range"),
])
def test_weights_figure_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        softmax_figures.weights_figure(**kwargs)
    demo = Demo(softmax_figures.weights_figure, Param("d_k", softmax_figures.D_KS, default=64),
                Param("temperature", softmax_figures.TEMPERATURES, default=1.0))
    assert demo.figure(**kwargs).layout.annotations[0].text  # a message, not a traceback


def test_weights_demo_static_twin_is_small():
    demo = Demo(softmax_figures.weights_figure, Param("d_k", softmax_figures.D_KS, default=64),
                Param("temperature", softmax_figures.TEMPERATURES, default=1.0))
    assert len(demo.grid()) <= 60
    small = Demo(softmax_figures.weights_figure, Param("d_k", [4, 1024]), Param("temperature", [0.5, 2.0]))
    fig, states = small.static()  # a slice of the grid: the whole one is built when the chapter runs
    assert [p["slider"] for p in states["params"]] == [True, True] and len(fig.data) == 2 * len(small.grid())


def test_scaling_figure_has_three_log_panels():
    fig, res = softmax_figures.scaling_figure((4, 64), trials=100)
    assert fig.layout.xaxis.type == fig.layout.xaxis2.type == fig.layout.xaxis3.type == "log"
    assert set(res) >= {"variance", "entropy", "grad", "d_k"}
    assert [t.name for t in fig.data][:2] == ["measured", "Var = d_k"]
