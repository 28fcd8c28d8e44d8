"""Ablations: a tiny run writes records of the shipped format; the shipped records say what the chapter says."""

import json

import pytest

from attnlib.translation.ablation import (ABLATIONS_DIR, PROBE_SENTENCES, VARIANTS, WORD_ORDER_PAIR, load_results, main,
                              run_variant, validate, write)
from attnlib.translation.corpus import load_split
from attnlib.translation.train import TRAIN_PRESETS




def tiny_record(key: str) -> dict:
    # enough training pairs that every probe word is in the vocabulary
    train = [p for p in load_split("train")[:3000]]
    cfg = TRAIN_PRESETS["tiny"].replace(steps=4, eval_every=2, eval_pairs=5, batch_size=8)
    return run_variant(VARIANTS[key], cfg, train_pairs=train, valid_pairs=load_split("valid")[:5],
                       test_pairs=load_split("test")[:4])


def test_a_tiny_run_writes_a_record_the_chapter_can_read(tmp_path):
    record = tiny_record("no_positions")
    path = write(record, tmp_path)
    assert path.name == "no_positions.json"
    loaded = load_results(tmp_path)["no_positions"]
    assert loaded["overrides"] == [["positional", "none"]] and loaded["train"]["steps"] == 4
    assert [h["step"] for h in loaded["history"]] == [2, 4]
    assert {"bleu", "exact_match", "alignment", "best_head", "n"} <= set(loaded["test"]) and loaded["test"]["n"] == 4
    assert set(loaded["probes"]) <= set(PROBE_SENTENCES) and loaded["probes"]
    for probe in loaded["probes"].values():
        assert len(probe["weights"]) == len(probe["target"]) and len(probe["weights"][0]) == len(probe["source"])
    # even untrained, a model without positions cannot tell the word-order pair apart
    a, b = (loaded["probes"][s]["target"] for s in WORD_ORDER_PAIR)
    assert a == b


def test_bad_records_are_refused_with_the_reason(tmp_path):
    with pytest.raises(ValueError, match="missing"):
        validate({"format": 1}, "x.json")
    with pytest.raises(FileNotFoundError, match="python -m attnlib.translation ablation"):
        load_results(tmp_path)
    record = json.loads((ABLATIONS_DIR / "baseline.json").read_text())
    sentence = next(iter(record["probes"]))
    record["probes"][sentence]["weights"] = record["probes"][sentence]["weights"][:-1]
    with pytest.raises(ValueError, match="target tokens × source tokens"):
        validate(record)
    with pytest.raises(SystemExit):
        main(["--variants", "no_such_variant"])


def test_the_shipped_results_are_a_fair_comparison_and_show_the_chapters_claims():
    results = load_results()
    assert list(results) == list(VARIANTS)  # baseline first
    base = results["baseline"]
    for r in results.values():  # same seed, same steps, same batches: only the model changed
        assert {k: v for k, v in r["train"].items()} == base["train"]
        assert r["overrides"] == [list(kv) for kv in VARIANTS[r["key"]].overrides]
    no_pos, no_scale = results["no_positions"], results["no_scaling"]
    same = [" ".join(no_pos["probes"][s]["target"]) for s in WORD_ORDER_PAIR]
    assert same[0] == same[1]
    assert base["probes"][WORD_ORDER_PAIR[0]]["target"] != base["probes"][WORD_ORDER_PAIR[1]]["target"]
    assert no_pos["test"]["bleu"] < base["test"]["bleu"] and no_scale["test"]["bleu"] < base["test"]["bleu"] - 10
    size = sum(p.stat().st_size for p in ABLATIONS_DIR.glob("*.json"))
    assert size < 200_000
