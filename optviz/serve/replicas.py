"""Training runs and jobs shared by several replicas of the app through Redis: one owner at a time.

A run's key is a pure description of it, so its name in Redis (``name``) is the same on every
replica. A replica's ``optviz.serve.store.Store`` asks its ``Coordinator`` before each turn at a run:
whoever holds the run's lease (``Lease``: ``SET NX PX``, renewed at each turn, released at the end
or left to lapse) trains it and publishes its checkpoint (``Run.checkpoint``: everything the next
step reads) after its turns, at most every half second and always at the end; the other replicas
draw that checkpoint. When the owner dies, or its students leave while others still watch, its
lease lapses after ``LEASE_MS`` and the next replica to take a turn claims it and goes on from the
last checkpoint: since a step reads nothing the checkpoint does not hold, the numbers are those of
a run that was never interrupted. Jobs (``optviz.jobs``) follow the same rules with their views
(``Job.view``), except that a generator cannot be checkpointed: a job taken over runs from its
start. No Streamlit here; the caller makes the Redis client.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from collections.abc import Callable

from optviz.jobs import Job, JobView
from optviz.nn.train import Run

LEASE_MS = 5000  # a dead owner's run waits this long for another replica
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


def mark(task: Run | Job | JobView) -> str:
    """How far ``task`` has come, as its stamp in Redis says it: "progress:finished"."""
    done = int(task.done)
    return f"{task.t}:{done}" if isinstance(task, Run) else f"{'.'.join(map(str, task.progress[:2]))}:{done}"


def publish(db, run_name: str, task: Run | Job, full: bool = True) -> None:
    """Keep what other replicas need of ``task`` under its name: its view (what pages draw) and
    its stamp, and for a run with ``full`` its checkpoint (what training goes on from)."""
    pipe = db.pipeline()
    pipe.set(f"{run_name}:view", task.checkpoint(full=False) if isinstance(task, Run) else task.view())
    if full and isinstance(task, Run):
        pipe.set(f"{run_name}:checkpoint", task.checkpoint())
    pipe.set(f"{run_name}:t", mark(task))
    pipe.execute()


def stamp(db, run_name: str) -> str | None:
    """The stamp (``mark``) of the task's last publication; None before the first."""
    value = db.get(f"{run_name}:t")
    return value.decode() if isinstance(value, bytes) else value


def finished(at: str | None) -> bool:
    return at is not None and at.endswith(":1")


def latest(db, run_name: str, data, full: bool = True) -> Run | None:
    """The run as last published by any replica, on ``data`` (its checkpoint, or with ``full``
    False its view); None before the first."""
    blob = db.get(f"{run_name}:{'checkpoint' if full else 'view'}")
    return None if blob is None else Run.restore(blob, data)


