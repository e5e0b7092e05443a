"""Training runs: repeatability, shared batches, divergence, L2 decay, and the book's MNIST lessons."""

import dataclasses
import math
import time

import numpy as np
import pytest

from optviz.i18n import netlabels
from optviz.nn import layers, train
from optviz.nn.mlp import MLP
from optviz.nn.train import NetConfig, RaceConfig
from optviz.serve import data


def race(config: RaceConfig, dataset, chunk: float = 10.0) -> list[train.Run]:
    """Every network of ``config`` trained to the end, each as its own run."""
    runs = [train.Run(key, dataset) for key in config.keys(dataset)]
    for r in runs:
        while not r.done:
            r.advance(chunk)
    return runs


SMALL = dict(hidden=(20, 20), batch=32, iterations=60, evals=3)


def test_seeded_runs_repeat_whatever_the_chunking(toy_digits):
    cfg = RaceConfig((NetConfig("Adam", 0.001, dropout=0.3), NetConfig("SGD", 0.1, batchnorm=True)), seed=3, **SMALL)
    one = race(cfg, toy_digits, chunk=10.0)
    many = [train.Run(key, toy_digits) for key in cfg.keys(toy_digits)]
    while not many[0].done:
        many[0].advance(0.0, tuple(many[1:]))  # one iteration per chunk, both networks together
    for a, b in zip(one, many, strict=True):
        assert np.array_equal(a.losses, b.losses)
        assert a.train_acc == b.train_acc and a.final == b.final and np.array_equal(a.test_pred, b.test_pred)
    other = race(RaceConfig(cfg.nets, seed=4, **SMALL), toy_digits)
    assert not np.array_equal(one[0].losses, other[0].losses)


def test_a_run_is_the_same_alone_or_in_a_race(toy_digits):
    """A contestant's numbers do not depend on the others in its race or on its place there."""
    adam = NetConfig("Adam", 0.001, dropout=0.2)
    alone = race(RaceConfig((adam,), **SMALL), toy_digits)[0]
    third = race(RaceConfig((NetConfig("SGD", 0.05), NetConfig("AdaGrad", 0.01), adam), **SMALL), toy_digits)[2]
    assert alone.key == third.key
    assert np.array_equal(alone.losses, third.losses) and alone.final == third.final


def test_identical_networks_see_identical_batches(toy_digits):
    a, b = race(RaceConfig((NetConfig("SGD", 0.05),) * 2, **SMALL), toy_digits)
    assert np.array_equal(a.losses, b.losses)
    assert np.isfinite(a.losses).all()


def test_batches_cover_each_epoch_without_replacement(toy_digits):
    key = RaceConfig((NetConfig(),), n_train=100, batch=30, iterations=8).keys(toy_digits)[0]
    run = train.Run(key, toy_digits)
    epochs = [np.concatenate([run.batch_indices(t) for t in range(3 * e, 3 * e + 3)]) for e in range(2)]
    for seen in epochs:
        assert len(seen) == 90 and len(set(seen)) == 90 and set(seen) <= set(run.train_idx)  # the last 10 dropped
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled
    other = train.Run(RaceConfig((NetConfig("SGD"),), n_train=100, batch=30, iterations=8).keys(toy_digits)[0],
                      toy_digits)
    assert all(np.array_equal(run.batch_indices(t), other.batch_indices(t)) for t in (5, 2, 7))  # any order


def test_a_diverging_network_is_stopped_and_the_others_go_on(toy_digits):
    bad, good = race(RaceConfig((NetConfig("SGD", 10.0, init="1"), NetConfig("Adam", 0.001)), **SMALL), toy_digits)
    assert bad.diverged_at is not None and bad.diverged_at < 60 and bad.done
    assert not np.isfinite(bad.losses[bad.diverged_at:]).any()  # nothing after the blow-up
    assert np.isnan(bad.final[1])
    assert good.diverged_at is None and good.losses[-1] < good.losses[0]


