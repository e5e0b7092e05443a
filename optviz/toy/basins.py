"""Basins of attraction: where an optimizer ends from every start point of a grid, all at once.

The optimizers work elementwise, so one run on an (n·n, 2) array of starts is n·n independent
runs, step for step the same numbers as ``descent.walk`` from each start.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import NamedTuple

import numpy as np

from optviz.jobs import Step, run_to_end
from optviz.optim.optimizers import Optimizer
from optviz.optim.schedules import Constant, Schedule
from optviz.toy.descent import BLOW_UP, FAR, GROWTH
from optviz.toy.surfaces import Surface

Array = np.ndarray

DIVERGED, NOT_YET = -1, -2  # outcomes besides the index of the minimum reached
TOL = 0.02  # a run has reached a minimum within this share of the window's shorter side
WORK = 100 * 100 * 300  # start points × steps per optimizer on the page: about a second on a built-in surface


class Basins(NamedTuple):
    xs: Array  # (n,) the grid's start x values
    ys: Array  # (n,) its start y values
    outcome: Array  # (n, n) int, [row = y, column = x]: index into surface.minima, DIVERGED or NOT_YET


def resolution(n_steps: int) -> int:
    """The grid's side for runs of ``n_steps``: as fine as WORK allows, at most 100."""
    return min(100, int((WORK / n_steps) ** 0.5))


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
    return run_to_end(_descend(surface, optimizer, n_steps, resolution, schedule, n_steps))


def steps(surface: Surface, optimizers: Sequence[tuple[str, Optimizer]], n_steps: int, resolution: int,
          schedule: Schedule = Constant(), every: int = 10) -> Generator[Step, None, list[tuple[str, Basins]]]:
    """``basins`` of each named optimizer in turn, as a job's pieces of ``every`` steps: phase k is
    optimizer k, its units steps; the partial result is the (name, Basins) finished so far."""
    done: list[tuple[str, Basins]] = []
    for k, (name, optimizer) in enumerate(optimizers):
        walk = _descend(surface, optimizer, n_steps, resolution, schedule, every)
        while True:
            try:
                t = next(walk)
            except StopIteration as end:
                done.append((name, end.value))
                break
            yield Step(k, t, n_steps)
        yield Step(k, n_steps, n_steps, list(done))
    return done


def _descend(surface: Surface, optimizer: Optimizer, n_steps: int, resolution: int, schedule: Schedule,
             every: int) -> Generator[int, None, Basins]:
    """The runs of ``basins``, yielding the steps taken after every ``every`` of them."""
    xs, ys = np.linspace(*surface.xlim, resolution), np.linspace(*surface.ylim, resolution)
    p = np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2)
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    lo = np.array([x0 - FAR * (x1 - x0), y0 - FAR * (y1 - y0)])
    hi = np.array([x1 + FAR * (x1 - x0), y1 + FAR * (y1 - y0)])
    v0 = surface.value(p)
    limit = v0 + GROWTH * np.maximum(np.abs(v0), 1.0)
    diverged = np.zeros(len(p), bool)
    state = optimizer.init(p)
    for t in range(n_steps):
        with np.errstate(all="ignore"):
            new, state = optimizer.step(p, surface.grad(p), state, lr=optimizer.lr * schedule(t))
            v = surface.value(new)
            bad = ~((np.abs(v) < BLOW_UP**2) & (np.abs(new) < BLOW_UP).all(axis=1))  # nan too
            diverged |= bad | (v > limit) | (new < lo).any(axis=1) | (new > hi).any(axis=1)
            p = np.where(diverged[:, None], p, new)  # a diverged run stays where it was
        if (t + 1) % every == 0 and t + 1 < n_steps:
            yield t + 1
    return Basins(xs, ys, classify(surface, p, diverged).reshape(resolution, resolution))
