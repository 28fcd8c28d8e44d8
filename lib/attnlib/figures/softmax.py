"""Softmax weights under temperature and width, and the measured case for dividing by √d_k."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from attnlib.lessons.softmax import D_KS, N_KEYS, check_temperature, dot_product_variance, entropy, query_and_keys, saturation

TEMPERATURES = (0.25, 0.5, 1.0, 2.0, 4.0)
COLORS = {"unscaled": "#d62728", "scaled": "#1f77b4"}
# A typical draw: its entropies follow the averages that scaling_figure measures (falling with d_k
# unscaled, flat scaled). Single draws vary; the averages are the evidence.
DEMO_SEED = 20




def one_query_weights(d_k: int, temperature: float = 1.0, n_keys: int = N_KEYS) -> dict[str, torch.Tensor]:
    """The weights ``(n,)`` one seeded query gives ``n_keys`` seeded keys: softmax(q·k / T) unscaled
    and softmax(q·k / (√d_k · T)) scaled."""
    temperature = check_temperature(temperature)
    q, k = query_and_keys(d_k, n_keys, seed=DEMO_SEED)  # (D,), (n, D)
    scores = k @ q  # (n,)
    return {"unscaled": torch.softmax(scores / temperature, dim=-1),
            "scaled": torch.softmax(scores / (math.sqrt(d_k) * temperature), dim=-1)}


def weights_figure(d_k: int = 64, temperature: float = 1.0) -> go.Figure:
    """Bars of one query's weights over ten keys, without and with the √d_k, and their entropies."""
    weights = one_query_weights(d_k, temperature)
    h = {name: entropy(w).item() for name, w in weights.items()}
    titles = [f"unscaled, q·k / {temperature:g}: entropy {h['unscaled']:.2f}",
              f"scaled, q·k / (√{d_k} · {temperature:g}): entropy {h['scaled']:.2f}"]
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, shared_yaxes=True, horizontal_spacing=0.06)
    labels = [f"k{j + 1}" for j in range(N_KEYS)]
    for col, (name, w) in enumerate(weights.items(), start=1):
        fig.add_trace(go.Bar(x=labels, y=[round(v, 4) for v in w.tolist()], marker_color=COLORS[name],
                             text=[f"{v:.2f}" for v in w.tolist()], textposition="outside", name=name,
                             showlegend=False), row=1, col=col)
    fig.update_yaxes(range=[0, 1.12], title_text="weight", row=1, col=1)
    fig.update_layout(
        title=f"d_k = {d_k}, temperature {temperature:g}: uniform weights (all 1/{N_KEYS}) have entropy "
              f"{math.log(N_KEYS):.2f}, one-hot weights 0",
        height=480, margin=dict(t=90, b=40),
    )
    return fig


def scaling_figure(d_ks=D_KS, trials: int = 1000, seed: int = 0) -> tuple[go.Figure, dict]:
    """Three measured curves against d_k (log axes): Var(q·k), mean entropy, mean gradient norm."""
    variance = dot_product_variance(d_ks, seed=seed)
    res = saturation(d_ks, trials=trials, seed=seed)
    res["variance"] = variance
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.09, subplot_titles=(
        "variance of q·k", "entropy of the weights", "gradient at the softmax input"))
    d = res["d_k"]
    fig.add_trace(go.Scatter(x=d, y=[round(v, 3) for v in variance], mode="markers", name="measured",
                             marker=dict(color="#333333", size=9), legendgroup="var"), row=1, col=1)
    fig.add_trace(go.Scatter(x=d, y=d, mode="lines", name="Var = d_k", line=dict(color="#999999", dash="dot"),
                             legendgroup="var"), row=1, col=1)
    for col, key in ((2, "entropy"), (3, "grad")):
        for name, label in (("unscaled", "q·k"), ("scaled", "q·k / √d_k")):
            fig.add_trace(go.Scatter(x=d, y=[round(v, 4) for v in res[key][name]], mode="lines+markers",
                                     name=label, legendgroup=name, showlegend=col == 2,
                                     line=dict(color=COLORS[name], width=3)), row=1, col=col)
    fig.add_trace(go.Scatter(x=[d[0], d[-1]], y=[round(res["max_entropy"], 4)] * 2, mode="lines",
                             name=f"uniform over {N_KEYS} keys", line=dict(color="#999999", dash="dot")),
                  row=1, col=2)
    fig.update_xaxes(type="log", tickvals=d, title_text="d_k")
    fig.update_yaxes(type="log", row=1, col=1)
    fig.update_yaxes(rangemode="tozero", row=1, col=2)
    fig.update_yaxes(rangemode="tozero", row=1, col=3)
    fig.update_layout(height=420, legend=dict(orientation="h", y=-0.25), margin=dict(t=60, b=40),
                      title=f"Averages over {trials} random queries with {N_KEYS} keys each")
    return fig, res
