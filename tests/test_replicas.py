"""Runs shared by replicas: a checkpoint holds everything the next step reads, one owner per run
under concurrent claims from several processes, and a run trained through a hand-over (its owner
killed mid-run) equal, bit for bit, to one that was never interrupted."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import time
import uuid

import numpy as np
import pytest

from optviz import replicas, train
from optviz.train import NetConfig, RaceConfig

CONFIG = RaceConfig((NetConfig("Adam", 0.003, batchnorm=True, dropout=0.2),), hidden=(16, 16), batch=32,
                    iterations=600, evals=4, seed=2)
LONG = dataclasses.replace(CONFIG, iterations=4000)  # long enough to be killed mid-run


def finished(run: train.Run) -> train.Run:
    while not run.done:
        run.advance(10.0)
    return run


def same(a: train.Run, b: train.Run) -> None:
    assert np.array_equal(a.losses, b.losses) and np.array_equal(a.params, b.params)
    assert a.train_acc == b.train_acc and a.test_acc == b.test_acc and a.final == b.final
    assert np.array_equal(a.test_pred, b.test_pred) and [s.t for s in a.snapshots] == [s.t for s in b.snapshots]
    assert all(np.array_equal(x.act, y.act) for x, y in zip(a.snapshots, b.snapshots, strict=True))
    assert a.tracker.values == b.tracker.values


def test_a_restored_checkpoint_goes_on_exactly_as_the_run_would_have(toy_digits):
    key = CONFIG.keys(toy_digits)[0]
    whole = train.Run(key, toy_digits)
    whole.track_sharpness()
    finished(whole)
    part = train.Run(key, toy_digits)
    part.track_sharpness()
    while part.t < 237:  # mid-epoch, between two looks inside, with dropout and batch-norm state
        part.advance(0.0)
    blob = part.checkpoint()
    assert b"x_train" not in blob and len(blob) < 2_000_000  # the data set is not in it
    same(finished(train.Run.restore(blob, toy_digits)), whole)


def test_a_checkpoint_is_refused_on_other_data(toy_digits):
    run = train.Run(CONFIG.keys(toy_digits)[0], toy_digits)
    other = type("Other", (), {"fingerprint": "other-digits"})()
    with pytest.raises(ValueError):
        train.Run.restore(run.checkpoint(), other)


def _claimer(url: str, names: list[str], owner: str, barrier, won) -> None:
    import redis

    db = redis.Redis.from_url(url)
    barrier.wait(timeout=30)
    for n in names:
        if replicas.Lease(db, n, owner, ms=60_000).claim():
            won.put((n, owner))


def test_one_owner_per_run_under_claims_from_several_processes(redis_url):
    import redis

    names = [f"test:{uuid.uuid4().hex}:run:{k}" for k in range(40)]
    spawn = multiprocessing.get_context("spawn")
    barrier, won = spawn.Barrier(4), spawn.Queue()
    procs = [spawn.Process(target=_claimer, args=(redis_url, names, f"replica{k}", barrier, won)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    wins = [won.get(timeout=10) for _ in range(len(names))]
    assert won.empty() and sorted(n for n, _ in wins) == sorted(names)  # each run exactly once
    db = redis.Redis.from_url(redis_url)
    for n, owner in wins:
        lease = replicas.Lease(db, n, owner)
        assert lease.holder() == owner and lease.claim()  # its owner renews it ...
        thief = replicas.Lease(db, n, "intruder")
        assert not thief.claim()  # ... nobody else takes it ...
        thief.release()
        assert lease.holder() == owner  # ... or drops it
    short = replicas.Lease(db, names[0] + ":short", "a", ms=100)
    assert short.claim() and not replicas.Lease(db, short.key[:-6], "b", ms=100).claim()
    time.sleep(0.25)
    assert replicas.Lease(db, short.key[:-6], "b", ms=100).claim()  # lapsed: another replica takes it


def _owner(url: str, prefix: str, folder: str, started) -> None:
    """A replica that trains the run in turns until it is killed."""
    import redis

    os.environ["OPTVIZ_MNIST_DIR"] = folder
    from optviz import data

    digits, db = data.load(), redis.Redis.from_url(url)
    key = LONG.keys(digits)[0]
    mine = None
    while True:
        mine, trained = replicas.turn(db, key, "doomed", mine, lambda: train.Run(key, digits), digits, 0.02,
                                      prefix=prefix, lease_ms=400)
        if mine is not None and mine.t >= 300:
            started.set()


def test_a_run_handed_over_when_its_owner_dies_ends_as_if_never_interrupted(redis_url):
    import redis

    from optviz import data

    digits = data.load()  # the data set the owner's process loads: the same run's name
    prefix, db = f"test:{uuid.uuid4().hex}:", redis.Redis.from_url(redis_url)
    key = LONG.keys(digits)[0]
    spawn = multiprocessing.get_context("spawn")
    started = spawn.Event()
    owner = spawn.Process(target=_owner, args=(redis_url, prefix, os.environ["OPTVIZ_MNIST_DIR"], started))
    owner.start()
    assert started.wait(timeout=120)
    mine, trained = replicas.turn(db, key, "heir", None, lambda: train.Run(key, digits), digits, 1.0,
                                  prefix=prefix, lease_ms=400)
    assert not trained and mine is not None and 0 < mine.t < LONG.iterations  # a watcher sees the owner's run
    os.kill(owner.pid, signal.SIGKILL)  # mid-run, after some checkpoint
    owner.join(timeout=10)
    deadline = time.monotonic() + 30
    while not (mine is not None and mine.done) and time.monotonic() < deadline:
        mine, trained = replicas.turn(db, key, "heir", mine, lambda: train.Run(key, digits), digits, 1.0,
                                      prefix=prefix, lease_ms=400)
        time.sleep(0.05)
    assert mine.done and db.get(replicas.name(key, prefix) + ":lease") is None  # finished and released
    whole = finished(train.Run(key, digits))
    assert np.array_equal(mine.losses, whole.losses) and np.array_equal(mine.params, whole.params)
    assert mine.final == whole.final and np.array_equal(mine.test_pred, whole.test_pred)
