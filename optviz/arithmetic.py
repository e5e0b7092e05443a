"""The arithmetic of one step: an optimizer's update rule with that step's numbers filled in.

The run is replayed with the optimizer itself up to the step, so the buffers shown are the core's
own state; the step is then worked out line by line from the textbook rule (PyTorch's
conventions), and the last line is the next point of the path (a test checks they agree).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optviz.registry import make_optimizer
from optviz.schedules import Schedule
from optviz.surfaces import Surface

Array = np.ndarray


class Line(NamedTuple):
    quantity: str  # LaTeX of what is computed, e.g. r"\hat m"
    arithmetic: str  # LaTeX of the rule with this step's numbers
    value: Array  # (2,) the result


def vec(v: Array) -> str:
    """A 2-vector as LaTeX, 4 significant digits."""
    return rf"({v[0]:.4g},\ {v[1]:.4g})"


def num(v: float) -> str:
    return f"{v:.4g}"


def replay(name: str, settings: dict[str, float], surface: Surface, start: Array, n_steps: int, k: int,
           schedule: Schedule, noise: float = 0.0, seed: int = 0) -> tuple[Array, Array, float, tuple]:
    """(θ before update k, its gradient g (noise included), the step's learning rate, the optimizer's
    state before the update), replaying ``descent.run``'s draws; k counts updates from 1."""
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
    if name == "SGD":
        new = p - lr * g
        lines.append(Line(rf"\theta_{{{k}}}", rf"\theta - \eta g = {vec(p)} - {num(lr)} \cdot {vec(g)}", new))
    elif name in ("Momentum", "Nesterov"):
        mu = settings["momentum"]
        if state.t == 0:
            b = g.copy()
            lines.append(Line("b", r"g \ \text{(first step)}" + f" = {vec(b)}", b))
        else:
            b = mu * state.buf + g
            lines.append(Line("b", rf"\mu b + g = {num(mu)} \cdot {vec(state.buf)} + {vec(g)}", b))
        d = g + mu * b if name == "Nesterov" else b
        if name == "Nesterov":
            lines.append(Line("d", rf"g + \mu b = {vec(g)} + {num(mu)} \cdot {vec(b)}", d))
        new = p - lr * d
        lines.append(Line(rf"\theta_{{{k}}}", rf"\theta - \eta {'d' if name == 'Nesterov' else 'b'} = {vec(p)} - "
                          rf"{num(lr)} \cdot {vec(d)}", new))
    elif name == "AdaGrad":
        eps = 1e-10
        h = state.acc + g * g
        lines.append(Line("h", rf"h + g^2 = {vec(state.acc)} + {vec(g * g)}", h))
        new = p - lr * g / (np.sqrt(h) + eps)
        lines.append(Line(rf"\theta_{{{k}}}", rf"\theta - \eta \frac{{g}}{{\sqrt{{h}} + \epsilon}} = {vec(p)} - "
                          rf"{num(lr)} \cdot {vec(g / (np.sqrt(h) + eps))}", new))
    elif name == "RMSProp":
        alpha, eps = settings["alpha"], 1e-8
        v = alpha * state.acc + (1 - alpha) * g * g
        lines.append(Line("v", rf"\alpha v + (1 - \alpha) g^2 = {num(alpha)} \cdot {vec(state.acc)} + "
                          rf"{num(1 - alpha)} \cdot {vec(g * g)}", v))
        new = p - lr * g / (np.sqrt(v) + eps)
        lines.append(Line(rf"\theta_{{{k}}}", rf"\theta - \eta \frac{{g}}{{\sqrt{{v}} + \epsilon}} = {vec(p)} - "
                          rf"{num(lr)} \cdot {vec(g / (np.sqrt(v) + eps))}", new))
    else:  # Adam, AdamW
        b1, b2, eps, t = settings["beta1"], settings["beta2"], 1e-8, state.t + 1
        theta = p
        if name == "AdamW" and settings.get("weight_decay", 0.0):
            wd = settings["weight_decay"]
            theta = p * (1 - lr * wd)
            lines.append(Line(r"\theta'", rf"\theta (1 - \eta \lambda) = {vec(p)} \cdot {num(1 - lr * wd)}", theta))
        m = b1 * state.m + (1 - b1) * g
        v = b2 * state.v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        lines += [
            Line("m", rf"\beta_1 m + (1 - \beta_1) g = {num(b1)} \cdot {vec(state.m)} + {num(1 - b1)} \cdot {vec(g)}", m),
            Line("v", rf"\beta_2 v + (1 - \beta_2) g^2 = {num(b2)} \cdot {vec(state.v)} + {num(1 - b2)} \cdot {vec(g * g)}",
                 v),
            Line(r"\hat m", rf"m / (1 - \beta_1^{{{t}}}) = {vec(m)} / {num(1 - b1**t)}", m_hat),
            Line(r"\hat v", rf"v / (1 - \beta_2^{{{t}}}) = {vec(v)} / {num(1 - b2**t)}", v_hat),
        ]
        step = m_hat / (np.sqrt(v_hat) + eps)
        new = theta - lr * step
        before = r"\theta" if theta is p else r"\theta'"
        lines.append(Line(rf"\theta_{{{k}}}", rf"{before} - \eta \frac{{\hat m}}{{\sqrt{{\hat v}} + \epsilon}} = "
                          rf"{vec(theta)} - {num(lr)} \cdot {vec(step)}", new))
    return lines
