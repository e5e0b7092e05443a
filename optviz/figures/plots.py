"""Plotly figure builders: arrays in, ``go.Figure`` out. No computation of the lessons here.

Arrays are sent as float32 (half the payload); paths are drawn as lines with markers only at the
start and the end, since markers are what makes big figures slow. The contour picture and the
click lattice here also serve the trajectories chart (``path_chart``).
"""

from __future__ import annotations

import base64
import math
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optviz.figures import raster
from optviz.i18n.text import t
from optviz.optim.registry import OPTIMIZERS
from optviz.toy.curvature import Analysis
from optviz.toy.descent import Path
from optviz.toy.surfaces import Surface

Array = np.ndarray

# Okabe & Ito's colour-blind-safe palette (yellow left out: it vanishes on a light contour).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
# Each optimizer's colour and dash: the page's default four (SGD, Momentum, AdaGrad, Adam) get the
# four most distinct colours; each variant shares its family's colour with a dash of its own.
OPTIMIZER_STYLES = {
    "SGD": ("#000000", "solid"), "Momentum": ("#E69F00", "solid"), "Nesterov": ("#E69F00", "dash"),
    "AdaGrad": ("#009E73", "solid"), "RMSProp": ("#CC79A7", "solid"), "Adam": ("#0072B2", "solid"),
    "AdamW": ("#0072B2", "dash"),
}
DASHES = ("solid", "dash", "dot", "dashdot")


def style(name: str) -> tuple[str, str]:
    """(colour, dash) of optimizer ``name``: its own from OPTIMIZER_STYLES, else the next pair of
    palette colour and dash no other optimizer uses, by its place among the unstyled ones in the
    registry, so a newly added optimizer is told apart too."""
    if name in OPTIMIZER_STYLES:
        return OPTIMIZER_STYLES[name]
    taken = set(OPTIMIZER_STYLES.values())
    free = [(c, d) for d in DASHES for c in COLOURS if (c, d) not in taken]
    unstyled = [n for n in OPTIMIZERS if n not in OPTIMIZER_STYLES]
    i = unstyled.index(name) if name in unstyled else len(unstyled)
    return free[i % len(free)]


CONTOUR_SCALE = [[0.0, "#f7f7f7"], [0.5, "#c9d3dd"], [1.0, "#7c8a99"]]
CONTOUR_PIXELS = 300  # the trajectories figure's contour picture is this many pixels square


class Trace(NamedTuple):
    label: str
    colour: str
    path: Path
    dash: str = "solid"
    note: str = ""  # shown after the label in legends ("diverged at step 12")
    escaped: bool = False  # the note tells an escape downhill (↘, a circle at the end), not a divergence (✗, a cross)

    @property
    def legend(self) -> str:
        return f"{self.label} {'↘' if self.escaped else '✗'} {self.note}" if self.note else self.label

    @property
    def crossed(self) -> bool:
        """Whether the path ends in a cross: it diverged."""
        return bool(self.note) and not self.escaped


class Grid(NamedTuple):
    x: Array  # (nx,)
    y: Array  # (ny,)
    z: Array  # (ny, nx): what the contour colours (f, or log(1 + f − f*))


def grid(surface: Surface, n: int = 120) -> Grid:
    """The surface sampled on an n × n grid over its window, float32."""
    x = np.linspace(*surface.xlim, n)
    y = np.linspace(*surface.ylim, n)
    xx, yy = np.meshgrid(x, y)
    z = surface.value(np.stack([xx, yy], -1))
    if surface.log_contour:
        z = np.log1p(np.maximum(z, 0.0))
    return Grid(x.astype(np.float32), y.astype(np.float32), z.astype(np.float32))


def _contour(g: Grid, showscale: bool = False) -> go.Contour:
    return go.Contour(
        x=g.x, y=g.y, z=g.z, colorscale=CONTOUR_SCALE, ncontours=25, showscale=showscale,
        contours=dict(coloring="heatmap", showlines=True), line=dict(width=0.5, color="#8a96a3"),
        hoverinfo="skip",
    )


def _landmarks(surface: Surface, lang: str, showlegend: bool = True) -> list[go.Scatter]:
    traces = []
    if surface.min_curve_xy is not None:
        xy = surface.min_curve_xy()
        traces.append(go.Scatter(
            x=xy[:, 0], y=xy[:, 1], mode="lines", name=t("fig.valley", lang),
            line=dict(color="#333333", dash="dot", width=1.5), hoverinfo="skip", showlegend=showlegend,
        ))
    symbols = {"minimum": "star", "saddle": "x-thin", "maximum": "triangle-up-open"}
    for kind, symbol in symbols.items():
        pts = np.array([c.xy for c in surface.critical if c.kind == kind]).reshape(-1, 2)
        if len(pts):
            traces.append(go.Scatter(
                x=pts[:, 0], y=pts[:, 1], mode="markers", name=t(f"fig.{kind}", lang),
                marker=dict(symbol=symbol, size=12, color="#222222", line=dict(width=2, color="#222222")),
                hovertemplate=f"{t(f'fig.{kind}', lang)} (%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
                showlegend=showlegend,
            ))
    return traces


