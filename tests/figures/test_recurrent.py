"""The figures of the recurrent baseline draw the record they are given: means, seed ranges, timings."""

import plotly.graph_objects as go
import pytest

from attnlib.book import display, layout
from attnlib.book.describe import describe
from attnlib.figures import recurrent
from attnlib.translation.experiments.record import spread


def scores(gru: list[float], transformer: list[float]) -> dict:
    return {"gru": spread(gru), "transformer": spread(transformer)}


def model(arch: str, label: str, lengths: dict, distances: dict) -> dict:
    return {"label": label,
            "lengths": {b: {"n": n, "bleu": spread(v[arch]), "exact_match": spread([x / 100 for x in v[arch]])}
                        for b, (n, v) in lengths.items()},
            "distances": {b: {"n": n, "accuracy": spread([x / 100 for x in v[arch]])} for b, (n, v) in distances.items()}}


LENGTHS = {"3–6": (283, {"gru": [90.0, 92.0, 94.0], "transformer": [95.0, 96.0, 97.0]}),
           "10–14": (349, {"gru": [70.0, 80.0, 75.0], "transformer": [93.0, 94.0, 95.0]})}
DISTANCES = {"2": (87, {"gru": [60.0, 70.0, 80.0], "transformer": [50.0, 55.0, 60.0]}),
             "7–9": (47, {"gru": [40.0, 45.0, 50.0], "transformer": [45.0, 50.0, 55.0]})}
TIMING = {"sentences": 128, "batch_size": 64, "cuda": None,
          "train_step": {"1": {"gru_s": 0.14, "transformer_s": 0.31, "ratio": 0.45},
                         "2": {"gru_s": 0.12, "transformer_s": 0.20, "ratio": 0.6}},
          "translate": {"1": {"gru_s": 0.5, "transformer_s": 0.7, "ratio": 0.71},
                        "2": {"gru_s": 0.45, "transformer_s": 0.5, "ratio": 0.9}}}
HISTORY = {"gru": [[(100, 20.0, 0.5), (200, 60.0, 0.55)], [(100, 30.0, 0.45), (200, 70.0, 0.65)]],
           "transformer": [[(100, 40.0, 0.5), (200, 90.0, 0.9)], [(100, 50.0, 0.6), (200, 80.0, 0.7)]]}
RECORD = {"results": {"models": {a: {**model(a, label, LENGTHS, DISTANCES),
                                     "runs": [{"history": [{"step": s, "valid_bleu": b, "valid_pronouns": p}
                                                           for s, b, p in run]} for run in HISTORY[a]]}
                                 for a, label in (("gru", "GRU"), ("transformer", "Transformer"))},
                      "timing": TIMING}}


@pytest.mark.parametrize("score", ["test BLEU", "exact match"])
def test_the_length_figure_draws_each_models_mean_and_seed_range(score):
    fig = recurrent.length_figure(score, RECORD)
    gru, transformer = fig.data
    assert (gru.name, transformer.name) == ("GRU", "Transformer")
    assert list(gru.y) == [92.0, 75.0]  # the means over three seeds, BLEU or exact match in %
    assert list(gru.error_y.array) == [2.0, 5.0] and list(gru.error_y.arrayminus) == [2.0, 5.0]  # to max, to min
    assert gru.x[1].startswith("10–14<br>") and "n = 349" in gru.x[1]
    assert gru.line.color != transformer.line.color and "3 seeds" in fig.layout.title.text
    with pytest.raises(ValueError, match="unknown score 'chrf'"):
        recurrent.length_figure("chrf", RECORD)


def test_the_pronoun_figure_draws_accuracy_by_distance_against_a_coin_toss():
    fig = recurrent.pronoun_figure(RECORD)
    gru = fig.data[0]
    assert list(gru.y) == [70.0, 45.0] and gru.x[0].startswith("2 back")
    assert fig.layout.shapes[0].y0 == 50 and fig.layout.annotations[0].text == "coin toss"


