"""AppTest drives every control of the initialisation page; the figure's columns hold what a
student can switch to in the browser."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest
from apptest import markdown_tables, open_page
from streamlit.testing.v1 import AppTest

from optviz.figures.init_chart import PICK
from optviz.i18n.text import INIT_NAMES, t
from optviz.lessons.presets import INIT_PRESETS
from optviz.nn.initialisation import InitConfig, measure
from optviz.nn.layers import ACTIVATIONS

INITS = tuple(INIT_NAMES)
ACTS = tuple(ACTIVATIONS)


def _page(**query) -> AppTest:
    return open_page("initialisation", **query)


def _chart(at):
    return next(c for c in at.get("vega_lite_chart") if "init_chart" in c.proto.id)


def _figure(at) -> tuple[dict, dict[str, np.ndarray]]:
    """The initialisation chart's spec and columns, as the browser receives them."""
    table = pa.ipc.open_stream(_chart(at).proto.data.data).read_all()
    return json.loads(_chart(at).proto.spec), {k: table[k].to_numpy() for k in table.column_names}


def _picks(spec) -> dict[str, tuple[int, int, bool]]:
    """Each side's set-up the figure starts at (its selection's value), by selection name."""
    found = {}

    def walk(view):
        for part in ("hconcat", "vconcat", "layer"):
            for v in view.get(part, []):
                walk(v)
        for p in view.get("params", []):
            if p["name"].startswith(PICK):
                found[p["name"]] = tuple(p["value"][0][f] for f in ("i", "a", "n"))
    walk(spec)
    return found


def _shares(cols, choice, k: int, layer: int) -> np.ndarray:
    """The drawn shares of set-up ``choice`` in ``layer`` (k 0 activations, 1 ∂L/∂z), left to right."""
    i, a, n = choice
    rows = (cols["i"] == i) & (cols["a"] == a) & (cols["n"] == n) & (cols["k"] == k) & (cols["l"] == layer)
    return cols["s"][rows][np.argsort(cols["x0"][rows])]


def _expected(init, act, bn, layers, units, seed, k, layer) -> np.ndarray:
    """NumPy's histogram of the experiment's own values in ``layer`` over the range of all layers."""
    e = measure(InitConfig(init, act, layers, units, bn, 1000, seed))
    values = (e.act, e.grads)[k]
    edges = np.linspace(min(float(v.min()) for v in values), max(float(v.max()) for v in values), 41)
    return np.histogram(values[layer - 1], edges)[0] / values[layer - 1].size


def test_default_is_the_books_set_up():
    at = _page()
    assert at.selectbox(key="init_init").value == "1" and at.selectbox(key="init_act").value == "sigmoid"
    spec, cols = _figure(at)
    assert _picks(spec) == {PICK: (0, 0, False)}
    np.testing.assert_allclose(_shares(cols, (0, 0, 0), 0, 5), _expected(1.0, "sigmoid", False, 5, 100, 0, 0, 5),
                               atol=2e-5)
    assert set(np.unique(cols["l"])) == {1, 2, 3, 4, 5}
    header, *rows = markdown_tables(at)[0]
    assert header[3] == t("init.table.saturated", "en")
    assert len(rows) == 5 and float(rows[4][3].rstrip("%")) > 50  # layer 5 mostly saturated


def test_the_figure_carries_every_set_up_the_browser_can_switch_to():
    """Every named initialisation and the custom std, with every activation, with and without
    batch norm: each is the experiment's own histograms, so a switch in the browser needs nothing
    from the server."""
    at = _page(init_init="custom / 自定义", init_std="0.03", init_layers="3", init_units="50")
    spec, cols = _figure(at)
    assert _picks(spec) == {PICK: (4, 0, False)}
    carried = set(zip(cols["i"].tolist(), cols["a"].tolist(), cols["n"].tolist(), strict=True))
    assert carried == {(i, a, n) for i in range(5) for a in range(len(ACTS)) for n in (0, 1)}
    for choice, init in (((3, 2, 1), "he"), ((4, 1, 0), 0.03), ((1, 4, 0), 0.01)):
        act, bn = ACTS[choice[1]], bool(choice[2])
        np.testing.assert_allclose(_shares(cols, choice, 1, 2), _expected(init, act, bn, 3, 50, 0, 1, 2), atol=2e-5)


