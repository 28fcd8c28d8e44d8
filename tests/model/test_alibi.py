"""ALiBi: the slopes, the bias by hand, where it acts (encoder and decoder self-attention, not cross-attention),
the two attention paths, padding and causal masks, the key/value cache, and a model that learns with it."""

import pytest
import torch

from attnlib import KVCache, ModelConfig, MultiHeadAttention, Transformer, causal_mask, combine, lengths_mask
from attnlib import scaled_dot_product_attention
from attnlib.model.positional import ALiBi, NoEncoding, alibi_slopes


def test_slopes_are_the_papers_geometric_sequence():
    torch.testing.assert_close(alibi_slopes(8), torch.tensor([2.0 ** -h for h in range(1, 9)]))
    torch.testing.assert_close(alibi_slopes(4), torch.tensor([1 / 4, 1 / 16, 1 / 64, 1 / 256]))
    assert alibi_slopes(1).tolist() == [2.0 ** -8]
    with pytest.raises(ValueError, match="at least one head"):
        alibi_slopes(0)


def test_the_bias_by_hand():
    bias = ALiBi(2)(3, 3)  # two heads, slopes 1/16 and 1/256, three positions
    assert bias.shape == (1, 2, 3, 3)
    by_hand = torch.tensor([[0, -1, -2], [-1, 0, -1], [-2, -1, 0]], dtype=torch.float32)  # -|i - j|
    torch.testing.assert_close(bias[0, 0], by_hand / 16)
    torch.testing.assert_close(bias[0, 1], by_hand / 256)
    # one new query at position 4, after 4 cached keys: it sees keys 0..4 at distances 4, 3, 2, 1, 0
    step = ALiBi(2)(1, 5, offset=4)
    torch.testing.assert_close(step[0, 0, 0], torch.tensor([-4.0, -3, -2, -1, 0]) / 16)


def test_it_adds_the_penalty_to_the_scores_of_each_head():
    torch.manual_seed(0)
    mha = MultiHeadAttention(8, 2, alibi=ALiBi(2))
    plain = MultiHeadAttention(8, 2)
    plain.load_state_dict(mha.state_dict())
    x = torch.randn(1, 4, 8)
    _, w = mha(x, need_weights=True)
    _, w0 = plain(x, need_weights=True)
    # softmax(s + b) ∝ softmax(s) · exp(b): the weights' ratio to the plain ones is exp(-m |i - j|), renormalised
    ratio = (w / w0) / (w / w0)[..., :1]  # (1, H, T, T), relative to key 0
    d = (torch.arange(4)[:, None] - torch.arange(4)[None, :]).abs()
    expected = torch.exp(-alibi_slopes(2)[:, None, None] * d)
    torch.testing.assert_close(ratio[0], expected / expected[..., :1], atol=1e-5, rtol=1e-5)


MASKS = {
    "none": None,
    "padding": lengths_mask([6, 3], 6),
    "causal": causal_mask(6),
    "padding+causal": combine(lengths_mask([6, 3], 6), causal_mask(6)),
}


@pytest.mark.parametrize("mask_name", list(MASKS))
def test_explicit_and_fused_paths_agree_with_the_bias(mask_name):
    torch.manual_seed(1)
    mha = MultiHeadAttention(16, 4, alibi=ALiBi(4)).eval()
    x = torch.randn(2, 6, 16, requires_grad=True)
    mask = MASKS[mask_name]
    fused, none = mha(x, mask=mask)
    explicit, weights = mha(x, mask=mask, need_weights=True)
    assert none is None and weights.shape == (2, 4, 6, 6)
    torch.testing.assert_close(fused, explicit, atol=1e-5, rtol=1e-5)
    g_fused, = torch.autograd.grad(fused.square().sum(), x)
    g_explicit, = torch.autograd.grad(explicit.square().sum(), x)
    torch.testing.assert_close(g_fused, g_explicit, atol=1e-4, rtol=1e-4)
    if mask is not None:  # what the mask hides gets no weight, bias or not
        assert torch.all(weights.masked_select(~mask.expand_as(weights)) == 0)


