"""Training the language models: the tiny ones learn, a stopped run saves beside the finished model and
resumes to the weights of an uninterrupted one, a resume refuses another run, no model of NaN is saved,
and the shipped file is small: float32 weights, no optimizer state, what the run measured."""

from __future__ import annotations

import math

import pytest
import torch

import attnlib.lm.train as lm_train
from attnlib.lm.data import KINDS, english
from attnlib.lm.train import LM_TRAIN_PRESETS, LMTrainConfig, train
from attnlib.lm.trained import CHECKPOINT_KINDS, TrainedLM
from attnlib.translation.checkpoint import CheckpointError, load_checkpoint
from attnlib.translation.loop import TrainingDiverged

TRAIN = english("train")
VALID = english("valid")[:20]
CFG = LM_TRAIN_PRESETS["tiny"].replace(steps=12, eval_every=6, eval_sentences=10, batch_size=16)


def small_train(cfg=CFG, **kwargs):
    return train(cfg, sentences=TRAIN, valid=VALID, device="cpu", progress=False, **kwargs)


def same_weights(a, b) -> bool:
    sa, sb = a.lm.model.state_dict(), b.lm.model.state_dict()
    return all(torch.equal(sa[k], sb[k]) for k in sa)


@pytest.mark.parametrize("kind", KINDS)
def test_a_tiny_model_learns_in_a_few_dozen_steps(kind):
    result = small_train(CFG.replace(kind=kind, steps=48, eval_every=8))
    first, last = result.history[0], result.history[-1]
    assert first["loss"] < math.log(len(result.lm.vocab)) + 0.5  # about uniform at first
    assert last["loss"] < first["loss"] - 0.5, (first, last)
    score = "valid_perplexity" if kind == "causal" else "valid_pseudo_perplexity"
    assert last[score] < 0.6 * first[score], (first, last)


@pytest.mark.parametrize("kind", KINDS)
def test_a_stopped_run_saves_beside_out_and_resumes_to_the_same_weights(tmp_path, kind):
    cfg = CFG.replace(kind=kind)
    full = small_train(cfg)
    calls = iter(range(100))
    stopped = small_train(cfg, out=tmp_path / "lm.pt", save_optimizer=False, should_stop=lambda: next(calls) >= 4)
    assert not (tmp_path / "lm.pt").exists()  # a stopped run is not the finished model
    assert stopped.checkpoint == tmp_path / "lm-unfinished.pt"
    payload = load_checkpoint(stopped.checkpoint, kind=CHECKPOINT_KINDS[kind])
    assert stopped.steps == 5 and payload["step"] == 5 and payload["meta"]["interrupted"]
    assert payload["optimizer"] is not None  # resumable even when a finished run would be slim
    resumed = small_train(cfg, out=tmp_path / "lm.pt", resume=stopped.checkpoint)
    assert resumed.steps == cfg.steps and same_weights(full, resumed)
    assert not same_weights(full, small_train(cfg.replace(seed=1)))  # the test could tell runs apart
    assert resumed.checkpoint == tmp_path / "lm.pt" and not stopped.checkpoint.exists()  # superseded


