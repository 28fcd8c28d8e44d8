"""Pattern capture: right keys and shapes, no hook left behind."""

import pytest
import torch

from attnlib import ModelConfig, MultiHeadAttention, Transformer, attention_layers, capture_attention
from attnlib.model.capture import attention_layer


@pytest.fixture
def model():
    return Transformer(ModelConfig.preset("tiny", n_encoder_layers=2, n_decoder_layers=2)).eval()


def batch():
    src = torch.tensor([[5, 6, 7, 8, 2], [9, 10, 2, 0, 0]])
    tgt = torch.tensor([[1, 11, 12, 13], [1, 14, 0, 0]])
    return src, tgt


def hooks_left(model):
    return sum(len(m._forward_hooks) for m in model.modules()) + sum(m.tap.active for m in attention_layers(model).values())


def test_captures_every_layer_with_the_right_shapes(model):
    src, tgt = batch()
    with capture_attention(model) as patterns:
        logits = model(src, tgt)
    assert set(patterns) == {
        "encoder.layers.0.self_attn", "encoder.layers.1.self_attn",
        "decoder.layers.0.self_attn", "decoder.layers.0.cross_attn",
        "decoder.layers.1.self_attn", "decoder.layers.1.cross_attn",
    }
    assert patterns["encoder.layers.1.self_attn"].shape == (2, 4, 5, 5)
    assert patterns["decoder.layers.0.self_attn"].shape == (2, 4, 4, 4)
    assert patterns["decoder.layers.1.cross_attn"].shape == (2, 4, 4, 5)
    # captured weights are real attention: padding keys get nothing, the future gets nothing
    assert (patterns["encoder.layers.0.self_attn"][1, :, :, 3:] == 0).all()
    assert torch.triu(patterns["decoder.layers.0.self_attn"][0], diagonal=1).abs().max() == 0
    assert hooks_left(model) == 0
    # capturing does not change the model's output
    torch.testing.assert_close(model(src, tgt), logits, atol=1e-5, rtol=1e-5)


def test_attention_layer_names_the_modules_the_model_has(model):
    names = {attention_layer("encoder", i, "self") for i in range(2)}
    names |= {attention_layer("decoder", i, kind) for i in range(2) for kind in ("self", "cross")}
    assert names == set(attention_layers(model))
    assert attention_layer("decoder", 1, "cross") == "decoder.layers.1.cross_attn"


@pytest.mark.parametrize("args, message", [
    (("decoder", 0, "masked"), "kind must be one of \\['self', 'cross'\\], got 'masked'"),
    (("encoder", 0, "cross"), "the encoder has no cross-attention"),
    (("generator", 0, "self"), "stack must be one of"),
    (("encoder", -1, "self"), "whole number from 0, got -1"),
    (("encoder", "0", "self"), "whole number from 0"),
])
def test_attention_layer_refuses_what_the_model_does_not_have(args, message):
    with pytest.raises(ValueError, match=message):
        attention_layer(*args)


def test_only_the_named_layers_are_captured_and_nothing_is_kept_afterwards(model):
    src, tgt = batch()
    with capture_attention(model, ["decoder.layers.1.cross_attn"]) as patterns:
        model(src, tgt)
    assert list(patterns) == ["decoder.layers.1.cross_attn"]
    model(src, tgt)  # a later pass records nothing more
    assert list(patterns) == ["decoder.layers.1.cross_attn"]
    assert not any(hasattr(m, "attn") for m in model.modules())


def test_hooks_are_removed_even_when_the_forward_pass_raises(model):
    with pytest.raises(ValueError):
        with capture_attention(model):
            model(torch.tensor([[5, 999]]), torch.tensor([[1]]))  # id outside the vocabulary
    assert hooks_left(model) == 0


def test_unknown_layer_names_are_listed(model):
    with pytest.raises(ValueError, match="no attention layer named .*encoder.layers.0.self_attn"):
        with capture_attention(model, ["encoder.layer.0"]):
            pass


def test_a_bare_attention_layer_can_be_captured():
    mha = MultiHeadAttention(16, 2)
    with capture_attention(mha) as patterns:
        mha(torch.randn(1, 3, 16))
    assert patterns["self"].shape == (1, 2, 3, 3)
