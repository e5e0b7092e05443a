"""Basins of attraction: every grid start's outcome is what a run from that start alone gives."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from optviz.figures.basin_plots import basin_maps
from optviz.optim.registry import make_optimizer
from optviz.toy import descent, surfaces
from optviz.toy.basins import DIVERGED, NOT_YET, basins, classify


def alone(surface, name: str, lr: float, start, n_steps: int) -> int:
    """The outcome of one run from ``start`` through descent.walk, classified the same way."""
    path = descent.walk(surface, make_optimizer(name, lr), np.asarray(start, float), n_steps)
    return int(classify(surface, path.points[-1:], np.array([descent.diverging_at(surface, path) is not None]))[0])


@pytest.mark.parametrize("name, lr", [("SGD", 0.01), ("Momentum", 0.005), ("Adam", 0.3)])
def test_himmelblau_has_four_basins_and_every_start_agrees_with_its_own_run(name, lr):
    s = surfaces.get("himmelblau")
    b = basins(s, make_optimizer(name, lr), 300, 40)
    assert set(np.unique(b.outcome)) >= {0, 1, 2, 3}
    for k, (mx, my) in enumerate(s.minima):  # the start nearest each minimum ends there
        assert b.outcome[np.abs(b.ys - my).argmin(), np.abs(b.xs - mx).argmin()] == k
    rng = np.random.default_rng(1)
    for i, j in rng.integers(0, 40, (25, 2)):
        assert b.outcome[i, j] == alone(s, name, lr, (b.xs[j], b.ys[i]), 300), (name, i, j)


def test_too_large_a_step_diverges_everywhere_and_too_few_steps_have_not_settled():
    bowl = surfaces.get("bowl")
    assert (basins(bowl, make_optimizer("SGD", 1.5), 30, 20).outcome == DIVERGED).all()
    rosen = surfaces.get("rosenbrock")
    early = basins(rosen, make_optimizer("SGD", 0.0003), 30, 20).outcome
    assert (early == NOT_YET).mean() > 0.95
    assert alone(rosen, "SGD", 0.0003, (-1.5, 2.0), 30) == NOT_YET


def test_the_maps_colour_each_minimum_apart_and_say_which_is_which():
    s = surfaces.get("himmelblau")
    b = basins(s, make_optimizer("Adam", 0.3), 50, 20)
    fig = basin_maps(s, [("Adam", b), ("Adam again", b)], s.start, 50, "en").to_dict()
    heat = [d for d in fig["data"] if d["type"] == "heatmap"]
    assert len(heat) == 2 and heat[0]["zmin"] == -0.5 and heat[0]["zmax"] == 4 + 2 - 0.5
    names = [d.get("name") for d in fig["data"] if d.get("name")]
    assert names[:4] == [f"minimum ({x:.3g}, {y:.3g})" for x, y in s.minima]
    assert names[4:] == ["not settled after 50 steps", "diverged"]
    z = heat[0]["z"]
    z = np.frombuffer(base64.b64decode(z["bdata"]), z["dtype"]).reshape(b.outcome.shape)
    levels = np.where(b.outcome == DIVERGED, 0, np.where(b.outcome == NOT_YET, 1, b.outcome + 2))  # 2 + k: minimum k
    assert np.array_equal(z, levels)


def test_the_job_pieces_give_each_optimizers_basins_and_count_its_steps():
    """The page's job: optimizer after optimizer, a piece every ``every`` steps, each map the same
    as ``basins`` alone, the finished ones offered as they come."""
    from optviz.jobs import Job
    from optviz.toy.basins import steps

    s = surfaces.get("himmelblau")
    named = [("SGD", make_optimizer("SGD", 0.01)), ("Adam", make_optimizer("Adam", 0.3))]
    job = Job(steps(s, named, 45, 12, every=10), ("SGD", "Adam"))
    seen = []
    while not job.done:
        job.advance(0.0)  # one piece per call
        seen.append((job.progress, len(job.partial or [])))
    assert [p for p, _ in seen[:5]] == [(0, 10, 45), (0, 20, 45), (0, 30, 45), (0, 40, 45), (0, 45, 45)]
    assert seen[4][1] == 1 and seen[5] == ((1, 10, 45), 1)  # SGD's map is offered before Adam's begins
    assert [name for name, _ in job.result] == ["SGD", "Adam"]
    for (name, b), (_, opt) in zip(job.result, named, strict=True):
        assert np.array_equal(b.outcome, basins(s, opt, 45, 12).outcome), name
