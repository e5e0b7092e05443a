"""Plotly figures of the batch-size page: measurements in, ``go.Figure`` out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optviz.figures.plots import COLOURS
from optviz.i18n.text import t
from optviz.lessons.batching import Noise, reference_variance

Array = np.ndarray
GREY = "#7f7f7f"


def _layout(fig: go.Figure, height: int = 420) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=50, b=10), template="plotly_white",
                      legend=dict(orientation="h", yanchor="top", y=-0.18, x=0))
    return fig


def timing(sizes: list[int], times: list[Array], n: int, lang: str) -> go.Figure:
    """Per-update and per-epoch time against batch size, log–log: median with the 25–75 %
    range, and the dashed line of a machine that did one example at a time."""
    med = np.array([np.median(s) for s in times])
    q1 = np.array([np.percentile(s, 25) for s in times])
    q3 = np.array([np.percentile(s, 75) for s in times])
    b = np.asarray(sizes, float)
    per_epoch = np.ceil(n / b)
    fig = make_subplots(1, 2, subplot_titles=(t("bs.fig.per_update", lang), t("bs.fig.per_epoch", lang)),
                        horizontal_spacing=0.1)
    for col, scale in ((1, np.ones_like(b)), (2, per_epoch)):
        fig.add_scatter(x=b, y=1e3 * med * scale, mode="lines+markers", name=t("bs.fig.measured", lang),
                        line=dict(color=COLOURS[0], width=3), showlegend=col == 1, row=1, col=col,
                        error_y=dict(type="data", symmetric=False, array=1e3 * (q3 - med) * scale,
                                     arrayminus=1e3 * (med - q1) * scale, color=COLOURS[0]),
                        hovertemplate="B = %{x}<br>%{y:.3g} ms<extra></extra>")
        # One example after another: an update of B takes B times one example's; an epoch, n times.
        serial = 1e3 * med[0] * (b if col == 1 else np.full_like(b, n))
        fig.add_scatter(x=b, y=serial, mode="lines", name=t("bs.fig.serial", lang), showlegend=col == 1,
                        line=dict(color=GREY, dash="dash"), row=1, col=col, hoverinfo="skip")
    fig.update_xaxes(type="log", title_text=t("bs.fig.batch", lang))
    fig.update_yaxes(type="log", title_text="ms", row=1, col=1)
    fig.update_yaxes(type="log", title_text="ms", row=1, col=2)
    return _layout(fig)


def noise(nz: Noise, n: int, slope: float, lang: str) -> go.Figure:
    """Variance of mini-batch gradients around the full-batch gradient (log–log, with σ²/B and
    the without-replacement correction), and their cosine similarity to it."""
    b = np.asarray(nz.sizes, float)
    fig = make_subplots(1, 2, subplot_titles=(t("bs.fig.variance", lang, slope=slope), t("bs.fig.cosine", lang)),
                        horizontal_spacing=0.1)
    fig.add_scatter(x=b, y=nz.variance, mode="lines+markers", name=t("bs.fig.measured", lang),
                    line=dict(color=COLOURS[0], width=3), row=1, col=1,
                    hovertemplate="B = %{x}<br>%{y:.3g}<extra></extra>")
    fig.add_scatter(x=b, y=reference_variance(nz.per_example, b, n), mode="lines", name=t("bs.fig.one_over_b", lang),
                    line=dict(color=GREY, dash="dash"), row=1, col=1, hoverinfo="skip")
    fig.add_scatter(x=np.r_[b, b[::-1]], y=np.r_[nz.cosine_spread[1], nz.cosine_spread[0][::-1]], fill="toself",
                    fillcolor="rgba(0,114,178,0.15)", line=dict(width=0), name="10–90 %", row=1, col=2,
                    hoverinfo="skip")
    fig.add_scatter(x=b, y=nz.cosine, mode="lines+markers", line=dict(color=COLOURS[0], width=3), showlegend=False,
                    row=1, col=2, hovertemplate="B = %{x}<br>cos = %{y:.3f}<extra></extra>")
    fig.update_xaxes(type="log", title_text=t("bs.fig.batch", lang))
    fig.update_yaxes(type="log", title_text="E‖g_B − g‖²", row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], title_text="cos(g_B, g)", row=1, col=2)
    return _layout(fig)


def landscape(alphas: Array, interp: dict[str, Array], ts: Array, around: dict[tuple[str, str], Array],
              names: dict[str, str], lang: str) -> go.Figure:
    """Left: the loss on the straight line through the two solutions (α = 0 small batch, α = 1
    large batch). Right: the loss along filter-normalised random directions around each. Either
    may hold only some curves while the experiment runs."""
    fig = make_subplots(1, 2, subplot_titles=(t("bs.fig.line", lang), t("bs.fig.random", lang)),
                        horizontal_spacing=0.1)
    dash = {"train": "solid", "test": "dash"}
    for split, curve in interp.items():
        fig.add_scatter(x=alphas, y=curve, mode="lines", name=t(f"bs.fig.{split}", lang),
                        line=dict(color=GREY if split == "test" else "black", dash=dash[split], width=2.5), row=1, col=1)
    for (which, split), curve in around.items():  # a partial result holds some of them
        fig.add_scatter(x=ts, y=curve, mode="lines", name=f"{names[which]} · {t(f'bs.fig.{split}', lang)}",
                        line=dict(color=COLOURS[("small", "large").index(which)], dash=dash[split], width=2.5),
                        row=1, col=2)
    if not interp:
        fig.add_annotation(x=0.5, y=0.5, xref="x domain", yref="y domain", text=t("bs.fig.line_wait", lang),
                           showarrow=False, font=dict(color=GREY), row=1, col=1)
    for a, which in ((0, "small"), (1, "large")):
        fig.add_vline(x=a, line=dict(color=COLOURS[a], width=1), row=1, col=1)
        fig.add_annotation(x=a, y=0.97, yref="y domain", text=names[which], showarrow=False, yanchor="top",
                           xanchor="left" if a == 0 else "right", xshift=4 if a == 0 else -4,
                           font=dict(color=COLOURS[a]), bgcolor="rgba(255,255,255,0.8)", row=1, col=1)
    fig.update_xaxes(title_text="α", row=1, col=1)
    fig.update_xaxes(title_text=t("bs.fig.distance", lang), row=1, col=2)
    fig.update_yaxes(title_text=t("bs.fig.loss", lang), type="log")
    return _layout(fig, 460)
