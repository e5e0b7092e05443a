"""Vega-Lite specs and columns for the curves that grow live while networks train, and for the
trajectories' curves that follow every control change.

Streamlit updates a Vega-Lite chart in place (a Plotly chart is remounted on every update and
flickers), so these curves use plain-dict specs; each builder returns
``(columns, spec)`` for ``st.vega_lite_chart(columns, spec)``. The columns are numbers only (a
network is its index; the spec names it), because every watching student's page is sent its own
copy several times a second and string columns cost most of that conversion.
"""

from __future__ import annotations

import json

import numpy as np

from optviz.figures import plots
from optviz.figures.path_chart import STAR
from optviz.figures.plots import COLOURS
from optviz.i18n.text import t
from optviz.nn.inside import History
from optviz.nn.train import Run, smooth
from optviz.toy.surfaces import Surface

Array = np.ndarray

MAX_POINTS = 400  # per curve: enough for the eye, light enough to resend several times a second
LOSS_FLOOR = 1e-4  # losses are drawn on a log axis; exact zeros (float32 saturation) sit here
BAND_MERGE = 2  # neighbouring histogram bins drawn as one cell of the inside view's bands
LOSS_CAP = 20.0  # a blowing-up loss is drawn to here (chance is ln 10 ≈ 2.3), so it cannot flatten the rest


def _named(field: str, names: list[str], index: str) -> dict:
    """A transform that sets ``field`` to ``names[datum[index]]``."""
    return {"calculate": f"{json.dumps(list(names), ensure_ascii=False)}[datum.{index}]", "as": field}


def _colour(names: list[str], legend: bool = True) -> dict:
    return {"field": "net", "type": "nominal", "title": None,
            "scale": {"domain": names, "range": list(COLOURS[:len(names)])},
            # The faint raw layer comes first; its legend symbols are drawn opaque all the same.
            "legend": {"orient": "bottom", "columns": 2, "labelLimit": 240, "symbolOpacity": 1,
                       "symbolStrokeWidth": 3} if legend else None}


def _x(iterations: int, title: str) -> dict:
    return {"field": "iteration", "type": "quantitative", "title": title,
            "scale": {"domain": [0, iterations], "nice": False}}


