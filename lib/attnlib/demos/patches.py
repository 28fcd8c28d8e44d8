"""Attention over image patches, shown: the toy image with a word's attention weights laid over it."""

from __future__ import annotations

import plotly.graph_objects as go

from ..patches import GRID, IMAGE_SIZE, PATCH, attend, png_data_uri, query_words, toy_image

TEMPERATURES = (0.1, 0.25, 1.0)
# Dark where a patch gets no weight, clear where it gets the most: a spotlight on what the query looks at.
SPOTLIGHT = [[0.0, "rgba(15, 15, 25, 0.82)"], [1.0, "rgba(15, 15, 25, 0.0)"]]
LABEL_FROM = 0.05  # weights below this are left unlabelled, to keep the picture readable


def attention_overlay(query: str = "red circle", temperature: float = 0.25) -> go.Figure:
    """The image, darkened where ``query`` puts little weight; each patch labelled with its weight."""
    words = query_words(query)
    weights = attend(query, temperature)  # (N,)
    grid = weights.reshape(GRID, GRID)  # (G, G): row r, column c of patches
    centres = [PATCH * i + (PATCH - 1) / 2 for i in range(GRID)]  # pixel coordinates of patch centres
    top = int(weights.argmax())
    r, c = divmod(top, GRID)
    fig = go.Figure()
    fig.add_trace(go.Image(source=png_data_uri(toy_image()), x0=0, dx=1, y0=0, dy=1, hoverinfo="skip",
                           name="image"))
    fig.add_trace(go.Heatmap(z=grid.round(decimals=4).tolist(), x=centres, y=centres, zmin=0.0,
                             zmax=round(float(weights.max()), 4), colorscale=SPOTLIGHT,
                             hovertemplate="weight %{z:.3f}<extra></extra>", colorbar=dict(title="weight", len=0.8), name="weights"))
    annotations = [dict(x=centres[j], y=centres[i], text=f"{grid[i, j]:.2f}", showarrow=False,
                        font=dict(size=12, color="black"), bgcolor="rgba(255,255,255,0.8)", yshift=-11)
                   for i in range(GRID) for j in range(GRID) if grid[i, j] >= LABEL_FROM]
    edges = [PATCH * i - 0.5 for i in range(1, GRID)]  # pixel borders between patches
    lines = ([dict(type="line", x0=e, x1=e, y0=-0.5, y1=IMAGE_SIZE - 0.5, line=dict(color="white", width=1))
              for e in edges]
             + [dict(type="line", y0=e, y1=e, x0=-0.5, x1=IMAGE_SIZE - 0.5, line=dict(color="white", width=1))
                for e in edges])
    fig.update_xaxes(visible=False, range=[-0.5, IMAGE_SIZE - 0.5], constrain="domain")
    fig.update_yaxes(visible=False, range=[IMAGE_SIZE - 0.5, -0.5], scaleanchor="x", constrain="domain")
    query_text = " + ".join(words)
    fig.update_layout(
        title=dict(text=f"query “{query}” (= {query_text}), temperature {temperature:g}<br>"
                        f"<sup>most weight: patch ({r}, {c}), {float(weights[top]):.2f}</sup>"),
        annotations=annotations, shapes=lines, height=540, margin=dict(t=120, l=20, r=20, b=20),
    )
    return fig
