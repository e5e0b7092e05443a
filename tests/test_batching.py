"""The batch-size lessons, checked against closed forms, finite differences and hand-run loops."""

import numpy as np
import pytest

from optviz.lessons import batching as bt
from optviz.nn import layers
from optviz.nn.mlp import MLP
from optviz.optim.registry import make_optimizer


def test_log_sizes_run_from_one_to_n():
    sizes = bt.log_sizes(60000, 12)
    assert sizes[0] == 1 and sizes[-1] == 60000 and sizes == sorted(set(sizes))
    assert all(np.diff(np.log(sizes)) < np.log(3.5))  # evenly spread on a log axis


def test_epoch_time_is_update_time_times_updates_per_epoch():
    per_update = np.array([0.001, 0.002, 0.05])
    np.testing.assert_allclose(bt.epoch_times(per_update, [1, 10, 1000], 25), [0.025, 0.002 * 3, 0.05 * 1])


def test_timing_gives_positive_repeated_measurements(toy_digits):
    x, y = toy_digits[:2]
    times = bt.time_updates(MLP(784, (20,), 10), make_optimizer("SGD", 0.1), x, y, 32, np.random.default_rng(0),
                            min_seconds=0.0, repeats=(4, 10))
    assert len(times) == 4 and (times > 0).all()


def test_gradient_variance_falls_as_one_over_b_and_matches_its_closed_form(toy_digits):
    x, y = toy_digits[:2]
    mlp = MLP(784, (30,), 10)
    params = mlp.init_params(np.random.default_rng(0))
    sizes = [1, 2, 4, 8, 16, 32, 64]
    nz = bt.gradient_noise(mlp, params, x, y, sizes, 60, np.random.default_rng(1))
    slope = bt.loglog_slope(sizes, nz.variance)
    assert -1.2 < slope < -0.8
    ref = bt.reference_variance(nz.per_example, sizes, len(x))
    assert np.all(np.abs(np.log(nz.variance / ref)) < 0.35)  # within sampling error of σ²/B·(n−B)/(n−1)
    assert np.all(np.diff(nz.cosine) > 0)  # bigger batches point closer to the full gradient
    again = bt.gradient_noise(mlp, params, x, y, sizes, 60, np.random.default_rng(1))
    assert np.array_equal(nz.variance, again.variance)  # seeded: repeats exactly


def test_reference_variance_vanishes_for_the_full_batch():
    assert bt.reference_variance(3.0, [1, 10], 10)[1] == 0
    assert bt.reference_variance(3.0, [1], 10)[0] == 3.0


