"""Attention over image patches, shown: the toy image beside the weights a query gives its patches."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from attnlib.lessons.patches import GRID, IMAGE_SIZE, PATCH, attend, png_data_uri, query_words, toy_image

TEMPERATURES = (0.1, 0.25, 1.0)
WEIGHTS_COLORSCALE = "Oranges"
FRAME_COLOR = "#d94801"  # the darkest orange of the weights' colours
FRAME_PX = (1.5, 8.0)  # a frame's width in px at no weight and at this query's largest weight
LABEL_FROM = 0.05  # weights below this are left unlabelled (and unframed), to keep the picture readable


def attention_overlay(query: str = "red circle", temperature: float = 0.25) -> go.Figure:
    """Left, the image, untouched, with a frame around every patch that gets at least ``LABEL_FROM``
    of ``query``'s weight (the thicker, the more weight); right, the same grid of patches coloured by
    weight, each labelled with its weight. Colours and frame widths both run from 0 to this query's
    largest weight (the title gives it), so that a spread-out query still shows where it looks most."""
    words = query_words(query)
    weights = attend(query, temperature)  # (N,)
    grid = weights.reshape(GRID, GRID)  # (G, G): row r, column c of patches
    centres = [PATCH * i + (PATCH - 1) / 2 for i in range(GRID)]  # pixel coordinates of patch centres
    top = int(weights.argmax())
    r, c = divmod(top, GRID)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.06,
                        subplot_titles=("the image, framed by weight", "the weights"))
    fig.add_trace(go.Image(source=png_data_uri(toy_image()), x0=0, dx=1, y0=0, dy=1, hoverinfo="skip",
                           name="image"), row=1, col=1)
    fig.add_trace(go.Heatmap(
        z=grid.round(decimals=4).tolist(), x=centres, y=centres, zmin=0.0, zmax=round(float(weights.max()), 4),
        colorscale=WEIGHTS_COLORSCALE, text=[[f"{v:.2f}" if v >= LABEL_FROM else "" for v in row] for row in grid.tolist()],
        texttemplate="%{text}", textfont=dict(size=13), hovertemplate="weight %{z:.3f}<extra></extra>",
        colorbar=dict(title=dict(text="weight<br>(0 to this<br>query's max)", side="top"), len=0.8),
        name="weights"), row=1, col=2)
    edges = [PATCH * i - 0.5 for i in range(1, GRID)]  # pixel borders between patches
    lines = ([dict(type="line", x0=e, x1=e, y0=-0.5, y1=IMAGE_SIZE - 0.5, line=dict(color="#c8c8c8", width=1))
              for e in edges]
             + [dict(type="line", y0=e, y1=e, x0=-0.5, x1=IMAGE_SIZE - 0.5, line=dict(color="#c8c8c8", width=1))
                for e in edges])
    thin, thick = FRAME_PX
    width = thin + (thick - thin) * grid / weights.max()  # (G, G): like the colours, 0 to this query's max
    frames = [dict(type="rect", x0=PATCH * j - 0.3, x1=PATCH * (j + 1) - 0.7, y0=PATCH * i - 0.3,
                   y1=PATCH * (i + 1) - 0.7, line=dict(color=FRAME_COLOR, width=round(width[i, j].item(), 2)))
              for i in range(GRID) for j in range(GRID) if grid[i, j] >= LABEL_FROM]
    for col in (1, 2):
        fig.update_xaxes(visible=False, range=[-0.5, IMAGE_SIZE - 0.5], constrain="domain", row=1, col=col)
        fig.update_yaxes(visible=False, range=[IMAGE_SIZE - 0.5, -0.5], scaleanchor="x" if col == 1 else "x2",
                         constrain="domain", row=1, col=col)
    query_text = " + ".join(words)
    fig.update_layout(
        title=dict(text=f"query “{query}” (= {query_text}), temperature {temperature:g}<br>"
                        f"<sup>most weight: patch ({r}, {c}), {float(weights[top]):.2f}</sup>"),
        shapes=lines + frames, height=460, margin=dict(t=120, l=20, r=20, b=20),
    )
    return fig
