"""The batch-size page's surfaces figure as a Vega-Lite chart that carries its neighbourhood.

Every offered small batch, learning rate and number of epochs is sent at once (``batching.
surface_experiment``): the paths of batch 1, of each small batch and of the full batch at every
rate for the most epochs, and the contour lines of three mini-batch losses of each small batch. The
browser picks and draws: each choice is a point selection bound to radio buttons, and a shorter run
is the beginning of the longest, cut at its epochs. Streamlit reports a changed selection back to
the page, which keeps its table and the link in step.

``chart`` returns ``(paths, contours, spec)`` for ``st.vega_lite_chart(None, spec | {"datasets":
{"paths": paths, "contours": contours}})`` (Streamlit draws no top-level data beside named
datasets): ``paths`` rows have ``p`` the batch's place in ``Surfaces.sizes``, ``li`` the rate's
index, ``e`` the epochs' index, ``s`` the update, ``x``, ``y``; ``contours`` see ``contours``.
"""

from __future__ import annotations

import json

import numpy as np

from optviz.figures import isolines, raster
from optviz.figures.path_chart import STAR, samples
from optviz.figures.plots import COLOURS, CONTOUR_SCALE
from optviz.i18n.text import t
from optviz.lessons.batching import SURFACE_BATCHES, SURFACE_EPOCHS, SURFACE_LRS, Surfaces, updates_per_epoch

Array = np.ndarray

BATCH = "surf_b"  # selection over ``b``: the small batch's index in SURFACE_BATCHES
RATE = "surf_lr"  # over ``li``: the rate's index in SURFACE_LRS
EPOCHS = "surf_ep"  # over ``e``: the index in SURFACE_EPOCHS
LEVELS = (0.05, 0.25, 0.45, 0.65)  # a mini-batch's contour lines, above its lowest value
DASHES = ([2, 3], [8, 3, 2, 3], [12, 5])  # the three mini-batches' lines
CROSS = "M-1,-0.7L-0.7,-1L0,-0.3L0.7,-1L1,-0.7L0.3,0L1,0.7L0.7,1L0,0.3L-0.7,1L-1,0.7L-0.3,0Z"  # the start: ×


def columns(demo: Surfaces) -> dict[str, Array]:
    """Every drawn path (see the module's docstring): each batch, rate and number of epochs its own
    rows, sampled as ``path_chart.samples`` does, so the browser filters thousands of rows, not
    every update (batch 1 for 20 epochs alone makes 4,000)."""
    cols: dict[str, list[Array]] = {c: [] for c in ("p", "li", "e", "s", "x", "y")}
    for p in range(len(demo.sizes)):
        for li in range(len(SURFACE_LRS)):
            for e, epochs in enumerate(SURFACE_EPOCHS):
                path = demo.path(p, li, epochs)
                s = samples(len(path))
                for c, v in (("p", p), ("li", li), ("e", e)):
                    cols[c].append(np.full(len(s), v, np.int8))
                cols["s"].append(s.astype(np.int16))
                cols["x"].append(path[s, 0].astype(np.float32))
                cols["y"].append(path[s, 1].astype(np.float32))
    return {c: np.concatenate(v) for c, v in cols.items()}


def contours(demo: Surfaces) -> dict[str, Array]:
    """The LEVELS lines of every mini-batch loss of every small batch as polylines: rows ``b``,
    ``k``, ``piece`` (one polyline), ``i`` (its order), ``x``, ``y``; simplified to within half a
    pixel of a 500-px plot."""
    tolerance = 0.001 * (demo.w2[-1] - demo.w2[0])
    cols: dict[str, list[Array]] = {c: [] for c in ("b", "k", "piece", "i", "x", "y")}
    piece = 0
    for b, losses in enumerate(demo.batches):
        for k, z in enumerate(losses):
            for level in LEVELS:
                for line in isolines.lines(demo.w1, demo.w2, z, float(z.min()) + level, tolerance):
                    for c, v in (("b", b), ("k", k)):
                        cols[c].append(np.full(len(line), v, np.int8))
                    cols["piece"].append(np.full(len(line), piece, np.int32))
                    cols["i"].append(np.arange(len(line), dtype=np.int16))
                    cols["x"].append(line[:, 0].astype(np.float32))
                    cols["y"].append(line[:, 1].astype(np.float32))
                    piece += 1
    return {c: np.concatenate(v) for c, v in cols.items()}


def labels(demo: Surfaces, lang: str) -> list[list[list[str]]]:
    """The legend's label of each path, [batch place][rate][epochs]: its batch, updates per epoch
    and the full-data loss where it ends."""
    return [[[t("bs.surface.path", lang, b=b, n=updates_per_epoch(demo.n, b))
              + f"  →  {t('bs.surface.final', lang)} {demo.final(p, li, e):.3f}"
              for e in SURFACE_EPOCHS] for li in range(len(SURFACE_LRS))] for p, b in enumerate(demo.sizes)]


def _radio(name: str, field: str, values, pick: int, label: str) -> dict:
    return {"name": name, "value": [{field: pick}],
            "select": {"type": "point", "fields": [field], "on": "none", "clear": False},
            "bind": {"input": "radio", "options": list(range(len(values))), "labels": [f"{v:g}" for v in values],
                     "name": f"{label} "}}


