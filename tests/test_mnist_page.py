"""AppTest drives the live MNIST page: Start, chunks, Pause, Resume, Reset, presets, results."""

from __future__ import annotations

import json
import os

import numpy as np
import pyarrow as pa
import pytest
from apptest import open_page

from optviz import jobs
from optviz.lessons.presets import MNIST_PRESETS
from optviz.nn import landscape, search, train
from optviz.nn.train import NetConfig
from optviz.serve import data, fetch
from ui import datasets, shared


def chart_names(at) -> list[str]:
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    return spec["layer"][0]["encoding"]["color"]["scale"]["domain"]


def race(at) -> list:
    """The class's runs this student's page shows."""
    return [shared.STORE.peek(k) for k in at.session_state["mnist_keys"]]


def shown_iteration(at) -> int:
    return int(at.metric[0].value.split("/")[0].replace(",", ""))


def test_start_runs_chunks_then_pause_resume_and_reset():
    at = open_page("mnist")
    assert at.segmented_control(key="mnist_exp").value == "optimizers"
    at.button(key="mnist_start").click().run()
    seen = [race(at)[0].t]
    for _ in range(3):
        at.run()
        seen.append(race(at)[0].t)
    assert not at.exception
    assert seen == sorted(seen) and seen[-1] > seen[0] > 0  # every chunk trains
    assert len({r.t for r in race(at)}) == 1  # the six runs move level
    assert len(at.get("vega_lite_chart")) == 2
    assert chart_names(at) == ["SGD · lr 0.01", "Momentum · lr 0.01", "Nesterov · lr 0.01", "AdaGrad · lr 0.01",
                               "RMSProp · lr 0.001", "Adam · lr 0.001"]
    at.button(key="mnist_pause").click().run()
    paused = race(at)[0].t
    at.run()
    assert race(at)[0].t == paused and shown_iteration(at) == paused  # nobody else watches: it stays put
    at.button(key="mnist_resume").click().run()
    assert race(at)[0].t > paused
    at.button(key="mnist_pause").click().run()
    at.button(key="mnist_reset").click().run()
    assert not at.session_state["mnist_keys"] and at.button(key="mnist_start")
    assert not at.exception


@pytest.mark.parametrize("exp", list(MNIST_PRESETS))
def test_each_experiment_loads_its_networks_and_settings(exp):
    at = open_page("mnist")
    at.segmented_control(key="mnist_exp").set_value(exp).run()
    preset = MNIST_PRESETS[exp]
    assert at.session_state["mnist_nets"] == preset["nets"]
    assert at.select_slider(key="mnist_batch").value == preset["settings"]["batch"]
    assert at.text_input(key="mnist_hidden").value == preset["settings"]["hidden"]
    assert at.expander[0].label.startswith(f"The {len(preset['nets'])} networks")
    assert not at.exception


def test_a_link_opens_the_experiment_it_names():
    at = open_page("mnist", mnist_exp="Overfitting", mnist_iterations="300")
    assert at.segmented_control(key="mnist_exp").value == "overfit"
    assert at.select_slider(key="mnist_n_train").value == 300  # from the preset
    assert at.select_slider(key="mnist_iterations").value == 300  # the link wins over the preset


def finish(at, runs: int = 60) -> None:
    for _ in range(runs):
        if not at.session_state["mnist_running"]:
            break
        at.run()
    at.run()


def finished_overfit_race():
    """A student's page after the overfitting experiment, cut to 100 iterations, has finished."""
    at = open_page("mnist")
    at.segmented_control(key="mnist_exp").set_value("overfit").run()
    at.select_slider(key="mnist_iterations").set_value(100).run()
    at.button(key="mnist_start").click().run()
    finish(at)
    return at


