"""Predicted convergence rates against runs of the optimizers themselves on the bowls."""

from __future__ import annotations

import math

import numpy as np
import pytest
from apptest import markdown_tables, open_page

from optviz.optim.optimizers import SGD
from optviz.optim.registry import LR_VALUES, make_optimizer
from optviz.toy import descent, rates, surfaces

KAPPAS = (2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)


def eigenvalues(kappa: float) -> np.ndarray:
    return np.linalg.eigvalsh(surfaces.bowl(kappa).hessian(np.zeros(2)))


def run_rate(kappa: float, name: str, predicted: float, **knobs: float) -> float:
    """The rate a run of ``name`` achieves from (−9, 3), long enough to shrink the distance by 1e-150
    (at most 5,000 steps)."""
    s = surfaces.bowl(kappa)
    steps = int(min(5000, max(60, math.ceil(math.log(1e-150) / math.log(predicted)))))
    path = descent.walk(s, make_optimizer(name, **knobs), np.array([-9.0, 3.0]), steps)
    return rates.observed_rate(s.distance_to_minimum(path.points))


@pytest.mark.parametrize("kappa", KAPPAS)
def test_gradient_descent_at_its_best_step_converges_at_kappa_minus_one_over_kappa_plus_one(kappa):
    best = rates.best_gd(eigenvalues(kappa))
    assert math.isclose(best.rate, (kappa - 1) / (kappa + 1))
    assert abs(run_rate(kappa, "SGD", best.rate, lr=best.lr) / best.rate - 1) < 0.02


@pytest.mark.parametrize("kappa", KAPPAS)
def test_heavy_ball_at_its_best_settings_converges_at_root_kappa_minus_one_over_root_kappa_plus_one(kappa):
    best = rates.best_heavy_ball(eigenvalues(kappa))
    root = math.sqrt(kappa)
    assert math.isclose(best.rate, (root - 1) / (root + 1))
    assert math.isclose(rates.heavy_ball_rate(best.lr, best.momentum, eigenvalues(kappa)), best.rate, rel_tol=1e-6)
    assert abs(run_rate(kappa, "Momentum", best.rate, lr=best.lr, momentum=best.momentum) / best.rate - 1) < 0.05


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_the_stable_limit_separates_converging_from_diverging_runs(momentum):
    s, lam = surfaces.bowl(20.0), eigenvalues(20.0)
    limit = rates.gd_limit(lam, momentum)
    assert math.isclose(limit, 2 * (1 + momentum) / 2.0)
    for factor, converges in ((0.97, True), (1.03, False)):
        knobs = {"momentum": momentum} if momentum else {}
        name = "Momentum" if momentum else "SGD"
        path = descent.walk(s, make_optimizer(name, factor * limit, **knobs), np.array([-9.0, 3.0]), 2000)
        d = s.distance_to_minimum(path.points)
        assert (d[-1] < d[0]) == converges, (factor, d[-1])
        rate = rates.predicted(name, {"lr": factor * limit, **knobs}, lam)[0]
        assert (rate < 1) == converges


def test_a_geometric_sequence_gives_its_ratio_and_a_short_one_none():
    assert math.isclose(rates.observed_rate(3 * 0.8 ** np.arange(200)), 0.8)
    assert math.isnan(rates.observed_rate(np.array([1.0, 0.5, 0.25])))
    assert rates.predicted("Adam", {"lr": 0.1}, eigenvalues(20.0)) is None


def test_the_nearest_slider_value_is_nearest_on_a_log_scale():
    assert rates.nearest(0.9524, LR_VALUES) == 0.95
    assert rates.nearest(1.336, LR_VALUES) == 1.2
    assert rates.nearest(0.4026, (0.0, 0.5, 0.8, 0.9)) == 0.5


def test_the_page_tables_the_rates_on_the_bowls_and_sets_the_best_settings():
    at = open_page("trajectories")
    _, *rows = markdown_tables(at)[-1]
    sgd = next(r for r in rows if r[0] == "SGD")
    assert abs(float(sgd[3]) - rates.gd_rate(0.95, eigenvalues(20.0))) < 1e-4
    assert rows[-2][3] == f"{19 / 21:.4f}"  # gradient descent's best on κ = 20
    at.button(key="traj_use_best").click().run()
    assert (at.session_state["traj_lr_SGD"], at.session_state["traj_lr_Momentum"],
            at.session_state["traj_momentum_Momentum"]) == (0.95, 1.2, 0.5)
    saddle = open_page("trajectories", traj_surface="saddle")
    assert not any(b.key == "traj_use_best" for b in saddle.button)


