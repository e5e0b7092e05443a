"""Basins of attraction: where an optimizer ends from every start point of a grid, all at once.

The optimizers work elementwise, so one run on an (n·n, 2) array of starts is n·n independent
runs, step for step the same numbers as ``descent.run`` from each start.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optviz.descent import BLOW_UP, FAR, GROWTH
from optviz.optimizers import Optimizer
from optviz.schedules import Constant, Schedule
from optviz.surfaces import Surface

Array = np.ndarray

DIVERGED, NOT_YET = -1, -2  # outcomes besides the index of the minimum reached
TOL = 0.02  # a run has reached a minimum within this share of the window's shorter side


class Basins(NamedTuple):
    xs: Array  # (n,) the grid's start x values
    ys: Array  # (n,) its start y values
    outcome: Array  # (n, n) int, [row = y, column = x]: index into surface.minima, DIVERGED or NOT_YET


def tolerance(surface: Surface) -> float:
    return TOL * min(surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0])


def classify(surface: Surface, end: Array, diverged: Array) -> Array:
    """Outcome of runs that ended at ``end`` (k, 2), ``diverged`` (k,) bool: the index of the
    minimum within ``tolerance`` of the end, DIVERGED, or NOT_YET."""
    outcome = np.full(len(end), NOT_YET)
    if len(surface.minima):
        with np.errstate(invalid="ignore"):
            d = np.linalg.norm(end[:, None, :] - surface.minima[None], axis=-1)
        near = np.nanargmin(np.where(np.isfinite(d), d, np.inf), axis=1)
        outcome = np.where(d[np.arange(len(end)), near] < tolerance(surface), near, NOT_YET)
    return np.where(diverged, DIVERGED, outcome)


def basins(surface: Surface, optimizer: Optimizer, n_steps: int, resolution: int = 100,
           schedule: Schedule = Constant()) -> Basins:
    """``n_steps`` of ``optimizer`` from each point of a ``resolution`` × ``resolution`` grid over
    the surface's window. A run is diverged, as in ``descent.diverging_at``, once its point or
    value is not finite or absurd, its loss has risen GROWTH × max(|f(start)|, 1) above its
    start, or its point is FAR window widths outside the window; it then stays put."""
    xs, ys = np.linspace(*surface.xlim, resolution), np.linspace(*surface.ylim, resolution)
    p = np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2)
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    lo = np.array([x0 - FAR * (x1 - x0), y0 - FAR * (y1 - y0)])
    hi = np.array([x1 + FAR * (x1 - x0), y1 + FAR * (y1 - y0)])
    v0 = surface.value(p)
    limit = v0 + GROWTH * np.maximum(np.abs(v0), 1.0)
    diverged = np.zeros(len(p), bool)
    state = optimizer.init(p)
    with np.errstate(all="ignore"):
        for t in range(n_steps):
            new, state = optimizer.step(p, surface.grad(p), state, lr=optimizer.lr * schedule(t))
            v = surface.value(new)
            bad = ~((np.abs(v) < BLOW_UP**2) & (np.abs(new) < BLOW_UP).all(axis=1))  # nan too
            diverged |= bad | (v > limit) | (new < lo).any(axis=1) | (new > hi).any(axis=1)
            p = np.where(diverged[:, None], p, new)  # a diverged run stays where it was
    return Basins(xs, ys, classify(surface, p, diverged).reshape(resolution, resolution))
