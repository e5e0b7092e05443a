"""Training runs on MNIST, advanced in short time-boxed chunks so a live page can draw between
them, and the race settings a page offers.

A run is a pure function of its ``RunKey``: network settings, hidden sizes, training subset,
batch size, iterations, seed and the data set's fingerprint. That is what lets a whole class share
one run per key (``optviz.serve.store``).
"""

from __future__ import annotations

import copy
import pickle
import time
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from optviz import jobs
from optviz.nn import inside, landscape, sharpness
from optviz.nn.layers import ACTIVATIONS
from optviz.nn.mlp import MLP
from optviz.optim.registry import OPTIMIZERS, SCHEDULES, make_optimizer, make_schedule
from optviz.toy import rates

Array = np.ndarray

INITS = ("he", "xavier", "1", "0.1", "0.01", "0.001", "0.0001")  # a name, or a fixed weight std
MAX_RACE_PARAMS = 2_000_000  # parameters of all a race's networks together: each lives in server memory with
# its optimizer state (Adam: 3 copies), per student (30 races of this size take about 0.7 GB)
EVAL_SAMPLES = 1000  # images per accuracy estimate during the run (train subset and test set)
FINAL_SAMPLES = 10000  # images per accuracy figure when the run ends
CHANCE_LEVEL = 0.12  # accuracy at or below this on ten balanced classes (chance: 0.10): nothing learned

@dataclass(frozen=True)
class NetConfig:
    """One contestant: how its network is built, regularised and optimised."""

    optimizer: str = "Adam"
    lr: float = 0.001
    init: str = "he"  # one of INITS
    activation: str = "relu"
    batchnorm: bool = False
    dropout: float = 0.0  # probability of dropping a hidden unit while training
    # λ on weights, never biases or batch-norm parameters: an L2 penalty (loss + λ/2·Σw², so λ·w joins
    # the gradient) for every optimizer but AdamW, which decays the weights directly (decoupled).
    weight_decay: float = 0.0
    schedule: str = "constant"  # key of registry.SCHEDULES

    def mlp(self, hidden: tuple[int, ...]) -> MLP:
        init = self.init if self.init in ("he", "xavier") else float(self.init)
        return MLP(784, hidden, 10, self.activation, init, self.batchnorm, self.dropout)

    @property
    def decoupled(self) -> bool:
        """Whether ``weight_decay`` shrinks the weights directly (AdamW) instead of adding λ·w to the gradient."""
        return OPTIMIZERS[self.optimizer].decoupled

    def optimizer_object(self):
        """The optimizer with PyTorch's defaults for everything but lr (momentum 0.9); AdamW's own
        decay is off, as the race applies ``weight_decay`` to the weights alone."""
        return make_optimizer(self.optimizer, self.lr, **({"weight_decay": 0.0} if self.decoupled else {}))


class Change(NamedTuple):
    """From iteration ``at`` on, the run trains with ``net`` (same network: only the optimizer, its
    learning rate and the schedule may differ). A new optimizer starts with fresh state; a new
    schedule is read at the run's own iteration, as if it had been set from the start."""

    at: int
    net: NetConfig


CHANGEABLE = ("optimizer", "lr", "schedule")


@dataclass(frozen=True)
class RunKey:
    """Everything a training run's numbers depend on, its whole history of mid-run changes
    included: equal keys give bitwise-equal runs."""

    net: NetConfig
    hidden: tuple[int, ...]
    n_train: int  # images in the seeded training subset (never 0 here)
    batch: int  # at most n_train
    iterations: int
    seed: int
    evals: int  # accuracy measurements spread over the run
    data: str  # the data set's fingerprint
    changes: tuple[Change, ...] = ()  # in the order of their iterations

    def __post_init__(self) -> None:
        nets = [self.net] + [c.net for c in self.changes]
        ats = [0] + [c.at for c in self.changes]
        if any(b <= a for a, b in zip(ats, ats[1:], strict=False)) or ats[-1] >= self.iterations:
            raise ValueError(f"changes must come at rising iterations inside the run, got {ats[1:]}")
        for before, after in zip(nets, nets[1:], strict=False):
            if replace(before, **{f: getattr(after, f) for f in CHANGEABLE}) != after:
                raise ValueError(f"only {', '.join(CHANGEABLE)} may change mid-run")

    def changed(self, net: NetConfig, at: int) -> RunKey:
        """This key with one more change: ``net`` from iteration ``at`` on."""
        return replace(self, changes=self.changes + (Change(at, net),))

    def net_at(self, t: int) -> NetConfig:
        """The settings iteration t trains with."""
        return next((c.net for c in reversed(self.changes) if c.at <= t), self.net)


