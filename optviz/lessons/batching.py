"""What a batch size costs and buys: update timing, gradient noise, per-batch loss surfaces of a
two-parameter model, and the loss landscape around small- and large-batch solutions.

Everything here is plain NumPy; randomness comes only from the generators passed in.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Generator
from typing import NamedTuple

import numpy as np

from optviz.jobs import Step, run_to_end
from optviz.nn import layers, train
from optviz.nn.mlp import MLP
from optviz.optim.registry import make_optimizer

Array = np.ndarray
SMALL_NET = (100, 100)  # hidden layers of the networks the experiments train


def log_sizes(n: int, count: int) -> list[int]:
    """About ``count`` batch sizes spaced evenly on a log scale from 1 to n (both included)."""
    return sorted({int(round(v)) for v in np.geomspace(1, n, count)})


# 1. Time per update and per epoch.
def time_updates(mlp: MLP, optimizer, x: Array, y: Array, batch: int, rng: np.random.Generator,
                 min_seconds: float = 0.2, repeats: tuple[int, int] = (3, 200)) -> Array:
    """Seconds taken by each of several full updates (gather a batch, forward, backward, optimizer
    step) with batch size ``batch``: at least repeats[0] and at most repeats[1] of them, more
    while their total is under ``min_seconds``. One untimed update runs first."""
    params = mlp.init_params(np.random.default_rng(0))
    state = optimizer.init(params)
    n = len(x)
    times: list[float] = []
    for i in range(repeats[1] + 1):
        idx = rng.choice(n, batch, replace=False) if batch < n else None
        start = time.perf_counter()
        xb, yb = (x[idx], y[idx]) if idx is not None else (x, y)  # the full batch needs no copy
        _, grad, _ = mlp.loss_and_grad(params, xb, yb)
        params, state = optimizer.step(params, grad, state)
        if i:  # the first update warms caches and BLAS up
            times.append(time.perf_counter() - start)
        if len(times) >= repeats[0] and sum(times) >= min_seconds:
            break
    return np.array(times)


def timing_steps(data, hidden: tuple[int, ...], sizes: list[int], seed: int = 0) -> Generator[Step, None, list[Array]]:
    """``time_updates`` (SGD, at least 0.4 s of updates) for each batch size in turn on a
    784-hidden-10 ReLU net; yields the times measured so far after each size."""
    mlp, opt, rng = MLP(784, hidden, 10), make_optimizer("SGD", 0.01), np.random.default_rng(seed)
    times: list[Array] = []
    for b in sizes:
        times.append(time_updates(mlp, opt, data.x_train, data.y_train, b, rng, 0.4))
        yield Step(0, len(times), len(sizes), list(times))
    return times


def epoch_times(per_update: Array, sizes: list[int], n: int) -> Array:
    """Seconds per epoch over n examples: each size's time per update times its updates per
    epoch, ⌈n / B⌉ (the last, smaller batch counted as a whole update)."""
    return np.asarray(per_update) * np.ceil(n / np.asarray(sizes, float))


# 2. Gradient noise.
class Noise(NamedTuple):
    sizes: list[int]
    variance: Array  # mean ‖g_B − g‖² over the sampled batches, per size
    cosine: Array  # mean cos(g_B, g), per size
    cosine_spread: Array  # (2, sizes) 10th and 90th percentile of the cosine
    per_example: float  # mean ‖g_1 − g‖² over all n examples (σ²), for the reference line
    full_norm: float  # ‖g‖ of the full-batch gradient


PER_EXAMPLE = 512  # examples whose own gradients estimate σ²


def reference_variance(per_example: float, sizes, n: int) -> Array:
    """E‖g_B − g‖² when B of n examples are drawn without replacement: σ²/B · (n − B)/(n − 1)."""
    b = np.asarray(sizes, float)
    return per_example / b * (n - b) / (n - 1)


def gradient_noise_steps(mlp: MLP, params: Array, x: Array, y: Array, sizes: list[int], n_batches: int,
                         rng: np.random.Generator, phase: int = 0) -> Generator[Step, None, Noise]:
    """Mini-batch gradients against the full-batch gradient at a fixed network state (no dropout,
    no batch norm, so each example's gradient is defined on its own). Yields after every 64
    per-example gradients (phase ``phase``) and after every batch size (phase ``phase`` + 1)."""
    if mlp.batchnorm or mlp.dropout:
        raise ValueError("gradient noise needs a network without batch norm or dropout")
    n = len(x)
    _, g_full, _ = mlp.loss_and_grad(params, x, y)
    g_full = g_full.astype(np.float64)
    # σ² = mean over examples of ‖g_i − g‖², estimated on up to PER_EXAMPLE of them.
    sample = rng.choice(n, min(n, PER_EXAMPLE), replace=False)
    sq = []
    for i in sample:
        sq.append(float(np.sum((mlp.loss_and_grad(params, x[i:i + 1], y[i:i + 1])[1] - g_full) ** 2)))
        if len(sq) % 64 == 0:
            yield Step(phase, len(sq), len(sample))
    per_example = float(np.mean(sq))
    var, cos, spread = [], [], []
    for b in sizes:
        d2, c = [], []
        for _ in range(n_batches):
            idx = rng.choice(n, b, replace=False)
            _, g, _ = mlp.loss_and_grad(params, x[idx], y[idx])
            g = g.astype(np.float64)
            d2.append(float(np.sum((g - g_full) ** 2)))
            c.append(float(g @ g_full / (np.linalg.norm(g) * np.linalg.norm(g_full) + 1e-30)))
        var.append(np.mean(d2))
        cos.append(np.mean(c))
        spread.append(np.percentile(c, [10, 90]))
        yield Step(phase + 1, len(var), len(sizes))
    return Noise(list(sizes), np.array(var), np.array(cos), np.array(spread).T, per_example,
                 float(np.linalg.norm(g_full)))


def gradient_noise(*args, **kwargs) -> Noise:
    """``gradient_noise_steps`` computed at once."""
    return run_to_end(gradient_noise_steps(*args, **kwargs))


def loglog_slope(sizes, values) -> float:
    """Least-squares slope of log(values) against log(sizes)."""
    return float(np.polyfit(np.log(np.asarray(sizes, float)), np.log(np.asarray(values, float)), 1)[0])


# 3. A two-parameter model: logistic regression without bias, p(y = 1 | x) = σ(w·x).
def two_blobs(n: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """n points in 2-D, two overlapping elongated classes (labels ±1), so the loss has a finite
    minimum and a tilted, stretched valley."""
    y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    centre = np.array([1.0, 0.3])
    x = y[:, None] * centre + rng.normal(0, 1, (n, 2)) @ np.array([[1.0, 0.0], [0.6, 0.5]])
    return x, y


def logistic_loss(w: Array, x: Array, y: Array) -> Array:
    """Mean log(1 + exp(−y·w·x)) for every weight vector in ``w`` (..., 2); returns shape (...)."""
    margins = -(w @ x.T) * y  # (..., n)
    return np.mean(np.logaddexp(0.0, margins), axis=-1)


def logistic_grad(w: Array, x: Array, y: Array) -> Array:
    """Gradient of ``logistic_loss`` at every weight vector in ``w`` (..., 2): −mean(y·x·σ(−y·w·x))."""
    m = (w @ x.T) * y  # (..., n)
    s = np.exp(-np.logaddexp(0.0, m))  # σ(−m), stable
    return -((s * y) @ x) / len(x)


def sgd_paths(x: Array, y: Array, batch: int, lrs, epochs: int, start: tuple[float, float],
              rng: np.random.Generator) -> Array:
    """Plain SGD on the logistic loss at each learning rate of ``lrs`` (L,), all on the same
    batches: without replacement, reshuffled each epoch. Returns the points visited, (L, updates +
    1, 2); the first k epochs of a run are the run of k epochs."""
    n = len(x)
    lr = np.asarray(lrs, float)[:, None]
    w = np.tile(np.asarray(start, float), (len(lr), 1))
    points = [w]
    for _ in range(epochs):
        order = rng.permutation(n)
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            w = w - lr * logistic_grad(w, x[idx], y[idx])
            points.append(w)
    return np.stack(points, 1)


# 5. The landscape around two solutions.
def mlp_loss(mlp: MLP, params: Array, x: Array, y: Array) -> float:
    """Mean cross-entropy of (x, y) in inference mode, in blocks of 2000 examples."""
    total = 0.0
    for i in range(0, len(x), 2000):
        logits = mlp.predict(params, x[i:i + 2000])
        total += layers.softmax_cross_entropy(logits, y[i:i + 2000])[0] * len(logits)
    return total / len(x)


def interpolate(loss, a: Array, b: Array, alphas: Array) -> Array:
    """loss((1 − α)·a + α·b) for each α: α = 0 is a, α = 1 is b, outside is beyond them."""
    return np.array([loss(a if al == 0 else b if al == 1 else (1 - al) * a + al * b) for al in alphas])


def filter_direction(mlp: MLP, params: Array, rng: np.random.Generator) -> Array:
    """A random direction scaled, unit by unit, to the norm of the weights feeding each unit
    (filter normalisation, Li et al. 2018), so sharpness is comparable between solutions whose
    weights have different scales. Biases get no component."""
    d = np.zeros_like(params)
    for dv, pv in zip(mlp.views(d), mlp.views(params), strict=True):
        r = rng.standard_normal(pv.w.shape).astype(params.dtype)
        dv.w[...] = r / (np.linalg.norm(r, axis=0) + 1e-12) * np.linalg.norm(pv.w, axis=0)
    return d


def along(loss, centre: Array, direction: Array, ts: Array) -> Array:
    """loss(centre + t·direction) for each t."""
    return np.array([loss(centre + np.float32(t) * direction) for t in ts])


def basin_width(ts: Array, curve: Array, rise: float) -> float:
    """Width of the basin: the span of t (around t = 0) over which the loss stays within
    ``rise`` of its value at t = 0; the whole range if it never rises that much."""
    ts, curve = np.asarray(ts), np.asarray(curve)
    centre = int(np.argmin(np.abs(ts)))
    ok = curve <= curve[centre] + rise
    lo = centre
    while lo > 0 and ok[lo - 1]:
        lo -= 1
    hi = centre
    while hi < len(ts) - 1 and ok[hi + 1]:
        hi += 1
    return float(ts[hi] - ts[lo])




def scaled_lr(base_lr: float, batch: int, base_batch: int) -> float:
    """The linear scaling rule (Goyal et al. 2017): the learning rate grows with the batch."""
    return base_lr * batch / base_batch


def updates_per_epoch(n: int, batch: int) -> int:
    return math.ceil(n / batch)


# 4. Accuracy after the same number of epochs, batch by batch.
class SweepRun(NamedTuple):
    batch: int
    scaled: bool  # learning rate scaled with the batch (linear rule) or fixed
    lr: float
    key: train.RunKey


def accuracy_sweep(sizes: list[int], n_train: int, epochs: int, base_lr: float, hidden: tuple[int, ...],
                   seed: int, data) -> list[SweepRun]:
    """The runs of the sweep: SGD for ``epochs`` epochs at every batch size, with the learning rate
    fixed at ``base_lr`` and scaled linearly from the smallest batch. Same subset, initial weights
    and seed for all; at the smallest batch both rules are the same run."""
    n = min(n_train or len(data.x_train), len(data.x_train))
    runs = []
    for b in sizes:
        for scaled in (False, True):
            lr = scaled_lr(base_lr, b, sizes[0]) if scaled else base_lr
            # Full batches only (the trainer drops an epoch's incomplete last batch).
            cfg = train.RaceConfig((train.NetConfig("SGD", lr),), hidden, n, b, epochs * max(1, n // b), seed, 1)
            runs.append(SweepRun(b, scaled, lr, cfg.keys(data)[0]))
    return runs


# The page's longer experiments, as step generators (``optviz.jobs``): each piece is short, so the
# class shares one computation per setting and a page shows progress and partial results.
NOISE_PHASES = ("train", "per_example", "sizes")


def _sgd_run(data, n: int, batch: int, epochs: int, lr: float, seed: int) -> train.Run:
    cfg = train.RaceConfig((train.NetConfig("SGD", lr),), SMALL_NET, n, batch, epochs * max(1, n // batch), seed, 1)
    return train.Run(cfg.keys(data)[0], data)


def _train(run: train.Run, phase: int) -> Generator[Step, None, None]:
    while not run.done:
        run.advance(0.1)
        yield Step(phase, run.t, run.key.iterations)


def noise_steps(data, n: int, trained: bool, n_batches: int, seed: int) -> Generator[Step, None, Noise]:
    """Gradient noise of a 784-100-100-10 ReLU net on a seeded subset of n training images, at
    initialisation or after one epoch of SGD (batch 32, lr 0.05), for batch sizes spread from 1
    to just under n."""
    run = _sgd_run(data, n, 32, 1, 0.05, seed)
    if trained:
        yield from _train(run, 0)
    x, y = data.x_train[run.train_idx], data.y_train[run.train_idx]
    sizes = [b for b in log_sizes(n, 10) if b < n]
    return (yield from gradient_noise_steps(run.mlp, run.params, x, y, sizes, n_batches, np.random.default_rng(seed + 1), 1))


def noise_experiment(data, n: int, trained: bool, n_batches: int, seed: int) -> Noise:
    return run_to_end(noise_steps(data, n, trained, n_batches, seed))


SURFACE_BATCHES = (2, 5, 10, 20, 50)  # the small batches the Surfaces tab offers
SURFACE_LRS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
SURFACE_EPOCHS = (1, 2, 5, 10, 20)


class Surfaces(NamedTuple):
    """The Surfaces tab's whole neighbourhood: every offered batch, learning rate and length."""
    w1: Array  # (nx,) grid of the first weight
    w2: Array  # (ny,)
    full: Array  # (ny, nx) loss on all the data
    batches: Array  # (len(SURFACE_BATCHES), 3, ny, nx) losses of three single mini-batches of each size
    sizes: tuple[int, ...]  # batch sizes with a path: 1, SURFACE_BATCHES, then n
    paths: tuple[Array, ...]  # per size: (len(SURFACE_LRS), SURFACE_EPOCHS[-1] · updates per epoch + 1, 2)
    n: int  # examples
    x: Array  # (n, 2) the data, so a path's loss can be judged
    y: Array  # (n,) labels ±1

    def path(self, size: int, lr: int, epochs: int) -> Array:
        """The points visited with batch ``sizes[size]`` at ``SURFACE_LRS[lr]`` in ``epochs``, (k, 2)."""
        return self.paths[size][lr, :epochs * updates_per_epoch(self.n, self.sizes[size]) + 1]

    def final(self, size: int, lr: int, epochs: int) -> float:
        """The full-data loss where that path ends."""
        return float(logistic_loss(self.path(size, lr, epochs)[-1], self.x, self.y))


def surface_experiment(seed: int, box=((-2.5, 3.5), (-2.5, 4.5)), start=(-2.0, 4.0), n: int = 200,
                       resolution: int = 160) -> Surfaces:
    """The two-weight logistic regression of figure 3.12 (n examples): its loss on all the data and
    on three mini-batches of each offered size, and SGD from ``start`` with batch 1, each offered
    size and n, at every offered learning rate for the most epochs offered (shorter runs are its
    beginnings). About 0.4 s."""
    rng = np.random.default_rng(seed)
    x, y = two_blobs(n, rng)
    w1, w2 = np.linspace(*box[0], resolution), np.linspace(*box[1], resolution)
    grid = np.stack(np.meshgrid(w1, w2), -1)
    order = rng.permutation(n)
    batches = np.array([[logistic_loss(grid, x[p], y[p]) for p in (order[i * b:(i + 1) * b] for i in range(3))]
                        for b in SURFACE_BATCHES])
    sizes = (1, *SURFACE_BATCHES, n)
    paths = tuple(sgd_paths(x, y, b, SURFACE_LRS, SURFACE_EPOCHS[-1], start, np.random.default_rng(seed)) for b in sizes)
    return Surfaces(w1, w2, logistic_loss(grid, x, y), batches, sizes, paths, n, x, y)


class Landscape(NamedTuple):
    alphas: Array  # positions on the line: 0 the small-batch solution, 1 the large-batch one
    line: dict[str, Array]  # "train" / "test" -> loss at each alpha (empty until both are trained)
    ts: Array  # steps along the random directions
    around: dict[tuple[str, str], Array]  # ("small" | "large", "train" | "test") -> mean loss at each t
    width: dict[tuple[str, str], float]  # basin width (loss within 0.5 of its centre value)
    accuracy: dict[str, tuple[float, float]]  # "small" / "large" -> (train, test) accuracy


LANDSCAPE_PHASES = ("train_small", "around_small", "train_large", "around_large", "line")
DIRECTIONS = 3  # random directions averaged around each solution


def landscape_steps(data, small: int, large: int, n: int) -> Generator[Step, None, Landscape]:
    """Figure 3.13: one 784-100-100-10 net trained from the same start with a small batch (20
    epochs) and a large batch (400 epochs), SGD lr 0.1, on n images; the loss along three
    filter-normalised random directions around each solution, then on the line through both.
    The small batch's side comes first, so it can be shown while the large batch trains."""
    alphas, ts = np.linspace(-0.5, 1.5, 41), np.linspace(-1, 1, 31)
    line, around, width, accuracy, params = {}, {}, {}, {}, {}

    def snapshot() -> Landscape:  # copies: a page may read it while the next piece runs
        return Landscape(alphas, dict(line), ts, dict(around), dict(width), dict(accuracy))

    for k, (which, batch, epochs) in enumerate((("small", small, 20), ("large", large, 400))):
        run = _sgd_run(data, n, batch, epochs, 0.1, 0)
        yield from _train(run, 2 * k)
        if k == 0:
            mlp, idx = run.mlp, run.train_idx
            losses = {"train": functools.partial(mlp_loss, mlp, x=data.x_train[idx], y=data.y_train[idx]),
                      "test": functools.partial(mlp_loss, mlp, x=data.x_test, y=data.y_test)}
        params[which] = centre = run.params
        accuracy[which] = run.final
        for j, split in enumerate(losses):
            curves = []
            for d in range(DIRECTIONS):
                direction = filter_direction(mlp, centre, np.random.default_rng(d))
                curves.append(along(losses[split], centre, direction, ts))
                yield Step(2 * k + 1, j * DIRECTIONS + d + 1, 2 * DIRECTIONS)
            around[(which, split)] = np.mean(curves, 0)
            width[(which, split)] = float(np.mean([basin_width(ts, c, 0.5) for c in curves]))
            yield Step(2 * k + 1, (j + 1) * DIRECTIONS, 2 * DIRECTIONS, snapshot())
    for j, split in enumerate(losses):
        line[split] = interpolate(losses[split], params["small"], params["large"], alphas)
        yield Step(4, j + 1, 2, snapshot())
    return snapshot()
