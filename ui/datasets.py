"""MNIST for the pages: one read-only copy per process, one download for the whole class with a
progress bar every waiting student sees, and a plain message with the fix when it cannot be had."""

from __future__ import annotations

import os
import time

import streamlit as st

from optviz.serve import data, fetch
from ui.common import tr

DOWNLOAD = fetch.Download()  # process-wide on purpose: one download, however many students ask
POLL = 0.3  # s between looks at the download's progress


@st.cache_resource(show_spinner=False)
def _load() -> data.Mnist:
    """Parsed once per process; every session gets this same read-only object."""
    return data.load()


def _wait() -> None:
    """Start the class's download (or join it) and show its progress until it ends. The download
    gives up on a mirror after ``data.FILE_DEADLINE`` s per file, so the wait ends too; the cap
    here only guards against a download thread that never reports back."""
    status = DOWNLOAD.start()
    bar = st.progress(0.0, text=tr("mnist.downloading", name="", pct=0, s=0, limit=data.FILE_DEADLINE))
    cap = time.monotonic() + data.FILE_DEADLINE * len(data.FILES) * (len(data.download_sources()) + 1)
    while status.state == "running" and time.monotonic() < cap:
        share = min(status.done / status.total, 1.0) if status.total else 0.0
        bar.progress(share, text=tr("mnist.downloading", name=status.name, pct=round(100 * share),
                                    s=status.elapsed, limit=data.FILE_DEADLINE))
        time.sleep(POLL)
        status = DOWNLOAD.status()
    bar.empty()
    if status.state == "failed":
        raise data.MnistUnavailable(status.error)
    if status.state == "running":
        raise data.MnistUnavailable(data.offline_message("the download has not finished in time"))


def mnist() -> data.Mnist | None:
    """The shared MNIST arrays, or None after telling the student why not and what fixes it."""
    try:
        if not os.environ.get(data.ENV_DIR) and data.missing(data.cache_dir()):
            _wait()
        return _load()
    except data.MnistUnavailable as err:
        st.error(tr("mnist.unavailable"), icon="🚫")
        st.markdown(str(err))
        st.button(tr("mnist.retry"), on_click=DOWNLOAD.retry)
        return None


def require_mnist() -> data.Mnist:
    """``mnist()``, or stop the page after its message (the rest of the app goes on working)."""
    mnist_data = mnist()
    if mnist_data is None:
        st.stop()
    return mnist_data
