"""A real optviz server for the benchmarks: started on a free port, ready when it answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Headless Chromium on a machine with no GPU and no internet (Debian's /usr/bin/chromium).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@contextmanager
def streamlit_server(prefix: tuple[str, ...] = (), env: dict[str, str] | None = None):
    """Yields the running server process with its address in ``.url``; ``prefix`` goes before the
    command (``("taskset", "-c", "0")`` pins it to a core), ``env`` is added to the environment."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([*prefix, sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true",
                               "--browser.gatherUsageStats", "false"], cwd=ROOT, env={**os.environ, **(env or {})},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server.url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(server.url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        server.wait(10)
