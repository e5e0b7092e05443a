"""The arithmetic of one step: an optimizer's update rule with that step's numbers filled in.

The run is replayed with the optimizer itself up to the step, so the buffers shown are the core's
own state; the step is then worked out line by line from the textbook rule its registry entry names
(``optviz.optim.worked``), and the last line is the next point of the path (a test checks they agree).
"""

from __future__ import annotations

import numpy as np

from optviz.optim import worked
from optviz.optim.registry import OPTIMIZERS, make_optimizer
from optviz.optim.schedules import Schedule
from optviz.optim.worked import Line, num, vec
from optviz.toy.surfaces import Surface

Array = np.ndarray


def replay(name: str, settings: dict[str, float], surface: Surface, start: Array, n_steps: int, k: int,
           schedule: Schedule, noise: float = 0.0, seed: int = 0) -> tuple[Array, Array, float, tuple]:
    """(θ before update k, its gradient g (noise included), the step's learning rate, the optimizer's
    state before the update), replaying ``descent.walk``'s draws; k counts updates from 1."""
    opt = make_optimizer(name, **settings)
    draws = np.random.default_rng(seed).normal(0.0, noise, (n_steps, 2)) if noise else np.zeros((n_steps, 2))
    p, state = np.asarray(start, float).copy(), opt.init(np.asarray(start, float))
    for t in range(k - 1):
        p, state = opt.step(p, surface.grad(p) + draws[t], state, lr=opt.lr * schedule(t))
    return p, surface.grad(p) + draws[k - 1], opt.lr * schedule(k - 1), state


def step_lines(name: str, settings: dict[str, float], surface: Surface, start: Array, n_steps: int, k: int,
               schedule: Schedule, noise: float = 0.0, seed: int = 0) -> list[Line]:
    """Update number ``k`` (1 ≤ k ≤ n_steps) of optimizer ``name`` with the page's ``settings``
    (lr and knobs), as lines; the last line's value is the point after the update."""
    p, g, lr, state = replay(name, settings, surface, start, n_steps, k, schedule, noise, seed)
    lines = [Line(rf"\theta_{{{k - 1}}}", vec(p), p), Line("g", rf"\nabla f(\theta_{{{k - 1}}}) = {vec(g)}", g),
             Line(r"\eta", num(lr), np.array([lr, lr]))]
    if (lines_of := OPTIMIZERS[name].worked) is None:  # no worked lines of its own: its own step, in one line
        new, _ = make_optimizer(name, **settings).step(p, g, state, lr=lr)
        return lines + worked.generic(p, new, k)
    return lines + lines_of(p, g, lr, state, settings, k)
