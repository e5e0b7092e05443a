"""AppTest drives every control of the initialisation page."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from apptest import markdown_tables, open_page
from streamlit.testing.v1 import AppTest

from optviz.presets import INIT_PRESETS
from optviz.text import t


def _page(**query) -> AppTest:
    return open_page("initialisation", **query)


def _n_panels(at, i=0) -> int:
    """Histograms drawn in figure i: the closed outlines of its filled traces, one per row, each
    outline ended by a gap (the layers' names add one invisible trace)."""
    rows = [trace for trace in json.loads(at.get("plotly_chart")[i].proto.spec)["data"] if trace.get("fill") == "toself"]
    return sum(int(np.isnan(np.frombuffer(base64.b64decode(row["y"]["bdata"]), np.float32)).sum()) for row in rows)


def test_default_is_the_books_set_up():
    at = _page()
    assert at.selectbox(key="init_init").value == "1" and at.selectbox(key="init_act").value == "sigmoid"
    assert _n_panels(at) == 10  # 5 layers x (activations, gradients)
    header, *rows = markdown_tables(at)[0]
    assert header[3] == t("init.table.saturated", "en")
    assert len(rows) == 5 and float(rows[4][3].rstrip("%")) > 50  # layer 5 mostly saturated


@pytest.mark.parametrize("name", list(INIT_PRESETS))
def test_presets(name):
    at = _page()
    at.button(key=f"init_preset_{name}").click().run()
    assert not at.exception
    assert at.selectbox(key="init_act").value == INIT_PRESETS[name]["act"]


def test_every_control_and_compare_mode():
    at = _page()
    at.selectbox(key="init_init").set_value("custom").run()
    at.select_slider(key="init_std").set_value(0.03).run()
    at.selectbox(key="init_act").set_value("tanh").run()
    at.slider(key="init_layers").set_value(10).run()
    at.select_slider(key="init_units").set_value(500).run()
    at.number_input(key="init_seed").set_value(3).run()
    at.toggle(key="init_bn").set_value(True).run()
    at.toggle(key="init_compare").set_value(True).run()
    at.selectbox(key="init_init2").set_value("xavier").run()
    at.selectbox(key="init_act2").set_value("leaky_relu").run()
    at.toggle(key="init_bn2").set_value(True).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2 and _n_panels(at, 1) == 20
    # both sides on the same scale, each titled with its set-up
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert figs[0]["layout"]["yaxis"]["range"] == figs[1]["layout"]["yaxis"]["range"]
    assert figs[0]["layout"]["yaxis2"]["range"] == figs[1]["layout"]["yaxis2"]["range"]
    heads = [h.value for h in at.subheader]
    assert any(h.startswith("A: std 0.03 · tanh") for h in heads) and any(h.startswith("B: Xavier") for h in heads)
    # a preset can set either side; depth stays shared
    at.segmented_control(key="init_preset_side").set_value("2").run()
    at.button(key="init_preset_sig1").click().run()
    assert at.selectbox(key="init_init2").value == "1" and at.selectbox(key="init_act2").value == "sigmoid"
    assert at.selectbox(key="init_act").value == "tanh" and not at.exception


def test_overflow_shows_a_message_not_nan():
    at = _page(init_init="custom / 自定义", init_std="1000", init_act="linear / 线性", init_layers="10")
    assert not at.exception
    assert any("overflowed" in w.value for w in at.warning)
    assert not at.get("plotly_chart")


def test_bad_link_values_fall_back():
    at = _page(init_layers="99", init_units="7", init_act="swish")
    assert at.slider(key="init_layers").value == 5
    assert at.select_slider(key="init_units").value == 100
    assert at.selectbox(key="init_act").value == "sigmoid"
