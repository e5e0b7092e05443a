"""A surface from a teacher's own formula: derivatives by finite differences, critical points by
Newton's method from a grid of starts, and a clear refusal when the formula cannot be drawn.

Gradient: central differences with Richardson extrapolation (error O(h⁴)); Hessian: the same
differences of that gradient. Both are tested against the analytic derivatives of the built-in
surfaces.
"""

from __future__ import annotations

import numpy as np

from optviz.toy import expressions
from optviz.toy.curvature import classify
from optviz.toy.expressions import ExpressionError
from optviz.toy.surfaces import CriticalPoint, Surface

Array = np.ndarray

STEP = 1e-3  # relative finite-difference step (times 1 + |coordinate|)
CHECK_GRID = 61  # points per side where the formula must be finite
NEWTON_STARTS = 15  # per side
EIG_TOL = 1e-6  # finite differences give no exact zeros: eigenvalues this small (relative) count as 0
DEFAULT_WINDOW = (-3.0, 3.0)


def _central(f, p: Array, axis: int, h: Array) -> Array:
    """Richardson-extrapolated central difference of f along ``axis`` at points p (..., 2)."""
    e = np.zeros(2)
    e[axis] = 1.0
    step = h[..., None] * e

    def d(s: Array) -> Array:
        diff, den = f(p + s) - f(p - s), 2 * s[..., axis]
        return diff / den.reshape(den.shape + (1,) * (diff.ndim - den.ndim))  # f may return (..., 2)

    return (4 * d(step / 2) - d(step)) / 3


def gradient(value, p: Array) -> Array:
    """∇f at p (..., 2) from ``value`` taking (..., 2) points."""
    p = np.asarray(p, float)
    h = STEP * (1 + np.abs(p))
    return np.stack([_central(value, p, k, h[..., k]) for k in range(2)], -1)


def hessian(value, p: Array) -> Array:
    """The Hessian at p (..., 2, 2): central differences of ``gradient``, symmetrised."""
    p = np.asarray(p, float)
    h = 10 * STEP * (1 + np.abs(p))
    rows = np.stack([_central(lambda q: gradient(value, q), p, k, h[..., k]) for k in range(2)], -2)
    return (rows + np.swapaxes(rows, -1, -2)) / 2


def critical_points(value, xlim: tuple[float, float], ylim: tuple[float, float], spread: float,
                    iterations: int = 40) -> tuple[CriticalPoint, ...]:
    """Critical points inside the window: Newton's method from a grid of starts, kept where the
    gradient is below 1e-9 of ``spread`` (the range of f over the window) per window width,
    merged when closer than 1e-4 of the window, labelled by their Hessian's eigenvalues (EIG_TOL)."""
    xs, ys = np.linspace(*xlim, NEWTON_STARTS), np.linspace(*ylim, NEWTON_STARTS)
    p = np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2)
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            g, h = gradient(value, p), hessian(value, p)
            det = h[:, 0, 0] * h[:, 1, 1] - h[:, 0, 1] ** 2
            ok = np.abs(det) > 1e-12
            step = np.where(ok[:, None], np.stack([h[:, 1, 1] * g[:, 0] - h[:, 0, 1] * g[:, 1],
                                                   h[:, 0, 0] * g[:, 1] - h[:, 0, 1] * g[:, 0]], -1)
                            / np.where(ok, det, 1)[:, None], 0.0)
            p = p - step
        g = gradient(value, p)
    width = min(xlim[1] - xlim[0], ylim[1] - ylim[0])
    inside = (p[:, 0] >= xlim[0]) & (p[:, 0] <= xlim[1]) & (p[:, 1] >= ylim[0]) & (p[:, 1] <= ylim[1])
    found: list[Array] = []
    for q in p[inside & np.isfinite(g).all(1) & (np.linalg.norm(g, axis=1) < 1e-9 * (1 + spread) / width)]:
        if all(np.linalg.norm(q - r) > 1e-4 * width for r in found):
            found.append(q)
    return tuple(CriticalPoint((float(q[0]), float(q[1])), classify(np.linalg.eigvalsh(hessian(value, q)), True, EIG_TOL))
                 for q in found)


def own_surface(text: str, xlim: tuple[float, float] = DEFAULT_WINDOW,
                ylim: tuple[float, float] = DEFAULT_WINDOW) -> Surface:
    """The surface f(x, y) = ``text`` over the window; ExpressionError when the text is refused,
    the window is empty, or f is not finite everywhere in the window ("finite")."""
    if not (xlim[0] < xlim[1] and ylim[0] < ylim[1]):
        raise ExpressionError("window")
    f = expressions.parse(text)

    def value(p: Array) -> Array:
        p = np.asarray(p, float)
        return f(p[..., 0], p[..., 1])

    grid = np.stack(np.meshgrid(np.linspace(*xlim, CHECK_GRID), np.linspace(*ylim, CHECK_GRID)), -1)
    z = value(grid)
    if not np.isfinite(z).all() or np.abs(z).max() > 1e150:
        raise ExpressionError("finite")
    return Surface(
        key="own", formula=expressions.latex(text), value=value, grad=lambda p: gradient(value, p),
        hessian=lambda p: hessian(value, p), xlim=tuple(xlim), ylim=tuple(ylim),
        start=(xlim[0] + 0.15 * (xlim[1] - xlim[0]), ylim[0] + 0.85 * (ylim[1] - ylim[0])),
        critical=critical_points(value, xlim, ylim, float(z.max() - z.min())),
    )