def test_a_finished_race_shows_results_and_digits():
    at = finished_overfit_race()
    assert all(r.done for r in race(at)) and not at.session_state["mnist_running"]
    results, shown = at.dataframe[0].value, at.dataframe[1].value
    assert list(results.iloc[:, 0]) == ["SGD", "L2 λ 0.1", "dropout 0.2"]
    assert all(s.endswith("%") for s in results.iloc[:, 3])
    assert len(shown) == 12 and str(shown.iloc[0, 0]).startswith("data:image/png;base64,")
    assert any("✗" in str(v) for v in shown.iloc[0, 2:])  # the first digit fooled some network
    assert at.button(key="mnist_reset") and not at.exception
    assert all(r.opt_state is None and r.train_idx.size == 0 for r in race(at))  # compacted: no optimizer state or batch order


def test_a_classmates_finished_race_is_served_not_trained_again():
    first = finished_overfit_race()
    done = race(first)
    seconds = [r.seconds for r in done]
    second = open_page("mnist", mnist_exp="Overfitting", mnist_iterations="100")
    second.button(key="mnist_start").click().run()
    second.run()
    assert all(a is b for a, b in zip(race(second), done, strict=True))
    assert [r.seconds for r in race(second)] == seconds  # not one more step computed
    assert not second.session_state["mnist_running"] and second.dataframe[0].value.equals(first.dataframe[0].value)
    assert not second.exception


def test_a_student_who_changes_one_row_shares_the_other_runs_and_sees_the_class():
    first = open_page("mnist")
    first.button(key="mnist_start").click().run()
    second = open_page("mnist")
    nets = list(second.session_state["mnist_nets"])
    nets[5] = NetConfig("Adam", 0.003)
    second.session_state["mnist_nets"] = tuple(nets)
    second.session_state["mnist_table"] += 1
    second.run()
    second.button(key="mnist_start").click().run()
    mine, theirs = race(second), race(first)
    assert [a is b for a, b in zip(mine, theirs, strict=True)] == [True] * 5 + [False]
    first.run()
    second.run()
    assert second.metric[3].value == "2"  # two students watch this race
    assert "5 of your 6 networks" in second.caption[0].value or any("5 of your 6" in c.value for c in second.caption)
    assert not second.exception


def test_pausing_freezes_my_view_while_a_classmate_keeps_the_run_going():
    first, second = open_page("mnist"), open_page("mnist")
    first.button(key="mnist_start").click().run()
    second.button(key="mnist_start").click().run()
    second.button(key="mnist_pause").click().run()
    frozen = shown_iteration(second)
    for _ in range(3):
        first.run()
    second.run()
    assert race(second)[0].t > frozen and shown_iteration(second) == frozen
    assert second.metric[2].value == "paused" and not second.exception


def test_a_paused_race_is_held_for_the_student_until_resume_or_reset():
    """Pausing tells the store to keep the race (the page renews it while open) and says so;
    Resume and Reset let it go."""
    at = open_page("mnist")
    at.button(key="mnist_start").click().run()
    keys = at.session_state["mnist_keys"]
    at.button(key="mnist_pause").click().run()
    now = shared.STORE.clock()
    assert all(shared.STORE.held_until(k) >= now + shared.HOLD - 5 for k in keys)
    assert any("kept for you while this page is open, and for 10 minutes" in c.value for c in at.caption)
    at.button(key="mnist_resume").click().run()
    assert all(shared.STORE.held_until(k) is None for k in keys)
    at.button(key="mnist_pause").click().run()
    at.button(key="mnist_reset").click().run()
    assert all(shared.STORE.held_until(k) is None for k in keys) and not at.exception


