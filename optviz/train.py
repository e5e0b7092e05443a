"""Several networks trained in lockstep on the same mini-batches, advanced in short time-boxed
chunks so a live page can draw between them.

A ``Race`` owns all mutable training state of one student's run (parameters, optimizer states,
loss history); the MNIST arrays are passed in on every call and never copied or written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from optviz import schedules as sch
from optviz.layers import ACTIVATIONS
from optviz.mlp import MLP
from optviz.registry import OPTIMIZERS, make_optimizer

Array = np.ndarray

INITS = ("he", "xavier", "1", "0.1", "0.01", "0.001", "0.0001")  # a name, or a fixed weight std
MAX_RACE_PARAMS = 2_000_000  # parameters of all a race's networks together: each lives in server memory with
# its optimizer state (Adam: 3 copies), per student (30 races of this size take about 0.7 GB)
EVAL_SAMPLES = 1000  # images per accuracy estimate during the run (train subset and test set)
FINAL_SAMPLES = 10000  # images per accuracy figure when the run ends

# Learning-rate schedules over a run of n iterations.
SCHEDULES = {
    "constant": lambda n: sch.Constant(),
    "step": lambda n: sch.StepDecay(step_size=max(1, n // 3), gamma=0.2),
    "cosine": lambda n: sch.Cosine(t_max=max(1, n)),
    "warmup": lambda n: sch.Warmup(warmup_steps=max(1, n // 10)),
    "exponential": lambda n: sch.Exponential(gamma=0.01 ** (1 / max(1, n))),
}


@dataclass(frozen=True)
class NetConfig:
    """One contestant: how its network is built, regularised and optimised."""

    optimizer: str = "Adam"
    lr: float = 0.001
    init: str = "he"  # one of INITS
    activation: str = "relu"
    batchnorm: bool = False
    dropout: float = 0.0  # probability of dropping a hidden unit while training
    weight_decay: float = 0.0  # L2 strength λ: loss + λ/2·Σw² over weights, not biases
    schedule: str = "constant"  # key of SCHEDULES

    def mlp(self, hidden: tuple[int, ...]) -> MLP:
        init = self.init if self.init in ("he", "xavier") else float(self.init)
        return MLP(784, hidden, 10, self.activation, init, self.batchnorm, self.dropout)

    def optimizer_object(self):
        """The optimizer with PyTorch's defaults for everything but lr (momentum 0.9)."""
        return make_optimizer(self.optimizer, self.lr)


@dataclass(frozen=True)
class RaceConfig:
    nets: tuple[NetConfig, ...]
    hidden: tuple[int, ...] = (100, 100, 100, 100)
    n_train: int = 0  # training images used (a seeded random subset); 0 = all
    batch: int = 128
    iterations: int = 2000
    seed: int = 0
    evals: int = 20  # accuracy measurements spread over the run

    @property
    def parameters(self) -> int:
        """Weights, biases and batch-norm parameters of all the networks together."""
        return sum(net.mlp(self.hidden).size for net in self.nets)

    def __post_init__(self) -> None:
        if not 1 <= len(self.nets) <= 6:
            raise ValueError("a race has 1 to 6 networks")
        if self.batch < 1 or self.iterations < 1 or self.n_train < 0 or self.evals < 1:
            raise ValueError("batch, iterations and evals must be positive")
        for net in self.nets:
            if net.init not in INITS or net.schedule not in SCHEDULES:
                raise ValueError(f"unknown init or schedule in {net}")


@dataclass
class Runner:
    """Training state of one network."""

    config: NetConfig
    mlp: MLP
    optimizer: object
    schedule: sch.Schedule
    params: Array
    opt_state: tuple | None
    bn_state: object
    rng: np.random.Generator  # dropout masks
    seconds: float = 0.0  # time spent in this network's steps
    diverged_at: int | None = None  # iteration whose loss was nan or inf

    def step(self, x: Array, y: Array, t: int) -> float:
        """One update on batch (x, y) at iteration t; returns the batch loss (before the update)."""
        start = time.perf_counter()
        with np.errstate(all="ignore"):
            loss, grad, self.bn_state = self.mlp.loss_and_grad(self.params, x, y, self.rng, self.bn_state)
            if np.isfinite(loss):
                lam = self.config.weight_decay
                if lam:
                    for g, p in zip(self.mlp.views(grad), self.mlp.views(self.params), strict=True):
                        g.w[...] += np.float32(lam) * p.w
                lr = self.optimizer.lr * self.schedule(t)
                self.params, self.opt_state = self.optimizer.step(self.params, grad, self.opt_state, lr=lr)
            else:
                self.diverged_at = t
        self.seconds += time.perf_counter() - start
        return float(loss)

    def accuracy(self, x: Array, y: Array) -> float:
        """Share of (x, y) classified correctly, in inference mode, in blocks of 2000 images."""
        return float(np.mean(self.predict(x) == y))

    def predict(self, x: Array) -> Array:
        with np.errstate(all="ignore"):
            return np.concatenate([self.mlp.predict(self.params, x[i:i + 2000], self.bn_state).argmax(1)
                                   for i in range(0, len(x), 2000)])


