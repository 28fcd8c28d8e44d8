"""The encoder-decoder model: config presets, bad input, learning, incremental decoding."""

import pytest
import torch

from attnlib import PRESETS, ModelConfig, Transformer, pick_device


def test_presets_build_and_grow():
    sizes = {name: Transformer(cfg).num_parameters() for name, cfg in PRESETS.items()}
    assert sizes["tiny"] < sizes["cpu"] < sizes["gpu"]
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        ModelConfig.preset("huge")
    with pytest.raises(ValueError, match="unknown config field"):
        ModelConfig.preset("tiny", d_modle=8)
    with pytest.raises(ValueError, match="positional='absolute' is unknown"):
        ModelConfig(positional="absolute")
    assert ModelConfig.from_dict(PRESETS["cpu"].to_dict()) == PRESETS["cpu"]


def test_device_is_cpu_here_and_cuda_cannot_be_forced_without_it():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert pick_device().type == "cpu"
    with pytest.raises(ValueError, match="CUDA is not available"):
        pick_device("cuda")


@pytest.mark.parametrize("src, match", [
    (torch.ones(2, 3), "integer tensor"),
    (torch.ones(5, dtype=torch.long), "integer tensor"),
    (torch.full((1, 3), 64), "outside the vocabulary"),
    (torch.ones(1, 0, dtype=torch.long), "is empty"),
])
def test_bad_token_ids_are_rejected_clearly(src, match):
    model = Transformer(ModelConfig.preset("tiny"))
    with pytest.raises(ValueError, match=match):
        model(src, torch.ones(1, 3, dtype=torch.long))


@pytest.mark.parametrize("norm_first", [True, False])
def test_overfits_a_tiny_batch(norm_first):
    torch.manual_seed(0)
    cfg = ModelConfig.preset("tiny", norm_first=norm_first)
    model = Transformer(cfg)
    src = torch.randint(4, cfg.src_vocab_size, (4, 6))
    tgt = torch.cat([torch.ones(4, 1, dtype=torch.long), torch.randint(4, cfg.tgt_vocab_size, (4, 6))], 1)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    first = None
    for _ in range(150):
        logits = model(src, tgt[:, :-1])
        loss = loss_fn(logits.reshape(-1, cfg.tgt_vocab_size), tgt[:, 1:].reshape(-1))
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert first > 3.5 and loss.item() < 0.05  # memorised: from chance (ln 64 ≈ 4.2) to almost certain


@pytest.mark.parametrize("kind, decoder_kind", [("sinusoidal", None), ("learned", None), ("rotary", None),
                                                ("alibi", None), ("sinusoidal", "none"), ("learned", "alibi")])
def test_incremental_decoding_matches_full_decoding(kind, decoder_kind):
    cfg = ModelConfig.preset("tiny", positional=kind, decoder_positional=decoder_kind, n_decoder_layers=2)
    model = Transformer(cfg).eval()
    src = torch.tensor([[5, 6, 7, 2, 0], [8, 9, 10, 11, 2]])
    tgt = torch.tensor([[1, 12, 13, 14, 15, 16], [1, 17, 18, 19, 20, 21]])
    memory, src_mask = model.encode(src)
    full = model.decode(tgt, memory, src_mask)
    caches = model.new_caches()
    steps = [model.decode_step(tgt[:, i : i + 1], memory, src_mask, caches) for i in range(tgt.shape[1])]
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=1e-5, rtol=1e-5)


def test_padding_in_the_source_does_not_change_the_output():
    model = Transformer(ModelConfig.preset("tiny")).eval()
    src = torch.tensor([[5, 6, 7, 2]])
    padded = torch.tensor([[5, 6, 7, 2, 0, 0, 0]])
    tgt = torch.tensor([[1, 9, 10]])
    torch.testing.assert_close(model(src, tgt), model(padded, tgt), atol=1e-5, rtol=1e-5)


def test_the_decoder_may_have_its_own_positional_kind():
    cfg = ModelConfig.preset("tiny", positional="sinusoidal", decoder_positional="none")
    assert cfg.decoder_positional_kind == "none" and ModelConfig.preset("tiny").decoder_positional_kind == "sinusoidal"
    model = Transformer(cfg)
    assert type(model.encoder.embed.positions).__name__ == "SinusoidalEncoding"
    assert type(model.decoder.embed.positions).__name__ == "NoEncoding"
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg
    old = {k: v for k, v in PRESETS["cpu"].to_dict().items() if k != "decoder_positional"}
    assert ModelConfig.from_dict(old).decoder_positional_kind == "sinusoidal"  # a checkpoint saved before the field


@pytest.mark.parametrize("change, message", [
    ({"decoder_positional": "absolute"}, "decoder_positional='absolute' is unknown; choose one of"),
    ({"decoder_positional": "rotary", "d_model": 12, "n_heads": 4}, "d_head=3 must be even"),
])
def test_a_decoder_kind_that_cannot_work_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        ModelConfig(**change)