def test_a_network_whose_training_raises_stops_alone_and_can_be_tried_again(monkeypatch):
    """Adam's step raises: its student sees which network stopped and why, with Try again; a
    classmate training another race never sees the exception, whoever held the work slot."""
    step = train.Run._step

    def broken(run, x, y):
        if run.key.net.optimizer == "Adam":
            raise FloatingPointError("overflow in matmul")
        return step(run, x, y)

    monkeypatch.setattr(train.Run, "_step", broken)
    mine, theirs = open_page("mnist"), open_page("mnist")
    mine.session_state["mnist_nets"] = (NetConfig("SGD", 0.01), NetConfig("Adam", 0.001))
    mine.run()
    mine.button(key="mnist_start").click().run()
    theirs.session_state["mnist_nets"] = (NetConfig("Momentum", 0.01),)
    theirs.run()
    theirs.button(key="mnist_start").click().run()
    for _ in range(3):
        theirs.run()
        mine.run()
    assert not theirs.exception and not mine.exception and race(theirs)[0].t > 0
    errors = [e.value for e in mine.error]
    assert any("Adam · lr 0.001 stopped" in e and "FloatingPointError: overflow in matmul" in e for e in errors)
    assert not any("SGD" in e for e in errors)
    monkeypatch.setattr(train.Run, "_step", step)  # fixed: Try again trains Adam from the start
    mine.button(key="mnist_retry").click().run()
    mine.run()
    assert not mine.error and race(mine)[1].t > 0 and not mine.exception


def test_a_diverging_network_is_labelled_and_the_race_goes_on():
    at = open_page("mnist")
    at.session_state["mnist_nets"] = (NetConfig("SGD", 10.0, init="1"), NetConfig("Adam", 0.001))
    at.run()
    at.button(key="mnist_start").click().run()
    at.run()
    bad, good = race(at)
    assert bad.diverged_at is not None and good.diverged_at is None
    assert "diverged at" in chart_names(at)[0] and "diverged" not in chart_names(at)[1]
    assert not at.exception


def test_changing_settings_mid_run_asks_for_reset_and_bad_sizes_warn():
    at = open_page("mnist")
    at.button(key="mnist_start").click().run()
    at.select_slider(key="mnist_batch").set_value(32).run()
    assert any("Reset" in i.value for i in at.info)
    assert race(at)[0].key.batch == 128  # the run keeps its own settings
    at.text_input(key="mnist_hidden").input("100,,abc").run()
    assert any("separated by commas" in w.value for w in at.warning)
    at.text_input(key="mnist_hidden").input("5000").run()
    assert any("separated by commas" in w.value for w in at.warning)
    assert not at.exception


def test_without_data_the_page_says_how_to_fix_it(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_DIR, str(tmp_path / "nowhere"))
    datasets._load.clear()
    try:
        at = open_page("mnist")
        assert "not available" in at.error[0].value
        assert "OPTVIZ_MNIST_DIR" in at.markdown[-1].value or any("OPTVIZ_MNIST_DIR" in m.value for m in at.markdown)
        assert not at.get("vega_lite_chart")
        at.switch_page("pages/trajectories.py").run()
        assert not at.exception and at.get("vega_lite_chart")  # the rest of the app works
    finally:
        datasets._load.clear()


def test_a_malformed_link_falls_back_to_the_experiments_values():
    at = open_page("mnist", mnist_batch="abc", mnist_iterations="-5", mnist_exp="nonsense", mnist_hidden="9" * 9,
                   mnist_seed="1e99")
    assert at.segmented_control(key="mnist_exp").value == "optimizers"
    assert at.select_slider(key="mnist_batch").value == 128 and at.select_slider(key="mnist_iterations").value == 2000
    assert any("separated by commas" in w.value for w in at.warning)  # the bad sizes are named, not used
    at.button(key="mnist_start").click().run()
    assert race(at)[0].key.hidden == (100, 100, 100, 100) and not at.exception
def test_first_use_downloads_with_a_progress_bar_then_trains(tmp_path, monkeypatch, mirror):
    """A school's own mirror (a local server here) stands in for the public ones."""
    import hashlib
    import shutil
    from pathlib import Path

    served, url = mirror
    source = Path(os.environ[data.ENV_DIR])
    files = {}
    for key, (name, _) in data.FILES.items():
        shutil.copy(source / name, served / name)
        files[key] = (name, hashlib.sha256((served / name).read_bytes()).hexdigest())
    monkeypatch.delenv(data.ENV_DIR)
    monkeypatch.setenv(data.ENV_CACHE, str(tmp_path / "cache"))
    monkeypatch.setenv(data.ENV_MIRROR, url)
    monkeypatch.setattr(data, "FILES", files)  # the stand-in files have their own checksums
    reports = []
    real_download = data.download
    monkeypatch.setattr(data, "download", lambda folder, progress=None, **kw: real_download(
        folder, lambda *a: (reports.append(a), progress(*a)) if progress else None, **kw))
    monkeypatch.setattr(datasets, "DOWNLOAD", fetch.Download())
    datasets._load.clear()
    try:
        at = open_page("mnist")
        assert not at.error and len(list((tmp_path / "cache" / "mnist").iterdir())) == 4
        assert {name for name, _, _ in reports} == {name for name, _ in files.values()}  # the bar moved for each file
        assert all(done <= total for _, done, total in reports)
        at.button(key="mnist_start").click().run()
        assert race(at)[0].t > 0 and not at.exception
    finally:
        datasets._load.clear()


