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

from optviz.nn import train
from optviz.nn.train import NetConfig, RaceConfig
from optviz.serve import replicas

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


def test_a_view_is_what_a_page_draws_and_never_trains(toy_digits):
    run = train.Run(CONFIG.keys(toy_digits)[0], toy_digits)
    while run.t < 300:
        run.advance(0.0)
    view = train.Run.restore(run.checkpoint(full=False), toy_digits)
    assert len(run.checkpoint(full=False)) < len(run.checkpoint()) and view.opt_state is None
    assert np.array_equal(view.losses, run.losses, equal_nan=True) and view.test_acc == run.test_acc and view.t == run.t
    assert len(view.snapshots) == len(run.snapshots) and view.partial and not run.partial
    with pytest.raises(ValueError):
        view.advance(0.0)


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
    """A replica whose student watches the run, training it in turns until the replica is killed."""
    os.environ["OPTVIZ_MNIST_DIR"] = folder
    from optviz.serve import data

    digits = data.load()
    key = LONG.keys(digits)[0]
    store = replica(url, prefix, "doomed", lease_ms=400, every=0.5, full_every=2.0)  # the app's own pace
    store.get(key, lambda: train.Run(key, digits))
    while True:
        store.watch("ann", [key])
        store.work(0.05)
        if store.peek(key).t >= 300:
            started.set()


def test_a_run_handed_over_when_its_owner_is_killed_ends_as_if_never_interrupted(redis_url):
    from optviz.serve import data

    digits, prefix = data.load(), f"test:{uuid.uuid4().hex}:"  # the data set the owner's process loads
    key = LONG.keys(digits)[0]
    spawn = multiprocessing.get_context("spawn")
    started = spawn.Event()
    owner = spawn.Process(target=_owner, args=(redis_url, prefix, os.environ["OPTVIZ_MNIST_DIR"], started))
    owner.start()
    assert started.wait(timeout=120)
    heir = replica(redis_url, prefix, "heir", lease_ms=400)
    heir.get(key, lambda: train.Run(key, digits))
    heir.watch("bob", [key])
    heir.work(0.05)
    assert 0 < heir.peek(key).t < LONG.iterations  # a watcher on another replica draws the owner's run
    os.kill(owner.pid, signal.SIGKILL)  # mid-run
    owner.join(timeout=10)
    deadline = time.monotonic() + 120
    while not heir.peek(key).done and time.monotonic() < deadline:
        heir.watch("bob", [key])
        heir.work(0.1)
    run, whole = heir.peek(key), finished(train.Run(key, digits))
    assert run.done and heir.shared.db.get(replicas.name(key, prefix) + ":lease") is None  # finished and released
    assert np.array_equal(run.losses, whole.losses) and np.array_equal(run.params, whole.params)
    assert run.final == whole.final and np.array_equal(run.test_pred, whole.test_pred)
    assert int(heir.shared.db.get(replicas.name(key, prefix) + ":started")) == 1


def replica(url: str, prefix: str, who: str, lease_ms: int = 5000, every: float = 0.0, full_every: float = 0.0):
    """One replica's store, sharing runs through the Redis at ``url`` (publishing after every turn
    unless told otherwise)."""
    import redis

    from optviz.serve.store import Store

    coordinator = replicas.Coordinator(redis.Redis.from_url(url), who, prefix=prefix, lease_ms=lease_ms, every=every,
                                       full_every=full_every)
    return Store(10**9, stale=3.0, idle=120.0, shared=coordinator)


def test_two_replicas_watching_one_run_train_it_once_and_draw_the_same(redis_url, toy_digits):
    prefix = f"test:{uuid.uuid4().hex}:"
    a, b = replica(redis_url, prefix, "a"), replica(redis_url, prefix, "b")
    key = CONFIG.keys(toy_digits)[0]
    for store, session in ((a, "ann"), (b, "bob")):
        store.get(key, lambda: train.Run(key, toy_digits))
        store.watch(session, [key])
    assert a.watchers(key) == {"ann", "b/bob"} and b.watchers(key) == {"a/ann", "bob"}  # one class across replicas
    b.shared.track_sharpness(key)  # bob's page asks for the sharpness; whichever replica trains it measures it
    deadline = time.monotonic() + 60
    while not (a.peek(key).done and b.peek(key).done) and time.monotonic() < deadline:
        for store, session in ((a, "ann"), (b, "bob")):
            store.watch(session, [key])
            store.work(0.05)
    ran, seen = a.peek(key), b.peek(key)
    assert ran.done and seen.done
    assert int(a.shared.db.get(replicas.name(key, prefix) + ":started")) == 1  # trained once, by one replica
    whole = finished(train.Run(key, toy_digits))
    for run in (ran, seen):
        assert np.array_equal(run.losses, whole.losses) and run.final == whole.final
        assert run.tracker.at and not run.partial and len(run.path.t) >= 2  # measured; finished, it comes whole
    assert seen.tracker.values == ran.tracker.values


