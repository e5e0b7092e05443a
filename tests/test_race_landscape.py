"""A race network's own path and sharpness: the plane of its kept weights, its λmax on the probe
as it trains against its optimizer's stability limit (checked in tests/test_rates.py), and what the
page says of it."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.nn import inside, landscape, layers, sharpness, train
from optviz.nn.train import NetConfig, RaceConfig


def trained(net: NetConfig, data, iterations: int = 60, track: bool = False, **kw) -> train.Run:
    key = RaceConfig((net,), hidden=(12,), batch=50, iterations=iterations, evals=2, **kw).keys(data)[0]
    run = train.Run(key, data)
    if track:
        run.track_sharpness()
    while not run.done:
        run.advance(10.0)
    return run


def test_a_path_keeps_evenly_spaced_snapshots_in_bounded_memory(rng):
    start = rng.standard_normal(1000).astype(np.float32)
    path = landscape.Path(start)
    for t in range(100):
        path.offer(t, start + 0.01 * t)
    assert len(path.t) <= landscape.KEEP and path.t[0] == 0
    assert len(set(np.diff(path.t))) == 1  # evenly spaced
    assert path.nbytes == start.nbytes + len(path.t) * 1000 * 2  # float16 displacements
    np.testing.assert_allclose(path.weights()[-1], start + 0.01 * path.t[-1], atol=1e-4)
    fresh = landscape.Path(start)
    fresh.offer(0, start)
    fresh.offer(1, np.full(1000, 1e6, np.float32))  # beyond float16's range (a diverging run): not kept
    assert fresh.t == [0]


def test_the_plane_of_a_race_network_ends_at_its_final_weights_with_its_final_loss(toy_digits):
    run = trained(NetConfig("SGD", 0.1, batchnorm=True), toy_digits, iterations=120)
    flat, xs, ys, losses = run.plane(n=7)
    assert flat.path[-1] == pytest.approx([0, 0], abs=1e-9)
    assert np.all(flat.path[0] > 0) and 0 < flat.explained.sum() <= 1
    idx = run.train_idx[:landscape.images_for(run.mlp.size, 7)]  # the subset's first images, independently
    x, y = toy_digits.x_train[idx].astype(np.float32), toy_digits.y_train[idx]
    final_loss = layers.softmax_cross_entropy(run.mlp.forward(run.params, x, True).out, y)[0]
    assert landscape.loss_of(run.mlp, x, y)(flat.origin) == pytest.approx(final_loss, rel=1e-6)
    assert np.isfinite(losses).all() and losses.min() < losses.max()
    start = run.path.weights()[0]  # iteration 0: the network's initial weights, to float16's precision
    init = run.mlp.init_params(np.random.default_rng([run.key.seed, 0]), np.float32)
    np.testing.assert_allclose(start, init, atol=1e-6)


def test_a_paused_run_draws_the_plane_of_its_path_so_far(toy_digits):
    key = RaceConfig((NetConfig("Adam", 0.003),), hidden=(12,), batch=50, iterations=200, evals=2).keys(toy_digits)[0]
    run = train.Run(key, toy_digits)
    while run.t < 100:
        run.advance(0.0)
    flat, _, _, _ = run.plane(n=3)
    assert not run.done and np.array_equal(flat.origin, run.params.astype(np.float64))
    assert len(flat.path) == len(run.path.t) + 1


def test_a_finished_run_folds_its_path_into_the_same_plane_in_less_memory(toy_digits):
    """Compacting keeps the plane a page draws (directions to float32's precision, the same grid of
    losses) in 8 bytes a weight, where the path held 4 and 2 more a snapshot; a diverged run, whose
    plane is never drawn, keeps none."""
    run = trained(NetConfig("SGD", 0.1), toy_digits, iterations=120)
    before, xs, ys, losses = run.plane(n=5)
    held = run.path.nbytes
    run.compact()
    after, xs2, ys2, losses2 = run.plane(n=5)
    assert run.path.nbytes <= 8 * run.mlp.size + 200 < held
    np.testing.assert_array_equal(after.path, before.path)
    np.testing.assert_allclose(after.directions, before.directions, atol=1e-6)
    np.testing.assert_array_equal(xs2, xs)
    np.testing.assert_allclose(losses2, losses, rtol=1e-5)
    run.compact()  # again: nothing more to fold
    np.testing.assert_array_equal(run.plane(n=5)[3], losses2)
    diverged = trained(NetConfig("SGD", 1e3), toy_digits)
    diverged.compact()
    assert diverged.diverged_at is not None and diverged.path.nbytes == 0


def test_the_memory_a_run_reports_counts_its_path_and_its_sharpness(toy_digits):
    """What the store's budget sees: a tracked run holds its measurements more than the same run
    untracked, and emptying its path takes exactly the path's bytes off."""
    plain, tracked = (trained(NetConfig("SGD", 0.1), toy_digits, track=track) for track in (False, True))
    assert tracked.nbytes - plain.nbytes == tracked.tracker.nbytes > 0
    held, path = plain.nbytes, plain.path.nbytes
    plain.path = landscape.Path(np.zeros(0, np.float32))
    assert held - plain.nbytes == path > 0


