"""The surfaces figure's rows against the core's runs and the mini-batch losses they are cut from."""

from __future__ import annotations

import json

import numpy as np
import pytest

from optviz.figures import surface_chart
from optviz.lessons import batching
from optviz.lessons.batching import SURFACE_BATCHES, SURFACE_EPOCHS, SURFACE_LRS


@pytest.fixture(scope="module")
def demo():
    return batching.surface_experiment(0, n=150, resolution=40)


@pytest.fixture(scope="module")
def drawn(demo):
    return surface_chart.chart(demo, "en", height=300)


def test_every_drawn_path_starts_at_the_start_and_ends_where_the_core_run_ends(demo, drawn):
    cols = drawn[0]
    for p in range(len(demo.sizes)):
        for li in range(len(SURFACE_LRS)):
            for e, epochs in enumerate(SURFACE_EPOCHS):
                rows = (cols["p"] == p) & (cols["li"] == li) & (cols["e"] == e)
                path = demo.path(p, li, epochs)
                steps = cols["s"][rows]
                assert steps[0] == 0 and steps[-1] == len(path) - 1 and (np.diff(steps) > 0).all()
                np.testing.assert_allclose(np.c_[cols["x"][rows], cols["y"][rows]], path[steps], rtol=1e-6, atol=1e-6)
    assert len(cols["x"]) < 0.5 * sum(p.size // 2 for p in demo.paths) * len(SURFACE_EPOCHS)  # sampled, not every update


def bilinear(demo, z, xs, ys):
    """z (ny, nx) on the demo's grid, interpolated at the points (xs, ys)."""
    fx = np.interp(xs, demo.w1, np.arange(len(demo.w1)))
    fy = np.interp(ys, demo.w2, np.arange(len(demo.w2)))
    i, j = np.minimum(fx.astype(int), len(demo.w1) - 2), np.minimum(fy.astype(int), len(demo.w2) - 2)
    u, v = fx - i, fy - j
    return ((1 - u) * (1 - v) * z[j, i] + u * (1 - v) * z[j, i + 1] + (1 - u) * v * z[j + 1, i] + u * v * z[j + 1, i + 1])


def test_every_contour_point_lies_on_a_level_of_its_own_mini_batch(demo, drawn):
    lines = drawn[1]
    assert set(np.unique(lines["b"])) == set(range(len(SURFACE_BATCHES))) and set(np.unique(lines["k"])) == {0, 1, 2}
    for b in range(len(SURFACE_BATCHES)):
        for k in range(3):
            z = demo.batches[b, k]
            rows = (lines["b"] == b) & (lines["k"] == k)
            value = bilinear(demo, z, lines["x"][rows].astype(float), lines["y"][rows].astype(float)) - z.min()
            gap = np.abs(value[:, None] - np.array(surface_chart.LEVELS)).min(1)
            assert gap.max() < 1e-4
            # another mini-batch's lines are not its lines
            other = demo.batches[b, (k + 1) % 3]
            off = bilinear(demo, other, lines["x"][rows].astype(float), lines["y"][rows].astype(float)) - other.min()
            assert np.abs(off[:, None] - np.array(surface_chart.LEVELS)).min(1).max() > 1e-2


def test_the_legend_names_each_paths_batch_and_its_final_loss(demo, drawn):
    spec = json.dumps(drawn[2], ensure_ascii=False)
    for p, li, epochs in ((0, 0, 1), (3, 4, 10), (len(demo.sizes) - 1, 5, 20)):
        b = demo.sizes[p]
        n = -(-demo.n // b)
        label = (f"batch {b} ({n} update{'s' if n != 1 else ''} per epoch)  →  final full-data loss "
                 f"{demo.final(p, li, epochs):.3f}")
        assert label in spec


def test_the_three_choices_are_radio_buttons_in_the_pages_order(drawn):
    params = drawn[2]["layer"][0]["params"]
    assert [p["name"] for p in params][::-1] == [surface_chart.BATCH, surface_chart.RATE, surface_chart.EPOCHS]
    by = {p["name"]: p["bind"] for p in params}
    assert by[surface_chart.BATCH]["labels"] == [str(b) for b in SURFACE_BATCHES]
    assert by[surface_chart.RATE]["labels"] == ["0.05", "0.1", "0.2", "0.5", "1", "2"]
    assert by[surface_chart.EPOCHS]["labels"] == [str(e) for e in SURFACE_EPOCHS]
    assert all(b["input"] == "radio" and b["options"] == list(range(len(b["labels"]))) for b in by.values())


def test_the_plot_keeps_the_windows_aspect(demo, drawn):
    spec = drawn[2]
    assert spec["height"] == 300
    assert spec["width"] == round(300 * (demo.w1[-1] - demo.w1[0]) / (demo.w2[-1] - demo.w2[0]))