def test_a_replica_that_stops_hands_its_run_to_one_that_watches(redis_url, toy_digits):
    prefix = f"test:{uuid.uuid4().hex}:"
    a, b = replica(redis_url, prefix, "a", lease_ms=300), replica(redis_url, prefix, "b", lease_ms=300)
    key = LONG.keys(toy_digits)[0]
    for store in (a, b):
        store.get(key, lambda: train.Run(key, toy_digits))
    while a.peek(key).t < 500:  # a alone trains ...
        a.watch("ann", [key])
        a.work(0.05)
    b.watch("bob", [key])
    b.work(0.05)
    assert b.peek(key).t > 0 and b.peek(key) is not a.peek(key)  # ... b draws a's checkpoint, not training it
    deadline = time.monotonic() + 120  # a stops (its replica died): b takes over once the lease lapses
    while not b.peek(key).done and time.monotonic() < deadline:
        b.watch("bob", [key])
        b.work(0.1)
    whole = finished(train.Run(key, toy_digits))
    assert b.peek(key).done and np.array_equal(b.peek(key).losses, whole.losses)
    assert np.array_equal(b.peek(key).params, whole.params) and b.peek(key).final == whole.final
    assert int(b.shared.db.get(replicas.name(key, prefix) + ":started")) == 1  # b went on; it did not start over


def test_without_redis_each_replica_trains_on_its_own(toy_digits):
    pytest.importorskip("redis")
    store = replica("redis://127.0.0.1:1/0", "test:", "lonely")
    key = CONFIG.keys(toy_digits)[0]
    store.get(key, lambda: train.Run(key, toy_digits))
    while not store.peek(key).done:
        store.watch("ann", [key])
        store.work(1.0)
    assert store.shared.offline and store.watchers(key) == {"ann"}
    assert np.array_equal(store.peek(key).losses, finished(train.Run(key, toy_digits)).losses)


def counted_steps(n: int, log: list):
    """A job of ``n`` pieces that notes each piece it runs in ``log``."""
    from optviz.jobs import Step

    for k in range(n):
        log.append(k)
        time.sleep(0.01)
        yield Step(0, k + 1, n, list(range(k + 1)))
    return sum(range(n))


def test_two_replicas_watching_one_job_run_it_once_and_both_show_it(redis_url):
    from optviz.jobs import Job, JobView

    prefix = f"test:{uuid.uuid4().hex}:"
    a, b = replica(redis_url, prefix, "a"), replica(redis_url, prefix, "b")
    logs = {"a": [], "b": []}
    key = ("sweep", 7)
    a.get(key, lambda: Job(counted_steps(30, logs["a"]), ("p",)))
    b.get(key, lambda: Job(counted_steps(30, logs["b"]), ("p",)))
    seen_partial = False
    deadline = time.monotonic() + 60
    while not (a.peek(key).done and b.peek(key).done) and time.monotonic() < deadline:
        for store, session in ((a, "ann"), (b, "bob")):
            store.watch(session, [key])
            store.work(0.05)
        seen_partial |= isinstance(b.peek(key), JobView) and not b.peek(key).done and bool(b.peek(key).partial)
    assert a.peek(key).result == b.peek(key).result == sum(range(30))
    assert sorted(len(log) for log in logs.values()) == [0, 30]  # one replica ran it, once
    assert seen_partial  # the other drew its progress as it came
    assert int(a.shared.db.get(replicas.name(key, prefix) + ":started")) == 1


def test_a_job_whose_replica_stops_is_run_by_one_that_watches(redis_url):
    from optviz.jobs import Job

    prefix = f"test:{uuid.uuid4().hex}:"
    a, b = replica(redis_url, prefix, "a", lease_ms=300), replica(redis_url, prefix, "b", lease_ms=300)
    logs = {"a": [], "b": []}
    key = ("sweep", 8)
    a.get(key, lambda: Job(counted_steps(40, logs["a"]), ("p",)))
    b.get(key, lambda: Job(counted_steps(40, logs["b"]), ("p",)))
    while len(logs["a"]) < 10:  # a runs it a while, then stops (its replica died)
        a.watch("ann", [key])
        a.work(0.05)
    deadline = time.monotonic() + 60
    while not b.peek(key).done and time.monotonic() < deadline:
        b.watch("bob", [key])
        b.work(0.05)
    assert b.peek(key).result == sum(range(40)) and len(logs["b"]) == 40  # run again from its start


def test_a_job_whose_result_cannot_be_published_still_finishes_on_its_replica(redis_url):
    from optviz.jobs import Job, Step

    def steps():
        yield Step(0, 1, 2, lambda: None)  # a partial result pickle cannot carry
        yield Step(0, 2, 2)
        return "done"

    store = replica(redis_url, f"test:{uuid.uuid4().hex}:", "a")
    store.get("odd", lambda: Job(steps(), ("p",)))
    deadline = time.monotonic() + 30
    while not store.peek("odd").done and time.monotonic() < deadline:
        store.watch("ann", ["odd"])
        store.work(0.05)
    assert store.peek("odd").result == "done" and store.error("odd") is None
