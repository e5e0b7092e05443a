"""MNIST for the pages: one read-only copy per process, a progress bar while it downloads, and a
plain message with the fix when it cannot be had."""

from __future__ import annotations

import os
import threading
import time

import streamlit as st

from optviz import data
from ui.common import tr

RETRY_AFTER = 60.0  # seconds before a failed download is tried again (a dead mirror can take a minute)
_download_lock = threading.Lock()  # one download per process, however many students ask
_last_failure: list[tuple[float, str]] = []  # (when, message): process-wide on purpose


@st.cache_resource(show_spinner=False)
def _load() -> data.Mnist:
    """Parsed once per process; every session gets this same read-only object."""
    return data.load()


def _retry() -> None:
    _last_failure.clear()


def mnist() -> data.Mnist | None:
    """The shared MNIST arrays, or None after telling the student why not and what fixes it."""
    try:
        if _last_failure and time.monotonic() - _last_failure[-1][0] < RETRY_AFTER:
            raise data.MnistUnavailable(_last_failure[-1][1])
        if not os.environ.get(data.ENV_DIR) and data.missing(folder := data.cache_dir()):
            with _download_lock:
                bar = st.progress(0.0, text=tr("mnist.downloading", name="", pct=0))
                data.download(folder, lambda name, done, total: bar.progress(
                    min(done / total, 1.0) if total else 0.0,
                    text=tr("mnist.downloading", name=name, pct=round(100 * done / total) if total else 0)))
                bar.empty()
        return _load()
    except data.MnistUnavailable as err:
        if not _last_failure or _last_failure[-1][1] != str(err):
            _last_failure[:] = [(time.monotonic(), str(err))]
        st.error(tr("mnist.unavailable"), icon="🚫")
        st.markdown(str(err))
        st.button(tr("mnist.retry"), on_click=_retry)
        return None


def require_mnist() -> data.Mnist:
    """``mnist()``, or stop the page after its message (the rest of the app goes on working)."""
    mnist_data = mnist()
    if mnist_data is None:
        st.stop()
    return mnist_data
