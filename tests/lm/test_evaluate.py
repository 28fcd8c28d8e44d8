"""python -m attnlib.lm evaluate: one line per model, its perplexity then the trigram's on the same split,
and for the masked model its pseudo-perplexity and top-1 / top-5 at hidden words beside the trigram's;
a missing model is named with the command that makes it, before any work."""

from __future__ import annotations

import pytest

import attnlib.lm.evaluate as evaluate
from attnlib.lm.data import english
from attnlib.lm.ngram import fit, perplexity as ngram_perplexity
from attnlib.lm.scores import fill_cases, fill_scores, ngram_fill_scores, perplexity

SMALL = {"train": english("train")[:2000], "test": english("test")[:40], "valid": english("valid")[:40]}


@pytest.fixture
def small_splits(monkeypatch):
    monkeypatch.setattr(evaluate, "english", lambda split: SMALL[split])


def test_one_line_per_model_with_the_trigram_beside_it(tiny_checkpoints, tiny_causal, tiny_masked, small_splits,
                                                       capsys):
    argv = ["--causal", str(tiny_checkpoints["causal"]), "--masked", str(tiny_checkpoints["masked"]), "--seed", "3"]
    assert evaluate.main(argv) == 0
    causal, masked = capsys.readouterr().out.splitlines()
    trigram = fit(SMALL["train"])

    assert causal.startswith("causal: perplexity ") and "trigram" in causal
    mine = perplexity(tiny_causal.model, tiny_causal.vocab, SMALL["test"])
    theirs = ngram_perplexity(trigram, SMALL["test"])
    assert f"perplexity {mine:.2f} on test" in causal and causal.endswith(f"trigram {theirs:.2f}")

    cases = fill_cases(SMALL["test"], seed=3)
    mine, theirs = fill_scores(tiny_masked.model, tiny_masked.vocab, cases), ngram_fill_scores(trigram, cases)
    assert masked.startswith(f"masked: perplexity {mine.pseudo_perplexity:.2f} (pseudo-perplexity of 40 masked words")
    assert f"trigram {theirs.pseudo_perplexity:.2f}" in masked
    assert f"top-1 {100 * mine.accuracy[1]:.1f}% (trigram {100 * theirs.accuracy[1]:.1f}%)" in masked
    assert f"top-5 {100 * mine.accuracy[5]:.1f}% (trigram {100 * theirs.accuracy[5]:.1f}%)" in masked
    assert theirs.accuracy[5] > 0.3  # a trigram of 2,000 sentences finds words: the scores are not all zeros


def test_another_split_and_one_model_only(tiny_checkpoints, small_splits, capsys):
    assert evaluate.main(["--kind", "causal", "--split", "valid", "--causal", str(tiny_checkpoints["causal"])]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "on valid (40 sentences" in lines[0]


def test_a_missing_model_is_named_with_make_lm_before_any_work(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(evaluate, "fit", lambda *a, **k: pytest.fail("the trigram was fitted for nothing"))
    assert evaluate.main(["--causal", str(tmp_path / "none.pt")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: no checkpoint at {tmp_path / 'none.pt'}: train one with `make lm`")
    assert "Traceback" not in err
