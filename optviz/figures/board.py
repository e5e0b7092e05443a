"""The class's answers as a figure: one bar per choice, the experiment's answer marked."""

from __future__ import annotations

import plotly.graph_objects as go

from optviz.figures.plots import COLOURS

OTHERS = "#b0b0b0"


def tally(labels: list[str], counts: list[int], correct: int, height: int = 260) -> go.Figure:
    """Horizontal bars, first choice on top; ``counts[k]`` students chose ``labels[k]``; bar
    ``correct`` (an index) in colour with a check mark, the others grey."""
    total = sum(counts)
    text = [f"{c} ({c / total:.0%})" if total else "0" for c in counts]
    fig = go.Figure(go.Bar(
        x=counts, y=[("✔ " if k == correct else "") + label for k, label in enumerate(labels)], orientation="h",
        marker_color=[COLOURS[2] if k == correct else OTHERS for k in range(len(labels))],
        text=text, textposition="outside", cliponaxis=False, hoverinfo="skip"))
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=16))
    fig.update_xaxes(visible=False, range=[0, max([*counts, 1]) * 1.25])
    # room on the right for the count beside the longest bar, however narrow the column
    fig.update_layout(height=height, margin=dict(l=10, r=80, t=10, b=10), showlegend=False, font=dict(size=15))
    return fig