def test_a_race_too_big_for_the_servers_memory_is_refused_with_a_reason():
    at = open_page("mnist")
    at.text_input(key="mnist_hidden").input("1024,1024,1024").run()  # six networks of 2.9 M parameters
    assert any("parameters together" in w.value for w in at.warning)
    assert at.button(key="mnist_start").disabled and not at.exception


def test_the_gradient_check_of_a_finished_races_network_agrees_with_backpropagation():
    at = finished_overfit_race()
    at.selectbox(key="mnist_gc_net").set_value(2).run()
    at.button(key="mnist_gc_run").click().run()
    assert not at.exception
    table = at.dataframe[1].value
    layers = len(race(at)[2].key.hidden) + 1  # the hidden layers and the output
    assert list(table.iloc[:, 0]) == [k for k in range(1, layers + 1) for _ in ("weights", "biases")]
    assert all(float(e) < 1e-6 for e in table.iloc[:, 4])
    assert any("Largest relative error" in s.value for s in at.success)


def test_a_finished_race_offers_its_curves_as_csv():
    at = finished_overfit_race()
    assert [b.proto.label for b in at.get("download_button")] == ["The race as CSV (loss at every iteration, "
                                                                  "accuracy where measured)"]


def vega_data(chart) -> pa.Table:
    return pa.ipc.open_stream(chart.proto.data.data).read_all()


def test_the_inside_view_follows_the_picked_network_while_it_trains():
    at = open_page("mnist")
    at.select_slider(key="mnist_iterations").set_value(1000).run()
    at.button(key="mnist_start").click().run()
    at.toggle(key="mnist_inside").set_value(True).run()
    at.selectbox(key="mnist_inside_net").set_value(3).run()  # AdaGrad
    seen = []
    for _ in range(25):
        at.run()
        run = race(at)[3]
        charts = at.get("vega_lite_chart")
        assert len(charts) == 7  # loss, accuracy; activations, gradients; dead units, update size, step ratio
        bands = vega_data(charts[2])
        seen.append(len(set(bands.column("t0").to_pylist())))
        assert set(bands.column("t0").to_pylist()) == {s.t for s in run.snapshots if s.t <= run.t}
        shares = vega_data(charts[2]).to_pydict()
        last = max(shares["t0"])
        assert sum(v for t, v in zip(shares["t0"], shares["share"], strict=True) if t == last) == pytest.approx(
            len(run.key.hidden), rel=1e-3)  # every layer's histogram adds up to one
        if seen[-1] >= 3:
            break
    assert seen[-1] >= 3 and seen == sorted(seen)  # more columns as it trains
    ratio = vega_data(at.get("vega_lite_chart")[6]).to_pydict()
    assert ratio["iteration"][0] == 0 and min(ratio["value"]) > 0
    assert any(f"Every {race(at)[3].every} iterations" in c.value for c in at.caption)
    assert not at.exception


def spec_of(chart) -> dict:
    return json.loads(chart.proto.spec)