@dataclass(frozen=True)
class RaceConfig:
    """Networks that race on the same mini-batches: each is its own run (``keys``)."""

    nets: tuple[NetConfig, ...]
    hidden: tuple[int, ...] = (100, 100, 100, 100)
    n_train: int = 0  # training images used (a seeded random subset); 0 = all
    batch: int = 128
    iterations: int = 2000
    seed: int = 0
    evals: int = 20

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
        if batchnorm_alone(self.nets, self.batch):
            raise ValueError("batch norm needs a batch of at least 2 images")

    def keys(self, data) -> tuple[RunKey, ...]:
        """One run key per network, on ``data`` (an ``optviz.serve.data.Mnist``)."""
        n, batch = subset(self.n_train, self.batch, len(data.x_train))
        return tuple(RunKey(net, self.hidden, n, batch, self.iterations, self.seed, self.evals, data.fingerprint)
                     for net in self.nets)


def subset(n_train: int, batch: int, available: int) -> tuple[int, int]:
    """(images, batch) a race uses of ``available`` training images: ``n_train`` of them (0: all),
    in batches of at most that many."""
    n = min(n_train or available, available)
    return n, min(batch, n)


def epochs(iterations: int, n_train: int, batch: int, available: int) -> float:
    """Passes over its training images that ``iterations`` mini-batches make."""
    n, batch = subset(n_train, batch, available)
    return iterations * batch / n


def batchnorm_alone(nets: tuple[NetConfig, ...], batch: int) -> bool:
    """Whether a network normalises batches of one image (its statistics would be the image itself)."""
    return batch < 2 and any(net.batchnorm for net in nets)


