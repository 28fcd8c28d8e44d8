"""Positional encodings, shown: order blindness, the sinusoidal table, its geometry, rotary scores.

Shape letters: T words, P positions, D model width, Dh head width.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from attnlib.book.plots import as_array, heatmap_trace, label_axes
from attnlib.model.multihead import MultiHeadAttention
from attnlib.model.positional import RotaryEmbedding, frequencies, relative_shift, sinusoidal_table

SENTENCE_PAIRS = {
    "dog bites man / man bites dog": ("the dog bites the man", "the man bites the dog"),
    "teacher asked student / student asked teacher": ("the teacher asked the student", "the student asked the teacher"),
    "cat sat on mat / mat sat on cat": ("the cat sat on the mat", "the mat sat on the cat"),
}
POSITION_KINDS = ("none", "sinusoidal")
MAX_WORDS = 20


def sentence_words(sentence: str) -> list[str]:
    """Lower-case words; any word is allowed (each gets its own fixed random vector)."""
    words = sentence.lower().replace(",", " ").replace(".", " ").split()
    if len(words) < 2:
        raise ValueError("order only matters with at least two words: type a sentence such as 'the dog bites the man'")
    if len(words) > MAX_WORDS:
        raise ValueError(f"{len(words)} words is more than this demo shows ({MAX_WORDS}); use a shorter sentence")
    return words


def word_vectors(words: list[str], d_model: int = 16) -> torch.Tensor:
    """A fixed random vector per word (the same word always gets the same vector): ``(T, D)``.

    A stand-in for learned embeddings: the vector depends on the word's spelling only,
    never on where the word stands.
    """
    rows = [torch.randn(d_model, generator=torch.Generator().manual_seed(zlib.crc32(w.encode()))) for w in words]
    return torch.stack(rows)  # (T, D)


def attention_layer(d_model: int = 16, n_heads: int = 2, seed: int = 0) -> MultiHeadAttention:
    """A freshly initialised multi-head attention layer, the same for the same seed."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return MultiHeadAttention(d_model, n_heads).eval()


def self_attention_outputs(sentence: str, positions: str = "none", d_model: int = 16, seed: int = 0):
    """Words and the outputs ``(T, D)`` of one self-attention layer, with or without sinusoidal positions."""
    if positions not in POSITION_KINDS:
        raise ValueError(f"positions must be one of {POSITION_KINDS}, got {positions!r}")
    words = sentence_words(sentence)
    x = word_vectors(words, d_model)  # (T, D)
    if positions == "sinusoidal":
        x = x + sinusoidal_table(len(words), d_model)  # (T, D)
    layer = attention_layer(d_model, seed=seed)
    with torch.no_grad():
        out, _ = layer(x[None])  # (1, T, D)
    return words, out[0]  # (T, D)


def output_distances(first: str, second: str, positions: str = "none", d_model: int = 16):
    """Distances between every output row of ``first`` and every output row of ``second``: ``(Ta, Tb)``."""
    words_a, out_a = self_attention_outputs(first, positions, d_model)
    words_b, out_b = self_attention_outputs(second, positions, d_model)
    if sorted(words_a) != sorted(words_b):
        raise ValueError("the two sentences must use the same words in a different order")
    return words_a, words_b, torch.cdist(out_a, out_b)  # (Ta, Tb)


def order_figure(pair: str = next(iter(SENTENCE_PAIRS)), positions: str = "none") -> go.Figure:
    """Heatmap of distances between the outputs for two orderings of the same words (0 = identical)."""
    if pair not in SENTENCE_PAIRS:
        raise ValueError(f"unknown sentence pair {pair!r}; choose one of {list(SENTENCE_PAIRS)}")
    first, second = SENTENCE_PAIRS[pair]
    words_a, words_b, dist = output_distances(first, second, positions)
    twins = int((dist.min(dim=1).values < 1e-5).sum())
    fig = go.Figure(heatmap_trace(dist, words_b, words_a, zmin=0.0, zmax=float(dist.max()),
                                  colorscale="Viridis", showscale=True))
    fig.update_traces(colorbar=dict(title=dict(text="distance<br>between<br>outputs", side="top")))
    label_axes(fig, words_b, words_a, x_title=f"outputs for “{second}”", y_title=f"outputs for “{first}”")
    fig.update_layout(
        title=f"Word order, positions “{positions}”: {twins} of {len(words_a)} outputs have an identical "
              "twin (distance 0) in the other order",
        height=160 + 40 * len(words_a), margin=dict(t=130, l=120, r=20, b=20),
    )
    return fig


# -- the sinusoidal table -------------------------------------------------------------------

def check_table_size(max_len: int, d_model: int) -> None:
    if not 1 <= max_len <= 512:
        raise ValueError(f"max_len={max_len}: pick between 1 and 512 positions")
    if d_model < 2 or d_model % 2 or d_model > 512:
        raise ValueError(f"d_model={d_model}: sines and cosines come in pairs, so use an even width from 2 to 512")


