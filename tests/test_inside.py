"""The inside view of a training run: histograms and shares against a forward and backward pass
written out by hand, the optimizer's moves against hand-worked steps, and the book's saturation."""

import numpy as np
import pytest

from optviz.nn import inside, train
from optviz.nn.mlp import MLP
from optviz.nn.train import NetConfig, RaceConfig
from optviz.serve import data


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_snapshot_matches_a_hand_written_pass(rng):
    """One sigmoid layer and a softmax output: a = σ(xW + b), ∂L/∂z = (p − onehot)/n·W₂ᵀ·a(1 − a)."""
    net = MLP(6, (5,), 3, "sigmoid", 2.0)
    flat = net.init_params(rng, np.float64)
    x, y = rng.normal(0, 1, (40, 6)), rng.integers(0, 3, 40)
    p0, p1 = net.views(flat)
    a = sigmoid(x @ p0.w + p0.b)
    logits = a @ p1.w + p1.b
    prob = np.exp(logits - logits.max(1, keepdims=True))
    prob /= prob.sum(1, keepdims=True)
    prob[np.arange(40), y] -= 1
    dz = (prob / 40) @ p1.w.T * a * (1 - a)

    snap = inside.snapshot(net, flat, x, y, t=7)
    assert snap.t == 7
    expected_act = np.histogram(a, inside.act_edges("sigmoid"))[0] / a.size
    np.testing.assert_allclose(snap.act[0], expected_act, atol=1e-7)
    expected_grad = np.histogram(np.clip(np.log10(np.abs(dz)), -10, 0), inside.grad_edges())[0] / dz.size
    np.testing.assert_allclose(snap.grad[0], expected_grad, atol=1e-7)
    assert snap.saturated[0] == pytest.approx(np.mean((a <= 0.01) | (a >= 0.99)))
    assert snap.grad_zero[0] == 0 and np.isnan(snap.dead[0])


def test_dead_relus_and_zero_gradients_are_counted(rng):
    net = MLP(4, (8,), 2, "relu", "he")
    flat = net.init_params(rng)
    first = net.views(flat)[0]
    first.w[...] = np.abs(first.w)  # positive inputs turn every unit on...
    first.b[:3] = -100  # ...but three, which nothing turns on
    snap = inside.snapshot(net, flat, rng.random((30, 4), np.float32), rng.integers(0, 2, 30), t=0)
    assert snap.dead[0] == pytest.approx(3 / 8)
    assert snap.grad_zero[0] >= 3 / 8  # a unit that is off passes no gradient back
    assert snap.act[0].sum() == pytest.approx(1) and snap.grad[0].sum() + snap.grad_zero[0] == pytest.approx(1)
    assert np.isnan(snap.saturated[0])


def test_open_range_activations_land_in_the_end_bins(rng):
    """A ReLU above OPEN_RANGE is counted in the last bin, not lost."""
    net = MLP(2, (3,), 2, "relu", "he")
    flat = net.init_params(rng)
    net.views(flat)[0].b[:] = 50
    snap = inside.snapshot(net, flat, np.zeros((10, 2), np.float32), np.zeros(10, int), t=0)
    assert snap.act[0][-1] == pytest.approx(1)


def test_sgd_moves_are_its_gradient_and_adams_first_step_is_a_sign(toy_digits):
    """Plain SGD moves each layer by exactly lr·|g| (ratio 1). Adam's first step, by hand, is
    lr·g/(|g| + ε) per entry: the figure is that move's size over lr·|g|, and it is the parameters'
    actual change divided by lr·|g|."""
    for optimizer in ("SGD", "Adam"):
        key = RaceConfig((NetConfig(optimizer, 0.01),), hidden=(20, 20), batch=32, iterations=60).keys(toy_digits)[0]
        run = train.Run(key, toy_digits)
        before = run.params.copy()
        idx = run.batch_indices(0)
        _, grad, _ = run.mlp.loss_and_grad(before, toy_digits.x_train[idx], toy_digits.y_train[idx])
        run.advance(0.0)  # one iteration
        first = run.moves[0]
        assert first.t == 0 and len(first.step_ratio) == 3
        for k, (w0, w1, g) in enumerate(zip(run.mlp.views(before), run.mlp.views(run.params), run.mlp.views(grad),
                                            strict=True)):
            g64 = g.w.astype(np.float64)
            hand = g64 / (np.abs(g64) + 1e-8) if optimizer == "Adam" else g64
            assert first.step_ratio[k] == pytest.approx(np.linalg.norm(hand) / np.linalg.norm(g64), rel=1e-4)
            actual = np.linalg.norm((w1.w - w0.w).astype(np.float64))
            assert first.step_ratio[k] == pytest.approx(actual / (0.01 * np.linalg.norm(g64)), rel=1e-4)
            assert first.relative[k] == pytest.approx(actual / np.linalg.norm(w0.w.astype(np.float64)), rel=1e-4)


