"""The trajectories figure as a Vega-Lite chart that carries its neighbourhood.

Every optimizer's path is sent at every learning rate of its slider (``descent.sweep``), and the
browser picks and draws: each learning rate is a point selection bound to a range input, the step
is a parameter bound to another, so moving either redraws in the browser without a message to the
server. Streamlit reports a changed selection back to the page, which keeps the link in step.

``chart`` returns ``(columns, spec)`` for ``st.vega_lite_chart(columns, spec)``. The columns are
numbers only: ``o`` the optimizer's place, ``li`` the learning rate's index, ``s`` the step.
"""

from __future__ import annotations

import functools
import json
from typing import NamedTuple

import numpy as np

from optviz.figures import plots
from optviz.i18n.text import t
from optviz.toy.descent import Path
from optviz.toy.surfaces import Surface

Array = np.ndarray

MAX_WIDTH = 740  # px: the page's column beside the sidebar on a 1280-px screen
MIN_SIDE = 160  # px: the plot's shortest side, whatever a teacher's window
MAX_SAMPLES = 200  # points per path and rate: the step slider still counts every step
STEP = "traj_k"  # the step parameter; the Play button finds its range input by this name
LR = "traj_lr_"  # + the optimizer's place: its learning-rate selection
CLICK = "traj_click"  # the selection a click on the contour makes
DASHES = {"solid": [1, 0], "dash": [9, 9], "dot": [3, 3], "dashdot": [9, 3, 3, 3]}  # plotly.js's, in px
STAR = ("M0,-1L0.2245,-0.309L0.951,-0.309L0.363,0.118L0.588,0.809L0,0.382L-0.588,0.809L-0.363,0.118"
        "L-0.951,-0.309L-0.2245,-0.309Z")
SHAPES = {"minimum": STAR, "saddle": "cross", "maximum": "triangle-up", "degenerate": "diamond"}


class Sweep(NamedTuple):
    """One optimizer at every rate of its slider."""
    label: str
    colour: str
    dash: str
    lrs: tuple[float, ...]  # (L,) the slider's rates
    paths: list[Path]  # (L,) each drawn up to where it diverged
    notes: list[str]  # (L,) "" or "diverged at step 12", shown in the legend
    crossed: list[bool]  # (L,) whether the path ends in a cross (it diverged, not escaped)
    pick: int  # the index of the rate shown first


