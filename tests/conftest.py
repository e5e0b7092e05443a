import functools
import http.server
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # lets tests import optviz and ui without installing the project
    sys.path.insert(0, str(ROOT))

_DRAWN: list[str] = []  # the folders this run made (digits, class rooms), removed at the end


def pytest_configure(config):
    """Every script is compiled once per run, as on the server (``apptest.compile_once``).
    Without ``OPTVIZ_MNIST_DIR`` (a fresh clone has no data folder beside it) the tests draw
    their own digits and point the app at them: every data test runs, none is skipped. The class
    rooms go to a fresh file of this run, never the user's. The browser tests' servers inherit
    both variables."""
    import apptest

    apptest.compile_once()
    if not hasattr(config, "workerinput"):
        rooms = tempfile.mkdtemp(prefix="optviz-rooms-")
        os.environ["OPTVIZ_DB"] = str(Path(rooms) / "rooms.db")
        _DRAWN.append(rooms)
    if not os.environ.get("OPTVIZ_MNIST_DIR") and not hasattr(config, "workerinput"):
        import segment_digits

        folder = tempfile.mkdtemp(prefix="optviz-digits-")
        segment_digits.write(Path(folder))
        os.environ["OPTVIZ_MNIST_DIR"] = folder
        _DRAWN.append(folder)


def pytest_unconfigure(config):
    for folder in _DRAWN:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def fresh_store(monkeypatch):
    """Each test starts with an empty class store (the process-wide one pages share). Until a test
    imports the pages' modules the store does not exist yet, and is empty when it first does: unit
    tests of the core pay nothing for it."""
    shared = sys.modules.get("ui.shared")
    if shared is not None:
        from optviz.serve.store import Store

        monkeypatch.setattr(shared, "STORE", Store(shared.BUDGET))
    return shared


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def toy_digits():
    """A small learnable stand-in for MNIST: 784 features, 10 classes (class centres plus noise);
    an ``optviz.serve.data.Mnist`` with 500 training and 100 test examples."""
    from optviz.serve.data import Mnist

    rng = np.random.default_rng(5)
    centres = rng.normal(0, 1, (10, 784)).astype(np.float32)
    y = rng.integers(0, 10, 600).astype(np.uint8)
    x = (centres[y] + rng.normal(0, 2, (600, 784))).astype(np.float32)
    return Mnist(x[:500], y[:500], x[500:], y[500:], "toy", "toy-digits")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def mirror(tmp_path):
    """A local HTTP server standing in for a download mirror; yields (folder it serves, URL)."""
    served = tmp_path / "served"
    served.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A Redis for the tests that need one: ``OPTVIZ_TEST_REDIS_URL`` when set (``.ci/run`` starts
    Debian's redis-server on a loopback port), else a redis-server of this machine started here on a
    free port without persistence. Without either (a fresh machine without Redis), those tests skip:
    the app needs Redis only with several replicas."""
    import socket
    import subprocess
    import time

    pytest.importorskip("redis", reason="the redis client is installed only for several replicas")
    import redis

    if url := os.environ.get("OPTVIZ_TEST_REDIS_URL"):
        yield url
        return
    if not shutil.which("redis-server"):
        pytest.skip("no Redis here: set OPTVIZ_TEST_REDIS_URL or install redis-server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 20
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("redis-server did not start within 20 s")
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=10)
