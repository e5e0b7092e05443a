"""Lockstep training: fairness, repeatability, divergence, L2 decay, and the book's MNIST lessons."""

import math
import os

import numpy as np
import pytest

from optviz import data, layers, train
from optviz.train import NetConfig, RaceConfig


def run(config: RaceConfig, arrays, chunk: float = 10.0) -> train.Race:
    race = train.new_race(config, len(arrays[0]))
    while not race.done:
        race.advance(*arrays, chunk)
    return race


SMALL = dict(hidden=(20, 20), batch=32, iterations=60, evals=3)


def test_seeded_runs_repeat_whatever_the_chunking(toy_digits):
    cfg = RaceConfig((NetConfig("Adam", 0.001, dropout=0.3), NetConfig("SGD", 0.1, batchnorm=True)), seed=3, **SMALL)
    one = run(cfg, toy_digits, chunk=10.0)
    many = train.new_race(cfg, len(toy_digits[0]))
    while not many.done:
        many.advance(*toy_digits, 0.0)  # one iteration per chunk
    assert np.array_equal(one.losses, many.losses)
    assert one.train_acc == many.train_acc and one.final == many.final
    other = run(RaceConfig(cfg.nets, seed=4, **SMALL), toy_digits)
    assert not np.array_equal(one.losses, other.losses)


def test_identical_networks_see_identical_batches(toy_digits):
    race = run(RaceConfig((NetConfig("SGD", 0.05),) * 2, **SMALL), toy_digits)
    assert np.array_equal(race.losses[0], race.losses[1])
    assert np.isfinite(race.losses).all()


def test_batches_cover_each_epoch_without_replacement(toy_digits):
    race = train.new_race(RaceConfig((NetConfig(),), n_train=100, batch=25, iterations=8), len(toy_digits[0]))
    epochs = [np.concatenate([race._next_batch() for _ in range(4)]) for _ in range(2)]
    for seen in epochs:
        assert sorted(seen) == sorted(race.train_idx)
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled


def test_a_diverging_network_is_stopped_and_the_others_go_on(toy_digits):
    race = run(RaceConfig((NetConfig("SGD", 10.0, init="1"), NetConfig("Adam", 0.001)), **SMALL), toy_digits)
    bad, good = race.runners
    assert bad.diverged_at is not None and bad.diverged_at < 60
    assert not np.isfinite(race.losses[0, bad.diverged_at:]).any()  # nothing after the blow-up
    assert np.isnan(race.final[0][1])
    assert good.diverged_at is None and race.losses[1, -1] < race.losses[1, 0]


def test_weight_decay_step_matches_finite_differences_of_the_penalised_loss(toy_digits):
    """One SGD step with λ equals a step along −∇(CE + λ/2·Σw²), the gradient taken numerically;
    biases carry no penalty."""
    lam, lr = 0.3, 0.5
    net = NetConfig("SGD", lr, weight_decay=lam)
    race = train.new_race(RaceConfig((net,), hidden=(3,), batch=4, iterations=1, seed=1), len(toy_digits[0]))
    runner = race.runners[0]
    mlp = runner.mlp
    rng = np.random.default_rng(0)
    runner.params = (runner.params + rng.normal(0, 0.1, runner.params.shape)).astype(np.float32)  # nonzero biases
    x, y = toy_digits[0][:4].astype(np.float64), toy_digits[1][:4]
    p0 = runner.params.astype(np.float64)

    def penalised(p):
        ce, _ = layers.softmax_cross_entropy(mlp.predict(p, x), y)
        return ce + lam / 2 * sum(float(np.sum(v.w ** 2)) for v in mlp.views(p))

    h = 1e-6
    numeric = np.array([(penalised(p0 + h * e) - penalised(p0 - h * e)) / (2 * h) for e in np.eye(len(p0))])
    runner.step(x, y, 0)
    np.testing.assert_allclose(runner.params, p0 - lr * numeric, atol=2e-5)


