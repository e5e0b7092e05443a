"""Trajectories page benchmark: path computation and the page's server time per rerun.

Run: python bench/trajectories.py. Prints medians measured in this one run and their ratio to the
issue's target (60 ms per rerun with 7 optimizers × 300 steps), and the basins of attraction's grid
time against issue 14's (1 s for 100 × 100 starts × 300 steps, one optimizer).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import plotly.io as pio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from optviz import basins, descent, plots, surfaces  # noqa: E402
from optviz.registry import OPTIMIZERS, make_optimizer  # noqa: E402

TARGET_MS = 60.0
BASIN_TARGET_S = 1.0  # issue 14: a 100 x 100 grid of starts, 300 steps, one optimizer


def median_ms(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def all_paths(surface, n_steps):
    start = np.array(surface.start)
    return [
        plots.Run(name, plots.style(name)[0],
                  descent.run(surface, make_optimizer(name, OPTIMIZERS[name].trajectory_lr), start, n_steps),
                  plots.style(name)[1])
        for name in OPTIMIZERS
    ]


def figure_json(surface, runs):
    return pio.to_json(plots.trajectories(surface, runs, "en"), validate=False)


def page_rerun_ms(n_steps: int) -> tuple[float, float]:
    """A full AppTest rerun of the page with all 7 optimizers (paths cached after the first), and
    AppTest's own cost: a rerun of the home page. Each script is compiled once, as on the server."""
    from apptest import compile_once
    from streamlit.testing.v1 import AppTest

    compile_once()

    home = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    home.run()
    baseline = median_ms(home.run, 5)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["traj_opts"] = list(OPTIMIZERS)
    at.query_params["traj_steps"] = str(n_steps)
    at.run()
    at.switch_page("pages/trajectories.py").run()
    assert not at.exception
    return median_ms(at.run, 5), baseline


def main() -> None:
    s = surfaces.get("bowl")
    paths_1000 = median_ms(lambda: all_paths(s, 1000))
    paths_300 = median_ms(lambda: all_paths(s, 300))
    runs = all_paths(s, 300)
    fig_300 = median_ms(lambda: figure_json(s, runs))
    size_kb = len(figure_json(s, runs)) / 1024
    cold = paths_300 + fig_300
    rerun, baseline = page_rerun_ms(300)
    own = rerun - baseline
    print(f"paths, 7 optimizers x 1000 steps      {paths_1000:8.1f} ms")
    print(f"paths, 7 optimizers x 300 steps       {paths_300:8.1f} ms")
    print(f"main figure built + serialised (300)  {fig_300:8.1f} ms  ({size_kb:.0f} KB)")
    print(f"cold rerun work (paths + figure)      {cold:8.1f} ms  = {cold / TARGET_MS:.2f} x target {TARGET_MS:.0f} ms")
    print(f"page rerun in AppTest, paths cached   {rerun:8.1f} ms  (home page rerun: {baseline:.1f} ms)")
    print(f"page's own server time per rerun      {own:8.1f} ms  = {own / TARGET_MS:.2f} x target {TARGET_MS:.0f} ms")
    himmelblau = surfaces.get("himmelblau")
    for name in OPTIMIZERS:
        opt = make_optimizer(name, OPTIMIZERS[name].trajectory_lr)
        s_basin = median_ms(lambda opt=opt: basins.basins(himmelblau, opt, 300, 100), 3) / 1e3
        print(f"basins on Himmelblau, {name:8s} 100 x 100 starts x 300 steps {s_basin:6.2f} s = "
              f"{s_basin / BASIN_TARGET_S:.2f} x target {BASIN_TARGET_S:g} s")


if __name__ == "__main__":
    main()