def _axes(fig: go.Figure, surface: Surface, row: int | None = None, col: int | None = None) -> None:
    kw = dict(row=row, col=col) if row else {}
    fig.update_xaxes(range=list(surface.xlim), constrain="domain", **kw)
    fig.update_yaxes(range=list(surface.ylim), scaleanchor="x" if not row else None, **kw)


class RawFigure(go.Figure):
    """A figure whose traces are plain dicts in plotly.js's JSON schema.

    Plotly validates every trace object (about 0.5 ms each) and the layout, a good part of a
    rerun's budget for a figure redrawn on every control change.
    The dicts below are built to the schema directly and handed over untouched by ``to_dict``,
    which is what Streamlit serialises.
    """

    def __init__(self, spec: dict) -> None:
        super().__init__()
        self._spec = spec

    def to_dict(self) -> dict:
        return {"data": self._spec["data"], "layout": self._spec["layout"]}


def _typed(a: Array) -> dict:
    """A float32 typed-array spec (plotly.js decodes it; a fifth of a JSON list's size), with its
    shape when it has more than one axis."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    spec = {"dtype": "f4", "bdata": base64.b64encode(a.tobytes()).decode("ascii")}
    return spec | ({"shape": ",".join(map(str, a.shape))} if a.ndim > 1 else {})


_pictures: dict[tuple, str] = {}  # (surface key, formula, window) -> PNG data URI, the newest PICTURES
PICTURES = 128  # teachers' own functions add one each: about 10 KB apiece


def contour_picture(surface: Surface) -> str:
    """The surface's contour map as a PNG data URI (about 10 KB), computed once per surface."""
    key = (surface.key, surface.formula, surface.xlim, surface.ylim)
    picture = _pictures.get(key)
    if picture is None:  # a race between sessions only computes the same picture twice
        picture = raster.data_uri(raster.contour_rgb(grid(surface, CONTOUR_PIXELS).z, CONTOUR_SCALE))
        _pictures[key] = picture
        for old in list(_pictures)[:-PICTURES]:
            _pictures.pop(old, None)
    return picture


def round_step(raw: float) -> float:
    """The smallest round step (1, 2, 2.5 or 5 × 10^k) of at least ``raw`` > 0."""
    scale = 10.0 ** np.floor(np.log10(raw))
    return next(m * scale for m in (1, 2, 2.5, 5, 10) if m * scale >= raw * (1 - 1e-9))


CLICK_CELLS = 24  # lattice steps, about, along the longer side of the window


def click_lattice(surface: Surface) -> tuple[Array, Array]:
    """The points a click on the contour can pick, as flat x and y arrays: the multiples of a
    round step (1, 2, 2.5 or 5 × 10^k, about 1/CLICK_CELLS of the window's longer side) inside the
    window. Each lattice point is an SVG element the browser draws on every rerun: 41 × 41 of them
    took 310 of a redraw's 450 ms, a few hundred take a fifth of that."""
    step = round_step(max(surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0]) / CLICK_CELLS)
    axes = [np.arange(np.ceil(lo / step - 1e-9), np.floor(hi / step + 1e-9) + 1) * step
            for lo, hi in (surface.xlim, surface.ylim)]
    cx, cy = np.meshgrid(*axes)
    return cx.ravel(), cy.ravel()