def test_a_bias_on_a_fully_masked_row_still_gives_zeros_not_nan():
    q, k, v = torch.randn(1, 2, 3, 4), torch.randn(1, 2, 3, 4), torch.randn(1, 2, 3, 4)
    mask = torch.ones(1, 1, 3, 3, dtype=torch.bool)
    mask[0, 0, 1] = False
    bias = ALiBi(2)(3, 3)
    for need_weights in (False, True):
        out, _ = scaled_dot_product_attention(q, k, v, mask, bias=bias, need_weights=need_weights)
        assert not out.isnan().any() and torch.all(out[:, :, 1] == 0)


@pytest.mark.parametrize("bias, message", [
    (torch.zeros(1, 2, 3, 3, dtype=torch.long), "must hold floating-point numbers"),
    (torch.zeros(1, 5, 3, 3), "bias of shape \\(1, 5, 3, 3\\) does not broadcast"),
])
def test_a_bad_bias_is_refused_clearly(bias, message):
    q = torch.randn(1, 2, 3, 4)
    with pytest.raises(ValueError, match=message):
        scaled_dot_product_attention(q, q, q, bias=bias)


def test_cached_self_attention_counts_positions_from_the_cache():
    torch.manual_seed(2)
    mha = MultiHeadAttention(16, 4, alibi=ALiBi(4)).eval()
    x = torch.randn(2, 6, 16)
    full, _ = mha(x, mask=causal_mask(6))
    cache = KVCache()
    first, _ = mha(x[:, :2], mask=causal_mask(2), cache=cache)  # a prefix of two at once, then one at a time
    steps = [mha(x[:, i : i + 1], mask=causal_mask(1, i + 1), cache=cache)[0] for i in range(2, 6)]
    torch.testing.assert_close(torch.cat([first, *steps], 1), full, atol=1e-5, rtol=1e-5)


def test_the_translator_puts_alibi_in_self_attention_only():
    model = Transformer(ModelConfig.preset("tiny", positional="alibi", n_decoder_layers=2))
    assert isinstance(model.encoder.embed.positions, NoEncoding) and isinstance(model.decoder.embed.positions, NoEncoding)
    assert all(layer.self_attn.alibi is not None for layer in (*model.encoder.layers, *model.decoder.layers))
    assert all(layer.cross_attn.alibi is None for layer in model.decoder.layers)
    assert not any("slopes" in name for name, _ in model.named_parameters())  # nothing learned
    assert "slopes" not in "".join(model.state_dict())  # nor saved: it is a formula


def test_with_alibi_the_encoder_is_no_longer_a_bag_of_words():
    model = Transformer(ModelConfig.preset("tiny", positional="alibi")).eval()
    src = torch.tensor([[5, 6, 7, 8, 2]])
    memory, _ = model.encode(src)
    swapped, _ = model.encode(src[:, [1, 0, 2, 3, 4]])
    # without positions, swapping two words only swaps their states; with ALiBi the states change
    assert not torch.allclose(swapped[:, [1, 0, 2, 3, 4]], memory, atol=1e-4)


def test_padding_in_the_source_changes_nothing_with_alibi():
    model = Transformer(ModelConfig.preset("tiny", positional="alibi")).eval()
    tgt = torch.tensor([[1, 9, 10]])
    torch.testing.assert_close(model(torch.tensor([[5, 6, 7, 2]]), tgt),
                               model(torch.tensor([[5, 6, 7, 2, 0, 0, 0]]), tgt), atol=1e-5, rtol=1e-5)


def test_a_translator_learns_with_alibi():
    torch.manual_seed(0)
    cfg = ModelConfig.preset("tiny", positional="alibi")
    model = Transformer(cfg)
    src = torch.randint(4, cfg.src_vocab_size, (4, 6))
    tgt = torch.cat([torch.ones(4, 1, dtype=torch.long), torch.randint(4, cfg.tgt_vocab_size, (4, 6))], 1)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(150):
        logits = model(src, tgt[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, cfg.tgt_vocab_size), tgt[:, 1:].reshape(-1))
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert losses[0] > 3.5 and losses[-1] < 0.05  # memorised: from chance (ln 64 ≈ 4.2) to almost certain
