"""The class's shared computations on a page: one process-wide store of training runs and jobs,
a session id to watch them with, and the call a live fragment makes to move them on."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Hashable, Sequence

import streamlit as st

from optviz.jobs import Job
from optviz.nn import train
from optviz.serve import replicas
from optviz.serve.store import Busy, Store
from ui.common import tr

BUDGET = 300 * 2**20  # bytes of finished and idle runs kept for the class (running ones are never dropped)
CHUNK = 0.3  # seconds of work per live update (a page adds about 15-25 ms to each)
RUN_EVERY = 0.05  # seconds from the end of one live update to the next request while watching
SID = "sid"
HOLD = 600.0  # seconds a paused race is kept after its page last said it is open
RENEW = 60.0  # seconds between a paused page's renewals (a background tab's timers fire once a minute)

ENV_REDIS = "OPTVIZ_REDIS_URL"  # several replicas: they share the training runs (and the rooms) through it


def coordinator() -> replicas.Coordinator | None:
    """The replicas' coordinator when ``OPTVIZ_REDIS_URL`` is set (this process named by a fresh
    id), else None: one process alone, as by default."""
    url = os.environ.get(ENV_REDIS)
    if not url:
        return None
    import redis  # only a school with several replicas installs it

    client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
    return replicas.Coordinator(client, owner=f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}")


# Process-wide: shared by every session on purpose. Its own locks guard it; what it hands out is
# read by pages and written only by whoever holds its work slot.
STORE = Store(BUDGET, stale=3.0, idle=120.0, shared=coordinator())


def session_id() -> str:
    """An id for this browser session (the store counts who watches what)."""
    return st.session_state.setdefault(SID, uuid.uuid4().hex)


def run(key: train.RunKey, data) -> train.Run:
    """The class's run for ``key`` (started if nobody has asked for it yet)."""
    return STORE.get(key, lambda: train.Run(key, data))


def changed_run(old: train.RunKey, new: train.RunKey, data) -> train.Run:
    """The class's run of ``new`` (``old`` with one more change): a branch of the class's run of
    ``old`` when that waits at the change's iteration, else trained again from the start."""
    at = new.changes[-1].at
    return STORE.derive(new, old, lambda parent: parent.branch(new) if parent is not None and not parent.done
                        and parent.t == at else train.Run(new, data))


def offline() -> bool:
    """Whether this replica lost the Redis it shares runs through (it trains on its own meanwhile)."""
    return STORE.shared is not None and STORE.shared.offline


def track_sharpness(run_: train.Run) -> None:
    """Measure ``run_``'s sharpness from its next look inside, on whichever replica trains it."""
    run_.track_sharpness()
    if STORE.shared is not None:
        STORE.shared.track_sharpness(run_.key)


def job(key: Hashable, make: Callable[[], Job], max_age: float | None = None) -> Job:
    """The class's job for ``key``, made if missing (or if it finished more than ``max_age`` s ago)."""
    return STORE.get(key, make, max_age)


def watch(flag: str, key: Hashable, make: Callable[[], Job], max_age: float | None = None) -> None:
    """Button callback: start (or join) the class's job for ``key`` and set ``flag``, so that
    ``live_job`` watches it."""
    job(key, make, max_age)
    st.session_state[flag] = True


def peek(key: Hashable) -> object | None:
    """The class's task for ``key`` if one exists; nothing is started."""
    return STORE.peek(key)


def wait_for_turn() -> float:
    """Longest sleep for the work slot in one live update: the more sessions watch, the longer (3 s
    for 25 or more), so redrawing thirty pages does not crowd out the training they watch."""
    return min(3.0, 0.5 + 0.1 * STORE.busy().sessions)


def slow_view_every() -> float:
    """Seconds between redraws of a view that changes slowly (the inside view: a snapshot every few
    dozen iterations): 2 s for a student alone, 4 s with 20 or more watching, so pages of five charts
    each do not crowd out the training they show (the training moves on when a page asks, and a
    browser busy redrawing asks later)."""
    return min(4.0, 2.0 + 0.1 * STORE.busy().sessions)


