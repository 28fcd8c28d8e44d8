"""The AER figure draws the record it is given: each reading's layers with their spread over seeds, and
the aligners without attention as horizontal lines."""

import pytest

from attnlib.figures import alignment_error
from attnlib.paths import EXPERIMENTS_DIR
from attnlib.translation.experiments import load
from attnlib.translation.experiments.record import spread


def fake_results() -> dict:
    """Two layers, three seeds; the naive reading near the bottom, the shifted one near the top."""
    def layers(per_layer):
        return [spread(values) for values in per_layer]

    return {"layers": 2, "heads": 4, "floor": 0.04, "runs": [{}, {}, {}],
            "naive": {"mean": layers([[0.09, 0.10, 0.11], [0.07, 0.07, 0.08]]),
                      "best_head": layers([[0.06, 0.08, 0.07], [0.05, 0.06, 0.06]])},
            "shifted": {"mean": layers([[0.80, 0.85, 0.83], [0.81, 0.82, 0.86]]),
                        "best_head": layers([[0.60, 0.70, 0.75], [0.78, 0.79, 0.80]])},
            "baselines": {"ibm1": {"label": "IBM Model 1", "aer": 0.13}, "ibm2": {"label": "IBM Model 2", "aer": 0.05},
                          "diagonal": {"label": "diagonal", "aer": 0.21}}}


def test_each_reading_and_measure_is_drawn_at_its_mean_with_whiskers_to_the_extreme_seeds():
    results = fake_results()
    fig = alignment_error.aer_by_layer(results)
    traces = {t.name: t for t in fig.data}
    naive_best = traces["naive: best head"]
    # the record keeps means to 0.1 point (spread rounds a fraction to 3 decimals)
    assert list(naive_best.y) == pytest.approx([7.0, 100 * (0.05 + 0.06 + 0.06) / 3], abs=0.05)
    assert list(naive_best.error_y.array) == pytest.approx([1.0, 0.33], abs=0.05)  # max - mean
    assert list(naive_best.error_y.arrayminus) == pytest.approx([1.0, 0.67], abs=0.05)  # mean - min
    shifted = traces["shifted: mean of heads"]
    assert list(shifted.y) == pytest.approx([82.67, 83.0], abs=0.05)
    assert shifted.line.color != naive_best.line.color and shifted.line.color == traces["shifted: best head"].line.color
    # the mean of heads and the best head of a layer stand apart, on either side of the layer's tick
    assert traces["naive: mean of heads"].x[0] < 1 < naive_best.x[0] < 2
    assert list(fig.layout.xaxis.ticktext) == ["layer 1", "layer 2"]


def test_the_aligners_without_attention_are_horizontal_lines_named_in_the_legend():
    fig = alignment_error.aer_by_layer(fake_results())
    assert sorted(round(s.y0, 2) for s in fig.layout.shapes) == [4.0, 5.0, 13.0, 21.0]
    names = [t.name for t in fig.data if t.mode == "lines"]
    assert names == ["IBM Model 1 (13.0%)", "IBM Model 2 (5.0%)", "diagonal (21.0%)",
                     f"{alignment_error.FLOOR_LABEL} (4.0%)"]
    # on the log axis the lowest and the highest value are inside the plot
    lo, hi = fig.layout.yaxis.range
    assert fig.layout.yaxis.type == "log" and 10 ** lo < 4.0 and 10 ** hi > 86.0
    assert "3 seeds" in fig.layout.title.text


@pytest.mark.skipif(not (EXPERIMENTS_DIR / "alignment.json").is_file(), reason="no shipped alignment result")
def test_the_shipped_record_is_drawn_with_every_layer():
    results = load("alignment")["results"]
    fig = alignment_error.aer_by_layer()
    assert all(len(t.y) == results["layers"] for t in fig.data if t.mode == "lines+markers")
    assert len(fig.layout.shapes) == 4
