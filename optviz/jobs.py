"""A long computation cut into short pieces, so the class can share it through ``optviz.serve.store``
and a page can show its progress, phase by phase, and its partial results as they come.

The computation is a generator that yields a ``Step`` after each piece (a few tenths of a second
of work at most) and returns its result.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Generator
from typing import NamedTuple

import numpy as np


class Step(NamedTuple):
    phase: int  # index into the job's phases
    done: int  # units of this phase finished
    total: int  # units in this phase
    partial: object = None  # a result to show so far (None: nothing new)


def nbytes(value: object) -> int:
    """Bytes of the NumPy arrays inside ``value`` (tuples, lists, dicts of them)."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, dict):
        return sum(nbytes(v) for v in value.values())
    if isinstance(value, (tuple, list)):
        return sum(nbytes(v) for v in value)
    return 0


class Job:
    """Runs ``steps`` piece by piece. ``phases`` names the phases (keys a page translates);
    ``working_bytes`` is what the computation holds while it runs (weights, say)."""

    lockstep = None  # a job advances alone

    def __init__(self, steps: Generator[Step, None, object], phases: tuple[str, ...], working_bytes: int = 0) -> None:
        self.phases, self.working_bytes = phases, working_bytes
        self._steps: Generator | None = steps
        self.step = Step(0, 0, 1)
        self.partial: object = None
        self.result: object = None
        self.error: str | None = None
        self.seconds = 0.0  # compute time so far

    @property
    def done(self) -> bool:
        return self._steps is None

    @property
    def progress(self) -> tuple[int, int, int]:
        return self.step[:3]

    def advance(self, seconds: float, companions: tuple = ()) -> None:
        """Run pieces for about ``seconds`` (at least one) or to the end. An exception ends the
        job with ``error`` set: a page shows it as a message, never as a traceback."""
        start = time.perf_counter()
        first = True
        while self._steps is not None and (first or time.perf_counter() - start < seconds):
            first = False
            try:
                with np.errstate(all="ignore"):
                    self.step = next(self._steps)
                if self.step.partial is not None:
                    self.partial = self.step.partial
            except StopIteration as stop:
                self.result, self._steps = stop.value, None
            except Exception as err:  # noqa: BLE001 - shown to the student, who cannot fix code
                self.error, self._steps = f"{type(err).__name__}: {err}", None
        self.seconds += time.perf_counter() - start

    def compact(self) -> None:
        self.partial = None if self.result is not None else self.partial

    @property
    def nbytes(self) -> int:
        return nbytes(self.result) + nbytes(self.partial) + (0 if self.done else self.working_bytes)

    def view(self) -> bytes:
        """What a page draws of it (phases, progress, partial and final result, error), as bytes
        for another replica's pages (``JobView.restore``). Pickled: only the app's replicas write it."""
        return pickle.dumps((self.phases, tuple(self.step[:3]), self.partial, self.result, self.error, self.done),
                            protocol=pickle.HIGHEST_PROTOCOL)


class JobView:
    """A job another replica runs, as its pages see it (``Job.view``): it never advances here."""

    lockstep = None
    working_bytes = 0

    def __init__(self, phases: tuple[str, ...], progress: tuple[int, int, int], partial: object, result: object,
                 error: str | None, done: bool) -> None:
        self.phases, self.progress, self.partial, self.result, self.error, self.done = (
            phases, progress, partial, result, error, done)

    @classmethod
    def restore(cls, blob: bytes) -> JobView:
        return cls(*pickle.loads(blob))

    def advance(self, seconds: float, companions: tuple = ()) -> None:
        raise ValueError("a view of another replica's job does not run")

    def compact(self) -> None:
        """Nothing to drop: it holds what the other replica published."""

    @property
    def nbytes(self) -> int:
        return nbytes(self.result) + nbytes(self.partial)


def run_to_end(steps: Generator[Step, None, object]) -> object:
    """The result of a step generator, computed at once (tests, scripts)."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value
