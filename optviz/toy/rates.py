"""Convergence rates on a quadratic bowl: what theory predicts and what a path achieved.

On f with Hessian eigenvalues λ, gradient descent's error along each eigenvector is multiplied by
1 − ηλ per step; heavy-ball momentum (PyTorch's SGD momentum: v ← μv + g, θ ← θ − ηv, the same
as θ' = θ − ηg + μ(θ − θ_prev)) follows e' = (1 + μ − ηλ)e − μe_prev. The rate is the largest
factor over the eigenvalues: the distance to the minimum shrinks about that much per step.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

Array = np.ndarray


class Optimum(NamedTuple):
    lr: float
    momentum: float  # 0 for gradient descent
    rate: float  # factor per step on the distance to the minimum


def gd_rate(lr: float, eigenvalues: Array) -> float:
    """Gradient descent's rate: max |1 − ηλ| (at least 1: not converging)."""
    return float(np.max(np.abs(1 - lr * np.asarray(eigenvalues))))


def heavy_ball_rate(lr: float, momentum: float, eigenvalues: Array) -> float:
    """Heavy-ball momentum's rate: the largest spectral radius of [[1 + μ − ηλ, −μ], [1, 0]]."""
    radii = [np.max(np.abs(np.linalg.eigvals(np.array([[1 + momentum - lr * lam, -momentum], [1.0, 0.0]]))))
             for lam in np.asarray(eigenvalues)]
    return float(max(radii))


def gd_limit(eigenvalues: Array, momentum: float = 0.0) -> float:
    """The largest stable learning rate: 2/λmax, or 2(1 + μ)/λmax with heavy-ball momentum μ."""
    return 2 * (1 + momentum) / float(np.max(eigenvalues))


def stability_limit(lr: float, momentum: float = 0.0, nesterov: bool = False) -> float:
    """The largest sharpness λmax under which ``SGD`` (PyTorch's, at ``lr`` with ``momentum``) is
    stable on a quadratic: 2(1 + μ)/η, or with Nesterov 2(1 + μ)/(η(1 + 2μ)) (where the iteration's
    matrix first has the eigenvalue −1); inf at η = 0."""
    if lr <= 0:
        return float("inf")
    return 2 * (1 + momentum) / (lr * ((1 + 2 * momentum) if nesterov else 1))


def gd_limits(lr: float, schedule, n: int) -> Array:
    """2/η_t for steps t = 0..n−1 of a run at ``lr`` with ``schedule`` (t -> factor): the largest
    λmax gradient descent is stable under at each step; inf where the rate is 0."""
    with np.errstate(divide="ignore"):
        return 2 / (lr * np.array([schedule(t) for t in range(n)], float))


def best_gd(eigenvalues: Array) -> Optimum:
    """η = 2/(λmin + λmax), rate (κ − 1)/(κ + 1)."""
    lo, hi = float(np.min(eigenvalues)), float(np.max(eigenvalues))
    kappa = hi / lo
    return Optimum(2 / (lo + hi), 0.0, (kappa - 1) / (kappa + 1))


def best_heavy_ball(eigenvalues: Array) -> Optimum:
    """η = 4/(√λmax + √λmin)², μ = ((√κ − 1)/(√κ + 1))², rate (√κ − 1)/(√κ + 1)."""
    lo, hi = float(np.min(eigenvalues)), float(np.max(eigenvalues))
    root = np.sqrt(hi / lo)
    rate = (root - 1) / (root + 1)
    return Optimum(4 / (np.sqrt(hi) + np.sqrt(lo)) ** 2, rate**2, float(rate))


def best_settings(eigenvalues: Array) -> dict[str, tuple[Optimum, dict[str, float]]]:
    """The best gradient descent (SGD) and heavy-ball (Momentum) on a bowl with these Hessian
    eigenvalues: each optimum and the settings that give it, as that optimizer's knobs."""
    gd, hb = best_gd(eigenvalues), best_heavy_ball(eigenvalues)
    return {"SGD": (gd, {"lr": gd.lr}), "Momentum": (hb, {"lr": hb.lr, "momentum": hb.momentum})}


def observed_rate(distances: Array, floor: float = 1e-200) -> float:
    """The rate a path achieved: exp of the least-squares slope of log(distance) over the second
    half of the steps whose distance is above ``floor`` × the first. The bowls' minimum is the
    origin, so a distance keeps its full relative precision far below 1e-16; a long window
    matters, because momentum at its best settings shrinks like t·rate^t, not rate^t. nan when
    fewer than 8 such steps exist."""
    d = np.asarray(distances, float)
    usable = np.flatnonzero(d > floor * d[0]) if d[0] > 0 else np.array([], int)
    if len(usable) < 8:
        return float("nan")
    t = usable[len(usable) // 2:]
    slope = np.polyfit(t, np.log(d[t]), 1)[0]
    return float(np.exp(slope))


def predicted(name: str, settings: dict[str, float], eigenvalues: Array) -> tuple[float, float] | None:
    """(rate, largest stable lr) of optimizer ``name`` with ``settings`` on a quadratic with these
    eigenvalues, where theory gives them in closed form (SGD, heavy-ball Momentum); else None."""
    if name == "SGD":
        return gd_rate(settings["lr"], eigenvalues), gd_limit(eigenvalues)
    if name == "Momentum":
        mu = settings["momentum"]
        return heavy_ball_rate(settings["lr"], mu, eigenvalues), gd_limit(eigenvalues, mu)
    return None


def nearest(value: float, grid: tuple[float, ...]) -> float:
    """The value of ``grid`` nearest ``value`` on a log scale (0 counts as the smallest)."""
    positive = [g for g in grid if g > 0]
    return min(positive, key=lambda g: abs(np.log(g / value))) if value > 0 else min(grid)