class Run:
    """One network trained on ``key``'s mini-batches, keeping everything a page shows as it goes.

    Every run with the same subset, batch size and seed draws the same batches in the same order
    (``batch_indices`` depends on nothing else), so the contestants of a race are independent runs
    that still see identical batches. ``data`` is read, never written or copied.
    """

    def __init__(self, key: RunKey, data) -> None:
        self.key, self.data = key, data
        net, seed = key.net, key.seed
        self.train_idx = np.random.default_rng([seed, 3]).permutation(len(data.x_train))[:key.n_train].astype(np.int32)
        self.probe_idx = self.train_idx[:max(inside.PROBE, landscape.IMAGES)]  # kept when the rest goes
        self.mlp = net.mlp(key.hidden)
        self.optimizer = net.optimizer_object()
        self.schedule = make_schedule(net.schedule, key.iterations)
        self.net = net  # the settings of the current iteration (``key.net`` until a change)
        self.params: Array | None = self.mlp.init_params(np.random.default_rng([seed, 0]), np.float32)
        self.opt_state = self.optimizer.init(self.params)
        self._weights = self.mlp.weight_mask() if net.weight_decay else None  # 1 on weights, 0 elsewhere
        self.bn_state = self.mlp.init_bn_state() if net.batchnorm else None
        self.dropout_rng = np.random.default_rng([seed, 1])
        self.losses = np.full(key.iterations, np.nan, np.float32)  # batch loss before each update
        self.t = 0  # iterations done
        self.eval_at: list[int] = []  # iterations at which accuracy was measured
        self.train_acc: list[float] = []  # on EVAL_SAMPLES images of the training subset
        self.test_acc: list[float] = []
        self.final: tuple[float, float] | None = None  # (train, test) accuracy once finished; nan if diverged
        self.test_pred: Array | None = None  # (EVAL_SAMPLES,) int8 digits predicted for the first test images
        self.diverged_at: int | None = None  # iteration whose loss was nan or inf
        self.error: str | None = None  # what its step raised, if it did: it trains no further
        self.seconds = 0.0  # compute time spent in this run
        self._perm: tuple[int, Array] = (-1, np.zeros(0, np.int32))  # (epoch, its shuffled order)
        self.every = inside.interval(key.iterations, key.batch)  # iterations between two looks inside
        self.snapshots: list[inside.Snapshot] = []  # appended only: a reader copies the list first
        self.moves: list[inside.Move] = []  # the update of every snapshot's iteration
        self.path = landscape.Path(self.params)  # its weights at the looks inside (Folded once compacted)
        self.tracker: sharpness.Tracker | None = None  # λmax on the probe at the looks, once someone asks
        self.partial = False  # a view of a run another replica trains (``checkpoint(full=False)``): never trained

    @property
    def done(self) -> bool:
        """Finished, with its final accuracies (set last, so another thread never sees a half-done end)."""
        return self.final is not None

    @property
    def lockstep(self) -> tuple:
        """Runs with equal values take the same batch next and may be advanced together."""
        k = self.key
        return k.n_train, k.batch, k.seed, k.iterations, k.data, self.t

    @property
    def progress(self) -> tuple[int, int, int]:
        """(phase, done, total): one phase, counted in iterations."""
        return 0, self.t, self.key.iterations

    @property
    def epoch(self) -> float:
        return epochs(self.t, self.key.n_train, self.key.batch, self.key.n_train)

    def batch_indices(self, t: int) -> Array:
        """Training images of iteration t: epoch e = t // (n // B) walks a permutation drawn from
        (seed, e) in slices of B; an incomplete last slice is dropped."""
        per_epoch = self.key.n_train // self.key.batch
        epoch, pos = divmod(t, per_epoch)
        if self._perm[0] != epoch:
            self._perm = (epoch, np.random.default_rng([self.key.seed, 2, epoch]).permutation(self.key.n_train)
                          .astype(np.int32))
        b = self.key.batch
        return self.train_idx[self._perm[1][pos * b:(pos + 1) * b]]

    def advance(self, seconds: float, companions: tuple[Run, ...] = ()) -> int:
        """Train this run and ``companions`` (runs with the same ``lockstep``) on the same batches
        for about ``seconds`` of wall time (at least one iteration) or to the end; returns the
        iterations done. A run whose loss turns nan or inf stops there; one whose step raises is
        set aside with ``error`` (its companions go on)."""
        runs = [self, *companions]
        if any(r.lockstep != self.lockstep for r in companions):
            raise ValueError("only runs in lockstep advance together")
        if any(r.partial for r in runs):
            raise ValueError("a view of another replica's run does not train")
        start = time.perf_counter()
        done = 0
        x_train, y_train = self.data.x_train, self.data.y_train
        while (runs := [r for r in runs if not r.done and r.error is None]) and (
                done == 0 or time.perf_counter() - start < seconds):
            idx = runs[0].batch_indices(runs[0].t)
            x, y = x_train[idx], y_train[idx]
            for r in runs:
                try:
                    r._step(x, y)
                except Exception as err:  # noqa: BLE001 - shown to the run's own watchers
                    r.error = f"{type(err).__name__}: {err}"
            done += 1
        return done

    def branch(self, key: RunKey) -> Run:
        """The run of ``key``, this run's key with one more change at this run's iteration, from a
        copy of this run's state: the iterations before the change are not trained again. Arrays
        are shared (no step writes into one), lists and the dropout generator copied."""
        if self.done or key.changes[:-1] != self.key.changes or replace(key, changes=self.key.changes) != self.key \
                or key.changes[-1].at != self.t:
            raise ValueError("a branch adds one change to an unfinished run, at the iteration it has reached")
        new = copy.copy(self)
        new.key, new.losses, new.dropout_rng = key, self.losses.copy(), copy.deepcopy(self.dropout_rng)
        new.eval_at, new.train_acc, new.test_acc = list(self.eval_at), list(self.train_acc), list(self.test_acc)
        new.snapshots, new.moves, new.path = list(self.snapshots), list(self.moves), self.path.copy()
        new.tracker = self.tracker and self.tracker.copy()
        return new

    def checkpoint(self, full: bool = True) -> bytes:
        """Everything its next step reads (weights, optimizer and batch-norm state, dropout
        generator, iteration, curves), as bytes; the data set is not in it. Not ``full``: only what
        a page draws (a view, about a fifth of the size), which never trains. Pickled: only the
        app's own replicas write where checkpoints are kept (``optviz.serve.replicas``)."""
        state = self.__dict__.copy()
        del state["data"]
        if not full:
            state |= {"opt_state": None, "_weights": None, "train_idx": np.zeros(0, np.int32),
                      "_perm": (-1, np.zeros(0, np.int32)), "path": landscape.Path(np.zeros(0, np.float32)),
                      "partial": True}
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def restore(cls, blob: bytes, data) -> Run:
        """The run of ``checkpoint`` on ``data`` (which must be the data set its key names): its
        next steps are those the checkpointed run would have taken, bit for bit."""
        run = cls.__new__(cls)
        run.__dict__.update(pickle.loads(blob))
        if run.key.data != data.fingerprint:
            raise ValueError(f"the checkpoint is of a run on {run.key.data}, not {data.fingerprint}")
        run.data = data
        return run

    def track_sharpness(self) -> None:
        """Measure λmax at the looks inside from now on (for every watcher: it changes no number
        of the training, only its cost, by at most ``sharpness.SHARE``)."""
        if self.tracker is None:
            self.tracker = sharpness.Tracker()

    def stability_limit(self, t: int) -> float:
        """The largest λmax the optimizer of iteration ``t`` is stable under on a quadratic, with
        its scheduled learning rate there; nan for the adaptive optimizers (their steps are scaled
        weight by weight, so no one number of the Hessian bounds them)."""
        net = self.key.net_at(t)
        opt = net.optimizer_object()
        if not hasattr(opt, "nesterov"):
            return float("nan")
        return rates.stability_limit(opt.lr * make_schedule(net.schedule, self.key.iterations)(t), opt.momentum,
                                     opt.nesterov)

    def landscape_images(self, n: int) -> tuple[Array, Array]:
        """The training images (float32) and labels the plane of its path is drawn on, for a grid
        of n × n: the first of its subset, as many as ``landscape.images_for`` affords."""
        idx = self.probe_idx[:landscape.images_for(self.mlp.size, n)]
        return self.data.x_train[idx].astype(np.float32), self.data.y_train[idx]

    def plane(self, n: int = 15) -> tuple[landscape.Plane, Array, Array, Array]:
        """The loss on the plane of its own path so far, around its present weights (a finished
        or paused run): (plane, xs (n,), ys (n,), losses (n, n), row = y)."""
        flat = self.path.plane(self.params)
        return flat, *landscape.grid(flat, landscape.loss_of(self.mlp, *self.landscape_images(n)), n)

    def _switch(self, net: NetConfig) -> None:
        if net.optimizer != self.net.optimizer:
            self.opt_state = net.optimizer_object().init(self.params)
        self.optimizer = net.optimizer_object()
        self.schedule = make_schedule(net.schedule, self.key.iterations)
        self.net = net

    def _step(self, x: Array, y: Array) -> None:
        start = time.perf_counter()
        for change in self.key.changes:
            if change.at == self.t:
                self._switch(change.net)
        with np.errstate(all="ignore"):
            loss, grad, self.bn_state = self.mlp.loss_and_grad(self.params, x, y, self.dropout_rng, self.bn_state)
            if np.isfinite(loss):
                net = self.net
                lr = self.optimizer.lr * self.schedule(self.t)
                params = self.params
                if net.weight_decay and net.decoupled:  # AdamW: W ← W·(1 − η·λ), then the Adam step
                    params = params - np.float32(lr * net.weight_decay) * self._weights * params
                elif net.weight_decay:  # L2 penalty: λ·W joins the gradient
                    grad += np.float32(net.weight_decay) * self._weights * params
                looking = self.t % self.every == 0
                if looking:
                    self._look()
                before = self.params
                self.params, self.opt_state = self.optimizer.step(params, grad, self.opt_state, lr=lr)
                if looking:
                    self.moves.append(inside.move(self.mlp, before, self.params, grad, lr, self.t))
        self.losses[self.t] = loss
        if self.tracker is not None:
            self.tracker.trained_on(len(x))
        if np.isfinite(loss):
            self.t += 1
            every = max(1, self.key.iterations // self.key.evals)
            if self.t % every == 0 or self.t == self.key.iterations:
                self._evaluate()
        else:
            self.diverged_at, self.t = self.t, self.key.iterations  # nothing more to learn from it
        if self.t >= self.key.iterations:
            self._finish()
        self.seconds += time.perf_counter() - start

    def _look(self) -> None:
        probe = self.probe_idx[:inside.PROBE]
        x, labels = self.data.x_train[probe], self.data.y_train[probe]
        self.snapshots.append(inside.snapshot(self.mlp, self.params, x, labels, self.t))
        self.path.offer(self.t, self.params)
        if self.tracker is not None:
            self.tracker.offer(self.mlp, self.params, x, labels, self.t, self.stability_limit(self.t))

    def _evaluate(self) -> None:
        train_acc, test_acc = self._accuracy(EVAL_SAMPLES)
        self.eval_at.append(self.t)
        self.train_acc.append(train_acc)
        self.test_acc.append(test_acc)

    def _accuracy(self, n: int) -> tuple[float, float]:
        if self.diverged_at is not None:
            return np.nan, np.nan
        d, idx = self.data, self.train_idx[:n]
        return (float(np.mean(self.predict(d.x_train[idx]) == d.y_train[idx])),
                float(np.mean(self.predict(d.x_test[:n]) == d.y_test[:n])))

    def _finish(self) -> None:
        if self.diverged_at is None:
            self._look()
        self.test_pred = self.predict(self.data.x_test[:EVAL_SAMPLES]).astype(np.int8)
        self.opt_state = self._weights = None  # no longer needed
        self.final = self._accuracy(FINAL_SAMPLES)

    def predict(self, x: Array) -> Array:
        """Predicted digits of x (n, 784), in inference mode, in blocks of 2000 images."""
        with np.errstate(all="ignore"):
            return np.concatenate([self.mlp.predict(self.params, x[i:i + 2000], self.bn_state).argmax(1)
                                   for i in range(0, len(x), 2000)])

    def compact(self) -> None:
        """Drop the batch order of a finished run and fold its path into the plane it draws; what a
        page shows (its final weights among it) stays."""
        if self.done:
            self.train_idx, self._perm = np.zeros(0, np.int32), (-1, np.zeros(0, np.int32))
            if self.diverged_at is not None:  # a diverged run's plane is never drawn
                self.path = landscape.Path(np.zeros(0, np.float32))
            else:
                self.path = self.path.fold(self.params)

    @property
    def nbytes(self) -> int:
        """Memory held by this run's own arrays (the data set is shared and not counted)."""
        arrays = [self.params, self.losses, self.train_idx, self.probe_idx, self.test_pred, self._perm[1],
                  self.snapshots, self.moves]
        if self.opt_state is not None:
            arrays.append(self.opt_state)
        return jobs.nbytes(arrays) + self.path.nbytes + (self.tracker.nbytes if self.tracker else 0)

    @property
    def iterations_per_second(self) -> float:
        """Compute speed of this run alone (time spent waiting for a turn not counted)."""
        return self.t / self.seconds if self.seconds else 0.0


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
    """Hidden sizes from text like "100, 100, 50"; None unless 1–8 sizes of 1–1024 units, written
    in ASCII digits separated by single commas (no "100,,100", "1_000" or full-width digits)."""
    parts = text.replace(" ", "").split(",")
    if not all(p.isascii() and p.isdigit() for p in parts):
        return None
    sizes = tuple(int(p) for p in parts)
    if not 1 <= len(sizes) <= MAX_LAYERS or not all(1 <= s <= MAX_UNITS for s in sizes):
        return None
    return sizes


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