def test_a_network_whose_relus_all_died_trains_on_to_its_end(toy_digits):
    """Behind a layer of dead ReLUs every earlier gradient is exactly 0 (seen in a class: RMSProp at
    lr 0.05 killed them at iteration 650, and the run then stopped with a division by zero on every
    turn, so the students' race never finished). The run goes on; the step against SGD's of a layer
    with no gradient is nan (no size to compare with), the other layers' figures stay."""
    key = RaceConfig((NetConfig("SGD", 0.01),), hidden=(20, 20), batch=32, iterations=30).keys(toy_digits)[0]
    run = train.Run(key, toy_digits)
    first_layer, second_layer = run.mlp.views(run.params)[:2]
    first_layer.b[:] = -1e3  # the first hidden layer's units never turn on
    second_layer.b[:] = 1.0  # the second's then see only their biases: on, but learning nothing
    run.advance(100.0)
    assert run.done and run.t == 30 and run.diverged_at is None
    first = run.moves[0]
    assert np.isnan(first.step_ratio[0]) and np.isnan(first.step_ratio[1])  # no gradient reaches them
    assert first.relative[0] == 0 and first.relative[1] == 0  # and they did not move
    assert first.step_ratio[2] == pytest.approx(1) and first.relative[2] > 0  # SGD on the output layer


def test_move_is_nan_only_where_there_is_no_size_to_compare_with():
    net = MLP(4, (3,), 2, "relu", "he")
    before = net.init_params(np.random.default_rng(0), np.float64)
    grad = np.ones_like(before)
    net.views(grad)[0].w[:] = 0  # no gradient for the first layer's weights
    net.views(before)[1].w[:] = 0  # the output layer's weights all 0
    after = before - 0.1 * grad
    m = inside.move(net, before, after, grad, 0.1, t=7)
    assert m.t == 7 and np.isnan(m.step_ratio[0]) and m.relative[0] == 0
    assert m.step_ratio[1] == pytest.approx(1) and np.isnan(m.relative[1])


def test_snapshots_come_at_every_interval_and_at_the_end(toy_digits):
    key = RaceConfig((NetConfig(),), hidden=(20, 20), batch=100, iterations=130).keys(toy_digits)[0]
    run = train.Run(key, toy_digits)
    run.advance(100.0)
    every = inside.interval(130, 100)
    assert every == 40  # 40·100 images / 100 per batch: the probe costs at most a few per cent
    assert [s.t for s in run.snapshots] == [0, 40, 80, 120, 130]
    assert [m.t for m in run.moves] == [0, 40, 80, 120]
    h = inside.history(run.snapshots, run.moves, upto=80)
    assert list(h.t) == [0, 40, 80] and list(h.move_t) == [0, 40] and h.act.shape == (3, 2, inside.ACT_BINS)
    assert inside.history(run.snapshots, run.moves, upto=-1) is None


def test_interval_bounds_the_probes_cost():
    assert inside.interval(2000, 128) == 50  # 40 snapshots over a long run
    assert inside.interval(2000, 1) == 4000  # batch 1: a probe of 100 images is 100 steps' work
    assert inside.interval(10, 1024) == 4


def test_the_inside_view_does_not_change_the_training(toy_digits):
    """Looking inside uses no random numbers of the run: the losses are those of the bare loop."""
    key = RaceConfig((NetConfig("Adam", 0.001, dropout=0.3, batchnorm=True),), hidden=(20, 20), batch=32,
                     iterations=50).keys(toy_digits)[0]
    run = train.Run(key, toy_digits)
    run.advance(100.0)
    mlp, opt = key.net.mlp(key.hidden), key.net.optimizer_object()
    params = mlp.init_params(np.random.default_rng([key.seed, 0]), np.float32)
    state, bn, drop = opt.init(params), mlp.init_bn_state(), np.random.default_rng([key.seed, 1])
    probe = train.Run(key, toy_digits)
    for t in range(50):
        idx = probe.batch_indices(t)
        loss, grad, bn = mlp.loss_and_grad(params, toy_digits.x_train[idx], toy_digits.y_train[idx], drop, bn)
        params, state = opt.step(params, grad, state)
        assert run.losses[t] == loss


@pytest.fixture(scope="module")
def mnist():
    return data.load()


def test_std1_sigmoid_saturates_further_while_it_learns(mnist):
    """The book's std-1 sigmoid network (five layers of 100): layer 5 starts about half saturated,
    and training pushes more of it to the bounds over the first 200 iterations."""
    net = NetConfig("SGD", 0.1, init="1", activation="sigmoid")
    key = RaceConfig((net,), hidden=(100,) * 5, batch=128, iterations=2000).keys(mnist)[0]
    run = train.Run(key, mnist)
    while run.t < 201:
        run.advance(10.0)
    h = inside.history(run.snapshots, run.moves, upto=200)
    layer5 = h.saturated[:, 4]
    assert list(h.t) == [0, 50, 100, 150, 200]
    assert layer5[0] > 0.3 and layer5[-1] > layer5[0] + 0.03
    assert np.all(np.diff(layer5) > -0.01)  # it grows, give or take a batch's noise
