"""The trajectories chart that carries its neighbourhood: every learning rate's path, computed at
once and equal to running each rate on its own."""

from __future__ import annotations

import json

import numpy as np
import pytest

from optviz.figures import path_chart
from optviz.optim.registry import LR_VALUES, OPTIMIZERS, make_optimizer, make_schedule
from optviz.toy import descent, surfaces


def _by_hand(s, opt, start, n_steps, schedule, noise, seed) -> np.ndarray:
    """The optimizer's own steps, one point at a time: the reference a sweep must equal."""
    draws = np.random.default_rng(seed).normal(0.0, noise, (n_steps, 2))
    p, state, points = start.astype(float), opt.init(start.astype(float)), [start.astype(float)]
    for t in range(n_steps):
        p, state = opt.step(p, s.grad(p) + draws[t], state, lr=opt.lr * schedule(t))
        points.append(p)
    return np.array(points)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("key", ["bowl", "li", "rosenbrock", "monkey"])
def test_a_sweep_equals_each_learning_rate_stepped_alone(name, key):
    """Same points as the optimizer's own steps at that rate, with noise and a schedule, and cut
    where a single run is cut: nothing of one rate leaks into another when they step together."""
    s = surfaces.get(key)
    start = np.array(s.start)
    schedule = make_schedule("cosine", 80)
    paths = descent.sweep(s, make_optimizer(name, 0.1), start, 80, LR_VALUES, schedule, 0.2, 5)
    assert len(paths) == len(LR_VALUES)
    cut = 0
    for lr, path in zip(LR_VALUES, paths, strict=True):
        alone = descent.walk(s, make_optimizer(name, lr), start, 80, schedule, 0.2, 5)
        assert path.diverged_at == alone.diverged_at, lr
        np.testing.assert_allclose(path.points, alone.points, rtol=1e-12, atol=1e-12)
        if path.diverged_at is None:
            with np.errstate(all="ignore"):
                hand = _by_hand(s, make_optimizer(name, lr), start, 80, schedule, 0.2, 5)
            np.testing.assert_allclose(path.points, hand, rtol=1e-9, atol=1e-12)
        cut += path.diverged_at is not None
    if key == "bowl" and name == "SGD":
        assert cut > 0  # the largest rates blow up, and the others still run to the end


def test_samples_keep_every_step_of_a_short_path_and_the_last_of_a_long_one():
    assert list(path_chart.samples(31)) == list(range(31))
    long = path_chart.samples(1001)
    assert len(long) <= path_chart.MAX_SAMPLES and long[0] == 0 and long[-1] == 1000
    assert len(set(np.diff(long[:-1]))) == 1  # evenly spaced up to the last
    for n in (202, 301, 1001):  # an odd stride: a path flipping sign every step still flips when drawn
        assert np.diff(path_chart.samples(n)[:-1])[0] % 2 == 1


def _sweep(s, name, n_steps, pick=0):
    outs = [descent.outcome(s, p) for p in descent.sweep(s, make_optimizer(name, 0.1), np.array(s.start), n_steps,
                                                         LR_VALUES)]
    return path_chart.Sweep(name, "#000000", "solid", LR_VALUES, [o.path for o in outs],
                            ["" if o.diverging is None else f"diverged at step {o.diverging}" for o in outs],
                            [o.diverging is not None and not o.escaped for o in outs], pick)


def test_the_columns_hold_each_path_at_its_sampled_steps_and_mark_a_cross_at_a_divergent_end():
    s = surfaces.bowl()
    sweeps = [_sweep(s, "SGD", 300), _sweep(s, "Adam", 300)]
    cols = path_chart.columns(sweeps)
    for o, sw in enumerate(sweeps):
        for li, path in enumerate(sw.paths):
            rows = (cols["o"] == o) & (cols["li"] == li)
            steps = path_chart.samples(len(path.points))
            assert list(cols["s"][rows]) == list(steps)
            np.testing.assert_allclose(cols["x"][rows], path.points[steps, 0], rtol=1e-6)
            np.testing.assert_allclose(cols["f"][rows], path.values[steps], rtol=1e-6)
            assert list(cols["end"][rows]) == [0] * (len(steps) - 1) + [int(sw.crossed[li])]
    sgd = sweeps[0]
    assert sgd.crossed[LR_VALUES.index(1.5)] and not sgd.crossed[LR_VALUES.index(0.5)]


def test_the_legend_names_each_rate_and_what_became_of_it():
    s = surfaces.bowl()
    labels = path_chart.legend_labels(_sweep(s, "SGD", 30))
    assert labels[LR_VALUES.index(0.5)] == "SGD  η = 0.5"
    assert labels[LR_VALUES.index(1.5)] == "SGD  η = 1.5  ✗ diverged at step 6"  # |y| = 2·2^k > 105 at k = 6


def test_the_chart_binds_a_rate_slider_per_optimizer_and_a_step_slider():
    s = surfaces.bowl()
    sweeps = [_sweep(s, "SGD", 40, pick=9), _sweep(s, "Adam", 40, pick=12)]
    _, spec = path_chart.chart(s, sweeps, 40, "en", height=300)
    selections = {p["name"]: p for layer in spec["layer"] for p in layer.get("params", [])}
    for o, sw in enumerate(sweeps):
        sel = selections[f"{path_chart.LR}{o}"]
        assert sel["value"] == [{"li": sw.pick}]
        assert (sel["bind"]["min"], sel["bind"]["max"]) == (0, len(LR_VALUES) - 1)
        assert f"{path_chart.LR}{o}_li" in json.dumps(spec)  # the filters read the slider's value
    assert path_chart.CLICK in selections and selections[path_chart.CLICK]["select"]["nearest"]
    step = spec["params"][0]
    assert step["name"] == path_chart.STEP and step["value"] == 40 and step["bind"]["max"] == 40
    # the plot keeps the window's aspect, so a gradient stands square on its contour line
    assert spec["width"] / spec["height"] == pytest.approx(2.0, rel=0.01)


def test_the_valley_of_minima_is_drawn_branch_by_branch():
    """(1 − w₁w₂)²'s minima lie on both branches of w₁w₂ = 1: two lines, never one joining them."""
    s = surfaces.get("li")
    _, spec = path_chart.chart(s, [_sweep(s, "SGD", 10)], 10, "en")
    valley = next(layer for layer in spec["layer"] if layer["mark"].get("strokeDash") == [2, 3])
    pieces: dict[int, list] = {}
    for row in valley["data"]["values"]:
        pieces.setdefault(row["piece"], []).append((row["x"], row["y"]))
    assert len(pieces) == 2
    for points in pieces.values():
        xs, ys = np.array(points).T
        assert (np.sign(xs) == np.sign(xs[0])).all() and np.allclose(xs * ys, 1, rtol=1e-6)
