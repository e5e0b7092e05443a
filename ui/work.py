"""Long computations on a page: the student's place in the shared training line, shown while
waiting, and a session id for it."""

from __future__ import annotations

import uuid
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
