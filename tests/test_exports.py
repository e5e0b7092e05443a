"""CSV exports read back to the numbers the figures were drawn from."""

from __future__ import annotations

import csv
import io

import numpy as np

from optviz.figures import exports
from optviz.nn import inside, train
from optviz.optim.registry import make_optimizer
from optviz.toy import descent, surfaces
from optviz.toy.basins import basins


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_paths_csv_holds_every_step_of_every_run_exactly():
    s = surfaces.get("himmelblau")
    runs = [(n, descent.walk(s, make_optimizer(n, lr), np.array(s.start), 12)) for n, lr in (("SGD", 0.01), ("Adam", 0.1))]
    table = rows(exports.paths_csv(s, runs))
    assert len(table) == 2 * 13 and table[0]["optimizer"] == "SGD" and table[-1]["step"] == "12"
    adam = [r for r in table if r["optimizer"] == "Adam"]
    got = np.array([[float(r["x"]), float(r["y"]), float(r["f"])] for r in adam])
    assert np.array_equal(got[:, :2], runs[1][1].points) and np.array_equal(got[:, 2], runs[1][1].values)
    assert np.allclose([float(r["distance_to_minimum"]) for r in adam], s.distance_to_minimum(runs[1][1].points))
    saddle = surfaces.get("saddle")
    path = descent.walk(saddle, make_optimizer("SGD", 0.1), np.array([0.5, 0.1]), 3)
    assert {r["distance_to_minimum"] for r in rows(exports.paths_csv(saddle, [("SGD", path)]))} == {""}


def test_the_basins_csv_names_each_starts_outcome():
    s = surfaces.get("himmelblau")
    b = basins(s, make_optimizer("Adam", 0.3), 100, 6)
    table = rows(exports.basins_csv(s, [("Adam", b)]))
    assert len(table) == 36
    first = table[0]
    assert (float(first["start_x"]), float(first["start_y"])) == (b.xs[0], b.ys[0])
    k = b.outcome[0, 0]
    assert first["outcome"] == ("diverged" if k == -1 else "not settled" if k == -2
                                else "minimum ({:.6g}, {:.6g})".format(*s.minima[k]))
    named = {"minimum ({:.6g}, {:.6g})".format(*m) for m in s.minima}
    assert {r["outcome"] for r in table} <= {"diverged", "not settled", *named}


def test_the_race_csv_holds_each_networks_losses_and_measured_accuracies(toy_digits):
    from optviz.nn import train

    nets = (train.NetConfig("SGD", 0.1), train.NetConfig("Adam", 0.001))
    config = train.RaceConfig(nets, (16,), 0, 8, 20, 0, 4)
    runs = [train.Run(key, toy_digits) for key in config.keys(toy_digits)]
    for run in runs:
        while not run.done:
            run.advance(5.0)
    table = rows(exports.race_csv(["SGD", "Adam"], runs))
    assert len(table) == 40 and [r["iteration"] for r in table[:3]] == ["1", "2", "3"]
    for label, run in zip(("SGD", "Adam"), runs, strict=True):
        mine = [r for r in table if r["network"] == label]
        assert np.array_equal([float(r["batch_loss"]) for r in mine], run.losses.astype(float))
        measured = {int(r["iteration"]): (float(r["train_accuracy"]), float(r["test_accuracy"]))
                    for r in mine if r["train_accuracy"]}
        assert measured == dict(zip(run.eval_at, zip(run.train_acc, run.test_acc, strict=True), strict=True))


def test_the_inside_csv_holds_every_histogram_bin_and_every_move(toy_digits):
    key = train.RaceConfig((train.NetConfig("Adam", 0.001),), hidden=(20, 20), batch=100, iterations=90
                           ).keys(toy_digits)[0]
    run = train.Run(key, toy_digits)
    run.advance(100.0)
    h = inside.history(run.snapshots, run.moves)
    act_edges, grad_edges = inside.act_edges("relu"), inside.grad_edges()
    rows = list(csv.DictReader(io.StringIO(exports.inside_csv("Adam", h, act_edges, grad_edges))))
    by = {(int(r["iteration"]), int(r["layer"]), r["quantity"], r["bin_low"]): float(r["value"]) for r in rows}
    for k, t in enumerate(h.t):
        for layer in range(2):
            for b in range(inside.ACT_BINS):
                assert by[t, layer + 1, "activation", repr(float(act_edges[b]))] == float(h.act[k, layer, b])
                assert by[t, layer + 1, "log10_abs_grad", repr(float(grad_edges[b]))] == float(h.grad[k, layer, b])
            assert by[t, layer + 1, "dead_share", ""] == float(h.dead[k, layer])
            assert (t, layer + 1, "saturated_share", "") not in by  # ReLU has no bounds
    for k, t in enumerate(h.move_t):
        for layer in range(3):  # two hidden layers and the output
            assert by[t, layer + 1, "step_over_sgd", ""] == float(h.step_ratio[k, layer])
            assert by[t, layer + 1, "relative_update", ""] == float(h.relative[k, layer])
    assert len(rows) == len(h.t) * 2 * (2 * inside.ACT_BINS + 2) + len(h.move_t) * 3 * 2
