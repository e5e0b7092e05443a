"""Settings changed in the middle of a run: the same numbers as a run planned that way from the
start, whether the change branches off a running run or trains from scratch."""

import numpy as np
import pytest

from optviz.nn import train
from optviz.nn.train import NetConfig, RaceConfig
from optviz.optim.registry import make_optimizer, make_schedule

SMALL = dict(hidden=(20, 20), batch=32, iterations=60, evals=3)


def key_of(net: NetConfig, data, **settings):
    return RaceConfig((net,), **{**SMALL, **settings}).keys(data)[0]


def by_hand(key, data, plan):
    """The bare training loop: ``plan(t)`` gives (optimizer name, lr, schedule name) of iteration t;
    a new optimizer name starts fresh state."""
    mlp = key.net.mlp(key.hidden)
    params = mlp.init_params(np.random.default_rng([key.seed, 0]), np.float32)
    bn, drop = (mlp.init_bn_state() if key.net.batchnorm else None), np.random.default_rng([key.seed, 1])
    order = train.Run(key, data)
    name = state = None
    losses = []
    for t in range(key.iterations):
        optimizer, lr, schedule = plan(t)
        opt = make_optimizer(optimizer, lr)
        if optimizer != name:
            name, state = optimizer, opt.init(params)
        idx = order.batch_indices(t)
        loss, grad, bn = mlp.loss_and_grad(params, data.x_train[idx], data.y_train[idx], drop, bn)
        losses.append(loss)
        params, state = opt.step(params, grad, state, lr=lr * make_schedule(schedule, key.iterations)(t))
    return np.array(losses, np.float32), params


def to_end(run):
    while not run.done:
        run.advance(100.0)
    return run


def test_a_learning_rate_changed_mid_run_is_a_run_with_that_schedule_from_the_start(toy_digits):
    """lr 0.01 for 25 iterations, then 0.1: bitwise the loop that had lr 0.1 from iteration 25."""
    net = NetConfig("Momentum", 0.01, dropout=0.2)
    key = key_of(net, toy_digits).changed(NetConfig("Momentum", 0.1, dropout=0.2), 25)
    run = to_end(train.Run(key, toy_digits))
    losses, params = by_hand(key, toy_digits, lambda t: ("Momentum", 0.01 if t < 25 else 0.1, "constant"))
    assert np.array_equal(run.losses, losses) and np.array_equal(run.params, params)
    plain = to_end(train.Run(key_of(net, toy_digits), toy_digits))
    assert np.array_equal(plain.losses[:25], run.losses[:25]) and not np.array_equal(plain.losses, run.losses)


def test_a_new_optimizer_or_schedule_starts_where_the_run_is(toy_digits):
    """SGD, then Adam (fresh moments) from 20, then a cosine schedule from 40, read at the run's own iteration."""
    sgd = NetConfig("SGD", 0.05)
    key = key_of(sgd, toy_digits).changed(NetConfig("Adam", 0.001), 20).changed(NetConfig("Adam", 0.001,
                                                                                           schedule="cosine"), 40)
    run = to_end(train.Run(key, toy_digits))
    losses, params = by_hand(key, toy_digits, lambda t: ("SGD", 0.05, "constant") if t < 20 else
                             ("Adam", 0.001, "constant" if t < 40 else "cosine"))
    assert np.array_equal(run.losses, losses) and np.array_equal(run.params, params)
    assert key.net_at(19) == sgd and key.net_at(20).optimizer == "Adam" and key.net_at(59).schedule == "cosine"


def test_a_branch_off_a_running_run_equals_training_the_changed_key_from_scratch(toy_digits):
    """The branch copies the run's state at iteration 30; the parent goes on unchanged."""
    net = NetConfig("Adam", 0.001, dropout=0.3, batchnorm=True)
    parent = train.Run(key_of(net, toy_digits), toy_digits)
    while parent.t < 30:
        parent.advance(0.0)
    key = parent.key.changed(NetConfig("Adam", 0.01, dropout=0.3, batchnorm=True), 30)
    branch = to_end(parent.branch(key))
    scratch = to_end(train.Run(key, toy_digits))
    assert np.array_equal(branch.losses, scratch.losses) and np.array_equal(branch.params, scratch.params)
    assert branch.eval_at == scratch.eval_at and branch.test_acc == scratch.test_acc
    assert [s.t for s in branch.snapshots] == [s.t for s in scratch.snapshots]
    assert all(np.array_equal(a.act, b.act) for a, b in zip(branch.snapshots, scratch.snapshots, strict=True))
    assert parent.t == 30 and np.isnan(parent.losses[30])  # the parent was not moved on
    alone = to_end(parent)
    assert np.array_equal(alone.losses, to_end(train.Run(key_of(net, toy_digits), toy_digits)).losses)


def test_changes_that_would_make_another_network_are_refused(toy_digits):
    key = key_of(NetConfig("SGD", 0.01), toy_digits)
    with pytest.raises(ValueError, match="only optimizer, lr, schedule"):
        key.changed(NetConfig("SGD", 0.01, activation="tanh"), 10)
    with pytest.raises(ValueError, match="rising iterations"):
        key.changed(NetConfig("SGD", 0.1), 10).changed(NetConfig("SGD", 0.2), 10)
    with pytest.raises(ValueError, match="rising iterations"):
        key.changed(NetConfig("SGD", 0.1), 60)
    run = train.Run(key, toy_digits)
    run.advance(0.0)
    with pytest.raises(ValueError, match="branch"):
        run.branch(key.changed(NetConfig("SGD", 0.1), 5))  # the run is at iteration 1, not 5
