"""Small layout helpers shared by the demo figures."""

from __future__ import annotations

import plotly.graph_objects as go


def room_for_controls(fig: go.Figure, pixels: int = 60) -> go.Figure:
    """Lower every subplot (and its title) by ``pixels``, leaving a band under the figure title.

    :class:`attnlib.demo.Demo` places a static twin's dropdowns just above the plotting area; without
    this band they would cover the titles of the top row of subplots.
    """
    layout = fig.layout
    area = (layout.height or 450) - (layout.margin.t or 0) - (layout.margin.b or 0)
    if area <= pixels:
        raise ValueError(f"a figure {layout.height}px high has no room for {pixels}px of controls")
    fig.update_layout(title=dict(y=0.985, yanchor="top"))  # the title at the very top, clear of the controls
    f = 1 - pixels / area
    for name in [k for k in layout.to_plotly_json() if k.startswith("yaxis")]:
        axis = layout[name]
        if axis.domain is not None:
            axis.domain = [round(axis.domain[0] * f, 4), round(axis.domain[1] * f, 4)]
    for ann in layout.annotations:
        if ann.yref == "paper" and ann.y is not None:
            ann.y = ann.y * f
    return fig
