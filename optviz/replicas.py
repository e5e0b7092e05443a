"""Training runs shared by several replicas of the app through Redis: one owner per run at a time.

A run's key is a pure description of it, so its name in Redis (``name``) is the same on every
replica. Whoever holds the run's lease (``Lease``: ``SET NX PX``, renewed by its owner, released
or left to lapse) trains it; it publishes a checkpoint (``Run.checkpoint``: everything the next
step reads) every ``CHECKPOINT_EVERY`` iterations and at the end, and what the pages draw after
every turn. When an owner dies, its lease lapses after ``LEASE_MS`` and the next replica that takes
a turn on the run claims it and goes on from the last checkpoint: since a step reads nothing the
checkpoint does not hold, the numbers are those of a run that was never interrupted. No
Streamlit here; ``redis`` is imported by the caller that makes the client.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from optviz.train import Run

LEASE_MS = 5000  # a dead owner's run waits this long for another replica
CHECKPOINT_EVERY = 200  # iterations between two checkpoints (and at the end)
PREFIX = "optviz:"

# KEYS: lease; ARGV: owner, ms. Renew only one's own lease.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
# KEYS: lease; ARGV: owner. Release only one's own lease.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def name(key: object, prefix: str = PREFIX) -> str:
    """The run's name in Redis, the same on every replica: a digest of its key's description."""
    return f"{prefix}run:{hashlib.sha256(repr(key).encode()).hexdigest()[:32]}"


class Lease:
    """The right to train run ``run`` (a ``name``), held by ``owner`` (a replica's id) for ``ms``
    milliseconds at a time."""

    def __init__(self, db, run: str, owner: str, ms: int = LEASE_MS) -> None:
        self.db, self.key, self.owner, self.ms = db, f"{run}:lease", owner, ms
        self._renew, self._release = db.register_script(_RENEW), db.register_script(_RELEASE)

    def claim(self) -> bool:
        """Hold the lease: renewed if held already, taken if free; False while another holds it."""
        return bool(self._renew(keys=[self.key], args=[self.owner, self.ms])) or bool(
            self.db.set(self.key, self.owner, nx=True, px=self.ms))

    def release(self) -> None:
        self._release(keys=[self.key], args=[self.owner])

    def holder(self) -> str | None:
        value = self.db.get(self.key)
        return value.decode() if isinstance(value, bytes) else value


def publish(db, run_name: str, run: Run) -> None:
    """Keep ``run``'s checkpoint under its name (the last one replaces the one before)."""
    db.set(f"{run_name}:checkpoint", run.checkpoint())


def latest(db, run_name: str, data) -> Run | None:
    """The run as last checkpointed by any replica, on ``data``; None before the first checkpoint."""
    blob = db.get(f"{run_name}:checkpoint")
    return None if blob is None else Run.restore(blob, data)


def turn(db, key: object, owner: str, mine: Run | None, make: Callable[[], Run], data, seconds: float,
         prefix: str = PREFIX, lease_ms: int = LEASE_MS) -> tuple[Run | None, bool]:
    """One replica's turn at the run of ``key``: (the run as this replica now has it, whether it
    trained). With the lease it trains ``mine`` (or, when it has none or another replica trained it
    further meanwhile, the last checkpoint, or a new run from ``make``) for about ``seconds``,
    checkpointing every ``CHECKPOINT_EVERY`` iterations and at the end of the turn, which is also
    what other replicas' pages draw; without the lease it returns the last checkpoint (or ``mine``
    before there is one)."""
    run_name = name(key, prefix)
    lease = Lease(db, run_name, owner, lease_ms)
    if not lease.claim():
        return latest(db, run_name, data) or mine, False
    stored = latest(db, run_name, data)
    if mine is None or (stored is not None and (stored.t > mine.t or stored.done and not mine.done)):
        mine = stored or make()  # taking over: from the last checkpoint, never from a stale copy of our own
    deadline = time.perf_counter() + seconds
    while not mine.done:
        before = mine.t
        mine.advance(max(0.0, min(0.05, deadline - time.perf_counter())))
        if mine.done or time.perf_counter() >= deadline:
            break
        if mine.t // CHECKPOINT_EVERY > before // CHECKPOINT_EVERY:
            publish(db, run_name, mine)
            lease.claim()  # renewed while it trains
    publish(db, run_name, mine)
    if mine.done:
        lease.release()
    return mine, True


class Coordinator:
    """What a replica's ``optviz.store.Store`` asks before and after each turn at a training run,
    so that the replicas sharing the Redis at ``db`` train each run once: ``own`` (train it here,
    from the freshest state any replica has published), ``publish`` (after a turn, at most every
    ``every`` seconds, and at the end), and ``watch``/``watchers`` (sessions on every replica,
    by expiring heartbeats). A lost connection makes each replica train on its own until Redis
    returns (``offline``): a class never waits on it."""

    def __init__(self, db, owner: str, prefix: str = PREFIX, lease_ms: int = LEASE_MS, every: float = 0.5,
                 clock: Callable[[], float] = time.time) -> None:
        import redis

        self.db, self.owner, self.prefix, self.lease_ms, self.every, self.clock = db, owner, prefix, lease_ms, every, clock
        self._errors = (redis.ConnectionError, redis.TimeoutError)
        self._published: dict[str, float] = {}  # run name -> when this replica last published it
        self._seen: dict[str, float] = {}  # run name -> when this replica last refreshed a foreign run
        self.offline = False

    @staticmethod
    def shares(task: object) -> bool:
        """Training runs are shared; jobs (generators) are not, and stay each replica's own."""
        return isinstance(task, Run)

    def own(self, key: object, task: Run) -> tuple[Run, bool]:
        """(the run to keep for ``key``, whether this replica trains it now): with the lease, its
        own copy or a checkpoint further on; without it, the last checkpoint (refreshed at most
        every ``every`` seconds) to draw."""
        run_name = name(key, self.prefix)
        try:
            lease = Lease(self.db, run_name, self.owner, self.lease_ms)
            mine = lease.claim()
            now = self.clock()
            if not mine and now - self._seen.get(run_name, float("-inf")) < self.every:
                return task, False
            self._seen[run_name] = now
            stored = latest(self.db, run_name, task.data)
            self.offline = False
        except self._errors:
            self.offline = True
            return task, not task.done
        if stored is not None and (stored.t > task.t or stored.done and not task.done):
            task = stored
        if mine and task.done:
            lease.release()
        if mine and not task.done and stored is None:
            self.db.incr(f"{run_name}:started")  # how many times the run was begun from scratch (bench/replicas.py)
        return task, mine and not task.done

    def publish(self, key: object, task: Run) -> None:
        """After a turn: the run's checkpoint for the other replicas (throttled; always at the end)."""
        run_name, now = name(key, self.prefix), self.clock()
        if not task.done and now - self._published.get(run_name, float("-inf")) < self.every:
            return
        try:
            publish(self.db, run_name, task)
            self._published[run_name] = now
            if task.done:
                Lease(self.db, run_name, self.owner, self.lease_ms).release()
        except self._errors:
            self.offline = True

    def watch(self, key: object, session: str, stale: float) -> None:
        """``session`` (of this replica) watches ``key``'s run now."""
        run_name = name(key, self.prefix)
        try:
            pipe = self.db.pipeline()
            pipe.zadd(f"{run_name}:watchers", {f"{self.owner}/{session}": self.clock()})
            pipe.zremrangebyscore(f"{run_name}:watchers", "-inf", self.clock() - stale)
            pipe.pexpire(f"{run_name}:watchers", int(stale * 1000) + 1000)
            pipe.execute()
        except self._errors:
            self.offline = True

    def watchers(self, key: object, stale: float) -> set[str]:
        """Sessions of every replica that watched ``key``'s run in the last ``stale`` seconds."""
        try:
            found = self.db.zrangebyscore(f"{name(key, self.prefix)}:watchers", self.clock() - stale, "+inf")
            return {w.decode() if isinstance(w, bytes) else w for w in found}
        except self._errors:
            self.offline = True
            return set()
