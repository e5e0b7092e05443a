"""Every surface's gradient and Hessian against finite differences; known critical points."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.optim.optimizers import SGD, Momentum
from optviz.toy import curvature, surfaces
from optviz.toy.descent import BLOW_UP, diverging_at, escaped, walk

ALL = [surfaces.get(k, 7.0) for k in surfaces.SURFACE_KEYS]


def _points(s, rng, n=20):
    lo = np.array([s.xlim[0], s.ylim[0]])
    hi = np.array([s.xlim[1], s.ylim[1]])
    return lo + (hi - lo) * rng.random((n, 2))


@pytest.mark.parametrize("s", ALL, ids=lambda s: s.key)
def test_gradient_matches_central_differences(s, rng):
    h = 1e-6
    for p in _points(s, rng):
        fd = [(s.value(p + h * e) - s.value(p - h * e)) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(s.grad(p), fd, rtol=1e-6, atol=1e-5 * max(1, abs(s.value(p))) ** 0.5)


@pytest.mark.parametrize("s", ALL, ids=lambda s: s.key)
def test_hessian_matches_differences_of_the_gradient(s, rng):
    h = 1e-6
    for p in _points(s, rng):
        fd = np.stack([(s.grad(p + h * e) - s.grad(p - h * e)) / (2 * h) for e in np.eye(2)], -1)
        np.testing.assert_allclose(s.hessian(p), fd, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("s", ALL, ids=lambda s: s.key)
def test_batched_points_give_the_same_answers(s, rng):
    pts = _points(s, rng, 6).reshape(2, 3, 2)
    assert s.value(pts).shape == (2, 3) and s.grad(pts).shape == (2, 3, 2)
    assert s.hessian(pts).shape == (2, 3, 2, 2)
    np.testing.assert_allclose(s.hessian(pts)[1, 2], s.hessian(pts[1, 2]))


@pytest.mark.parametrize("s", ALL, ids=lambda s: s.key)
def test_known_critical_points_are_critical_and_correctly_labelled(s):
    assert s.critical, "every surface lists its critical points"
    for c in s.critical:
        a = curvature.analyse(s, np.array(c.xy))
        assert a.critical, (c, a.grad)
        assert a.label == c.kind, (c, a.eigenvalues)


@pytest.mark.parametrize("s", ALL, ids=lambda s: s.key)
def test_default_start_is_inside_the_window_and_not_critical(s):
    x, y = s.start
    assert s.xlim[0] <= x <= s.xlim[1] and s.ylim[0] <= y <= s.ylim[1]
    assert not curvature.analyse(s, np.array(s.start)).critical


def test_li_saddle_hessian_and_escape_as_in_the_lecture():
    a = curvature.analyse(surfaces.LI_SADDLE, np.zeros(2), escape_step=0.1)
    np.testing.assert_allclose(a.hessian, [[0, -2], [-2, 0]])
    np.testing.assert_allclose(a.eigenvalues, [-2, 2])
    u = a.escape.direction
    assert abs(abs(u @ np.array([1, 1]) / np.sqrt(2)) - 1) < 1e-12  # along (1, 1)/√2
    # f(ηu) = (1 − η²/2)²: drop 1 − (1 − 0.005)² ; Taylor predicts ½·2·η² = 0.01
    assert a.escape.predicted_drop == pytest.approx(0.01)
    assert a.escape.actual_drop == pytest.approx(1 - (1 - 0.005) ** 2)


def test_condition_number_and_stability_limit_of_the_bowl():
    a = curvature.analyse(surfaces.bowl(), np.array([1.0, 1.0]))
    assert a.condition_number == pytest.approx(20) and a.lr_limit == pytest.approx(1.0)
    assert a.label == "convex" and not a.critical
    # The limit is real: just under 2/λmax converges, just over diverges.
    assert walk(surfaces.bowl(), SGD(lr=0.99), np.array([1.0, 1.0]), 3000).diverged_at is None
    assert walk(surfaces.bowl(), SGD(lr=1.01), np.array([1.0, 1.0]), 3000).diverged_at is not None


def test_distance_to_the_valley_of_minima():
    d = surfaces.LI_SADDLE.distance_to_minimum(np.array([[0.0, 0.0], [2.0, 0.5], [1.5, 1.5]]))
    np.testing.assert_allclose(d, [np.sqrt(2), 0, np.hypot(0.5, 0.5)], atol=1e-9)


def test_himmelblau_has_four_minima_and_egg_crate_nine():
    assert len(surfaces.HIMMELBLAU.minima) == 4 and len(surfaces.EGG_CRATE.minima) == 9


def test_divergence_is_cut_at_the_first_absurd_value_with_no_warning(recwarn):
    path = walk(surfaces.bowl(), SGD(lr=1.5), np.array([-7.0, 2.0]), 1000)
    # y_k = 2·(−2)^k passes BLOW_UP at k = 19
    assert path.diverged_at == 19
    assert len(path.points) == 19 and np.isfinite(path.points).all()
    assert np.abs(path.points).max() < BLOW_UP
    assert not recwarn.list


@pytest.mark.parametrize("lr", [1.05, 1.2, 1.5, 2.0])
def test_a_loss_grown_a_million_fold_is_diverging_at_the_step_the_closed_form_gives(lr):
    """SGD on x²/20 + y² from (−7, 2): x_k = −7(1 − lr/10)^k, y_k = 2(1 − 2·lr)^k."""
    s, start = surfaces.bowl(), np.array([-7.0, 2.0])
    k = np.arange(200)
    x, y = -7 * (1 - lr / 10) ** k, 2 * (1 - 2 * lr) ** k
    f = x**2 / 20 + y**2
    (y0, y1), h = s.ylim, s.ylim[1] - s.ylim[0]
    grown, far = f - f[0] > 1e6 * f[0], (y < y0 - 10 * h) | (y > y1 + 10 * h)  # a million-fold, or 10 windows away
    expected = min(int(np.argmax(grown)), int(np.argmax(far)))
    path = walk(s, SGD(lr=lr), start, 199)
    assert diverging_at(s, path) == expected > 0


def test_a_slow_or_downhill_run_in_sight_is_not_diverging():
    s = surfaces.bowl()
    assert diverging_at(s, walk(s, SGD(lr=0.001), np.array([-7.0, 2.0]), 50)) is None  # slow, not diverging
    saddle = surfaces.get("saddle")  # f = x² − y² falls without bound while the path escapes along y
    path = walk(saddle, SGD(lr=0.05), np.array([0.0, 0.1]), 30)
    assert path.values[-1] < -1 and diverging_at(saddle, path) is None
    far = walk(saddle, SGD(lr=0.05), np.array([0.0, 0.1]), 150)  # ... until it leaves the window far behind
    assert diverging_at(saddle, far) == int(np.argmax(np.abs(far.points[:, 1]) > 2 + 10 * 4))


def test_gradient_descent_stalls_at_the_saddle_and_momentum_escapes():
    start = np.array([-1.5, 1.5001])
    gd = walk(surfaces.LI_SADDLE, SGD(lr=0.02), start, 200)
    mom = walk(surfaces.LI_SADDLE, Momentum(lr=0.02), start, 200)
    assert gd.values[-1] > 0.9  # still near f(0, 0) = 1
    assert mom.values[-1] < 1e-6  # in the valley w₁w₂ = 1
    for seed in range(10):  # noise of σ = 0.2 pushes plain SGD off the saddle, whatever the seed
        noisy = walk(surfaces.LI_SADDLE, SGD(lr=0.02), start, 200, noise=0.2, seed=seed)
        assert noisy.values[-1] < 0.1


def test_escape_prediction_is_the_second_order_taylor_change_off_critical_points():
    # On a quadratic surface the second-order Taylor expansion is exact, gradient term included.
    a = curvature.analyse(surfaces.SADDLE, np.array([0.7, -0.4]), escape_step=0.3)
    assert not a.critical and a.label == "saddle-shaped"
    assert a.escape.predicted_drop == pytest.approx(a.escape.actual_drop, rel=1e-12)
    assert a.escape.actual_drop > 0  # the chosen sense of u goes downhill


@pytest.mark.parametrize("key", surfaces.SURFACE_KEYS)
def test_newton_from_a_grid_finds_no_critical_point_the_list_misses(key):
    """Newton's method from 15 × 15 starts over the window: every critical point it converges to
    inside the window is listed (Li Hongyi's surface has a whole curve of minima, w₁w₂ = 1,
    where it must land instead)."""
    s = surfaces.get(key)
    missed = []
    for x in np.linspace(*s.xlim, 15):
        for y in np.linspace(*s.ylim, 15):
            p = np.array([x, y])
            with np.errstate(all="ignore"):
                for _ in range(60):
                    h = s.hessian(p)
                    if abs(np.linalg.det(h)) < 1e-12:
                        break
                    p = p - np.linalg.solve(h, s.grad(p))
            inside = s.xlim[0] <= p[0] <= s.xlim[1] and s.ylim[0] <= p[1] <= s.ylim[1]
            if np.isfinite(p).all() and inside and np.linalg.norm(s.grad(p)) < 1e-9:
                listed = any(np.hypot(*(p - np.array(c.xy))) < 1e-3 for c in s.critical)
                on_curve = key == "li" and abs(p[0] * p[1] - 1) < 1e-6
                if not (listed or on_curve):
                    missed.append(tuple(np.round(p, 4)))
    assert not missed, missed


def test_leaving_a_saddle_downhill_is_an_escape_and_flying_off_a_bowl_is_not():
    """x² − y² has no minimum: SGD from just off the saddle's axis slides down the y direction
    without bound and soon leaves the window; the loss there is far below the start. On the bowl a
    too-large step makes the loss grow instead."""
    saddle = surfaces.get("saddle")
    path = walk(saddle, SGD(lr=0.4), np.array([1.0, 0.01]), 100)
    k = diverging_at(saddle, path)
    assert k is not None and escaped(saddle, path, k)
    bowl = surfaces.get("bowl")
    flown = walk(bowl, SGD(lr=1.5), np.array([-7.0, 2.0]), 100)
    k = diverging_at(bowl, flown)
    assert k is not None and not escaped(bowl, flown, k)
