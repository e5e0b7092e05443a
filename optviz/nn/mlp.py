"""A multilayer perceptron whose parameters live in one flat vector, so the optimizers of
``optviz.optim.optimizers`` train it unchanged.

Hidden layer i: z = h·W + b → (batch norm) → activation → (inverted dropout). An optional output
layer gives logits. Forward keeps every layer's pre-activations and activations (for histograms);
backward returns the flat gradient and the gradient reaching every hidden layer's output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optviz.nn import layers

Array = np.ndarray


class LayerParams(NamedTuple):
    w: Array  # (fan_in, fan_out), a view into the flat vector
    b: Array  # (fan_out,)
    gamma: Array | None  # batch-norm scale, or None
    beta: Array | None  # batch-norm shift, or None


class BNState(NamedTuple):
    mean: tuple[Array, ...]  # running mean per hidden layer
    var: tuple[Array, ...]  # running variance per hidden layer


class Forward(NamedTuple):
    out: Array  # logits (batch, n_out), or the last hidden activation when n_out = 0
    inputs: tuple[Array, ...]  # input to each layer's affine map
    pre: tuple[Array, ...]  # what enters each activation (after batch norm when on)
    act: tuple[Array, ...]  # each hidden layer's activation (before dropout)
    bn: tuple[layers.BatchNormCache, ...]
    masks: tuple[Array | None, ...]
    bn_state: BNState | None  # running averages after this batch (training mode), else as given


BN_MOMENTUM = 0.9  # running ← 0.9·running + 0.1·batch (PyTorch's momentum 0.1); the variance unbiased


@dataclass(frozen=True)
class MLP:
    n_in: int
    hidden: tuple[int, ...]
    n_out: int = 0  # 0: no output layer (the activation-histogram experiment)
    activation: str = "relu"
    init: str | float = "he"
    batchnorm: bool = False
    dropout: float = 0.0

    def __post_init__(self) -> None:
        if self.activation not in layers.ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}")
        sizes = (self.n_in, self.n_out, *self.hidden)
        if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in sizes):
            raise ValueError(f"layer sizes must be whole numbers, got n_in={self.n_in!r}, "
                             f"hidden={self.hidden!r}, n_out={self.n_out!r}")
        if not self.hidden or min(self.hidden) < 1 or self.n_in < 1 or self.n_out < 0:
            raise ValueError("layer sizes must be positive")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        layers.init_std(self.init, 1, 1)  # validates a numeric std

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """(fan_in, fan_out) of every affine map, output layer last."""
        sizes = (self.n_in, *self.hidden) + ((self.n_out,) if self.n_out else ())
        return list(zip(sizes[:-1], sizes[1:], strict=True))

    def _slices(self) -> list[tuple[slice, slice, slice | None, slice | None]]:
        out, pos = [], 0
        for i, (fi, fo) in enumerate(self.shapes):
            w = slice(pos, pos + fi * fo)
            b = slice(w.stop, w.stop + fo)
            pos = b.stop
            g = be = None
            if self.batchnorm and i < len(self.hidden):
                g, be = slice(pos, pos + fo), slice(pos + fo, pos + 2 * fo)
                pos += 2 * fo
            out.append((w, b, g, be))
        return out

    @property
    def size(self) -> int:
        last = self._slices()[-1]
        return (last[3] or last[1]).stop

    def views(self, flat: Array) -> list[LayerParams]:
        """Per-layer views into ``flat`` (writes through them change ``flat``)."""
        return [
            LayerParams(flat[w].reshape(self.shapes[i]), flat[b],
                        flat[g] if g else None, flat[be] if be else None)
            for i, (w, b, g, be) in enumerate(self._slices())
        ]

    def weight_mask(self, dtype=np.float32) -> Array:
        """1 on weight matrices, 0 on biases and batch-norm parameters (where L2 decay applies)."""
        mask = np.zeros(self.size, dtype)
        for w, _, _, _ in self._slices():
            mask[w] = 1
        return mask

    def init_params(self, rng: np.random.Generator, dtype=np.float32) -> Array:
        """Weights from the initialiser, zero biases, γ = 1 and β = 0."""
        flat = np.zeros(self.size, dtype)
        for (fi, fo), p in zip(self.shapes, self.views(flat), strict=True):
            p.w[...] = layers.init_weights(self.init, fi, fo, rng, dtype)
            if p.gamma is not None:
                p.gamma[...] = 1
        return flat

    def init_bn_state(self, dtype=np.float32) -> BNState:
        return BNState(tuple(np.zeros(h, dtype) for h in self.hidden), tuple(np.ones(h, dtype) for h in self.hidden))

    def forward(self, flat: Array, x: Array, train: bool = True, rng: np.random.Generator | None = None,
                bn_state: BNState | None = None) -> Forward:
        """Forward pass of x (batch, n_in). Training mode uses batch statistics (and updates the
        running averages in the returned state) and dropout (needs ``rng``); inference mode uses
        ``bn_state``'s running averages and no dropout."""
        act_fn = layers.ACTIVATIONS[self.activation].forward
        params = self.views(flat)
        inputs, pre, act, bn, masks = [], [], [], [], []
        means, vars_ = [], []
        h = x
        for i in range(len(self.hidden)):
            p = params[i]
            inputs.append(h)
            z = layers.affine(h, p.w, p.b)
            if self.batchnorm:
                if train:
                    z, cache, mu, var = layers.batchnorm_train(z, p.gamma, p.beta)
                    bn.append(cache)
                    if bn_state is not None:
                        m = BN_MOMENTUM
                        n = len(z)  # the running variance is the unbiased one, as PyTorch keeps it
                        means.append(m * bn_state.mean[i] + (1 - m) * mu)
                        vars_.append(m * bn_state.var[i] + (1 - m) * var * (n / (n - 1)))
                else:
                    z = layers.batchnorm_eval(z, p.gamma, p.beta, bn_state.mean[i], bn_state.var[i])
            pre.append(z)
            h = act_fn(z)
            act.append(h)
            mask = None
            if train and self.dropout:
                mask = layers.dropout_mask(h.shape, self.dropout, rng, h.dtype)
                h = h * mask
            masks.append(mask)
        if self.n_out:
            inputs.append(h)
            h = layers.affine(h, params[-1].w, params[-1].b)
        new_state = BNState(tuple(means), tuple(vars_)) if means else bn_state
        return Forward(h, tuple(inputs), tuple(pre), tuple(act), tuple(bn), tuple(masks), new_state)

    def backward(self, flat: Array, fwd: Forward, dout: Array) -> tuple[Array, tuple[Array, ...]]:
        """Gradient of a loss with ``dout`` = ∂loss/∂out, from a training-mode forward pass.
        Returns (flat gradient, ∂loss/∂(each hidden layer's activation))."""
        back = layers.ACTIVATIONS[self.activation].backward
        params = self.views(flat)
        grad = np.empty_like(flat)  # every entry is written below
        gviews = self.views(grad)
        dh = dout
        if self.n_out:
            g = gviews[-1]
            dh, _, _ = layers.affine_backward(dh, fwd.inputs[-1], params[-1].w, dw=g.w, db=g.b)
        act_grads = [None] * len(self.hidden)
        for i in reversed(range(len(self.hidden))):
            if fwd.masks[i] is not None:
                dh = dh * fwd.masks[i]
            act_grads[i] = dh
            dz = back(dh, fwd.pre[i], fwd.act[i])
            if self.batchnorm:
                dz, gviews[i].gamma[...], gviews[i].beta[...] = layers.batchnorm_backward(dz, fwd.bn[i])
            dh, _, _ = layers.affine_backward(dz, fwd.inputs[i], params[i].w, i > 0, gviews[i].w, gviews[i].b)
        return grad, tuple(act_grads)

    def loss_and_grad(self, flat: Array, x: Array, labels: Array, rng: np.random.Generator | None = None,
                      bn_state: BNState | None = None) -> tuple[float, Array, BNState | None]:
        """Softmax cross-entropy of a training batch, its flat gradient and the new BN state."""
        fwd = self.forward(flat, x, True, rng, bn_state)
        loss, dlogits = layers.softmax_cross_entropy(fwd.out, labels)
        grad, _ = self.backward(flat, fwd, dlogits)
        return loss, grad, fwd.bn_state

    def predict(self, flat: Array, x: Array, bn_state: BNState | None = None) -> Array:
        """Inference-mode logits."""
        return self.forward(flat, x, False, None, bn_state).out
