"""Fair sharing of the server's cores between students who train at the same time.

One process serves the whole class. A ``Gate`` lets at most ``slots`` sessions run a training
chunk at once; the others wait in arrival order, and a session that has had its chunk goes to the
back of the line. A session that stops asking (its tab was closed) drops out after ``stale``
seconds, so a closed tab never holds a place.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager


class Gate:
    def __init__(self, slots: int = 2, stale: float = 3.0, clock=time.monotonic) -> None:
        self.slots, self.stale, self.clock = slots, stale, clock
        self._lock = threading.Condition()  # notified whenever a slot is given back
        self._waiting: dict[str, float] = {}  # session -> last time it asked, in arrival order
        self._active: dict[str, float] = {}  # session -> when it took its slot

    def enter(self, session: str) -> int:
        """0 if ``session`` may train now (then call ``leave`` in a ``finally``), else its place in
        the line (1: next to go)."""
        with self._lock:
            now = self.clock()
            for s in [s for s, seen in self._waiting.items() if now - seen > self.stale]:
                del self._waiting[s]
            for s in [s for s, since in self._active.items() if now - since > 10 * self.stale]:
                del self._active[s]  # a holder that never left (cannot happen with a finally)
            if session in self._active:
                return 0
            self._waiting.setdefault(session, now)  # a newcomer joins at the back
            self._waiting[session] = now  # refreshing keeps the place
            ahead = list(self._waiting).index(session)
            free = self.slots - len(self._active)
            if ahead < free:
                del self._waiting[session]
                self._active[session] = now
                return 0
            return ahead - free + 1

    def wait(self, session: str, timeout: float) -> int:
        """``enter``, waiting up to ``timeout`` seconds for a slot (asleep, holding no core; woken
        the moment a slot is given back). 0: the slot is held; else the place in the line."""
        deadline = self.clock() + timeout
        with self._lock:
            while (place := self.enter(session)) and (left := deadline - self.clock()) > 0:
                self._lock.wait(min(left, self.stale / 2))  # wake to stay fresh in the line
            return place

    def leave(self, session: str) -> None:
        """Give the slot back (safe to call when not holding one)."""
        with self._lock:
            self._active.pop(session, None)
            self._lock.notify_all()

    def forget(self, session: str) -> None:
        """Drop ``session`` from the line (it paused or finished)."""
        with self._lock:
            self._waiting.pop(session, None)
            self._active.pop(session, None)
            self._lock.notify_all()

    @contextmanager
    def hold(self, session: str):
        """Wait (asleep, holding no core) until ``session`` may run, and release afterwards."""
        while self.wait(session, 1.0):
            pass
        try:
            yield
        finally:
            self.leave(session)

    @property
    def busy(self) -> tuple[int, int]:
        """(sessions training, sessions waiting)."""
        with self._lock:
            return len(self._active), len(self._waiting)


# Process-wide: shared by every session on purpose. One training at a time: its matrix products
# already use both cores, and bench/classroom.py measured 30 students at 136 it/s in total with one
# slot against 96 it/s with two (two trainings fight over the cores and the GIL).
TRAINING = Gate(slots=1)