def table_figure(max_len: int = 24, d_model: int = 16) -> go.Figure:
    """The table ``PE (P, D)`` as a heatmap: rows are positions, columns are features."""
    check_table_size(max_len, d_model)
    pe = sinusoidal_table(max_len, d_model)  # (P, D)
    cols = [f"{'sin' if j % 2 == 0 else 'cos'} {j // 2}" for j in range(d_model)]
    fig = go.Figure(heatmap_trace(pe, cols, [str(p) for p in range(max_len)], zmin=-1, zmax=1,
                                  colorscale="RdBu", show_values=False))
    fig.update_xaxes(tickmode="array", tickvals=list(range(d_model)), ticktext=cols, tickangle=-60,
                     title_text="feature (sin/cos of pair i)", side="top")
    fig.update_yaxes(title_text="position p", autorange="reversed")
    fig.update_layout(title="The sinusoidal table: one row per position", height=560, margin=dict(t=140, l=70, r=20, b=20))
    return fig


def wavelength_figure(d_model: int = 16, base: float = 10000.0) -> go.Figure:
    """Wavelength ``2π/ω_i`` of each pair on a log axis: a straight line means a geometric progression."""
    check_table_size(1, d_model)
    omega = frequencies(d_model, base)  # (D/2,)
    wavelengths = (2 * math.pi / omega).tolist()
    fig = go.Figure(go.Scatter(x=list(range(len(wavelengths))), y=[round(w, 3) for w in wavelengths],
                               mode="lines+markers", hovertemplate="pair %{x}: wavelength %{y:.1f} positions"))
    fig.update_xaxes(title_text="pair index i", dtick=1)
    fig.update_yaxes(title_text="wavelength 2π/ω_i (positions)", type="log")
    fig.update_layout(title=f"Wavelengths from 2π ≈ 6.3 to {wavelengths[-1]:,.0f} positions (d_model = {d_model})",
                      height=380, margin=dict(t=70, l=70, r=20, b=50))
    return fig


SLIDER_POSITIONS = (0, 1, 2, 5, 10, 20, 40)


