"""The experiments' command and records: a tiny run of each writes a record the chapters can read, and
``--summary`` prints it; bad arguments and bad files are refused before any work, with the reason."""

import json

import pytest

from attnlib.translation.corpus import load_split
from attnlib.translation.experiment import main
from attnlib.translation.experiments import EXPERIMENTS, load, module, record, shipped


@pytest.fixture(scope="module")
def tiny_ablation():
    exp = module("ablation")
    settings, results = exp.run([0, 1], 3, preset="tiny", variants=["baseline"], test_pairs=4,
                                train_pairs=load_split("train")[:2000], valid_pairs=load_split("valid")[:5])
    return record.make_record("ablation", {"seeds": [0, 1], "steps": 3, **settings}, results,
                              hardware="test", cpu_seconds=1.0, wall_seconds=1.0)


def test_a_tiny_ablation_keeps_every_seed_and_its_spread(tiny_ablation, tmp_path):
    record.write(tiny_ablation, tmp_path)
    loaded = load("ablation", tmp_path)["results"]["baseline"]
    assert [r["seed"] for r in loaded["runs"]] == [0, 1]
    assert len(loaded["bleu"]["values"]) == 2 and loaded["bleu"]["min"] <= loaded["bleu"]["mean"] <= loaded["bleu"]["max"]
    # a seed really changes the run: the two loss curves differ
    assert loaded["runs"][0]["history"][-1]["loss"] != loaded["runs"][1]["history"][-1]["loss"]


def test_the_summary_prints_every_shipped_result_without_training(tiny_ablation, tmp_path, capsys):
    record.write(tiny_ablation, tmp_path)
    assert main(["--summary", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "experiment" in out.splitlines()[0] and "seeds" in out.splitlines()[0]
    row = next(line for line in out.splitlines() if "baseline: test BLEU" in line)
    assert row.split()[0] == "ablation" and row.split()[-1] == "2" and "±" in row


def test_spread_is_mean_sd_min_max():
    s = record.spread([1.0, 2.0, 3.0])
    assert (s["mean"], s["sd"], s["min"], s["max"]) == (2.0, 1.0, 1.0, 3.0)
    assert record.show_spread(s) == "2.0 ± 1.0 (1.0–3.0)"
    assert record.show_spread(record.spread([0.5]), scale=100) == "50.0 (one seed)"


@pytest.mark.parametrize("argv, message", [
    (["ablation", "--seeds", "0"], "--seeds must be at least 1"),
    (["ablation", "--steps", "-3"], "--steps must be at least 1"),
    (["nonsense"], "invalid choice"),
    ([], "name an experiment"),
    (["ablation", "--summary"], "--summary trains nothing"),
])
def test_bad_arguments_are_refused_before_any_training(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_an_out_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    with pytest.raises(SystemExit):
        main(["ablation", "--out", str(tmp_path / "f")])
    assert "is a file" in capsys.readouterr().err


def test_broken_and_foreign_files_are_refused_with_their_path(tiny_ablation, tmp_path, capsys):
    (tmp_path / "ablation.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        load("ablation", tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["--summary", "--out", str(tmp_path)])
    assert exit_.value.code == 1 and "ablation.json" in capsys.readouterr().err
    old = {**tiny_ablation, "format": 0}
    (tmp_path / "ablation.json").write_text(json.dumps(old))
    with pytest.raises(ValueError, match="format 0"):
        load("ablation", tmp_path)
    cut = {**tiny_ablation, "results": {"baseline": {**tiny_ablation["results"]["baseline"], "runs": []}}}
    (tmp_path / "ablation.json").write_text(json.dumps(cut))
    with pytest.raises(ValueError, match="no runs"):
        load("ablation", tmp_path)
    with pytest.raises(FileNotFoundError, match="experiment ablation"):
        load("ablation", tmp_path / "empty")


def test_an_empty_folder_has_no_summary(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--summary", "--out", str(tmp_path)])
    assert exit_.value.code == 1 and "no experiment results" in capsys.readouterr().err


def test_every_shipped_result_is_a_valid_record():
    for name, rec in shipped().items():
        assert rec["experiment"] == name and rec["cpu_seconds"] > 0 and len(rec["settings"]["seeds"]) >= 3
        assert module(name).summary(rec)
    assert set(EXPERIMENTS) >= set(shipped())


def test_buckets_hold_exactly_the_sentences_of_their_lengths():
    from attnlib.translation.experiments.buckets import by_length, length
    pairs = load_split("test")
    groups = by_length(pairs, [(4, 6), (7, 9), (12, 12)])
    assert list(groups) == ["4–6", "7–9", "12"]
    assert all(4 <= length(p) <= 6 for p in groups["4–6"]) and all(length(p) == 12 for p in groups["12"])
    assert sum(map(len, groups.values())) == sum(1 for p in pairs if 4 <= length(p) <= 9 or length(p) == 12)
    with pytest.raises(ValueError, match="overlap"):
        by_length(pairs, [(4, 8), (7, 9)])
