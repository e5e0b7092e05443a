"""Every layer's backward pass and the whole MLP against central finite differences (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.nn import layers
from optviz.nn.mlp import MLP
from optviz.optim.optimizers import Adam


def numerical_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f()
        x[i] = old - h
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def test_affine_backward(rng):
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dy = rng.normal(size=(4, 2))
    loss = lambda: float((layers.affine(x, w, b) * dy).sum())
    dx, dw, db = layers.affine_backward(dy, x, w)
    for got, arr in [(dx, x), (dw, w), (db, b)]:
        np.testing.assert_allclose(got, numerical_grad(loss, arr), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(layers.ACTIVATIONS))
def test_activation_backward(name, rng):
    act = layers.ACTIVATIONS[name]
    z = rng.normal(size=(5, 4)) * 3
    z[np.abs(z) < 1e-3] = 0.5  # keep away from ReLU's kink
    dy = rng.normal(size=z.shape)
    loss = lambda: float((act.forward(z) * dy).sum())
    np.testing.assert_allclose(act.backward(dy, z, act.forward(z)), numerical_grad(loss, z), rtol=1e-5, atol=1e-8)


def test_sigmoid_is_stable_at_extremes():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = layers.ACTIVATIONS["sigmoid"].forward(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(y, [0, 0.5, 1])


def test_batchnorm_backward(rng):
    x, gamma, beta = rng.normal(size=(6, 3)) * 2 + 1, rng.normal(size=3), rng.normal(size=3)
    dy = rng.normal(size=(6, 3))
    loss = lambda: float((layers.batchnorm_train(x, gamma, beta)[0] * dy).sum())
    _, cache, _, _ = layers.batchnorm_train(x, gamma, beta)
    dx, dg, db = layers.batchnorm_backward(dy, cache)
    for got, arr in [(dx, x), (dg, gamma), (db, beta)]:
        np.testing.assert_allclose(got, numerical_grad(loss, arr), rtol=1e-5, atol=1e-7)


def test_batchnorm_normalises_each_feature_of_the_batch(rng):
    x = rng.normal(3, 5, size=(1000, 4))
    y, _, mean, var = layers.batchnorm_train(x, np.ones(4), np.zeros(4))
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(y.std(0), 1, atol=1e-4)
    np.testing.assert_allclose(mean, x.mean(0))
    np.testing.assert_allclose(var, ((x - x.mean(0)) ** 2).mean(0))  # the biased variance


def test_batchnorm_inference_uses_the_given_averages_not_the_batch():
    """By hand: feature 0 has running mean 1 and variance 4 − 1e-5, so x = 5 is (5 − 1)/2 = 2
    standard deviations up; times γ = 3 plus β = −1 gives 5. Feature 1: (0 − (−2))/√(1 − 1e-5 + 1e-5)
    = 2, times 0.5 plus 0.25 gives 1.25. The batch's own statistics would give other numbers."""
    x = np.array([[5.0, 0.0], [1.0, -2.0]])
    mean, var = np.array([1.0, -2.0]), np.array([4.0 - 1e-5, 1.0 - 1e-5])
    y = layers.batchnorm_eval(x, np.array([3.0, 0.5]), np.array([-1.0, 0.25]), mean, var)
    np.testing.assert_allclose(y, [[5.0, 1.25], [-1.0, 0.25]], rtol=1e-12)


def test_training_updates_the_running_averages_by_a_tenth_of_the_batch(rng):
    """PyTorch's BatchNorm1d (momentum 0.1): running ← 0.9·running + 0.1·batch statistic, per hidden
    layer, from the pre-normalisation values of this batch (computed here from the weights
    directly); the variance kept is the unbiased one, Σ(z − z̄)²/(n − 1), while the batch itself is
    normalised with the biased one."""
    net = MLP(n_in=3, hidden=(4,), n_out=2, batchnorm=True)
    flat = net.init_params(rng, np.float64)
    x = rng.normal(0, 2, (50, 3))
    start = net.init_bn_state(np.float64)._replace(mean=(np.full(4, 0.5),), var=(np.full(4, 2.0),))
    fwd = net.forward(flat, x, train=True, rng=rng, bn_state=start)
    p = net.views(flat)[0]
    z = x @ p.w + p.b
    np.testing.assert_allclose(fwd.bn_state.mean[0], 0.9 * 0.5 + 0.1 * z.mean(0), rtol=1e-12)
    unbiased = ((z - z.mean(0)) ** 2).sum(0) / (50 - 1)
    np.testing.assert_allclose(fwd.bn_state.var[0], 0.9 * 2.0 + 0.1 * unbiased, rtol=1e-12)
    np.testing.assert_allclose(start.mean[0], 0.5)  # the caller's state is not changed


