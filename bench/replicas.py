"""Several replicas behind nginx sharing runs and rooms through Redis (issue 29), on this machine.

Starts Redis, three replicas of the app (each with OPTVIZ_REDIS_URL) and nginx in front of them
with the README's sticky `hash $remote_addr consistent` (each student connects from its own
loopback address, 127.0.0.x, as a class's laptops have their own addresses), then prints, measured
in this one run:

1. one student alone on one replica: seconds until the race (the optimizer preset) is finished;
2. ninety students spread over the replicas pressing Start on the same preset: how many times each
   distinct run was trained from scratch (target: exactly once) and the class's time against (1);
3. ninety students each changing one row (distinct runs): the same counts and times;
4. the owning replica killed mid-race: the seconds until every surviving student's race moves on
   again (target <= 15 s), the students of the dead replica reconnecting through nginx (as a
   browser's tab does), and whether any page showed an exception (target: none).

One machine shows correctness, not capacity: the replicas share two cores here, so each trains with
one BLAS thread (one student alone is timed on one such replica).

Run: OPTVIZ_MNIST_DIR=../shared/mnist/offline python bench/replicas.py [students] [iterations]
Needs redis-server and nginx (Debian's `apt-get install redis-server nginx`) and the redis package.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import redis
import websockets
from classroom import Tab, full_size_standin, row_edits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from optviz.serve import data  # noqa: E402

REPLICAS, RECOVERY_TARGET = 3, 15.0
NGINX = (ROOT / "deploy" / "nginx-replicas.conf").read_text()  # the README's recipe, with its scratch paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class Student(Tab):
    """A tab connecting from its own loopback address (nginx's hash sends it to one replica)."""

    def __init__(self, url: str, page: str, query: str, address: str) -> None:
        super().__init__(url, page, query)
        self.address = address

    async def __aenter__(self):
        self.ws = await websockets.connect(self.url.replace("http", "ws") + "/_stcore/stream", subprotocols=["streamlit"],
                                           max_size=2**26, local_addr=(self.address, 0), open_timeout=30)
        self.reader = asyncio.create_task(self._read())
        self.ticker = asyncio.create_task(self._tick())
        return self

    @property
    def iteration(self) -> int:
        text = self.metrics.get("iteration", "0 /")
        return int(re.match(r"([\d,]+) /", text).group(1).replace(",", "")) if "/" in text else 0


def started(db: redis.Redis) -> list[int]:
    """How many times each run in Redis was begun from scratch."""
    return [int(db.get(k)) for k in db.scan_iter(match="optviz:run:*:started")]


def taken(db: redis.Redis) -> int:
    """How many times a run went on from another replica's checkpoint."""
    return sum(int(db.get(k)) for k in db.scan_iter(match="optviz:run:*:taken"))


def runs(db: redis.Redis) -> int:
    """How many distinct runs were published (whatever replica trained them)."""
    return sum(1 for _ in db.scan_iter(match="optviz:run:*:t"))


def forget(db: redis.Redis) -> None:
    for pattern in ("optviz:run:*:started", "optviz:run:*:taken", "optviz:run:*:t"):
        if keys := list(db.scan_iter(match=pattern)):
            db.delete(*keys)


async def class_race(url: str, n: int, query: str, edits: list, timeout: float = 1800) -> float:
    """``n`` students (addresses 127.0.0.2 ...) press Start; seconds until the last sees it finished."""
    go = asyncio.Event()
    deadline = time.monotonic() + timeout

    async def one(k: int) -> float:
        async with Student(url, "mnist", query, f"127.0.0.{2 + k}") as tab:
            await tab.load()
            await go.wait()
            await tab.click("▶ Start", edits[k])
            while tab.done_at is None and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            if tab.errors:
                print("   exception on a page:", tab.errors[0])
            return tab.done_at if tab.done_at is not None else float("inf")

    tasks = [asyncio.create_task(one(k)) for k in range(n)]
    await asyncio.sleep(5.0 + 0.15 * n)
    start = time.monotonic()
    go.set()
    return max(await asyncio.gather(*tasks)) - start


async def killed_mid_race(url: str, n: int, query: str, db: redis.Redis, replicas: dict[int, subprocess.Popen]) -> None:
    """Kill the replica that owns the race once it is under way; time until every student's race moves again."""
    tabs = [Student(url, "mnist", query, f"127.0.0.{2 + k}") for k in range(n)]
    for tab in tabs:
        await tab.__aenter__()
    await asyncio.gather(*(tab.load() for tab in tabs))
    await asyncio.gather(*(tab.click("▶ Start") for tab in tabs))
    while min(tab.iteration for tab in tabs) < 50:
        await asyncio.sleep(0.2)
    owners = {db.get(k).decode() for k in db.scan_iter(match="optviz:run:*:lease")}
    pid = next(p for p in replicas if any(f"-{p}-" in o for o in owners))
    before = {id(tab): tab.iteration for tab in tabs}
    replicas.pop(pid).send_signal(signal.SIGKILL)
    killed = time.monotonic()
    dead = [tab for tab in tabs if tab.ws.state.name != "OPEN" or tab.reader.done()]
    await asyncio.sleep(1.0)
    dead = [tab for tab in tabs if tab.reader.done()]
    moved: dict[int, float] = {}
    for tab in dead:  # a browser's tab reconnects: through nginx, to a live replica, and presses Start again
        tab.reader.cancel()
        tab.ticker.cancel()
        fresh = Student(url, "mnist", query, tab.address)
        await fresh.__aenter__()
        await fresh.load()
        await fresh.click("▶ Start")
        tabs[tabs.index(tab)] = fresh
        before[id(fresh)] = 0
    deadline = time.monotonic() + 120
    while len(moved) < len(tabs) and time.monotonic() < deadline:
        for tab in tabs:
            if id(tab) not in moved and tab.iteration > before[id(tab)] and tab.iteration > 50:
                moved[id(tab)] = time.monotonic() - killed
        await asyncio.sleep(0.1)
    errors = sum(len(tab.errors) for tab in tabs)
    slowest = max(moved.values(), default=float("inf"))
    print(f"4. the owning replica (pid {pid}) killed mid-race: {len(dead)} of {n} students were on it and reconnected; "
          f"{len(moved)} of {n} saw their race move again, the last after {slowest:.1f} s (target <= {RECOVERY_TARGET:g} s)"
          f" -> {'met' if slowest <= RECOVERY_TARGET and len(moved) == n else 'NOT met'}; exceptions on pages: {errors} "
          f"(target: none)")
    for tab in tabs:
        await tab.__aexit__()


async def lesson(url: str, alone_url: str, n: int, iterations: int, db: redis.Redis,
                 replicas: dict[int, subprocess.Popen]) -> None:
    q = f"mnist_iterations={iterations}"
    solo = await class_race(alone_url, 1, q + "&mnist_seed=1", [None])
    print(f"1. one student alone on one replica: the optimizer race (6 networks, {iterations} iterations) in {solo:.1f} s")
    forget(db)
    together = await class_race(url, n, q + "&mnist_seed=2", [None] * n)
    counts = started(db)
    print(f"2. {n} students over {len(replicas)} replicas press Start on the same preset: {runs(db)} runs, {len(counts)} "
          f"begun, {sorted(set(counts))} time(s) each (target: once) -> "
          f"{'met' if set(counts) == {1} and len(counts) == runs(db) else 'NOT met'}; "
          f"the last saw it finished after {together:.1f} s = {together / solo:.2f} x (1); {taken(db)} hand-overs")
    forget(db)
    edits = row_edits(min(n, 40))
    edits = [edits[k % len(edits)] for k in range(n)]
    rows = await class_race(url, n, q + "&mnist_seed=3", edits)
    counts, distinct = started(db), runs(db)  # an edit may give a row's network the settings of another row
    print(f"3. {n} students each change one row: {distinct} distinct runs, {len(counts)} begun, "
          f"{sorted(set(counts))} time(s) each -> {'met' if set(counts) == {1} and len(counts) == distinct else 'NOT met'}; "
          f"all finished after {rows:.1f} s; one student alone would take {solo * distinct / 6:.1f} s for them "
          f"({rows / (solo * distinct / 6):.2f} x); {taken(db)} hand-overs")
    await killed_mid_race(url, n, q + "&mnist_seed=4", db, replicas)
    per_run = solo / 6
    print(f"   capacity: one run of {iterations} iterations costs {per_run:.1f} s of a 2-core replica here; k such "
          f"machines train about k times as many distinct runs at once, and a shared run costs the same on any k.")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 90
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    if not os.environ.get(data.ENV_DIR):
        sys.exit("set OPTVIZ_MNIST_DIR (for example ../shared/mnist/offline)")
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        tmp_path = Path(tmp)
        folder = full_size_standin(Path(os.environ[data.ENV_DIR]), tmp_path)
        redis_port = free_port()
        redis_server = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL)
        stack.callback(redis_server.terminate)
        url = f"redis://127.0.0.1:{redis_port}/0"
        env = {**os.environ, data.ENV_DIR: str(folder), "OPTVIZ_REDIS_URL": url, "OPTVIZ_DB": str(tmp_path / "rooms.db"),
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}  # three replicas share two cores: one thread each
        replicas, ports = {}, []
        for _ in range(REPLICAS):
            port = free_port()
            proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                     "--server.address", "127.0.0.1", "--server.headless", "true",
                                     "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            stack.callback(lambda p=proc: p.poll() is None and p.terminate())
            replicas[proc.pid] = proc
            ports.append(port)
        for port in ports:
            wait_http(f"http://127.0.0.1:{port}/_stcore/health")
        nginx_port = free_port()
        conf = tmp_path / "nginx.conf"
        conf.write_text(NGINX.format(dir=tmp, port=nginx_port,
                                     servers=" ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in ports)))
        nginx = subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        stack.callback(nginx.terminate)
        front = f"http://127.0.0.1:{nginx_port}"
        wait_http(front + "/_stcore/health")
        print(f"Redis on {redis_port}, {REPLICAS} replicas on {ports}, nginx on {nginx_port}; {n} students, "
              f"{os.cpu_count()} cores")
        asyncio.run(lesson(front, f"http://127.0.0.1:{ports[0]}", n, iterations, redis.Redis.from_url(url), replicas))


if __name__ == "__main__":
    main()
