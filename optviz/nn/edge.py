"""Full-batch gradient descent at the edge of stability, on a subset of the digits.

Cohen et al. (2021) trained real networks with plain gradient descent on the whole (small) training
set and watched the sharpness λmax: it rises while the loss falls ("progressive sharpening") until it
reaches 2/η, the limit the two-weight lesson derives, and then hovers there while the loss goes on
falling, not monotonically. ``measure`` repeats that on the digits for one learning rate; ``PRESET`` is a
set-up where it shows within a few hundred steps (three tanh layers of 32, 2,000 images).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import NamedTuple

import numpy as np

from optviz.jobs import Step
from optviz.nn import landscape, sharpness
from optviz.nn.dataset import Mnist
from optviz.nn.mlp import MLP

Array = np.ndarray

PRESET = dict(n=2000, hidden=(32, 32, 32), activation="tanh", init="xavier", lrs=(0.1, 0.2, 0.3), iterations=300,
              every=20)
TOL = 1e-2  # λmax to within 1 %, a plot's precision: measured every 20 steps it costs a fifth of the training


class Edge(NamedTuple):
    lr: float
    at: Array  # (m,) iterations at which λmax was measured
    loss: Array  # (iterations + 1,) full-batch training loss before each step, and after the last
    sharpness: Array  # (m,) λmax of the full-batch loss at ``at``
    products: int  # Hessian-vector products spent on the measurements
    weights: Array  # (m, P) float32 snapshots at ``at``: the path whose plane ``optviz.nn.landscape`` draws

    @property
    def limit(self) -> float:
        """2/η: the sharpness gradient descent stays stable under."""
        return 2 / self.lr


def _descend(data: Mnist, lr: float, n: int, hidden: tuple[int, ...], activation: str, init: str, iterations: int,
             every: int, seed: int) -> Generator[Edge, None, Edge]:
    """The run of ``measure``, yielding what it has measured so far after each measurement."""
    x, labels = np.asarray(data.x_train[:n], np.float64), data.y_train[:n]
    mlp = MLP(x.shape[1], tuple(hidden), 10, activation=activation, init=init)
    w = mlp.init_params(np.random.default_rng([seed, 0]), np.float64)
    losses, at, lam, vector, products, kept = np.full(iterations + 1, np.nan), [], [], None, 0, []
    for t in range(iterations + 1):
        losses[t], grad, _ = mlp.loss_and_grad(w, x, labels)
        if not np.isfinite(losses[t]):
            break
        if t % every == 0 or t == iterations:
            top = sharpness.top_eigenvalue(mlp, w, x, labels, start=vector, iterations=20, tol=TOL, seed=seed)
            vector, products = top.vector, products + top.products
            at.append(t)
            lam.append(top.value)
            kept.append(w.astype(np.float32))
            if t < iterations:
                yield Edge(lr, np.array(at), losses[:t + 1].copy(), np.array(lam), products, np.array(kept))
        w = w - lr * grad
    return Edge(lr, np.array(at), losses, np.array(lam), products, np.array(kept))


def measure(data: Mnist, lr: float, n: int = PRESET["n"], hidden: tuple[int, ...] = PRESET["hidden"],
        activation: str = PRESET["activation"], init: str = PRESET["init"], iterations: int = PRESET["iterations"],
        every: int = PRESET["every"], seed: int = 0) -> Edge:
    """Gradient descent at step ``lr`` on the first ``n`` training images (the whole set each step,
    float64), λmax measured every ``every`` steps by Lanczos warm-started from the last vector."""
    walk = _descend(data, lr, n, hidden, activation, init, iterations, every, seed)
    while True:
        try:
            next(walk)
        except StopIteration as end:
            return end.value


def steps(data: Mnist, lrs: tuple[float, ...] = PRESET["lrs"], iterations: int = PRESET["iterations"],
          seed: int = 0) -> Generator[Step, None, list[Edge]]:
    """``measure`` at each of ``lrs`` (the preset's set-up) as a job's pieces: phase k is learning rate
    k, its units iterations; the partial result is every run so far, the current one as measured."""
    done: list[Edge] = []
    for k, lr in enumerate(lrs):
        walk = _descend(data, lr, PRESET["n"], PRESET["hidden"], PRESET["activation"], PRESET["init"], iterations,
                        PRESET["every"], seed)
        while True:
            try:
                partial = next(walk)
            except StopIteration as end:
                done.append(end.value)
                break
            yield Step(k, int(partial.at[-1]), iterations, [*done, partial])
        yield Step(k, iterations, iterations, list(done))
    return done


def working_bytes(data: Mnist) -> int:
    """What a run holds while it trains: its images in float64 and a few weight-sized vectors."""
    size = MLP(data.x_train.shape[1], PRESET["hidden"], 10).size
    return PRESET["n"] * data.x_train.shape[1] * 8 + 40 * size * 8


def plane(data: Mnist, run: Edge, n: int = 15) -> tuple[landscape.Plane, Array, Array, Array]:
    """The loss of ``run``'s network on the plane of its own path (the preset's set-up and images):
    (plane, xs (n,), ys (n,), losses (n, n), row = y). About 2 s for 15 × 15 here."""
    x, labels = np.asarray(data.x_train[:PRESET["n"]], np.float64), data.y_train[:PRESET["n"]]
    mlp = MLP(x.shape[1], PRESET["hidden"], 10, activation=PRESET["activation"], init=PRESET["init"])
    flat = landscape.pca_plane(run.weights.astype(np.float64), run.weights[-1])
    return flat, *landscape.grid(flat, landscape.loss_of(mlp, x, labels), n)
