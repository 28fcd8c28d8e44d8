"""The positional-encodings chapter: its demos show what the text says."""

import math

import pytest
import torch

from attnlib import relative_shift, sinusoidal_table
from attnlib.book.demo import Demo, Param
from attnlib.figures import positions


# -- order blindness -------------------------------------------------------------------------

def test_word_vectors_depend_on_the_word_only():
    v = positions.word_vectors(["dog", "the", "dog"], d_model=8)
    assert v.shape == (3, 8)
    assert torch.equal(v[0], v[2]) and not torch.equal(v[0], v[1])


@pytest.mark.parametrize("pair", list(positions.SENTENCE_PAIRS))
def test_without_positions_a_reordering_only_reorders_the_outputs(pair):
    first, second = positions.SENTENCE_PAIRS[pair]
    _, _, d_none = positions.output_distances(first, second, "none")
    _, _, d_sin = positions.output_distances(first, second, "sinusoidal")
    assert (d_none.min(dim=1).values < 1e-5).all()  # every output has an identical twin
    assert (d_sin.min(dim=1).values > 1e-2).all()  # with positions, none has


def test_order_figure_title_counts_the_twins():
    fig = positions.order_figure(next(iter(positions.SENTENCE_PAIRS)), "none")
    assert "5 of 5 outputs have an identical twin" in fig.layout.title.text
    fig = positions.order_figure(next(iter(positions.SENTENCE_PAIRS)), "sinusoidal")
    assert "0 of 5" in fig.layout.title.text
    assert fig.data[0].z is not None and len(fig.data[0].z) == 5


@pytest.mark.parametrize("call, match", [
    (lambda: positions.sentence_words("dog"), "at least two words"),
    (lambda: positions.sentence_words(" ".join(["a"] * 30)), "shorter sentence"),
    (lambda: positions.output_distances("the dog", "the cat"), "same words"),
    (lambda: positions.self_attention_outputs("the dog", "learned"), "positions must be one of"),
    (lambda: positions.order_figure("no such pair"), "unknown sentence pair"),
])
def test_bad_order_input_gets_a_clear_message(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -- the table and its geometry --------------------------------------------------------------

def test_sinusoid_figure_marks_the_chosen_position_and_pair():
    fig = positions.sinusoid_figure(position=5, pair=2)
    marker = fig.data[2]
    omega = 10000 ** (-4 / 16)
    assert list(marker.x) == [5, 5]
    assert marker.y[0] == pytest.approx(math.sin(5 * omega), abs=1e-3)
    assert marker.y[1] == pytest.approx(math.cos(5 * omega), abs=1e-3)
    colors = fig.data[3].marker.color
    assert [j for j, c in enumerate(colors) if c == "#d62728"] == [4, 5]  # pair 2 = features 4, 5


@pytest.mark.parametrize("kwargs, match", [
    (dict(position=50), "outside the table"),
    (dict(position=-1), "outside the table"),
    (dict(pair=8), "pairs 0 to 7"),
    (dict(d_model=15), "even width"),
])
def test_sinusoid_figure_rejects_extreme_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        positions.sinusoid_figure(**kwargs)


def test_sinusoid_demo_static_twin_stays_small():
    demo = Demo(positions.sinusoid_figure, Param("position", list(positions.SLIDER_POSITIONS), default=5),
                Param("pair", list(range(8))))
    assert len(demo.grid()) <= 60
    fig, states = demo.static()
    assert len(states["spans"]) == len(demo.grid()) and len(fig.data) == 4 * len(demo.grid())


def test_wavelengths_grow_geometrically_from_two_pi():
    fig = positions.wavelength_figure(d_model=16)
    w = list(fig.data[0].y)
    assert w[0] == pytest.approx(2 * math.pi, abs=1e-3)
    ratios = [b / a for a, b in zip(w, w[1:])]
    assert all(r == pytest.approx(10000 ** (2 / 16), rel=1e-3) for r in ratios)


def test_similarity_depends_only_on_the_offset():
    sim = positions.position_similarity(20, 64)
    assert positions.diagonal_spread(sim) < 1e-5
    assert torch.allclose(sim.diagonal(), torch.full((20,), 32.0, dtype=sim.dtype))
    # and it is not a constant matrix: the offset matters
    assert sim[0, 1] > sim[0, 5]


def test_table_and_shift_figures_show_the_library_values():
    fig = positions.table_figure(24, 16)
    assert torch.allclose(torch.tensor(fig.data[0].z), sinusoidal_table(24, 16), atol=1e-4)
    fig = positions.shift_figure(3, 8)
    assert torch.allclose(torch.tensor(fig.data[0].z, dtype=torch.float64), relative_shift(3, 8), atol=1e-4)
    with pytest.raises(ValueError, match="even width"):
        positions.table_figure(10, 7)


def test_rotary_scores_depend_on_the_offset_and_added_sinusoids_do_not():
    assert positions.diagonal_spread(positions.position_scores("rotary")) < 1e-4
    assert positions.diagonal_spread(positions.position_scores("added")) > 1.0
    assert len(positions.rotary_figure().data) == 2
    with pytest.raises(ValueError, match="'added' or 'rotary'"):
        positions.position_scores("learned")