def sinusoid_figure(position: int = 5, pair: int = 0, d_model: int = 16, max_len: int = 50) -> go.Figure:
    """Left: ``sin(p ω_i)`` and ``cos(p ω_i)`` along the positions, the chosen position ``p`` marked.
    Right: the whole encoding vector ``PE(p)``, pair ``i`` highlighted."""
    check_table_size(max_len, d_model)
    if not 0 <= pair < d_model // 2:
        raise ValueError(f"pair={pair}: a width of {d_model} has pairs 0 to {d_model // 2 - 1}")
    if not 0 <= position < max_len:
        raise ValueError(f"position={position} is outside the table (positions 0 to {max_len - 1})")
    omega = float(frequencies(d_model)[pair])
    wavelength = 2 * math.pi / omega
    n_points = int(min(100, max(16, 16 * max_len / wavelength)))  # ~16 points per turn; slow pairs need few
    t = np.linspace(0, max_len - 1, n_points)
    pe = sinusoidal_table(max_len, d_model)[position]  # (D,)
    s, c = float(pe[2 * pair]), float(pe[2 * pair + 1])
    fig = make_subplots(rows=1, cols=2, column_widths=[0.62, 0.38], horizontal_spacing=0.1,
                        subplot_titles=(f"pair {pair}: ω = {omega:.4g}, wavelength {2 * math.pi / omega:,.1f}",
                                        f"the encoding vector PE({position})"))
    fig.add_trace(go.Scatter(x=np.round(t, 2).tolist(), y=np.round(np.sin(t * omega), 3).tolist(),
                             name=f"sin(p·ω), {s:.3f} at p = {position}",
                             line=dict(color="#1f77b4", shape="spline")), row=1, col=1)
    fig.add_trace(go.Scatter(x=np.round(t, 2).tolist(), y=np.round(np.cos(t * omega), 3).tolist(),
                             name=f"cos(p·ω), {c:.3f} at p = {position}",
                             line=dict(color="#ff7f0e", dash="dash", shape="spline")), row=1, col=1)
    # the values at p go in the legend: written beside the markers, the curves would cross them
    fig.add_trace(go.Scatter(x=[position, position], y=[round(s, 4), round(c, 4)], mode="markers",
                             marker=dict(size=12, color=["#1f77b4", "#ff7f0e"], line=dict(width=1, color="black")),
                             name=f"p = {position}", showlegend=False), row=1, col=1)
    colors = ["#d62728" if j // 2 == pair else "#c7c7c7" for j in range(d_model)]
    fig.add_trace(go.Bar(x=list(range(d_model)), y=np.round(as_array(pe), 4).tolist(), marker_color=colors,
                         showlegend=False, name="PE(p)"), row=1, col=2)
    fig.update_xaxes(title_text="position p", range=[-0.5, max_len - 0.5], row=1, col=1)
    fig.update_yaxes(range=[-1.15, 1.15], row=1, col=1)
    fig.update_xaxes(title_text="feature (2i = sin, 2i+1 = cos)", dtick=2, row=1, col=2)
    fig.update_yaxes(range=[-1.1, 1.1], row=1, col=2)
    fig.update_layout(title=f"Position {position}, pair {pair}", height=420, margin=dict(t=90, l=50, r=20, b=50),
                      legend=dict(orientation="h", x=0, y=-0.25))
    return fig


def position_similarity(n_positions: int = 20, d_model: int = 64) -> torch.Tensor:
    """Dot products ``PE(p) · PE(p')`` between all positions: ``(P, P)``."""
    check_table_size(n_positions, d_model)
    pe = sinusoidal_table(n_positions, d_model).double()  # (P, D)
    return pe @ pe.T  # (P, P)


def similarity_figure(n_positions: int = 20, d_model: int = 64) -> go.Figure:
    sim = position_similarity(n_positions, d_model)
    labels = [str(p) for p in range(n_positions)]
    fig = go.Figure(heatmap_trace(sim, labels, labels, zmin=None, zmax=float(d_model) / 2, colorscale="Viridis",
                                  show_values=False))
    label_axes(fig, labels, labels, x_title="position p′", y_title="position p")
    fig.update_layout(title=f"PE(p) · PE(p′), d_model = {d_model}: the same along every diagonal",
                      height=520, width=600, margin=dict(t=120, l=70, r=20, b=20))
    return fig


def shift_figure(k: int = 3, d_model: int = 8) -> go.Figure:
    """The matrix ``M_k`` with ``PE(p + k) = M_k PE(p)``: rotations of each (sin, cos) pair."""
    check_table_size(1, d_model)
    m = relative_shift(k, d_model)  # (D, D)
    cols = [f"{'sin' if j % 2 == 0 else 'cos'} {j // 2}" for j in range(d_model)]
    fig = go.Figure(heatmap_trace(m, cols, cols, zmin=-1, zmax=1, colorscale="RdBu"))
    label_axes(fig, cols, cols, x_title="feature of PE(p)", y_title="feature of PE(p + k)")
    fig.update_layout(title=f"M_{k}: one 2×2 rotation per pair, the same for every p", height=480, width=560,
                      margin=dict(t=120, l=80, r=20, b=20))
    return fig


# -- rotary -------------------------------------------------------------------------------

def position_scores(kind: str, n_positions: int = 16, d_head: int = 16, seed: int = 0) -> torch.Tensor:
    """Scores ``q_p · k_p'`` when the *same* word vector sits at every position: ``(P, P)``.

    ``kind="added"``: sinusoids are added to the vector before random query/key projections;
    ``kind="rotary"``: the projected query and key are rotated by their positions.
    """
    if kind not in ("added", "rotary"):
        raise ValueError(f"kind must be 'added' or 'rotary', got {kind!r}")
    check_table_size(n_positions, d_head)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(d_head, generator=g)  # (Dh,) one word
    w_q = torch.randn(d_head, d_head, generator=g) / math.sqrt(d_head)
    w_k = torch.randn(d_head, d_head, generator=g) / math.sqrt(d_head)
    xs = x.expand(n_positions, d_head)  # (P, Dh): the word at every position
    if kind == "added":
        xs = xs + sinusoidal_table(n_positions, d_head)
        return (xs @ w_q) @ (xs @ w_k).T  # (P, P)
    rope = RotaryEmbedding(d_head, n_positions)
    q = rope((xs @ w_q)[None, None])[0, 0]  # (P, Dh)
    k = rope((xs @ w_k)[None, None])[0, 0]  # (P, Dh)
    return q @ k.T  # (P, P)


def diagonal_spread(scores: torch.Tensor) -> float:
    """Largest range of values along any diagonal: 0 when a score depends only on the offset p - p'."""
    n = scores.shape[0]
    return max(float(torch.diagonal(scores, offset).max() - torch.diagonal(scores, offset).min())
               for offset in range(-(n - 1), n))


def rotary_figure(n_positions: int = 16, d_head: int = 16) -> go.Figure:
    """Side by side: scores with added sinusoids vs rotary, for one word repeated at every position."""
    labels = [str(p) for p in range(n_positions)]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=("sinusoids added, then projected", "rotary: q and k rotated"))
    for col, kind in enumerate(("added", "rotary"), start=1):
        s = position_scores(kind, n_positions, d_head)
        fig.add_trace(heatmap_trace(s, labels, labels, zmin=None, zmax=None, colorscale="Viridis",
                                    show_values=False, showscale=False), row=1, col=col)
        label_axes(fig, labels, labels, row=1, col=col, x_title="key position", y_title="query position")
    fig.update_xaxes(side="bottom")  # keep the panel titles clear of the tick labels
    fig.update_layout(title="q · k for one word repeated at every position: "
                            "yellow is high, purple low, each map on its own scale", height=520,
                      margin=dict(t=90, l=70, r=20, b=60))
    return fig
