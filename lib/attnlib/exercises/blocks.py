"""Checkers for the Transformer-block chapter."""

from __future__ import annotations

import torch
from torch import nn

from attnlib.model.layers import FeedForward
from . import NOT_ANSWERED, Verdict, guarded


def _block_case(seed: int):
    """An input, a sub-layer and a LayerNorm whose scale and shift are not the defaults (so slips show)."""
    g = torch.Generator().manual_seed(seed)
    d = 8
    x = 3.0 * torch.randn(2, 5, d, generator=g) + 1.0  # (B, T, D): not already normalised
    sublayer = nn.Linear(d, d)
    norm = nn.LayerNorm(d)
    with torch.no_grad():
        for p in (*sublayer.parameters(), *norm.parameters()):
            p.copy_(torch.randn(p.shape, generator=g))
    return x, sublayer, norm


@guarded
def check_pre_ln(fn) -> Verdict:
    """``fn(x, sublayer, norm)`` must compute the pre-LN residual block ``x + sublayer(norm(x))``."""
    for seed in (0, 1):
        x, f, norm = _block_case(seed)
        with torch.no_grad():
            result = fn(x.clone(), f, norm)
            if result is None:
                return NOT_ANSWERED
            out = torch.as_tensor(result)
            if out.shape != x.shape:
                return Verdict(False, f"a residual block keeps the shape of its input {tuple(x.shape)}; "
                                      f"yours returned {tuple(out.shape)}")
            if torch.allclose(out, x + f(norm(x)), atol=1e-5):
                continue
            slips = [
                (norm(x + f(x)), "That is post-LN, LN(x + f(x)), the order of the 2017 paper. Pre-LN normalises "
                                 "the sub-layer's *input* and adds the raw x: x + f(LN(x))."),
                (f(norm(x)), "The residual connection is missing: add the input x to the sub-layer's output."),
                (norm(x) + f(norm(x)), "Add the raw x, not LN(x): the residual path must stay untouched by the norm."),
                (x + norm(f(x)), "The LayerNorm goes *before* the sub-layer (on its input), not after it."),
                (x + f(x), "The LayerNorm is missing: the sub-layer should see LN(x)."),
            ]
            for wrong, hint in slips:
                if torch.allclose(out, wrong, atol=1e-5):
                    return Verdict(False, hint)
            return Verdict(False, "The output differs from x + sublayer(norm(x)). Call norm, then sublayer, "
                                  "then add x.")
    return Verdict(True, "Correct: x + sublayer(norm(x)), the pre-LN residual block.")


@guarded
def check_ffn_parameters(fn) -> Verdict:
    """``fn(d_model, d_ff)`` must count the parameters of :class:`attnlib.model.layers.FeedForward`."""
    for d_model, d_ff in ((128, 512), (32, 64), (10, 7)):
        answer = fn(d_model, d_ff)
        if answer is None:
            return NOT_ANSWERED
        true = sum(p.numel() for p in FeedForward(d_model, d_ff).parameters())
        if int(answer) == true:
            continue
        hints = {
            2 * d_model * d_ff: "You counted the two weight matrices; each Linear layer also has a bias vector.",
            2 * d_model * d_ff + d_ff: "Almost: the second layer has a bias too, one per output feature (d_model).",
            2 * d_model * d_ff + d_model: "Almost: the first layer has a bias too, one per hidden unit (d_ff).",
            d_model * d_ff + d_ff: "That is only the first layer (d_model → d_ff); the network has a second one back "
                                   "to d_model.",
            d_model * d_ff + d_ff + d_model: "Count the weights of *both* layers: d_model·d_ff each, plus the biases.",
        }
        return Verdict(False, hints.get(int(answer), f"For d_model={d_model}, d_ff={d_ff} the answer is not "
                                                     f"{int(answer)}. Count weights and biases of both Linear layers."))
    return Verdict(True, "Correct: 2·d_model·d_ff weights plus d_ff + d_model biases.")