def test_checkpoints_are_written_every_n_steps_beside_the_finished_model(tmp_path, monkeypatch):
    saved = []
    real = lm_train.save_checkpoint
    monkeypatch.setattr(lm_train, "save_checkpoint", lambda path, payload: saved.append((path.name, payload["step"]))
                        or real(path, payload))
    small_train(out=tmp_path / "lm.pt", save_every=5)
    assert saved == [("lm-unfinished.pt", 5), ("lm-unfinished.pt", 10)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lm.pt"]


def test_the_shipped_file_holds_float32_weights_the_vocabulary_and_what_the_run_measured(tmp_path):
    result = small_train(CFG.replace(kind="masked"), out=tmp_path / "lm.pt", save_optimizer=False)
    payload = load_checkpoint(tmp_path / "lm.pt", kind=CHECKPOINT_KINDS["masked"])
    assert payload["kind"] == "masked" and payload["optimizer"] is None and payload["scheduler"] is None
    assert payload["vocab"] == result.lm.vocab.to_dict() and payload["train"]["steps"] == CFG.steps
    assert all(t.dtype == torch.float32 for t in payload["model"].values() if t.is_floating_point())
    meta = payload["meta"]
    assert meta["steps"] == CFG.steps and meta["threads"] == torch.get_num_threads() and meta["train_seconds"] > 0
    assert abs(meta["final_loss"] - result.history[-1]["loss"]) < 1e-4  # the smoothed loss of the last step
    assert "valid_pseudo_perplexity" in meta and not meta["interrupted"] and meta["hardware"]
    # the tied embedding and head are one tensor in the file, and nothing else takes room
    weights = 4 * result.lm.model.num_parameters()
    assert (tmp_path / "lm.pt").stat().st_size < weights + 60_000
    loaded = TrainedLM.load(tmp_path / "lm.pt", kind="masked", device="cpu")
    assert all(torch.equal(a, b) for a, b in zip(loaded.model.state_dict().values(),
                                                   result.lm.model.state_dict().values()))


def test_a_resume_refuses_another_run_and_names_what_differs(tmp_path):
    small_train(out=tmp_path / "lm.pt")
    with pytest.raises(CheckpointError, match=r"another configuration.*kind: 'causal' in the checkpoint, 'masked' now"):
        small_train(CFG.replace(kind="masked"), resume=tmp_path / "lm.pt")
    with pytest.raises(CheckpointError, match=r"lr: 0\.003 in the checkpoint, 0\.5 now"):
        small_train(CFG.replace(lr=0.5), resume=tmp_path / "lm.pt")
    with pytest.raises(CheckpointError, match="at step 12 already: ask for at least that many --steps"):
        small_train(CFG.replace(steps=8), resume=tmp_path / "lm.pt")
    small_train(out=tmp_path / "slim.pt", save_optimizer=False)
    with pytest.raises(CheckpointError, match="without optimizer state"):
        small_train(resume=tmp_path / "slim.pt")
    longer = small_train(CFG.replace(steps=16), resume=tmp_path / "lm.pt")  # a finished run may be extended
    assert longer.steps == 16


def test_a_loss_that_stops_being_a_number_stops_the_run_and_saves_nothing(tmp_path, monkeypatch):
    real = lm_train.MODELS["causal"]

    def poisoned(cfg):
        model = real(cfg)
        with torch.no_grad():
            next(model.parameters()).fill_(float("nan"))
        return model

    monkeypatch.setitem(lm_train.MODELS, "causal", poisoned)
    with pytest.raises(TrainingDiverged, match="the loss became nan at step 1.*lower the learning rate"):
        small_train(out=tmp_path / "lm.pt", save_every=1)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("change, message", [
    ({"kind": "gpt"}, "kind must be causal"), ({"model": "huge"}, "model must be one of the presets"),
    ({"steps": 0}, "steps must be"), ({"eval_sentences": 0}, "eval_sentences must be"),
    ({"lr": float("inf")}, "lr must be a number above 0"), ({"seed": -1}, "seed must be"),
])
def test_the_library_refuses_settings_that_would_fail_mid_run(change, message):
    with pytest.raises(ValueError, match=message):
        LMTrainConfig(**change)


def test_the_masked_loss_counts_the_chosen_words_only():
    """batch_loss is the mean cross-entropy over the positions BERT's recipe chose, whatever the others read."""
    from attnlib.lm.data import build_vocab, masked_batch, masking_generator
    from attnlib.model.config import LMConfig
    from attnlib.model.language_model import MaskedLM

    sentences = english("train")[:12]
    vocab = build_vocab(english("train"), masked=True)
    model = MaskedLM(LMConfig.preset("tiny", vocab_size=len(vocab))).eval()
    inp, target = masked_batch(sentences, vocab, masking_generator(seed=0, step=3))
    chosen = target != vocab.pad_id
    log_probs = torch.log_softmax(model(inp), dim=-1)  # (B, T, V)
    by_hand = -log_probs[chosen].gather(-1, target[chosen][:, None]).mean()
    torch.testing.assert_close(lm_train.batch_loss(model, inp, target), by_hand)
    # the <pad> of the target is what keeps the other positions out: give them a word and they count
    every = target.clone()
    every[~chosen & (inp != vocab.pad_id)] = vocab.stoi["the"]
    assert not torch.isclose(lm_train.batch_loss(model, inp, every), by_hand)
