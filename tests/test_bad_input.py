"""Bad input to the library gets a ValueError (or CheckpointError) that says what to change, never a
crash from deep inside torch, a silent wrong answer, or a capture that quietly records nothing."""

import pytest
import torch

from attnlib import ModelConfig, MultiHeadAttention, capture_attention, lengths_mask, scaled_dot_product_attention
from attnlib.book.bertviz import to_bertviz
from attnlib.model.capture import attention_layer
from attnlib.translation.checkpoint import CheckpointError, load_checkpoint
from attnlib.translation.evaluate import evaluate


@pytest.mark.parametrize("heads", [0, -2])
def test_head_counts_below_one_are_refused(heads):
    with pytest.raises(ValueError, match="at least 1"):
        MultiHeadAttention(16, heads)


@pytest.mark.parametrize("change, message", [
    ({"pad_id": 64}, "pad_id=64 must be a token id"),
    ({"pad_id": -1}, "pad_id=-1"),
    ({"n_encoder_layers": -1}, "n_encoder_layers=-1 must be positive"),
    ({"n_decoder_layers": 0}, "n_decoder_layers=0 must be positive"),
])
def test_model_configs_that_cannot_work_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        ModelConfig(**change)


def test_lengths_must_be_one_per_sequence():
    with pytest.raises(ValueError, match="one length per sequence"):
        lengths_mask([])
    with pytest.raises(ValueError, match="negative"):
        lengths_mask([3, -1])


def test_integer_queries_keys_and_values_are_refused_not_softmaxed_to_zero():
    q = torch.ones(1, 2, 4, dtype=torch.long)
    with pytest.raises(ValueError, match="floating-point.*float()"):
        scaled_dot_product_attention(q, q, q, need_weights=True)


def test_nested_captures_of_one_layer_both_record():
    layer = MultiHeadAttention(8, 2)
    x = torch.randn(1, 3, 8)
    with capture_attention(layer) as outer:
        with capture_attention(layer) as inner:
            layer(x)
        assert "self" in inner
        outer.clear()
        layer(x)  # the inner capture has ended: the outer one still records
        assert outer["self"].shape == (1, 2, 3, 3)
    assert not layer.tap.active


def test_to_bertviz_refuses_a_sentence_the_capture_does_not_hold(shipped):
    src = shipped.source_ids("the cat sees the dog")
    with torch.no_grad(), capture_attention(shipped.model) as patterns:
        shipped.model(src, torch.tensor([[1, 5]]))
    assert len(to_bertviz(patterns, "cross", index=0)) == shipped.model.cfg.n_decoder_layers
    with pytest.raises(ValueError, match="holds 1 sentence"):
        to_bertviz(patterns, "cross", index=3)
    first = {attention_layer("decoder", 0, "self"), attention_layer("decoder", 0, "cross")}
    partial = {k: v for k, v in patterns.items() if k not in first}
    with pytest.raises(ValueError, match="not all captured|no cross"):
        to_bertviz(partial, "cross")


@pytest.mark.parametrize("text", ["<bos> the cat", "the <pad> cat", "the cat <eos>", "<unk>"])
def test_special_tokens_typed_as_words_are_refused(shipped, text):
    with pytest.raises(ValueError, match="model's own tokens"):
        shipped.translate(text)


def test_beam_and_batch_sizes_below_one_are_refused(shipped):
    with pytest.raises(ValueError, match="beam size"):
        shipped.translate("the cat sees the dog", beam_size=0)
    with pytest.raises(ValueError, match="batch_size"):
        shipped.translate_batch(["the cat sees the dog ."], batch_size=0)


def test_an_empty_split_cannot_be_scored(shipped):
    with pytest.raises(ValueError, match="holds no pairs"):
        evaluate(shipped, [], "test")


def test_an_empty_checkpoint_file_says_so(tmp_path):
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(CheckpointError, match=r"is empty \(0 bytes\)"):
        load_checkpoint(tmp_path / "empty.pt")


def test_the_free_text_demo_shows_the_message_for_special_tokens():
    from attnlib.book.demo import Demo, Param
    from attnlib.figures import decoding as decoding_figures

    demo = Demo(decoding_figures.translation_figure, Param("sentence", ["the cat sees the dog"], free_text=True))
    fig = demo.figure(sentence="<bos> the cat")
    assert "model's own tokens" in fig.layout.annotations[0].text
