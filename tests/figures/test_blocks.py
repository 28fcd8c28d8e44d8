"""The Transformer-block chapter: diagram, the map of Part I, gradient flow, training, timing, parameter counts."""

import math

import plotly.graph_objects as go
import pytest
import torch
from torch import nn

from attnlib import PRESETS, ModelConfig, Transformer
from attnlib.lessons.anatomy import COMPONENTS, component_of, data_flow, parameter_breakdown, text_table
from attnlib.book import display, layout
from attnlib.book.demo import Demo, Param
from attnlib.figures import blocks, parameters
from attnlib.lessons.recurrence import (attention_flops, recurrent_flops, sequential_steps, time_attention_vs_recurrence,
                                timing_table)
from attnlib.lessons.stability import ARRANGEMENTS, gradient_flow, residual_step, train_reversal, warmup_factor


# -- the diagram ------------------------------------------------------------------------------

@pytest.mark.parametrize("placement", blocks.PLACEMENTS)
def test_architecture_figure_draws_every_sub_layer_with_its_residual(placement):
    fig = blocks.architecture_figure(placement)
    texts = [a.text for a in fig.layout.annotations]
    assert texts.count("+") == 5  # 2 encoder + 3 decoder sub-layers, one addition each
    residual_paths = [s for s in fig.layout.shapes if s.type == "path"]
    assert len(residual_paths) == 5
    assert any(t.startswith("cross-attention") for t in texts)
    assert ("final LayerNorm" in texts) == (placement == "pre-LN")  # pre-LN stacks end with a norm
    assert texts.count("LayerNorm") == 5


def test_architecture_figure_rejects_unknown_placements():
    with pytest.raises(ValueError, match="placement must be one of"):
        blocks.architecture_figure("sandwich-LN")


# -- the map ----------------------------------------------------------------------------------

def _drawn_states(fig) -> dict[str, str]:
    """How the figure draws each named part: lit (in the highlight's colour, thick), dim (faded) or plain."""
    drawn = {}
    for shape in fig.layout.shapes:
        if shape.name:
            thick = shape.line.width is not None and shape.line.width >= 3
            drawn[shape.name] = "lit" if thick else "dim" if (shape.opacity or 1) < 1 or shape.line.color == "#ccc" \
                else "plain"
    for arrow in fig.layout.annotations:
        if arrow.name:
            drawn[arrow.name] = "lit" if arrow.arrowwidth >= 3 else "dim" if arrow.arrowcolor == "#bbb" else "plain"
    return drawn


@pytest.mark.parametrize("here", [None, *blocks.MAP_CHAPTERS])
def test_the_map_lights_up_what_each_chapter_teaches_and_dims_the_rest(here):
    fig = blocks.map_figure(here)
    assert _drawn_states(fig) == blocks.map_states(here)  # every part drawn, each as the chapter says
    caption = fig.layout.annotations[-1].text
    assert caption == blocks.map_caption(here)
    assert caption.startswith("<b>You are here:</b> ") == (here is not None)
    texts = [a.text for a in fig.layout.annotations if a.text]
    for words in ("self-attention", "masked self-attention", "cross-attention", "feed-forward", "add & norm",
                  "embed + position", "linear + softmax", "softmax", "<b>encoder</b>", "<b>decoder</b>"):
        assert words in texts


def test_every_chapter_lights_up_a_part_of_its_own():
    lit = {here: frozenset(p for p, s in blocks.map_states(here).items() if s == "lit") for here in blocks.MAP_CHAPTERS}
    assert all(lit.values()) and len(set(lit.values())) == len(lit)
    assert set().union(*lit.values()) <= set(blocks.MAP_PARTS)
    assert set(blocks.map_states(None).values()) == {"plain"}  # the whole map: nothing dimmed
    assert lit["3"] == {"softmax"} and lit["6"] == {"enc.embed", "dec.embed"} and "dec.cross" in lit["7b"]


