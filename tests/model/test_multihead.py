"""Multi-head attention: agreement with torch, head bookkeeping, equivariance, caching."""

import pytest
import torch
from hypothesis import given, strategies as st

from attnlib.model.interop import to_torch_multihead
from attnlib import KVCache, ModelConfig, MultiHeadAttention, causal_mask, lengths_mask, merge_heads, split_heads


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("kind", ["self", "cross", "causal", "padding"])
def test_reproduces_torch_multihead_attention(kind, bias):
    ours = MultiHeadAttention(32, 4, bias=bias)
    ref = to_torch_multihead(ours)
    x = torch.randn(3, 6, 32)
    mem = torch.randn(3, 9, 32) if kind in ("cross", "padding") else x
    mask = None
    torch_kwargs = {}
    if kind == "causal":
        mask = causal_mask(6)
        torch_kwargs["attn_mask"] = ~mask[0, 0]  # torch: True = *not* allowed
    if kind == "padding":
        mask = lengths_mask([9, 4, 7], 9)
        torch_kwargs["key_padding_mask"] = ~mask[:, 0, 0]
    out, weights = ours(x, mem, mask=mask, need_weights=True)
    ref_out, ref_weights = ref(x, mem, mem, average_attn_weights=False, **torch_kwargs)
    torch.testing.assert_close(out, ref_out, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(weights, ref_weights, atol=1e-5, rtol=1e-5)
    fast, none = ours(x, mem, mask=mask)
    assert none is None
    torch.testing.assert_close(fast, ref_out, atol=1e-5, rtol=1e-5)


@given(b=st.integers(1, 3), t=st.integers(1, 8), h=st.sampled_from([1, 2, 4, 8]), dh=st.integers(1, 6))
def test_split_and_merge_heads_are_inverses(b, t, h, dh):
    x = torch.randn(b, t, h * dh)
    heads = split_heads(x, h)
    assert heads.shape == (b, h, t, dh)
    # head i holds features [i*dh, (i+1)*dh) of every position
    torch.testing.assert_close(heads[:, 1 % h], x[..., (1 % h) * dh : (1 % h + 1) * dh])
    torch.testing.assert_close(merge_heads(heads), x)


@given(t=st.integers(2, 8), seed=st.integers(0, 1000))
def test_self_attention_without_positions_is_permutation_equivariant(t, seed):
    torch.manual_seed(seed)
    mha = MultiHeadAttention(16, 4)
    x = torch.randn(1, t, 16)
    perm = torch.randperm(t)
    out, _ = mha(x)
    out_perm, _ = mha(x[:, perm])
    torch.testing.assert_close(out_perm, out[:, perm], atol=1e-5, rtol=1e-5)  # shuffle in = shuffle out


def test_heads_that_do_not_divide_the_width_are_rejected_clearly():
    with pytest.raises(ValueError, match="not divisible by n_heads=3"):
        MultiHeadAttention(32, 3)
    with pytest.raises(ValueError, match="not divisible by n_heads=5"):
        ModelConfig(d_model=32, n_heads=5)


def test_wrong_input_width_is_rejected_clearly():
    mha = MultiHeadAttention(16, 2)
    with pytest.raises(ValueError, match=r"shape \(batch, length, 16\)"):
        mha(torch.randn(2, 5, 12))
    with pytest.raises(ValueError, match="same batch and length"):
        mha(torch.randn(2, 5, 16), torch.randn(2, 6, 16), torch.randn(2, 7, 16))


def test_parameter_count_does_not_depend_on_the_number_of_heads():
    counts = {h: sum(p.numel() for p in MultiHeadAttention(64, h).parameters()) for h in (1, 2, 4, 8, 16)}
    assert len(set(counts.values())) == 1 and counts[1] == 4 * (64 * 64 + 64)


def test_incremental_self_attention_with_cache_equals_full_causal_attention():
    mha = MultiHeadAttention(16, 4).eval()
    x = torch.randn(2, 6, 16)
    full, _ = mha(x, mask=causal_mask(6))
    cache = KVCache()
    steps = []
    for i in range(6):
        out, _ = mha(x[:, i : i + 1], mask=causal_mask(1, i + 1), cache=cache)
        steps.append(out)
    assert cache.length == 6
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=1e-5, rtol=1e-5)


def test_the_cache_keeps_its_own_books():
    cache = KVCache()
    k1, v1 = torch.randn(2, 2, 1, 4), torch.randn(2, 2, 1, 4)
    assert cache.append(k1, v1)[0] is k1 and cache.length == 1
    k, v = cache.append(torch.randn(2, 2, 1, 4), torch.randn(2, 2, 1, 4))
    assert k.shape == (2, 2, 2, 4) and torch.equal(k[:, :, :1], k1) and cache.length == 2
    cache.reorder(torch.tensor([1, 1, 0]))  # three beams: two from row 1, one from row 0
    assert cache.k.shape == (3, 2, 2, 4) and torch.equal(cache.k[0], k[1]) and torch.equal(cache.v[2], v[0])
    static = KVCache(static=True)
    static.append(k1, v1)
    with pytest.raises(RuntimeError, match="filled once"):
        static.append(k1, v1)