def test_the_sharpness_of_the_watched_network_is_drawn_against_its_limit_then_its_landscape():
    at = open_page("mnist")
    at.select_slider(key="mnist_iterations").set_value(1000).run()
    at.button(key="mnist_start").click().run()
    at.toggle(key="mnist_inside").set_value(True).run()  # the first network: SGD at lr 0.01
    assert race(at)[0].tracker is None  # nothing measured until asked: it costs training time
    at.toggle(key="mnist_sharp_on").set_value(True).run()
    run = race(at)[0]
    assert run.tracker is not None and race(at)[1].tracker is None  # only the watched network
    for _ in range(60):
        at.run()
        if len(run.tracker.at) >= 2:
            break
    at.button(key="mnist_pause").click().run()
    chart = next(c for c in at.get("vega_lite_chart") if "step-after" in c.proto.spec)
    shown = vega_data(chart).to_pydict()
    lam = [v for v, k in zip(shown["v"], shown["k"], strict=True) if k == 0]
    line = [v for v, k in zip(shown["v"], shown["k"], strict=True) if k == 1]
    measured = list(run.tracker.values)
    assert lam == pytest.approx(measured) and len(lam) >= 2
    assert line == pytest.approx([2 / 0.01] * len(lam))  # plain SGD at lr 0.01, constant schedule
    said = train.sharpness.verdict(np.array(measured), np.array(run.tracker.limits[:len(measured)]))
    assert any(f"{train.sharpness.level(measured):.3g}" in i.value for i in at.info)
    assert said in ("below", "sharpening", "edge")
    at.toggle(key="mnist_plane_on").set_value(True).run()
    plane = next(c for c in at.get("vega_lite_chart") if {"x2", "loss"} <= set(vega_data(c).column_names))
    cells = vega_data(plane).to_pydict()
    assert len(cells["loss"]) == 15 * 15 and min(cells["loss"]) > 0
    assert "now" in plane.proto.spec  # a paused network's plane is centred on its present weights
    assert any("of the path's variance" in c.value for c in at.caption)
    assert not at.exception


def test_a_running_race_asks_for_a_pause_before_its_landscape_and_an_adaptive_optimizer_has_no_line():
    at = open_page("mnist")
    at.select_slider(key="mnist_iterations").set_value(1000).run()
    at.button(key="mnist_start").click().run()
    at.toggle(key="mnist_inside").set_value(True).run()
    at.selectbox(key="mnist_inside_net").set_value(3).run()  # AdaGrad
    at.toggle(key="mnist_sharp_on").set_value(True).run()
    run = race(at)[3]
    for _ in range(60):
        at.run()
        if len(run.tracker.at) >= 2:
            break
    assert any("Pause the race" in c.value for c in at.caption)
    assert not [t for t in at.toggle if t.key == "mnist_plane_on"]  # no landscape of a moving network
    chart = next(c for c in at.get("vega_lite_chart") if "step-after" in c.proto.spec)
    assert set(vega_data(chart).to_pydict()["k"]) == {0}  # no limit line
    assert any("no single line" in i.value for i in at.info) and not at.exception


def test_a_network_changed_mid_race_branches_off_where_it_paused_and_is_marked():
    at = open_page("mnist")
    at.button(key="mnist_start").click().run()
    at.run()
    at.button(key="mnist_pause").click().run()
    paused = at.session_state["mnist_upto"]
    original = race(at)[0]
    assert paused > 0 and original.t == paused
    at.selectbox(key="mnist_chg_net").set_value(0).run()  # SGD · lr 0.01
    at.selectbox(key="mnist_chg_lr0").set_value(0.1).run()
    at.button(key="mnist_chg_apply").click().run()
    changed = race(at)[0]
    assert changed.key.changes == (train.Change(paused, NetConfig("SGD", 0.1)),)
    assert changed is not original and changed.t >= paused  # branched off, not trained again from 0
    assert np.array_equal(changed.losses[:paused], original.losses[:paused])
    assert at.session_state["mnist_running"] and at.session_state["mnist_keys"][1:] == tuple(r.key for r in race(at)[1:])
    at.run()
    assert race(at)[0].t > paused
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["transform"][0]["calculate"].startswith('["SGD · lr 0.01 → lr 0.1 @' + str(paused))
    rules = vega_data(at.get("vega_lite_chart")[0]).to_pydict()
    assert [(i, k) for i, k, s in zip(rules["iteration"], rules["k"], rules["smooth"], strict=True) if s == 2] == [
        (paused, 0)]
    assert original.t == paused  # nobody watches the unchanged run any more: it waits
    assert not at.exception