@pytest.mark.parametrize("name", list(INIT_PRESETS))
def test_presets(name):
    at = _page()
    at.button(key=f"init_preset_{name}").click().run()
    assert not at.exception
    assert at.selectbox(key="init_act").value == INIT_PRESETS[name]["act"]
    preset = INIT_PRESETS[name]
    assert _picks(_figure(at)[0])[PICK] == (INITS.index(preset["init"]), ACTS.index(preset["act"]), preset["bn"])


def test_the_figure_stays_mounted_until_the_server_changes_it():
    """A rerun that changes nothing sends the same chart under the same key, so the browser keeps
    what the student picked; a set-up chosen in the sidebar mounts it anew, starting there."""
    at = _page()
    first = _chart(at).proto.id, _chart(at).proto.spec
    at.run()
    assert (_chart(at).proto.id, _chart(at).proto.spec) == first
    at.selectbox(key="init_act").set_value("tanh").run()
    assert _chart(at).proto.id != first[0] and _picks(_figure(at)[0])[PICK] == (0, 1, False)


def test_every_control_and_compare_mode():
    at = _page()
    at.selectbox(key="init_init").set_value("custom").run()
    at.select_slider(key="init_std").set_value(0.03).run()
    at.selectbox(key="init_act").set_value("tanh").run()
    at.number_input(key="init_seed").set_value(3).run()
    at.select_slider(key="init_units").set_value(50).run()  # small: each depth and width computes all 50 set-ups
    at.slider(key="init_layers").set_value(7).run()
    at.toggle(key="init_bn").set_value(True).run()
    at.toggle(key="init_compare").set_value(True).run()
    at.selectbox(key="init_init2").set_value("custom").run()
    at.select_slider(key="init_std2").set_value(0.3).run()
    at.selectbox(key="init_act2").set_value("leaky_relu").run()
    assert not at.exception
    spec, cols = _figure(at)
    # each side its own custom std: A's after the four named ones, B's after A's
    assert _picks(spec) == {PICK: (4, 1, True), PICK + "2": (5, 3, False)}
    np.testing.assert_allclose(_shares(cols, (4, 1, 1), 0, 7), _expected(0.03, "tanh", True, 7, 50, 3, 0, 7),
                               atol=2e-5)
    np.testing.assert_allclose(_shares(cols, (5, 3, 0), 0, 7),
                               _expected(0.3, "leaky_relu", False, 7, 50, 3, 0, 7), atol=2e-5)
    heads = [m.value for m in at.markdown]
    assert "**A: std 0.03 · tanh · Batch normalisation**" in heads and "**B: std 0.3 · leaky ReLU**" in heads
    assert len(markdown_tables(at)) == 2
    # a preset can set either side; depth stays shared
    at.segmented_control(key="init_preset_side").set_value("2").run()
    at.button(key="init_preset_sig1").click().run()
    assert at.selectbox(key="init_init2").value == "1" and at.selectbox(key="init_act2").value == "sigmoid"
    assert at.selectbox(key="init_act").value == "tanh" and not at.exception
    assert _picks(_figure(at)[0])[PICK + "2"] == (0, 0, False)


def test_overflow_shows_a_message_not_nan():
    at = _page(init_init="custom / 自定义", init_std="1000", init_act="linear / 线性", init_layers="10")
    assert not at.exception
    assert any("overflowed" in w.value for w in at.warning)
    spec, cols = _figure(at)
    choice = _picks(spec)[PICK]
    mine = (cols["i"] == choice[0]) & (cols["a"] == choice[1]) & (cols["n"] == choice[2])
    assert mine.sum() == 1 and cols["k"][mine][0] == 2  # the figure's message, no bins
    assert np.isfinite(cols["s"]).all() and np.isfinite(cols["x0"]).all()


def test_bad_link_values_fall_back():
    at = _page(init_layers="99", init_units="7", init_act="swish")
    assert at.slider(key="init_layers").value == 5
    assert at.select_slider(key="init_units").value == 100
    assert at.selectbox(key="init_act").value == "sigmoid"
