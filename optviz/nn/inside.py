"""What happens inside a network while it trains: snapshots of every hidden layer's activations
and of the gradient ∂L/∂z reaching it (z: what enters the activation), and how far one optimizer
step moves each layer's weights.

A ``Run`` (``optviz.nn.train``) takes a snapshot every ``interval`` iterations, on a fixed probe of
its training images, and keeps only histogram counts, so a page can show the whole history of a
run's inside for a few kilobytes.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from optviz.nn import layers
from optviz.nn.mlp import MLP

Array = np.ndarray

PROBE = 100  # training images a snapshot passes through the network
SNAPSHOTS = 40  # snapshots a long run aims for, besides the one at iteration 0
COST_SHARE = 40  # a snapshot (a forward and backward pass of PROBE images) comes at most once every
# COST_SHARE·PROBE/batch iterations: at most about 5 % of the training's matrix work
ACT_BINS = 40
OPEN_RANGE = 5.0  # activations without bounds are counted in [0, 5] (ReLU) or [-5, 5]; beyond it, in the end bins
GRAD_DECADES = (-10, 0)  # log10 |∂L/∂z| from 1e-10 to 1; smaller (but nonzero) and larger go to the end bins
GRAD_BINS = 40
SATURATION_MARGIN = 0.01  # a sigmoid/tanh unit within 1 % of the range from a bound counts as saturated


class Snapshot(NamedTuple):
    t: int  # iterations done when it was taken
    act: Array  # (layers, ACT_BINS) share of the probe's activations in each bin of ``act_edges``
    grad: Array  # (layers, GRAD_BINS) share of |∂L/∂z| in each decade bin of ``grad_edges``
    grad_zero: Array  # (layers,) share of ∂L/∂z exactly 0 (a ReLU that is off, a bias before batch norm)
    saturated: Array  # (layers,) share of activations at a bound (sigmoid, tanh), else nan
    dead: Array  # (layers,) share of units that are 0 on every probe image (ReLU), else nan


class Move(NamedTuple):
    t: int  # the iteration whose update this is (the step from t to t + 1)
    relative: Array  # (layers,) |Δw| / |w| per affine map (hidden layers, then the output layer)
    step_ratio: Array  # (layers,) |Δw| / (lr·|g|): the step against plain SGD's at the same lr and gradient


def interval(iterations: int, batch: int) -> int:
    """Iterations between two snapshots of a run of ``iterations`` mini-batches of ``batch`` images."""
    return max(1, iterations // SNAPSHOTS, math.ceil(COST_SHARE * PROBE / batch))


def act_edges(activation: str) -> Array:
    """(ACT_BINS + 1,) bin edges of an activation's histogram: its own range when bounded."""
    bounds = layers.ACTIVATIONS[activation].bounds
    lo, hi = bounds or ((0.0, OPEN_RANGE) if activation == "relu" else (-OPEN_RANGE, OPEN_RANGE))
    return np.linspace(lo, hi, ACT_BINS + 1)


def grad_edges() -> Array:
    """(GRAD_BINS + 1,) edges of the |∂L/∂z| histogram, in log10 units."""
    return np.linspace(*GRAD_DECADES, GRAD_BINS + 1)


def _shares(values: Array, edges: Array) -> Array:
    """Share of ``values`` in each bin of ``edges``; values outside go to the end bins."""
    counts = np.histogram(np.clip(values, edges[0], edges[-1]), edges)[0]
    return (counts / max(values.size, 1)).astype(np.float32)


