"""The edge of stability on the digits: with full-batch gradient descent the sharpness rises to 2/η
and hovers there while the loss keeps falling (Cohen et al. 2021), on the tests' own digits."""

from __future__ import annotations

import numpy as np
import pytest

from optviz import data, edge


@pytest.fixture(scope="module")
def digits():
    return data.load()


@pytest.mark.parametrize("lr", [0.2, 0.3])
def test_the_sharpness_rises_to_two_over_eta_and_hovers_there(digits, lr):
    run = edge.run(digits, lr)
    assert run.limit == pytest.approx(2 / lr)
    assert edge.hovering(run) == pytest.approx(run.limit, rel=0.2)  # within 20 % of 2/η
    assert edge.hovering(run) > 1.2 * run.sharpness[0]  # it rose to get there
    assert run.loss[-1] < 0.5 * run.loss[0]  # the loss kept falling meanwhile ...
    assert np.any(np.diff(run.loss) > 0)  # ... though not at every step


def test_below_the_edge_the_sharpness_never_reaches_it(digits):
    run = edge.run(digits, 0.05, iterations=150)
    assert run.sharpness.max() < 0.8 * run.limit and np.all(np.diff(run.loss) < 0)