@pytest.mark.parametrize("here", ["1", "8", "7a", 7, "", "chapter 3"])
def test_the_map_names_the_chapters_it_knows_when_asked_for_another(here):
    with pytest.raises(ValueError, match=r"choose one of 2, 3, 4, 5, 6, 7, 7b, or None"):
        blocks.map_figure(here)


@pytest.mark.parametrize("here", [None, *blocks.MAP_CHAPTERS])
def test_the_map_reads_on_a_phone(here):
    fig = blocks.map_figure(here)
    sizes = [a.font.size for a in fig.layout.annotations if a.text]
    assert sizes and min(s if s is not None else 12 for s in sizes) >= 10  # no text under 10 px
    framed = layout.frame(go.Figure(fig))
    # a 390 px phone's column holds the map: it never scrolls sideways there
    assert framed.layout.meta["min_width"] + display.PAGE_CHROME_PX < 390
    assert fig.layout.yaxis.scaleanchor == "x"  # the drawing keeps its size in px, so its words stay in their boxes


# -- gradient flow ----------------------------------------------------------------------------

def test_without_a_shortcut_the_gradient_vanishes_and_without_a_norm_it_explodes():
    plain = gradient_flow("plain", 16)
    assert len(plain) == 16 and plain[0] / plain[-1] < 1e-3
    residual = gradient_flow("residual", 48)
    assert residual[0] / residual[-1] > 100


@pytest.mark.parametrize("depth", blocks.DEPTHS)
def test_both_layernorm_wirings_keep_gradients_within_a_small_factor(depth):
    post, pre = gradient_flow("post-LN", depth), gradient_flow("pre-LN", depth)
    assert max(post) / min(post) < 3 and max(pre) / min(pre) < 10
    assert pre[0] >= pre[-1]  # in pre-LN the first layers get somewhat more


def test_gradient_flow_is_reproducible_and_checks_its_input():
    assert gradient_flow.__wrapped__("pre-LN", 4) == gradient_flow.__wrapped__("pre-LN", 4)
    assert gradient_flow("pre-LN", 4, seed=1) != gradient_flow("pre-LN", 4, seed=0)
    with pytest.raises(ValueError, match="arrangement must be one of"):
        gradient_flow("sideways", 4)
    with pytest.raises(ValueError, match="between 1 and"):
        gradient_flow("plain", 0)


def test_residual_step_wires_the_four_ways():
    x = torch.randn(3, 4)
    f = lambda t: 2 * t + 1  # noqa: E731
    norm = nn.LayerNorm(4)
    assert torch.allclose(residual_step(x, f, norm, "plain"), f(x))
    assert torch.allclose(residual_step(x, f, norm, "residual"), x + f(x))
    assert torch.allclose(residual_step(x, f, norm, "post-LN"), norm(x + f(x)))
    assert torch.allclose(residual_step(x, f, norm, "pre-LN"), x + f(norm(x)))
    with pytest.raises(ValueError):
        residual_step(x, f, norm, "PRE-LN")