def snapshot(mlp: MLP, params: Array, x: Array, labels: Array, t: int) -> Snapshot:
    """The probe x (n, 784) with its labels through ``mlp`` in training mode (batch-norm statistics
    of the probe itself, no dropout), backward from the mean cross-entropy."""
    probe_net = replace(mlp, dropout=0.0)
    act_fn = layers.ACTIVATIONS[mlp.activation]
    with np.errstate(all="ignore"):
        fwd = probe_net.forward(params, x, train=True)
        _, dlogits = layers.softmax_cross_entropy(fwd.out, labels)
        _, act_grads = probe_net.backward(params, fwd, dlogits)
        dz = [act_fn.backward(g, z, a) for g, z, a in zip(act_grads, fwd.pre, fwd.act, strict=True)]
        edges, g_edges = act_edges(mlp.activation), grad_edges()
        act = np.stack([_shares(a, edges) for a in fwd.act])
        grad = np.stack([_shares(np.log10(np.abs(g[g != 0])), g_edges) * np.mean(g != 0) for g in dz])
        zero = np.array([np.mean(g == 0) for g in dz], np.float32)
        if act_fn.bounds:
            lo, hi = act_fn.bounds
            margin = SATURATION_MARGIN * (hi - lo)
            saturated = np.array([np.mean((a <= lo + margin) | (a >= hi - margin)) for a in fwd.act], np.float32)
        else:
            saturated = np.full(len(fwd.act), np.nan, np.float32)
        dead = (np.array([np.mean(np.all(a == 0, axis=0)) for a in fwd.act], np.float32)
                if mlp.activation == "relu" else np.full(len(fwd.act), np.nan, np.float32))
    return Snapshot(t, act, grad, zero, saturated, dead)


def _over(a: float, b: float) -> float:
    """a / b, or nan when b is 0: no size to compare with (all weights or all gradients of a layer
    exactly 0, as behind a layer of dead ReLUs)."""
    return a / b if b else np.nan


def move(mlp: MLP, before: Array, after: Array, grad: Array, lr: float, t: int) -> Move:
    """How the step from ``before`` to ``after`` (flat parameter vectors) moved each layer's
    weights; ``grad`` is the gradient the optimizer was given, ``lr`` the step's learning rate.
    A layer whose weights or gradient are all exactly 0 gets nan for that figure."""
    rel, ratio = [], []
    with np.errstate(all="ignore"):
        for w0, w1, g in zip(mlp.views(before), mlp.views(after), mlp.views(grad), strict=True):
            step = float(np.linalg.norm((w1.w - w0.w).astype(np.float64)))
            rel.append(_over(step, float(np.linalg.norm(w0.w.astype(np.float64)))))
            ratio.append(_over(step, lr * float(np.linalg.norm(g.w.astype(np.float64)))))
    return Move(t, np.array(rel, np.float32), np.array(ratio, np.float32))


class History(NamedTuple):
    """A run's snapshots and moves as arrays over time, for charts and CSV."""

    t: Array  # (s,) iterations of the snapshots
    act: Array  # (s, layers, ACT_BINS)
    grad: Array  # (s, layers, GRAD_BINS)
    grad_zero: Array  # (s, layers)
    saturated: Array  # (s, layers)
    dead: Array  # (s, layers)
    move_t: Array  # (m,)
    relative: Array  # (m, affine maps)
    step_ratio: Array  # (m, affine maps)


def history(snapshots: list[Snapshot], moves: list[Move], upto: int | None = None) -> History | None:
    """Everything recorded up to iteration ``upto`` (None: all); None before the first snapshot."""
    snaps = [s for s in snapshots if upto is None or s.t <= upto]
    if not snaps:
        return None
    steps = [m for m in moves if upto is None or m.t < upto]
    maps = len(steps[0].relative) if steps else 0
    return History(np.array([s.t for s in snaps]), np.stack([s.act for s in snaps]), np.stack([s.grad for s in snaps]),
                   np.stack([s.grad_zero for s in snaps]), np.stack([s.saturated for s in snaps]),
                   np.stack([s.dead for s in snaps]), np.array([m.t for m in steps], int),
                   np.stack([m.relative for m in steps]) if steps else np.zeros((0, maps), np.float32),
                   np.stack([m.step_ratio for m in steps]) if steps else np.zeros((0, maps), np.float32))