def test_at_batch_two_the_running_variance_is_twice_the_batchs_own(rng):
    """Batch 2, which the MNIST page offers: from a running variance of 0, one step keeps
    0.1·(a − b)²/2, PyTorch's number; the biased variance (a − b)²/4 would give half of it."""
    net = MLP(n_in=3, hidden=(2,), n_out=2, batchnorm=True)
    flat = net.init_params(rng, np.float64)
    x = rng.normal(0, 1, (2, 3))
    start = net.init_bn_state(np.float64)._replace(var=(np.zeros(2),))
    z = x @ net.views(flat)[0].w + net.views(flat)[0].b
    fwd = net.forward(flat, x, train=True, rng=rng, bn_state=start)
    np.testing.assert_allclose(fwd.bn_state.var[0], 0.1 * (z[0] - z[1]) ** 2 / 2, rtol=1e-12)


def test_inference_of_the_mlp_normalises_with_the_running_averages(rng):
    net = MLP(n_in=3, hidden=(4,), n_out=2, batchnorm=True, activation="relu")
    flat = net.init_params(rng, np.float64)
    state = net.init_bn_state(np.float64)._replace(mean=(rng.normal(0, 1, 4),), var=(rng.uniform(0.5, 2, 4),))
    x = rng.normal(0, 1, (7, 3))
    hidden, out = net.views(flat)
    hidden.gamma[:], hidden.beta[:] = rng.uniform(0.5, 2, 4), rng.normal(0, 1, 4)  # views write through
    z = x @ hidden.w + hidden.b
    h = np.maximum(hidden.gamma * (z - state.mean[0]) / np.sqrt(state.var[0] + 1e-5) + hidden.beta, 0)
    np.testing.assert_allclose(net.forward(flat, x, train=False, bn_state=state).out, h @ out.w + out.b, rtol=1e-10)


