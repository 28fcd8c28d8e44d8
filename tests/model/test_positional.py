"""Positional encodings: the sinusoid's relative-position property, rotary, length limits."""

import pytest
import torch
from hypothesis import given, strategies as st

from attnlib import ModelConfig, RotaryEmbedding, Transformer, relative_shift, sinusoidal_table
from attnlib.model.positional import LearnedEncoding, SinusoidalEncoding


def test_sinusoidal_table_values():
    pe = sinusoidal_table(50, 16)
    assert pe.shape == (50, 16)
    assert torch.allclose(pe[0, 0::2], torch.zeros(8)) and torch.allclose(pe[0, 1::2], torch.ones(8))
    assert torch.isclose(pe[3, 0], torch.sin(torch.tensor(3.0)))  # fastest pair: frequency 1
    assert torch.isclose(pe[3, 2], torch.sin(torch.tensor(3.0 / 10000 ** (2 / 16))))


@given(k=st.integers(0, 30), d=st.sampled_from([4, 16, 64]))
def test_pe_of_p_plus_k_is_a_fixed_linear_map_of_pe_of_p(k, d):
    pe = sinusoidal_table(80, d).double()
    m = relative_shift(k, d)
    # one matrix, every position: PE(p+k) = M_k PE(p)
    torch.testing.assert_close(pe[: 80 - k] @ m.T, pe[k:], atol=1e-6, rtol=1e-5)


def test_relative_shift_is_a_rotation_that_depends_only_on_the_offset():
    m = relative_shift(5, 8)
    torch.testing.assert_close(m @ m.T, torch.eye(8, dtype=torch.float64))
    torch.testing.assert_close(relative_shift(2, 8) @ relative_shift(3, 8), m)


@given(p=st.integers(0, 20), shift=st.integers(0, 20))
def test_rotary_dot_products_depend_only_on_relative_offset(p, shift):
    rope = RotaryEmbedding(8, 64)
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(1, 1, 1, 8, generator=g), torch.randn(1, 1, 1, 8, generator=g)
    near = (rope(q, offset=p + 3) * rope(k, offset=p)).sum()
    far = (rope(q, offset=p + 3 + shift) * rope(k, offset=p + shift)).sum()
    torch.testing.assert_close(near, far, atol=1e-4, rtol=1e-4)
    # and rotation keeps lengths
    torch.testing.assert_close(rope(q, offset=p).norm(), q.norm())


@pytest.mark.parametrize("module", [SinusoidalEncoding(8, 10), LearnedEncoding(8, 10)])
def test_sequences_longer_than_the_table_are_rejected_clearly(module):
    module(torch.zeros(1, 10, 8))  # exactly full is fine
    with pytest.raises(ValueError, match="does not fit the positional table of 10 positions"):
        module(torch.zeros(1, 11, 8))


@pytest.mark.parametrize("kind", ["sinusoidal", "learned", "rotary", "alibi", "none"])
def test_model_rejects_over_long_input_for_every_encoding(kind):
    model = Transformer(ModelConfig.preset("tiny", positional=kind, max_len=8))
    with pytest.raises(ValueError, match="at most 8 tokens"):
        model(torch.ones(1, 9, dtype=torch.long), torch.ones(1, 3, dtype=torch.long))
