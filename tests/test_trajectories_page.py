"""AppTest drives every control of the trajectories page; the figure JSON holds what a student sees."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest
from apptest import APP, markdown_tables, open_page
from streamlit.testing.v1 import AppTest

from optviz.lessons.presets import TRAJECTORY_PRESETS
from optviz.optim.registry import LR_VALUES, make_optimizer, make_schedule
from optviz.toy import curvature, descent, surfaces
from optviz.toy.surfaces import SURFACE_KEYS
from ui import shared


def _page(**query) -> AppTest:
    return open_page("trajectories", **query)


def _figure(at) -> tuple[dict, dict[str, np.ndarray]]:
    """The trajectories chart's spec and columns, as the browser receives them."""
    chart = next(c for c in at.get("vega_lite_chart") if "traj_chart" in c.proto.id)
    table = pa.ipc.open_stream(chart.proto.data.data).read_all()
    return json.loads(chart.proto.spec), {k: table[k].to_numpy() for k in table.column_names}


def _names(spec) -> list[str]:
    """The optimizers' names, by their place ``o`` (the chart's "name" calculation)."""
    calc = next(t["calculate"] for layer in spec["layer"] for t in layer.get("transform", []) if t.get("as") == "name")
    return json.loads(calc.split("[datum.o]")[0])


def _picks(spec) -> dict[int, int]:
    """Each optimizer's learning-rate index the chart starts at (its selection's value)."""
    return {int(p["name"].rsplit("_", 1)[1]): p["value"][0]["li"] for layer in spec["layer"]
            for p in layer.get("params", []) if p["name"].startswith("traj_lr_")}


def _paths(at, picks: dict[int, int] | None = None) -> dict[str, np.ndarray]:
    """Every optimizer's drawn path at its picked learning rate (or at ``picks``), start first."""
    spec, cols = _figure(at)
    picks = _picks(spec) if picks is None else picks
    out = {}
    for o, name in enumerate(_names(spec)):
        rows = (cols["o"] == o) & (cols["li"] == picks[o])
        order = np.argsort(cols["s"][rows])
        out[name] = np.stack([cols["x"][rows][order], cols["y"][rows][order]], -1)
    return out


def test_default_page_draws_the_books_four_paths():
    at = _page()
    paths = _paths(at)
    assert list(paths) == ["SGD", "Momentum", "AdaGrad", "Adam"]
    np.testing.assert_allclose(paths["SGD"][-1], [-7 * 0.905**30, 2 * 0.9**30], rtol=1e-5)
    assert all(len(p) == 31 for p in paths.values())  # the start and every one of the 30 steps
    step = _figure(at)[0]["params"][0]
    assert step["value"] == 30 and step["bind"]["max"] == 30  # the step slider starts at the end


def test_the_figure_stays_mounted_until_the_server_changes_it():
    """A rerun that changes nothing sends the same chart under the same key, so the browser keeps
    what the student moved; a rate set on the server's side mounts it anew, starting at that rate."""
    at = _page()
    chart = lambda: next(c for c in at.get("vega_lite_chart") if "traj_chart" in c.proto.id)
    first = chart().proto.id, chart().proto.spec
    at.run()
    assert (chart().proto.id, chart().proto.spec) == first
    at.select_slider(key="traj_lr_SGD").set_value(0.5).run()
    assert chart().proto.id != first[0] and _picks(_figure(at)[0])[0] == LR_VALUES.index(0.5)


def test_a_step_in_the_link_opens_the_figure_there_until_the_step_count_changes():
    """A link with ``traj_step`` shares a paused figure: the step slider starts at that step; a new
    step count starts at its end again and the link forgets the step; a step past the end is refused."""
    at = _page(traj_step="12")
    step = lambda: _figure(at)[0]["params"][0]
    assert step()["value"] == 12 and step()["bind"]["max"] == 30
    assert dict(at.query_params)["traj_step"] == "12" and not at.warning
    at.button(key="traj_preset_book").click().run()  # 30 steps as before: a preset still draws whole paths
    assert step()["value"] == 30 and "traj_step" not in dict(at.query_params)
    at = _page(traj_step="12")
    at.number_input(key="traj_steps").set_value(40).run()
    assert step()["value"] == 40 and "traj_step" not in dict(at.query_params)
    at = _page(traj_step="31")
    assert step()["value"] == 30 and "`traj_step`" in " ".join(w.value for w in at.warning)


