"""Long computations on a page: the student's place in the shared training line, shown while
waiting, and a session id for it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import contextmanager

import streamlit as st

from ui.common import tr
from ui.slots import TRAINING

SID = "sid"


def session_id() -> str:
    """An id for this browser session (the training line needs one)."""
    return st.session_state.setdefault(SID, uuid.uuid4().hex)


@contextmanager
def cpu_slot(status):
    """Run the body once this session holds a training slot; while waiting, say where the student
    stands in ``status`` (an st.empty). Every wait ends at a Streamlit call, so a click stops it."""
    sid = session_id()
    while place := TRAINING.wait(sid, 0.3):
        status.info(tr("mnist.waiting", place=place), icon="⏳")
    status.empty()
    try:
        yield
    finally:
        TRAINING.leave(sid)


def take_turn(work: Callable[[], object], wait: float) -> tuple[int, tuple[int, int]]:
    """Run ``work`` (one chunk of training) if this session gets the training slot within ``wait``
    seconds. Returns (place in the line, 0 if it ran; (sessions training, sessions waiting) as it
    stood, this session included)."""
    sid = session_id()
    place = TRAINING.wait(sid, wait)  # asleep while waiting: no core, no GIL
    busy = TRAINING.busy
    if place == 0:
        try:
            work()
        finally:
            TRAINING.leave(sid)
    return place, busy
