"""The translator exported to ONNX for the published page computes what the PyTorch model computes."""

import json

import numpy as np
import onnxruntime as ort
import pytest
import torch

from attnlib.model.capture import capture_attention, cross_attention_layers
from attnlib.translation.corpus import load_split
from attnlib.translation.onnx_export import export_translator
from attnlib.translation.translator import INPUT_MESSAGES, OUTPUT_NOTES, Translator
from attnlib.translation.vocab import BOS_ID, ELISIONS, PUNCTUATION, SENTENCE_ENDS, WHITESPACE

TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def exported(shipped, tmp_path_factory):
    return export_translator(shipped, tmp_path_factory.mktemp("onnx"))


@pytest.fixture(scope="module")
def sessions(exported):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return (ort.InferenceSession(str(exported.encoder), options, providers=["CPUExecutionProvider"]),
            ort.InferenceSession(str(exported.decoder), options, providers=["CPUExecutionProvider"]))


@pytest.fixture
def json_only(monkeypatch):
    """Export writes translator.json and no graph (exporting the graphs takes seconds)."""
    monkeypatch.setattr("attnlib.translation.onnx_export.export_graph", lambda *args, **kwargs: None)


@pytest.mark.slow  # the graphs' tests export them: about 12 s
@torch.no_grad()
def test_graphs_match_pytorch_on_every_test_pair(shipped, sessions):
    """Memory, next-token logits and choice, every cross-attention head and their mean, for the gold
    prefix of each test pair."""
    encoder, decoder = sessions
    model, names = shipped.model, cross_attention_layers(shipped.model)
    worst = {"memory": 0.0, "logits": 0.0, "attention": 0.0, "head mean": 0.0}
    pairs = load_split("test")
    for pair in pairs:
        src = torch.tensor([shipped.src_vocab.encode(pair.src)])  # (1, S)
        prefix = torch.tensor([[BOS_ID, *shipped.tgt_vocab.encode(pair.tgt, add_eos=False)]])  # (1, T)
        memory, src_mask = model.encode(src)
        with capture_attention(model, names) as patterns:
            logits = model.decode(prefix, memory, src_mask)[:, -1]  # (1, V)
        attention = torch.cat([patterns[n] for n in names])  # (L, H, T, S)
        (onnx_memory,) = encoder.run(None, {"source": src.numpy()})
        onnx_logits, onnx_next, onnx_attention, onnx_mean = decoder.run(
            None, {"prefix": prefix.numpy(), "memory": onnx_memory, "source": src.numpy()})
        assert onnx_attention.shape == tuple(attention.shape)
        assert onnx_next.tolist() == logits.argmax(-1).tolist()  # the token greedy decoding writes
        for key, ours, theirs in (("memory", onnx_memory, memory), ("logits", onnx_logits, logits),
                                  ("attention", onnx_attention, attention), ("head mean", onnx_mean, attention.mean(1))):
            worst[key] = max(worst[key], float(np.abs(ours - theirs.numpy()).max()))
    assert len(pairs) >= 1000
    assert max(worst.values()) < TOLERANCE, worst


@pytest.mark.slow
def test_the_decoder_graph_takes_any_prefix_and_source_length(shipped, sessions):
    """Shapes are not frozen at the example used for export: one token, and the longest input."""
    encoder, decoder = sessions
    limit = shipped.model.cfg.max_len
    src = np.array([shipped.src_vocab.encode("the cat " * ((limit - 1) // 2))], dtype=np.int64)  # (1, 63)
    (memory,) = encoder.run(None, {"source": src})
    for length in (1, limit - 1):
        prefix = np.full((1, length), BOS_ID, dtype=np.int64)
        logits, _, attention, _ = decoder.run(None, {"prefix": prefix, "memory": memory, "source": src})
        cfg = shipped.model.cfg
        assert logits.shape == (1, cfg.tgt_vocab_size)
        assert attention.shape == (cfg.n_decoder_layers, cfg.n_heads, length, src.shape[1])
        np.testing.assert_allclose(attention.sum(-1), 1.0, atol=1e-5)  # each row is a distribution


def test_page_config_carries_the_python_tokenizer_vocabularies_and_messages(shipped, tmp_path, json_only):
    config = json.loads(export_translator(shipped, tmp_path).config.read_text())
    assert config["source_tokens"] == shipped.src_vocab.itos
    assert config["target_tokens"] == shipped.tgt_vocab.itos
    assert config["messages"] == INPUT_MESSAGES
    assert config["max_len"] == shipped.model.cfg.max_len
    assert config["tokenizer"] == {"punctuation": PUNCTUATION, "elisions": list(ELISIONS), "whitespace": WHITESPACE,
                                   "sentence_ends": SENTENCE_ENDS}
    assert config["notes"] == OUTPUT_NOTES
    assert config["known_words"] == len(shipped.src_vocab) - 4  # the four specials are not words


def test_the_caller_adds_settings_of_its_own_page(shipped, tmp_path, json_only):
    files = export_translator(shipped, tmp_path, page={"display": {"row_px": 28}})
    assert json.loads(files.config.read_text())["display"] == {"row_px": 28}


@pytest.mark.slow  # a second export: the book builds the same way twice
def test_export_is_byte_for_byte_the_same_twice(shipped, exported, tmp_path):
    again = export_translator(shipped, tmp_path)
    for first, second in zip(exported.files, again.files):
        assert first.read_bytes() == second.read_bytes(), first.name
    assert exported.n_bytes < 8e6  # the page downloads these: a few MB, not tens


def test_export_refuses_a_translator_on_another_device(shipped, tmp_path, monkeypatch):
    monkeypatch.setattr(Translator, "device", property(lambda self: torch.device("cuda")))
    with pytest.raises(ValueError, match="CPU"):
        export_translator(shipped, tmp_path)
