"""MNIST training benchmark: step speed against its GEMM floor, speed by batch size, the live
page's overhead, and the process's memory with MNIST loaded.

Run: OPTVIZ_MNIST_DIR=../shared/mnist/offline python bench/mnist.py
Every ratio compares numbers measured in this one run (the machine is shared and noisy). The
page's overhead is measured with the server and the browser on separate cores, as in a classroom
where the browser runs on the student's laptop (needs taskset and /usr/bin/chromium).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optviz.nn import (  # noqa: E402
    edge,
    inside,
    train,  # noqa: E402
)
from optviz.serve import data  # noqa: E402

STEP_TARGET = 1.6  # a step within 1.6x of its matrix products alone
UI_TARGET = 0.10  # the page may cost at most 10 % of headless throughput
SHARPNESS_TARGET = 0.25  # λmax measured along the way may cost at most a quarter of the training
LANDSCAPE_TARGET = 5.0  # s to draw the loss on the plane of a path


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def median_time(fn, repeat: int) -> float:
    """Median seconds of ``fn()`` over ``repeat`` calls, in 5 blocks (median of block means)."""
    blocks = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(repeat):
            fn()
        blocks.append((time.perf_counter() - t0) / repeat)
    return statistics.median(blocks)


def runner(m: data.Mnist, batch: int, optimizer: str = "Adam", lr: float = 0.001) -> tuple[train.Run, callable]:
    """A run and a function that does one of its training iterations (batch gather included)."""
    run = train.Run(train.RaceConfig((train.NetConfig(optimizer, lr),), batch=batch, iterations=10**6).keys(m)[0], m)
    return run, lambda: run.advance(0.0)


def gemm_floor(shapes: list[tuple[int, int]], batch: int, rng: np.random.Generator) -> callable:
    """The step's 14 matrix products alone, on its real shapes: forward h·W per layer, backward
    hᵀ·dz per layer and dz·Wᵀ for every layer but the first."""
    hs = [rng.random((batch, fi), np.float32) for fi, _ in shapes]
    ws = [rng.random((fi, fo), np.float32) for fi, fo in shapes]
    dz = [rng.random((batch, fo), np.float32) for _, fo in shapes]

    def products():
        for h, w in zip(hs, ws, strict=True):
            h @ w
        for i, (h, w, d) in enumerate(zip(hs, ws, dz, strict=True)):
            h.T @ d
            if i:
                d @ w.T

    return products


ONE_CORE = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def page_rate(seconds: float, inside: bool = False) -> float:
    """Iterations per second of the default race as a student sees it: a real server pinned to
    core 0 with one BLAS thread, a real Chromium tab pinned to core 1 (standing in for the
    student's laptop), the iteration counter read on screen before and after ``seconds``. With
    ``inside`` the inside view of the first network is open and on screen."""
    import re
    import tempfile

    from playwright.sync_api import sync_playwright
    from serve import CHROMIUM_ARGS, streamlit_server

    wrapper = Path(tempfile.mkdtemp()) / "chromium"
    wrapper.write_text('#!/bin/sh\nexec taskset -c 1 /usr/bin/chromium "$@"\n')
    wrapper.chmod(0o755)
    with streamlit_server(("taskset", "-c", "0"), ONE_CORE) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(wrapper), args=CHROMIUM_ARGS)
        pg = browser.new_page()
        pg.goto(f"{server.url}/mnist")
        pg.get_by_role("button", name="Start").click()
        if inside:
            pg.get_by_text("Inside the network").click()
            bands = pg.locator(".st-key-mnist_inside_bands")
            bands.wait_for(timeout=30_000)
            bands.scroll_into_view_if_needed()  # its charts are drawn (and redrawn) while on screen

        def count() -> tuple[float, int]:
            text = pg.locator("[data-testid='stMetric']").first.inner_text()
            return time.perf_counter(), int(re.search(r"([\d,]+) /", text).group(1).replace(",", ""))

        pg.locator("[data-testid='stMetric']").first.wait_for(timeout=30_000)
        pg.wait_for_timeout(2000)
        t0, i0 = count()
        pg.wait_for_timeout(seconds * 1000)
        t1, i1 = count()
        browser.close()
    return (i1 - i0) / (t1 - t0)


def headless_rate_one_core(seconds: float) -> float:
    """``headless_rate`` in a fresh process pinned to core 0 with one BLAS thread, like the server
    of ``page_rate``."""
    import subprocess

    out = subprocess.run(["taskset", "-c", "0", sys.executable, __file__, "--headless", str(seconds)],
                         env={**os.environ, **ONE_CORE}, capture_output=True, text=True, check=True).stdout
    return float(out.split()[-1])


def headless_rate(m: data.Mnist, seconds: float) -> float:
    """The same race advanced directly, in chunks of the page's length."""
    from optviz.lessons.presets import MNIST_PRESETS

    preset = MNIST_PRESETS["optimizers"]
    config = train.RaceConfig(preset["nets"], train.parse_hidden(preset["settings"]["hidden"]),
                              batch=preset["settings"]["batch"], iterations=preset["settings"]["iterations"])
    head, *rest = (train.Run(key, m) for key in config.keys(m))
    head.advance(2.0, rest)  # the same warm start as the page's first seconds
    t0, i0 = time.perf_counter(), head.t
    while time.perf_counter() - t0 < seconds:
        head.advance(0.3, rest)
    return (head.t - i0) / (time.perf_counter() - t0)


def race_sharpness(m: data.Mnist, iterations: int = 2000) -> None:
    """A race network's λmax tracked on its probe (on and off), and the plane of its own path."""
    print(f"\nA race network's sharpness ({iterations} iterations, SGD lr 0.1, batch 128, the default net):")
    times = {}
    for tracked in (False, True, False, True):
        key = train.RaceConfig((train.NetConfig("SGD", 0.1),), batch=128, iterations=iterations).keys(m)[0]
        run = train.Run(key, m)
        if tracked:
            run.track_sharpness()
        while not run.done:
            run.advance(1.0)
        times[tracked] = min(times.get(tracked, float("inf")), run.seconds)
    share = times[True] / times[False] - 1
    print(f"  {times[False]:.2f} s without, {times[True]:.2f} s with λmax ({len(run.tracker.at)} measurements, "
          f"last {run.tracker.values[-1]:.3g} against 2/η = {run.tracker.limits[-1]:g}): it costs {share:.0%} "
          f"(target <= {SHARPNESS_TARGET:.0%} while on, 0 when off: nothing runs unless asked)")
    print(f"  its path kept: {len(run.path.t)} snapshots, {run.path.nbytes / 2**20:.1f} MB of {run.nbytes / 2**20:.1f} MB "
          f"the run holds (counted in the store's budget)")
    drawn = timed(run.plane)
    print(f"  the loss on the plane of its path (15 x 15 points, {len(run.landscape_images(15)[1])} images): "
          f"{drawn:.1f} s (target <= {LANDSCAPE_TARGET:g} s)")
    big = train.RaceConfig((train.NetConfig("SGD", 0.1),), hidden=(1024, 1024), batch=128, iterations=200).keys(m)[0]
    run = train.Run(big, m)
    while not run.done:
        run.advance(1.0)
    drawn = timed(run.plane)
    print(f"  the same for a network of {run.mlp.size:,} weights ({len(run.landscape_images(15)[1])} images): {drawn:.1f} s; "
          f"its path {run.path.nbytes / 2**20:.1f} MB")


def main() -> None:
    if not os.environ.get(data.ENV_DIR):
        sys.exit("set OPTVIZ_MNIST_DIR (for example ../shared/mnist/offline)")
    base = rss_mb()
    m = data.load()
    print(f"MNIST loaded: {len(m.x_train)} + {len(m.x_test)} images, {m.x_train.nbytes / 2**20:.0f} MB of float32 "
          f"pixels; process RSS {rss_mb():.0f} MB ({rss_mb() - base:.0f} MB more than before loading)")
    rng = np.random.default_rng(0)
    warm = rng.random((2048, 784), np.float32)
    warm @ warm.T  # OpenBLAS warm-up (PERFORMANCE.md)

    run, step = runner(m, 128)
    for _ in range(50):
        step()
    t_step = median_time(step, 100)
    floor = gemm_floor(run.mlp.shapes, 128, rng)
    t_floor = median_time(floor, 100)
    ratio = t_step / t_floor
    print("\nDefault net 784-100-100-100-100-10, batch 128, Adam, float32:")
    print(f"  step {t_step * 1e3:.2f} ms ({1 / t_step:,.0f} steps/s); matrix products alone {t_floor * 1e3:.2f} ms")
    print(f"  step / floor = {ratio:.2f} (target <= {STEP_TARGET}): floor share {1 / ratio:.0%} (target >= 60 %) "
          f"-> {'met' if ratio <= STEP_TARGET else 'NOT met'}")

    # A run looks inside once every ``every`` steps: a snapshot of its layers and the size of that step.
    probe = run.train_idx[:inside.PROBE]
    x, y = m.x_train[probe], m.y_train[probe]
    t_look = median_time(lambda: inside.snapshot(run.mlp, run.params, x, y, 0), 20)
    t_move = median_time(lambda: inside.move(run.mlp, run.params, run.params, run.params, 0.001, 0), 20)
    every = inside.interval(2000, 128)
    print(f"  looking inside (a snapshot {t_look * 1e3:.2f} ms and a step's size {t_move * 1e3:.2f} ms, every {every} "
          f"steps of a 2000-step run) adds {(t_look + t_move) / (every * t_step):.1%} to the training")

    off = min(timed(lambda: edge.measure(m, 0.2, iterations=100, every=10**9)) for _ in range(2))
    on = min(timed(lambda: edge.measure(m, 0.2, iterations=100)) for _ in range(2))
    print(f"\nEdge of stability (full-batch gradient descent on {edge.PRESET['n']} images, 100 steps): "
          f"{off:.2f} s without λmax, {on:.2f} s with λmax every {edge.PRESET['every']} steps: the estimate costs "
          f"{on / off - 1:.0%} of the training time (target <= {SHARPNESS_TARGET:.0%} while on, 0 when off)")

    walked = edge.measure(m, 0.2)
    drawn = timed(lambda: edge.plane(m, walked))
    print(f"  the loss on the plane of that run's path (15 x 15 points of {edge.PRESET['n']} images): {drawn:.1f} s "
          f"(target <= {LANDSCAPE_TARGET:g} s)")

    race_sharpness(m)

    print("\nSteps per second by batch size (Adam):")
    for batch in (1, 8, 32, 128, 512, 2048):
        _, step = runner(m, batch)
        for _ in range(10):
            step()
        t = median_time(step, max(5, 2000 // batch))
        print(f"  batch {batch:5d}: {1 / t:8,.0f} steps/s  {batch / t:10,.0f} images/s  ({t * 1e3:.2f} ms/step)")

    print("\nSix-network race (the optimizer preset), iterations per second:")
    print(f"  headless, two BLAS threads: {headless_rate(m, 8.0):.0f}")
    if Path("/usr/bin/chromium").exists():
        alone = headless_rate_one_core(15.0)
        for view_open in (False, True):
            in_browser = page_rate(15.0, view_open)
            overhead = 1 - in_browser / alone
            print(f"  one core each (server on core 0, Chromium on core 1): headless {alone:.0f}; live page "
                  f"{'with the inside view open ' if view_open else ''}in the browser {in_browser:.0f}: overhead "
                  f"{overhead:.1%} (target <= {UI_TARGET:.0%}) -> {'met' if overhead <= UI_TARGET else 'NOT met'}")
    print(f"Process RSS at the end: {rss_mb():.0f} MB")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--headless"]:
        print(headless_rate(data.load(), float(sys.argv[2])))
    else:
        main()
