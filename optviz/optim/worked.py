"""Each optimizer's update rule worked out with one step's numbers (PyTorch's conventions): the lines
after θ, g and η that ``optviz.toy.arithmetic`` shows. An optimizer's entry in ``optviz.optim.registry`` names
its function here; one without any gets ``generic``, its own step in one line.

Every function takes (p, g, lr, state, settings): the point (2,), its gradient (2,), the step's
learning rate, the optimizer's state before the update and the page's knobs, and returns the lines,
the last one's value being the point after the update.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

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


def _theta(k: int) -> str:
    return rf"\theta_{{{k}}}"


def sgd(p: Array, g: Array, lr: float, state, settings: dict, k: int) -> list[Line]:
    new = p - lr * g
    return [Line(_theta(k), rf"\theta - \eta g = {vec(p)} - {num(lr)} \cdot {vec(g)}", new)]


def momentum(p: Array, g: Array, lr: float, state, settings: dict, k: int, nesterov: bool = False) -> list[Line]:
    mu = settings["momentum"]
    if state.t == 0:
        b = g.copy()
        lines = [Line("b", r"g \ \text{(first step)}" + f" = {vec(b)}", b)]
    else:
        b = mu * state.buf + g
        lines = [Line("b", rf"\mu b + g = {num(mu)} \cdot {vec(state.buf)} + {vec(g)}", b)]
    d = g + mu * b if nesterov else b
    if nesterov:
        lines.append(Line("d", rf"g + \mu b = {vec(g)} + {num(mu)} \cdot {vec(b)}", d))
    new = p - lr * d
    return lines + [Line(_theta(k), rf"\theta - \eta {'d' if nesterov else 'b'} = {vec(p)} - {num(lr)} \cdot {vec(d)}",
                         new)]


def nesterov(p: Array, g: Array, lr: float, state, settings: dict, k: int) -> list[Line]:
    return momentum(p, g, lr, state, settings, k, nesterov=True)


def adagrad(p: Array, g: Array, lr: float, state, settings: dict, k: int) -> list[Line]:
    eps = 1e-10
    h = state.acc + g * g
    new = p - lr * g / (np.sqrt(h) + eps)
    return [Line("h", rf"h + g^2 = {vec(state.acc)} + {vec(g * g)}", h),
            Line(_theta(k), rf"\theta - \eta \frac{{g}}{{\sqrt{{h}} + \epsilon}} = {vec(p)} - "
                 rf"{num(lr)} \cdot {vec(g / (np.sqrt(h) + eps))}", new)]


def rmsprop(p: Array, g: Array, lr: float, state, settings: dict, k: int) -> list[Line]:
    alpha, eps = settings["alpha"], 1e-8
    v = alpha * state.acc + (1 - alpha) * g * g
    new = p - lr * g / (np.sqrt(v) + eps)
    return [Line("v", rf"\alpha v + (1 - \alpha) g^2 = {num(alpha)} \cdot {vec(state.acc)} + "
                      rf"{num(1 - alpha)} \cdot {vec(g * g)}", v),
            Line(_theta(k), rf"\theta - \eta \frac{{g}}{{\sqrt{{v}} + \epsilon}} = {vec(p)} - "
                 rf"{num(lr)} \cdot {vec(g / (np.sqrt(v) + eps))}", new)]


def adam(p: Array, g: Array, lr: float, state, settings: dict, k: int) -> list[Line]:
    """Adam, and AdamW when ``settings`` has a weight decay (decoupled: the weights shrink first)."""
    b1, b2, eps, t = settings["beta1"], settings["beta2"], 1e-8, state.t + 1
    theta, lines = p, []
    if wd := settings.get("weight_decay", 0.0):
        theta = p * (1 - lr * wd)
        lines.append(Line(r"\theta'", rf"\theta (1 - \eta \lambda) = {vec(p)} \cdot {num(1 - lr * wd)}", theta))
    m = b1 * state.m + (1 - b1) * g
    v = b2 * state.v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    lines += [
        Line("m", rf"\beta_1 m + (1 - \beta_1) g = {num(b1)} \cdot {vec(state.m)} + {num(1 - b1)} \cdot {vec(g)}", m),
        Line("v", rf"\beta_2 v + (1 - \beta_2) g^2 = {num(b2)} \cdot {vec(state.v)} + {num(1 - b2)} \cdot {vec(g * g)}", v),
        Line(r"\hat m", rf"m / (1 - \beta_1^{{{t}}}) = {vec(m)} / {num(1 - b1**t)}", m_hat),
        Line(r"\hat v", rf"v / (1 - \beta_2^{{{t}}}) = {vec(v)} / {num(1 - b2**t)}", v_hat),
    ]
    step = m_hat / (np.sqrt(v_hat) + eps)
    before = r"\theta" if theta is p else r"\theta'"
    return lines + [Line(_theta(k), rf"{before} - \eta \frac{{\hat m}}{{\sqrt{{\hat v}} + \epsilon}} = "
                                    rf"{vec(theta)} - {num(lr)} \cdot {vec(step)}", theta - lr * step)]


def generic(p: Array, new: Array, k: int) -> list[Line]:
    """An optimizer without worked lines of its own: the point its own step gives, in one line."""
    return [Line(_theta(k), rf"\theta - \Delta\theta = {vec(p)} - {vec(p - new)}", new)]
