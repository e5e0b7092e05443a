"""The sharpness of a network's loss: Hessian-vector products against a Hessian built from the loss
alone (second differences, no gradient code), and the Lanczos estimate of λmax against numpy's
eigvalsh of that Hessian."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.nn import layers, sharpness
from optviz.nn.mlp import MLP

SETUPS = [dict(activation="tanh"), dict(activation="sigmoid", batchnorm=True), dict(activation="relu", batchnorm=True),
          dict(activation="relu", dropout=0.5)]


KINK = 1e-2  # a ReLU's inputs stay this far from 0: finite differences of a kink say nothing


def small(setup: dict):
    """A 5-4-3 network (every layer type: affine, the activation, batch norm when asked, softmax
    cross-entropy), its float64 weights and a batch of 12 labelled inputs: the first seed whose
    pre-activations all stay KINK away from 0."""
    mlp = MLP(5, (4,), 3, init="xavier", **setup)
    for seed in range(100):
        rng = np.random.default_rng(seed)
        params = mlp.init_params(rng, np.float64)
        params += 0.1 * rng.standard_normal(params.shape)  # batch norm's γ and β off their 1 and 0
        x, y = rng.standard_normal((12, 5)), rng.integers(0, 3, 12)
        if np.abs(sharpness.probe_net(mlp).forward(params, x, True).pre[0]).min() > KINK:
            return mlp, params, x, y
    raise AssertionError("no seed keeps the kinks away")


def loss(mlp: MLP, params, x, y) -> float:
    net = sharpness.probe_net(mlp)
    return layers.softmax_cross_entropy(net.forward(params, x, True).out, y)[0]


def hessian_from_the_loss(mlp: MLP, params, x, y, h: float = 1e-3) -> np.ndarray:
    """∂²L/∂wᵢ∂wⱼ by central second differences of the loss itself."""
    n = len(params)
    e = np.eye(n) * h
    f = lambda d: loss(mlp, params + d, x, y)  # noqa: E731
    hess = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            hess[i, j] = hess[j, i] = (f(e[i] + e[j]) - f(e[i] - e[j]) - f(e[j] - e[i]) + f(-e[i] - e[j])) / (4 * h * h)
    return hess


@pytest.mark.parametrize("setup", SETUPS)
def test_hessian_vector_products_match_the_hessian_of_the_loss(setup):
    mlp, params, x, y = small(setup)
    hess = hessian_from_the_loss(mlp, params, x, y)
    for v in np.random.default_rng(1).standard_normal((3, mlp.size)):
        exact = hess @ v
        assert np.linalg.norm(sharpness.hvp(mlp, params, x, y, v) - exact) <= 1e-4 * np.linalg.norm(exact)


@pytest.mark.parametrize("setup", SETUPS)
def test_lanczos_finds_the_largest_eigenvalue_even_below_a_larger_negative_one(setup):
    mlp, params, x, y = small(setup)
    hess = hessian_from_the_loss(mlp, params, x, y)
    eigenvalues = np.linalg.eigvalsh(hess)
    top = sharpness.top_eigenvalue(mlp, params, x, y, iterations=mlp.size, tol=1e-9)
    assert top.value == pytest.approx(eigenvalues[-1], rel=1e-4)
    assert np.linalg.norm(top.vector) == pytest.approx(1.0)
    assert np.linalg.norm(hess @ top.vector - top.value * top.vector) <= 1e-3 * abs(top.value)  # its eigenvector


def test_a_warm_start_from_the_last_vector_needs_few_products():
    mlp, params, x, y = small(SETUPS[0])
    cold = sharpness.top_eigenvalue(mlp, params, x, y, iterations=mlp.size, tol=1e-8)
    moved = params + 1e-3 * np.random.default_rng(2).standard_normal(params.shape)  # one small training step away
    warm = sharpness.top_eigenvalue(mlp, moved, x, y, start=cold.vector, iterations=mlp.size, tol=1e-8)
    again = sharpness.top_eigenvalue(mlp, moved, x, y, iterations=mlp.size, tol=1e-8)
    assert warm.value == pytest.approx(again.value, rel=1e-5)
    assert warm.products < again.products / 2