@functools.lru_cache(maxsize=256)
def samples(n_points: int) -> Array:
    """The steps drawn of a path of ``n_points`` points: all of them up to MAX_SAMPLES, else every
    k-th for the smallest odd k that keeps them to MAX_SAMPLES, always with the last one. Odd: a
    path that zigzags from step to step still zigzags (every second step would draw it straight).
    Read-only and kept per length: a page draws a few hundred paths of a few lengths on every rerun,
    and thirty students' reruns at once queue for Python's lock at every call that lets it go."""
    last = n_points - 1
    stride = max(1, -(-last // (MAX_SAMPLES - 1)))
    stride += 1 - stride % 2
    steps = np.arange(0, last + 1, stride)
    if steps[-1] != last:
        steps = np.append(steps, last)
    steps.flags.writeable = False
    return steps


def columns(sweeps: list[Sweep]) -> dict[str, Array]:
    """Every sampled point of every path: optimizer ``o``, rate ``li``, step ``s``, position ``x``,
    ``y``, value ``f`` and ``end`` (1 at the last point of a path that ends in a cross). Gathered
    in one indexing of all paths at once: a page rerun for every move of a slider, thirty at once."""
    kept = [(o, li, path, crossed) for o, sw in enumerate(sweeps)
            for li, (path, crossed) in enumerate(zip(sw.paths, sw.crossed, strict=True))]
    if not kept:
        return {k: np.zeros(0, np.float32) for k in ("o", "li", "s", "x", "y", "f", "end")}
    lengths = [len(path.points) for _, _, path, _ in kept]
    steps = [samples(n) for n in lengths]
    counts = np.array([len(s) for s in steps])
    step = np.concatenate(steps)
    rows = step + np.repeat(np.cumsum([0, *lengths[:-1]]), counts)
    points = np.concatenate([path.points for _, _, path, _ in kept])
    end = np.zeros(len(step), np.int8)
    end[np.cumsum(counts) - 1] = [crossed for *_, crossed in kept]
    return {"o": np.repeat([o for o, *_ in kept], counts).astype(np.int8),
            "li": np.repeat([li for _, li, *_ in kept], counts).astype(np.int8),
            "s": step.astype(np.int16), "x": points[rows, 0].astype(np.float32),
            "y": points[rows, 1].astype(np.float32),
            "f": np.concatenate([path.values for _, _, path, _ in kept])[rows].astype(np.float32), "end": end}


def legend_labels(sw: Sweep) -> list[str]:
    """The legend's label of ``sw`` at each rate: its name, η and what became of it."""
    return [f"{sw.label}  η = {lr:g}" + (f"  {'✗' if crossed else '↘'} {note}" if note else "")
            for lr, note, crossed in zip(sw.lrs, sw.notes, sw.crossed, strict=True)]


def _picked(n: int) -> str:
    """A filter expression: the rows of each optimizer at its picked rate (the selection's bound
    value, signal ``<name>_li``)."""
    return " && ".join(f"(datum.o != {o} || datum.li == {LR}{o}_li)" for o in range(n)) or "true"


def chart(surface: Surface, sweeps: list[Sweep], n_steps: int, lang: str, height: int = 440,
          legend: str = "top") -> tuple[dict[str, Array], dict]:
    """The contour picture with every path at its picked rate up to the picked step, start and
    head marked (a cross where it diverged), the surface's critical points, a lattice a click
    picks the nearest point of, and the bound inputs: one learning-rate slider per optimizer and
    the step slider. The plot keeps the window's aspect, ``height`` px high at most; the legend
    lies at the ``legend`` side ("top" or "right")."""
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    aspect = (x1 - x0) / (y1 - y0)
    width = min(MAX_WIDTH, max(MIN_SIDE, round(height * aspect)))
    height = max(MIN_SIDE, round(width / aspect))  # a window far from square gives up its aspect, not the plot
    axis = {"title": None, "grid": False, "tickCount": 8}
    x = {"field": "x", "type": "quantitative", "scale": {"domain": [x0, x1], "nice": False, "zero": False}, "axis": axis}
    y = {"field": "y", "type": "quantitative", "scale": {"domain": [y0, y1], "nice": False, "zero": False}, "axis": axis}
    n = len(sweeps)
    names = [json.dumps(legend_labels(sw), ensure_ascii=False) for sw in sweeps]
    label = " : ".join(f"datum.value == {o} ? {names[o]}[{LR}{o}_li]" for o in range(n)) + " : ''" if n else "''"
    colour = {"field": "o", "type": "nominal", "title": None,
              "scale": {"domain": list(range(n)), "range": [sw.colour for sw in sweeps]},
              # One entry a row: Vega lays a legend's columns out once, by the labels it starts with
              "legend": {"orient": legend, "direction": "vertical", "labelExpr": label,
                         "labelLimit": 420, "symbolSize": 600, "symbolStrokeWidth": 2.5, "labelFontSize": 13}}
    dash = {"field": "o", "type": "nominal", "title": None, "legend": None,
            "scale": {"domain": list(range(n)), "range": [DASHES[sw.dash] for sw in sweeps]}}
    picked = {"filter": _picked(n)}
    upto = {"filter": f"datum.s <= {STEP}"}
    selections = [{"name": f"{LR}{o}", "value": [{"li": sw.pick}],
                   "select": {"type": "point", "fields": ["li"], "on": "none", "clear": False},
                   "bind": {"input": "range", "min": 0, "max": len(sw.lrs) - 1, "step": 1,
                            "name": f"{t('opt.lr', lang)} · {sw.label} "}}
                  for o, sw in enumerate(sweeps)][::-1]  # Vega lists a layer's bound inputs last first
    step = t("fig.step", lang)
    tooltip = [{"field": "name", "title": t("traj.rates.optimizer", lang)}, {"field": "s", "title": step},
               {"field": "x", "format": ".4g"}, {"field": "y", "format": ".4g"}, {"field": "f", "format": ".4g"}]
    named = {"calculate": f"{json.dumps([sw.label for sw in sweeps], ensure_ascii=False)}[datum.o]", "as": "name"}
    lattice = [{"x": round(float(a), 9), "y": round(float(b), 9)} for a, b in zip(*plots.click_lattice(surface), strict=True)]
    layers = [
        {"data": {"values": [{"x": x0, "y": y1, "x2": x1, "y2": y0, "url": plots.contour_picture(surface)}]},
         "mark": {"type": "image", "aspect": False},
         "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"}, "url": {"field": "url"}}},
        {"data": {"values": lattice},
         "mark": {"type": "point", "opacity": 0},
         "params": [{"name": CLICK, "select": {"type": "point", "fields": ["x", "y"], "on": "click", "nearest": True,
                                               "clear": False}}],
         "encoding": {"x": x, "y": y}},
    ]
    if surface.min_curve_xy is not None:
        xy = surface.min_curve_xy()  # nan rows part its branches
        inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)  # False for nan
        piece = np.cumsum(~inside)  # a run of points inside the window is one line
        layers.append({"data": {"values": [{"x": float(a), "y": float(b), "i": i, "piece": int(k)}
                                           for i, ((a, b), k) in enumerate(zip(xy[inside], piece[inside], strict=True))]},
                       "mark": {"type": "line", "strokeDash": [2, 3], "color": "#333333", "strokeWidth": 1.5,
                                "clip": True},
                       "encoding": {"x": x, "y": y, "order": {"field": "i"}, "detail": {"field": "piece"}}})
    critical = [{"x": c.xy[0], "y": c.xy[1], "kind": t(f"fig.{c.kind}", lang) if c.kind in SHAPES and c.kind != "degenerate"
                 else c.kind, "shape": SHAPES.get(c.kind, "diamond")} for c in surface.critical]
    if critical:
        layers.append({"data": {"values": critical},
                       "mark": {"type": "point", "size": 160, "color": "#222222", "strokeWidth": 2, "filled": False},
                       "encoding": {"x": x, "y": y, "shape": {"field": "shape", "type": "nominal", "scale": None},
                                    "tooltip": [{"field": "kind", "title": " "}, {"field": "x", "format": ".3f"},
                                                {"field": "y", "format": ".3f"}]}})
    layers += [
        {"transform": [upto], "params": selections,
         "mark": {"type": "line", "strokeWidth": 2.5, "clip": True},
         "encoding": {"x": x, "y": y, "order": {"field": "s"}, "color": colour, "strokeDash": dash}},
        {"transform": [upto, named], "mark": {"type": "point", "size": 30, "opacity": 0, "clip": True},
         "encoding": {"x": x, "y": y, "tooltip": tooltip}},
        {"transform": [{"filter": "datum.s == 0"}],
         "mark": {"type": "point", "size": 110, "filled": True, "fill": "white", "strokeWidth": 2, "clip": True},
         "encoding": {"x": x, "y": y, "stroke": colour | {"legend": None}}},
        {"transform": [upto, {"joinaggregate": [{"op": "max", "field": "s", "as": "head"}], "groupby": ["o"]},
                       {"filter": "datum.s == datum.head"},
                       {"calculate": "datum.end ? 'cross' : 'circle'", "as": "shape"}, named],
         "name": "heads", "mark": {"type": "point", "size": 110, "filled": True, "clip": True},
         "encoding": {"x": x, "y": y, "color": colour | {"legend": None},
                      "shape": {"field": "shape", "type": "nominal", "scale": None},
                      "angle": {"condition": {"test": "datum.end", "value": 45}, "value": 0}, "tooltip": tooltip}},
    ]
    spec = {"width": width, "height": height, "autosize": {"type": "pad"},  # the plot itself is width × height
            # the picked rates, once for every layer (rows of the other layers have no o and pass)
            "transform": [picked],
            # SVG: a few hundred marks, and each head is an element a test can find ("heads_marks")
            "usermeta": {"embedOptions": {"renderer": "svg"}},
            "params": [{"name": STEP, "value": n_steps,
                        "bind": {"input": "range", "min": 0, "max": n_steps, "step": 1, "name": f"{step} "}}],
            "layer": layers}
    return columns(sweeps), spec