def test_smooth_is_a_trailing_mean_that_skips_nan():
    v = np.array([1.0, 3.0, np.nan, 5.0, 7.0, 9.0])
    out = train.smooth(v, 2)
    expected = [1.0, 2.0, np.nan, 5.0, 6.0, 8.0]  # the nan drops out of its neighbours' windows
    np.testing.assert_allclose(out, expected)


def test_a_finished_race_drops_optimizer_state_and_keeps_results(toy_digits):
    race = run(RaceConfig((NetConfig("Adam", 0.003),), **SMALL), toy_digits)
    assert race.runners[0].opt_state is None
    assert race.eval_at[-1] == 60 and len(race.eval_at) == 3
    train_acc, test_acc = race.final[0]
    assert train_acc > 0.9 and test_acc > 0.5  # the toy_digits problem is learnable


def test_bad_configurations_are_refused():
    with pytest.raises(ValueError):
        RaceConfig(())
    with pytest.raises(ValueError):
        RaceConfig((NetConfig(),) * 7)
    with pytest.raises(ValueError):
        RaceConfig((NetConfig(init="7"),))
    with pytest.raises(ValueError):
        RaceConfig((NetConfig(),), batch=0)


needs_mnist = pytest.mark.skipif(not os.environ.get(data.ENV_DIR), reason="needs OPTVIZ_MNIST_DIR")


@pytest.fixture(scope="module")
def mnist():
    return data.load()[:4]


@needs_mnist
def test_book_optimizer_race_sgd_ends_highest(mnist):
    nets = tuple(NetConfig(o, lr) for o, lr in [("SGD", 0.01), ("Momentum", 0.01), ("AdaGrad", 0.01), ("Adam", 0.001)])
    race = run(RaceConfig(nets, batch=128, iterations=2000), mnist)
    final = [train.smooth(row, 100)[-1] for row in race.losses]
    assert np.argmax(final) == 0, final


@needs_mnist
def test_book_init_race_small_std_stays_at_chance_while_he_learns(mnist):
    nets = (NetConfig("SGD", 0.01, init="0.01"), NetConfig("SGD", 0.01, init="he"))
    race = run(RaceConfig(nets, batch=128, iterations=2000), mnist)
    small, he = (train.smooth(row, 100)[-1] for row in race.losses)
    assert abs(small - math.log(10)) < 0.02
    assert he < 0.5


@needs_mnist
def test_adam_reaches_93_percent_within_ten_epochs(mnist):
    per_epoch = len(mnist[0]) // 128
    race = run(RaceConfig((NetConfig("Adam", 0.001),), batch=128, iterations=10 * per_epoch), mnist)
    assert race.epoch <= 10
    assert race.final[0][1] >= 0.93


def test_table_rows_become_networks_with_blank_or_wild_cells_defaulted():
    net = train.net_from_row({"optimizer": "Momentum", "lr": 0.05, "init": "xavier", "activation": "tanh",
                              "batchnorm": True, "dropout": 0.3, "weight_decay": 0.1, "schedule": "cosine"})
    assert net == NetConfig("Momentum", 0.05, "xavier", "tanh", True, 0.3, 0.1, "cosine")
    wild = train.net_from_row({"optimizer": None, "lr": "abc", "init": "7", "dropout": 5, "weight_decay": float("nan")})
    assert wild == NetConfig(dropout=0.9)  # blanks take defaults, dropout clipped to its bound


def test_hidden_sizes_are_parsed_within_bounds():
    assert train.parse_hidden("100, 100,50") == (100, 100, 50)
    for bad in ("", "abc", "0", "100,,x", "2000", ",".join(["10"] * 9)):
        assert train.parse_hidden(bad) is None


def test_labels_name_what_differs():
    nets = (NetConfig("SGD", 0.01), NetConfig("SGD", 0.01, weight_decay=0.1), NetConfig("SGD", 0.01, dropout=0.2))
    assert train.labels(nets) == ["SGD", "L2 λ 0.1", "dropout 0.2"]
    assert train.labels((NetConfig(),) * 2) == ["Adam #1", "Adam #2"]
