"""Figures' data as CSV, for a teacher's own slides or a student's notebook."""

from __future__ import annotations

import csv
import io

import numpy as np

from optviz.nn.inside import History
from optviz.toy.basins import DIVERGED, NOT_YET, Basins
from optviz.toy.surfaces import Surface

Array = np.ndarray


def _csv(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def paths_csv(surface: Surface, runs: list[tuple[str, object]]) -> str:
    """One row per (optimizer, step): x, y, f and the distance to the nearest minimum (empty where
    the surface has none); ``runs`` are (label, descent.Path). Full float precision."""
    rows = []
    for label, path in runs:
        distance = surface.distance_to_minimum(path.points)
        for k, ((x, y), f, d) in enumerate(zip(path.points, path.values, distance, strict=True)):
            rows.append([label, k, repr(float(x)), repr(float(y)), repr(float(f)), "" if d != d else repr(float(d))])
    return _csv(["optimizer", "step", "x", "y", "f", "distance_to_minimum"], rows)


def basins_csv(surface: Surface, maps: list[tuple[str, Basins]]) -> str:
    """One row per (optimizer, start point): where that run ended, as the minimum's coordinates,
    "not settled" or "diverged"."""
    names = {DIVERGED: "diverged", NOT_YET: "not settled"}
    rows = []
    for label, b in maps:
        for i, y in enumerate(b.ys):
            for j, x in enumerate(b.xs):
                o = int(b.outcome[i, j])
                where = names.get(o) or "minimum ({:.6g}, {:.6g})".format(*surface.minima[o])
                rows.append([label, repr(float(x)), repr(float(y)), where])
    return _csv(["optimizer", "start_x", "start_y", "outcome"], rows)


def race_csv(labels: list[str], runs: list) -> str:
    """One row per (network, iteration done so far): the mini-batch loss before that update, and
    the train and test accuracy where they were measured (empty elsewhere); ``runs`` are
    ``train.Run`` in the order of ``labels``."""
    rows = []
    for label, run in zip(labels, runs, strict=True):
        measured = {t: (a, b) for t, a, b in zip(run.eval_at, run.train_acc, run.test_acc, strict=True)}
        for t in range(run.t):
            loss = float(run.losses[t])
            train, test = measured.get(t + 1, ("", ""))
            rows.append([label, t + 1, "" if loss != loss else repr(loss), train and repr(float(train)),
                         test and repr(float(test))])
    return _csv(["network", "iteration", "batch_loss", "train_accuracy", "test_accuracy"], rows)


def inside_csv(label: str, h: History, act_edges: Array, grad_edges: Array) -> str:
    """The inside view of one network as long rows: the activation and log10 |∂L/∂z| histograms
    (a share per bin), the shares at a bound, dead or with a zero gradient, per (iteration, layer);
    and each affine map's relative update and step against plain SGD's at the iterations measured."""
    rows = []
    for k, t in enumerate(h.t):
        for layer in range(h.act.shape[1]):
            for name, shares, edges in (("activation", h.act, act_edges), ("log10_abs_grad", h.grad, grad_edges)):
                rows += [[label, int(t), layer + 1, name, repr(float(edges[b])), repr(float(edges[b + 1])),
                          repr(float(shares[k, layer, b]))] for b in range(shares.shape[2])]
            for name, values in (("saturated_share", h.saturated), ("dead_share", h.dead),
                                 ("zero_grad_share", h.grad_zero)):
                if np.isfinite(values[k, layer]):
                    rows.append([label, int(t), layer + 1, name, "", "", repr(float(values[k, layer]))])
    for k, t in enumerate(h.move_t):
        for layer in range(h.relative.shape[1]):
            rows.append([label, int(t), layer + 1, "relative_update", "", "", repr(float(h.relative[k, layer]))])
            rows.append([label, int(t), layer + 1, "step_over_sgd", "", "", repr(float(h.step_ratio[k, layer]))])
    return _csv(["network", "iteration", "layer", "quantity", "bin_low", "bin_high", "value"], rows)


def search_csv(trials: list, default) -> str:
    """One row per trial of a random search (the book's defaults first, as trial 0): its learning
    rate, weight decay, final validation and training accuracy (empty if it diverged), and the
    validation accuracy after every epoch."""
    epochs = len(default.validation)
    cell = lambda v: "" if v != v else repr(float(v))
    rows = [[k, repr(t.lr), repr(t.weight_decay), cell(t.accuracy), cell(t.train_acc), *map(cell, t.validation)]
            for k, t in enumerate([default, *trials])]
    return _csv(["trial", "lr", "weight_decay", "validation_accuracy", "train_accuracy",
                 *[f"validation_epoch_{e + 1}" for e in range(epochs)]], rows)
