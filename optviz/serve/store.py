"""One computation per key for the whole process, advanced in turns while someone watches.

A page asks the store for a task by key (``get``) and says it is watching (``watch``) each time it
draws. Any session may then call ``work``: whoever gets the single work slot advances the watched,
unfinished tasks in round-robin turns of about ``quantum`` seconds per task, so distinct
experiments share the cores by the task, not by the session. Tasks whose ``lockstep`` values are
equal (training runs on the same mini-batches at the same iteration) take one turn together and
stay level. A task nobody has watched for ``stale`` seconds stops advancing; an unfinished one
left alone for ``idle`` seconds is dropped, and the least recently used tasks nobody watches are
dropped while the store holds more than ``budget`` bytes. A session may ``hold`` a task it paused:
a held task does not advance but is never dropped until the hold lapses (the page renews it while
it is open). Each turn runs inside its own error boundary: a task that raises is set aside with
its message (``error``), no longer advanced, and the exception never reaches the session that
happened to hold the work slot.

With ``shared`` (an ``optviz.serve.replicas.Coordinator``), several replicas' stores share their runs and
jobs through Redis: before a turn at a task the store asks whether this replica owns it (else it
swaps in the owner's last published view to draw, and redraws at that pace), after the turn it
publishes, and watchers are counted across replicas.

A task is any object with ``done``, ``nbytes``, ``progress`` -> (phase, done, total), ``lockstep``
(None: advances alone), ``advance(seconds, companions)`` and ``compact()`` (called once it is
done, to drop what no page shows); it may also say it failed with ``error`` (a message). Plain
Python with locks; no Streamlit here.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass
class _Entry:
    task: object
    used: float  # last time any session asked for it
    watchers: dict[str, float] = field(default_factory=dict)  # session -> last time it watched
    served: float = float("-inf")  # last time it had a turn (round-robin order)
    history: deque = field(default_factory=lambda: deque(maxlen=32))  # (time, phase, units done)
    finished_at: float | None = None
    holds: dict[str, float] = field(default_factory=dict)  # session -> time its hold lapses
    error: str | None = None  # what the task raised: set aside, never advanced again


def _failure(entry: _Entry) -> str | None:
    """What the entry's task raised: caught by the store, or said by the task itself."""
    return entry.error or getattr(entry.task, "error", None)


class Busy(NamedTuple):
    tasks: int  # unfinished tasks someone is watching: those the work slot advances
    sessions: int  # sessions watching anything