def smoothing_window(iterations: int) -> int:
    """Points in the moving average of the loss: 2 % of the run, at least 10."""
    return max(10, iterations // 50)


def loss_chart(runs: list[Run], names: list[str], x_title: str, y_title: str | list[str], upto: int | None = None
               ) -> tuple[dict, dict]:
    """Raw batch losses as faint lines and their moving average on top, log y axis; each run up to
    the iterations it has done (at most ``upto``: a paused view stays put). A dashed rule in a
    run's colour marks each of its mid-run changes. A list ``y_title`` is one line per entry: a
    title longer than the plot is high would squeeze the plot."""
    iterations = runs[0].key.iterations
    window = smoothing_window(iterations)
    cols: dict[str, list] = {"iteration": [], "k": [], "loss": [], "smooth": []}
    for k, run in enumerate(runs):
        t = min(run.t, iterations if upto is None else upto)
        its = np.arange(0, t, max(1, -(-t // MAX_POINTS)))
        raw = run.losses[:t].astype(np.float64)
        for smoothed, values in enumerate((raw, smooth(raw, window))):
            v = values[its]
            ok = np.isfinite(v)
            cols["iteration"].append(its[ok] + 1)
            cols["loss"].append(np.clip(v[ok], LOSS_FLOOR, LOSS_CAP).astype(np.float32))
            cols["k"].append(np.full(ok.sum(), k, np.int8))
            cols["smooth"].append(np.full(ok.sum(), smoothed, np.int8))
        ats = np.array([c.at for c in run.key.changes], np.int64)
        ats = ats[ats <= (iterations if upto is None else upto)]
        cols["iteration"].append(ats)
        cols["loss"].append(np.full(len(ats), LOSS_CAP, np.float32))
        cols["k"].append(np.full(len(ats), k, np.int8))
        cols["smooth"].append(np.full(len(ats), 2, np.int8))
    columns = {c: np.concatenate(v) for c, v in cols.items()}
    encoding = {"x": _x(iterations, x_title),
                "y": {"field": "loss", "type": "quantitative", "title": y_title, "scale": {"type": "log"}},
                "color": _colour(names)}
    spec = {"height": 380, "transform": [_named("net", names, "k")], "layer": [
        {"transform": [{"filter": "datum.smooth == 0"}], "mark": {"type": "line", "opacity": 0.25, "strokeWidth": 1},
         "encoding": encoding},
        {"transform": [{"filter": "datum.smooth == 1"}], "mark": {"type": "line", "strokeWidth": 2.5},
         "encoding": {**encoding, "tooltip": [{"field": "net"}, {"field": "iteration"},
                                              {"field": "loss", "format": ".4f"}]}},
        {"transform": [{"filter": "datum.smooth == 2"}], "mark": {"type": "rule", "strokeDash": [6, 4], "strokeWidth": 2},
         "encoding": {"x": encoding["x"], "color": encoding["color"],
                      "tooltip": [{"field": "net"}, {"field": "iteration"}]}},
    ]}
    return columns, spec


def accuracy_chart(runs: list[Run], names: list[str], x_title: str, y_title: str,
                   split_names: tuple[str, str], upto: int | None = None) -> tuple[dict, dict]:
    """Train (dashed) and test (solid) accuracy of every run at each measurement up to ``upto``
    (the page says which line style is which)."""
    cols: dict[str, list] = {"iteration": [], "k": [], "accuracy": [], "split": []}
    for split, which in enumerate(("train_acc", "test_acc")):
        for k, run in enumerate(runs):
            for at, acc in zip(run.eval_at, getattr(run, which), strict=False):  # read while it may grow
                if np.isfinite(acc) and (upto is None or at <= upto):
                    cols["iteration"].append(at)
                    cols["k"].append(k)
                    cols["accuracy"].append(acc)
                    cols["split"].append(split)
    # 80 px lower than the loss chart, whose height includes its legend: the two plots line up.
    spec = {"height": 300, "mark": {"type": "line", "point": True, "strokeWidth": 2},
            "transform": [_named("net", names, "k"), _named("set", list(split_names), "split")],
            "encoding": {"x": _x(runs[0].key.iterations, x_title),
                         "y": {"field": "accuracy", "type": "quantitative", "title": y_title,
                               "scale": {"domain": [0, 1]}, "axis": {"format": ".0%"}},  # still while it grows
                         "color": _colour(names, legend=False),  # the loss chart beside it has the legend
                         "strokeDash": {"field": "set", "type": "nominal", "title": None,
                                        "legend": None,  # the axis title says which is which
                                        "scale": {"domain": list(split_names), "range": [[5, 4], [1, 0]]}},
                         "tooltip": [{"field": "net"}, {"field": "set"}, {"field": "iteration"},
                                     {"field": "accuracy", "format": ".1%"}]}}
    return {c: np.asarray(v, np.float32 if c == "accuracy" else np.int32) for c, v in cols.items()}, spec


DASH_ARRAYS = {"solid": [1, 0], "dash": [9, 9], "dot": [3, 3], "dashdot": [9, 3, 3, 3]}  # as plotly.js draws them (px)


def descent_curves(surface: Surface, runs: list[plots.Trace], lang: str) -> list[tuple[dict, dict]]:
    """The trajectories' curves against step, each as ``(columns, spec)``: f − f* on a log axis and
    the distance to the nearest minimum (log) when the surface has a minimum (every one here with
    a minimum has f* = 0), else f itself. A point at or below zero on a log axis is left out. The
    last chart carries the legend: each optimizer's colour and dash, as in the trajectories figure."""
    has_min = surface.has_minimum
    names = [r.legend for r in runs]
    colour = {"field": "net", "type": "nominal", "title": None,
              "scale": {"domain": names, "range": [r.colour for r in runs]}}
    dash = {"field": "net", "type": "nominal", "title": None,
            "scale": {"domain": names, "range": [DASH_ARRAYS[r.dash] for r in runs]}}
    panels = [(r.path.values for r in runs), (surface.distance_to_minimum(r.path.points) for r in runs)] if has_min \
        else [(r.path.values for r in runs)]
    titles = [t("fig.loss", lang), t("fig.distance", lang)] if has_min else [t("fig.loss_raw", lang)]
    charts = []
    for i, (values, title) in enumerate(zip(panels, titles, strict=True)):
        cols: dict[str, list] = {"step": [], "k": [], "value": []}
        for k, v in enumerate(values):
            v = np.asarray(v, np.float64)
            ok = np.isfinite(v) & (v > 0) if has_min else np.isfinite(v)
            cols["step"].append(np.flatnonzero(ok).astype(np.int32))
            cols["k"].append(np.full(ok.sum(), k, np.int8))
            cols["value"].append(v[ok].astype(np.float32))
        last = i == len(panels) - 1  # its legend's symbols are long enough to show each dash
        legend = {"legend": {"orient": "right", "labelLimit": 260, "symbolSize": 900, "symbolStrokeWidth": 2}
                  if last else None}
        # Values read 2.5e+11 or 0.001 ("~g"), not 250,000,000,000.
        spec = {"height": 320, "transform": [_named("net", names, "k")],
                "usermeta": {"embedOptions": {"renderer": "canvas"}},  # no SVG nodes for the browser to restyle
                "mark": {"type": "line", "strokeWidth": 2},
                "encoding": {"x": {"field": "step", "type": "quantitative", "title": t("fig.step", lang)},
                             "y": {"field": "value", "type": "quantitative", "title": title,
                                   "scale": {"type": "log" if has_min else "linear"}, "axis": {"tickCount": 5, "format": "~g"}},
                             "color": colour | legend, "strokeDash": dash | legend,
                             "tooltip": [{"field": "net", "title": t("traj.rates.optimizer", lang)},
                                         {"field": "step", "title": t("fig.step", lang)},
                                         {"field": "value", "title": title, "format": ".4g"}]}}
        charts.append(({c: np.concatenate(v) for c, v in cols.items()}, spec))
    return charts


def sweep_chart(runs: list, sizes: tuple[int, ...], rule_names: tuple[str, str], split_names: tuple[str, str],
                x_title: str, y_title: str) -> tuple[dict, dict]:
    """Accuracy after training against batch size (log axis): colour for the learning-rate rule
    (fixed, scaled), dashes for the split (train, validation). ``runs`` are (SweepRun, finished Run) pairs."""
    cols: dict[str, list] = {"batch": [], "rule": [], "split": [], "accuracy": []}
    for plan, run in runs:
        for split, acc in zip(split_names, run.final, strict=True):
            if np.isfinite(acc):
                cols["batch"].append(plan.batch)
                cols["rule"].append(rule_names[plan.scaled])
                cols["split"].append(split)
                cols["accuracy"].append(acc)
    spec = {"height": 340, "mark": {"type": "line", "point": {"size": 60}, "strokeWidth": 2.5},
            "encoding": {
                "x": {"field": "batch", "type": "quantitative", "title": x_title,
                      "scale": {"type": "log", "domain": [min(sizes) / 1.5, max(sizes) * 1.5], "nice": False}},
                "y": {"field": "accuracy", "type": "quantitative", "title": y_title, "scale": {"domain": [0, 1]},
                      "axis": {"format": ".0%"}},
                "color": {"field": "rule", "type": "nominal", "title": None,
                          "scale": {"domain": list(rule_names), "range": list(COLOURS[:2])}, "legend": {"orient": "bottom"}},
                "strokeDash": {"field": "split", "type": "nominal", "title": None, "legend": None,  # said in a caption
                               "scale": {"domain": list(split_names), "range": [[5, 4], [1, 0]]}},
                "tooltip": [{"field": "batch"}, {"field": "rule"}, {"field": "split"},
                            {"field": "accuracy", "format": ".1%"}]}}
    return {k: np.asarray(v) for k, v in cols.items()}, spec


def inside_bands(h: History, which: str, edges: Array, layer_name: str, x_title: str, iterations: int, every: int
                 ) -> tuple[dict, dict]:
    """Every hidden layer's histogram over time as one band of a heat map (layer 1 on top): x is
    the iteration (each snapshot drawn ``every`` iterations wide), height within a band the value
    (``edges``: the histogram's bin edges), colour the share of the probe's values in that bin.
    ``which`` is "act" or "grad". Only non-empty bins are sent, as four small numbers each: the
    positions are worked out in the browser. The y axis has no title: a rotated title longer than
    the plot is high squeezes the plot, so the page says above it what a band's height means."""
    shares = getattr(h, which)  # (snapshots, layers, bins)
    shares = shares.reshape(*shares.shape[:2], -1, BAND_MERGE).sum(-1)  # fewer cells to draw every second
    edges = edges[::BAND_MERGE]
    n_layers, bins = shares.shape[1:]
    s, layer, b = np.nonzero(shares > 0)
    columns = {"t0": h.t[s].astype(np.int32), "layer": (layer + 1).astype(np.int8), "bin": b.astype(np.int8),
               "share": shares[s, layer, b].astype(np.float32)}
    lo, width = float(edges[0]), float(edges[1] - edges[0])
    spec = {"height": 46 * n_layers + 50, "mark": {"type": "rect"},
            "transform": [{"calculate": f"min(datum.t0 + {every}, {iterations})", "as": "t1"},
                          {"calculate": f"{n_layers} - datum.layer + 0.05 + 0.9 * datum.bin / {bins}", "as": "y0"},
                          {"calculate": f"datum.y0 + 0.9 / {bins}", "as": "y1"},
                          {"calculate": f"{lo} + {width} * datum.bin", "as": "from"},
                          {"calculate": f"datum.from + {width}", "as": "to"}],
            "encoding": {
                "x": {"field": "t0", "type": "quantitative", "title": x_title,
                      "scale": {"domain": [0, iterations], "nice": False}},
                "x2": {"field": "t1"},
                "y": {"field": "y0", "type": "quantitative", "title": None,
                      "scale": {"domain": [0, n_layers], "nice": False},
                      "axis": {"values": [k + 0.5 for k in range(n_layers)], "grid": False,
                               "labelExpr": f"'{layer_name} ' + ({n_layers} - floor(datum.value))"}},
                "y2": {"field": "y1"},
                "color": {"field": "share", "type": "quantitative", "title": None, "scale": {"type": "sqrt",
                          "scheme": "viridis", "domain": [0, float(shares.max())]}, "legend": {"format": ".0%"}},
                "tooltip": [{"field": "layer", "title": layer_name}, {"field": "t0", "title": x_title},
                            {"field": "from", "format": ".3g"}, {"field": "to", "format": ".3g"},
                            {"field": "share", "format": ".1%"}]}}
    return columns, spec


def inside_lines(t: Array, values: Array, names: list[str], x_title: str, iterations: int, log: bool = False
                 ) -> tuple[dict, dict]:
    """One line per layer of ``values`` (times, layers), named by ``names``, over the iterations
    ``t``; nan is left out
    (and values ≤ 0 on a ``log`` axis). No y title, for the reason ``inside_bands`` gives."""
    k, layer = np.nonzero(np.isfinite(values))
    columns = {"iteration": t[k].astype(np.int32), "layer": layer.astype(np.int8),
               "value": values[k, layer].astype(np.float32)}
    positive = columns["value"] > 0 if log else np.ones(len(k), bool)
    columns = {c: v[positive] for c, v in columns.items()}
    spec = {"height": 240, "mark": {"type": "line", "point": {"size": 18}, "strokeWidth": 2},
            "transform": [_named("name", names, "layer")],
            "encoding": {"x": _x(iterations, x_title),
                         "y": {"field": "value", "type": "quantitative", "title": None,
                               "scale": {"type": "log"} if log else {"domain": [0, 1]},
                               "axis": {"format": "~g" if log else ".0%"}},
                         "color": {"field": "name", "type": "nominal", "title": None,
                                   "scale": {"domain": names}, "legend": {"orient": "bottom", "columns": 3}},
                         "tooltip": [{"field": "name"}, {"field": "iteration"}, {"field": "value", "format": ".3g"}]}}
    return columns, spec


def search_chart(trials: list, lr_title: str, wd_title: str, acc_title: str, diverged_name: str,
                 domains: tuple[tuple[float, float], tuple[float, float]]) -> tuple[dict, dict]:
    """Each trial of a random search (``optviz.nn.search.Trial``) at its learning rate and weight
    decay (log axes over ``domains``), coloured by its final validation accuracy; a diverged
    trial is a grey cross."""
    acc = np.array([t.accuracy for t in trials], np.float32)
    columns = {"lr": np.array([t.lr for t in trials], np.float64), "wd": np.array([t.weight_decay for t in trials]),
               "accuracy": np.nan_to_num(acc, nan=-1.0), "trial": np.arange(1, len(trials) + 1, dtype=np.int32)}
    axis = lambda field, title, domain: {"field": field, "type": "quantitative", "title": title, "axis": {"format": "~e"},
                                         "scale": {"type": "log", "domain": list(domain), "nice": False}}
    encoding = {"x": axis("lr", lr_title, domains[0]), "y": axis("wd", wd_title, domains[1]),
                "tooltip": [{"field": "trial"}, {"field": "lr", "format": ".2e"}, {"field": "wd", "format": ".2e"},
                            {"field": "accuracy", "format": ".1%"}]}
    spec = {"height": 340, "layer": [
        {"transform": [{"filter": "datum.accuracy >= 0"}], "mark": {"type": "circle", "size": 140, "opacity": 0.9},
         "encoding": {**encoding, "color": {"field": "accuracy", "type": "quantitative", "title": acc_title,
                                            "scale": {"scheme": "viridis", "domain": [0, 1]},
                                            "legend": {"format": ".0%"}}}},
        {"transform": [{"filter": "datum.accuracy < 0"}, {"calculate": json.dumps(diverged_name), "as": "outcome"}],
         "mark": {"type": "point", "shape": "cross", "size": 140, "color": "#888888", "filled": True},
         "encoding": {**encoding, "tooltip": [{"field": "trial"}, {"field": "lr", "format": ".2e"},
                                              {"field": "wd", "format": ".2e"}, {"field": "outcome"}]}},
    ]}
    return columns, spec


def search_curves(trials: list, names: list[str], x_title: str, y_title: str) -> tuple[dict, dict]:
    """Validation accuracy after every epoch of the given trials (the best few), one line each."""
    k = np.repeat(np.arange(len(trials), dtype=np.int8), [len(t.validation) for t in trials])
    epoch = np.concatenate([np.arange(1, len(t.validation) + 1) for t in trials] or [[]]).astype(np.int32)
    acc = np.concatenate([t.validation for t in trials] or [[]]).astype(np.float32)
    ok = np.isfinite(acc)
    spec = {"height": 340, "mark": {"type": "line", "strokeWidth": 2},
            "transform": [_named("net", names, "k")],
            "encoding": {"x": {"field": "epoch", "type": "quantitative", "title": x_title},
                         "y": {"field": "accuracy", "type": "quantitative", "title": y_title,
                               "scale": {"domain": [0, 1]}, "axis": {"format": ".0%"}},
                         "color": _colour(names),
                         "tooltip": [{"field": "net"}, {"field": "epoch"}, {"field": "accuracy", "format": ".1%"}]}}
    return {"k": k[ok], "epoch": epoch[ok], "accuracy": acc[ok]}, spec


def sharpness_chart(lam: Array, limit: Array, at: int, name: str, colour: str, lang: str) -> tuple[dict, dict]:
    """λmax of the Hessian at each step of one optimizer's path (``lam`` (n,)) against the
    stability limit of gradient descent at each step's learning rate (``limit`` (n,), 2/η_t), with
    the step the Curvature tab analyses (``at``) marked: where the curve is above the line, a
    gradient step of that size overshoots along the sharpest direction."""
    steps = np.arange(len(lam), dtype=np.int32)
    ok, fine = np.isfinite(lam), np.isfinite(limit)  # a learning rate of 0 (a schedule's end) has no limit
    columns = {"step": np.r_[steps[ok], steps[fine]], "v": np.r_[lam[ok], limit[fine]].astype(np.float64),
               "k": np.r_[np.zeros(ok.sum(), np.int8), np.ones(fine.sum(), np.int8)]}
    kinds = [f"λmax · {name}", t("traj.sharp.limit", lang)]
    x = {"field": "step", "type": "quantitative", "title": t("fig.step", lang), "axis": {"tickMinStep": 1, "format": "d"}}
    spec = {"height": 260, "transform": [_named("kind", kinds, "k")],
            "usermeta": {"embedOptions": {"renderer": "canvas"}},
            "layer": [{"mark": {"type": "line", "strokeWidth": 2},
                       "encoding": {"x": x, "y": {"field": "v", "type": "quantitative", "title": "λmax"},
                                    "color": {"field": "kind", "type": "nominal", "title": None,
                                              "scale": {"domain": kinds, "range": [colour, "#555555"]},
                                              "legend": {"orient": "top", "labelLimit": 400}},
                                    "strokeDash": {"field": "kind", "type": "nominal", "legend": None,
                                                   "scale": {"domain": kinds, "range": [[1, 0], [6, 4]]}},
                                    "tooltip": [{"field": "kind", "title": " "}, {"field": "step", "title": t("fig.step", lang)},
                                                {"field": "v", "title": "λ", "format": ".4g"}]}},
                      {"data": {"values": [{"step": int(at)}]}, "mark": {"type": "rule", "color": "#999999"},
                       "encoding": {"x": x}}]}
    return columns, spec



def tracked_chart(at: Array, values: Array, limits: Array, iterations: int, colour: str, words: dict[str, str]
                  ) -> tuple[dict, dict]:
    """One training run's λmax at the iterations ``at`` (m,) it was measured, ``values`` (m,), and its
    optimizer's stability limit there, ``limits`` (m,) (nan: none; drawn as steps, since a schedule
    or a change moves it). ``words``: "x" (the axis), "lam" and "limit" (the two lines' names)."""
    at, values, limits = np.asarray(at, np.int32), np.asarray(values, float), np.asarray(limits, float)
    ok, fine = np.isfinite(values), np.isfinite(limits)
    kinds = [words["lam"], words["limit"]]
    columns = {"iteration": np.r_[at[ok], at[fine]], "v": np.r_[values[ok], limits[fine]],
               "k": np.r_[np.zeros(ok.sum(), np.int8), np.ones(fine.sum(), np.int8)]}
    colour_scale = {"field": "kind", "type": "nominal", "title": None, "legend": {"orient": "top", "labelLimit": 400},
                    "scale": {"domain": kinds, "range": [colour, "#555555"]}}
    y = {"field": "v", "type": "quantitative", "title": "λmax"}
    tooltip = [{"field": "kind", "title": " "}, {"field": "iteration", "title": words["x"]},
               {"field": "v", "title": "λ", "format": ".3g"}]
    spec = {"height": 240, "transform": [_named("kind", kinds, "k")], "usermeta": {"embedOptions": {"renderer": "canvas"}},
            "encoding": {"x": _x(iterations, words["x"]), "y": y, "color": colour_scale, "tooltip": tooltip},
            "layer": [{"transform": [{"filter": "datum.k == 0"}], "mark": {"type": "line", "point": True, "strokeWidth": 2}},
                      {"transform": [{"filter": "datum.k == 1"}],
                       "mark": {"type": "line", "interpolate": "step-after", "strokeDash": [6, 4], "strokeWidth": 1.5}}]}
    return columns, spec


def edge_chart(edges: list, iteration: str, loss: str, limit: str) -> tuple[dict, dict]:
    """Full-batch gradient descent at each learning rate of ``edges`` (``optviz.nn.edge.Edge``): above,
    λmax at each measurement with its 2/η as a dashed line of the same colour; below, the training
    loss (log scale). ``iteration``, ``loss``, ``limit``: the axis titles and the dashed lines' name."""
    names = [f"η = {e.lr:g}" for e in edges]
    lam = [(k, int(a), float(v)) for k, e in enumerate(edges) for a, v in zip(e.at, e.sharpness, strict=True)
           if np.isfinite(v)]
    losses = [(k, e.loss[::2], np.arange(0, len(e.loss), 2)) for k, e in enumerate(edges)]
    columns = {"k": np.array([r[0] for r in lam], np.int8), "t": np.array([r[1] for r in lam], np.int32),
               "v": np.array([r[2] for r in lam])}
    colour = {"field": "name", "type": "nominal", "title": None,
              "scale": {"domain": names, "range": list(COLOURS[:len(names)])}, "legend": {"orient": "top"}}
    x = {"field": "t", "type": "quantitative", "title": iteration}
    rules = [{"name": n, "v": 2 / e.lr} for n, e in zip(names, edges, strict=True)]
    curve = [{"name": names[k], "t": int(t), "loss": float(v)} for k, vals, ts in losses for t, v in zip(ts, vals, strict=True)
             if np.isfinite(v) and v > 0]
    spec = {"vconcat": [
        {"height": 260, "width": 680, "transform": [_named("name", names, "k")], "layer": [
            {"mark": {"type": "line", "point": True, "strokeWidth": 2},
             "encoding": {"x": x, "y": {"field": "v", "type": "quantitative", "title": "λmax"}, "color": colour,
                          "tooltip": [{"field": "name", "title": " "}, {"field": "t", "title": iteration},
                                      {"field": "v", "title": "λmax", "format": ".3g"}]}},
            {"data": {"values": rules}, "mark": {"type": "rule", "strokeDash": [6, 4], "strokeWidth": 1.5},
             "encoding": {"y": {"field": "v", "type": "quantitative"}, "color": colour,
                          "tooltip": [{"field": "name", "title": limit}, {"field": "v", "title": "2/η", "format": ".3g"}]}}]},
        {"height": 150, "width": 680, "data": {"values": curve},
         "mark": {"type": "line", "strokeWidth": 1.5},
         "encoding": {"x": x, "y": {"field": "loss", "type": "quantitative", "title": loss, "scale": {"type": "log"}},
                      "color": colour | {"legend": None}}}],
        "resolve": {"scale": {"color": "shared"}}, "usermeta": {"embedOptions": {"renderer": "canvas"}}}
    return columns, spec


def plane_chart(xs: Array, ys: Array, losses: Array, path: Array, words: dict[str, str]) -> tuple[dict, dict]:
    """The loss on a plane (``losses`` (ny, nx) over ``xs``, ``ys``) as coloured cells on a log
    scale, with the run's path (``path`` (m, 2)) from its start (a circle) to its end at the
    origin (a star). ``words``: "loss", "start", "end", "d1", "d2" (the axes)."""
    gx, gy = np.meshgrid(xs, ys)
    ok = np.isfinite(losses) & (losses > 0)
    dx, dy = float(xs[1] - xs[0]) / 2, float(ys[1] - ys[0]) / 2
    columns = {"x": gx[ok], "y": gy[ok], "x2": gx[ok] + 2 * dx, "y2": gy[ok] + 2 * dy, "loss": losses[ok]}
    columns["x"], columns["y"] = columns["x"] - dx, columns["y"] - dy
    x = {"field": "x", "type": "quantitative", "title": words["d1"], "scale": {"zero": False, "nice": False}}
    y = {"field": "y", "type": "quantitative", "title": words["d2"], "scale": {"zero": False, "nice": False}}
    walk = [{"x": float(a), "y": float(b), "i": i} for i, (a, b) in enumerate(path)]
    ends = [walk[0] | {"label": words["start"], "shape": "circle"}, walk[-1] | {"label": words["end"], "shape": "STAR"}]
    spec = {"width": 420, "height": 360, "layer": [
        {"mark": {"type": "rect"}, "encoding": {
            "x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"},
            "color": {"field": "loss", "type": "quantitative", "title": words["loss"],
                      "scale": {"type": "log", "scheme": "viridis", "reverse": True}},
            "tooltip": [{"field": "loss", "title": words["loss"], "format": ".3g"}]}},
        {"data": {"values": walk}, "mark": {"type": "line", "color": "white", "strokeWidth": 2, "point": True},
         "encoding": {"x": x, "y": y, "order": {"field": "i"}}},
        {"data": {"values": ends}, "mark": {"type": "point", "filled": True, "size": 160, "color": "#D55E00",
                                            "stroke": "black"},
         "encoding": {"x": x, "y": y, "shape": {"field": "shape", "type": "nominal", "legend": None,
                                                 "scale": {"domain": ["circle", "STAR"], "range": ["circle", STAR]}},
                      "tooltip": [{"field": "label", "title": " "}]}}],
        "usermeta": {"embedOptions": {"renderer": "canvas"}}}
    return columns, spec