def test_gradient_flow_figure_and_its_demo():
    fig = blocks.gradient_flow_figure("plain", 8)
    assert len(fig.data[0].y) == 8 and fig.layout.yaxis.type == "linear"
    assert "first layer gets" in fig.layout.title.text
    # a ratio on a linear axis: each bar is the layer's gradient over the last layer's, the last bar is 1
    pre, post = blocks.gradient_flow_figure("pre-LN", 16), blocks.gradient_flow_figure("post-LN", 16)
    norms = gradient_flow("pre-LN", 16)
    assert pre.data[0].y[-1] == 1 and pre.data[0].y[0] == pytest.approx(norms[0] / norms[-1], rel=1e-3)
    assert 2.5 < pre.data[0].y[0] < 2.7 and "2.58×" in pre.layout.title.text
    assert list(pre.data[0].customdata) == pytest.approx(norms, rel=1e-3)  # the norms themselves, in the hover
    for f in (pre, post):
        assert f.layout.yaxis.type == "linear" and f.layout.yaxis.range[0] == 0
        assert max(f.data[0].y) <= f.layout.yaxis.range[1] < 1.2 * max(pre.data[0].y)  # fills the axis
    for depth in blocks.DEPTHS:  # at each depth every wiring shares one axis, except the exploding residual stack
        ranges = {a: tuple(blocks.gradient_flow_figure(a, depth).layout.yaxis.range) for a in ARRANGEMENTS}
        assert ranges["plain"] == ranges["post-LN"] == ranges["pre-LN"] <= ranges["residual"]
    assert any(s.y0 == s.y1 == 1 for s in pre.layout.shapes)  # the line at 1: as much as the last layer
    for bad in (0, 500, 2.5):
        with pytest.raises(ValueError, match="number of layers"):
            blocks.gradient_flow_figure("plain", bad)
    demo = Demo(blocks.gradient_flow_figure, Param("arrangement", list(ARRANGEMENTS)), Param("depth", list(blocks.DEPTHS)))
    assert len(demo.grid()) <= 60
    fig, states = demo.static()
    assert len(states["spans"]) == len(fig.data) == len(demo.grid())  # one bar trace per state


# -- training -------------------------------------------------------------------------------

def test_warmup_factor_ramps_linearly_then_stays_at_one():
    assert warmup_factor(0, 50) == pytest.approx(1 / 50)
    assert warmup_factor(24, 50) == pytest.approx(0.5)
    assert warmup_factor(49, 50) == warmup_factor(500, 50) == 1.0
    assert warmup_factor(0, 0) == 1.0


def test_train_reversal_result_format_and_reproducibility():
    a = train_reversal(norm_first=True, warmup=2, steps=4, depth=2)
    b = train_reversal(norm_first=True, warmup=2, steps=4, depth=2)
    assert a["losses"] == b["losses"] and len(a["losses"]) == 4
    assert 0.0 <= a["accuracy"] <= 1.0 and a["chance"] == pytest.approx(math.log(10))
    assert a["settings"]["norm_first"] is True and a["settings"]["warmup"] == 2
    c = train_reversal(norm_first=False, warmup=2, steps=4, depth=2)
    assert c["losses"] != a["losses"]
    with pytest.raises(ValueError, match="steps >= 1"):
        train_reversal(True, steps=0)


def test_training_figure_draws_each_run_and_the_chance_level():
    run = train_reversal(norm_first=True, steps=3, depth=1)
    fig = blocks.training_figure({"a": run, "b": run})
    assert [t.name for t in fig.data[:2]] == ["a", "b"] and len(fig.data[0].y) == 3
    chance = fig.data[2]  # a legend entry, not a label on the line where the curves pass
    assert chance.name.startswith("chance: ln") and set(chance.y) == {round(run["chance"], 4)}
    assert "1-layer encoder" in fig.layout.title.text
    with pytest.raises(ValueError, match="no training runs"):
        blocks.training_figure({})


# -- timing -------------------------------------------------------------------------------------

def test_flop_counts_and_sequential_steps():
    assert attention_flops(64, 64) == recurrent_flops(64, 64)  # equal at T = D
    assert attention_flops(128, 64) > recurrent_flops(128, 64) and attention_flops(32, 64) < recurrent_flops(32, 64)
    assert attention_flops(2 * 512, 64) > 3 * attention_flops(512, 64)  # the T² term dominates
    assert sequential_steps("attention", 300) == 1 and sequential_steps("recurrent", 300) == 300
    with pytest.raises(ValueError):
        sequential_steps("convolution", 3)


