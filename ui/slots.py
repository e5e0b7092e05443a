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
        self._lock = threading.Lock()
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

    def leave(self, session: str) -> None:
        """Give the slot back (safe to call when not holding one)."""
        with self._lock:
            self._active.pop(session, None)

    def forget(self, session: str) -> None:
        """Drop ``session`` from the line (it paused or finished)."""
        with self._lock:
            self._waiting.pop(session, None)
            self._active.pop(session, None)

    @contextmanager
    def hold(self, session: str, poll: float = 0.2):
        """Wait (sleeping, holding no core) until ``session`` may run, and release afterwards."""
        while self.enter(session):
            time.sleep(poll)
        try:
            yield
        finally:
            self.leave(session)

    @property
    def busy(self) -> tuple[int, int]:
        """(sessions training, sessions waiting)."""
        with self._lock:
            return len(self._active), len(self._waiting)


TRAINING = Gate(slots=2)  # process-wide: shared by every session on purpose
