"""AppTest drives every section of the batch-size page."""

from __future__ import annotations

import json
import os
import re

import pytest
from apptest import open_page

from optviz import data

pytestmark = pytest.mark.skipif(not os.environ.get(data.ENV_DIR), reason="needs OPTVIZ_MNIST_DIR")
TABS = {"time": "⏱ Time per update", "noise": "〰 Gradient noise", "surface": "🗺 One surface per batch",
        "sweep": "🎯 Accuracy vs batch", "flat": "⛰ Sharp vs flat"}


def page_at(tab: str):
    at = open_page("batch_size")
    at.session_state["bs_tab"] = TABS[tab]
    at.run(timeout=60)
    assert not at.exception
    return at


def test_timing_sweep_measures_every_size_up_to_the_training_set():
    at = page_at("time")
    assert not at.get("plotly_chart")  # nothing measured until asked
    at.button(key="bs_time_go").click().run(timeout=60)
    timing = at.session_state["bs_timing"]
    assert len(timing["times"]) == len(timing["sizes"]) and timing["sizes"][-1] == timing["n"]
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(fig["data"]) == 4  # measured and one-at-a-time lines in both panels
    assert "only" in at.info[0].value and not at.exception


def test_gradient_noise_shows_the_one_over_b_slope():
    at = page_at("noise")
    slope = float(re.search(r"slope (-?[\d.]+)", at.info[0].value).group(1))
    assert -1.2 < slope < -0.8
    at.segmented_control(key="bs_noise_state").set_value("trained").run(timeout=60)
    slope = float(re.search(r"slope (-?[\d.]+)", at.info[0].value).group(1))
    assert -1.2 < slope < -0.8 and not at.exception


def test_surface_section_draws_paths_for_three_batch_sizes():
    at = page_at("surface")
    table = at.dataframe[0].value
    assert list(table.iloc[:, 0]) == [1, 10, 200]
    assert list(table.iloc[:, 1]) == [1000, 100, 5]  # updates in 5 epochs
    at.select_slider(key="bs_surf_b").set_value(50).run()
    assert list(at.dataframe[0].value.iloc[:, 0]) == [1, 50, 200] and not at.exception


def test_accuracy_sweep_runs_in_chunks_and_stops():
    at = page_at("sweep")
    at.select_slider(key="bs_sweep_ep").set_value(1).run()
    at.button(key="bs_sweep_go").click().run()
    progress = []
    for _ in range(30):
        sweep = at.session_state["bs_sweep"]
        progress.append(len(sweep.finished))
        if sweep.done:
            break
        at.run()
    at.run()
    assert progress == sorted(progress) and at.session_state["bs_sweep"].done
    rows = at.dataframe[0].value
    assert len(rows) == 10 and not at.exception
    fixed = rows[rows.iloc[:, 1] == "fixed learning rate"]
    accs = [float(v.rstrip("%")) for v in fixed.iloc[:, 4]]
    assert accs[0] > accs[-1]  # same epochs, fewer updates: the largest batch trains worst


def test_stop_leaves_a_partial_sweep():
    at = page_at("sweep")
    at.button(key="bs_sweep_go").click().run()
    at.button(key="bs_sweep_stop").click().run()
    sweep = at.session_state["bs_sweep"]
    assert not sweep.done and not at.session_state["bs_sweeping"]
    at.run()
    assert at.session_state["bs_sweep"].current == sweep.current and not at.exception


def test_flat_minimum_of_the_small_batch_is_wider():
    at = page_at("flat")
    table = at.dataframe[0].value
    small, large = (float(v) for v in table.iloc[:, 3])
    assert small > large
    assert len(json.loads(at.get("plotly_chart")[0].proto.spec)["data"]) == 6 and not at.exception


def test_a_malformed_link_is_ignored():
    at = open_page("batch_size", bs_surf_b="3", bs_surf_lr="nan", bs_noise_n="0", bs_time_net="x", bs_flat_small="1")
    at.session_state["bs_tab"] = TABS["surface"]
    at.run(timeout=60)
    assert at.select_slider(key="bs_surf_b").value == 10 and at.select_slider(key="bs_surf_lr").value == 0.5
    assert not at.exception


def test_a_diverging_sweep_run_is_named_not_shown_as_nan(monkeypatch):
    from optviz import batching

    real = batching.accuracy_sweep
    monkeypatch.setattr(batching, "accuracy_sweep", lambda sizes, *a: real([8, 2048], *a))
    at = page_at("sweep")
    at.select_slider(key="bs_sweep_lr").set_value(0.1).run()
    at.select_slider(key="bs_sweep_ep").set_value(1).run()
    at.button(key="bs_sweep_go").click().run()
    for _ in range(20):
        at.run()
    sweep = at.session_state["bs_sweep"]
    assert sweep.done
    for run in sweep.runs:  # force the largest scaled run to have blown up, as a big rate can
        if run.scaled and run.batch == 2048:
            run.race.runners[0].diverged_at = 3
            run.race.final[0] = (float("nan"), float("nan"))
    at.run()
    cells = at.dataframe[0].value.astype(str).values.ravel()
    assert "diverged at 3" in cells and not any("nan" in c for c in cells) and not at.exception