def test_logistic_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    x, y = bt.two_blobs(50, rng)
    w = np.array([0.3, -0.7])
    h = 1e-6
    numeric = [(bt.logistic_loss(w + h * e, x, y) - bt.logistic_loss(w - h * e, x, y)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(bt.logistic_grad(w, x, y), numeric, rtol=1e-6)
    grid = np.stack(np.meshgrid([0.1, 0.5], [-1.0, 2.0, 3.0]), -1)  # (3, 2, 2)
    vectorised = bt.logistic_loss(grid, x, y)
    assert vectorised.shape == (3, 2)
    assert vectorised[1, 0] == pytest.approx(np.mean(np.log1p(np.exp(-y * (x @ grid[1, 0])))))


def test_full_batch_sgd_is_plain_gradient_descent_at_every_rate():
    rng = np.random.default_rng(0)
    x, y = bt.two_blobs(40, rng)
    paths = bt.sgd_paths(x, y, 40, (0.5, 2.0), 3, (1.0, 1.0), np.random.default_rng(5))
    assert paths.shape == (2, 4, 2)
    for path, lr in zip(paths, (0.5, 2.0), strict=True):
        w = np.array([1.0, 1.0])
        for k in range(3):  # by hand: w + η·mean(y·x·σ(−y·w·x))
            margin = y * (x @ w)
            w = w + lr * np.mean((y / (1 + np.exp(margin)))[:, None] * x, axis=0)
            np.testing.assert_allclose(path[k + 1], w)


def test_small_batch_sgd_takes_the_batches_in_a_fresh_order_each_epoch():
    rng = np.random.default_rng(0)
    x, y = bt.two_blobs(40, rng)
    paths = bt.sgd_paths(x, y, 4, (0.5, 0.1), 3, (1.0, 1.0), np.random.default_rng(5))
    assert paths.shape == (2, 3 * 10 + 1, 2)  # ten updates per epoch
    order, w = np.random.default_rng(5), np.array([1.0, 1.0])  # the same run by hand, at 0.1
    for epoch in range(3):
        perm = order.permutation(40)
        for i in range(10):
            idx = perm[4 * i:4 * i + 4]
            margin = y[idx] * (x[idx] @ w)
            w = w + 0.1 * np.mean((y[idx] / (1 + np.exp(margin)))[:, None] * x[idx], axis=0)
            np.testing.assert_allclose(paths[1, 10 * epoch + i + 1], w)
    shorter = bt.sgd_paths(x, y, 4, (0.5,), 2, (1.0, 1.0), np.random.default_rng(5))
    np.testing.assert_allclose(shorter[0], paths[0, :21], rtol=1e-13)  # two epochs are the first two of three


def test_the_surfaces_neighbourhood_holds_every_offered_choice():
    demo = bt.surface_experiment(0, n=150, resolution=30)  # three batches of 50 fit
    assert demo.sizes == (1, *bt.SURFACE_BATCHES, 150)
    assert demo.batches.shape == (len(bt.SURFACE_BATCHES), 3, 30, 30)
    for p, b in enumerate(demo.sizes):
        assert demo.paths[p].shape == (len(bt.SURFACE_LRS), 20 * -(-150 // b) + 1, 2)
        assert len(demo.path(p, 2, 5)) == 5 * -(-150 // b) + 1
    # a mini-batch's surface is the loss of its own examples: the lowest of them all at its minimum
    np.testing.assert_array_less(demo.batches[0, 0].min() - 1e-12, demo.full.min())
    end = demo.path(0, 3, 5)[-1]
    assert demo.final(0, 3, 5) == pytest.approx(float(np.mean(np.log1p(np.exp(-demo.y * (demo.x @ end))))))


def test_interpolation_passes_through_both_solutions_exactly(toy_digits):
    x, y = toy_digits[:2]
    mlp = MLP(784, (10,), 10)
    a = mlp.init_params(np.random.default_rng(0))
    b = mlp.init_params(np.random.default_rng(1))
    loss = lambda p: bt.mlp_loss(mlp, p, x, y)  # noqa: E731
    alphas = np.array([-0.5, 0.0, 0.5, 1.0, 1.5])
    curve = bt.interpolate(loss, a, b, alphas)
    # each point from the network's own forward pass at (1 − α)·a + α·b, not through interpolate's loss
    direct = [layers.softmax_cross_entropy(mlp.predict((1 - t) * a + t * b, x), y)[0] for t in alphas]
    np.testing.assert_allclose(curve, direct, rtol=1e-5)
    assert len(set(np.round(direct, 6))) == 5  # five different places, not one repeated


def test_filter_direction_has_each_units_weight_norm_and_no_bias(toy_digits):
    mlp = MLP(784, (16, 8), 10)
    p = mlp.init_params(np.random.default_rng(0))
    p += 0.1  # nonzero biases, so "no bias component" is not an accident
    d = bt.filter_direction(mlp, p, np.random.default_rng(3))
    for dv, pv in zip(mlp.views(d), mlp.views(p), strict=True):
        np.testing.assert_allclose(np.linalg.norm(dv.w, axis=0), np.linalg.norm(pv.w, axis=0), rtol=1e-5)
        assert not dv.b.any()


def test_basin_width_of_a_parabola():
    ts = np.linspace(-1, 1, 201)
    width = bt.basin_width(ts, 4 * ts**2, 1.0)  # 4t² ≤ 1 for |t| ≤ 0.5
    assert width == pytest.approx(1.0, abs=0.011)
    assert bt.basin_width(ts, 0.1 * ts**2, 1.0) == pytest.approx(2.0)  # never rises that much


def test_accuracy_sweep_scales_the_rate_and_trains_equal_epochs(toy_digits):
    plan = bt.accuracy_sweep([4, 16], 400, 2, 0.01, (16,), 0, toy_digits)
    assert [(r.batch, r.scaled, r.lr) for r in plan] == [(4, False, 0.01), (4, True, 0.01),
                                                         (16, False, 0.01), (16, True, 0.04)]
    assert [r.key.iterations for r in plan] == [200, 200, 50, 50]
    assert plan[0].key == plan[1].key  # at the smallest batch both rules are one run
    assert {r.key.n_train for r in plan} == {400} and {r.key.data for r in plan} == {"toy-digits"}


def steps_of(gen):
    """Every Step a generator yields, and its result."""
    steps = []
    while True:
        try:
            steps.append(next(gen))
        except StopIteration as stop:
            return steps, stop.value


def test_noise_steps_report_each_phase_in_order_and_end_with_the_noise(toy_digits):
    steps, nz = steps_of(bt.noise_steps(toy_digits, 300, True, 5, 0))
    phases = [s.phase for s in steps]
    assert phases == sorted(phases) and set(phases) == {0, 1, 2}
    assert all(0 < s.done <= s.total for s in steps)
    assert steps[-1][1:3] == (len(nz.sizes), len(nz.sizes)) and nz.sizes[0] == 1 and max(nz.sizes) < 300
    again = bt.noise_experiment(toy_digits, 300, True, 5, 0)
    assert np.array_equal(nz.variance, again.variance)
    untrained = bt.noise_experiment(toy_digits, 300, False, 5, 0)
    assert not np.array_equal(nz.variance, untrained.variance)  # one epoch of training changed the network


def test_landscape_shows_the_small_batch_side_first_and_the_line_last(toy_digits):
    steps, land = steps_of(bt.landscape_steps(toy_digits, 50, 250, 500))
    first = next(s.partial for s in steps if s.partial is not None)
    # Checked after the job ended: a partial result a page holds does not change under it.
    assert set(first.around) == {("small", "train")} and not first.line and "large" not in first.accuracy
    assert set(land.around) == {(w, s) for w in ("small", "large") for s in ("train", "test")}
    assert set(land.line) == {"train", "test"} and len(land.line["train"]) == len(land.alphas)
    assert [s.phase for s in steps] == sorted(s.phase for s in steps) and steps[-1].phase == 4
    assert first.around[("small", "train")].min() > 0
    small_train, _ = land.accuracy["small"]
    assert small_train > 0.9  # 20 epochs fit the toy digits


def test_timing_steps_measure_every_size_in_turn(toy_digits):
    steps, times = steps_of(bt.timing_steps(toy_digits, (8,), [1, 10, 100]))
    assert [len(s.partial) for s in steps] == [1, 2, 3] and len(times) == 3
    assert all(len(t) >= 3 and (t > 0).all() for t in times)
