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

from optviz.mlp import MLP

Array = np.ndarray

EPS = 1e-4  # step of the central difference along a unit vector, in weight units
ITERATIONS = 30  # power-iteration steps at most
TOL = 1e-4  # relative change of λ between two steps that ends the iteration


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
