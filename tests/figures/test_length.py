"""The length figure: one line per encoding in each decoding's panel, the mean over seeds with bars from the lowest
seed to the highest, and a dashed line after the longest length trained on."""

import pytest

from attnlib.book import describe
from attnlib.figures import length as figures
from attnlib.translation.experiments import length as exp
from attnlib.translation.experiments import record

BUCKETS = ["1–7", "8", "12–14"]


def fake_record() -> dict:
    """A record of the experiment's shape with made-up scores that differ by encoding, bucket and mode."""
    results = {}
    for k, name in enumerate(exp.ENCODINGS):
        runs = [{"seed": s} for s in range(3)]
        results[name] = {"runs": runs, **{
            mode: {b: {"bleu": record.spread([85 - 20 * i - 5 * k + 5 * m + s for s in range(3)]),
                       "exact_match": record.spread([0.85 - 0.2 * i - 0.05 * k + 0.05 * m + 0.01 * s for s in range(3)]),
                       "length_ratio": record.spread([1.0, 1.0, 1.0])}
                   for i, b in enumerate(BUCKETS)}
            for m, mode in enumerate(exp.MODES)}}
    exp.check(results)
    settings = {"seeds": [0, 1, 2], "train_length": 7}
    return record.make_record("length", settings, results, hardware="test", cpu_seconds=1.0, wall_seconds=1.0)


def test_each_panel_has_one_line_per_encoding_at_the_mean_with_bars_to_the_extremes():
    rec = fake_record()
    fig = figures.length_figure("BLEU", rec)
    lines = [t for t in fig.data if t.legendgroup in exp.ENCODINGS]
    assert len(lines) == len(exp.MODES) * len(exp.ENCODINGS)  # one panel per decoding
    assert [t.name for t in lines if t.showlegend] == ["sinusoidal", "learned", "rotary", "ALiBi", "none in the decoder"]
    for trace in lines:
        mode = list(exp.MODES)[int((trace.yaxis or "y")[1:] or 1) - 1]  # panel 1 is y, panel 2 y2, ...
        spreads = [rec["results"][trace.legendgroup][mode][b]["bleu"] for b in BUCKETS]
        assert list(trace.y) == pytest.approx([s["mean"] for s in spreads])
        assert [m + up for m, up in zip(trace.y, trace.error_y.array)] == pytest.approx([s["max"] for s in spreads])
        assert [m - down for m, down in zip(trace.y, trace.error_y.arrayminus)] == pytest.approx([s["min"] for s in spreads])
        assert [round(x) for x in trace.x] == [0, 1, 2]  # each bucket at its own tick, the encodings side by side
    colours = {t.line.color for t in lines}
    assert len(colours) == len(exp.ENCODINGS)


def test_the_training_limit_is_a_dashed_line_between_the_trained_lengths_and_the_longer_ones():
    fig = figures.length_figure("BLEU", fake_record())
    assert list(fig.layout.xaxis.ticktext) == BUCKETS
    limits = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    assert len(limits) == len(exp.MODES) and all(s.x0 == s.x1 == 0.5 for s in limits)
    assert any(t.name == "longest trained: 7 words" for t in fig.data)


def test_exact_match_is_drawn_in_percent_and_described_in_words():
    rec = fake_record()
    fig = figures.length_figure("exact match", rec)
    first = next(t for t in fig.data if t.legendgroup == "sinusoidal")
    assert first.y[0] == pytest.approx(100 * rec["results"]["sinusoidal"]["greedy"]["1–7"]["exact_match"]["mean"])
    said = describe.describe(fig)
    assert all(name in said for name in figures.NAMES.values()) and "12–14" in said


def test_an_unknown_score_is_refused():
    with pytest.raises(ValueError, match="unknown score 'chrF'"):
        figures.length_figure("chrF", fake_record())


def test_the_shipped_record_draws():
    fig = figures.length_figure()
    assert len([t for t in fig.data if t.legendgroup in exp.ENCODINGS]) == len(exp.MODES) * len(exp.ENCODINGS)