def test_a_random_search_shows_its_trials_as_they_come_and_the_best_five(monkeypatch):
    # One turn of one piece of work per rerun, however fast the machine: else a fast one finishes
    # the whole search within a rerun or two and no partial count is ever seen.
    advance = jobs.Job.advance
    monkeypatch.setattr(jobs.Job, "advance", lambda job, seconds, companions=(): advance(job, 0.0, companions))
    monkeypatch.setattr(shared, "CHUNK", 0.0)
    at = open_page("mnist")
    at.select_slider(key="mnist_rs_trials").set_value(20).run()
    at.select_slider(key="mnist_rs_epochs").set_value(10).run()
    at.select_slider(key="mnist_rs_n").set_value(200).run()
    at.button(key="mnist_rs_go").click().run()
    shown = []
    for _ in range(2000):
        if not at.session_state["mnist_rs_on"]:
            break
        if at.get("vega_lite_chart"):  # no race runs: the search's scatter comes first
            shown.append(len(vega_data(at.get("vega_lite_chart")[0])))
        at.run()
    assert not at.session_state["mnist_rs_on"]
    assert shown == sorted(shown) and len(set(shown)) >= 2 and min(shown) < 20  # trials appear as they finish
    cfg = search.SearchConfig(trials=20, n_images=200, epochs=10)
    result = shared.peek(("search", cfg, data.load().fingerprint)).result
    assert len(vega_data(at.get("vega_lite_chart")[0])) == 20
    best = sorted((t.accuracy for t in result.trials if t.accuracy == t.accuracy), reverse=True)[:5]
    assert list(at.dataframe[-1].value.iloc[:, 3]) == [f"{a:.1%}" for a in best]
    assert any(f"reach {result.default.accuracy:.1%}" in i.value for i in at.info)
    assert not at.exception


def test_a_change_by_one_student_leaves_a_classmates_race_as_it_was():
    """Two students watch one race; the first pauses and changes a network. The classmate's
    network keeps its own history, goes on training, and shares the other five runs still."""
    first, second = open_page("mnist"), open_page("mnist")
    first.button(key="mnist_start").click().run()
    second.button(key="mnist_start").click().run()
    first.run()
    first.button(key="mnist_pause").click().run()
    paused = first.session_state["mnist_upto"]
    first.selectbox(key="mnist_chg_net").set_value(5).run()  # Adam
    first.selectbox(key="mnist_chg_opt5").set_value("SGD").run()
    first.button(key="mnist_chg_apply").click().run()
    second.run()
    mine, theirs = race(first), race(second)
    assert mine[5].key.changes == (train.Change(paused, NetConfig("SGD", 0.001)),) and not theirs[5].key.changes
    assert [a is b for a, b in zip(mine, theirs, strict=True)] == [True] * 5 + [False]
    before = theirs[5].t
    second.run()
    assert race(second)[5].t > before  # the classmate's unchanged Adam trains on
    assert np.array_equal(mine[5].losses[:paused], theirs[5].losses[:paused])
    assert not first.exception and not second.exception


def test_slow_views_redraw_less_often_the_more_students_watch(toy_digits):
    key = train.RaceConfig((NetConfig(),), hidden=(10,), batch=10, iterations=50).keys(toy_digits)[0]
    shared.run(key, toy_digits)
    assert shared.slow_view_every() == 2.0  # a student alone: every other second
    for k in range(30):
        shared.STORE.watch(f"student{k}", [key])
    assert shared.slow_view_every() == 4.0


def test_the_change_form_forgets_a_network_the_next_race_does_not_have():
    at = open_page("mnist")
    at.button(key="mnist_start").click().run()
    at.button(key="mnist_pause").click().run()
    at.selectbox(key="mnist_chg_net").set_value(5).run()
    at.button(key="mnist_reset").click().run()
    at.segmented_control(key="mnist_exp").set_value("overfit").run()  # three networks
    at.button(key="mnist_start").click().run()
    at.button(key="mnist_pause").click().run()
    assert at.selectbox(key="mnist_chg_net").value == 0 and not at.exception


