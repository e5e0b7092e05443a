"""Full-batch gradient descent at the edge of stability, on a subset of the digits.

Cohen et al. (2021) trained real networks with plain gradient descent on the whole (small) training
set and watched the sharpness λmax: it rises while the loss falls ("progressive sharpening") until it
reaches 2/η, the limit the two-weight lesson derives, and then hovers there while the loss goes on
falling, not monotonically. ``run`` repeats that on the digits for one learning rate; ``PRESET`` is a
set-up where it shows within a few hundred steps (three tanh layers of 32, 2,000 images).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optviz import sharpness
from optviz.data import Mnist
from optviz.mlp import MLP

Array = np.ndarray

PRESET = dict(n=2000, hidden=(32, 32, 32), activation="tanh", init="xavier", lrs=(0.1, 0.2, 0.3), iterations=300,
              every=10)


class Edge(NamedTuple):
    lr: float
    at: Array  # (m,) iterations at which λmax was measured
    loss: Array  # (iterations + 1,) full-batch training loss before each step, and after the last
    sharpness: Array  # (m,) λmax of the full-batch loss at ``at``
    products: int  # Hessian-vector products spent on the measurements

    @property
    def limit(self) -> float:
        """2/η: the sharpness gradient descent stays stable under."""
        return 2 / self.lr


def run(data: Mnist, lr: float, n: int = PRESET["n"], hidden: tuple[int, ...] = PRESET["hidden"],
        activation: str = PRESET["activation"], init: str = PRESET["init"], iterations: int = PRESET["iterations"],
        every: int = PRESET["every"], seed: int = 0) -> Edge:
    """Gradient descent at step ``lr`` on the first ``n`` training images (the whole set each step,
    float64), λmax measured every ``every`` steps by Lanczos warm-started from the last vector."""
    x, labels = np.asarray(data.x_train[:n], np.float64), data.y_train[:n]
    mlp = MLP(x.shape[1], tuple(hidden), 10, activation=activation, init=init)
    w = mlp.init_params(np.random.default_rng([seed, 0]), np.float64)
    losses, at, lam, vector, products = np.empty(iterations + 1), [], [], None, 0
    for t in range(iterations + 1):
        if t % every == 0 or t == iterations:
            top = sharpness.top_eigenvalue(mlp, w, x, labels, start=vector, iterations=20, tol=1e-3, seed=seed)
            vector, products = top.vector, products + top.products
            at.append(t)
            lam.append(top.value)
        losses[t], grad, _ = mlp.loss_and_grad(w, x, labels)
        if not np.isfinite(losses[t]):
            losses[t + 1:] = np.nan
            break
        if t < iterations:
            w = w - lr * grad
    return Edge(lr, np.array(at), losses, np.array(lam), products)


def hovering(edge: Edge, share: float = 1 / 3) -> float:
    """The median λmax over the last ``share`` of the run: where the sharpness hovers (it swings
    around 2/η from one measurement to the next)."""
    last = edge.at >= edge.at[-1] * (1 - share)
    return float(np.median(edge.sharpness[last]))
