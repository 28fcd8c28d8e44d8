"""Where a Transformer's parameters are: a stacked bar per model, a part per component."""

from __future__ import annotations

import plotly.graph_objects as go

# One family of colours per kind of part (the groups chapter 7b counts), a shade per part: greys for the
# embeddings and the output layer, blues for attention, oranges for the feed-forward networks, yellows for
# the LayerNorms. Chosen so that every two stay apart for readers with protanopia, deuteranopia or
# tritanopia (the figure tests simulate them); plotly's ten default colours did not.
PART_COLOURS = {
    "source embedding": "#252525", "target embedding": "#636363", "output projection": "#a3a3a3",
    "encoder self-attention": "#08519c", "decoder masked self-attention": "#3d8fd1",
    "decoder cross-attention": "#a6cdec",
    "encoder feed-forward": "#8c2d04", "decoder feed-forward": "#e6550d",
    "encoder LayerNorms": "#e7d84a", "decoder LayerNorms": "#fff7c2",
}


def parameter_figure(breakdowns: dict[str, dict[str, int]]) -> go.Figure:
    """Stacked bars: parameters per component, one bar per preset (a part's colour from PART_COLOURS)."""
    if not breakdowns:
        raise ValueError("no parameter counts to draw")
    presets = list(breakdowns)
    components = list(next(iter(breakdowns.values())))
    fig = go.Figure()
    for comp in components:
        share = [breakdowns[p][comp] / sum(breakdowns[p].values()) for p in presets]
        fig.add_trace(go.Bar(x=presets, y=[round(100 * s, 2) for s in share], name=comp,
                             marker=dict(color=PART_COLOURS.get(comp), line=dict(color="white", width=0.5)),
                             customdata=[breakdowns[p][comp] for p in presets],
                             hovertemplate=comp + ": %{customdata:,} parameters (%{y:.1f}%)<extra></extra>"))
    totals = {p: sum(b.values()) for p, b in breakdowns.items()}
    fig.update_layout(barmode="stack", title="Where the parameters are (share of each model's total)",
                      yaxis_title="% of parameters", height=480, margin=dict(t=70, l=70, r=20, b=40))
    fig.update_xaxes(tickvals=presets, ticktext=[f"{p}<br>{totals[p]:,}" for p in presets])
    return fig