def chart(demo: Surfaces, lang: str, height: int = 520) -> tuple[dict[str, Array], dict[str, Array], dict]:
    """The full-data loss as a contour picture (log of the gap to its minimum, which is starred),
    the lowest contour lines of three mini-batch losses of the picked small batch, and SGD from
    one start with batch 1, that batch and all the data at the picked rate for the picked epochs,
    each ending in a dot; the three choices are radio buttons under it. ``height`` in px; the
    legend lies to the right."""
    (x0, x1), (y0, y1) = (demo.w1[0], demo.w1[-1]), (demo.w2[0], demo.w2[-1])
    width = round(height * (x1 - x0) / (y1 - y0))
    last = len(demo.sizes) - 1
    axis = {"grid": False, "tickCount": 8}
    x = {"field": "x", "type": "quantitative", "title": "w₁", "axis": axis,
         "scale": {"domain": [float(x0), float(x1)], "nice": False, "zero": False}}
    y = {"field": "y", "type": "quantitative", "title": "w₂", "axis": axis,
         "scale": {"domain": [float(y0), float(y1)], "nice": False, "zero": False}}
    shown = (f"datum.e == {EPOCHS}_e && datum.li == {RATE}_li"
             f" && (datum.p == 0 || datum.p == {last} || datum.p == {BATCH}_b + 1)")
    ends = [[[len(demo.path(p, li, e)) - 1 for e in SURFACE_EPOCHS] for li in range(len(SURFACE_LRS))]
            for p in range(len(demo.sizes))]
    role = {"calculate": f"datum.p == 0 ? 0 : datum.p == {last} ? 2 : 1", "as": "role"}
    names = json.dumps(labels(demo, lang), ensure_ascii=False)
    at = f"[{RATE}_li][{EPOCHS}_e]"
    label = (f"datum.value == 0 ? {names}[0]{at} : datum.value == 1 ? {names}[{BATCH}_b + 1]{at}"
             f" : {names}[{last}]{at}")
    colour = {"field": "role", "type": "nominal", "title": None,
              "scale": {"domain": [0, 1, 2], "range": list(COLOURS[:3])},
              "legend": {"orient": "right", "labelExpr": label, "labelLimit": 400, "symbolStrokeWidth": 2.5,
                         "labelFontSize": 12, "symbolType": "stroke"}}
    mini = [t("bs.fig.batch_loss", lang, k=k + 1) for k in range(3)]
    mini_legend = {"orient": "right", "labelExpr": f"{json.dumps(mini, ensure_ascii=False)}[datum.value]",
                   "symbolType": "stroke", "labelFontSize": 12}
    gap = np.log10(demo.full - demo.full.min() + 1e-3)
    j, i = np.unravel_index(np.argmin(demo.full), demo.full.shape)
    start = demo.paths[0][0, 0]
    marks = [{"x": float(start[0]), "y": float(start[1]), "kind": t("bs.fig.start", lang), "shape": CROSS},
             {"x": float(demo.w1[i]), "y": float(demo.w2[j]), "kind": t("bs.fig.minimum", lang), "shape": STAR}]
    selections = [_radio(EPOCHS, "e", SURFACE_EPOCHS, 2, t("bs.epochs", lang)),
                  _radio(RATE, "li", SURFACE_LRS, 3, t("opt.lr", lang)),
                  _radio(BATCH, "b", SURFACE_BATCHES, 2, t("bs.surface.batch", lang))]  # Vega lists them last first
    layers = [
        {"data": {"values": [{"x": float(x0), "y": float(y1), "x2": float(x1), "y2": float(y0),
                              "url": raster.data_uri(raster.contour_rgb(raster.finer(gap, 3), CONTOUR_SCALE, levels=16))}]},
         "params": selections, "mark": {"type": "image", "aspect": False},
         "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"}, "url": {"field": "url"}}},
        {"data": {"name": "contours"}, "transform": [{"filter": f"datum.b == {BATCH}_b"}],
         "mark": {"type": "line", "strokeWidth": 1.5, "clip": True},
         "encoding": {"x": x, "y": y, "detail": {"field": "piece"}, "order": {"field": "i"},
                      "color": {"field": "k", "type": "nominal", "title": None, "legend": mini_legend,
                                "scale": {"domain": [0, 1, 2], "range": list(COLOURS[3:6])}},
                      "strokeDash": {"field": "k", "type": "nominal", "title": None, "legend": mini_legend,
                                     "scale": {"domain": [0, 1, 2], "range": list(DASHES)}}}},
        {"data": {"name": "paths"}, "transform": [{"filter": shown}, role], "name": "paths",
         "mark": {"type": "line", "strokeWidth": 2.5, "clip": True},
         "encoding": {"x": x, "y": y, "order": {"field": "s"}, "color": colour}},
        {"data": {"name": "paths"}, "transform": [{"filter": shown}, role,
                       {"filter": f"datum.s == {ends}[datum.p][datum.li][datum.e]"}],
         "name": "heads", "mark": {"type": "point", "size": 110, "filled": True, "clip": True, "opacity": 1},
         "encoding": {"x": x, "y": y, "color": colour | {"legend": None},
                      "tooltip": [{"field": "s", "title": t("bs.surface.updates", lang)},
                                  {"field": "x", "title": "w₁", "format": ".3f"},
                                  {"field": "y", "title": "w₂", "format": ".3f"}]}},
        {"data": {"values": marks}, "mark": {"type": "point", "size": 180, "color": "#111111", "strokeWidth": 2.5},
         "encoding": {"x": x, "y": y, "shape": {"field": "kind", "type": "nominal", "title": None,
                                                "scale": {"domain": [m["kind"] for m in marks],
                                                          "range": [m["shape"] for m in marks]},
                                                "legend": {"orient": "right", "labelFontSize": 12}}}},
    ]
    spec = {"width": width, "height": height, "autosize": {"type": "pad"},
            "usermeta": {"embedOptions": {"renderer": "svg"}},
            "layer": layers, "resolve": {"scale": {"color": "independent", "strokeDash": "independent"}}}
    return columns(demo), contours(demo), spec