def test_weight_decay_step_matches_finite_differences_of_the_penalised_loss(toy_digits):
    """One SGD step with λ equals a step along −∇(CE + λ/2·Σw²), the gradient taken numerically;
    biases carry no penalty."""
    lam, lr = 0.3, 0.5
    net = NetConfig("SGD", lr, weight_decay=lam)
    run = train.Run(RaceConfig((net,), hidden=(3,), batch=4, iterations=2, seed=1).keys(toy_digits)[0], toy_digits)
    mlp = run.mlp
    rng = np.random.default_rng(0)
    run.params = (run.params + rng.normal(0, 0.1, run.params.shape)).astype(np.float32)  # nonzero biases
    x, y = toy_digits[0][:4].astype(np.float64), toy_digits[1][:4]
    p0 = run.params.astype(np.float64)

    def penalised(p):
        ce, _ = layers.softmax_cross_entropy(mlp.predict(p, x), y)
        return ce + lam / 2 * sum(float(np.sum(v.w ** 2)) for v in mlp.views(p))

    h = 1e-6
    numeric = np.array([(penalised(p0 + h * e) - penalised(p0 - h * e)) / (2 * h) for e in np.eye(len(p0))])
    run._step(x, y)
    np.testing.assert_allclose(run.params, p0 - lr * numeric, atol=2e-5)


def test_smooth_is_a_trailing_mean_that_skips_nan():
    v = np.array([1.0, 3.0, np.nan, 5.0, 7.0, 9.0])
    out = train.smooth(v, 2)
    expected = [1.0, 2.0, np.nan, 5.0, 6.0, 8.0]  # the nan drops out of its neighbours' windows
    np.testing.assert_allclose(out, expected)


def test_a_finished_run_keeps_its_results_and_compacts_to_them(toy_digits):
    run = race(RaceConfig((NetConfig("Adam", 0.003),), **SMALL), toy_digits)[0]
    assert run.opt_state is None
    assert run.eval_at == [20, 40, 60] and len(run.test_acc) == 3
    train_acc, test_acc = run.final
    assert train_acc > 0.9 and test_acc > 0.5  # the toy_digits problem is learnable
    before = run.nbytes
    run.compact()
    assert run.train_idx.size == 0 and run.nbytes < before  # the batch order goes
    assert len(run.test_pred) == 100 and run.final == (train_acc, test_acc)
    flat, _, _, losses = run.plane(n=3)  # the final weights and the path stay, for the plane of its path
    assert flat.path[-1] == pytest.approx([0, 0], abs=1e-9) and np.isfinite(losses).all()


def test_run_keys_resolve_the_subset_and_name_the_data(toy_digits):
    keys = RaceConfig((NetConfig(), NetConfig("SGD")), n_train=0, batch=1024).keys(toy_digits)
    assert [k.n_train for k in keys] == [500, 500] and keys[0].batch == 500  # all of 500 images, batch capped
    assert keys[0].data == "toy-digits" and keys[0] != keys[1]
    assert keys[0] == RaceConfig((NetConfig(),), n_train=600, batch=500).keys(toy_digits)[0]  # same run, asked differently


def test_bad_configurations_are_refused():
    with pytest.raises(ValueError):
        RaceConfig(())
    with pytest.raises(ValueError):
        RaceConfig((NetConfig(),) * 7)
    with pytest.raises(ValueError):
        RaceConfig((NetConfig(init="7"),))
    with pytest.raises(ValueError):
        RaceConfig((NetConfig(),), batch=0)


@pytest.fixture(scope="module")
def mnist():
    return data.load()


def test_book_optimizer_race_sgd_ends_highest(mnist):
    nets = tuple(NetConfig(o, lr) for o, lr in [("SGD", 0.01), ("Momentum", 0.01), ("AdaGrad", 0.01), ("Adam", 0.001)])
    final = [train.smooth(r.losses, 100)[-1] for r in race(RaceConfig(nets, batch=128, iterations=2000), mnist)]
    assert np.argmax(final) == 0, final


