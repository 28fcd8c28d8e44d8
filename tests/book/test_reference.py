"""The appendix: the library reference generated from docstrings, and the derivations checked against torch."""

import types
from dataclasses import dataclass

import pytest
import torch
from markdown_it import MarkdownIt

from attnlib import MultiHeadAttention

from attnlib.book import reference
from attnlib.lessons.derivations import mha_parameter_count, sinusoid_offset_dot, softmax_jacobian
from attnlib.figures.derivations import jacobian_figure
from attnlib.model.positional import sinusoidal_table


# -- the library reference -------------------------------------------------------------------------

def _fake_module():
    mod = types.ModuleType("fake")

    def documented(a, b=1, *rest, flag=False, **extra):
        """First line of the summary
        continues here, with :func:`~attnlib.lessons.cost.tiled_attention` and :mod:`attnlib.lessons.toy`.

        Details nobody needs in a table."""

    def keyword_only(x, *, y):
        """Has a keyword-only parameter."""

    def many(a, b, c, d, e, f, g):
        """Seven parameters."""

    def main():
        """A command line."""

    def _private():
        """Hidden."""

    class Layer:
        def forward(self, x):
            """What the layer computes."""

    @dataclass
    class Record:
        size: int

    for obj in (documented, keyword_only, many, main, _private, Layer, Record):
        obj.__module__ = "fake"
        setattr(mod, obj.__name__, obj)
    mod.imported = torch.softmax  # defined elsewhere: not a member
    return mod


def test_members_are_public_own_and_summarised():
    rows = {m["name"]: m for m in reference.members(_fake_module())}
    assert set(rows) == {"documented", "keyword_only", "many", "Layer", "Record"}
    assert rows["documented"]["summary"] == (
        "First line of the summary continues here, with ``tiled_attention`` and ``attnlib.lessons.toy``.")
    assert rows["documented"]["signature"] == "documented(a, b, *rest, flag, **extra)"
    assert rows["keyword_only"]["signature"] == "keyword_only(x, *, y)"
    assert rows["many"]["signature"] == "many(a, b, c, d, e, f, …)"
    assert rows["Layer"]["summary"] == "What the layer computes."  # no class docstring: its forward's
    assert rows["Record"]["summary"] == "" and rows["Record"]["kind"] == "class"  # dataclass signature is no summary
    mod = _fake_module()
    mod.__all__ = ["many"]
    assert [m["name"] for m in reference.members(mod)] == ["many"]


def test_summaries_are_cut_to_length():
    def long():
        pass
    long.__doc__ = "word " * 100
    text = reference.summary(long, limit=50)
    assert len(text) <= 50 and text.endswith("…")
    assert reference.summary(lambda: None) == ""


def test_module_table_covers_the_library():
    rows = {r["module"]: r for r in reference.module_table()}
    assert list(rows)[0] == "attnlib"
    for name in ("attnlib.model.attention", "attnlib.lessons.cost", "attnlib.lessons.patches", "attnlib.book.reference",
                 "attnlib.figures.cost", "attnlib.exercises.cost"):
        assert name in rows and rows[name]["summary"], name
    attention = {m["name"]: m for m in rows["attnlib.model.attention"]["members"]}
    assert "scaled_dot_product_attention" in attention and attention["scaled_dot_product_attention"]["summary"]
    assert rows["attnlib.figures.cost"]["members"] == [] and rows["attnlib.exercises.cost"]["members"] == []
    assert rows["attnlib.book.build"]["runnable"] and not rows["attnlib.model.attention"]["runnable"]


def test_markdown_text_escapes_outside_code_only():
    assert reference.markdown_text("``a <b> | c``") == "`a <b> | c`"
    assert reference.markdown_text("shape <T> | [x] $5 & more") == r"shape \<T\> \| \[x\] \$5 \& more"
    assert reference.markdown_text("*emphasis* and d_k") == "*emphasis* and d_k"


def test_module_markdown_is_clean_commonmark_naming_every_module():
    rows = reference.module_table()
    text = reference.module_markdown(rows)
    tokens = MarkdownIt("commonmark").parse(text)
    inline = [c for t in tokens if t.children for c in t.children]
    assert not [t for t in [*tokens, *inline] if t.type in ("html_block", "html_inline")]  # no raw HTML
    assert not [t for t in tokens if t.type == "heading_open"]  # headings would enter the page's contents
    code = {c.content for c in inline if c.type == "code_inline"}
    assert {r["module"] for r in rows} - {"attnlib.figures", "attnlib.exercises"} <= code
    assert {"python -m attnlib.book", "python -m attnlib.translation train"} <= code
    assert "The chapters' demos and exercise checkers" in text


# -- derivations -----------------------------------------------------------------------------------

@pytest.mark.parametrize("temperature", [0.1, 1.0, 3.0])
def test_softmax_jacobian_matches_autograd(temperature):
    s = torch.randn(6, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    auto = torch.autograd.functional.jacobian(lambda x: torch.softmax(x / temperature, -1), s)
    jac = softmax_jacobian(s, temperature)
    torch.testing.assert_close(jac, auto)
    torch.testing.assert_close(jac.sum(-1), torch.zeros(6, dtype=torch.float64))
    torch.testing.assert_close(jac, jac.T)
    with pytest.raises(ValueError, match="two scores"):
        softmax_jacobian(torch.zeros(1))
    with pytest.raises(ValueError, match="temperature"):
        softmax_jacobian(s, 0.0)


def test_sinusoid_dot_products_depend_only_on_the_offset():
    table = sinusoidal_table(80, 32).double()  # (P, D)
    for k in (1, 5, 17):
        dots = (table[:-k] * table[k:]).sum(-1)
        torch.testing.assert_close(dots, torch.full_like(dots, sinusoid_offset_dot(k, 32)), atol=1e-5, rtol=0)
    assert sinusoid_offset_dot(0, 32) == pytest.approx(16)  # |PE(p)|² = D/2


def test_mha_parameter_count_does_not_depend_on_the_heads():
    for d, heads in ((16, (1, 2, 4)), (96, (1, 3, 8))):
        for h in heads:
            assert sum(p.numel() for p in MultiHeadAttention(d, h).parameters()) == mha_parameter_count(d)
    with pytest.raises(ValueError):
        mha_parameter_count(0)


def test_jacobian_figure_shrinks_when_the_softmax_saturates():
    def biggest(fig):
        return max(abs(v) for row in fig.data[1].z for v in row)

    cold, warm = jacobian_figure(0.1), jacobian_figure(1.0)
    assert biggest(cold) < 1e-3 < 0.2 < biggest(warm)
    assert "every row sums to 0" in warm.layout.title.text
    assert max(cold.data[0].y) > 0.99  # one-hot weights
    for bad in (0, -1, 1e6):
        with pytest.raises(ValueError, match="temperature"):
            jacobian_figure(bad)