def test_the_time_figure_shows_seconds_and_the_ratio_of_each_setting():
    fig = recurrent.time_figure("one training step", RECORD)
    assert [(b.name, list(b.y)) for b in fig.data] == [("GRU", [0.14, 0.12]), ("Transformer", [0.31, 0.2])]
    assert list(fig.data[0].x) == ["1 thread", "2 threads"] and "64 pairs" in fig.layout.title.text
    assert "0.45 on 1 thread, 0.60 on 2 threads" in fig.layout.title.subtitle.text
    fig = recurrent.time_figure("translating a batch", RECORD)
    assert list(fig.data[1].y) == [0.7, 0.5] and "128 sentences" in fig.layout.title.text
    with_gpu = {"results": {**RECORD["results"], "timing": {**TIMING, "cuda": {
        "train_step": {"gru_s": 0.02, "transformer_s": 0.01, "ratio": 2.0},
        "translate": {"gru_s": 0.05, "transformer_s": 0.04, "ratio": 1.25}}}}}
    fig = recurrent.time_figure("one training step", with_gpu)
    assert list(fig.data[0].x) == ["1 thread", "2 threads", "GPU"] and "2.00 on the GPU" in fig.layout.title.subtitle.text
    with pytest.raises(ValueError, match="unknown timing 'inference'"):
        recurrent.time_figure("inference", RECORD)


def test_the_curves_draw_the_mean_over_seeds_and_their_range():
    fig = recurrent.curve_figure("validation BLEU", RECORD)
    band, gru = fig.data[0], fig.data[1]
    assert gru.name == "GRU" and list(gru.x) == [100, 200] and list(gru.y) == [25.0, 65.0]
    assert list(band.y) == [30.0, 70.0, 60.0, 20.0]  # the highest seed out, the lowest back
    pronouns = recurrent.curve_figure("pronoun accuracy", RECORD)
    assert list(pronouns.data[3].y) == [55.0, 80.0] and pronouns.layout.shapes[0].y0 == 50  # in %, a coin toss
    assert describe(fig).endswith("Mean over seeds: GRU from 25 at step 100 to 65 at step 200; "
                                  "Transformer from 45 at step 100 to 85 at step 200.")
    with pytest.raises(ValueError, match="unknown measure 'loss'"):
        recurrent.curve_figure("loss", RECORD)


@pytest.mark.parametrize("draw", [lambda: recurrent.length_figure("test BLEU", RECORD), lambda: recurrent.pronoun_figure(RECORD),
                                  lambda: recurrent.time_figure("one training step", RECORD),
                                  lambda: recurrent.time_figure("translating a batch", RECORD),
                                  lambda: recurrent.curve_figure("pronoun accuracy", RECORD)])
def test_each_figure_fits_a_phone(draw):
    framed = layout.frame(go.Figure(draw()))
    assert framed.layout.meta["min_width"] + display.PAGE_CHROME_PX <= 390  # never scrolls sideways on a phone


def test_the_attention_figure_draws_the_kept_map_of_either_model():
    probe = {"source": ["the", "cat", ".", "<eos>"], "target": ["le", "chat", ".", "<eos>"],
             "weights": [[0.9, 0.1, 0.0, 0.0], [0.1, 0.8, 0.1, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.2, 0.8]]}
    record = {"results": {"models": {a: {**RECORD["results"]["models"][a], "probes": {"the cat .": probe}}
                                     for a in ("gru", "transformer")}, "timing": TIMING}}
    assert recurrent.probe_sentences(record) == ["the cat ."]
    fig = recurrent.attention_figure("GRU", "the cat .", record)
    assert [list(row) for row in fig.data[0].z] == probe["weights"] and "le chat ." in fig.layout.title.text
    assert "mean of heads" in recurrent.attention_figure("Transformer", "the cat .", record).layout.title.text
    with pytest.raises(ValueError, match="unknown model 'LSTM'"):
        recurrent.attention_figure("LSTM", "the cat .", record)
    with pytest.raises(ValueError, match="not a probe sentence"):
        recurrent.attention_figure("GRU", "the dog .", record)