def test_book_init_race_small_std_stays_at_chance_while_he_learns(mnist):
    nets = (NetConfig("SGD", 0.01, init="0.01"), NetConfig("SGD", 0.01, init="he"))
    small, he = (train.smooth(r.losses, 100)[-1] for r in race(RaceConfig(nets, batch=128, iterations=2000), mnist))
    assert abs(small - math.log(10)) < 0.02
    assert he < 0.5


def test_adam_reaches_93_percent_within_ten_epochs(mnist):
    per_epoch = len(mnist[0]) // 128
    run = race(RaceConfig((NetConfig("Adam", 0.001),), batch=128, iterations=10 * per_epoch), mnist)[0]
    assert run.epoch <= 10
    assert run.final[1] >= 0.93


def test_table_rows_become_networks_with_blank_or_wild_cells_defaulted():
    net = train.net_from_row({"optimizer": "Momentum", "lr": 0.05, "init": "xavier", "activation": "tanh",
                              "batchnorm": True, "dropout": 0.3, "weight_decay": 0.1, "schedule": "cosine"})
    assert net == NetConfig("Momentum", 0.05, "xavier", "tanh", True, 0.3, 0.1, "cosine")
    wild = train.net_from_row({"optimizer": None, "lr": "abc", "init": "7", "dropout": 5, "weight_decay": float("nan")})
    assert wild == NetConfig(dropout=0.9)  # blanks take defaults, dropout clipped to its bound


def test_hidden_sizes_are_parsed_within_bounds():
    assert train.parse_hidden("100, 100,50") == (100, 100, 50)
    for bad in ("", "abc", "0", "100,,x", "2000", ",".join(["10"] * 9), "100,,100", "1_000", "１００", "100,",
                "-5", "1e2"):
        assert train.parse_hidden(bad) is None, bad


def test_batch_norm_on_batches_of_one_is_refused():
    """A single image's batch statistics are meaningless (PyTorch refuses them too)."""
    with pytest.raises(ValueError, match="batch norm"):
        train.RaceConfig((NetConfig(batchnorm=True),), batch=1)
    train.RaceConfig((NetConfig(batchnorm=True),), batch=2)
    train.RaceConfig((NetConfig(),), batch=1)


def test_labels_name_what_differs():
    nets = (NetConfig("SGD", 0.01), NetConfig("SGD", 0.01, weight_decay=0.1), NetConfig("SGD", 0.01, dropout=0.2))
    assert netlabels.labels(nets) == ["SGD", "L2 λ 0.1", "dropout 0.2"]
    assert netlabels.labels((NetConfig(),) * 2) == ["Adam #1", "Adam #2"]


def one_step(net: NetConfig, digits) -> tuple[MLP, np.ndarray, np.ndarray]:
    """(network, weights before, after) of one training step of ``net`` on the first batch."""
    run = train.Run(RaceConfig((net,), hidden=(8,), batch=16, iterations=5).keys(digits)[0], digits)
    before = run.params.astype(np.float64)
    run.advance(0.0)
    return run.mlp, before, run.params.astype(np.float64)


@pytest.mark.parametrize("optimizer", ["SGD", "AdamW"])
def test_weight_decay_shrinks_weights_by_lr_lambda_and_leaves_biases_alone(optimizer, toy_digits):
    """SGD with an L2 penalty and AdamW with decoupled decay both take η·λ·w off each weight on top
    of the undecayed step (for SGD because λ·w joins a gradient the step scales by η; for AdamW by
    construction), and nothing off a bias."""
    lam, lr = 0.1, 0.01
    mlp, w0, plain = one_step(NetConfig(optimizer, lr), toy_digits)
    _, w0_again, decayed = one_step(NetConfig(optimizer, lr, weight_decay=lam), toy_digits)
    np.testing.assert_array_equal(w0, w0_again)
    mask = mlp.weight_mask(np.float64)
    np.testing.assert_allclose(decayed - plain, -lr * lam * mask * w0, atol=2e-6)
    assert not (mask * w0 == 0).all()


