"""The gradient check passes on every layer type of the networks the page builds, and catches a
backward pass that is slightly wrong."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.nn import layers
from optviz.nn.gradcheck import gradient_check
from optviz.nn.mlp import MLP


def batch(rng, n=16):
    return rng.normal(size=(n, 12)), rng.integers(0, 10, n)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "leaky_relu", "linear"])
@pytest.mark.parametrize("batchnorm, dropout", [(False, 0.0), (True, 0.0), (False, 0.3), (True, 0.3)])
def test_backprop_agrees_with_central_differences_everywhere(activation, batchnorm, dropout, rng):
    mlp = MLP(12, (9, 7), 10, activation, "xavier", batchnorm, dropout)
    x, y = batch(rng)
    checks = gradient_check(mlp, mlp.init_params(rng, np.float64), x, y, per_part=4)
    parts = {(c.layer, c.part) for c in checks}
    assert {(1, "w"), (1, "b"), (3, "w"), (3, "b")} <= parts
    assert ((1, "gamma") in parts) == batchnorm and ((2, "beta") in parts) == batchnorm
    assert max(c.error for c in checks) < 1e-6, [(c.layer, c.part, c.error) for c in checks]


def test_a_slightly_wrong_backward_pass_is_caught(rng, monkeypatch):
    mlp = MLP(12, (9,), 10, "tanh", "xavier")
    x, y = batch(rng)
    params = mlp.init_params(rng, np.float64)
    right = layers.affine_backward

    def off_by_one_percent(dout, x, w, need_dx=True, dw=None, db=None):
        out = right(dout, x, w, need_dx, dw, db)
        dw *= 1.01
        return out

    monkeypatch.setattr(layers, "affine_backward", off_by_one_percent)
    checks = gradient_check(mlp, params, x, y)
    assert all(c.error > 1e-3 for c in checks if c.part == "w")
    assert all(c.error < 1e-6 for c in checks if c.part == "b")
