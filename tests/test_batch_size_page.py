"""AppTest drives every section of the batch-size page."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pyarrow as pa
from apptest import open_page

from optviz.figures import surface_chart
from optviz.lessons import batching
from ui import shared

TABS = {"time": "⏱ Time", "noise": "〰 Noise", "surface": "🗺 Surfaces",
        "sweep": "🎯 Accuracy", "flat": "⛰ Sharp vs flat"}


def page_at(tab: str):
    at = open_page("batch_size")
    at.session_state["bs_tab"] = TABS[tab]
    at.run(timeout=60)
    assert not at.exception
    return at


def until_done(at, flag: str, runs: int = 300) -> None:
    """Rerun (as the live fragment's timer would) until the job this page watches is done."""
    for _ in range(runs):
        if not at.session_state[flag]:
            break
        at.run(timeout=60)
    assert not at.session_state[flag], f"{flag} still running after {runs} reruns"


def plotted(values) -> np.ndarray:
    """A Plotly trace's numbers, whether sent as a list or as base64 with its dtype."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), np.dtype(values["dtype"]))
    return np.asarray(values, float)


def test_timing_sweep_measures_every_size_and_the_class_shares_it_for_a_while():
    at = page_at("time")
    assert not at.get("plotly_chart")  # nothing measured until asked
    at.button(key="bs_time_go").click().run(timeout=60)
    assert at.get("progress") and not at.exception  # a bar while it measures
    until_done(at, "bs_time_on")
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(fig["data"]) == 4  # measured and one-at-a-time lines in both panels
    sizes, ms = plotted(fig["data"][0]["x"]), plotted(fig["data"][0]["y"])  # per update, median
    assert len(sizes) == len(ms) > 1 and sizes[0] == 1
    lesson = (f"One example takes {ms[0]:.2f} ms per update; a batch of {sizes[-1]:.0f} takes {ms[-1]:.1f} ms, "
              f"only {ms[-1] / ms[0]:.0f}× longer")  # the lesson reads the measurement drawn
    assert at.info[0].value.startswith(lesson) and not at.exception
    classmate = page_at("time")
    assert classmate.get("plotly_chart") and "Computed" in classmate.caption[-1].value  # shown at once
    assert classmate.button(key="bs_time_go").label.endswith("Measure again")


def test_gradient_noise_is_computed_on_request_and_shows_the_one_over_b_slope():
    at = page_at("noise")
    assert not at.get("plotly_chart")  # opening the tab starts nothing
    at.button(key="bs_noise_go").click().run(timeout=60)
    until_done(at, "bs_noise_on")
    slope = float(re.search(r"slope (-?[\d.]+)", at.info[0].value).group(1))
    assert -1.2 < slope < -0.8
    at.segmented_control(key="bs_noise_state").set_value("trained").run(timeout=60)
    at.button(key="bs_noise_go").click().run(timeout=60)
    until_done(at, "bs_noise_on")
    slope = float(re.search(r"slope (-?[\d.]+)", at.info[0].value).group(1))
    assert -1.2 < slope < -0.8 and not at.exception


def surface_figure(at) -> tuple[dict, dict[str, np.ndarray]]:
    """The surfaces chart's spec (with the selections it starts at) and its paths, as sent."""
    chart = next(c for c in at.get("vega_lite_chart") if "surf_chart" in c.proto.id)
    named = {d.name: pa.ipc.open_stream(d.data.data).read_all() for d in chart.proto.datasets}
    assert set(named) == {"paths", "contours"}
    return json.loads(chart.proto.spec), {k: named["paths"][k].to_numpy() for k in named["paths"].column_names}


def starts_at(spec) -> dict[str, int]:
    return {p["name"]: next(iter(p["value"][0].values())) for p in spec["layer"][0]["params"]}


def test_surface_section_sends_every_choice_and_tables_the_picked_three():
    at = page_at("surface")
    spec, paths = surface_figure(at)
    assert starts_at(spec) == {surface_chart.BATCH: 2, surface_chart.RATE: 3, surface_chart.EPOCHS: 2}  # 10, 0.5, 5
    assert len(np.unique(np.c_[paths["p"], paths["li"], paths["e"]], axis=0)) == 7 * 6 * 5  # the whole neighbourhood
    table = at.dataframe[0].value
    assert list(table.iloc[:, 0]) == [1, 10, 200]
    assert list(table.iloc[:, 1]) == [1000, 100, 5]  # updates in 5 epochs
    demo = batching.surface_experiment(0)
    assert list(table.iloc[:, 2]) == [f"{demo.final(p, 3, 5):.4f}" for p in (0, 3, 6)]


def test_a_surface_link_opens_its_choice_in_the_figure_and_the_table():
    at = open_page("batch_size", bs_surf_b="50", bs_surf_lr="2", bs_surf_ep="20")
    at.session_state["bs_tab"] = TABS["surface"]
    at.run(timeout=60)
    spec, _ = surface_figure(at)
    assert starts_at(spec) == {surface_chart.BATCH: 4, surface_chart.RATE: 5, surface_chart.EPOCHS: 4}
    table = at.dataframe[0].value
    assert list(table.iloc[:, 0]) == [1, 50, 200] and list(table.iloc[:, 1]) == [4000, 80, 20]
    assert dict(at.query_params)["bs_surf_b"] == "50" and not at.exception


def sweep_runs(at) -> list:
    return [shared.STORE.peek(r.key) for r in at.session_state["bs_sweep"]]


def test_accuracy_sweep_trains_shared_runs_and_stops():
    at = page_at("sweep")
    at.select_slider(key="bs_sweep_ep").set_value(1).run()
    at.button(key="bs_sweep_go").click().run()
    assert len({id(r) for r in sweep_runs(at)}) == 9  # at batch 8 both rules are one run
    until_done(at, "bs_sweep_on", 60)
    rows = at.dataframe[0].value
    assert len(rows) == 10 and not at.exception
    fixed = rows[rows.iloc[:, 1] == "fixed learning rate"]
    accs = [float(v.rstrip("%")) for v in fixed.iloc[:, 4]]
    assert accs[0] > accs[-1]  # same epochs, fewer updates: the largest batch trains worst


def test_stop_leaves_a_partial_sweep_that_no_longer_advances():
    at = page_at("sweep")
    at.button(key="bs_sweep_go").click().run()
    at.button(key="bs_sweep_stop").click().run()
    before = [r.t for r in sweep_runs(at)]
    assert not all(r.done for r in sweep_runs(at)) and not at.session_state["bs_sweep_on"]
    at.run()
    assert [r.t for r in sweep_runs(at)] == before and not at.exception


def test_sharp_vs_flat_streams_the_small_batch_side_first_and_ends_wider():
    at = page_at("flat")
    assert not at.get("plotly_chart")  # opening the tab starts nothing
    at.button(key="bs_flat_go").click().run(timeout=60)
    first_figure = None
    for _ in range(300):
        if not at.session_state["bs_flat_on"]:
            break
        at.run(timeout=60)
        if first_figure is None and at.get("plotly_chart"):
            first_figure = json.loads(at.get("plotly_chart")[0].proto.spec)
            assert len(at.get("progress")) == 5  # one bar per phase while it works
    assert first_figure is not None and len(first_figure["data"]) < 6  # part of it, before the end
    table = at.dataframe[0].value
    small, large = (float(v) for v in table.iloc[:, 3])
    assert small > large
    assert len(json.loads(at.get("plotly_chart")[0].proto.spec)["data"]) == 6 and not at.exception


def test_a_malformed_link_is_ignored():
    at = open_page("batch_size", bs_surf_b="3", bs_surf_lr="nan", bs_noise_n="0", bs_time_net="x", bs_flat_small="1")
    at.session_state["bs_tab"] = TABS["surface"]
    at.run(timeout=60)
    assert at.session_state["bs_surf_b"] == 10 and at.session_state["bs_surf_lr"] == 0.5
    assert starts_at(surface_figure(at)[0]) == {surface_chart.BATCH: 2, surface_chart.RATE: 3, surface_chart.EPOCHS: 2}
    warning = " ".join(w.value for w in at.warning)
    assert "`bs_surf_b`" in warning and "`bs_surf_lr`" in warning
    assert not at.exception


def test_a_diverging_sweep_run_is_named_not_shown_as_nan(monkeypatch):
    from optviz.lessons import batching

    real = batching.accuracy_sweep
    monkeypatch.setattr(batching, "accuracy_sweep", lambda sizes, *a: real([8, 2048], *a))
    at = page_at("sweep")
    at.select_slider(key="bs_sweep_lr").set_value(0.1).run()
    at.select_slider(key="bs_sweep_ep").set_value(1).run()
    at.button(key="bs_sweep_go").click().run()
    until_done(at, "bs_sweep_on", 40)
    largest = sweep_runs(at)[-1]  # force the largest scaled run to have blown up, as a big rate can
    largest.diverged_at, largest.final = 3, (float("nan"), float("nan"))
    sweep_runs(at)[0].final = (0.098, 0.121)  # and another stuck at chance level
    at.run()
    cells = at.dataframe[0].value.astype(str).values.ravel()
    assert "diverged at step 3" in cells and not any("nan" in c for c in cells) and not at.exception
    assert "chance level (9.8%)" in cells and "chance level (12.1%)" not in cells and "12.1%" in cells


def test_a_failing_computation_shows_a_message_and_can_be_tried_again(monkeypatch):
    from optviz.lessons import batching

    def broken(*args):
        yield from ()
        raise FloatingPointError("overflow in the gradient")

    monkeypatch.setattr(batching, "noise_steps", broken)
    at = page_at("noise")
    at.button(key="bs_noise_go").click().run(timeout=60)
    until_done(at, "bs_noise_on", 10)
    assert "overflow in the gradient" in at.error[0].value and not at.exception
    assert at.button(key="bs_noise_go")  # the student may try again