def test_softmax_cross_entropy_value_gradient_and_stability(rng):
    logits = rng.normal(size=(5, 4))
    labels = np.array([0, 3, 1, 1, 2])
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    loss, grad = layers.softmax_cross_entropy(logits, labels)
    assert loss == pytest.approx(-np.log(p[np.arange(5), labels]).mean())
    np.testing.assert_allclose(grad, numerical_grad(lambda: layers.softmax_cross_entropy(logits, labels)[0], logits),
                               rtol=1e-5, atol=1e-9)
    big, _ = layers.softmax_cross_entropy(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    assert big == pytest.approx(500)  # finite, no overflow


def test_inverted_dropout_keeps_the_expected_value(rng):
    mask = layers.dropout_mask((200_000,), 0.2, rng, np.float64)
    assert set(np.unique(mask)) == {0.0, 1.25}
    assert mask.mean() == pytest.approx(1.0, abs=0.01)


def test_initialiser_scales():
    assert layers.init_std("xavier", 100, 50) == pytest.approx(0.1)
    assert layers.init_std("he", 100, 50) == pytest.approx(np.sqrt(0.02))
    assert layers.init_std(0.01, 100, 50) == 0.01
    w = layers.init_weights("xavier_uniform", 300, 200, np.random.default_rng(1), np.float64)
    assert np.abs(w).max() <= np.sqrt(6 / 500) and w.std() == pytest.approx(np.sqrt(2 / 500), rel=0.02)
    with pytest.raises(ValueError):
        layers.init_std(-1.0, 3, 3)


@pytest.mark.parametrize("bn", [False, True])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_whole_mlp_backprop_matches_finite_differences(bn, activation, rng):
    net = MLP(n_in=5, hidden=(4, 3), n_out=3, activation=activation, init="xavier", batchnorm=bn, dropout=0.3)
    flat = net.init_params(rng, np.float64)
    flat += 0.1 * rng.normal(size=flat.shape)  # move γ, β, b off their initial values
    x, labels = rng.normal(size=(7, 5)), rng.integers(0, 3, 7)
    seed = 5  # the same dropout masks in every evaluation

    def loss():
        return net.loss_and_grad(flat, x, labels, np.random.default_rng(seed))[0]

    _, grad, _ = net.loss_and_grad(flat, x, labels, np.random.default_rng(seed))
    np.testing.assert_allclose(grad, numerical_grad(loss, flat), rtol=1e-4, atol=1e-7)


def test_mlp_views_write_through_and_weight_mask_covers_weights_only(rng):
    net = MLP(n_in=4, hidden=(3,), n_out=2, batchnorm=True)
    flat = net.init_params(rng)
    net.views(flat)[1].b[...] = 7
    assert (flat[-2:] == 7).all()
    mask = net.weight_mask()
    assert mask.sum() == 4 * 3 + 3 * 2 and mask.size == net.size == 12 + 3 + 6 + 6 + 2


def test_the_trajectory_optimizers_train_the_mlp(rng):
    net = MLP(n_in=2, hidden=(16,), n_out=2, activation="tanh", init="xavier")
    x = rng.normal(size=(200, 2)).astype(np.float32)
    labels = (x[:, 0] * x[:, 1] > 0).astype(int)  # XOR-like quadrants
    flat = net.init_params(rng)
    opt = Adam(lr=0.05)
    state = opt.init(flat)
    first = None
    for _ in range(300):
        loss, grad, _ = net.loss_and_grad(flat, x, labels)
        first = first or loss
        flat, state = opt.step(flat, grad, state)
    assert flat.dtype == np.float32
    accuracy = (net.predict(flat, x).argmax(1) == labels).mean()
    assert loss < 0.3 * first and accuracy > 0.9


def test_batch_norm_refuses_a_batch_of_one(rng):
    x = rng.normal(size=(1, 4))
    with pytest.raises(ValueError, match="at least 2"):
        layers.batchnorm_train(x, np.ones(4), np.zeros(4))


@pytest.mark.parametrize("hidden", [(10.5,), (True,), ("10",), (10, 0)])
def test_the_mlp_refuses_sizes_that_are_not_positive_whole_numbers(hidden):
    with pytest.raises(ValueError, match="layer sizes"):
        MLP(4, hidden, 2)


def test_activation_values_and_ranges_by_hand():
    """Forward values against the textbook formulas in float64, the slope PyTorch's leaky ReLU
    uses (0.01), the derivative at 0 as PyTorch takes it (ReLU 0, leaky ReLU 0.01), and the
    saturation bounds the statistics count against (the functions' ranges)."""
    z = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
    acts = layers.ACTIVATIONS
    np.testing.assert_allclose(acts["sigmoid"].forward(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(acts["tanh"].forward(z), np.tanh(z))
    np.testing.assert_allclose(acts["leaky_relu"].forward(z), [-0.03, -0.005, 0, 0.5, 3])
    zero, one = np.zeros(1), np.ones(1)
    for name, slope_at_0 in (("relu", 0.0), ("leaky_relu", 0.01)):
        y = acts[name].forward(zero)
        assert acts[name].backward(one, zero, y)[0] == slope_at_0, name
    assert acts["sigmoid"].bounds == (0.0, 1.0) and acts["tanh"].bounds == (-1.0, 1.0)
    assert acts["relu"].bounds is None


def test_batchnorm_is_the_formula_with_its_epsilon_and_takes_batches_of_two():
    """y = γ·(x − mean)/√(var + 1e-5) + β, worked for a batch of two: mean 2, biased variance 1, so
    the two samples sit at ∓1/√(1 + 1e-5); a constant feature (variance 0) gives β, not nan."""
    x = np.array([[1.0, 7.0], [3.0, 7.0]])
    y, _, _, _ = layers.batchnorm_train(x, np.array([2.0, 1.0]), np.array([0.5, -1.0]))
    s = 1 / np.sqrt(1 + 1e-5)
    np.testing.assert_allclose(y, [[0.5 - 2 * s, -1.0], [0.5 + 2 * s, -1.0]], rtol=1e-13)


def test_dropout_rate_must_leave_something():
    rng = np.random.default_rng(0)
    assert layers.dropout_mask((4,), 0.0, rng).tolist() == [1, 1, 1, 1]
    for bad in (1.0, -0.1):
        with pytest.raises(ValueError):
            layers.dropout_mask((4,), bad, rng)


def test_initial_weights_have_the_asked_spread():
    w = layers.init_weights(0.5, 400, 300, np.random.default_rng(2), np.float64)
    assert w.shape == (400, 300) and abs(w.mean()) < 0.01 and w.std() == pytest.approx(0.5, rel=0.01)
    assert not layers.init_weights(0.0, 3, 2, np.random.default_rng(2)).any()  # std 0: all zero, allowed


def test_mlp_sizes_at_their_bounds_and_its_defaults(rng):
    one = MLP(1, (1,))  # the smallest network: one input, one hidden unit, no output layer
    flat = one.init_params(rng, np.float64)
    assert one.n_out == 0 and one.forward(flat, np.ones((3, 1))).out.shape == (3, 1)
    for bad in (dict(n_in=0, hidden=(3,)), dict(n_in=2, hidden=(3,), n_out=-1), dict(n_in=2, hidden=(3,), dropout=1.0)):
        with pytest.raises(ValueError):
            MLP(**bad)
    bn = MLP(3, (4,), 2, batchnorm=True)
    p = bn.views(bn.init_params(rng, np.float64))[0]
    assert (p.gamma == 1).all() and (p.beta == 0).all() and (p.b == 0).all()
    assert MLP(3, (4,), 2) == MLP(3, (4,), 2) and hash(MLP(3, (4,), 2)) == hash(MLP(3, (4,), 2))


def test_forward_trains_by_default_and_predict_infers(rng):
    """Without ``train`` a forward pass uses dropout (half the units of a 0.5 net are zero on
    the way out); predict uses the running averages and no dropout, the same as forward(train=False)."""
    net = MLP(3, (200,), 0, dropout=0.5)
    flat = net.init_params(rng, np.float64)
    x = rng.normal(0, 1, (5, 3))
    fwd = net.forward(flat, x, rng=np.random.default_rng(1))
    assert 0.3 < (fwd.masks[0] == 0).mean() < 0.7
    bn = MLP(3, (4,), 2, batchnorm=True)
    flat = bn.init_params(rng, np.float64)
    state = bn.init_bn_state(np.float64)._replace(mean=(rng.normal(0, 1, 4),), var=(rng.uniform(0.5, 2, 4),))
    np.testing.assert_allclose(bn.predict(flat, x, state), bn.forward(flat, x, train=False, bn_state=state).out)
    assert not np.allclose(bn.predict(flat, x, state), bn.forward(flat, x, rng=rng, bn_state=state).out)
