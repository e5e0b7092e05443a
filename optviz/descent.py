"""Run an optimizer on a surface and record its path, stopping cleanly if it diverges."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optviz.optimizers import Optimizer
from optviz.schedules import Constant, Schedule
from optviz.surfaces import Surface

Array = np.ndarray

BLOW_UP = 1e6  # a coordinate beyond this is "absurdly large": the run has diverged


class Path(NamedTuple):
    points: Array  # (n + 1, 2): the start, then the point after each step
    values: Array  # (n + 1,): f at each point
    diverged_at: int | None  # step at which a non-finite or absurd value appeared


def run(
    surface: Surface,
    optimizer: Optimizer,
    start: Array,
    n_steps: int,
    schedule: Schedule = Constant(),
    noise: float = 0.0,
    seed: int = 0,
) -> Path:
    """``n_steps`` steps of ``optimizer`` on ``surface`` from ``start`` (2,).

    ``noise`` adds N(0, noise²) to each gradient component (a stand-in for mini-batch noise),
    drawn from ``np.random.default_rng(seed)``. A run whose point or value stops being finite or
    exceeds ``BLOW_UP`` is cut at that step: the path holds only finite points.
    """
    p = np.asarray(start, dtype=float).copy()
    state = optimizer.init(p)
    noise_draws = np.random.default_rng(seed).normal(0.0, noise, (n_steps, 2)) if noise else None
    points = np.empty((n_steps + 1, 2))
    values = np.empty(n_steps + 1)
    points[0], values[0] = p, surface.value(p)
    with np.errstate(all="ignore"):
        for t in range(n_steps):
            g = surface.grad(p)
            if noise_draws is not None:
                g = g + noise_draws[t]
            p, state = optimizer.step(p, g, state, lr=optimizer.lr * schedule(t))
            v = surface.value(p)
            if not (abs(v) < BLOW_UP**2 and (np.abs(p) < BLOW_UP).all()):  # False for nan too
                return Path(points[: t + 1].copy(), values[: t + 1].copy(), t + 1)
            points[t + 1], values[t + 1] = p, v
    return Path(points, values, None)
