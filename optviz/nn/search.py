"""Hyper-parameter random search, as in Deep Learning from Scratch §6.5: the learning rate and the
weight decay drawn log-uniformly, each trial a short training of the same network on a small
subset, judged on validation images held out from the training images (never the test set).

``steps`` is a step generator for ``optviz.jobs.Job``, so the class shares a search and it takes
its turns in the training line like every other computation.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optviz.jobs import Step
from optviz.nn.mlp import MLP
from optviz.optim.registry import make_optimizer

Array = np.ndarray

VALIDATION_SHARE = 0.2  # of the subset, held out to judge the trials
BOOK_DEFAULT = (0.01, 0.0)  # (lr, weight decay) the book's networks start from: the search's yardstick
EXPONENTS = tuple(range(-8, 1))  # log10 bounds a page offers for either range
PHASES = ("default", "trials")  # of ``steps``


@dataclass(frozen=True)
class SearchConfig:
    trials: int = 30
    n_images: int = 500  # training images used, VALIDATION_SHARE of them for validation
    epochs: int = 50
    batch: int = 100
    hidden: tuple[int, ...] = (100,) * 6  # the book's network, ReLU with He initial weights
    optimizer: str = "SGD"
    lr_exponents: tuple[int, int] = (-4, 0)  # lr = 10^u, u uniform between these
    wd_exponents: tuple[int, int] = (-8, -2)  # weight decay likewise
    seed: int = 0

    def __post_init__(self) -> None:
        if self.trials < 1 or self.epochs < 1 or self.batch < 1 or self.n_images < 10:
            raise ValueError("trials, epochs and batch must be positive, and at least 10 images used")
        for lo, hi in (self.lr_exponents, self.wd_exponents):
            if not lo <= hi:
                raise ValueError(f"a range's lower bound must not exceed its upper, got {lo} > {hi}")


class Trial(NamedTuple):
    lr: float
    weight_decay: float
    validation: Array  # (epochs,) validation accuracy after each epoch; nan from a divergence on
    train_acc: float  # on the training part of the subset at the end (nan if it diverged)

    @property
    def accuracy(self) -> float:
        """Validation accuracy at the end (nan: diverged)."""
        return float(self.validation[-1])


def draw(cfg: SearchConfig, k: int) -> tuple[float, float]:
    """(lr, weight decay) of trial k: log-uniform in the ranges, from its own seed, so the first
    trials of a longer search are those of a shorter one."""
    u = np.random.default_rng([cfg.seed, 7, k]).random(2)
    (a, b), (c, d) = cfg.lr_exponents, cfg.wd_exponents
    return float(10 ** (a + (b - a) * u[0])), float(10 ** (c + (d - c) * u[1]))


def split(cfg: SearchConfig, n_available: int) -> tuple[Array, Array]:
    """(training, validation) indices of the seeded subset of the training images."""
    n = min(cfg.n_images, n_available)
    order = np.random.default_rng([cfg.seed, 8]).permutation(n_available)[:n]
    n_val = max(1, round(n * VALIDATION_SHARE))
    return order[n_val:], order[:n_val]


def trial(cfg: SearchConfig, x: Array, y: Array, lr: float, weight_decay: float
          ) -> Generator[None, None, Trial]:
    """One training of the search's network with an L2 penalty λ/2·Σw² (λ·w joins the gradient),
    yielding after every epoch. ``x``, ``y`` are the subset's images (n, 784) and labels; the
    first of ``split``'s parts trains, the second validates. Every trial starts from the same
    weights and sees the same batches: only the two hyper-parameters differ."""
    train_idx, val_idx = split(cfg, len(x))
    mlp = MLP(784, cfg.hidden, 10, "relu", "he")
    params = mlp.init_params(np.random.default_rng([cfg.seed, 9]), np.float32)
    opt = make_optimizer(cfg.optimizer, lr)
    state, mask = opt.init(params), mlp.weight_mask()
    validation = np.full(cfg.epochs, np.nan)
    batch = min(cfg.batch, len(train_idx))
    for epoch in range(cfg.epochs):
        order = train_idx[np.random.default_rng([cfg.seed, 10, epoch]).permutation(len(train_idx))]
        with np.errstate(all="ignore"):  # a blow-up is an outcome here, reported as such
            for i in range(0, len(order) - batch + 1, batch):
                idx = order[i:i + batch]
                loss, grad, _ = mlp.loss_and_grad(params, x[idx], y[idx])
                if not np.isfinite(loss):
                    return Trial(lr, weight_decay, validation, float("nan"))
                grad += np.float32(weight_decay) * mask * params
                params, state = opt.step(params, grad, state)
            validation[epoch] = np.mean(mlp.predict(params, x[val_idx]).argmax(1) == y[val_idx])
        yield
    return Trial(lr, weight_decay, validation, float(np.mean(mlp.predict(params, x[train_idx]).argmax(1) == y[train_idx])))


class Search(NamedTuple):
    trials: tuple[Trial, ...]  # in the order drawn
    default: Trial  # the book's defaults on the same subset


def steps(cfg: SearchConfig, x: Array, y: Array) -> Generator[Step, None, Search]:
    """The book's defaults first (phase 0), then ``cfg.trials`` random trials (phase 1), yielding
    a Step every epoch; each finished trial adds to the partial ``Search``."""
    default = yield from _epochs(trial(cfg, x, y, *BOOK_DEFAULT), 0, 0, 1)
    done: list[Trial] = []
    for k in range(cfg.trials):
        done.append((yield from _epochs(trial(cfg, x, y, *draw(cfg, k)), 1, k, cfg.trials)))
        yield Step(1, k + 1, cfg.trials, Search(tuple(done), default))
    return Search(tuple(done), default)


def _epochs(run: Generator[None, None, Trial], phase: int, k: int, total: int) -> Generator[Step, None, Trial]:
    try:
        while True:
            next(run)
            yield Step(phase, k, total)
    except StopIteration as stop:
        return stop.value


def best(search: Search, n: int = 5) -> list[Trial]:
    """The ``n`` trials with the highest final validation accuracy (diverged ones never)."""
    ok = [t for t in search.trials if t.accuracy == t.accuracy]
    return sorted(ok, key=lambda t: -t.accuracy)[:n]
