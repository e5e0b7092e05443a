"""The batch-size page's computations on a quiet server: seconds until each tab has its first
result to draw and until it is complete, against the 10-second target for the first result.

Run: OPTVIZ_MNIST_DIR=../shared/mnist/offline python bench/batch_size.py

Each tab's computation runs as the page runs it (a job advanced in 0.3 s turns, or the sweep's
runs in the store); the surface tab computes in milliseconds and is left out.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from optviz.jobs import Job  # noqa: E402
from optviz.lessons import batching  # noqa: E402
from optviz.nn import train  # noqa: E402
from optviz.serve import data  # noqa: E402
from optviz.serve.store import Store  # noqa: E402

FIRST_TARGET = 10.0
TURN = 0.3  # seconds of work per live update, as on the page


def timed(store: Store, keys: list, shown) -> tuple[float, float]:
    """(seconds to the first drawable result, seconds to the end) while one session watches."""
    start, first = time.perf_counter(), None
    while not all(store.peek(k).done for k in keys):
        store.watch("student", keys)
        store.work(TURN)
        if first is None and shown():
            first = time.perf_counter() - start
    end = time.perf_counter() - start
    return (end if first is None else first), end


def main() -> None:
    if not os.environ.get(data.ENV_DIR):
        sys.exit("set OPTVIZ_MNIST_DIR (for example ../shared/mnist/offline)")
    m = data.load()
    n = len(m.x_train)
    store = Store(2**30)
    tabs = {
        "time per update": Job(batching.timing_steps(m, (100, 100, 100, 100), batching.log_sizes(n, 12)), ("sizes",)),
        "gradient noise (after one epoch)": Job(batching.noise_steps(m, 2000, True, 20, 0), batching.NOISE_PHASES),
        "sharp vs flat": Job(batching.landscape_steps(m, 16, 500, min(2000, n)), batching.LANDSCAPE_PHASES),
    }
    print(f"{n:,} training images; first result / complete, in seconds (target for the first: <= {FIRST_TARGET:.0f} s)")
    for name, job in tabs.items():
        store.get(name, lambda job=job: job)
        first, end = timed(store, [name], lambda job=job: (job.result or job.partial) is not None)
        print(f"  {name:34s} {first:5.1f} / {end:5.1f}  -> {'met' if first <= FIRST_TARGET else 'NOT met'}")
    plan = batching.accuracy_sweep([8, 32, 128, 512, 2048], min(4000, n), 10, 0.02, batching.SMALL_NET, 0, m)
    keys = list(dict.fromkeys(r.key for r in plan))
    for key in keys:
        store.get(key, lambda key=key: train.Run(key, m))
    first, end = timed(store, keys, lambda: any(store.peek(k).done for k in keys))
    print(f"  {'accuracy vs batch (9 runs)':34s} {first:5.1f} / {end:5.1f}  -> {'met' if first <= FIRST_TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