def test_adam_l2_goes_through_the_adaptive_step_unlike_adamw(toy_digits):
    """Coupled L2 in Adam is divided by √v̂ with the rest of the gradient: the weights move by a
    different amount than AdamW's η·λ·w, which is why the two are different optimizers."""
    lam, lr = 0.1, 0.01
    mlp, w0, plain = one_step(NetConfig("Adam", lr), toy_digits)
    _, _, coupled = one_step(NetConfig("Adam", lr, weight_decay=lam), toy_digits)
    weights = mlp.weight_mask(np.float64).astype(bool)
    assert not np.allclose((coupled - plain)[weights], (-lr * lam * w0)[weights], atol=1e-5)
    assert netlabels.labels((NetConfig("AdamW", 0.001, weight_decay=0.01), NetConfig("AdamW", 0.001))) == [
        "decay λ 0.01", "AdamW"]
    assert netlabels.labels((NetConfig("Adam", 0.001, weight_decay=0.01), NetConfig("Adam", 0.001))) == ["L2 λ 0.01", "Adam"]


def test_keys_and_settings_cannot_change_once_made():
    """Keys name runs in the class's store: one that changed after it was filed would be lost."""
    key_parts = (NetConfig(), RaceConfig((NetConfig(),)))
    for part in key_parts:
        with pytest.raises(dataclasses.FrozenInstanceError):
            part.seed = 1  # noqa: B018 - any field
    with pytest.raises(dataclasses.FrozenInstanceError):
        RaceConfig((NetConfig(),)).keys_ = 1


def test_a_run_key_is_frozen_and_a_change_may_come_at_the_first_iteration(toy_digits):
    key = RaceConfig((NetConfig("SGD", 0.05),), **SMALL).keys(toy_digits)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        key.seed = 1
    early = key.changed(NetConfig("SGD", 0.1), 1)  # from iteration 1 on: allowed
    assert early.net_at(0).lr == 0.05 and early.net_at(1).lr == 0.1
    with pytest.raises(ValueError):
        key.changed(NetConfig("SGD", 0.1), 0)  # a change at 0 is another run, not a change


def test_the_smallest_positive_batch_iterations_and_evaluations_are_allowed(toy_digits):
    cfg = RaceConfig((NetConfig("SGD", 0.05),), hidden=(8,), batch=1, iterations=1, evals=1)
    run = race(cfg, toy_digits)[0]
    assert run.done and run.eval_at == [1]
    for bad in (dict(iterations=0), dict(evals=0)):
        with pytest.raises(ValueError):
            RaceConfig((NetConfig(),), **bad)


def test_time_and_speed_start_at_zero_and_count_up(toy_digits):
    run = train.Run(RaceConfig((NetConfig("SGD", 0.05),), **SMALL).keys(toy_digits)[0], toy_digits)
    assert run.seconds == 0.0 and run.iterations_per_second == 0.0 and run.progress == (0, 0, 60)
    began = time.perf_counter()
    for _ in range(5):
        run.advance(0.0)
    assert 0 < run.seconds <= time.perf_counter() - began and run.progress == (0, 5, 60)  # its own compute time
    assert run.iterations_per_second == pytest.approx(5 / run.seconds)
    assert run.epoch == pytest.approx(5 * 32 / run.key.n_train)


@pytest.mark.parametrize("iterations, evals, seen", [(60, 3, [20, 40, 60]), (60, 7, [8, 16, 24, 32, 40, 48, 56, 60]),
                                                     (5, 20, [1, 2, 3, 4, 5])])
def test_accuracy_is_measured_at_evenly_spaced_iterations_and_at_the_end(toy_digits, iterations, evals, seen):
    run = race(RaceConfig((NetConfig("SGD", 0.05),), hidden=(8,), batch=16, iterations=iterations, evals=evals),
               toy_digits)[0]
    assert run.eval_at == seen and len(run.train_acc) == len(seen)