def test_the_inside_view_forgets_a_network_the_next_race_does_not_have():
    at = open_page("mnist")
    at.button(key="mnist_start").click().run()
    at.toggle(key="mnist_inside").set_value(True).run()
    at.selectbox(key="mnist_inside_net").set_value(5).run()
    at.button(key="mnist_pause").click().run()
    at.button(key="mnist_reset").click().run()
    at.segmented_control(key="mnist_exp").set_value("overfit").run()  # three networks
    at.button(key="mnist_start").click().run()
    at.toggle(key="mnist_inside").set_value(True).run()
    assert at.selectbox(key="mnist_inside_net").value == 0 and not at.exception


def edge_charts(at) -> list:
    """The edge-of-stability figures on the page (found by their spec: a chart's id names its key
    only when it has a selection)."""
    return [c for c in at.get("vega_lite_chart") if "vconcat" in (spec := json.loads(c.proto.spec))
            and "λmax" in json.dumps(spec, ensure_ascii=False)]


def test_the_edge_of_stability_is_drawn_as_it_runs_then_explained(monkeypatch):
    from optviz.nn import edge

    monkeypatch.setitem(edge.PRESET, "iterations", 40)  # the page's own set-up, shorter
    advance = jobs.Job.advance
    monkeypatch.setattr(jobs.Job, "advance", lambda job, seconds, companions=(): advance(job, 0.0, companions))
    monkeypatch.setattr(shared, "CHUNK", 0.0)
    at = open_page("mnist")
    at.button(key="mnist_edge_go").click().run()
    drawn = []
    for _ in range(500):
        if not at.session_state["mnist_edge_on"]:
            break
        charts = edge_charts(at)
        if charts:
            drawn.append(len(vega_data(charts[0])))
        at.run()
    assert not at.session_state["mnist_edge_on"] and not at.exception
    assert drawn == sorted(drawn) and len(set(drawn)) >= 2  # λmax appears measurement by measurement
    job = shared.peek(("edge", data.load().fingerprint, edge.PRESET["lrs"]))
    (chart,) = edge_charts(at)
    assert len(vega_data(chart)) == sum(len(e.at) for e in job.result) == 3 * 3  # at steps 0, 20 and 40
    rules = json.loads(chart.proto.spec)["vconcat"][0]["layer"][1]["data"]["values"]
    assert [r["v"] for r in rules] == [pytest.approx(2 / lr) for lr in edge.PRESET["lrs"]]
    assert any("edge of stability" in i.value for i in at.info)
    plane = [c for c in at.get("vega_lite_chart") if '"rect"' in c.proto.spec]  # the loss on the plane of a path
    assert len(plane) == 1 and at.radio(key="mnist_edge_plane").value == 0
    flat = landscape.pca_plane(job.result[0].weights.astype(np.float64), job.result[0].weights[-1])
    assert f"hold {flat.explained[0]:.0%} and {flat.explained[1]:.0%} of the path" in " ".join(c.value for c in at.caption)
    at.radio(key="mnist_edge_plane").set_value(2).run()
    assert not at.exception and len([c for c in at.get("vega_lite_chart") if '"rect"' in c.proto.spec]) == 1


def test_a_replica_that_lost_redis_says_so_and_trains_the_race_itself(monkeypatch):
    redis = pytest.importorskip("redis")
    from optviz.serve import replicas
    from optviz.serve.store import Store

    lost = replicas.Coordinator(redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2), "lonely")
    monkeypatch.setattr(shared, "STORE", Store(shared.BUDGET, shared=lost))
    at = open_page("mnist")
    at.select_slider(key="mnist_iterations").set_value(100).run()
    at.button(key="mnist_start").click().run()
    at.run()
    assert any("cannot reach the school's shared Redis" in w.value for w in at.warning)
    finish(at)
    assert all(r.done for r in race(at)) and not at.exception