def test_the_chart_carries_every_learning_rate_of_the_sliders():
    """Each optimizer's path is sent at every rate its slider offers, SGD's in closed form on the
    bowl: x_k = −7·(1 − η/10)^k, y_k = 2·(1 − 2η)^k, cut where it diverged."""
    at = _page(traj_steps="20")
    spec, cols = _figure(at)
    assert set(np.unique(cols["li"])) == set(range(len(LR_VALUES)))
    for li, lr in enumerate(LR_VALUES):
        pts = _paths(at, {0: li, 1: 0, 2: 0, 3: 0})["SGD"]
        k = np.arange(21)
        out = np.flatnonzero(np.abs(2 * (1 - 2 * lr) ** k) > 5 + 10 * 10)  # ten window heights beyond y = 5
        assert len(pts) == (out[0] + 1 if len(out) else 21), lr  # drawn up to the step it diverged at
        k = k[:len(pts)]
        np.testing.assert_allclose(pts, np.stack([-7 * (1 - lr / 10) ** k, 2 * (1 - 2 * lr) ** k], -1), rtol=1e-5,
                                   atol=1e-6)
    assert _picks(spec) == {0: LR_VALUES.index(0.95), 1: LR_VALUES.index(0.1), 2: LR_VALUES.index(1.5),
                            3: LR_VALUES.index(0.3)}


@pytest.mark.parametrize("key", SURFACE_KEYS)
def test_every_surface_renders_without_nan(key):
    at = _page()
    at.selectbox(key="traj_surface").set_value(key).run()
    assert not at.exception
    spec, cols = _figure(at)
    assert np.isfinite(cols["x"]).all() and np.isfinite(cols["y"]).all() and np.isfinite(cols["f"]).all()
    x0, y0 = at.number_input(key="traj_x0").value, at.number_input(key="traj_y0").value
    enc = next(layer["encoding"] for layer in spec["layer"] if "params" in layer and "x" in layer["encoding"])
    xr, yr = enc["x"]["scale"]["domain"], enc["y"]["scale"]["domain"]
    assert xr[0] <= x0 <= xr[1] and yr[0] <= y0 <= yr[1]


@pytest.mark.parametrize("name", list(TRAJECTORY_PRESETS))
def test_presets_set_the_page(name):
    at = _page()
    at.button(key=f"traj_preset_{name}").click().run()
    assert not at.exception
    preset = TRAJECTORY_PRESETS[name]
    assert at.selectbox(key="traj_surface").value == preset["surface"]
    assert list(_paths(at)) == preset["opts"]
    assert at.number_input(key="traj_steps").value == preset["steps"]


def test_diverging_run_is_labelled_and_cut():
    at = _page()
    at.select_slider(key="traj_lr_SGD").set_value(1.5).run()
    # from (−7, 2): |y_k| = 2·2^k first lies ten window heights (10 × 10) beyond y = 5 at k = 6
    assert any("diverged at step 6" in e.value for e in at.error)
    assert not any("SGD" in s.value for s in at.success)  # no green box for a run that flew off
    assert "SGD  η = 1.5  ✗ diverged at step 6" in json.dumps(_figure(at)[0], ensure_ascii=False)  # the legend
    assert np.isfinite(_paths(at)["SGD"]).all()
    assert len(_paths(at)["SGD"]) == 7  # drawn from the start up to step 6, not out to 10⁶


