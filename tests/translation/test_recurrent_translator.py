"""The recurrent baseline in the translator's machinery: trained by the same loop, saved, resumed and loaded
like the Transformer, decoded by the same greedy and beam search, its attention read like cross-attention."""

import pytest
import torch

from attnlib.model.recurrent import RNNEncoderDecoder
from attnlib.translation.checkpoint import load_checkpoint
from attnlib.translation.corpus import load_split
from attnlib.translation.decoding import beam_search, greedy_decode
from attnlib.translation.train import TRAIN_PRESETS, TrainConfig, train
from attnlib.translation.translator import Translator, build_model

TRAIN = load_split("train")[:400]
VALID = load_split("valid")[:10]
CFG = TRAIN_PRESETS["tiny"].replace(architecture="gru", steps=6, eval_every=3, eval_pairs=5, batch_size=16)


def small_train(cfg=CFG, **kwargs):
    return train(cfg, train_pairs=TRAIN, valid_pairs=VALID, device="cpu", progress=False, **kwargs)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return small_train(out=tmp_path_factory.mktemp("gru") / "gru.pt")


def test_the_loop_trains_the_gru_and_its_checkpoint_loads_as_one(trained):
    model = trained.translator.model
    assert isinstance(model, RNNEncoderDecoder) and [h["step"] for h in trained.history] == [3, 6]
    assert trained.history[-1]["loss"] < trained.history[0]["loss"] + 1.0 and "valid_bleu" in trained.history[-1]
    payload = load_checkpoint(trained.checkpoint)
    assert payload["architecture"] == "gru" and payload["train"]["architecture"] == "gru"
    loaded = Translator.load(trained.checkpoint, device="cpu")
    assert isinstance(loaded.model, RNNEncoderDecoder) and loaded.model.cfg == model.cfg
    assert all(torch.equal(a, b) for a, b in zip(loaded.model.state_dict().values(), model.state_dict().values()))


def test_greedy_and_beam_search_decode_the_gru(trained):
    t = trained.translator
    src = t.source_ids("the cat sees the dog .")
    greedy = greedy_decode(t.model, src)[0].tolist()
    no_cache = greedy_decode(t.model, src, use_cache=False)[0].tolist()  # the prefix read again at every step
    assert greedy == no_cache
    best = beam_search(t.model, src, beam_size=1)[0].ids
    assert list(best) == greedy[: len(best)]  # a beam of one is greedy search
    assert len(beam_search(t.model, src, beam_size=3)) == 3


def test_a_translation_carries_the_gru_attention_as_one_head(trained):
    result = trained.translator.translate("the cat sees the dog .")
    weights = result.cross_attention["decoder.cross_attn"]  # (H, T, S)
    assert weights.shape == (1, len(result.target), len(result.source))
    assert torch.allclose(weights.sum(-1), torch.ones(1, len(result.target)), atol=1e-5)


def test_a_stopped_gru_run_resumes_to_the_same_weights(tmp_path):
    whole = small_train()
    stopped = small_train(out=tmp_path / "g.pt", stop_at=3)
    resumed = small_train(out=tmp_path / "g.pt", resume=stopped.checkpoint)
    a, b = whole.translator.model.state_dict(), resumed.translator.model.state_dict()
    assert resumed.steps == 6 and all(torch.equal(a[k], b[k]) for k in a)


def test_an_unknown_architecture_is_refused_where_it_is_named():
    with pytest.raises(ValueError, match="architecture must be one of transformer, gru, got 'lstm'"):
        TrainConfig(architecture="lstm")
    with pytest.raises(ValueError, match="unknown architecture 'lstm'"):
        build_model("lstm", preset="tiny")
