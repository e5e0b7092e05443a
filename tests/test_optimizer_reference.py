"""Every option of every optimizer against a reference written from PyTorch's documented algorithms.

The references below work one number at a time in plain Python (``math``, no NumPy, no folded
bias corrections), so they share no code and no algebra with ``optviz.optim.optimizers``. The settings
make every term matter: eps = 0.1 (a misplaced eps changes the third digit), dampening, lr decay, an
initial accumulator, RMSProp's momentum, weight decay, and a learning rate that changes every step as
a schedule would pass it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optviz.optim import optimizers as O

P0 = [0.8, -1.5, 2.0]
GRADS = [[0.3, -1.2, 0.05], [-0.7, 0.4, 2.5], [1.1, 0.9, -0.6], [0.2, -0.3, 0.8], [-1.4, 0.6, 0.1]]
LRS = [0.1, 0.07, 0.05, 0.12, 0.03]


def sgd_ref(p, grads, lrs, momentum, dampening, weight_decay, nesterov):
    out, buf = p, 0.0
    for t, (g_in, lr) in enumerate(zip(grads, lrs, strict=True), start=1):
        g = g_in + weight_decay * out
        if momentum:
            buf = g if t == 1 else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        out = out - lr * g
    return out


def adagrad_ref(p, grads, lrs, lr_decay, weight_decay, initial, eps):
    out, total = p, initial
    for t, (g_in, lr) in enumerate(zip(grads, lrs, strict=True), start=1):
        clr = lr / (1 + (t - 1) * lr_decay)
        g = g_in + weight_decay * out
        total += g * g
        out = out - clr * g / (math.sqrt(total) + eps)
    return out


def rmsprop_ref(p, grads, lrs, alpha, eps, weight_decay, momentum):
    out, sq, buf = p, 0.0, 0.0
    for g_in, lr in zip(grads, lrs, strict=True):
        g = g_in + weight_decay * out
        sq = alpha * sq + (1 - alpha) * g * g
        if momentum:
            buf = momentum * buf + g / (math.sqrt(sq) + eps)
            out = out - lr * buf
        else:
            out = out - lr * g / (math.sqrt(sq) + eps)
    return out


def adam_ref(p, grads, lrs, b1, b2, eps, weight_decay, decoupled):
    out, m, v = p, 0.0, 0.0
    for t, (g_in, lr) in enumerate(zip(grads, lrs, strict=True), start=1):
        if decoupled:
            out = out * (1 - lr * weight_decay)
            g = g_in
        else:
            g = g_in + weight_decay * out
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        out = out - lr * m_hat / (math.sqrt(v_hat) + eps)
    return out


def per_coordinate(ref, **options):
    """The reference run coordinate by coordinate over P0 and GRADS."""
    return [ref(P0[i], [g[i] for g in GRADS], LRS, **options) for i in range(len(P0))]


def optviz_run(opt, dtype=np.float64):
    p = np.array(P0, dtype)
    state = opt.init(p)
    for g, lr in zip(GRADS, LRS, strict=True):
        p, state = opt.step(p, np.array(g, dtype), state, lr=lr)
    return p


SGD_CASES = [
    dict(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False),
    dict(momentum=0.0, dampening=0.0, weight_decay=0.3, nesterov=False),
    dict(momentum=0.8, dampening=0.0, weight_decay=0.0, nesterov=False),
    dict(momentum=0.8, dampening=0.3, weight_decay=0.2, nesterov=False),
    dict(momentum=0.7, dampening=0.0, weight_decay=0.25, nesterov=True),
]


@pytest.mark.parametrize("options", SGD_CASES, ids=str)
def test_sgd_every_option(options):
    np.testing.assert_allclose(optviz_run(O.SGD(lr=9.0, **options)), per_coordinate(sgd_ref, **options), rtol=1e-13)


@pytest.mark.parametrize("options", [
    dict(lr_decay=0.0, weight_decay=0.0, initial=0.0, eps=0.1),
    dict(lr_decay=0.5, weight_decay=0.0, initial=0.0, eps=0.1),
    dict(lr_decay=0.0, weight_decay=0.0, initial=0.3, eps=0.1),
    dict(lr_decay=0.25, weight_decay=0.2, initial=0.4, eps=0.05),
], ids=str)
def test_adagrad_every_option(options):
    opt = O.AdaGrad(lr=9.0, lr_decay=options["lr_decay"], weight_decay=options["weight_decay"],
                    initial_accumulator_value=options["initial"], eps=options["eps"])
    np.testing.assert_allclose(optviz_run(opt), per_coordinate(adagrad_ref, **options), rtol=1e-13)


@pytest.mark.parametrize("options", [
    dict(alpha=0.9, eps=0.1, weight_decay=0.0, momentum=0.0),
    dict(alpha=0.8, eps=0.1, weight_decay=0.0, momentum=0.6),
    dict(alpha=0.95, eps=0.05, weight_decay=0.3, momentum=0.5),
], ids=str)
def test_rmsprop_every_option(options):
    np.testing.assert_allclose(optviz_run(O.RMSProp(lr=9.0, **options)), per_coordinate(rmsprop_ref, **options),
                               rtol=1e-13)


@pytest.mark.parametrize("options", [
    dict(b1=0.9, b2=0.999, eps=0.1, weight_decay=0.0),
    dict(b1=0.5, b2=0.7, eps=0.1, weight_decay=0.0),
    dict(b1=0.8, b2=0.9, eps=0.05, weight_decay=0.3),
], ids=str)
@pytest.mark.parametrize("decoupled", [False, True], ids=["Adam", "AdamW"])
def test_adam_and_adamw_every_option(options, decoupled):
    kind = O.AdamW if decoupled else O.Adam
    opt = kind(lr=9.0, betas=(options["b1"], options["b2"]), eps=options["eps"], weight_decay=options["weight_decay"])
    np.testing.assert_allclose(optviz_run(opt), per_coordinate(adam_ref, decoupled=decoupled, **options), rtol=1e-13)


def test_adam_eps_is_added_after_the_bias_correction():
    """Worked by hand: on the first step m̂ = g and v̂ = g², so the step is lr·g / (|g| + eps). With
    g = 1, lr = 0.1, eps = 0.1 that is 0.1 / 1.1. (TensorFlow's placement, eps·√(1 − β2), would give
    0.1 / 1.00316.)"""
    p, _ = O.Adam(lr=0.1, eps=0.1).step(np.array([0.0]), np.array([1.0]), O.Adam().init(np.zeros(1)))
    np.testing.assert_allclose(p, [-0.1 / 1.1], rtol=1e-14)


def test_adagrad_decays_the_rate_from_the_second_step():
    """By hand, one coordinate, g = 1 each step, lr 1, lr_decay 1, eps 0: step 1 moves 1/√1, step 2
    moves (1/2)/√2 (torch: lr / (1 + (t − 1)·lr_decay))."""
    opt = O.AdaGrad(lr=1.0, lr_decay=1.0, eps=1e-300)
    p, s = opt.step(np.array([0.0]), np.array([1.0]), opt.init(np.zeros(1)))
    np.testing.assert_allclose(p, [-1.0], rtol=1e-14)
    p, s = opt.step(p, np.array([1.0]), s)
    np.testing.assert_allclose(p, [-1.0 - 0.5 / math.sqrt(2)], rtol=1e-14)


def test_float32_follows_the_float64_reference():
    opt = O.AdamW(lr=9.0, betas=(0.8, 0.9), eps=0.1, weight_decay=0.3)
    p = optviz_run(opt, np.float32)
    assert p.dtype == np.float32
    np.testing.assert_allclose(p, per_coordinate(adam_ref, b1=0.8, b2=0.9, eps=0.1, weight_decay=0.3, decoupled=True),
                               rtol=1e-5)