class Coordinator:
    """What a replica's ``optviz.serve.store.Store`` asks before and after each turn at a training run,
    so that the replicas sharing the Redis at ``db`` train each run once: ``own`` (train it here,
    from the freshest state any replica has published, or draw another replica's view), ``publish``
    (after a turn: the view at most every ``every`` seconds, the full checkpoint at most every
    ``full_every``, both at the end), and ``watch``/``watchers`` (sessions on every replica,
    by expiring heartbeats). A lost connection makes each replica train on its own until Redis
    returns (``offline``): a class never waits on it."""

    def __init__(self, db, owner: str, prefix: str = PREFIX, lease_ms: int = LEASE_MS, every: float = 0.5,
                 full_every: float = 2.0, clock: Callable[[], float] = time.time) -> None:
        import redis

        self.db, self.owner, self.prefix, self.lease_ms, self.clock = db, owner, prefix, lease_ms, clock
        self.every, self.full_every = every, full_every
        self._errors = (redis.ConnectionError, redis.TimeoutError)
        self._published: dict[str, float] = {}  # run name -> when this replica last published its view
        self._checkpointed: dict[str, float] = {}  # run name -> when this replica last published its checkpoint
        self._seen: dict[str, float] = {}  # run name -> when this replica last refreshed a foreign run
        self._jobs: dict[str, Job] = {}  # name -> this replica's own job, kept while it shows another's view
        self._unshared: set[str] = set()  # names of tasks whose state could not be pickled: each replica's own
        self.offline = False

    @staticmethod
    def shares(task: object) -> bool:
        """Training runs and jobs (and the views of them) are shared."""
        return isinstance(task, (Run, Job, JobView))

    def own(self, key: object, task: Run | Job | JobView) -> tuple[Run | Job | JobView, bool]:
        """(the task to keep for ``key``, whether this replica advances it now). With the lease:
        a run goes on from its own state, or from the last full checkpoint when it has only a view
        or another replica published it further on; a job runs here (from its start: a generator
        cannot be checkpointed) unless another replica already finished it. Without the lease: the
        last published view (looked for at most every ``every`` seconds, fetched only when it
        changed) to draw."""
        run_name = name(key, self.prefix)
        if run_name in self._unshared:  # what it holds cannot be published: this replica runs its own
            return task, not task.done and not isinstance(task, JobView)
        try:
            lease = Lease(self.db, run_name, self.owner, self.lease_ms)
            mine = lease.claim()
            now = self.clock()
            if not mine and now - self._seen.get(run_name, float("-inf")) < self.every:
                return task, False
            self._seen[run_name] = now
            at = stamp(self.db, run_name)
            self.offline = False
            if isinstance(task, Job):
                self._jobs[run_name] = task  # what this replica runs if the lease comes to it
            if not mine or (finished(at) and not isinstance(task, Run)):
                if finished(at):
                    lease.release()
                    self._jobs.pop(run_name, None)
                return (self._view(run_name, task, at) if at is not None and at != mark(task) else task), False
            if not isinstance(task, Run):
                job = self._jobs.pop(run_name, task)
                if isinstance(job, JobView):  # nothing of its own to run here: let a replica that has it
                    lease.release()
                    return job, False
                if at is None:
                    self.db.incr(f"{run_name}:started")
                return job, not job.done
            if task.partial or (at is not None and int(at.split(":")[0]) > task.t or finished(at) and not task.done):
                full = latest(self.db, run_name, task.data)
                if full is not None and not full.done:
                    self.db.incr(f"{run_name}:taken")  # went on from another replica's checkpoint (bench/replicas.py)
                task = full if full is not None else Run(task.key, task.data)
            if task.tracker is None and self.db.exists(f"{run_name}:sharp"):
                task.track_sharpness()  # a page on another replica asked for it
            if at is None and task.t == 0:
                self.db.incr(f"{run_name}:started")  # begun from scratch (bench/replicas.py: once per run)
            if task.done:
                lease.release()
        except self._errors:
            self.offline = True
            return task, not task.done and not isinstance(task, JobView) and not getattr(task, "partial", False)
        return task, not task.done

    def _view(self, run_name: str, task, at: str):
        """Another replica's published ``run_name``: a run's view (whole, once finished), a job's view."""
        if isinstance(task, Run):
            return latest(self.db, run_name, task.data, full=finished(at)) or task
        blob = self.db.get(f"{run_name}:view")
        return task if blob is None else JobView.restore(blob)

    def publish(self, key: object, task: Run | Job) -> None:
        """After a turn: the task's view for the other replicas' pages (at most every ``every``
        seconds) and a run's full checkpoint (at most every ``full_every`` seconds); both at the end."""
        run_name, now = name(key, self.prefix), self.clock()
        if not task.done and now - self._published.get(run_name, float("-inf")) < self.every:
            return
        full = task.done or now - self._checkpointed.get(run_name, float("-inf")) >= self.full_every
        try:
            publish(self.db, run_name, task, full)
            self._published[run_name] = now
            if full:
                self._checkpointed[run_name] = now
            if task.done:
                Lease(self.db, run_name, self.owner, self.lease_ms).release()
        except self._errors:
            self.offline = True
        except (pickle.PicklingError, TypeError, AttributeError):  # a result that cannot be pickled
            self._unshared.add(run_name)
            Lease(self.db, run_name, self.owner, self.lease_ms).release()

    def track_sharpness(self, key: object) -> None:
        """A page asked for ``key``'s sharpness: whichever replica trains it measures it."""
        try:
            self.db.set(f"{name(key, self.prefix)}:sharp", 1, ex=24 * 3600)
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
