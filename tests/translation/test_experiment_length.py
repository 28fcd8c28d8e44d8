"""The length experiment: a tiny run of every encoding writes a record the chapters can read and ``--summary``
prints; its long sentences are all longer than any it trains on and use only words it trains on; forced
decoding writes exactly the reference's length; bad settings are refused before any training."""

import json

import pytest

from attnlib.translation.experiment import main
from attnlib.translation.experiments import length as exp
from attnlib.translation.experiments import load, record
from attnlib.translation.experiments.buckets import length


@pytest.fixture(scope="module")
def tiny_length():
    settings, results = exp.run([0, 1], 3, preset="tiny", train_limit=1000, bucket_limit=4)
    return record.make_record("length", {"seeds": [0, 1], "steps": 3, **settings}, results,
                              hardware="test", cpu_seconds=1.0, wall_seconds=1.0)


def test_a_tiny_run_of_every_encoding_is_a_record_the_chapter_can_read(tiny_length, tmp_path):
    record.write(tiny_length, tmp_path)
    loaded = load("length", tmp_path)
    results, settings = loaded["results"], loaded["settings"]
    assert list(results) == ["sinusoidal", "learned", "rotary", "alibi", "none"]
    buckets = [b["label"] for b in settings["buckets"]]
    assert buckets == ["1–7", "8", "9", "10", "11", "12–14"] and settings["trained_bucket"] == "1–7"
    for entry in results.values():
        assert [r["seed"] for r in entry["runs"]] == [0, 1]
        for mode in exp.MODES:
            assert list(entry[mode]) == buckets
            bleu = entry[mode]["12–14"]["bleu"]
            assert len(bleu["values"]) == 2 and bleu["min"] <= bleu["mean"] <= bleu["max"]
        # a seed really changes the run
        assert entry["runs"][0]["loss"] != entry["runs"][1]["loss"]
    assert results["none"]["overrides"] == [["positional", "sinusoidal"], ["decoder_positional", "none"]]


def test_forced_decoding_writes_exactly_the_references_length(tiny_length):
    for entry in tiny_length["results"].values():
        for run in entry["runs"]:
            for mode in ("forced", "forced_full_stop"):
                assert all(s["length_ratio"] == 1.0 for s in run["scores"][mode].values())
            assert run["examples"]
            for ex in run["examples"]:
                assert len(ex["forced"].split()) == len(ex["forced_full_stop"].split()) == len(ex["reference"].split())
                assert "." not in ex["forced_full_stop"].split()[:-1]  # held back until the last word


def test_the_summary_prints_one_row_per_encoding(tiny_length, tmp_path, capsys):
    record.write(tiny_length, tmp_path)
    assert main(["--summary", "--out", str(tmp_path)]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("length")]
    assert [row.split()[1] for row in rows] == ["sinusoidal:", "learned:", "rotary:", "alibi:", "none:"]
    assert all("| forced, full stop held" in row and row.count("±") == 4 and row.split()[-1] == "2" for row in rows)


def test_no_long_sentence_is_of_a_trained_length_or_has_a_word_never_trained_on():
    split = exp.length_split()
    assert max(map(length, split.train)) == exp.TRAIN_LENGTH
    trained_sources = {p.src for p in split.train}
    english = {w for p in split.train for w in p.src_tokens}
    french = {w for p in split.train for w in p.tgt_tokens}
    for name, pairs in split.buckets.items():
        lo, hi = split.ranges[name]
        assert pairs and all(lo <= length(p) <= hi for p in pairs)
        assert all(set(p.src_tokens) <= english and set(p.tgt_tokens) <= french for p in pairs)
        if name != "1–7":
            assert lo > exp.TRAIN_LENGTH and not trained_sources & {p.src for p in pairs}
    # the longest bucket reaches twice the trained length, and each long bucket has enough sentences to score
    assert split.ranges["12–14"][1] == 2 * exp.TRAIN_LENGTH
    assert all(len(pairs) >= 40 for pairs in split.buckets.values())


@pytest.mark.parametrize("kwargs, message", [
    ({"encodings": ["absolute"]}, "unknown encoding\\(s\\) \\['absolute'\\]: choose among sinusoidal, learned"),
    ({"preset": "huge"}, "unknown preset 'huge'"),
    ({"long_buckets": [(6, 9)]}, "bucket\\(s\\) 6–9 hold lengths the model trains on"),
    ({"long_buckets": []}, "at least one bucket"),
    ({"train_length": 0}, "train_length must be a whole number"),
    ({"train_limit": 5}, "length bucket .* holds no sentence whose words all occur in the 5 training sentences"),
])
def test_bad_settings_are_refused_before_any_training(kwargs, message, monkeypatch):
    monkeypatch.setattr(exp, "train", lambda *a, **k: pytest.fail("trained despite bad settings"))
    with pytest.raises(ValueError, match=message):
        exp.run([0], 3, **kwargs)


@pytest.mark.parametrize("argv, message", [
    (["length", "--seeds", "0"], "--seeds must be at least 1"),
    (["length", "--steps", "0"], "--steps must be at least 1"),
])
def test_bad_arguments_are_refused_by_the_command(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_broken_results_are_refused_with_what_is_wrong(tiny_length, tmp_path):
    def broken(change):
        results = json.loads(json.dumps(tiny_length["results"]))
        change(results)
        (tmp_path / "length.json").write_text(json.dumps({**tiny_length, "results": results}))
        return tmp_path

    with pytest.raises(ValueError, match="unknown encoding"):
        load("length", broken(lambda r: r.update(absolute=r["alibi"])))
    with pytest.raises(ValueError, match="'alibi' has no runs"):
        load("length", broken(lambda r: r["alibi"].update(runs=[])))
    with pytest.raises(ValueError, match="rotary.forced scores the buckets"):
        load("length", broken(lambda r: r["rotary"]["forced"].pop("11")))
    with pytest.raises(ValueError, match="learned.greedy.8.bleu sums up 1 values for 2 runs"):
        load("length", broken(lambda r: r["learned"]["greedy"]["8"].update(bleu=record.spread([3.0]))))
    with pytest.raises(ValueError, match="none.greedy.9.exact_match is outside 0–1.0"):
        load("length", broken(lambda r: r["none"]["greedy"]["9"].update(exact_match=record.spread([2.0, 3.0]))))
