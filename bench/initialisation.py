"""Initialisation page benchmark: the server's work for the figure's neighbourhood and one rerun.

Run: python bench/initialisation.py. The first student at a new depth, width or seed waits for the
whole neighbourhood (every initialisation × activation × batch norm: 50 experiments), computed once
for the class; every rerun after that builds the chart's columns, spec and Arrow table from the
cached results. Prints medians measured in this run against the targets: 60 ms for a rerun, as
before the figure carried its neighbourhood, and 1.5 s for the cold neighbourhood (a visit's budget).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optviz.figures import init_chart  # noqa: E402
from optviz.nn import initialisation as ini  # noqa: E402
from optviz.nn.layers import ACTIVATIONS  # noqa: E402

RERUN_MS, COLD_S = 60.0, 1.5
INITS = (1.0, 0.01, "xavier", "he", 0.1)  # the four named ones and the default custom std


def neighbourhood(layers: int, units: int) -> dict:
    results = {}
    for i, init in enumerate(INITS):
        for a, act in enumerate(ACTIVATIONS):
            for bn in (False, True):
                e = ini.run(ini.InitConfig(init, act, layers, units, bn))
                results[i, a, bn] = (ini.histograms(e.act), ini.histograms(e.grads), e.stats) if e.finite else None
    return results


def rerun(results: dict, layers: int) -> int:
    side = init_chart.Side("", "", "#0072b2", (0, 0, False), tuple(enumerate(map(str, INITS))))
    columns, spec = init_chart.chart(results, [side], list(ACTIVATIONS), layers, "en")
    return pa.table(columns).nbytes


def median(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    for label, layers, units in [("default: 5 layers x 100 units", 5, 100), ("largest: 10 layers x 500 units", 10, 500)]:
        cold = median(lambda: neighbourhood(layers, units), 3)  # noqa: B023
        results = neighbourhood(layers, units)
        ms = median(lambda: rerun(results, layers), 15) * 1e3  # noqa: B023
        print(f"{label:32s} neighbourhood {cold:6.2f} s = {cold / COLD_S:.2f} x target {COLD_S} s; "
              f"rerun {ms:6.1f} ms = {ms / RERUN_MS:.2f} x target {RERUN_MS:.0f} ms "
              f"({rerun(results, layers) / 1e3:.0f} KB of columns)")


if __name__ == "__main__":
    main()
