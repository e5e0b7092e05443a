"""The initialisation figure's columns and spec: every set-up's histograms where the browser picks
them, checked against NumPy's histogram of the experiment's own values."""

from __future__ import annotations

import json

import numpy as np
import pytest

from optviz.figures import init_chart
from optviz.figures.init_chart import PICK, Side
from optviz.nn.initialisation import InitConfig, histograms, measure

ACTS = ("sigmoid", "relu")
INITS = (1.0, "he", 1000.0)  # std 1000 over ten linear layers of 100 overflows


def _result(init, act, bn, layers=3, units=20):
    e = measure(InitConfig(init, act, layers, units, bn, 200, 0))
    return (histograms(e.act), histograms(e.grads), e.stats) if e.finite else None


@pytest.fixture(scope="module")
def results():
    return {(i, a, bn): _result(init, act, bn) for i, init in enumerate(INITS) for a, act in enumerate(ACTS)
            for bn in (False, True)} | {(2, 2, False): _result(1000.0, "linear", False, layers=10, units=100)}


def _rows(cols, i, a, n, k, no):
    rows = (cols["i"] == i) & (cols["a"] == a) & (cols["n"] == n) & (cols["k"] == k) & (cols["l"] == no)
    order = np.argsort(cols["x0"][rows])
    return cols["x0"][rows][order], cols["x1"][rows][order], cols["s"][rows][order]


@pytest.mark.parametrize("choice", [(0, 0, False), (1, 1, True), (0, 1, True)])
def test_each_set_up_is_its_layers_histograms_over_one_range(results, choice):
    """The rows of a set-up, layer by layer, are NumPy's histogram of that layer's values over the
    range of all its layers' values, in 40 bins, as shares of the layer's values."""
    cols = init_chart.columns(results)
    init, act = INITS[choice[0]], ACTS[choice[1]]
    e = measure(InitConfig(init, act, 3, 20, choice[2], 200, 0))
    for k, values in enumerate((e.act, e.grads)):
        lo = min(float(v.min()) for v in values)
        hi = max(float(v.max()) for v in values)
        edges = np.linspace(lo, hi, 41)
        for no, v in enumerate(values, start=1):
            x0, x1, s = _rows(cols, *choice, k, no)
            np.testing.assert_allclose(x0, edges[:-1], rtol=1e-6, atol=1e-7)
            np.testing.assert_allclose(x1, edges[1:], rtol=1e-6, atol=1e-7)
            counts = np.histogram(v, edges)[0]
            # a value that lies on an edge may fall either side of it
            np.testing.assert_allclose(s * v.size, counts, atol=1.5)
            assert s.sum() == pytest.approx(1, abs=1e-6)


def test_an_overflowed_set_up_is_one_message_row(results):
    cols = init_chart.columns(results)
    mine = (cols["i"] == 2) & (cols["a"] == 2)
    assert mine.sum() == 1 and cols["k"][mine][0] == 2
    assert not ((cols["k"] == 2) & ~mine).any()  # every other set-up is drawn


def _spec(results, sides, layers=3):
    return init_chart.chart(results, sides, ["sigmoid", "ReLU", "linear"], layers, "en")[1]


def _views(spec):
    """Every unit view of the concatenated spec."""
    for part in ("hconcat", "vconcat"):
        for view in spec.get(part, []):
            yield from _views(view)
    if "layer" in spec:
        yield spec


def test_the_inputs_pick_a_side_and_start_at_its_set_up(results):
    sides = [Side("", "A", "#111111", (1, 1, True), ((0, "std 1"), (1, "He"), (2, "custom std 1000"))),
             Side("2", "B", "#222222", (0, 0, False), ((0, "std 1"), (1, "He"), (3, "custom std 3")))]
    spec = _spec(results, sides)
    params = [p for view in _views(spec) for layer in view["layer"] for p in layer.get("params", [])]
    assert [p["name"] for p in params] == [PICK + "2", PICK]  # Vega lists them last first: A's come first
    a = params[1]
    assert a["value"] == [{"i": 1, "a": 1, "n": True}]
    assert a["bind"]["i"]["options"] == [0, 1, 2] and a["bind"]["i"]["labels"][2] == "custom std 1000"
    assert params[0]["bind"]["i"]["options"] == [0, 1, 3]  # B's own custom std
    assert a["bind"]["a"]["labels"] == ["sigmoid", "ReLU", "linear"] and a["bind"]["n"]["input"] == "checkbox"
    assert a["bind"]["i"]["name"].startswith("A · ")
    # the chart keeps only the picked set-ups' rows, each side's panels only its own
    assert spec["transform"][0]["filter"] == (f"(datum.i == {PICK}_i && datum.a == {PICK}_a && datum.n == +{PICK}_n)"
                                              f" || (datum.i == {PICK}2_i && datum.a == {PICK}2_a && datum.n == +{PICK}2_n)")
    names = [layer.get("name") for view in _views(spec) for layer in view["layer"] if layer.get("name")]
    assert sorted(names) == sorted(f"bars_{k}{no}{s}" for k in (0, 1) for no in (1, 2, 3) for s in ("", "2"))


def test_one_row_of_panels_shares_its_y_scale_across_both_sides(results):
    sides = [Side("", "A", "#111111", (0, 0, False), ((0, "std 1"),)),
             Side("2", "B", "#222222", (1, 1, False), ((1, "He"),))]
    spec = _spec(results, sides)
    for row in spec["vconcat"]:
        assert row["resolve"]["scale"]["y"] == "shared"
        assert all(block["resolve"]["scale"]["y"] == "shared" for block in row["hconcat"])
    assert spec["resolve"]["scale"]["y"] == "independent"  # activations and ∂L/∂z keep their own
    # and the whole figure fits the page's column
    across = sum(len(block["hconcat"]) for block in spec["vconcat"][0]["hconcat"])
    width = next(_views(spec))["width"]
    assert across * width + 50 + 6 * (across - 1) + 16 <= init_chart.MAX_WIDTH
    json.dumps(spec)  # plain JSON, as Streamlit sends it


@pytest.mark.parametrize("n_sides", [1, 2])
def test_tick_labels_stay_apart_on_narrow_panels(results, n_sides):
    """Up to six panels across, each has its x tick labels and "Layer n" above it; past that only
    each side's first panel has labels, and the others are titled by their number alone."""
    sides = [Side("", "", "#111111", (0, 0, False), ((0, "std 1"),)),
             Side("2", "B", "#222222", (1, 1, False), ((1, "He"),))][:n_sides]
    for layers in (3, 7):
        spec = _spec(results, sides, layers)
        top = [v for block in spec["vconcat"][0]["hconcat"] for v in block["hconcat"]]
        labelled = [v["layer"][0]["encoding"]["x"]["axis"]["labels"] for v in top]
        titles = [v["title"]["text"] for v in top]
        if layers * n_sides <= init_chart.CROWDED:
            assert all(labelled) and titles == [f"Layer {n}" for n in range(1, layers + 1)] * n_sides
        else:
            assert labelled == ([True] + [False] * (layers - 1)) * n_sides
            assert titles == (["Layer 1"] + [str(n) for n in range(2, layers + 1)]) * n_sides
