"""Basins of attraction as small multiples: one map per optimizer, the same colours in each."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optviz.i18n.text import t
from optviz.toy.basins import DIVERGED, NOT_YET, Basins
from optviz.toy.surfaces import Surface

# Minima in colours far from grey and black; a tenth minimum and beyond reuse them.
MINIMUM_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#7F3C8D",
                   "#11A579")
NOT_YET_COLOUR, DIVERGED_COLOUR = "#d9d9d9", "#222222"
COLUMNS = 4


def _colours(surface: Surface) -> list[str]:
    """Colour of each heat-map level: diverged, not yet, then each minimum."""
    k = len(surface.minima)
    return [DIVERGED_COLOUR, NOT_YET_COLOUR] + [MINIMUM_COLOURS[i % len(MINIMUM_COLOURS)] for i in range(k)]


def basin_maps(surface: Surface, maps: list[tuple[str, Basins]], start: tuple[float, float], n_steps: int,
               lang: str) -> go.Figure:
    """One heat map per (label, basins), each start point coloured by where that optimizer ends
    after ``n_steps``: the colour of the minimum it reached, light grey when it has not converged,
    black when it diverged. The minima are stars in their basin's colour, the page's start a
    white cross."""
    colours = _colours(surface)
    levels = len(colours)
    scale = [[edge, c] for i, c in enumerate(colours) for edge in (i / levels, (i + 1) / levels)]
    rows = -(-len(maps) // COLUMNS)
    cols = min(len(maps), COLUMNS)
    fig = make_subplots(rows, cols, subplot_titles=[label for label, _ in maps], horizontal_spacing=0.03,
                        vertical_spacing=0.08)
    for k, (_, b) in enumerate(maps):
        row, col = k // COLUMNS + 1, k % COLUMNS + 1
        z = np.where(b.outcome == DIVERGED, 0, np.where(b.outcome == NOT_YET, 1, b.outcome + 2)).astype(np.float32)
        fig.add_heatmap(x=b.xs.astype(np.float32), y=b.ys.astype(np.float32), z=z, zmin=-0.5, zmax=levels - 0.5,
                        colorscale=scale, showscale=False, hoverinfo="skip", row=row, col=col)
        if len(surface.minima):
            fig.add_scatter(x=surface.minima[:, 0], y=surface.minima[:, 1], mode="markers", showlegend=False,
                            marker=dict(symbol="star", size=14, color=colours[2:], line=dict(color="black", width=1.5)),
                            hoverinfo="skip", row=row, col=col)
        fig.add_scatter(x=[start[0]], y=[start[1]], mode="markers", showlegend=False, hoverinfo="skip",
                        marker=dict(symbol="x", size=11, color="white", line=dict(color="black", width=1.5)),
                        row=row, col=col)
        fig.update_xaxes(range=list(surface.xlim), constrain="domain", showgrid=False, zeroline=False, row=row, col=col)
        fig.update_yaxes(range=list(surface.ylim), scaleanchor=f"x{'' if k == 0 else k + 1}", showgrid=False,
                         zeroline=False, showticklabels=col == 1, row=row, col=col)
    legend = [(t("fig.basin.minimum", lang, x=f"{x:.3g}", y=f"{y:.3g}"), colours[2 + i])
              for i, (x, y) in enumerate(surface.minima)]
    legend += [(t("fig.basin.not_yet", lang, n=n_steps), NOT_YET_COLOUR), (t("fig.basin.diverged", lang), DIVERGED_COLOUR)]
    for name, colour in legend:  # heat maps have no legend of their own
        fig.add_scatter(x=[None], y=[None], mode="markers", name=name, marker=dict(symbol="square", size=12, color=colour),
                        row=1, col=1)
    fig.update_layout(height=290 * rows + 80, margin=dict(l=10, r=10, t=70, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.06, x=0))
    return fig
