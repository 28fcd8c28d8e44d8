"""The two attention paths, masks, and clear errors."""

import pytest
import torch
from hypothesis import given, strategies as st

from attnlib import causal_mask, combine, lengths_mask, scaled_dot_product_attention

TOL = {torch.float64: 1e-10, torch.float32: 1e-5, torch.bfloat16: 3e-2}


def qkv(b=2, h=3, tq=5, tk=7, d=8, dtype=torch.float32, grad=False):
    make = lambda *s: torch.randn(*s, dtype=torch.float64).to(dtype).requires_grad_(grad)
    return make(b, h, tq, d), make(b, h, tk, d), make(b, h, tk, d)


def masks(b=2, tq=5, tk=7):
    pad = lengths_mask([tk, 3], tk)  # second sentence: only 3 real keys
    empty_row = torch.ones(b, 1, tq, tk, dtype=torch.bool)
    empty_row[1, 0, 2] = False  # one query that may see nothing
    return {
        "none": None,
        "padding": pad,
        "causal": causal_mask(tq, tk),
        "padding+causal": combine(pad, causal_mask(tq, tk)),
        "fully masked row": empty_row,
    }


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
@pytest.mark.parametrize("mask_name", list(masks()))
def test_explicit_and_fast_paths_agree_in_values_and_gradients(dtype, mask_name):
    mask = masks()[mask_name]
    q, k, v = qkv(dtype=dtype, grad=True)
    fast, none = scaled_dot_product_attention(q, k, v, mask)
    assert none is None  # the fast path never materialises weights
    grads_fast = torch.autograd.grad(fast.float().square().sum(), (q, k, v))
    explicit, weights = scaled_dot_product_attention(q, k, v, mask, need_weights=True)
    grads_explicit = torch.autograd.grad(explicit.float().square().sum(), (q, k, v))
    tol = TOL[dtype]
    torch.testing.assert_close(fast, explicit, atol=tol, rtol=tol)
    for a, b in zip(grads_fast, grads_explicit):
        torch.testing.assert_close(a, b, atol=10 * tol, rtol=10 * tol)
    assert weights.shape == (2, 3, 5, 7)


def test_masked_keys_get_zero_weight_and_fully_masked_row_gives_zeros_not_nan():
    q, k, v = qkv()
    mask = masks()["fully masked row"] & lengths_mask([7, 3], 7)
    out, w = scaled_dot_product_attention(q, k, v, mask, need_weights=True)
    fast, _ = scaled_dot_product_attention(q, k, v, mask)
    assert not torch.isnan(out).any() and not torch.isnan(fast).any()
    assert (w[1, :, :, 3:] == 0).all()  # padding keys of sentence 2
    assert (w[1, :, 2] == 0).all() and (out[1, :, 2] == 0).all() and (fast[1, :, 2] == 0).all()


def test_a_fully_masked_row_leaves_the_other_rows_as_the_plain_masked_softmax():
    g = torch.Generator().manual_seed(0)
    q, k, v = torch.randn(2, 4, generator=g), torch.randn(3, 4, generator=g), torch.randn(3, 2, generator=g)
    mask = torch.tensor([[True, True, False], [False, False, False]])  # the second query may see nothing
    out, w = scaled_dot_product_attention(q, k, v, mask, need_weights=True)
    plain = torch.softmax((q @ k.T / 4 ** 0.5).masked_fill(~mask, float("-inf")), dim=-1)  # NaN in the empty row
    assert torch.isnan(plain[1]).all()
    torch.testing.assert_close(w[0], plain[0])
    torch.testing.assert_close(out[0], plain[0] @ v)
    assert not torch.isnan(out).any()


def test_scale_argument_one_means_unscaled():
    q, k, v = qkv()
    _, w = scaled_dot_product_attention(q, k, v, need_weights=True, scale=1.0)
    torch.testing.assert_close(w, torch.softmax(q @ k.transpose(-2, -1), -1))


@given(
    tq=st.integers(1, 9), tk=st.integers(1, 9), d=st.integers(1, 16),
    seed=st.integers(0, 10_000), masked=st.booleans(),
)
def test_each_row_of_weights_sums_to_one(tq, tk, d, seed, masked):
    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(1, n, d, generator=g) * 3 for n in (tq, tk, tk))
    mask = (torch.rand(1, tq, tk, generator=g) > 0.3) if masked else None
    _, w = scaled_dot_product_attention(q, k, v, mask, need_weights=True)
    sums = w.sum(-1)
    expected = torch.ones_like(sums) if mask is None else mask.any(-1).float()  # empty rows sum to 0
    torch.testing.assert_close(sums, expected)
    assert (w >= 0).all() and not torch.isnan(w).any()


@given(t=st.integers(2, 10), cut=st.integers(1, 9), seed=st.integers(0, 10_000))
def test_causal_mask_leaks_nothing_from_the_future(t, cut, seed):
    cut = min(cut, t - 1)
    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(1, 2, t, 4, generator=g) for _ in range(3))
    k2, v2 = k.clone(), v.clone()
    k2[..., cut:, :] = torch.randn(k2[..., cut:, :].shape, generator=g)  # change the future
    v2[..., cut:, :] = torch.randn(v2[..., cut:, :].shape, generator=g)
    for need in (False, True):
        a, _ = scaled_dot_product_attention(q, k, v, causal_mask(t), need_weights=need)
        b, _ = scaled_dot_product_attention(q, k2, v2, causal_mask(t), need_weights=need)
        torch.testing.assert_close(a[..., :cut, :], b[..., :cut, :])
        assert not torch.allclose(a[..., cut:, :], b[..., cut:, :])


def test_causal_mask_for_cached_queries_sees_the_whole_past():
    m = causal_mask(2, 5)[0, 0]
    assert m.tolist() == [[True, True, True, True, False], [True, True, True, True, True]]
    with pytest.raises(ValueError, match="cannot be later"):
        causal_mask(5, 2)


@pytest.mark.parametrize(
    "shapes, mask, match",
    [
        (((2, 5, 8), (2, 7, 6), (2, 7, 8)), None, "same feature size"),
        (((2, 5, 8), (2, 7, 8), (2, 6, 8)), None, "one row per key"),
        (((2, 5, 8), (3, 7, 8), (3, 7, 8)), None, "leading"),
        (((8,), (7, 8), (7, 8)), None, "at least 2 dims"),
        (((2, 5, 8), (2, 7, 8), (2, 7, 8)), torch.ones(2, 5, 6, dtype=torch.bool), "does not broadcast"),
        (((2, 5, 8), (2, 7, 8), (2, 7, 8)), torch.ones(2, 5, 7), "must be boolean"),
        (((2, 5, 8), (2, 7, 8), (2, 7, 8)), torch.ones(2, 1, 1, 7, dtype=torch.bool), "drop its head axis"),
    ],
)
def test_bad_shapes_give_a_clear_value_error(shapes, mask, match):
    q, k, v = (torch.randn(*s) for s in shapes)
    with pytest.raises(ValueError, match=match):
        scaled_dot_product_attention(q, k, v, mask)