def test_an_escape_from_a_saddle_is_told_apart_from_a_divergence():
    """On x² − y² (no minimum) every optimizer that slides off the saddle and out of sight did the
    right thing: a blue note "escaped downhill", an arrow in the legend, no red box, no cross."""
    at = _page(traj_surface="saddle", traj_steps="300", traj_opts=["SGD", "Adam"])
    assert not at.exception and not at.error
    notes = [i.value for i in at.info]
    assert any("SGD" in n and "escaped downhill out of sight at step" in n for n in notes), notes
    spec, cols = _figure(at)
    legend = json.dumps(spec, ensure_ascii=False)
    assert f"SGD  η = {LR_VALUES[_picks(spec)[0]]:g}  ↘ escaped downhill" in legend
    picked = np.zeros(len(cols["o"]), bool)
    for o, li in _picks(spec).items():
        picked |= (cols["o"] == o) & (cols["li"] == li)
    assert not cols["end"][picked].any()  # no cross at the end of any drawn path


def test_every_control_can_be_driven():
    at = _page()
    at.multiselect(key="traj_opts").set_value(["Nesterov", "RMSProp", "AdamW"]).run()
    at.select_slider(key="traj_momentum_Nesterov").set_value(0.5).run()
    at.select_slider(key="traj_alpha_RMSProp").set_value(0.9).run()
    at.select_slider(key="traj_beta1_AdamW").set_value(0.8).run()
    at.select_slider(key="traj_beta2_AdamW").set_value(0.99).run()
    at.select_slider(key="traj_weight_decay_AdamW").set_value(0.1).run()
    at.number_input(key="traj_steps").set_value(1000).run()
    at.number_input(key="traj_x0").set_value(5.0).run()
    at.number_input(key="traj_y0").set_value(-3.0).run()
    at.selectbox(key="traj_sched").set_value("cosine").run()
    at.select_slider(key="traj_noise").set_value(0.5).run()
    at.number_input(key="traj_seed").set_value(7).run()
    assert not at.exception
    paths = _paths(at)
    assert list(paths) == ["Nesterov", "RMSProp", "AdamW"]
    assert all(np.allclose(p[0], [5.0, -3.0]) for p in paths.values())
    at.selectbox(key="traj_surface").set_value("conditioned").run()
    at.select_slider(key="traj_kappa").set_value(500.0).run()
    assert not at.exception


def test_no_optimizer_gives_a_hint_not_an_error():
    at = _page()
    at.multiselect(key="traj_opts").set_value([]).run()
    assert not at.exception and at.info


@pytest.mark.parametrize("tab", range(5))
def test_each_tab_draws_its_chart(tab):
    at = _page()
    labels = ["Loss and distance", "One panel each", "3-D surface", "Curvature", "Basins"]
    at.tabs[0]  # the tab container exists
    at.session_state["traj_tab"] = labels[tab]
    at.run()
    assert not at.exception
    if tab == 0:  # the curves are Vega-Lite charts: loss and distance, beside the trajectories figure
        assert not at.get("plotly_chart") and len(at.get("vega_lite_chart")) == 3
    else:
        assert len(at.get("plotly_chart")) == 1 and len(at.get("vega_lite_chart")) == 1


def basins_done(at, runs: int = 200) -> None:
    """Rerun (as the live fragment's timer would) until the basins job this page watches is done."""
    for _ in range(runs):
        if not at.session_state["traj_basins_on"]:
            return
        at.run(timeout=60)
    raise AssertionError("the basins are still being computed")


def test_the_basins_tab_maps_every_optimizer_or_says_why_not(monkeypatch):
    monkeypatch.setattr(shared, "CHUNK", 0.0)  # one piece of ten steps per rerun, however fast the machine
    at = open_page("trajectories", traj_surface="himmelblau")
    at.session_state["traj_tab"] = "Basins"
    at.run()
    bars = [b.proto.text for b in at.get("progress")]  # a job the class shares, with a bar per optimizer
    assert len(bars) == 4 and bars[0].startswith("SGD: 10 of 30") and not at.get("plotly_chart")
    basins_done(at)
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert [d["type"] for d in spec["data"]].count("heatmap") == 4  # the four default optimizers
    assert sum(1 for d in spec["data"] if str(d.get("name", "")).startswith("minimum (")) == 4
    assert [b.proto.label for b in at.get("download_button")] == ["Paths as CSV (every step of every optimizer)",
                                                                    "Basins as CSV"]
    saddle = open_page("trajectories", traj_surface="saddle")
    saddle.session_state["traj_tab"] = "Basins"
    saddle.run()
    assert not saddle.exception and any("no isolated minimum" in i.value for i in saddle.info)


