"""Inside the translator: alignment accuracy per head and phenomenon, snapshots, ablation figures."""

import pytest
import torch

from attnlib.translation.alignment import (alignment_accuracy, baseline_accuracy, gold_matrix, head_hits, sample_pairs)
from attnlib.translation.corpus import Pair, load_split
from attnlib.book.demo import Demo, Param
from attnlib.book.plots import seed_band
from attnlib.translation.experiments.record import clearly_apart
from attnlib.figures import inside
from attnlib.figures.decoding import translator as load_translator
from attnlib.translation.evaluate import head_alignment




@pytest.fixture(scope="module")
def translator():
    return load_translator()


@pytest.fixture(scope="module")
def pairs():
    return sample_pairs(load_split("test"), 48, seed=0)


def test_alignment_accuracy_counts_aligned_french_rows_only():
    # 3 French rows (the last unaligned) × 3 English columns
    weights = torch.tensor([[0.7, 0.2, 0.1],
                            [0.1, 0.3, 0.6],    # looks at English 2, gold is English 1: a miss
                            [0.2, 0.2, 0.6]])   # unaligned: not counted
    assert alignment_accuracy(weights, [(0, 0), (1, 1)]) == 0.5
    assert alignment_accuracy(weights, [(0, 0), (1, 1), (2, 1)]) == 1.0  # one-to-many: any gold word is a hit
    assert gold_matrix([(2, 0)], 1, 3).tolist() == [[False, False, True]]
    with pytest.raises(ValueError, match="outside"):
        alignment_accuracy(weights, [(5, 0)])
    with pytest.raises(ValueError, match="nothing to score"):
        alignment_accuracy(weights, [])


def test_head_hits_agree_with_evaluate_and_split_by_phenomenon(translator, pairs):
    table = head_hits(translator, pairs, batch_size=16)
    cfg = translator.model.cfg
    assert table.hits.shape == (len(pairs), cfg.n_decoder_layers, cfg.n_heads)
    reference = head_alignment(translator, pairs)
    assert table.as_dict().keys() == reference.keys()
    assert all(abs(table.as_dict()[k] - reference[k]) < 1e-6 for k in reference)
    layer, head, best = table.best_head()
    assert best == pytest.approx(float(table.accuracy().max()))
    per_tag = table.by_phenomenon(layer, head)
    counts = table.counts()
    assert set(per_tag) == set(counts) and all(0 <= v <= 1 for v in per_tag.values())
    # per-tag accuracy is a weighted share of the same hits: gender pairs recomputed by hand
    rows = [n for n, p in enumerate(pairs) if "gender" in p.phenomena]
    by_hand = float(table.hits[rows, layer, head].sum()) / float(table.counted[rows].sum())
    assert per_tag["gender"] == pytest.approx(by_hand)
    with pytest.raises(ValueError, match="is not one of them"):
        table.by_phenomenon(9, 0)
    with pytest.raises(ValueError, match="gold alignment"):
        head_hits(translator, [Pair("the cat sees the dog .", "le chat voit le chien .")])


def test_the_best_head_beats_the_diagonal_and_random_baselines(translator, pairs):
    _, _, best = head_hits(translator, pairs).best_head()
    diagonal, uniform = baseline_accuracy(pairs, "diagonal"), baseline_accuracy(pairs, "uniform")
    assert best > diagonal > uniform > 0
    monotone = Pair("a b .", "x y .", ((0, 0), (1, 1), (2, 2)))
    crossed = Pair("a b .", "y x .", ((0, 1), (1, 0), (2, 2)))
    assert baseline_accuracy([monotone], "diagonal") == 1.0 and baseline_accuracy([crossed], "diagonal") == pytest.approx(1 / 3)
    assert baseline_accuracy([monotone], "uniform") == pytest.approx(1 / 4)  # 1 gold word of 4 (with <eos>)
    with pytest.raises(ValueError, match="diagonal"):
        baseline_accuracy(pairs, "oracle")
    assert sample_pairs(pairs, 5, seed=1) == sample_pairs(pairs, 5, seed=1) != sample_pairs(pairs, 5, seed=2)


