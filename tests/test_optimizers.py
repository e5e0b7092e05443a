"""Optimizers against independent references: closed forms and first steps worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optviz.optim import optimizers as O
from optviz.optim import schedules as S
from optviz.optim.registry import OPTIMIZERS, make_optimizer
from optviz.toy.descent import walk
from optviz.toy.surfaces import bowl

G1, G2 = np.array([1.0, -2.0]), np.array([0.5, 4.0])  # two gradients for hand-worked steps
P0 = np.array([3.0, -1.0])


def two_steps(opt):
    state = opt.init(P0)
    p1, state = opt.step(P0, G1, state)
    p2, _ = opt.step(p1, G2, state)
    return p1, p2


def test_sgd_matches_closed_form_on_the_books_bowl():
    # f = x²/20 + y²: x ← x − 0.95·x/10 = 0.905x, y ← y − 0.95·2y = −0.9y
    path = walk(bowl(), O.SGD(lr=0.95), np.array([-7.0, 2.0]), 30)
    k = np.arange(31)
    np.testing.assert_allclose(path.points[:, 0], -7 * 0.905**k, rtol=1e-12)
    np.testing.assert_allclose(path.points[:, 1], 2 * (-0.9) ** k, rtol=1e-12, atol=1e-15)


def test_sgd_first_steps_by_hand():
    p1, p2 = two_steps(O.SGD(lr=0.1))
    np.testing.assert_allclose(p1, [2.9, -0.8])
    np.testing.assert_allclose(p2, [2.85, -1.2])


def test_momentum_first_steps_by_hand():
    # b1 = g1 = (1, −2); p1 = p0 − 0.1·b1. b2 = 0.9·b1 + g2 = (1.4, 2.2); p2 = p1 − 0.1·b2.
    p1, p2 = two_steps(O.Momentum(lr=0.1, momentum=0.9))
    np.testing.assert_allclose(p1, [2.9, -0.8])
    np.testing.assert_allclose(p2, [2.76, -1.02])


def test_momentum_equals_the_textbook_velocity_form():
    # v ← μv − lr·g; p ← p + v (the book's convention) gives the same points at constant lr.
    path = walk(bowl(), O.Momentum(lr=0.1, momentum=0.9), np.array([-7.0, 2.0]), 30)
    p, v = np.array([-7.0, 2.0]), np.zeros(2)
    for k in range(30):
        v = 0.9 * v - 0.1 * np.array([p[0] / 10, 2 * p[1]])
        p = p + v
        np.testing.assert_allclose(path.points[k + 1], p, rtol=1e-12, atol=1e-14)


def test_nesterov_first_steps_by_hand():
    # d1 = g1 + 0.9·b1 = 1.9·g1; d2 = g2 + 0.9·(0.9·g1 + g2)
    p1, p2 = two_steps(O.Nesterov(lr=0.1, momentum=0.9))
    np.testing.assert_allclose(p1, P0 - 0.1 * 1.9 * G1)
    np.testing.assert_allclose(p2, p1 - 0.1 * (G2 + 0.9 * (0.9 * G1 + G2)))


def test_adagrad_first_steps_by_hand():
    p1, p2 = two_steps(O.AdaGrad(lr=0.5, eps=1e-30))
    np.testing.assert_allclose(p1, P0 - 0.5 * np.sign(G1))  # g/√g² = sign(g)
    h = G1**2 + G2**2
    np.testing.assert_allclose(p2, p1 - 0.5 * G2 / np.sqrt(h))


def test_rmsprop_first_steps_by_hand():
    p1, p2 = two_steps(O.RMSProp(lr=0.01, alpha=0.9, eps=1e-30))
    v1 = 0.1 * G1**2
    np.testing.assert_allclose(p1, P0 - 0.01 * G1 / np.sqrt(v1))
    v2 = 0.9 * v1 + 0.1 * G2**2
    np.testing.assert_allclose(p2, p1 - 0.01 * G2 / np.sqrt(v2))


def test_adam_first_step_is_lr_times_sign():
    # m̂1 = g, v̂1 = g², so the first step is lr·g/|g| whatever the betas.
    p1, p2 = two_steps(O.Adam(lr=0.3, eps=1e-30))
    np.testing.assert_allclose(p1, P0 - 0.3 * np.sign(G1))
    m = 0.1 * 0.9 * G1 + 0.1 * G2
    v = 0.001 * 0.999 * G1**2 + 0.001 * G2**2
    np.testing.assert_allclose(p2, p1 - 0.3 * (m / (1 - 0.9**2)) / np.sqrt(v / (1 - 0.999**2)))


def test_adamw_decays_weights_before_the_adam_step():
    p1, _ = two_steps(O.AdamW(lr=0.3, weight_decay=0.1, eps=1e-30))
    np.testing.assert_allclose(p1, P0 * (1 - 0.03) - 0.3 * np.sign(G1))
    # Adam's weight decay is L2 added to the gradient instead: here it flips nothing but the size.
    a1, _ = two_steps(O.Adam(lr=0.3, weight_decay=0.1, eps=1e-30))
    np.testing.assert_allclose(a1, P0 - 0.3 * np.sign(G1 + 0.1 * P0))


def test_sgd_weight_decay_is_l2_in_the_gradient():
    p1, _ = two_steps(O.SGD(lr=0.1, weight_decay=0.5))
    np.testing.assert_allclose(p1, P0 - 0.1 * (G1 + 0.5 * P0))


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_reaches_the_minimum_of_a_convex_bowl(name):
    lr = {"SGD": 0.5, "Momentum": 0.05, "Nesterov": 0.05, "AdaGrad": 1.0, "RMSProp": 0.01,
          "Adam": 0.1, "AdamW": 0.1}[name]
    path = walk(bowl(5.0), make_optimizer(name, lr), np.array([3.0, -2.0]), 1000)
    assert path.diverged_at is None
    assert np.linalg.norm(path.points[-1]) < 0.05, path.points[-1]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizers_run_many_points_at_once_and_keep_float32(name, rng):
    opt = make_optimizer(name, 0.01)
    params = rng.normal(size=(5, 3, 2)).astype(np.float32)
    grads = rng.normal(size=params.shape).astype(np.float32)
    new, state = opt.step(params, grads, opt.init(params))
    assert new.shape == params.shape and new.dtype == np.float32
    # Each point moves exactly as it would alone.
    alone, _ = opt.step(params[2, 1], grads[2, 1], opt.init(params[2, 1]))
    np.testing.assert_allclose(new[2, 1], alone, rtol=1e-6)


@pytest.mark.parametrize("bad", [
    lambda: O.SGD(lr=-0.1), lambda: O.SGD(lr=float("nan")), lambda: O.SGD(lr=0.1, momentum=1.0),
    lambda: O.SGD(lr=0.1, nesterov=True), lambda: O.Adam(betas=(1.0, 0.999)),
    lambda: O.Adam(betas=(0.9, -0.1)), lambda: O.Adam(eps=0.0), lambda: O.AdaGrad(eps=-1e-10),
    lambda: O.RMSProp(alpha=1.5), lambda: O.AdamW(weight_decay=-1.0),
    lambda: O.AdaGrad(lr_decay=float("inf")), lambda: O.AdaGrad(lr_decay=float("nan")),
    lambda: O.AdaGrad(initial_accumulator_value=float("inf")), lambda: O.Nesterov(momentum=0.0),
])
def test_invalid_hyperparameters_raise_a_clear_value_error(bad):
    with pytest.raises(ValueError, match="must be"):
        bad()


def test_defaults_match_pytorch():
    assert O.SGD().lr == 1e-3 and O.AdaGrad().lr == 1e-2 and O.AdaGrad().eps == 1e-10
    assert O.Momentum().lr == O.Nesterov().lr == 1e-3 and O.Momentum().momentum == O.Nesterov().momentum == 0.9
    assert O.RMSProp().alpha == 0.99 and O.RMSProp().lr == 1e-2 and O.RMSProp().eps == 1e-8
    assert O.Adam().lr == O.AdamW().lr == 1e-3
    assert O.Adam().betas == (0.9, 0.999) and O.Adam().eps == 1e-8 and O.Adam().weight_decay == 0
    assert O.AdamW().weight_decay == 1e-2


def test_hyperparameters_at_the_edge_of_their_range_are_accepted():
    for ok in (O.SGD(lr=0.0), O.SGD(momentum=0.5, dampening=1.0), O.RMSProp(momentum=0.99), O.AdaGrad(lr_decay=0.0),
               O.Adam(betas=(0.0, 0.0)), O.RMSProp(alpha=0.0)):
        p, _ = ok.step(P0, G1, ok.init(P0))
        assert np.isfinite(p).all()
    with pytest.raises(ValueError, match="momentum"):
        O.RMSProp(momentum=1.0)
    with pytest.raises(ValueError, match="dampening"):
        O.SGD(momentum=0.5, dampening=1.5)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_float32_stays_float32_under_a_numpy_float64_learning_rate(name):
    """A schedule or a slider may hand over np.float64: the step must not turn a network's float32
    parameters into float64 (twice the memory, half the speed)."""
    opt = make_optimizer(name, 0.1)
    p = np.array([1.0, -2.0], np.float32)
    new, _ = opt.step(p, np.array([0.5, 0.25], np.float32), opt.init(p), lr=np.float64(0.05))
    assert new.dtype == np.float32


@pytest.mark.parametrize("opt", [make_optimizer(n, 0.1) for n in OPTIMIZERS] + [O.RMSProp(momentum=0.5)], ids=repr)
def test_the_state_counts_the_steps_taken(opt):
    p, state = P0, opt.init(P0)
    for k in range(3):
        assert state.t == k
        p, state = opt.step(p, G1, state)
    assert state.t == 3


def test_optimizers_are_immutable_values():
    """Equal settings make equal, hashable optimizers (they key cached paths and shared runs)."""
    import dataclasses

    for make in (O.SGD, O.Momentum, O.Nesterov, O.AdaGrad, O.RMSProp, O.Adam, O.AdamW):
        assert make(lr=0.1) == make(lr=0.1) and hash(make(lr=0.1)) == hash(make(lr=0.1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        O.Adam().lr = 1.0


def test_schedules_by_hand():
    assert [S.StepDecay(2, 0.5)(t) for t in range(5)] == [1, 1, 0.5, 0.5, 0.25]
    assert S.Exponential(0.9)(2) == pytest.approx(0.81)
    c = S.Cosine(t_max=10)
    assert c(0) == 1 and c(5) == pytest.approx(0.5) and c(10) == pytest.approx(0) and c(20) == pytest.approx(0)
    assert [S.Warmup(4)(t) for t in range(6)] == [0.25, 0.5, 0.75, 1, 1, 1]
    assert S.Constant()(123) == 1


def test_a_schedule_scales_every_step():
    # SGD on the bowl with a schedule: x_{k+1} = x_k·(1 − lr·s(k)/10).
    sched = S.StepDecay(step_size=3, gamma=0.5)
    path = walk(bowl(), O.SGD(lr=0.5), np.array([-7.0, 0.0]), 9, schedule=sched)
    expect = -7 * np.cumprod([1] + [1 - 0.5 * sched(k) / 10 for k in range(9)])
    np.testing.assert_allclose(path.points[:, 0], expect)


def test_cosine_schedule_brings_the_lr_to_zero_at_the_end():
    sched = S.Cosine(t_max=50)
    assert sched(50) == 0 and math.isclose(sched(25), 0.5)


def test_every_knob_a_slider_offers_builds_a_working_optimizer():
    """The sliders' grids: each value (Nesterov's momentum 0 included, were it offered) must
    build an optimizer whose first step is finite."""
    from optviz.optim.registry import OPTIMIZERS, make_optimizer

    for name, spec in OPTIMIZERS.items():
        knobs = spec.knobs
        for knob, grid in knobs.items():
            for value in grid.values:
                settings = {k: v.default for k, v in knobs.items()} | {knob: value}
                opt = make_optimizer(name, 0.1, **settings)
                p = np.array([1.0, -2.0])
                new, _ = opt.step(p, 2 * p, opt.init(p))
                assert np.isfinite(new).all() and not np.array_equal(new, p), (name, knob, value)


@pytest.mark.parametrize("n", [1, 2, 3, 30, 100, 2000])
def test_every_schedule_follows_its_formula_over_any_run_length(n):
    """One registry serves trajectories (30 steps) and races (2,000 iterations); each schedule is
    relative to the run's length T = n, as its formula on the page says."""
    from optviz.i18n.text import SCHEDULE_FORMULAS
    from optviz.optim.registry import SCHEDULES, make_schedule

    assert set(SCHEDULES) == set(SCHEDULE_FORMULAS)
    f = {k: [make_schedule(k, n)(t) for t in range(n)] for k in SCHEDULES}
    third, tenth = math.ceil(n / 3), math.ceil(n / 10)
    assert f["constant"] == [1.0] * n
    assert f["step"] == pytest.approx([0.2 ** (t // third) for t in range(n)])
    assert min(f["step"]) >= 0.04  # two drops at most: never a third one at the very end
    assert f["exponential"] == pytest.approx([0.01 ** (t / n) for t in range(n)])
    assert f["cosine"] == pytest.approx([(1 + math.cos(math.pi * t / n)) / 2 for t in range(n)])
    assert f["warmup"] == pytest.approx([min(1.0, (t + 1) / tenth) for t in range(n)])


def test_schedule_parameters_are_checked_at_their_bounds():
    for ok in (S.StepDecay(1, 1.0), S.StepDecay(1, 1e-9), S.Exponential(1.0), S.Cosine(1, 0.0), S.Cosine(1, 1.0),
               S.Warmup(1)):
        assert ok(0) > 0
    for bad in (lambda: S.StepDecay(0, 0.5), lambda: S.StepDecay(1, 0.0), lambda: S.StepDecay(1, 1.01),
                lambda: S.Exponential(0.0), lambda: S.Exponential(1.01), lambda: S.Cosine(0),
                lambda: S.Cosine(1, -0.01), lambda: S.Cosine(1, 1.01), lambda: S.Warmup(0)):
        with pytest.raises(ValueError):
            bad()


def test_cosine_with_a_floor_ends_at_the_floor():
    """By hand: m = 0.2, T = 4: factors 1, 0.2 + 0.8·(1 + cos π/4)/2 = 0.88284, 0.6, 0.31716, then 0.2."""
    c = S.Cosine(t_max=4, min_factor=0.2)
    assert [c(t) for t in range(6)] == pytest.approx([1.0, 0.882843, 0.6, 0.317157, 0.2, 0.2], abs=1e-6)


def test_schedules_are_immutable_values():
    """They are parts of cache keys and run keys: equal settings, equal and hashable schedules."""
    import dataclasses

    for make in (S.Constant, lambda: S.StepDecay(3, 0.5), lambda: S.Exponential(0.9), lambda: S.Cosine(9),
                 lambda: S.Warmup(2)):
        assert make() == make() and hash(make()) == hash(make())
    with pytest.raises(dataclasses.FrozenInstanceError):
        S.StepDecay(3, 0.5).gamma = 0.1
