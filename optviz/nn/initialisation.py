"""The book's weight-initialisation experiment: random inputs through a deep MLP, and what each
layer's activations and back-flowing gradients look like under a given initialisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optviz.nn.layers import ACTIVATIONS
from optviz.nn.mlp import MLP

Array = np.ndarray

SATURATION_MARGIN = 0.1  # a sigmoid/tanh unit within this of a bound counts as saturated


@dataclass(frozen=True)
class InitConfig:
    init: str | float = 1.0  # "xavier", "he", or a standard deviation
    activation: str = "sigmoid"
    n_layers: int = 5
    units: int = 100
    batchnorm: bool = False
    n_samples: int = 1000
    seed: int = 0


class LayerStats(NamedTuple):
    mean: float
    std: float
    saturated: float  # share of units within SATURATION_MARGIN of a bound (nan without bounds)
    dead: float  # share exactly zero (ReLU), else nan
    grad_std: float  # standard deviation of ∂L/∂z at this layer


class Experiment(NamedTuple):
    pre: tuple[Array, ...]  # (n_samples, units) what enters each activation
    act: tuple[Array, ...]  # (n_samples, units) each layer's activation
    grads: tuple[Array, ...]  # (n_samples, units) ∂L/∂z, z = what enters the activation, for
    # L = Σ activation_last · r: where a saturated unit stops the gradient
    stats: tuple[LayerStats, ...]
    finite: bool  # False when some value overflowed: nothing else should be shown then


def measure(cfg: InitConfig) -> Experiment:
    """Inputs x ~ N(0, 1) of shape (n_samples, units) through ``n_layers`` layers of ``units``
    units (float32). The backward pass starts from r ~ N(0, 1) at the last layer, a stand-in loss
    whose gradient has unit scale, so the gradient histograms show only what the layers do to it."""
    rng = np.random.default_rng(cfg.seed)
    net = MLP(cfg.units, (cfg.units,) * cfg.n_layers, 0, cfg.activation, cfg.init, cfg.batchnorm)
    flat = net.init_params(rng)
    x = rng.standard_normal((cfg.n_samples, cfg.units), dtype=np.float32)
    r = rng.standard_normal((cfg.n_samples, cfg.units), dtype=np.float32)
    with np.errstate(all="ignore"):
        fwd = net.forward(flat, x, train=True)
        _, act_grads = net.backward(flat, fwd, r)
        back = ACTIVATIONS[cfg.activation].backward
        grads = tuple(back(g, z, a) for g, z, a in zip(act_grads, fwd.pre, fwd.act, strict=True))
        finite = all(np.isfinite(a).all() for a in fwd.act + grads)
        stats = tuple(_stats(a, z, g, cfg.activation) for a, z, g in zip(fwd.act, fwd.pre, grads, strict=True)) if finite else ()
    for a in fwd.pre + fwd.act + grads:
        a.setflags(write=False)  # results may be cached and shared between sessions
    return Experiment(fwd.pre, fwd.act, grads, stats, finite)


def _stats(a: Array, z: Array, g: Array, activation: str) -> LayerStats:
    bounds = ACTIVATIONS[activation].bounds
    saturated = float("nan")
    if bounds:
        lo, hi = bounds
        saturated = float(((a <= lo + SATURATION_MARGIN) | (a >= hi - SATURATION_MARGIN)).mean())
    dead = float((a == 0).mean()) if activation == "relu" else float("nan")
    # float64 sums: float32 activations near 1e20 are finite, their squares are not
    return LayerStats(float(a.mean(dtype=np.float64)), float(a.std(dtype=np.float64)), saturated, dead,
                      float(g.std(dtype=np.float64)))


class Histograms(NamedTuple):
    edges: Array  # (bins + 1,) shared by every layer
    shares: Array  # (layers, bins): share of the layer's values in each bin


def histograms(values: tuple[Array, ...], bins: int = 40) -> Histograms:
    """Histograms of every layer over one shared range: the full range of all layers together."""
    lo = min(float(v.min()) for v in values)
    hi = max(float(v.max()) for v in values)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    # bins given as a count and a range: NumPy bins by arithmetic, a sort per layer with edges
    shares = np.stack([np.histogram(v, bins, (lo, hi))[0] / v.size for v in values])
    return Histograms(np.linspace(lo, hi, bins + 1), shares)
