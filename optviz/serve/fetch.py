"""One MNIST download for the whole server, however many students open a page at once.

The first student who needs the files starts the download in a background thread; everyone else
(the first student too) watches the same status: which file, how many bytes, or the error. A
failure is remembered for ``retry_after`` seconds, and so is every mirror that failed, so thirty
students do not retry a dead mirror thirty times in turn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from optviz.serve import data


class Status(NamedTuple):
    state: str  # "idle", "running", "failed" or "done"
    name: str  # the file being fetched ("" before the first byte)
    done: int  # bytes of that file so far
    total: int  # its size in bytes (0 when the mirror does not say)
    error: str  # the message with the fix, when failed
    elapsed: float  # seconds since the download started


class Download:
    """A process-wide, single-flight download of the missing MNIST files into ``folder``."""

    def __init__(self, folder: Callable[[], Path] = data.cache_dir, retry_after: float = 60.0,
                 dead_for: float = 600.0, clock: Callable[[], float] = time.monotonic, **options) -> None:
        self._folder, self._retry_after, self._dead_for, self._clock = folder, retry_after, dead_for, clock
        self._options = options  # passed on to data.download (mirrors, files, deadline, stall)
        self._lock = threading.Lock()
        self._status = Status("idle", "", 0, 0, "", 0.0)
        self._started = self._failed_at = 0.0
        self._dead: dict[str, float] = {}  # mirror -> when it failed

    def status(self) -> Status:
        with self._lock:
            s = self._status
            return s._replace(elapsed=self._clock() - self._started) if s.state == "running" else s

    def start(self) -> Status:
        """Start the download unless it is running, done, or failed less than ``retry_after`` s ago."""
        with self._lock:
            s = self._status
            if s.state == "running" or (s.state == "done" and not data.missing(self._folder())) or (
                    s.state == "failed" and self._clock() - self._failed_at < self._retry_after):
                return s
            self._started = self._clock()
            self._status = Status("running", "", 0, 0, "", 0.0)
            threading.Thread(target=self._run, name="optviz-mnist-download", daemon=True).start()
            return self._status

    def retry(self) -> None:
        """Forget the last failure and the dead mirrors (the teacher fixed the network)."""
        with self._lock:
            if self._status.state == "failed":
                self._status = self._status._replace(state="idle")
            self._dead.clear()

    def _progress(self, name: str, done: int, total: int) -> None:
        with self._lock:
            self._status = self._status._replace(name=name, done=done, total=total)

    def _is_dead(self, mirror: str) -> bool:
        with self._lock:
            return self._clock() - self._dead.get(mirror, -float("inf")) < self._dead_for

    def _mark_dead(self, mirror: str) -> None:
        with self._lock:
            self._dead[mirror] = self._clock()

    def _run(self) -> None:
        try:
            data.download(self._folder(), self._progress, dead=self._is_dead, failed=self._mark_dead,
                          **self._options)
            outcome = Status("done", "", 0, 0, "", 0.0)
        except data.MnistUnavailable as err:
            outcome = Status("failed", "", 0, 0, str(err), 0.0)
        except Exception as err:  # noqa: BLE001 - a waiting class must always get an answer
            outcome = Status("failed", "", 0, 0, data.offline_message(f"unexpected error: {err!r}"), 0.0)
        with self._lock:
            self._status = outcome._replace(elapsed=self._clock() - self._started)
            self._failed_at = self._clock()
