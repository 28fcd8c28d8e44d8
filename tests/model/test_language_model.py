"""The language models: their config, the causal and the padding mask, the cache, tied embeddings, capture."""

import pytest
import torch

from attnlib import LM_PRESETS, CausalLM, LMConfig, MaskedLM, ModelConfig, capture_attention
from attnlib.model.capture import attention_layer
from attnlib.model.layers import EncoderLayer


def ids(batch=2, length=7, vocab=64, seed=1):
    """Token ids without padding (ids 1..V-1)."""
    return torch.randint(1, vocab, (batch, length), generator=torch.Generator().manual_seed(seed))


# -- the config ------------------------------------------------------------------------------------------

def test_presets_build_and_grow_and_round_trip():
    sizes = {name: CausalLM(cfg).num_parameters() for name, cfg in LM_PRESETS.items()}
    assert sizes["tiny"] < sizes["cpu"] < sizes["gpu"]
    assert LMConfig.preset("cpu", vocab_size=590).vocab_size == 590
    assert LMConfig.from_dict(LM_PRESETS["cpu"].to_dict()) == LM_PRESETS["cpu"]
    with pytest.raises(ValueError, match="unknown preset 'huge'; choose one of \\['cpu', 'gpu', 'tiny'\\]"):
        LMConfig.preset("huge")
    with pytest.raises(ValueError, match="unknown config field\\(s\\) \\['n_encoder_layers'\\]"):
        LMConfig.preset("tiny", n_encoder_layers=2)


@pytest.mark.parametrize("change, message", [
    ({"n_heads": 3}, "d_model=128 is not divisible by n_heads=3: .*e.g. 1, 2, 4, 8, 16, 32"),
    ({"n_heads": 0}, "d_model \\(128\\) and n_heads \\(0\\) must be positive"),
    ({"positional": "absolute"}, "positional='absolute' is unknown; choose one of"),
    ({"positional": "rotary", "d_model": 12, "n_heads": 4}, "d_head=3 must be even"),
    ({"dropout": 1.0}, "dropout=1.0 must be in \\[0, 1\\)"),
    ({"vocab_size": 0}, "vocab_size=0 must be positive"),
    ({"n_layers": 0}, "n_layers=0 must be positive"),
    ({"max_len": -1}, "max_len=-1 must be positive"),
    ({"pad_id": 64}, "pad_id=64 must be a token id of the vocabulary \\(0 to 63\\)"),
])
def test_configs_that_cannot_work_are_refused_with_the_translators_messages(change, message):
    with pytest.raises(ValueError, match=message):
        LMConfig(**change)


def test_both_configs_share_one_check():
    for cfg_class in (LMConfig, ModelConfig):
        with pytest.raises(ValueError, match="d_model=32 is not divisible by n_heads=5: .*e.g. 1, 2, 4, 8, 16, 32"):
            cfg_class(d_model=32, n_heads=5)
    with pytest.raises(ValueError, match="pad_id=64 must be a token id of both vocabularies \\(0 to 63\\)"):
        ModelConfig(pad_id=64)


def test_a_language_model_needs_its_own_config():
    with pytest.raises(ValueError, match="built from an LMConfig"):
        CausalLM(ModelConfig.preset("tiny"))


# -- the two families -------------------------------------------------------------------------------------

@pytest.mark.parametrize("family", [CausalLM, MaskedLM])
def test_logits_have_one_score_per_token_and_position(family):
    model = family(LMConfig.preset("tiny")).eval()
    assert model(ids()).shape == (2, 7, 64)
    assert all(isinstance(layer, EncoderLayer) for layer in model.stack.layers)  # the encoder's own block


@pytest.mark.parametrize("ids_, match", [
    (torch.ones(2, 3), "integer tensor"),
    (torch.ones(5, dtype=torch.long), "integer tensor"),
    (torch.full((1, 3), 64), "outside the vocabulary \\[0, 64\\)"),
    (torch.ones(1, 0, dtype=torch.long), "is empty"),
])
@pytest.mark.parametrize("family", [CausalLM, MaskedLM])
def test_bad_token_ids_are_rejected_clearly(family, ids_, match):
    with pytest.raises(ValueError, match=match):
        family(LMConfig.preset("tiny"))(ids_)


def test_the_causal_model_never_looks_ahead_and_the_masked_one_does():
    torch.manual_seed(0)
    causal, masked = CausalLM(LMConfig.preset("tiny")).eval(), MaskedLM(LMConfig.preset("tiny")).eval()
    x = ids(1, 8)
    changed = x.clone()
    changed[0, 5] = (x[0, 5] % 63) + 1  # another token at position 5
    for model in (causal, masked):
        before, after = model(x), model(changed)
        moved = (before - after).abs().amax(-1)[0]  # (T,): how far each position's logits moved
        if model is causal:
            assert moved[:5].max() < 1e-6 and moved[5:].min() > 1e-4  # the past cannot see the future
        else:
            assert moved.min() > 1e-4  # every position sees position 5


