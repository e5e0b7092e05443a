"""Vega-Lite specs and columns for the curves that grow live while networks train.

Streamlit updates a Vega-Lite chart in place (a Plotly chart is remounted on every update and
flickers), so the live curves use these plain-dict specs; each builder returns
``(columns, spec)`` for ``st.vega_lite_chart(columns, spec)``. The columns are numbers only (a
network is its index; the spec names it), because every watching student's page is sent its own
copy several times a second and string columns cost most of that conversion.
"""

from __future__ import annotations

import json

import numpy as np

from optviz.plots import COLOURS
from optviz.train import Run, smooth

MAX_POINTS = 400  # per curve: enough for the eye, light enough to resend several times a second
LOSS_FLOOR = 1e-4  # losses are drawn on a log axis; exact zeros (float32 saturation) sit here
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
    the iterations it has done (at most ``upto``: a paused view stays put). A list ``y_title`` is
    one line per entry: a title longer than the plot is high would squeeze the plot."""
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
