"""The book's gradient check (chapter 5): backpropagation against central differences on a few
parameters of every part of every layer, in float64, with the relative error of each part."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optviz.nn import layers
from optviz.nn.mlp import MLP

Array = np.ndarray

STEP = 1e-5  # central-difference step, float64: rounding about 1e-11, truncation about 1e-10
FLOOR = 1e-4  # gradients smaller than this are compared against it: a bias before batch norm has 0


class Check(NamedTuple):
    layer: int  # 1-based
    part: str  # "w", "b", "gamma" or "beta"
    backprop: Array  # (k,) the gradient backpropagation gives at the checked entries
    numerical: Array  # (k,) (L(θ + h) − L(θ − h)) / 2h at the same entries
    error: float  # max |backprop − numerical| / max(|backprop| + |numerical|, FLOOR)


def gradient_check(mlp: MLP, flat: Array, x: Array, labels: Array, per_part: int = 3, seed: int = 0) -> list[Check]:
    """Check ``per_part`` random entries of each layer's weights, biases and batch-norm scale and
    shift. ``flat`` is copied to float64; dropout draws the same mask at every evaluation."""
    params = np.asarray(flat, np.float64).copy()
    x = np.asarray(x, np.float64)

    def loss(p: Array) -> float:
        out = mlp.forward(p, x, True, np.random.default_rng(seed)).out
        return layers.softmax_cross_entropy(out, labels)[0]

    _, grad, _ = mlp.loss_and_grad(params, x, labels, np.random.default_rng(seed))
    rng = np.random.default_rng(seed + 1)
    index = np.arange(len(params))
    checks = []
    for i, view in enumerate(mlp.views(index)):
        for part in ("w", "b", "gamma", "beta"):
            entries = getattr(view, part)
            if entries is None:
                continue
            picked = rng.choice(entries.ravel(), min(per_part, entries.size), replace=False)
            numerical = []
            for j in picked:
                saved = params[j]
                params[j] = saved + STEP
                up = loss(params)
                params[j] = saved - STEP
                down = loss(params)
                params[j] = saved
                numerical.append((up - down) / (2 * STEP))
            numerical = np.array(numerical)
            back = grad[picked]
            error = float(np.max(np.abs(back - numerical) / np.maximum(np.abs(back) + np.abs(numerical), FLOOR)))
            checks.append(Check(i + 1, part, back, numerical, error))
    return checks