def drive(keys: Sequence[Hashable]) -> None:
    """Say this session watches ``keys``, then do a turn of the class's work if the slot frees in
    time (asleep while waiting: no core held)."""
    STORE.watch(session_id(), keys)
    STORE.work(CHUNK, wait_for_turn())


def leave(keys: Sequence[Hashable]) -> None:
    """This session stops watching ``keys``."""
    STORE.unwatch(session_id(), keys)


def hold(keys: Sequence[Hashable]) -> None:
    """This session paused ``keys`` and is open: keep them for another ``HOLD`` seconds."""
    STORE.hold(session_id(), keys, HOLD)


def release(keys: Sequence[Hashable]) -> None:
    """This session no longer holds ``keys``."""
    STORE.release(session_id(), keys)


def errors(keys: Sequence[Hashable]) -> list[str | None]:
    """What each of ``keys``' tasks raised, if it failed."""
    return [STORE.error(k) for k in keys]


def retry(keys: Sequence[Hashable]) -> None:
    """Forget the failed ones among ``keys``: asked for again, they start anew."""
    for k in keys:
        STORE.retry(k)


def watchers(keys: Sequence[Hashable]) -> list[set[str]]:
    return [STORE.watchers(k) for k in keys]


def busy() -> Busy:
    return STORE.busy()


def compute_progress(runs: Sequence[train.Run]) -> tuple[float, float | None]:
    """For runs that do not move in step (a sweep): the share of their compute done, and the
    seconds left, the compute each still needs at its own speed so far, stretched by the share of
    turns they get while the class trains other networks too. Until every unfinished run has done
    an iteration: the share of iterations done, and None."""
    runs = list({id(r): r for r in runs}.values())
    left = [r for r in runs if not r.done]
    if any(r.t == 0 for r in left):
        return sum(r.t / r.key.iterations for r in runs) / len(runs), None
    need = sum((r.key.iterations - r.t) * r.seconds / r.t for r in left)
    spent = sum(r.seconds for r in runs)
    return spent / max(spent + need, 1e-9), need * max(STORE.busy().tasks, len(left)) / max(len(left), 1)


def eta(keys: Sequence[Hashable]) -> float | None:
    """Seconds until the last of ``keys`` is done at the recent pace; None while unknown."""
    times = [STORE.eta(k) for k in keys]
    return None if any(t is None for t in times) else max(times, default=0.0)


def progress(job: Job, key: Hashable, phase_name: Callable[[str], str]) -> None:
    """One bar per phase of ``job``: done, current (with the time left at the recent pace), or to come."""
    phase, done, total = job.progress
    for k, name in enumerate(job.phases):
        if k < phase or job.done:
            st.progress(1.0, text=tr("jobs.phase_done", name=phase_name(name)))
        elif k == phase:
            left = STORE.eta(key)
            text = tr("jobs.phase_now", name=phase_name(name), done=done, total=total)
            text += " · " + (tr("jobs.estimating") if left is None else tr("jobs.left", s=left))
            st.progress(min(done / max(total, 1), 1.0), text=text)
        else:
            st.progress(0.0, text=tr("jobs.phase_next", name=phase_name(name)))


def live_job(flag: str, key: Hashable, phase_name: Callable[[str], str], draw: Callable[[Job], None]) -> None:
    """A fragment that shows ``key``'s job: while ``flag`` is set in the session it watches and
    drives the job, redrawing its progress and (partial) result on a timer; once the job is done
    it clears ``flag`` and reruns the page."""
    ss = st.session_state

    @st.fragment(run_every=RUN_EVERY if ss.get(flag) else None)
    def _live() -> None:
        job_ = peek(key)
        if job_ is None:
            return
        if ss.get(flag):
            drive([key])
            if job_.done:
                ss[flag] = False
                leave([key])
                st.rerun()
        if job_.error:
            st.error(tr("jobs.failed", error=job_.error), icon="🚫")
            return
        if not job_.done:
            progress(job_, key, phase_name)
        draw(job_)

    _live()


def age(key: Hashable) -> float | None:
    """Seconds since the class's task for ``key`` finished (None: not finished)."""
    return STORE.age(key)
