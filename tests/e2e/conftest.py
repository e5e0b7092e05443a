"""Browser-test harness: one live Streamlit server and one headless Chromium for the session.

Pages add their own tests here using the ``page`` fixture (a fresh tab) and ``open_page``
(loads a URL path and waits until the script has finished). Screenshots of every test land in
``artifacts/`` for a person to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit_page import assert_no_exception, wait_idle

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("OPTVIZ_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]



def pytest_collection_modifyitems(items):
    """Marks every browser test, so ``-m browser`` selects them and ``-m "not browser"`` skips them."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str] | None = None):
    """A fresh Streamlit server process serving app.py (``env`` added to its environment); ``url``
    and ``pid`` on the returned process. Stop it with ``stop_server``, which fails on any logged
    traceback."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("Streamlit server did not become healthy within 60 s")
    proc.url = url
    return proc


def stop_server(proc) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    # Streamlit's own server logs a traceback when a tab closes while its websocket is still being
    # accepted (a race inside starlette, no app code in it); any other traceback fails the session.
    benign = 'Need to call "accept" first' in log and str(ROOT) not in log
    assert "Traceback" not in log or benign, f"the server logged a traceback:\n{log}"


@pytest.fixture(scope="session")
def server():
    """The live server process (its ``pid`` lets a test watch its CPU time)."""
    proc = start_server()
    yield proc
    stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server_url(server):
    return server.url


@pytest.fixture
def page(browser, request):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    errors: list[str] = []
    # Pausing a Plotly animation rejects the interrupted animation's promise with no value
    # ("undefined", no stack): Plotly's own behaviour, invisible to the student. Anything else counts.
    pg.on("pageerror", lambda e: None if (e.message, e.stack) == ("undefined", "") else errors.append(str(e)))
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def open_page(page, server_url):
    def _open(path: str = "", timeout: float = 30_000):
        page.goto(f"{server_url}/{path}")
        page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
        wait_idle(page, timeout)
        assert_no_exception(page)
        return page

    return _open