def test_sgds_stable_limit_and_best_step_are_the_closed_forms():
    """The rates table's "stable up to" column: 2/λmax for SGD (no momentum), 2(1 + μ)/λmax for
    heavy-ball momentum; gradient descent's best setting has no momentum."""
    lam = eigenvalues(20.0)  # 0.1 and 2: the bowl x²/20 + y²
    assert rates.predicted("SGD", {"lr": 0.5}, lam) == (pytest.approx(0.95), pytest.approx(1.0))  # max |1 − ηλ|
    assert rates.predicted("Momentum", {"lr": 0.5, "momentum": 0.9}, lam)[1] == pytest.approx(1.9)
    assert rates.best_gd(lam) == (pytest.approx(2 / 2.1), 0.0, pytest.approx(19 / 21))


def test_the_observed_rate_reads_the_second_half_of_the_steps_above_the_floor():
    """Only the second half of the usable steps counts (a fast start, then 0.9 per step: 0.9); steps
    at or below ``floor`` × the first are not usable (a flat tail is ignored); eight usable steps
    give a rate, seven do not; a path that starts small still has its rate."""
    fast_then_slow = np.r_[0.5 ** np.arange(10), 0.5**9 * 0.9 ** np.arange(1, 11)]
    assert math.isclose(rates.observed_rate(fast_then_slow), 0.9)
    falling = 100 * 0.8 ** np.arange(60)  # down to 2e-4, then flat at 1e-4 for 100 steps
    assert math.isclose(rates.observed_rate(np.r_[falling, np.full(100, 1e-4)], floor=1e-5), 0.8)
    assert math.isclose(rates.observed_rate(0.7 ** np.arange(8)), 0.7)
    assert math.isnan(rates.observed_rate(0.7 ** np.arange(7)))
    assert math.isclose(rates.observed_rate(0.5 * 0.6 ** np.arange(50)), 0.6)
    assert math.isnan(rates.observed_rate(np.zeros(50)))  # started at the minimum: no rate


def test_a_zero_setting_is_its_own_nearest_value():
    assert rates.nearest(0.0, (0.0, 0.5, 0.8)) == 0.0 and rates.nearest(0.0, (0.5, 0.8)) == 0.5


def test_the_limit_follows_the_scheduled_rate_and_is_infinite_at_zero():
    halving = lambda t: [1.0, 0.5, 0.0][t]  # noqa: E731
    np.testing.assert_array_equal(rates.gd_limits(0.5, halving, 3), [4.0, 8.0, np.inf])


def test_the_best_settings_are_the_optima_as_each_optimizers_knobs():
    lam = np.array([0.1, 2.0])
    best = rates.best_settings(lam)
    assert list(best) == ["SGD", "Momentum"]
    (gd, gd_knobs), (hb, hb_knobs) = best["SGD"], best["Momentum"]
    assert gd_knobs == {"lr": pytest.approx(2 / 2.1)} and gd.rate == pytest.approx(rates.gd_rate(gd.lr, lam))
    assert hb_knobs == {"lr": hb.lr, "momentum": hb.momentum}
    assert hb.rate == pytest.approx(rates.heavy_ball_rate(hb.lr, hb.momentum, lam), rel=1e-6)


@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False), (0.5, True), (0.9, True)])
def test_the_stability_limit_is_where_the_optimizer_stops_converging_on_a_parabola(momentum, nesterov):
    lr = 0.1
    limit = rates.stability_limit(lr, momentum, nesterov)

    def final_distance(lam: float) -> float:  # PyTorch's SGD on f(w) = λw²/2 from w = 1, for 3,000 steps
        opt = SGD(lr=lr, momentum=momentum, nesterov=nesterov)
        w = np.array([1.0])
        state = opt.init(w)
        for _ in range(3000):
            w, state = opt.step(w, lam * w, state)
        return float(abs(w[0]))

    assert final_distance(limit * 0.99) < 1e-3 and final_distance(limit * 1.01) > 1e3


def test_the_stability_limit_defaults_to_plain_sgd_and_is_unbounded_without_a_step():
    assert rates.stability_limit(0.1) == pytest.approx(20.0)  # no momentum, no Nesterov: 2/η
    assert rates.stability_limit(0.0, 0.9) == math.inf  # a schedule's end: any sharpness is stable

