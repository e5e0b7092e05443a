"""CSV exports read back to the numbers the figures were drawn from."""

from __future__ import annotations

import csv
import io

import numpy as np

from optviz import descent, exports, surfaces
from optviz.basins import basins
from optviz.registry import make_optimizer


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_paths_csv_holds_every_step_of_every_run_exactly():
    s = surfaces.get("himmelblau")
    runs = [(n, descent.run(s, make_optimizer(n, lr), np.array(s.start), 12)) for n, lr in (("SGD", 0.01), ("Adam", 0.1))]
    table = rows(exports.paths_csv(s, runs))
    assert len(table) == 2 * 13 and table[0]["optimizer"] == "SGD" and table[-1]["step"] == "12"
    adam = [r for r in table if r["optimizer"] == "Adam"]
    got = np.array([[float(r["x"]), float(r["y"]), float(r["f"])] for r in adam])
    assert np.array_equal(got[:, :2], runs[1][1].points) and np.array_equal(got[:, 2], runs[1][1].values)
    assert np.allclose([float(r["distance_to_minimum"]) for r in adam], s.distance_to_minimum(runs[1][1].points))
    saddle = surfaces.get("saddle")
    path = descent.run(saddle, make_optimizer("SGD", 0.1), np.array([0.5, 0.1]), 3)
    assert {r["distance_to_minimum"] for r in rows(exports.paths_csv(saddle, [("SGD", path)]))} == {""}


def test_the_basins_csv_names_each_starts_outcome():
    s = surfaces.get("himmelblau")
    b = basins(s, make_optimizer("Adam", 0.3), 100, 6)
    table = rows(exports.basins_csv(s, [("Adam", b)]))
    assert len(table) == 36
    first = table[0]
    assert (float(first["start_x"]), float(first["start_y"])) == (b.xs[0], b.ys[0])
    k = b.outcome[0, 0]
    assert first["outcome"] == ("diverged" if k == -1 else "not settled" if k == -2
                                else "minimum ({:.6g}, {:.6g})".format(*s.minima[k]))
    named = {"minimum ({:.6g}, {:.6g})".format(*m) for m in s.minima}
    assert {r["outcome"] for r in table} <= {"diverged", "not settled", *named}
