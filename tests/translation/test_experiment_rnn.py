"""The recurrent baseline's experiment: a tiny run of both models writes a record that the chapter can read and
``--summary`` prints; its timings are real; bad arguments are refused before any training."""

import copy

import pytest

from attnlib.translation.corpus import load_split
from attnlib.translation.experiment import main
from attnlib.translation.experiments import load, module, record

TINY_TIMING = {"steps_per_call": 1, "repeats": 2, "warmup": 0, "sentences": 4, "translate_repeats": 1}
rnn = module("rnn")


@pytest.fixture(scope="module")
def tiny_rnn():
    valid = load_split("valid")
    settings, results = rnn.run([0, 1], 3, preset="tiny", test_pairs=40, train_pairs=load_split("train")[:2000],
                                valid_pairs=valid[:3] + [p for p in valid if p.antecedent][:3], timing=TINY_TIMING)
    return record.make_record("rnn", {"seeds": [0, 1], "steps": 3, **settings}, results,
                              hardware="test", cpu_seconds=1.0, wall_seconds=1.0)


def test_a_tiny_run_trains_both_models_with_every_seed(tiny_rnn, tmp_path):
    record.write(tiny_rnn, tmp_path)
    models = load("rnn", tmp_path)["results"]["models"]
    assert [m["label"] for m in models.values()] == ["GRU", "Transformer"]
    for m in models.values():
        assert [r["seed"] for r in m["runs"]] == [0, 1] and len(m["bleu"]["values"]) == 2
        assert m["runs"][0]["history"][-1]["step"] == 3
        # the pronoun curve: the share of the validation pronouns that come out right, at every evaluation
        assert all(0 <= h["valid_pronouns"] <= 1 for r in m["runs"] for h in r["history"])
        # a seed changes the run: the two loss curves differ
        assert m["runs"][0]["history"][-1]["loss"] != m["runs"][1]["history"][-1]["loss"]
    assert models["gru"]["config"]["d_hidden"] == 24 and "n_heads" in models["transformer"]["config"]
    assert models["gru"]["runs"][0]["best_head"] == "decoder.cross_attn#0"  # the GRU's one attention


def test_the_buckets_count_the_test_sentences_of_their_length_and_distance(tiny_rnn):
    test = load_split("test")[:40]
    gru = tiny_rnn["results"]["models"]["gru"]
    assert sum(b["n"] for b in gru["lengths"].values()) == len(test)  # every test sentence is 3 to 14 tokens
    assert gru["lengths"]["3–6"]["n"] == sum(3 <= len(p.src_tokens) <= 6 for p in test)
    revealing = rnn.by_distance(test, rnn.DISTANCES)
    assert {b: e["n"] for b, e in gru["distances"].items()} == {b: len(g) for b, g in revealing.items() if g}
    assert all(rnn.antecedent_distance(p) == 2 and p.antecedent.is_nearer for p in revealing["2"])


def test_the_timings_are_positive_and_paired(tiny_rnn):
    t = tiny_rnn["results"]["timing"]
    for kind in ("train_step", "translate"):
        assert set(t[kind]) == {"1", "2"}
        for entry in t[kind].values():
            assert entry["gru_s"] > 0 and entry["transformer_s"] > 0 and entry["ratio"] > 0
    assert t["second_thread"]["gru"] > 0 and t["second_thread"]["transformer"] > 0
    assert t["sentences"] == 4 and t["steps_per_call"] == 1 and "CPU cores" in t["hardware"]
    assert t["cuda"] is None or t["cuda"]["train_step"]["ratio"] > 0


def test_the_summary_names_both_models_and_their_ratio(tiny_rnn, tmp_path, capsys):
    record.write(tiny_rnn, tmp_path)
    assert main(["--summary", "--out", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    for measure in ("GRU: test BLEU", "Transformer: test BLEU", "GRU/Transformer time per step, 1 thread",
                    "GRU/Transformer time per step, 2 threads", "GRU: BLEU, 10–14 tokens"):
        row = next(line for line in lines if measure in line)
        assert row.split()[0] == "rnn" and row.split()[-1] == "2"
    assert any("±" in line for line in lines if "GRU: test BLEU" in line)


def test_a_damaged_record_is_refused_with_what_is_wrong(tiny_rnn):
    no_timing = copy.deepcopy(tiny_rnn)
    no_timing["results"]["timing"]["train_step"]["2"]["gru_s"] = 0
    with pytest.raises(ValueError, match=r"timing.train_step\[2\] must hold positive"):
        record.validate(no_timing, rnn.check)
    one_model = copy.deepcopy(tiny_rnn)
    del one_model["results"]["models"]["gru"]
    with pytest.raises(ValueError, match="must hold the models"):
        record.validate(one_model, rnn.check)
    short = copy.deepcopy(tiny_rnn)
    short["results"]["models"]["gru"]["bleu"]["values"].pop()
    with pytest.raises(ValueError, match="sums up 1 values for 2 runs"):
        record.validate(short, rnn.check)


@pytest.mark.parametrize("kwargs, message", [
    (dict(seeds=[]), "seeds must be a list"),
    (dict(preset="huge"), "unknown preset 'huge'"),
    (dict(test_pairs=0), "test_pairs must be a whole number"),
    (dict(test_pairs=2), "no pronoun sentence"),  # the first two test pairs hold none
    (dict(timing={"repeat": 3}), r"unknown timing setting\(s\) \['repeat'\]"),
    (dict(timing={"steps_per_call": 0}), "timing settings must be whole numbers"),
])
def test_bad_arguments_are_refused_before_any_training(kwargs, message, monkeypatch):
    def no_training(*args, **kw):
        raise AssertionError("trained before checking its arguments")
    monkeypatch.setattr(rnn, "train", no_training)
    args = {"seeds": [0], "steps": 3, "preset": "tiny", **kwargs}
    with pytest.raises(ValueError, match=message):
        rnn.run(args.pop("seeds"), args.pop("steps"), **args)


def test_the_command_refuses_bad_arguments_for_rnn(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["rnn", "--steps", "0"])
    assert exit_.value.code == 2 and "--steps must be at least 1" in capsys.readouterr().err


def test_the_shipped_record_was_made_on_this_corpus_with_these_models():
    from attnlib.translation.experiments.buckets import by_length
    from attnlib.translation.translator import build_model

    rec = load("rnn")
    test = load_split("test")
    assert rec["settings"]["test_pairs"] == len(test) and len(rec["settings"]["seeds"]) >= rnn.DEFAULT_SEEDS
    for arch, entry in rec["results"]["models"].items():
        counts = {b: len(g) for b, g in by_length(test, rnn.LENGTHS).items()}
        assert {b: e["n"] for b, e in entry["lengths"].items()} == counts
        assert {b: e["n"] for b, e in entry["distances"].items()} == {b: len(g) for b, g in
                                                                       rnn.by_distance(test, rnn.DISTANCES).items()}
        # the model the record describes is the one the library builds today
        assert build_model(arch, entry["config"]).num_parameters() == entry["parameters"]
        assert [h["step"] for h in entry["runs"][0]["history"]][-1] == rec["settings"]["steps"]
