"""The recurrent encoder-decoder: shapes, its attention, step-by-step decoding, padding, bad configs and input."""

import pytest
import torch

from attnlib.model.capture import capture_attention, cross_attention_layers
from attnlib.model.config import PRESETS, RNN_PRESETS, RNNConfig
from attnlib.model.recurrent import AdditiveAttention, RNNEncoderDecoder
from attnlib.model.transformer import Transformer

BOOK_VOCABS = {"src_vocab_size": 589, "tgt_vocab_size": 850}  # the corpus's 585 English and 846 French words + 4


def batch(cfg: RNNConfig):
    """Two sentences of 5 and 3 tokens (the second padded), and a teacher-forced target of 4 tokens."""
    g = torch.Generator().manual_seed(0)
    src = torch.randint(4, cfg.src_vocab_size, (2, 5), generator=g)
    src[1, 3:] = cfg.pad_id
    tgt = torch.randint(4, cfg.tgt_vocab_size, (2, 4), generator=g)
    return src, tgt


@pytest.fixture(params=[True, False], ids=["bidirectional", "unidirectional"])
def model(request):
    torch.manual_seed(0)
    return RNNEncoderDecoder(RNNConfig.preset("tiny", bidirectional=request.param, n_encoder_layers=2)).eval()


def test_shapes_of_memory_logits_and_attention(model):
    cfg = model.cfg
    src, tgt = batch(cfg)
    memory, src_mask = model.encode(src)
    assert memory.shape == (2, 5, cfg.d_memory) and src_mask.shape == (2, 1, 1, 5)
    assert cfg.d_memory == cfg.d_hidden * (2 if cfg.bidirectional else 1)
    assert (memory[1, 3:] == 0).all()  # no state at the padding
    with capture_attention(model) as patterns:
        logits = model(src, tgt)
    assert logits.shape == (2, 4, cfg.tgt_vocab_size)
    assert list(patterns) == cross_attention_layers(model) == ["decoder.cross_attn"]
    assert patterns["decoder.cross_attn"].shape == (2, 1, 4, 5)  # (B, one head, T, S)


def test_attention_weights_sum_to_one_and_are_zero_on_padding(model):
    src, tgt = batch(model.cfg)
    with capture_attention(model) as patterns:
        model(src, tgt)
    w = patterns["decoder.cross_attn"][:, 0]  # (B, T, S)
    assert torch.allclose(w.sum(-1), torch.ones(2, 4), atol=1e-6)
    assert (w[1, :, 3:] == 0).all() and (w[1, :, :3] > 0).all()


def test_teacher_forced_logits_equal_step_by_step_decoding(model):
    src, tgt = batch(model.cfg)
    with torch.no_grad():
        forced = model(src, tgt)  # (B, T, V)
        memory, src_mask = model.encode(src)
        caches = model.new_caches()
        steps = [model.decode_step(tgt[:, t : t + 1], memory, src_mask, caches) for t in range(tgt.shape[1])]
    assert caches[0][0].length == tgt.shape[1]  # the carried state has read every token
    assert torch.allclose(forced, torch.cat(steps, dim=1), atol=1e-5)


def test_a_sentence_decodes_the_same_alone_and_padded_in_a_batch(model):
    src, tgt = batch(model.cfg)
    with torch.no_grad():
        together = model(src, tgt)[1]
        alone = model(src[1:, :3], tgt[1:])[0]  # the second sentence without its padding
    assert torch.allclose(together, alone, atol=1e-5)


def test_the_additive_score_is_v_tanh_of_w_s_plus_u_h():
    torch.manual_seed(0)
    att = AdditiveAttention(d_query=3, d_memory=4, d_attention=5)
    s, h = torch.randn(1, 3), torch.randn(1, 2, 4)
    mask = torch.tensor([[True, True]])
    context, w = att(s, att.keys(h), h, mask)
    by_hand = torch.stack([att.score.weight[0] @ torch.tanh(att.query.weight @ s[0] + att.key(h[0, j])) for j in range(2)])
    assert torch.allclose(w[0], torch.softmax(by_hand, -1), atol=1e-6)
    assert torch.allclose(context[0], w[0] @ h[0], atol=1e-6)


def test_it_learns_to_copy_a_tiny_batch():
    torch.manual_seed(0)
    cfg = RNNConfig.preset("tiny")
    model = RNNEncoderDecoder(cfg)
    src = torch.randint(4, cfg.src_vocab_size, (4, 6))
    tgt = torch.cat([torch.ones(4, 1, dtype=torch.long), src], 1)  # <bos>, then the source again
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(120):
        loss = torch.nn.functional.cross_entropy(model(src, tgt[:, :-1]).flatten(0, 1), tgt[:, 1:].flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[0] > 3.5 and losses[-1] < 0.05  # from chance (ln 64 ≈ 4.2) to almost certain


@pytest.mark.parametrize("preset", ["tiny", "cpu", "gpu"])
def test_each_preset_is_about_as_large_as_the_transformers(preset):
    gru = RNNEncoderDecoder(RNN_PRESETS[preset].replace(**BOOK_VOCABS)).num_parameters()
    transformer = Transformer(PRESETS[preset].replace(**BOOK_VOCABS)).num_parameters()
    assert abs(gru / transformer - 1) < 0.03  # within 3%: a comparison of like with like


def test_config_round_trips_and_refuses_what_cannot_be_built():
    cfg = RNN_PRESETS["cpu"]
    assert RNNConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        RNNConfig.preset("huge")
    with pytest.raises(ValueError, match="unknown config field.*n_heads"):
        RNNConfig.preset("tiny", n_heads=4)
    for field, value, match in [("d_hidden", 0, "d_hidden=0 must be positive"),
                                ("d_attention", -1, "d_attention=-1 must be positive"),
                                ("n_encoder_layers", 0, "n_encoder_layers=0 must be positive"),
                                ("dropout", 1.0, r"dropout=1.0 must be in \[0, 1\)"),
                                ("pad_id", 64, "pad_id=64 must be a token id of both vocabularies"),
                                ("bidirectional", "yes", "bidirectional must be True or False")]:
        with pytest.raises(ValueError, match=match):
            RNNConfig.preset("tiny", **{field: value})


@pytest.mark.parametrize("src, match", [
    (torch.ones(2, 3), "integer tensor"),
    (torch.full((1, 3), 64), "outside the vocabulary"),
    (torch.tensor([[5, 6, 2], [0, 0, 0]]), "row 1 holds only padding"),
    (torch.tensor([[5, 0, 6]]), "padding must come after"),
])
def test_bad_input_is_refused_with_what_to_change(src, match):
    model = RNNEncoderDecoder(RNNConfig.preset("tiny"))
    with pytest.raises(ValueError, match=match):
        model(src, torch.ones(src.shape[0] if src.dim() == 2 else 1, 2, dtype=torch.long))
