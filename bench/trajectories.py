"""Trajectories page benchmark: path computation and the page's server time per rerun.

Run: python bench/trajectories.py. Prints medians measured in this one run and their ratio to the
issue's target (60 ms per rerun with 7 optimizers × 300 steps), what the neighbourhood costs (every
optimizer at all 25 learning rates of its slider, against one rate each), and the basins of
attraction's grid time against issue 14's (1 s for 100 × 100 starts × 300 steps, one optimizer).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from optviz.figures import path_chart, plots  # noqa: E402
from optviz.optim.registry import LR_VALUES, OPTIMIZERS, make_optimizer  # noqa: E402
from optviz.toy import (  # noqa: E402
    basins,
    descent,
    surfaces,  # noqa: E402
)

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
    """Every optimizer at its default rate only: what the page computed before the neighbourhood."""
    start = np.array(surface.start)
    return [descent.walk(surface, make_optimizer(name, OPTIMIZERS[name].trajectory_lr), start, n_steps)
            for name in OPTIMIZERS]


def all_sweeps(surface, n_steps):
    """Every optimizer at every rate of its slider, judged and cut, as the page's cached call does."""
    start = np.array(surface.start)
    sweeps = []
    for name in OPTIMIZERS:
        outs = [descent.outcome(surface, p) for p in descent.sweep(surface, make_optimizer(name, 0.1), start, n_steps,
                                                                     LR_VALUES)]
        sweeps.append(path_chart.Sweep(name, *plots.style(name), LR_VALUES, [o.path for o in outs],
                                       ["" if o.diverging is None else f"diverged at step {o.diverging}" for o in outs],
                                       [o.diverging is not None and not o.escaped for o in outs],
                                       LR_VALUES.index(OPTIMIZERS[name].trajectory_lr)))
    return sweeps


def chart_bytes(surface, sweeps, n_steps) -> int:
    """The chart built and its columns as the Arrow stream Streamlit sends; returns its bytes."""
    columns, spec = path_chart.chart(surface, sweeps, n_steps, "en")
    table = pa.table(columns)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().size + len(json.dumps(spec))


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
    one_1000 = median_ms(lambda: all_paths(s, 1000))
    sweep_1000 = median_ms(lambda: all_sweeps(s, 1000), 3)
    one_300 = median_ms(lambda: all_paths(s, 300))
    sweep_300 = median_ms(lambda: all_sweeps(s, 300))
    sweeps = all_sweeps(s, 300)
    chart_300 = median_ms(lambda: chart_bytes(s, sweeps, 300))
    size_kb = chart_bytes(s, sweeps, 300) / 1024
    cold = sweep_300 + chart_300
    rerun, baseline = page_rerun_ms(300)
    own = rerun - baseline
    n = len(LR_VALUES)
    print(f"paths, 7 optimizers x 1000 steps, one rate each     {one_1000:8.1f} ms")
    print(f"paths, 7 optimizers x 1000 steps, all {n} rates each {sweep_1000:8.1f} ms  = {sweep_1000 / one_1000:.2f} x one rate")
    print(f"paths, 7 optimizers x 300 steps, one rate each      {one_300:8.1f} ms")
    print(f"paths, 7 optimizers x 300 steps, all {n} rates each  {sweep_300:8.1f} ms  = {sweep_300 / one_300:.2f} x one rate")
    print(f"chart built + columns serialised (300)              {chart_300:8.1f} ms  ({size_kb:.0f} KB)")
    target = f"target {TARGET_MS:.0f} ms"
    print(f"cold rerun work (sweeps + chart)                    {cold:8.1f} ms  = {cold / TARGET_MS:.2f} x {target}")
    print(f"page rerun in AppTest, paths cached                 {rerun:8.1f} ms  (home page rerun: {baseline:.1f} ms)")
    print(f"page's own server time per rerun                    {own:8.1f} ms  = {own / TARGET_MS:.2f} x {target}")
    himmelblau = surfaces.get("himmelblau")
    for name in OPTIMIZERS:
        opt = make_optimizer(name, OPTIMIZERS[name].trajectory_lr)
        s_basin = median_ms(lambda opt=opt: basins.basins(himmelblau, opt, 300, 100), 3) / 1e3
        print(f"basins on Himmelblau, {name:8s} 100 x 100 starts x 300 steps {s_basin:6.2f} s = "
              f"{s_basin / BASIN_TARGET_S:.2f} x target {BASIN_TARGET_S:g} s")


if __name__ == "__main__":
    main()
