"""Initialisation page benchmark: the server work of one rerun (experiment, histograms, figure).

Run: python bench/initialisation.py. Prints medians measured in this run and their ratio to the
issue's target (60 ms per rerun for the default set-up).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import plotly.io as pio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optviz import initialisation as ini  # noqa: E402
from optviz import plots  # noqa: E402

TARGET_MS = 60.0


def rerun(cfg: ini.InitConfig) -> None:
    e = ini.run(cfg)
    fig = plots.layer_histograms(ini.histograms(e.act), ini.histograms(e.grads), "en")
    pio.to_json(fig, validate=False)


def median_ms(cfg: ini.InitConfig, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        rerun(cfg)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main() -> None:
    rerun(ini.InitConfig())  # warm-up
    largest = dict(init="he", activation="relu", n_layers=10, units=500)
    for label, cfg in [("default: 5 layers x 100 units x 1000", ini.InitConfig()),
                       ("largest: 10 layers x 500 units x 1000", ini.InitConfig(**largest)),
                       ("largest with batch norm", ini.InitConfig(**largest, batchnorm=True))]:
        ms = median_ms(cfg)
        print(f"{label:42s} {ms:8.1f} ms  = {ms / TARGET_MS:.2f} x target {TARGET_MS:.0f} ms")


if __name__ == "__main__":
    main()
