"""Gradient-descent optimizers with PyTorch's names, defaults and update conventions.

Every optimizer is a frozen dataclass of hyper-parameters with two methods:
``init(params) -> state`` and ``step(params, grads, state, lr=None) -> (params, state)``.
State is an explicit NamedTuple, never hidden on the object. Arrays may have any shape:
``(2,)`` for one point on a surface, ``(k, 2)`` for k starting points at once, or an MLP's flat
parameter vector. ``lr`` passed to ``step`` overrides ``self.lr`` for that step; learning-rate
schedules use it. The dtype of ``params`` is kept (float32 stays float32).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

Array = np.ndarray


class Optimizer(Protocol):
    lr: float

    def init(self, params: Array) -> tuple: ...

    def step(
        self, params: Array, grads: Array, state: tuple, lr: float | None = None
    ) -> tuple[Array, tuple]: ...


def _check(name: str, ok: bool, rule: str, value: object) -> None:
    if not ok:
        raise ValueError(f"{name} must be {rule}, got {value!r}")


def _check_common(opt: object) -> None:
    lr = opt.lr
    _check("lr", np.isfinite(lr) and lr >= 0, "a finite number >= 0", lr)
    wd = opt.weight_decay
    _check("weight_decay", np.isfinite(wd) and wd >= 0, "a finite number >= 0", wd)
    if hasattr(opt, "eps"):
        _check("eps", np.isfinite(opt.eps) and opt.eps > 0, "> 0", opt.eps)


def _beta(name: str, value: float) -> None:
    _check(name, 0.0 <= value < 1.0, "in [0, 1)", value)


def _cast(value: float, like: Array) -> float | np.floating:
    """A scalar that does not promote ``like`` (float32 stays float32)."""
    return like.dtype.type(value) if like.dtype.kind == "f" else value


class MomentumState(NamedTuple):
    buf: Array  # velocity: running sum of past gradients (PyTorch's momentum_buffer)
    t: int  # steps taken


class AdaGradState(NamedTuple):
    acc: Array  # sum of squared gradients
    t: int


class RMSPropState(NamedTuple):
    acc: Array  # running mean of squared gradients
    buf: Array  # momentum buffer (stays zero when momentum = 0)
    t: int


class AdamState(NamedTuple):
    m: Array  # running mean of gradients
    v: Array  # running mean of squared gradients
    t: int


@dataclass(frozen=True)
class SGD:
    """Stochastic gradient descent, PyTorch convention (``torch.optim.SGD``).

    g ← g + weight_decay·p;  buf ← momentum·buf + (1 − dampening)·g  (buf = g on the first step);
    d = g + momentum·buf if nesterov else buf (d = g when momentum = 0);  p ← p − lr·d.
    With a constant lr this is the textbook v ← μv − lr·g, p ← p + v, with v = −lr·buf.
    """

    lr: float = 1e-3
    momentum: float = 0.0
    dampening: float = 0.0
    weight_decay: float = 0.0
    nesterov: bool = False

    def __post_init__(self) -> None:
        _check_common(self)
        _check("momentum", 0.0 <= self.momentum < 1.0, "in [0, 1)", self.momentum)
        _check("dampening", 0.0 <= self.dampening <= 1.0, "in [0, 1]", self.dampening)
        if self.nesterov:
            _check("momentum", self.momentum > 0, "> 0 with nesterov", self.momentum)
            _check("dampening", self.dampening == 0, "0 with nesterov", self.dampening)

    def init(self, params: Array) -> MomentumState:
        return MomentumState(np.zeros_like(params), 0)

    def step(self, params, grads, state, lr=None):
        lr = _cast(self.lr if lr is None else lr, params)
        g = grads + _cast(self.weight_decay, params) * params if self.weight_decay else grads
        if not self.momentum:
            return params - lr * g, MomentumState(state.buf, state.t + 1)
        mu = _cast(self.momentum, params)
        if state.t == 0:
            buf = g.copy()
        else:
            buf = mu * state.buf + _cast(1.0 - self.dampening, params) * g
        d = g + mu * buf if self.nesterov else buf
        return params - lr * d, MomentumState(buf, state.t + 1)


def Momentum(lr: float = 1e-3, momentum: float = 0.9, weight_decay: float = 0.0) -> SGD:
    """Heavy-ball momentum: ``SGD`` with momentum 0.9 by default."""
    return SGD(lr=lr, momentum=momentum, weight_decay=weight_decay)


def Nesterov(lr: float = 1e-3, momentum: float = 0.9, weight_decay: float = 0.0) -> SGD:
    """Nesterov momentum as PyTorch applies it: p ← p − lr·(g + μ·buf)."""
    return SGD(lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=True)


@dataclass(frozen=True)
class AdaGrad:
    """AdaGrad (Duchi et al. 2011), as ``torch.optim.Adagrad``.

    g ← g + weight_decay·p;  clr = lr / (1 + (t − 1)·lr_decay);  acc ← acc + g²;
    p ← p − clr·g / (√acc + eps).
    """

    lr: float = 1e-2
    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10

    def __post_init__(self) -> None:
        _check_common(self)
        _check("lr_decay", np.isfinite(self.lr_decay) and self.lr_decay >= 0, "a finite number >= 0",
               self.lr_decay)
        v = self.initial_accumulator_value
        _check("initial_accumulator_value", np.isfinite(v) and v >= 0, "a finite number >= 0", v)

    def init(self, params: Array) -> AdaGradState:
        return AdaGradState(np.full_like(params, self.initial_accumulator_value), 0)

    def step(self, params, grads, state, lr=None):
        lr = self.lr if lr is None else lr
        g = grads + _cast(self.weight_decay, params) * params if self.weight_decay else grads
        clr = _cast(lr / (1.0 + state.t * self.lr_decay), params)
        acc = state.acc + g * g
        new = params - clr * g / (np.sqrt(acc) + _cast(self.eps, params))
        return new, AdaGradState(acc, state.t + 1)


@dataclass(frozen=True)
class RMSProp:
    """RMSProp (Hinton 2012), as ``torch.optim.RMSprop`` (not centred).

    g ← g + weight_decay·p;  acc ← alpha·acc + (1 − alpha)·g²;  d = g / (√acc + eps);
    with momentum: buf ← momentum·buf + d, p ← p − lr·buf; without: p ← p − lr·d.
    """

    lr: float = 1e-2
    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum: float = 0.0

    def __post_init__(self) -> None:
        _check_common(self)
        _beta("alpha", self.alpha)
        _check("momentum", 0.0 <= self.momentum < 1.0, "in [0, 1)", self.momentum)

    def init(self, params: Array) -> RMSPropState:
        return RMSPropState(np.zeros_like(params), np.zeros_like(params), 0)

    def step(self, params, grads, state, lr=None):
        lr = _cast(self.lr if lr is None else lr, params)
        g = grads + _cast(self.weight_decay, params) * params if self.weight_decay else grads
        a = _cast(self.alpha, params)
        acc = a * state.acc + (1 - a) * g * g
        d = g / (np.sqrt(acc) + _cast(self.eps, params))
        if self.momentum:
            buf = _cast(self.momentum, params) * state.buf + d
            return params - lr * buf, RMSPropState(acc, buf, state.t + 1)
        return params - lr * d, RMSPropState(acc, state.buf, state.t + 1)


@dataclass(frozen=True)
class Adam:
    """Adam (Kingma & Ba 2015), as ``torch.optim.Adam`` (weight decay is L2 added to g).

    m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;
    p ← p − lr·m̂ / (√v̂ + eps)  with m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ).
    """

    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0

    def __post_init__(self) -> None:
        _check_common(self)
        _check("betas", len(self.betas) == 2, "a pair", self.betas)
        _beta("betas[0]", self.betas[0])
        _beta("betas[1]", self.betas[1])

    def init(self, params: Array) -> AdamState:
        return AdamState(np.zeros_like(params), np.zeros_like(params), 0)

    def _decayed(self, params: Array, lr: float) -> Array:
        return params  # Adam's weight decay lives in the gradient; AdamW overrides this

    def _grads(self, params: Array, grads: Array) -> Array:
        if self.weight_decay:
            return grads + _cast(self.weight_decay, params) * params
        return grads

    def step(self, params, grads, state, lr=None):
        lr = self.lr if lr is None else lr
        b1, b2 = self.betas
        t = state.t + 1
        g = self._grads(params, grads)
        # Fresh arrays updated in place: the caller's state is untouched, and no pass is wasted.
        m = state.m - g
        m *= _cast(b1, params)
        m += g  # β1·m + (1 − β1)·g
        v = g * g
        v *= _cast(1 - b2, params)
        v += _cast(b2, params) * state.v
        # Bias corrections folded into the step size and eps (exact):
        # m̂/(√v̂ + eps) = m·√(1−β2ᵗ)/(1−β1ᵗ) / (√v + eps·√(1−β2ᵗ)).
        c2 = np.sqrt(1 - b2**t)
        denom = np.sqrt(v)
        denom += _cast(self.eps * c2, params)
        update = m / denom
        update *= _cast(lr * c2 / (1 - b1**t), params)
        return self._decayed(params, lr) - update, AdamState(m, v, t)


@dataclass(frozen=True)
class AdamW(Adam):
    """AdamW (Loshchilov & Hutter 2019), as ``torch.optim.AdamW``: decoupled weight decay.

    p ← p·(1 − lr·weight_decay), then the Adam step on the raw gradient.
    """

    weight_decay: float = 1e-2

    def _decayed(self, params: Array, lr: float) -> Array:
        if not self.weight_decay:
            return params
        return params * _cast(1 - lr * self.weight_decay, params)

    def _grads(self, params: Array, grads: Array) -> Array:
        return grads