def test_the_inside_view_looks_from_the_first_iteration_and_once_more_at_the_end(toy_digits):
    run = race(RaceConfig((NetConfig("SGD", 0.05),), **SMALL), toy_digits)[0]
    looks = [s.t for s in run.snapshots]
    assert looks[:-1] == list(range(0, 60, run.every)) and looks[-1] == 60
    diverged = race(RaceConfig((NetConfig("SGD", 1e3),), **SMALL), toy_digits)[0]
    assert diverged.diverged_at is not None and [s.t for s in diverged.snapshots][-1] <= diverged.diverged_at


def test_memory_counts_the_optimizers_state(toy_digits):
    sgd, adam = race(RaceConfig((NetConfig("SGD", 0.05), NetConfig("Adam", 0.001)), hidden=(64,), batch=16,
                                iterations=4, evals=1), toy_digits)
    # unfinished twins of them hold their optimizer's state: Adam's two moments, SGD's one buffer
    live = [train.Run(r.key, toy_digits) for r in (sgd, adam)]
    for r in live:
        r.advance(0.0)
    assert live[1].nbytes - live[0].nbytes == live[1].params.nbytes


def test_a_branch_adds_exactly_one_change(toy_digits):
    key = RaceConfig((NetConfig("SGD", 0.05),), **SMALL).keys(toy_digits)[0]
    run = train.Run(key, toy_digits)
    for _ in range(10):
        run.advance(0.0)
    two = key.changed(NetConfig("SGD", 0.1), 5).changed(NetConfig("SGD", 0.2), 10)
    with pytest.raises(ValueError):
        run.branch(two)
    assert run.branch(key.changed(NetConfig("SGD", 0.1), 10)).key.net_at(10).lr == 0.1


def test_hidden_sizes_reach_their_bounds_exactly():
    assert train.parse_hidden("1024") == (1024,) and train.parse_hidden("1025") is None
    assert train.parse_hidden("5") == (5,) and train.parse_hidden(",".join(["3"] * 8)) == (3,) * 8
    assert train.parse_hidden("1,1") == (1, 1)  # one unit is a layer too


def test_labels_name_the_initialisation_and_every_change(toy_digits):
    assert netlabels.labels((NetConfig(init="he"), NetConfig(init="xavier"), NetConfig(init="0.01"))) == [
        "He", "Xavier", "std 0.01"]
    key = RaceConfig((NetConfig("SGD", 0.05),), **SMALL).keys(toy_digits)[0]
    assert netlabels.changes_label(key) == ""
    changed = key.changed(NetConfig("SGD", 0.1), 20).changed(NetConfig("Momentum", 0.1), 40)
    assert netlabels.changes_label(changed) == " → lr 0.1 @20 → Momentum @40"


def test_table_cells_beyond_their_bounds_are_clipped_to_them():
    net = train.net_from_row({"lr": 1e-9, "weight_decay": 7, "dropout": -1})
    assert (net.lr, net.weight_decay, net.dropout) == (1e-5, 1.0, 0.0)
    assert train.net_from_row({"lr": 1e9}).lr == 10.0


def test_epochs_and_the_subset_a_race_uses():
    assert train.subset(0, 128, 500) == (500, 128)  # all images
    assert train.subset(1000, 2048, 500) == (500, 500)  # no more than there are, in one batch
    assert train.epochs(100, 0, 128, 500) == pytest.approx(100 * 128 / 500)
    assert train.epochs(100, 1000, 2048, 500) == 100.0  # the whole set each step
    assert train.epochs(7, 300, 30, 60_000) == pytest.approx(0.7)


def test_batch_norm_on_single_images_is_refused_once_for_the_page_and_the_race():
    bn, plain = NetConfig(batchnorm=True), NetConfig()
    assert train.batchnorm_alone((plain, bn), 1) and not train.batchnorm_alone((plain, bn), 2)
    assert not train.batchnorm_alone((plain,), 1)
    with pytest.raises(ValueError):
        RaceConfig((plain, bn), batch=1)
    RaceConfig((plain,), batch=1)  # without batch norm a batch of one trains
