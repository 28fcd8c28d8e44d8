"""The appendix's derivations, shown: the softmax's Jacobian and how temperature shrinks it."""

from __future__ import annotations

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from attnlib.book.plots import heatmap_trace
from attnlib.lessons.derivations import softmax_jacobian

SCORES = (2.0, 1.0, 0.5, 0.0, -1.0)
TEMPERATURES = (0.1, 0.5, 1.0, 2.0)
MAX_TEMPERATURE = 100.0


def jacobian_figure(temperature: float = 1.0, scores=SCORES) -> go.Figure:
    """The weights ``softmax(s / temperature)`` (left) and their Jacobian ``∂a_i/∂s_j`` (right)."""
    t = float(temperature)
    if not 0 < t <= MAX_TEMPERATURE:
        raise ValueError(f"use a temperature above 0 and at most {MAX_TEMPERATURE:g}, got {temperature!r}")
    s = torch.tensor(scores, dtype=torch.float64)  # (n,)
    a = torch.softmax(s / t, dim=-1)  # (n,)
    jac = softmax_jacobian(s, t)  # (n, n)
    labels = [f"s{j + 1}" for j in range(len(s))]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.35, 0.65], horizontal_spacing=0.12,
                        subplot_titles=("weights a = softmax(s / τ)", "Jacobian ∂a_i / ∂s_j"))
    fig.add_trace(go.Bar(x=labels, y=[round(v, 4) for v in a.tolist()], marker_color="#1f77b4", showlegend=False,
                         text=[f"{v:.2f}" for v in a.tolist()], textposition="outside"), row=1, col=1)
    fig.add_trace(heatmap_trace(jac, labels, [f"a{i + 1}" for i in range(len(s))], zmin=-0.3, zmax=0.3,
                                colorscale="RdBu", name="Jacobian"), row=1, col=2)
    fig.update_xaxes(tickmode="array", tickvals=list(range(len(s))), ticktext=labels, row=1, col=2)
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(s))), ticktext=[f"a{i + 1}" for i in range(len(s))],
                     autorange="reversed", row=1, col=2)
    fig.update_yaxes(range=[0, 1.15], title_text="weight", row=1, col=1)
    biggest = float(jac.abs().max())
    fig.update_layout(title=f"The softmax Jacobian at temperature {t:g}: largest |∂a_i/∂s_j| = {biggest:.3f}; "
                            "every row sums to 0",
                      height=430, margin=dict(t=110, b=30))
    return fig
