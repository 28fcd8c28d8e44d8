"""A trained language model reads what a reader types or says why not: unknown words named, with known
words like them; the model's own tokens refused; the position table's limit; the wrong kind of model.
The shipped models are small, finished, and still score as their records say."""

from __future__ import annotations

import pytest

from attnlib.lm.trained import TrainedLM
from attnlib.translation.checkpoint import CheckpointError


def test_a_prompt_is_bos_and_its_words(tiny_causal):
    ids = tiny_causal.prompt_ids("The black cat")  # typed as a reader types it
    assert ids[0].tolist() == tiny_causal.vocab.encode(["the", "black", "cat"], add_bos=True, add_eos=False)


def test_a_sentence_to_fill_is_bos_its_words_and_eos_with_the_place_of_its_mask(tiny_masked):
    ids, position = tiny_masked.sentence_ids("the <mask> sees the dog .")
    vocab = tiny_masked.vocab
    assert ids[0, position] == vocab.stoi["<mask>"] and position == 2
    assert ids[0, 0] == vocab.bos_id and ids[0, -1] == vocab.eos_id


def test_unknown_words_are_named_with_known_words_like_them(tiny_causal):
    with pytest.raises(ValueError, match=r"unknown word\(s\) 'kat', 'dgo': this model knows only the 585 words") as err:
        tiny_causal.prompt_ids("the kat sees the dgo")
    assert "did you mean" in str(err.value) and "'cat'" in str(err.value) and "'dog'" in str(err.value)
    with pytest.raises(ValueError, match="it knows words such as 'the'"):  # nothing near: some common words
        tiny_causal.prompt_ids("qqqqqq")


@pytest.mark.parametrize("text, message", [
    ("", "the prompt is empty"), ("   ", "the prompt is empty"),
    ("the <eos> cat", "'<eos>' marks the model's own tokens"),
    ("the <mask> cat", r"<mask> is for the masked model"),
    (" ".join(["the"] * 32), "the prompt has 32 words; this model reads at most 31"),
])
def test_what_a_prompt_cannot_hold_is_refused_with_what_to_change(tiny_causal, text, message):
    with pytest.raises(ValueError, match=message):
        tiny_causal.prompt_ids(text)
    tiny_causal.prompt_ids(" ".join(["the"] * 31))  # the longest there is room for


def test_each_model_does_its_own_job(tiny_causal, tiny_masked):
    with pytest.raises(ValueError, match="a masked model does not continue a prompt"):
        tiny_masked.prompt_ids("the cat")
    with pytest.raises(ValueError, match="a causal model does not fill a <mask>"):
        tiny_causal.sentence_ids("the <mask> .")


def test_the_wrong_kind_or_a_missing_file_is_said_plainly(tiny_checkpoints, tmp_path):
    with pytest.raises(CheckpointError, match="holds a masked language model, not a causal one"):
        TrainedLM.load(tiny_checkpoints["masked"], kind="causal")
    with pytest.raises(CheckpointError, match=r"no checkpoint at .*: train one with `make lm` .*--kind causal"):
        TrainedLM.load(tmp_path / "none.pt", kind="causal")
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(CheckpointError, match="is empty .*`make lm`"):
        TrainedLM.load(tmp_path / "empty.pt", kind="masked")
    with pytest.raises(ValueError, match="unknown kind of language model 'gpt'"):
        TrainedLM.load(kind="gpt")


@pytest.mark.parametrize("kind", ["causal", "masked"])
def test_the_shipped_models_are_small_finished_and_score_as_their_record_says(kind):
    from attnlib.lm.data import english
    from attnlib.lm.train import LM_TRAIN_PRESETS, validation_score
    from attnlib.paths import LM_CHECKPOINTS

    assert LM_CHECKPOINTS[kind].stat().st_size < 5_000_000  # float32 weights, no optimizer state
    lm = TrainedLM.load(kind=kind, device="cpu")
    assert lm.unfinished is None and lm.meta["threads"] == 1 and lm.meta["steps"] == 4000
    record = lm.meta["history"][-1]
    valid = english("valid")[: LM_TRAIN_PRESETS["cpu"].eval_sentences]  # what the run scored at each record
    recorded = {k: v for k, v in record.items() if k.startswith("valid_")}
    assert validation_score(lm, valid) == pytest.approx(recorded, rel=1e-3) and recorded