def panels(surface: Surface, runs: list[Trace], lang: str) -> go.Figure:
    """Small multiples: one contour panel per optimizer, as in the book's figure."""
    cols = 2 if len(runs) <= 4 else 3
    rows = max(1, math.ceil(len(runs) / cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[r.legend for r in runs],
                        horizontal_spacing=0.04, vertical_spacing=0.08)
    g = grid(surface, 80)
    for i, r in enumerate(runs):
        row, col = i // cols + 1, i % cols + 1
        fig.add_trace(_contour(g), row=row, col=col)
        for tr in _landmarks(surface, lang, showlegend=False):
            fig.add_trace(tr, row=row, col=col)
        pts = r.path.points.astype(np.float32)
        fig.add_trace(go.Scatter(
            x=pts[:, 0], y=pts[:, 1], mode="lines+markers", showlegend=False,
            line=dict(color=r.colour, width=2), marker=dict(size=4, color=r.colour),
            hovertemplate=f"{t('fig.step', lang)} %{{pointNumber}}: (%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
        ), row=row, col=col)
        _axes(fig, surface, row, col)
    fig.update_layout(height=300 * rows, margin=dict(l=10, r=10, t=40, b=10))
    return fig


def surface_3d(surface: Surface, runs: list[Trace], lang: str) -> go.Figure:
    """The surface in 3-D with every path lying on it."""
    g = grid(surface, 70)
    fig = go.Figure(go.Surface(x=g.x, y=g.y, z=g.z, colorscale=CONTOUR_SCALE, showscale=False,
                               opacity=0.9, hoverinfo="skip"))
    zmin, zmax = float(g.z.min()), float(g.z.max())
    for r in runs:
        pts = r.path.points
        z = np.log1p(np.maximum(r.path.values, 0)) if surface.log_contour else r.path.values
        inside = ((pts[:, 0] >= surface.xlim[0]) & (pts[:, 0] <= surface.xlim[1])
                  & (pts[:, 1] >= surface.ylim[0]) & (pts[:, 1] <= surface.ylim[1]))
        x, y = np.where(inside, pts[:, 0], np.nan), np.where(inside, pts[:, 1], np.nan)
        fig.add_trace(go.Scatter3d(
            x=x.astype(np.float32), y=y.astype(np.float32), z=z.astype(np.float32),
            mode="lines", name=r.legend, line=dict(color=r.colour, width=6, dash=r.dash),
        ))
    ztitle = t("fig.log_colour", lang) if surface.log_contour else "f"
    fig.update_layout(
        height=560, margin=dict(l=0, r=0, t=10, b=0),
        scene=dict(xaxis=dict(range=list(surface.xlim)), yaxis=dict(range=list(surface.ylim)),
                   zaxis=dict(range=[zmin, zmax], title=ztitle), aspectmode="manual",
                   aspectratio=dict(x=1.2, y=1.2 * (surface.ylim[1] - surface.ylim[0])
                                    / (surface.xlim[1] - surface.xlim[0]), z=0.7)),
    )
    return fig


def curvature(surface: Surface, a: Analysis, lang: str) -> go.Figure:
    """A close-up contour around the analysed point with its Hessian eigenvectors as arrows
    (length ∝ 1/√|λ|) and, where the surface curves down, the escape step."""
    span = 0.15 * max(surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0])
    x0, y0 = a.point
    xs = np.linspace(x0 - span, x0 + span, 80)
    ys = np.linspace(y0 - span, y0 + span, 80)
    xx, yy = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        z = surface.value(np.stack([xx, yy], -1))
    g = Grid(xs.astype(np.float32), ys.astype(np.float32), z.astype(np.float32))
    fig = go.Figure(_contour(g, showscale=True))
    lam_scale = np.sqrt(np.abs(a.eigenvalues).max()) or 1.0
    for i in range(2):
        lam = float(a.eigenvalues[i])
        u = a.eigenvectors[:, i]
        length = 0.6 * span * (lam_scale / max(np.sqrt(abs(lam)), 1e-3 * lam_scale)) / 3
        length = min(length, 0.9 * span)
        colour = COLOURS[1] if lam < 0 else COLOURS[0]
        fig.add_trace(go.Scatter(
            x=[x0 - length * u[0], x0 + length * u[0]], y=[y0 - length * u[1], y0 + length * u[1]],
            mode="lines", line=dict(color=colour, width=3, dash="solid" if lam >= 0 else "dash"),
            name=t("fig.eigvec", lang, lam=f"{lam:.3g}"),
        ))
    if a.escape is not None:
        e = a.escape
        end = a.point + e.step * e.direction
        fig.add_trace(go.Scatter(x=[x0, end[0]], y=[y0, end[1]], mode="lines+markers",
                                 name=t("fig.escape", lang), line=dict(color=COLOURS[2], width=3),
                                 marker=dict(size=[0, 12], symbol="arrow", angleref="previous",
                                             color=COLOURS[2])))
    fig.add_trace(go.Scatter(x=[x0], y=[y0], mode="markers", showlegend=False, hoverinfo="skip",
                             marker=dict(size=10, color="#222222")))
    fig.update_layout(height=420, margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0))
    fig.update_xaxes(range=[x0 - span, x0 + span], constrain="domain")
    fig.update_yaxes(range=[y0 - span, y0 + span], scaleanchor="x")
    return fig
