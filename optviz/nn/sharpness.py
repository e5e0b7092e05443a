"""The sharpness of a network's training loss: the largest eigenvalue λmax of its Hessian on a fixed
batch, from Hessian-vector products by the Lanczos iteration (power iteration's better-behaved
cousin: it finds the largest eigenvalue even where a negative one is as large in size, as it often
is at initialisation), warm-started from the last estimate's vector.

Gradient descent with step η is stable near a point only while λmax < 2/η (``rates.gd_limit``, the
trajectories page's lesson on two weights). Cohen et al. (2021, "Gradient Descent on Neural Networks
Typically Occurs at the Edge of Stability") found full-batch gradient descent on real networks
raising λmax until it reaches 2/η and then hovering there while the loss keeps falling.

The probe is deterministic: no dropout, batch norm in training mode on the batch itself.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import numpy as np

from optviz.nn.mlp import MLP

Array = np.ndarray

EPS = 1e-4  # step of the central difference along a unit vector, in weight units
ITERATIONS = 30  # power-iteration steps at most
TOL = 1e-4  # relative change of λ between two steps that ends the iteration
SHARE = 0.2  # a tracker's products cost at most this share of the images trained on
TRACK_TOL = 1e-2  # a tracker's λ to 1 %: a plot's precision
TRACK_ITERATIONS = 20
VERDICTS = ("edge", "sharpening", "below", "adaptive")  # what ``verdict`` says of a run
EDGE = 0.2  # a sharpness within this share of its stability limit (or above it) is at the edge


class Top(NamedTuple):
    value: float  # λmax, the Rayleigh quotient v·Hv
    vector: Array  # (P,) its unit eigenvector, float64
    products: int  # Hessian-vector products it took


def probe_net(mlp: MLP) -> MLP:
    """``mlp`` without dropout: the loss a probe measures is a function of the weights alone."""
    return replace(mlp, dropout=0.0)


def gradient(mlp: MLP, params: Array, x: Array, labels: Array) -> Array:
    """∇L (P,) in float64 of the mean cross-entropy of (x, labels) at ``params``."""
    return probe_net(mlp).loss_and_grad(np.asarray(params, np.float64), np.asarray(x, np.float64), labels)[1]


def hvp(mlp: MLP, params: Array, x: Array, labels: Array, v: Array, eps: float = EPS) -> Array:
    """H v (P,) of the mean cross-entropy on (x, labels) at ``params``: the central difference of
    the analytic gradient along ``v``, (∇L(w + εu) − ∇L(w − εu)) / 2ε · |v| with u = v/|v|, in
    float64 (an error of order ε² in smooth places)."""
    norm = float(np.linalg.norm(v))
    if norm == 0:
        return np.zeros_like(v, dtype=np.float64)
    u = np.asarray(v, np.float64) / norm
    w = np.asarray(params, np.float64)
    return (gradient(mlp, w + eps * u, x, labels) - gradient(mlp, w - eps * u, x, labels)) / (2 * eps) * norm


def top_eigenvalue(mlp: MLP, params: Array, x: Array, labels: Array, start: Array | None = None,
                   iterations: int = ITERATIONS, tol: float = TOL, seed: int = 0) -> Top:
    """λmax, the Hessian's largest eigenvalue, by Lanczos from ``start`` (the last estimate's
    vector; a random unit vector when None) with full reorthogonalisation: after each product the
    tridiagonal matrix's top eigenvalue (numpy's eigh) is the estimate, and the iteration stops when
    it changes by less than ``tol`` relatively, or after ``iterations`` products."""
    v = np.random.default_rng(seed).standard_normal(mlp.size) if start is None else np.asarray(start, np.float64)
    basis = [v / np.linalg.norm(v)]
    alphas: list[float] = []
    betas: list[float] = []
    value, vector = np.nan, basis[0]
    for k in range(1, iterations + 1):
        w = hvp(mlp, params, x, labels, basis[-1])
        alphas.append(float(basis[-1] @ w))
        for q in basis:  # full reorthogonalisation: a few dozen vectors at most
            w -= (q @ w) * q
        t = np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1)
        ritz, vectors = np.linalg.eigh(t)
        new = float(ritz[-1])
        vector = np.array(basis).T @ vectors[:, -1]
        beta = float(np.linalg.norm(w))
        if abs(new - value) <= tol * abs(new) or beta <= 1e-12 * max(abs(new), 1.0):
            return Top(new, vector / np.linalg.norm(vector), k)
        value = new
        betas.append(beta)
        basis.append(w / beta)
    return Top(value, vector / np.linalg.norm(vector), iterations)


class Tracker:
    """λmax of a training run on its fixed probe, measured when the run offers (``offer``) and its
    cost allows: a measurement's Hessian-vector products, counted as images through the network (two
    float64 gradients of the probe each, a float64 image costing about two float32 ones), are kept
    under ``share`` of the images the run trained on since the tracker started. The first
    measurement starts from a random vector and runs to ``TOL``; each later one is warm-started
    from the last one's vector and runs to ``tol``."""

    def __init__(self, share: float = SHARE, tol: float = TRACK_TOL) -> None:
        self.share, self.tol = share, tol
        self.at: list[int] = []  # iterations measured
        self.values: list[float] = []  # λmax there
        self.limits: list[float] = []  # the optimizer's stability limit there (nan: none known)
        self.trained = 0  # images trained on since the start
        self.spent = 0  # images' worth of products spent
        self.vector: Array | None = None

    def trained_on(self, images: int) -> None:
        self.trained += images

    def offer(self, mlp: MLP, params: Array, x: Array, labels: Array, t: int, limit: float) -> bool:
        """Measure at iteration ``t`` unless the cost so far says wait; True when it measured."""
        if self.at and self.spent > self.share * self.trained:
            return False
        cold = self.vector is None  # from a random vector: Lanczos needs longer to settle
        top = top_eigenvalue(mlp, params, x, labels, start=self.vector, iterations=ITERATIONS if cold else TRACK_ITERATIONS,
                             tol=TOL if cold else self.tol, seed=t)
        self.spent += top.products * 4 * len(x)
        if not np.isfinite(top.value):
            return False
        self.vector = top.vector
        self.at.append(t)
        self.values.append(top.value)
        self.limits.append(limit)
        return True

    def copy(self) -> Tracker:
        new = Tracker(self.share, self.tol)
        new.at, new.values, new.limits = list(self.at), list(self.values), list(self.limits)
        new.trained, new.spent, new.vector = self.trained, self.spent, self.vector
        return new

    @property
    def nbytes(self) -> int:
        return 0 if self.vector is None else self.vector.nbytes


def level(values: Array) -> float:
    """Where a measured sharpness has settled: the median of its last third of measurements (it
    swings around the limit from one to the next)."""
    values = np.asarray(values, float)
    return float(np.median(values[-max(1, len(values) // 3):]))


def verdict(values: Array, limits: Array) -> str:
    """What a run's sharpness did: "adaptive" (its optimizer has no one limit), "edge" (it settled
    within ``EDGE`` of its last limit, or above), "sharpening" (it rose by more than ``EDGE`` from its
    first measurement, short of the edge) or "below"."""
    if not len(values) or not np.isfinite(limits[-1]):
        return "adaptive"
    settled = level(values)
    if settled >= (1 - EDGE) * limits[-1]:
        return "edge"
    return "sharpening" if settled > (1 + EDGE) * values[0] else "below"
