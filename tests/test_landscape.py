"""The plane of a run's own path: its directions against numpy's SVD of the centred snapshots, the
path's last point at the origin, and the loss at the origin equal to the run's final loss."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.nn import edge, landscape, layers
from optviz.nn.mlp import MLP


def test_the_plane_is_the_snapshots_two_principal_directions():
    rng = np.random.default_rng(0)
    final = rng.standard_normal(300)
    walk = final + np.cumsum(rng.standard_normal((25, 300)) * np.linspace(3, 0.1, 300), axis=0)[::-1]
    snapshots = np.vstack([walk, final])
    plane = landscape.pca_plane(snapshots, final)
    _, s, vt = np.linalg.svd(snapshots - final, full_matrices=False)
    for k in range(2):
        assert abs(plane.directions[k] @ vt[k]) == pytest.approx(1.0, abs=1e-9)  # the same line, either sign
    assert plane.directions @ plane.directions.T == pytest.approx(np.eye(2), abs=1e-9)
    assert plane.explained == pytest.approx(s[:2] ** 2 / np.sum(s**2))
    assert plane.path[-1] == pytest.approx([0.0, 0.0], abs=1e-9) and np.all(plane.path[0] > 0)
    assert plane.path == pytest.approx((snapshots - final) @ plane.directions.T)


def test_the_loss_at_the_origin_is_the_runs_final_loss(toy_digits):
    run = edge.measure(toy_digits, 0.2, n=500, hidden=(16,), iterations=60, every=30)
    mlp = MLP(toy_digits.x_train.shape[1], (16,), 10, activation="tanh", init="xavier")
    x, y = np.asarray(toy_digits.x_train[:500], np.float64), toy_digits.y_train[:500]
    loss = lambda w: layers.softmax_cross_entropy(mlp.forward(w, x, True).out, y)[0]  # noqa: E731
    plane = landscape.pca_plane(run.weights.astype(np.float64), run.weights[-1])
    assert run.at[-1] == 60 and plane.path[-1] == pytest.approx([0, 0], abs=1e-9)
    assert loss(plane.origin) == pytest.approx(run.loss[-1], rel=1e-5)  # float32 snapshots of float64 weights
    xs, ys, z = landscape.grid(plane, loss, n=5)
    assert xs[0] < plane.path[:, 0].min() and xs[-1] > plane.path[:, 0].max()  # the grid covers the path
    assert ys[0] < plane.path[:, 1].min() and ys[-1] > plane.path[:, 1].max()
    assert z.shape == (5, 5) and np.isfinite(z).all()