def test_curvature_tab_analyses_a_chosen_step_and_shows_the_escape():
    at = _page()
    at.button(key="traj_preset_saddle").click().run()
    at.session_state["traj_tab"] = "Curvature"
    at.run()
    at.radio(key="traj_at").set_value("SGD").run()
    at.slider(key="traj_at_step").set_value(200).run()
    assert not at.exception
    s = surfaces.get("li")
    point = descent.walk(s, make_optimizer("SGD", at.session_state["traj_lr_SGD"]), np.array([-1.5, 1.5001]), 200).points[200]
    label = curvature.analyse(s, point).label  # the core's word for that point, shown as the page's kind
    assert label == "saddle-shaped"  # stalled near the saddle, not on it
    assert "**Kind:** not critical; saddle-shaped" in [m.value for m in at.markdown]
    assert any("eigenvector" in w.value for w in at.warning)


def test_the_curvature_tab_follows_sharpness_along_the_path_against_two_over_eta():
    """SGD at η = 0.95 on x²/20 + y²: λmax is 2 at every step, under 2/0.95; a cosine schedule
    raises the line as η_t falls."""
    at = _page(traj_sched="cosine")
    at.session_state["traj_tab"] = "Curvature"
    at.run()
    at.radio(key="traj_at").set_value("SGD").run()
    chart = next(c for c in at.get("vega_lite_chart") if "λmax · SGD" in json.dumps(json.loads(c.proto.spec), ensure_ascii=False))
    table = pa.ipc.open_stream(chart.proto.data.data).read_all()
    k, v, step = (table[c].to_numpy() for c in ("k", "v", "step"))
    assert len(v[k == 0]) == 31  # the start and every step
    np.testing.assert_allclose(v[k == 0], 2.0)
    sched = make_schedule("cosine", 30)
    limit = {int(s): float(x) for s, x in zip(step[k == 1], v[k == 1], strict=True)}
    assert limit[0] == pytest.approx(2 / 0.95) and limit[20] == pytest.approx(2 / (0.95 * sched(20)))
    assert not at.exception


def test_link_with_bad_values_falls_back_to_defaults():
    at = _page(traj_steps="99999", traj_x0="abc", traj_surface="nope", traj_lr_SGD="-3", lang="xx")
    assert at.number_input(key="traj_steps").value == 30
    assert at.selectbox(key="traj_surface").value == "bowl"
    assert at.select_slider(key="traj_lr_SGD").value == 0.95


def test_link_restores_a_configuration_in_chinese():
    at = _page(lang="中文", traj_surface="Rosenbrock", traj_steps="200", traj_lr_Adam="0.05")
    assert at.title[0].value == "优化器轨迹"
    assert at.selectbox(key="traj_surface").value == "rosenbrock"
    assert at.number_input(key="traj_steps").value == 200
    assert at.select_slider(key="traj_lr_Adam").value == 0.05


def test_curvature_of_a_path_that_diverged_at_its_first_step():
    """Rosenbrock, SGD at lr 10: one point survives, so the step slider would run from 0 to 0."""
    at = _page(traj_surface="rosenbrock", traj_opts="SGD", traj_lr_SGD="10")
    at.session_state["traj_tab"] = "Curvature"
    at.run()
    at.radio(key="traj_at").set_value("SGD").run()
    assert not at.exception
    assert any("diverged at step 1" in e.value for e in at.error)


def test_nesterov_is_never_offered_without_momentum():
    at = _page(traj_opts="Nesterov", traj_momentum_Nesterov="0")
    assert at.select_slider(key="traj_momentum_Nesterov").value == 0.9  # the link's 0 is refused, and named
    assert at.select_slider(key="traj_momentum_Nesterov").options[0] == "0.5"  # 0 is not offered
    assert any("traj_momentum_Nesterov" in w.value for w in at.warning)