def test_tracking_the_sharpness_changes_no_number_of_the_training(toy_digits):
    net = NetConfig("Momentum", 0.05)
    plain, tracked = trained(net, toy_digits, 1000), trained(net, toy_digits, 1000, track=True)
    assert np.array_equal(plain.losses, tracked.losses) and plain.final == tracked.final
    assert plain.tracker is None and len(tracked.tracker.at) >= 2


def test_the_tracked_sharpness_is_the_probes_top_hessian_eigenvalue(toy_digits):
    """At iteration 0 the weights are the seed's initial ones: λmax of the probe's loss there, run
    to convergence (Lanczos and its products are checked against numpy's eigvalsh of an explicit
    Hessian in tests/test_sharpness.py), is what the tracker drew, to its 1 %."""
    run = trained(NetConfig("SGD", 0.1), toy_digits, iterations=40, track=True)
    assert run.tracker.at[0] == 0
    probe = run.train_idx[:inside.PROBE]
    x, y = toy_digits.x_train[probe], toy_digits.y_train[probe]
    w = run.mlp.init_params(np.random.default_rng([run.key.seed, 0]), np.float32)
    exact = sharpness.top_eigenvalue(run.mlp, w, x, y, iterations=120, tol=1e-12).value
    other = sharpness.top_eigenvalue(run.mlp, w, toy_digits.x_train[probe + 1], y, iterations=120, tol=1e-12).value
    assert run.tracker.values[0] == pytest.approx(exact, rel=1e-2) and abs(other - exact) > 0.02 * exact
    assert run.tracker.limits[0] == pytest.approx(2 / 0.1)


def test_the_tracker_spends_at_most_its_share_after_the_first_measurement(toy_digits):
    run = trained(NetConfig("Adam", 0.003), toy_digits, iterations=1000, track=True)
    t = run.tracker
    assert t.trained == 1000 * 50 and len(t.at) >= 3
    assert t.spent <= sharpness.SHARE * t.trained + 4 * inside.PROBE * sharpness.TRACK_ITERATIONS  # one may overrun
    assert np.isnan(t.limits).all()  # Adam scales its steps weight by weight: no one line


def test_the_limit_follows_the_schedule_and_a_change_of_optimizer(toy_digits):
    net = NetConfig("SGD", 0.1, schedule="step")
    key = RaceConfig((net,), hidden=(12,), batch=50, iterations=100, evals=2).keys(toy_digits)[0]
    key = key.changed(NetConfig("Momentum", 0.1, schedule="step"), 50)
    run = train.Run(key, toy_digits)
    factor = train.make_schedule("step", 100)
    assert run.stability_limit(10) == pytest.approx(2 / (0.1 * factor(10)))
    assert run.stability_limit(60) == pytest.approx(2 * 1.9 / (0.1 * factor(60)))


@pytest.mark.parametrize("values, limits, said", [
    ([5.0, 8.0, 17.0, 21.0, 19.0], [20.0] * 5, "edge"),  # settled at the line, swinging around it
    ([5.0, 9.0, 12.0, 13.0], [20.0] * 4, "sharpening"),
    ([5.0, 5.2, 4.9, 5.1], [20.0] * 4, "below"),
    ([5.0, 9.0, 12.0], [float("nan")] * 3, "adaptive"),
    ([5.0, 9.0, 12.0], [40.0, 40.0, 13.0], "edge"),  # the schedule lowered the line onto it
])
def test_the_verdict_the_page_writes(values, limits, said):
    assert sharpness.verdict(np.array(values), np.array(limits)) == said