@dataclass
class Race:
    """Lockstep training of ``config.nets`` on the same shuffled mini-batches."""

    config: RaceConfig
    train_idx: Array  # the training images used, (n,) int32
    runners: list[Runner]
    losses: Array  # (nets, iterations) float32, nan where not trained (yet)
    batch_rng: np.random.Generator
    perm: Array = field(default_factory=lambda: np.zeros(0, np.int32))
    pos: int = 0
    t: int = 0  # iterations done
    epoch: int = 0
    eval_at: list[int] = field(default_factory=list)  # iterations at which accuracy was measured
    train_acc: list[list[float]] = field(default_factory=list)  # per measurement, per net
    test_acc: list[list[float]] = field(default_factory=list)
    final: list[tuple[float, float]] | None = None  # (train, test) accuracy per net once finished
    test_pred: Array | None = None  # (nets, EVAL_SAMPLES) digits predicted for the first test images, once finished
    seconds: float = 0.0  # wall time spent advancing

    @property
    def done(self) -> bool:
        return self.t >= self.config.iterations

    @property
    def batch(self) -> int:
        return min(self.config.batch, len(self.train_idx))

    def _next_batch(self) -> Array:
        if self.pos + self.batch > len(self.perm):
            self.perm = self.batch_rng.permutation(len(self.train_idx)).astype(np.int32)
            self.pos = 0
            self.epoch += 1
        idx = self.train_idx[self.perm[self.pos:self.pos + self.batch]]
        self.pos += self.batch
        return idx

    def _measure(self, x_train: Array, y_train: Array, x_test: Array, y_test: Array, n: int) -> list[list[float]]:
        tr = self.train_idx[:n]
        xt, yt = x_train[tr], y_train[tr]
        return [[r.accuracy(xt, yt) if r.diverged_at is None else np.nan for r in self.runners],
                [r.accuracy(x_test[:n], y_test[:n]) if r.diverged_at is None else np.nan for r in self.runners]]

    def evaluate(self, x_train, y_train, x_test, y_test) -> None:
        """Record train and test accuracy of every network at the current iteration."""
        train, test = self._measure(x_train, y_train, x_test, y_test, EVAL_SAMPLES)
        self.eval_at.append(self.t)
        self.train_acc.append(train)
        self.test_acc.append(test)

    def advance(self, x_train: Array, y_train: Array, x_test: Array, y_test: Array, seconds: float) -> int:
        """Train for about ``seconds`` of wall time (at least one iteration) or to the end of the
        run; returns the iterations done. Diverged networks stop, the others go on."""
        start = time.perf_counter()
        every = max(1, self.config.iterations // self.config.evals)
        done = 0
        while not self.done and (done == 0 or time.perf_counter() - start < seconds):
            idx = self._next_batch()
            x, y = x_train[idx], y_train[idx]
            for k, runner in enumerate(self.runners):
                if runner.diverged_at is None:
                    self.losses[k, self.t] = runner.step(x, y, self.t)
            self.t += 1
            done += 1
            if self.t % every == 0 or self.done:
                self.evaluate(x_train, y_train, x_test, y_test)
        if self.done and self.final is None:
            train, test = self._measure(x_train, y_train, x_test, y_test, FINAL_SAMPLES)
            self.final = list(zip(train, test, strict=True))
            self.test_pred = np.stack([r.predict(x_test[:EVAL_SAMPLES]) for r in self.runners]).astype(np.int8)
            for r in self.runners:
                r.opt_state = None  # no longer needed: keep a finished run small
        self.seconds += time.perf_counter() - start
        return done

    @property
    def iterations_per_second(self) -> float:
        return self.t / self.seconds if self.seconds else 0.0


def new_race(config: RaceConfig, n_available: int) -> Race:
    """A race at iteration 0. Every network whose architecture and init match starts from the same
    weights; the training subset, batch order and dropout masks follow from ``config.seed``."""
    n = min(config.n_train or n_available, n_available)
    train_idx = np.random.default_rng([config.seed, 3]).permutation(n_available)[:n].astype(np.int32)
    runners = []
    for k, net in enumerate(config.nets):
        mlp = net.mlp(config.hidden)
        params = mlp.init_params(np.random.default_rng([config.seed, 0]), np.float32)
        opt = net.optimizer_object()
        runners.append(Runner(net, mlp, opt, SCHEDULES[net.schedule](config.iterations), params, opt.init(params),
                              mlp.init_bn_state() if net.batchnorm else None, np.random.default_rng([config.seed, 1, k])))
    losses = np.full((len(config.nets), config.iterations), np.nan, np.float32)
    return Race(config, train_idx, runners, losses, np.random.default_rng([config.seed, 2]))


def smooth(values: Array, window: int) -> Array:
    """Trailing moving average over ``window`` points (fewer at the start); nan stays nan."""
    v = np.asarray(values, np.float64)
    ok = np.isfinite(v)
    c = np.concatenate([[0.0], np.cumsum(np.where(ok, v, 0.0))])
    k = np.concatenate([[0], np.cumsum(ok)])
    i = np.arange(1, len(v) + 1)
    lo = np.maximum(i - window, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (c[i] - c[lo]) / (k[i] - k[lo])
    return np.where(ok, out, np.nan)


MAX_LAYERS, MAX_UNITS = 8, 1024


def parse_hidden(text: str) -> tuple[int, ...] | None:
    """Hidden sizes from text like "100, 100, 50"; None unless 1–8 sizes of 1–1024 units."""
    try:
        sizes = tuple(int(s) for s in text.replace(" ", "").split(",") if s)
    except ValueError:
        return None
    if not 1 <= len(sizes) <= MAX_LAYERS or not all(1 <= s <= MAX_UNITS for s in sizes):
        return None
    return sizes


_FIELDS = ("optimizer", "lr", "init", "activation", "batchnorm", "dropout", "weight_decay", "schedule")


def describe(net: NetConfig, field_name: str) -> str:
    """One setting of ``net`` in a few characters ("" for a regulariser that is off)."""
    v = getattr(net, field_name)
    return {
        "optimizer": lambda: f"{v}",
        "lr": lambda: f"lr {v:g}",
        "init": lambda: v.capitalize() if v in ("he", "xavier") else f"std {float(v):g}",
        "activation": lambda: v,
        "batchnorm": lambda: "BN" if v else "",
        "dropout": lambda: f"dropout {v:g}" if v else "",
        "weight_decay": lambda: f"L2 λ {v:g}" if v else "",
        "schedule": lambda: v,
    }[field_name]()


def labels(nets: tuple[NetConfig, ...]) -> list[str]:
    """Short unique names that show what sets each network apart from the others."""
    varying = [f for f in _FIELDS if len({getattr(n, f) for n in nets}) > 1]
    if not varying:
        varying = ["optimizer"]
    names = [" · ".join(filter(None, (describe(n, f) for f in varying))) or describe(n, "optimizer") for n in nets]
    return [f"{name} #{k + 1}" if names.count(name) > 1 else name for k, name in enumerate(names)]


def net_from_row(row: dict) -> NetConfig:
    """A contestant from one row of the page's table; a blank or out-of-range cell takes the
    default (the table's own validation should not let one through, but a page never crashes)."""
    d = NetConfig()

    def pick(name, options):
        v = row.get(name)
        return v if v in options else getattr(d, name)

    def number(name, lo, hi):
        v = row.get(name)
        try:
            v = float(v)
        except (TypeError, ValueError):
            return getattr(d, name)
        return min(max(v, lo), hi) if np.isfinite(v) else getattr(d, name)

    return NetConfig(optimizer=pick("optimizer", OPTIMIZERS), lr=number("lr", 1e-5, 10.0), init=pick("init", INITS),
                     activation=pick("activation", ACTIVATIONS), batchnorm=bool(row.get("batchnorm") or False),
                     dropout=number("dropout", 0.0, 0.9), weight_decay=number("weight_decay", 0.0, 1.0),
                     schedule=pick("schedule", SCHEDULES))