def test_padding_changes_no_real_position():
    torch.manual_seed(0)
    x = ids(1, 5)
    padded = torch.cat([x, torch.zeros(1, 3, dtype=torch.long)], 1)  # pad_id 0 at the end
    for model in (CausalLM(LMConfig.preset("tiny")).eval(), MaskedLM(LMConfig.preset("tiny")).eval()):
        torch.testing.assert_close(model(padded)[:, :5], model(x), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("norm_first", [True, False])
def test_a_causal_model_learns_to_continue_a_sequence(norm_first):
    torch.manual_seed(0)
    cfg = LMConfig.preset("tiny", norm_first=norm_first)
    model = CausalLM(cfg)
    x = torch.randint(1, cfg.vocab_size, (4, 10))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    first = None
    for _ in range(150):
        logits = model(x[:, :-1])  # (B, T-1, V): each position predicts the next token
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, cfg.vocab_size), x[:, 1:].reshape(-1))
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert first > 3.5 and loss.item() < 0.1  # from chance (ln 64 ≈ 4.2) to memorised


# -- tied embeddings -------------------------------------------------------------------------------------

def test_tied_embeddings_share_one_matrix_and_save_v_times_d():
    tied = CausalLM(LMConfig.preset("tiny", tie_embeddings=True))
    untied = CausalLM(LMConfig.preset("tiny", tie_embeddings=False))
    assert tied.head.weight is tied.decoder.embed.tokens.weight
    assert untied.head.weight is not untied.decoder.embed.tokens.weight
    cfg = tied.cfg
    assert untied.num_parameters() - tied.num_parameters() == cfg.vocab_size * cfg.d_model
    # one matrix: a gradient step through the head moves the embedding too
    opt = torch.optim.SGD(tied.parameters(), lr=1.0)
    before = tied.decoder.embed.tokens.weight.detach().clone()
    tied.head(torch.ones(1, cfg.d_model)).sum().backward()
    opt.step()
    assert not torch.equal(tied.decoder.embed.tokens.weight, before)


# -- incremental decoding ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["sinusoidal", "learned", "rotary", "alibi"])
@pytest.mark.parametrize("norm_first", [True, False])
def test_cached_steps_give_the_uncached_logits(kind, norm_first):
    model = CausalLM(LMConfig.preset("tiny", positional=kind, norm_first=norm_first)).eval()
    x = ids(2, 9)
    full = model(x)  # (B, T, V)
    caches = model.new_caches()
    prompt = model.step(x[:, :4], caches)  # a prompt of 4 tokens at once, then one token per step
    steps = [model.step(x[:, i : i + 1], caches) for i in range(4, 9)]
    torch.testing.assert_close(torch.cat([prompt, *steps], 1), full, atol=1e-5, rtol=1e-5)
    assert all(c.length == 9 for c in caches)


def test_a_step_computes_only_the_new_position():
    model = CausalLM(LMConfig.preset("tiny")).eval()
    caches = model.new_caches()
    model.step(ids(1, 5), caches)
    with capture_attention(model) as patterns:
        model.step(ids(1, 1, seed=2), caches)
    # one query (the new token) against the six keys so far, in every layer
    assert {name: tuple(p.shape) for name, p in patterns.items()} == {
        attention_layer("decoder", i, "self"): (1, 4, 1, 6) for i in range(2)}


def test_steps_refuse_padding_and_the_wrong_caches():
    model = CausalLM(LMConfig.preset("tiny")).eval()
    with pytest.raises(ValueError, match="without padding \\(pad_id=0\\)"):
        model.step(torch.tensor([[5, 0]]), model.new_caches())
    with pytest.raises(ValueError, match="one cache per layer \\(2"):
        model.step(torch.tensor([[5]]), model.new_caches()[:1])
    caches = model.new_caches()
    model.step(ids(1, 30), caches)
    with pytest.raises(ValueError, match="does not fit the positional table of 32 positions"):
        model.step(ids(1, 3), caches)


# -- attention capture --------------------------------------------------------------------------------------

def test_capture_names_each_layer_as_the_translators_and_shows_each_mask():
    x = torch.tensor([[5, 6, 7, 8, 9], [10, 11, 12, 0, 0]])  # the second sentence padded
    for family, stack in ((CausalLM, "decoder"), (MaskedLM, "encoder")):
        model = family(LMConfig.preset("tiny")).eval()
        with capture_attention(model) as patterns:
            logits = model(x)
        assert set(patterns) == {attention_layer(stack, i, "self") for i in range(2)}
        maps = patterns[attention_layer(stack, 1, "self")]
        assert maps.shape == (2, 4, 5, 5)  # (B, H, T, T)
        torch.testing.assert_close(maps.sum(-1), torch.ones(2, 4, 5))
        assert (maps[1, :, :, 3:] == 0).all()  # padding gets no attention
        future = maps[0][:, torch.ones(5, 5, dtype=torch.bool).triu(1)]  # (H, 10): above the diagonal
        if family is CausalLM:
            assert future.abs().max() == 0
        else:
            assert future.min() > 0
        torch.testing.assert_close(model(x), logits, atol=1e-5, rtol=1e-5)  # capturing changes nothing
        assert not any(m._forward_hooks for m in model.modules())
