"""The Hessian analysis a student reads on the Curvature tab, against numbers worked out by hand on
quadratics (where the second-order picture is exact)."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.toy import curvature, surfaces
from optviz.toy.own_surface import own_surface


@pytest.mark.parametrize("eigenvalues, critical, label", [
    ((1e-7, 100.0), True, "degenerate"),  # 1e-7 is within 1e-8 of the largest, 100: zero
    ((1e-7, 1.0), True, "minimum"),  # ... but not of 1
    ((-2.0, 0.5), True, "saddle"), ((-2.0, 0.5), False, "saddle-shaped"),
    ((-2.0, -0.5), True, "maximum"), ((0.1, 0.5), False, "convex"),
])
def test_labels_follow_the_eigenvalues_signs_with_a_relative_zero(eigenvalues, critical, label):
    assert curvature.classify(np.array(eigenvalues), critical) == label


def test_a_saddle_has_a_stability_limit_and_an_escape_along_its_negative_direction():
    """x² − y² at (0.7, 0.4): H = diag(2, −2), so gradient descent is stable for η < 2/2 = 1 along
    x; the escape follows −2's eigenvector (0, ±1), downhill: g = (1.4, −0.8), so u = (0, 1); with
    the default η = 0.5 the drop is −(η·g·u + ½λη²) = 0.4 + 0.25 = 0.65, exact on a quadratic."""
    a = curvature.analyse(surfaces.SADDLE, np.array([0.7, 0.4]))
    assert a.lr_limit == pytest.approx(1.0) and a.condition_number == pytest.approx(1.0)
    e = a.escape
    assert e.eigenvalue == pytest.approx(-2.0) and e.step == 0.5
    np.testing.assert_allclose(e.direction, [0.0, 1.0], atol=1e-12)
    assert e.predicted_drop == pytest.approx(0.65) and e.actual_drop == pytest.approx(0.65)
    low = curvature.analyse(surfaces.SADDLE, np.array([0.7, -0.4]))  # the other side: u = (0, −1)
    np.testing.assert_allclose(low.escape.direction, [0.0, -1.0], atol=1e-12)


def test_a_gentle_bowl_has_no_escape_and_a_limit_past_one():
    """x²/4 + y²/4: H = diag(0.5, 0.5), stable for η < 2/0.5 = 4; every eigenvalue positive, nothing
    to escape; x²/20 + y² at (1, 1): λ = 0.1 and 2, κ = 20, η < 1."""
    a = curvature.analyse(own_surface("x**2/4 + y**2/4"), np.array([1.0, -1.0]))
    assert a.lr_limit == pytest.approx(4.0) and a.escape is None and a.label == "convex"
    b = curvature.analyse(surfaces.bowl(), np.array([1.0, 1.0]))
    assert b.escape is None and b.lr_limit == pytest.approx(1.0)


def test_critical_means_a_small_gradient_relative_to_the_value():
    """1000 + x² at x = 1e-4: the gradient 2e-4 is under 1e-6 × |f| = 1e-3, so the point counts as
    critical (a minimum); at x = 0.01 it does not."""
    s = own_surface("1000 + x**2 + y**2")
    assert curvature.analyse(s, np.array([1e-4, 0.0])).label == "minimum"
    assert curvature.analyse(s, np.array([1e-2, 0.0])).label == "convex"


def test_sharpness_is_the_largest_eigenvalue_of_the_hessian_written_by_hand():
    """(1 − xy)²: H = [[2y², 4xy − 2], [4xy − 2, 2x²]]; x²/20 + y²: λmax = 2 everywhere."""
    points = np.random.default_rng(0).uniform(-2, 2, (50, 2))
    x, y = points.T
    h = np.stack([np.stack([2 * y**2, 4 * x * y - 2], -1), np.stack([4 * x * y - 2, 2 * x**2], -1)], -2)
    np.testing.assert_allclose(curvature.sharpness(surfaces.LI_SADDLE, points), np.linalg.eigvalsh(h)[:, 1], rtol=1e-12)
    np.testing.assert_allclose(curvature.sharpness(surfaces.bowl(), points), 2.0)
    worst = curvature.sharpness(surfaces.LI_SADDLE, np.array([[1.0, 1.0]]))[0]  # H = [[2, 2], [2, 2]]: 4
    assert worst == pytest.approx(4.0)


def test_a_flat_direction_is_not_a_way_out():
    """x² alone: H = diag(2, 0) everywhere. The zero eigenvalue is a flat valley floor, not a
    descent direction, so no escape is offered; κ = 2/0 is infinite and η < 2/2 = 1 stays stable."""
    s = own_surface("x**2")
    for point, label in (((0.0, 0.5), "degenerate"), ((1.0, 0.5), "flat direction")):
        a = curvature.analyse(s, np.array(point))
        assert a.label == label and a.escape is None
        assert a.condition_number == np.inf and a.lr_limit == pytest.approx(1.0)