def test_an_optimizer_added_to_the_registry_is_offered_drawn_and_explained(monkeypatch):
    """Adding an optimizer is one registry entry: the page offers it, draws its path in a colour of
    its own, shows its formula, and a race trains it."""
    from functools import partial

    from optviz.nn import train
    from optviz.optim import optimizers, registry

    spec = registry.OptimizerSpec(partial(optimizers.SGD, momentum=0.5), {}, 0.2, r"b \leftarrow 0.5 b + g")
    monkeypatch.setitem(registry.OPTIMIZERS, "Half-momentum", spec)
    at = _page(traj_opts=["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "AdamW", "Half-momentum"])
    assert not at.exception
    paths = _paths(at)
    assert len(paths) == 8 and np.isfinite(paths["Half-momentum"]).all()
    enc = next(layer["encoding"] for layer in _figure(at)[0]["layer"] if "strokeDash" in layer["encoding"])
    looks = set(zip(enc["color"]["scale"]["range"], map(tuple, enc["strokeDash"]["scale"]["range"]), strict=True))
    assert len(looks) == 8  # every path tells itself apart
    assert any(r"0.5 b + g" in m.body for m in at.latex)
    race = train.RaceConfig((train.NetConfig("Half-momentum", 0.01),), hidden=(8,), batch=16, iterations=3)
    assert race.nets[0].optimizer_object().momentum == 0.5


def test_the_curvature_tab_works_out_the_chosen_update_by_hand():
    at = _page()
    at.session_state["traj_tab"] = "Curvature"
    at.run()
    at.radio(key="traj_at").set_value("Adam").run()
    at.slider(key="traj_at_step").set_value(3).run()
    assert not at.exception
    assert any(m.value == "**Update 3 of Adam, worked out: the rule with this step's numbers**" for m in at.markdown)
    worked = next(x.value for x in at.latex if "aligned" in x.value)
    assert r"\hat m" in worked and r"\theta_{3}" in worked and r"\beta_1^{3}" in worked
    at.slider(key="traj_at_step").set_value(0).run()
    assert any("past 0" in c.value for c in at.caption)


def opened(lang: str, state: dict, **query: str) -> AppTest:
    """The page opened in one go with widget state already set: AppTest re-sends a select's value
    through its format function outside the script, in English, so a second run in Chinese fails."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(lang=lang, **query)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page("pages/trajectories.py").run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["English", "中文"])
def test_the_new_views_open_in_both_languages(lang):
    """Basins, the worked update, a teacher's own function and the rates, in each language."""
    from optviz.i18n.text import t

    code = "en" if lang == "English" else "zh"
    own = {"traj_surface": "own", "traj_f": "x**4 - x**2 + y**2"}
    for _ in range(50):  # the class's basins job goes on across visits (a rerun here would lose the language)
        at = opened(lang, {"traj_tab": t("traj.tab.basins", code)}, **own)
        if not at.session_state["traj_basins_on"]:
            break
    assert at.text_input(key="traj_f").label == t("own.formula", code)
    assert json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]["type"] == "heatmap"
    at = opened(lang, {"traj_tab": t("traj.tab.curvature", code), "traj_at": "Adam", "traj_at_step": 2}, **own)
    assert any(m.value == f"**{t('traj.at.arithmetic', code, k=2, name='Adam')}**" for m in at.markdown)
    bowl = opened(lang, {})
    assert any(s.value == t("traj.rates.title", code) for s in bowl.subheader)
    header, *rows = markdown_tables(bowl)[0]
    assert header == [t(f"traj.rates.{c}", code) for c in ("optimizer", "settings", "limit", "predicted", "observed")]
    assert [r[0] for r in rows[-2:]] == [t("traj.rates.best_gd", code), t("traj.rates.best_hb", code)]
    sgd = next(r for r in rows if r[0] == "SGD")  # SGD on the bowl: predicted and observed rates agree
    assert abs(float(sgd[3]) - float(sgd[4])) < 0.01


def test_a_table_shows_its_cells_as_typed():
    def page():
        from ui.common import table
        table({"a|b": ["x_y*", "$1$"], "c": ["<b>", "2"]})

    assert markdown_tables(AppTest.from_function(page).run()) == [[["a|b", "c"], ["x_y*", "<b>"], ["$1$", "2"]]]