class Store:
    def __init__(self, budget: int, stale: float = 3.0, idle: float = 120.0, quantum: float = 0.05,
                 clock: Callable[[], float] = time.monotonic, shared: object | None = None) -> None:
        self.budget, self.stale, self.idle, self.quantum, self.clock = budget, stale, idle, quantum, clock
        self.shared = shared  # an ``optviz.serve.replicas.Coordinator`` when several replicas share the runs
        self._lock = threading.Lock()  # guards the entries
        self._slot = threading.Lock()  # one worker at a time: a training step already uses both cores
        self._entries: dict[Hashable, _Entry] = {}

    def get(self, key: Hashable, make: Callable[[], object], max_age: float | None = None) -> object:
        """The task for ``key``, made by ``make()`` if there is none (or if the one there finished
        more than ``max_age`` seconds ago: a fresh measurement is wanted). A failed task stays
        until ``retry``. ``make`` runs outside the store's lock, so other sessions never wait for a
        task being built; if two build one at once, the first stored is the one everyone gets."""
        with self._lock:
            entry = self._current(key, max_age)
            if entry is not None:
                entry.used = self.clock()
                return entry.task
        task = make()
        with self._lock:
            entry = self._current(key, max_age)
            now = self.clock()
            if entry is None:
                entry = self._entries[key] = _Entry(task, now)
                self._evict(now)
            entry.used = now
            return entry.task

    def _current(self, key: Hashable, max_age: float | None) -> _Entry | None:
        """``key``'s entry unless it is missing or finished more than ``max_age`` s ago."""
        entry = self._entries.get(key)
        stale = max_age is not None and entry is not None and entry.finished_at is not None
        return None if entry is None or (stale and self.clock() - entry.finished_at > max_age) else entry

    def derive(self, key: Hashable, base: Hashable, make: Callable[[object | None], object], wait: float = 5.0
               ) -> object:
        """The task for ``key``; if there is none, ``make(task for base)`` makes it while no worker
        runs, so that task holds still while it is copied. ``make`` gets None when there is no task
        for ``base``, or when the work slot stays busy for ``wait`` seconds."""
        if (task := self.peek(key)) is not None:
            return task
        held = self._slot.acquire(timeout=wait)
        try:
            parent = self.peek(base) if held else None
            return self.get(key, lambda: make(parent))
        finally:
            if held:
                self._slot.release()

    def peek(self, key: Hashable) -> object | None:
        """The task for ``key`` if someone already asked for it, else None (nothing is started)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            entry.used = self.clock()
            return entry.task

    def watch(self, session: str, keys: Iterable[Hashable]) -> None:
        """``session`` is looking at these tasks now: keep them advancing (those that exist)."""
        shared = []
        with self._lock:
            now = self.clock()
            for key in keys:
                if (entry := self._entries.get(key)) is not None:
                    entry.watchers[session] = entry.used = now
                    if self.shared is not None and self.shared.shares(entry.task):
                        shared.append(key)
        for key in shared:  # outside the lock: a round trip to Redis
            self.shared.watch(key, session, self.stale)

    def unwatch(self, session: str, keys: Iterable[Hashable]) -> None:
        """``session`` stops looking at ``keys``."""
        with self._lock:
            for key in keys:
                if (entry := self._entries.get(key)) is not None:
                    entry.watchers.pop(session, None)

    def hold(self, session: str, keys: Iterable[Hashable], seconds: float) -> None:
        """``session`` paused these tasks and is still open: keep them (not advancing) for at least
        ``seconds`` more, whatever the budget. Renewing the hold keeps them longer."""
        with self._lock:
            now = self.clock()
            for key in keys:
                if (entry := self._entries.get(key)) is not None:
                    entry.holds[session] = now + seconds
                    entry.used = now

    def release(self, session: str, keys: Iterable[Hashable]) -> None:
        """``session`` no longer holds ``keys`` (resumed, reset, or started another race)."""
        with self._lock:
            for key in keys:
                if (entry := self._entries.get(key)) is not None:
                    entry.holds.pop(session, None)

    def held_until(self, key: Hashable) -> float | None:
        """When the last hold on ``key`` lapses, in the store's clock; None if nobody holds it."""
        with self._lock:
            entry = self._entries.get(key)
            return max(entry.holds.values(), default=None) if entry is not None else None

    def retry(self, key: Hashable) -> None:
        """Forget ``key``'s task if it failed, so that the next ``get`` makes it anew."""
        with self._lock:
            if (entry := self._entries.get(key)) is not None and _failure(entry) is not None:
                del self._entries[key]

    def error(self, key: Hashable) -> str | None:
        """What ``key``'s task raised, if it failed ("TypeError: ..."); None otherwise."""
        with self._lock:
            entry = self._entries.get(key)
            return None if entry is None else _failure(entry)

    def watchers(self, key: Hashable) -> set[str]:
        """Sessions that watched ``key`` within the last ``stale`` seconds (on every replica, when
        they share it: another replica's sessions as "replica/session")."""
        with self._lock:
            entry = self._entries.get(key)
            here = set() if entry is None else self._fresh(entry, self.clock())
        if entry is None or self.shared is None or not self.shared.shares(entry.task):
            return here
        mine = f"{self.shared.owner}/"
        return here | {w[len(mine):] if w.startswith(mine) else w for w in self.shared.watchers(key, self.stale)}

    def busy(self) -> Busy:
        with self._lock:
            now = self.clock()
            fresh = [(e, self._fresh(e, now)) for e in self._entries.values()]
            return Busy(sum(1 for e, w in fresh if w and not e.task.done and _failure(e) is None),
                        len(set().union(*(w for _, w in fresh))))

    def eta(self, key: Hashable) -> float | None:
        """Seconds until ``key``'s current phase ends at the pace of its last turns (waiting for
        other tasks' turns included); None until that pace is known, 0 once done."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.task.done:
                return 0.0
            phase, done, total = entry.task.progress
            now = self.clock()
            points = [(t, d) for t, p, d in entry.history if p == phase and now - t < 15.0]
            if len(points) < 2 or points[-1][1] <= points[0][1]:
                return None
            rate = (points[-1][1] - points[0][1]) / (points[-1][0] - points[0][0] or 1e-9)
            return (total - done) / rate

    def age(self, key: Hashable) -> float | None:
        """Seconds since ``key``'s task finished; None if it has not (or does not exist)."""
        with self._lock:
            entry = self._entries.get(key)
            return None if entry is None or entry.finished_at is None else self.clock() - entry.finished_at

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(e.task.nbytes for e in self._entries.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def work(self, seconds: float, wait: float = 0.0) -> bool:
        """Advance watched tasks for about ``seconds`` (at least one turn) if the work slot frees
        within ``wait`` seconds (asleep meanwhile); False if another session held it all that time."""
        if not self._slot.acquire(timeout=wait) if wait > 0 else not self._slot.acquire(blocking=False):
            return False
        try:
            deadline, turns, foreign, trained = time.perf_counter() + seconds, 0, set(), False
            while ((left := deadline - time.perf_counter()) > 0 or not turns) and (group := self._next_group(foreign)):
                if self.shared is not None:
                    group = self._claim(group, foreign)
                if group:
                    trained = True
                    head, *rest = group
                    try:
                        head.advance(max(0.0, min(left, self.quantum * len(group))), tuple(rest))
                    except Exception as err:  # noqa: BLE001 - the task's own watchers see it, nobody else
                        self._failed(group, f"{type(err).__name__}: {err}")
                    self._after_turn(group)
                    if self.shared is not None:
                        for key, task in self._keys(group):
                            if self.shared.shares(task):
                                self.shared.publish(key, task)
                turns += 1
        finally:
            self._slot.release()
            with self._lock:
                self._evict(self.clock())
        if foreign and not trained:  # only other replicas' runs: redraw at their pace, not as fast as this one can
            time.sleep(seconds)
        return True

    def _fresh(self, entry: _Entry, now: float) -> set[str]:
        return {s for s, seen in entry.watchers.items() if now - seen <= self.stale}

    def _claim(self, group: list, foreign: set) -> list:
        """The tasks of ``group`` this replica trains now; each run another replica owns is replaced
        by that replica's last checkpoint (to draw) and left out of this turn, as is (in
        ``foreign``) for the rest of it."""
        mine = []
        for key, task in self._keys(group):
            if not self.shared.shares(task):
                mine.append(task)
                continue
            kept, trains = self.shared.own(key, task)
            if kept is not task:
                with self._lock:
                    if (entry := self._entries.get(key)) is not None and entry.task is task:
                        entry.task = kept
                self._after_turn([kept])
            if trains:
                mine.append(kept)
            else:
                foreign.add(key)
        lead = mine[0].lockstep if mine else None
        return [t for t in mine if t.lockstep == lead] if lead is not None else mine[:1]

    def _keys(self, tasks: list) -> list[tuple[Hashable, object]]:
        with self._lock:
            return [(k, e.task) for k, e in self._entries.items() if any(e.task is t for t in tasks)]

    def _next_group(self, skip: set = frozenset()) -> list:
        """The watched, unfinished task that waited longest for a turn, with its lockstep peers
        (none of the keys in ``skip``)."""
        with self._lock:
            now = self.clock()
            due = [e for k, e in self._entries.items()
                   if k not in skip and not e.task.done and _failure(e) is None and self._fresh(e, now)]
            if not due:
                return []
            first = min(due, key=lambda e: e.served)
            step = first.task.lockstep
            group = [first] + ([e for e in due if e is not first and e.task.lockstep == step] if step is not None else [])
            for e in group:
                e.served = now
            return [e.task for e in group]

    def _failed(self, tasks: list, message: str) -> None:
        with self._lock:
            for entry in self._entries.values():
                if any(entry.task is t for t in tasks):
                    entry.error = message

    def _after_turn(self, tasks: list) -> None:
        with self._lock:
            now = self.clock()
            for entry in self._entries.values():
                if any(entry.task is t for t in tasks):
                    entry.history.append((now, *entry.task.progress[:2]))
                    if entry.task.done and entry.finished_at is None:
                        entry.finished_at = now
                        entry.task.compact()

    def _evict(self, now: float) -> None:
        """Drop unfinished tasks left alone for ``idle`` seconds, then the least recently used
        unwatched tasks while over budget. A task asked for within ``stale`` seconds stays: its
        session is about to watch it; so does a held one until its holds lapse."""
        for entry in self._entries.values():
            entry.holds = {s: until for s, until in entry.holds.items() if until > now}
        alone = {k: e for k, e in self._entries.items()
                 if not self._fresh(e, now) and not e.holds and now - e.used > self.stale}
        for key, entry in alone.items():
            if not entry.task.done and now - entry.used > self.idle:
                del self._entries[key]
        total = sum(e.task.nbytes for e in self._entries.values())
        for key in sorted((k for k in alone if k in self._entries), key=lambda k: alone[k].used):
            if total <= self.budget:
                break
            total -= self._entries.pop(key).task.nbytes