def test_timing_measurement_returns_one_row_per_length():
    rows = time_attention_vs_recurrence(lengths=(4, 8), d_model=16, n_heads=2, batch=1, repeats=1)
    assert [r["length"] for r in rows] == [4, 8]
    keys = {"length", "attention_s", "recurrent_s", "attention_flops", "recurrent_flops", "attention_steps",
            "recurrent_steps"}
    for r in rows:
        assert set(r) == keys and r["attention_s"] > 0 and r["recurrent_s"] > 0
        assert r["attention_flops"] == attention_flops(r["length"], 16) and r["recurrent_steps"] == r["length"]
    table = timing_table(rows).splitlines()
    assert len(table) == 3 and "GRU ms" in table[0] and table[2].split()[0] == "8"
    fig = blocks.timing_figure(rows, "some CPU")
    assert len(fig.data) == 2 and list(fig.data[0].x) == [4, 8] and "some CPU" in fig.layout.title.text
    with pytest.raises(ValueError, match="lengths must be between"):
        time_attention_vs_recurrence(lengths=(0,))
    with pytest.raises(ValueError, match="repeats"):
        time_attention_vs_recurrence(lengths=(4,), repeats=0)
    with pytest.raises(ValueError, match="no timings"):
        blocks.timing_figure([])


# -- anatomy --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(PRESETS))
def test_parameter_breakdown_adds_up_and_matches_the_formulas(name):
    cfg = PRESETS[name]
    model = Transformer(cfg)
    b = parameter_breakdown(model)
    assert list(b) == list(COMPONENTS) and sum(b.values()) == model.num_parameters()
    d, ff = cfg.d_model, cfg.d_ff
    assert b["decoder masked self-attention"] == cfg.n_decoder_layers * 4 * (d * d + d)
    assert b["decoder feed-forward"] == cfg.n_decoder_layers * (2 * d * ff + ff + d)
    assert b["encoder LayerNorms"] == (2 * cfg.n_encoder_layers + 1) * 2 * d  # + the final pre-LN norm


def test_tied_weights_are_counted_once_and_unknown_names_are_refused():
    cfg = ModelConfig.preset("tiny", tie_embeddings=True)
    b = parameter_breakdown(Transformer(cfg))
    assert b["output projection"] == cfg.tgt_vocab_size  # only the bias is its own
    with pytest.raises(ValueError, match="no known component"):
        component_of("adapter.weight")


def test_data_flow_lists_the_shapes_in_order():
    model = Transformer(ModelConfig.preset("tiny")).eval()
    stages = dict(data_flow(model, torch.randint(1, 64, (2, 7)), torch.randint(1, 64, (2, 5))))
    assert stages["memory (encoder output)"] == (2, 7, 32)
    assert stages["cross-attention weights"] == (2, 4, 5, 7)
    assert stages["decoder masked self-attention weights"] == (2, 4, 5, 5)
    assert stages["logits over the target vocabulary"] == (2, 5, 64)
    labels = [s for s, _ in data_flow(model, torch.ones(1, 3, dtype=torch.long), torch.ones(1, 2, dtype=torch.long))]
    assert labels.index("memory (encoder output)") < labels.index("target token ids (shifted right)")
    assert not any(layer.self_attn.tap.active for layer in model.encoder.layers)  # capture cleaned up


def test_text_table_and_parameter_figure():
    table = text_table(["name", "n"], [["a", 1000], ["bb", 5]]).splitlines()
    assert table[2].endswith("1,000") and table[3].endswith("    5")
    fig = parameters.parameter_figure({"x": {"attention": 3, "ffn": 1}, "y": {"attention": 1, "ffn": 1}})
    assert fig.layout.barmode == "stack"
    assert [round(sum(t.y[i] for t in fig.data)) for i in range(2)] == [100, 100]
    with pytest.raises(ValueError):
        parameters.parameter_figure({})


def test_every_part_of_the_parameter_figure_has_its_own_colour():
    assert set(parameters.PART_COLOURS) == set(COMPONENTS)
    assert len(set(parameters.PART_COLOURS.values())) == len(parameters.PART_COLOURS)
