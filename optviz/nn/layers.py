"""Network building blocks as pure functions: forward returns (output, cache), backward takes the
cache and the upstream gradient. Shapes: x is (batch, features); W is (fan_in, fan_out).
Randomness comes only from an explicit ``np.random.Generator``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

Array = np.ndarray


# Affine: y = x·W + b
def affine(x: Array, w: Array, b: Array) -> Array:
    return x @ w + b


def affine_backward(dy: Array, x: Array, w: Array, need_dx: bool = True, dw: Array | None = None,
                    db: Array | None = None) -> tuple[Array | None, Array, Array]:
    """(dx, dW, db) of y = x·W + b; dx is skipped (None) for the first layer, whose input
    gradient is never used. dW and db are written into ``dw`` and ``db`` when given."""
    return (dy @ w.T if need_dx else None), np.matmul(x.T, dy, out=dw), np.sum(dy, 0, out=db)


# Activations: forward f(z) and backward from (dy, z, y) to dz.
def _sigmoid(z: Array) -> Array:
    # exp of a negative number only: no overflow for any z
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


class Activation(NamedTuple):
    forward: Callable[[Array], Array]
    backward: Callable[[Array, Array, Array], Array]  # (dy, z, y) -> dz
    bounds: tuple[float, float] | None  # saturation bounds, for sigmoid and tanh


LEAKY_SLOPE = 0.01

ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(_sigmoid, lambda dy, z, y: dy * y * (1 - y), (0.0, 1.0)),
    "tanh": Activation(np.tanh, lambda dy, z, y: dy * (1 - y * y), (-1.0, 1.0)),
    "relu": Activation(lambda z: np.maximum(z, 0), lambda dy, z, y: dy * (z > 0), None),
    "leaky_relu": Activation(lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
                             lambda dy, z, y: dy * np.where(z > 0, 1, LEAKY_SLOPE).astype(dy.dtype), None),
    "linear": Activation(lambda z: z, lambda dy, z, y: dy, None),
}


# Batch normalisation over the batch axis.
class BatchNormCache(NamedTuple):
    xhat: Array  # normalised input (batch, features)
    inv_std: Array  # 1/√(var + eps), (features,)
    gamma: Array


BN_EPS = 1e-5


def batchnorm_train(x: Array, gamma: Array, beta: Array) -> tuple[Array, BatchNormCache, Array, Array]:
    """Training mode: normalise with the batch's own mean and variance.
    Returns (y, cache, batch mean, batch variance); the caller updates running averages.
    Raises ValueError for a batch of one: its variance is 0 and every output would be beta."""
    if len(x) < 2:
        raise ValueError(f"batch norm needs a batch of at least 2 samples, got {len(x)}")
    mean = x.mean(0)
    var = x.var(0)
    inv_std = 1 / np.sqrt(var + BN_EPS)
    xhat = (x - mean) * inv_std
    return gamma * xhat + beta, BatchNormCache(xhat, inv_std, gamma), mean, var


def batchnorm_eval(x: Array, gamma: Array, beta: Array, mean: Array, var: Array) -> Array:
    """Inference mode: normalise with running averages collected during training."""
    return gamma * (x - mean) / np.sqrt(var + BN_EPS) + beta


def batchnorm_backward(dy: Array, cache: BatchNormCache) -> tuple[Array, Array, Array]:
    """(dx, dgamma, dbeta) of training-mode batch norm, in the compact closed form."""
    xhat, inv_std, gamma = cache
    n = dy.shape[0]
    dgamma = (dy * xhat).sum(0)
    dbeta = dy.sum(0)
    dxhat = dy * gamma
    dx = (inv_std / n) * (n * dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0))
    return dx, dgamma, dbeta


# Inverted dropout: scale the kept units at training time so inference needs no change.
def dropout_mask(shape: tuple[int, ...], rate: float, rng: np.random.Generator, dtype=np.float32) -> Array:
    """Mask of 0 and 1/(1 − rate), shape ``shape``."""
    if not 0 <= rate < 1:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate!r}")
    keep = rng.random(shape) >= rate
    return keep.astype(dtype) / np.dtype(dtype).type(1 - rate)


# Softmax with cross-entropy, numerically stable.
def log_softmax(z: Array) -> Array:
    z = z - z.max(1, keepdims=True)
    return z - np.log(np.exp(z).sum(1, keepdims=True))


def softmax_cross_entropy(logits: Array, labels: Array) -> tuple[float, Array]:
    """Mean cross-entropy of integer ``labels`` (batch,) under softmax(logits) (batch, classes),
    and its gradient with respect to the logits: (softmax − one_hot) / batch."""
    logp = log_softmax(logits)
    n = logits.shape[0]
    loss = -float(logp[np.arange(n), labels].mean())
    grad = np.exp(logp)
    grad[np.arange(n), labels] -= 1
    return loss, grad / logits.dtype.type(n)


# Weight initialisers: the standard deviation of W for a layer with fan_in inputs.
def init_std(scheme: str | float, fan_in: int, fan_out: int) -> float:
    """"xavier" √(1/n) (the book's Xavier), "xavier_uniform" Glorot's U(±√(6/(n_in+n_out))) as a std,
    "he" √(2/n), or a number: that standard deviation."""
    if scheme == "xavier":
        return float(np.sqrt(1 / fan_in))
    if scheme == "xavier_uniform":
        return float(np.sqrt(2 / (fan_in + fan_out)))
    if scheme == "he":
        return float(np.sqrt(2 / fan_in))
    std = float(scheme)
    if not np.isfinite(std) or std < 0:
        raise ValueError(f"weight std must be a finite number >= 0, got {scheme!r}")
    return std


def init_weights(scheme: str | float, fan_in: int, fan_out: int, rng: np.random.Generator,
                 dtype=np.float32) -> Array:
    """(fan_in, fan_out) weights: Glorot's uniform for "xavier_uniform", Gaussian otherwise."""
    std = init_std(scheme, fan_in, fan_out)
    if scheme == "xavier_uniform":
        limit = np.sqrt(3) * std
        return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(dtype)
    return (std * rng.standard_normal((fan_in, fan_out))).astype(dtype)
