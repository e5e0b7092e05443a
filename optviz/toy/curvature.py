"""Critical-point analysis from the Hessian: the second-order Taylor view of a surface at a point.

At a critical point (g = 0), f(θ + δ) ≈ f(θ) + ½ δᵀHδ, so the signs of H's eigenvalues tell a
minimum (all > 0), a maximum (all < 0) and a saddle (mixed). Along the eigenvector u of a negative
eigenvalue λ, f(θ + ηu) ≈ f(θ) + ½λη² < f(θ): that is the way out of a saddle.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optviz.toy.surfaces import Surface

Array = np.ndarray

GRAD_TOL = 1e-6  # gradient norm under which a point counts as critical
EIG_TOL = 1e-8  # relative size under which an eigenvalue counts as zero


class Escape(NamedTuple):
    direction: Array  # (2,) unit eigenvector of the most negative eigenvalue
    eigenvalue: float
    step: float  # η, distance moved along the direction
    predicted_drop: float  # −(η·gᵀu + ½λη²), from the second-order Taylor expansion
    actual_drop: float  # f(θ) − f(θ + ηu)


class Analysis(NamedTuple):
    point: Array  # (2,)
    value: float
    grad: Array  # (2,)
    hessian: Array  # (2, 2)
    eigenvalues: Array  # (2,), ascending
    eigenvectors: Array  # (2, 2), column i belongs to eigenvalue i
    critical: bool
    label: str  # "minimum", "maximum", "saddle", "degenerate" or, off critical points, the
    # local shape: "convex", "concave", "saddle-shaped", "flat direction"
    condition_number: float  # |λ|max / |λ|min (inf when an eigenvalue is zero)
    lr_limit: float  # gradient descent is stable near here for lr < 2/λmax (inf if λmax ≤ 0)
    escape: Escape | None  # present when some eigenvalue is negative: a step along its eigenvector


def classify(eigenvalues: Array, critical: bool, tol: float = EIG_TOL) -> str:
    """Label of a point from its Hessian eigenvalues (ascending); those within ``tol`` of zero,
    relative to the largest (or 1), count as zero."""
    scale = max(1.0, float(np.abs(eigenvalues).max()))
    zero = np.abs(eigenvalues) <= tol * scale
    if zero.any():
        return "degenerate" if critical else "flat direction"
    if (eigenvalues > 0).all():
        return "minimum" if critical else "convex"
    if (eigenvalues < 0).all():
        return "maximum" if critical else "concave"
    return "saddle" if critical else "saddle-shaped"


def sharpness(surface: Surface, points: Array) -> Array:
    """The largest Hessian eigenvalue λmax at each of ``points`` (n, 2): (n,). Gradient descent
    with step η is stable near a point while λmax < 2/η (rates.gd_limit)."""
    return np.linalg.eigvalsh(surface.hessian(np.asarray(points, float)))[..., -1]


def analyse(surface: Surface, point: Array, escape_step: float = 0.5) -> Analysis:
    """Gradient, Hessian, eigen-decomposition and label of ``surface`` at ``point`` (2,)."""
    p = np.asarray(point, dtype=float)
    g = surface.grad(p)
    h = surface.hessian(p)
    lam, vecs = np.linalg.eigh(h)
    critical = bool(np.linalg.norm(g) <= GRAD_TOL * max(1.0, abs(float(surface.value(p)))))
    mags = np.abs(lam)
    cond = float(mags.max() / mags.min()) if mags.min() > 0 else float("inf")
    lr_limit = 2.0 / float(lam[-1]) if lam[-1] > 0 else float("inf")
    escape = None
    if lam[0] < 0:
        u = vecs[:, 0] if g @ vecs[:, 0] <= 0 else -vecs[:, 0]  # the downhill sense of ±u
        f0 = float(surface.value(p))
        escape = Escape(
            direction=u,
            eigenvalue=float(lam[0]),
            step=escape_step,
            predicted_drop=float(-(escape_step * g @ u + 0.5 * lam[0] * escape_step**2)),
            actual_drop=f0 - float(surface.value(p + escape_step * u)),
        )
    return Analysis(
        point=p,
        value=float(surface.value(p)),
        grad=g,
        hessian=h,
        eigenvalues=lam,
        eigenvectors=vecs,
        critical=critical,
        label=classify(lam, critical),
        condition_number=cond,
        lr_limit=lr_limit,
        escape=escape,
    )
