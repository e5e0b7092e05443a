"""Soak: five rounds of a class of thirty on one server. In each round ten students train a short
race on the MNIST page while twenty keep changing the step count on the trajectories page; then
every tab closes. Prints per round, measured in this one run: exceptions seen by any student, the
sliders' rerun latency (p50, p95), the seconds until the last trainer saw a finished race, and the
server's resident memory 5 s after the tabs closed (target: no errors, p95 <= 1 s, memory after
the fifth round within 10 % of the first), and the memory once the closed sessions have expired.

Run: OPTVIZ_MNIST_DIR=../shared/mnist/offline python bench/soak.py [rounds]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

import numpy as np
from classroom import Tab, memory_mb, on_standin

TRAINERS, SLIDERS, P95_TARGET, DRIFT = 10, 20, 1.0, 0.10
TTL = 120  # s: Streamlit's server.disconnectedSessionTTL
SETTLE = TTL + 40.0  # s: past the TTL and the next malloc trim (ui.common.TRIM_EVERY)


async def trainer(url: str, query: str, errors: list, deadline: float) -> float:
    async with Tab(url, "mnist", query) as tab:
        await tab.load()
        began = time.monotonic()
        await tab.click("▶ Start")
        while tab.done_at is None and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        errors.extend(tab.errors)
        return (tab.done_at or float("inf")) - began


async def slider(url: str, k0: int, stop: asyncio.Event, waits: list, errors: list) -> None:
    async with Tab(url, "trajectories") as tab:
        await tab.load()
        k = k0
        while not stop.is_set():
            k += 1
            waits.append(await tab.set_number("Steps", 30 + 10 * (k % 40)))
            await asyncio.sleep(1.0)
        errors.extend(tab.errors)


async def soak(url: str, pid: int, rounds: int) -> None:
    print(f"idle server, nothing imported yet: {memory_mb(pid)[0]:.0f} MB")
    for page in ("mnist", "trajectories"):  # the libraries and the shared data set are loaded once
        async with Tab(url, page) as tab:
            await tab.load()
    await asyncio.sleep(5.0)
    warm = memory_mb(pid)[0]
    print(f"warm server (data loaded, every page visited once, tabs closed): {warm:.0f} MB")
    after = []
    for r in range(rounds):
        stop, waits, errors = asyncio.Event(), [], []
        deadline = time.monotonic() + 600
        sliders = [asyncio.create_task(slider(url, i, stop, waits, errors)) for i in range(SLIDERS)]
        trainers = [asyncio.create_task(trainer(url, f"mnist_seed={100 * r + i % 3}&mnist_iterations=300", errors,
                                                deadline)) for i in range(TRAINERS)]
        took = await asyncio.gather(*trainers)
        stop.set()
        await asyncio.gather(*sliders)
        await asyncio.sleep(5.0)
        after.append(memory_mb(pid)[0])
        print(f"round {r + 1}: {len(errors)} errors{' ' + repr(errors[:3]) if errors else ''}; sliders {len(waits)} "
              f"reruns, p50 {statistics.median(waits):.2f} s, p95 {np.percentile(waits, 95):.2f} s "
              f"(target <= {P95_TARGET}); last trainer finished after {max(took):.0f} s; "
              f"memory 5 s after closing: {after[-1]:.0f} MB")
    drift = after[-1] / after[0] - 1
    print(f"memory after the last round against the first: {drift:+.1%} (target <= {DRIFT:.0%}) -> "
          f"{'met' if drift <= DRIFT else 'NOT met'}; peak {memory_mb(pid)[1]:.0f} MB")
    await asyncio.sleep(SETTLE)
    settled = memory_mb(pid)[0]
    print(f"{SETTLE:.0f} s later (closed sessions are kept {TTL} s for a reconnect): {settled:.0f} MB, "
          f"{settled - warm:+.0f} MB against the warm server (the class's finished runs and cached paths)")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    on_standin(lambda url, pid: soak(url, pid, rounds))


if __name__ == "__main__":
    main()