def test_alignment_figures_show_the_table():
    table = inside.head_table()
    fig = inside.alignment_heatmap(table)
    assert [list(row) for row in fig.data[0].z] == [[round(v, 4) for v in row] for row in table.accuracy().tolist()]
    layer, head, best = table.best_head()
    assert inside.head_label(layer, head) in fig.layout.title.text
    labels = inside.head_labels(table)
    assert len(labels) == table.hits.shape[1] * table.hits.shape[2] <= 60
    bars = inside.phenomenon_figure(labels[0])
    assert list(bars.data[0].x) == list(table.by_phenomenon(0, 0))
    # colours anchored at the diagonal baseline (white), reaching as far as the farthest head
    heat, base = fig.data[0], inside.diagonal_baseline()
    acc = table.accuracy()
    assert (heat.zmin + heat.zmax) / 2 == pytest.approx(base, abs=1e-3)
    assert heat.zmax - base == pytest.approx(float((acc - base).abs().max()), abs=1e-3)
    assert heat.zmin > 0.3  # not 0-1: heads between 63% and 95% must look different
    assert heat.colorscale[len(heat.colorscale) // 2][1] == "#f7f7f7" and "diagonal" in heat.colorbar.title.text
    # bars start at each phenomenon's diagonal baseline; the axis spans every head's values, not 0-1
    per_tag, baselines = table.by_phenomenon(0, 0), inside.diagonal_baselines()
    assert list(bars.data[0].base) == pytest.approx([baselines[t] for t in per_tag], abs=1e-3)
    assert [b + g for b, g in zip(bars.data[0].base, bars.data[0].y)] == pytest.approx(list(per_tag.values()), abs=1e-3)
    assert bars.data[1].name == "diagonal baseline"
    low, high = bars.layout.yaxis.range
    every = [v for li in range(acc.shape[0]) for h in range(acc.shape[1]) for v in table.by_phenomenon(li, h).values()]
    assert 0.3 < low <= min(every + list(baselines.values())) and max(every) <= high <= 1.1
    assert inside.phenomenon_figure(labels[-1]).layout.yaxis.range == bars.layout.yaxis.range  # same for every head
    with pytest.raises(ValueError, match="layer 1 · head 2"):
        inside.phenomenon_figure("the best one")
    with pytest.raises(ValueError, match="not one of them"):
        inside.phenomenon_figure("layer 7 · head 1")


def test_training_snapshots_sharpen_and_bad_choices_say_what_exists():
    steps, sentences = inside.snapshot_steps(), inside.snapshot_sentences()
    assert steps == sorted(steps) and len(sentences) * len(steps) <= 60
    for s in sentences:
        entropies = inside.snapshot_entropies(s)
        assert len(entropies) == len(steps) and entropies[-1] < entropies[0]
    fig = inside.snapshot_figure(sentences[0], steps[-1])
    assert f"step {steps[-1]}" in fig.layout.title.text
    demo = Demo(inside.snapshot_figure, Param("sentence", sentences), Param("step", steps))
    assert "no snapshot at step" in demo.figure(step=7).layout.annotations[0].text
    assert "no snapshot of" in demo.figure(sentence="a b c").layout.annotations[0].text
    assert inside.mean_row_entropy([[1.0, 0.0], [0.0, 1.0]]) == pytest.approx(0, abs=1e-6)
    assert inside.mean_row_entropy([[0.5, 0.5]]) == pytest.approx(0.6931, abs=1e-4)


def test_ablation_curves_and_scores_show_every_seed():
    record = inside.ablation_record()
    results, seeds = record["results"], record["settings"]["seeds"]
    curves = inside.ablation_curves(record)
    assert len(curves.data) == 2 * 2 * len(results)  # per variant and panel: the band over seeds, and the mean
    assert f"mean over {len(seeds)} seeds" in curves.layout.title.text
    base = results["baseline"]
    band, mean = curves.data[:2]
    finals = [run["history"][-1]["loss"] for run in base["runs"]]
    assert mean.name == base["label"] and mean.y[-1] == pytest.approx(sum(finals) / len(finals), abs=0.01)
    assert max(finals) in band.y and min(finals) in band.y  # the band reaches the highest and the lowest seed
    rows = inside.ablation_scores(record)
    assert [r[0] for r in rows] == [r["label"] for r in results.values()]
    assert all("±" in cell and "–" in cell for row in rows for cell in row[1:])


def test_only_scores_whose_seeds_do_not_overlap_are_apart():
    low, high = {"min": 1.0, "max": 2.0}, {"min": 2.5, "max": 3.0}
    assert clearly_apart(low, high) and clearly_apart(high, low)
    assert not clearly_apart(low, {"min": 1.9, "max": 3.0})
    assert not clearly_apart(low, {"min": 0.0, "max": 5.0})  # one inside the other


def test_a_seed_band_refuses_runs_of_another_length():
    (band, mean), means = seed_band([0, 10], [[1.0, 3.0], [3.0, 5.0]], "model", "#1f77b4")
    assert means == [2.0, 4.0] and list(band.y) == [3.0, 5.0, 3.0, 1.0]
    with pytest.raises(ValueError, match="2 steps, but runs of \\[3\\] values"):
        seed_band([0, 10], [[1.0, 2.0, 3.0]], "model", "#1f77b4")


def test_ablation_figures():
    results = inside.ablation_results()
    probes = inside.probe_sentences(results)
    fig = inside.ablation_map("no_positions", probes[0])
    assert "no positional encoding" in fig.layout.title.text
    assert inside.ablation_map("no positional encoding", probes[0]).to_dict() == fig.to_dict()  # label or key
    rows = inside.translations(results)
    assert len(rows) == len(results) * len(probes)
    with pytest.raises(ValueError, match="no ablation called"):
        inside.ablation_map("no_attention", probes[0])
    with pytest.raises(ValueError, match="not a probe sentence"):
        inside.ablation_map("baseline", "hello .")
