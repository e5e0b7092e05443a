"""Run an optimizer on a surface and record its path, stopping cleanly if it diverges."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optviz.optim.optimizers import Optimizer
from optviz.optim.schedules import Constant, Schedule
from optviz.toy.surfaces import Surface

Array = np.ndarray

BLOW_UP = 1e6  # a coordinate beyond this is "absurdly large": the run has diverged
GROWTH = 1e6  # a loss risen this many times max(|f(start)|, 1) above its start: diverging
FAR = 10.0  # a point this many window widths outside the plotted window: diverging


class Path(NamedTuple):
    points: Array  # (n + 1, 2): the start, then the point after each step
    values: Array  # (n + 1,): f at each point
    diverged_at: int | None  # step at which a non-finite or absurd value appeared


def walk(
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
    return sweep(surface, optimizer, start, n_steps, (optimizer.lr,), schedule, noise, seed)[0]


def sweep(
    surface: Surface,
    optimizer: Optimizer,
    start: Array,
    n_steps: int,
    lrs: Array,
    schedule: Schedule = Constant(),
    noise: float = 0.0,
    seed: int = 0,
) -> list[Path]:
    """``walk`` at every learning rate of ``lrs`` (L,) at once, the other settings of ``optimizer``
    kept: one (L, 2) array of points steps together, so the whole neighbourhood of a learning-rate
    slider costs about one run. Path i is the run at lr = lrs[i] (the same noise draws for every
    rate), each cut where it blew up; nothing of one rate reaches another."""
    lr = np.asarray(lrs, dtype=float)[:, None]  # (L, 1): broadcasts over each point's two coordinates
    p = np.tile(np.asarray(start, dtype=float), (len(lr), 1))
    state = optimizer.init(p)
    noise_draws = np.random.default_rng(seed).normal(0.0, noise, (n_steps, 2)) if noise else None
    points = np.empty((n_steps + 1, len(lr), 2))
    values = np.empty((n_steps + 1, len(lr)))
    points[0], values[0] = p, surface.value(p)
    ends = np.full(len(lr), n_steps + 1)  # points kept per path
    with np.errstate(all="ignore"):
        for t in range(n_steps):
            g = surface.grad(p)
            if noise_draws is not None:
                g = g + noise_draws[t]
            p, state = optimizer.step(p, g, state, lr=lr * schedule(t))
            v = surface.value(p)
            bad = ~((np.abs(v) < BLOW_UP**2) & (np.abs(p) < BLOW_UP).all(-1)) & (ends > t + 1)
            ends[bad] = t + 1  # rows carry on computing nan, each on its own: nothing mixes rows
            points[t + 1], values[t + 1] = p, v
            if (ends <= t + 1).all():
                break
    return [Path(points[:e, i].copy(), values[:e, i].copy(), None if e > n_steps else int(e))
            for i, e in enumerate(ends)]


def diverging_at(surface: Surface, path: Path) -> int | None:
    """The first step at which ``path`` is diverging, or None: cut off by ``walk`` (a non-finite or
    absurd value), a loss risen GROWTH × max(|f(start)|, 1) above its start, or a point more than
    FAR window widths outside the plotted window. A run that merely has not converged, or that
    escapes downhill on a surface unbounded below but stays in sight, is not diverging."""
    v, p = path.values, path.points
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    w, h = x1 - x0, y1 - y0
    bad = (v - v[0] > GROWTH * max(abs(v[0]), 1.0)) | (p[:, 0] < x0 - FAR * w) | (p[:, 0] > x1 + FAR * w) \
        | (p[:, 1] < y0 - FAR * h) | (p[:, 1] > y1 + FAR * h)
    return int(np.argmax(bad)) if bad.any() else path.diverged_at


class Outcome(NamedTuple):
    path: Path  # drawn up to the step it began to diverge at
    diverging: int | None  # that step, or None
    escaped: bool  # the divergence is an escape downhill on a surface without a minimum


def outcome(surface: Surface, path: Path) -> Outcome:
    """``path`` judged by ``diverging_at`` and ``escaped``, cut at the step it began to diverge."""
    k = diverging_at(surface, path)
    if k is None:
        return Outcome(path, None, False)
    return Outcome(path._replace(points=path.points[:k + 1], values=path.values[:k + 1], diverged_at=k), k,
                   escaped(surface, path, k))


def escaped(surface: Surface, path: Path, k: int) -> bool:
    """Whether a run flagged at step ``k`` by ``diverging_at`` was escaping, not diverging: the
    surface has no minimum (it falls without bound) and the loss at step k, or at the last finite
    point before it, is below the start. Leaving a saddle downhill is the right thing to do."""
    unbounded = not any(c.kind == "minimum" for c in surface.critical)
    return unbounded and bool(path.values[min(k, len(path.values) - 1)] < path.values[0])
