"""Hostile links: every key a page binds to the URL, given values no control can take, opens the
page without an exception, shows no injected markup, and names the refused keys."""

from __future__ import annotations

import pytest
from apptest import APP, open_page
from test_data import write_mnist

from optviz.i18n.text import LANG_NAMES
from optviz.optim.registry import OPTIMIZERS
from optviz.serve import data
from ui import datasets

HOSTILE = ["", "nan", "inf", "-1e400", "9" * 5000, "-7", "0x1f", "１２", "<script>alert(1)</script>",
           "**x** [a](javascript:alert(1))", "x" * 100_000]
# Link values that bring hidden controls out, so that their keys are found and attacked too.
REVEAL = {
    "trajectories": {"traj_opts": list(OPTIMIZERS), "traj_surface": "conditioned", "traj_noise": "0.1"},
    "initialisation": {"init_compare": "true", "init_init": "custom", "init_init2": "custom"},
    "batch_size": {}, "mnist": {},
}
CODED = {  # values the pages bind to the URL themselves (ui.links.coded, ui.links.chosen)
    "trajectories": {"traj_surface", "traj_sched", "traj_step"}, "mnist": {"mnist_exp"},
    "batch_size": {"bs_surf_b", "bs_surf_lr", "bs_surf_ep", "bs_at"},
    "initialisation": {"init_init", "init_act", "init_init2", "init_act2"},
}
BS_TABS = ("⏱ Time", "〰 Noise", "🗺 Surfaces", "🎯 Accuracy", "⛰ Sharp vs flat")


@pytest.fixture(scope="module", autouse=True)
def small_digits(tmp_path_factory):
    """A few hundred random digits in the four IDX files: enough for every page to open."""
    folder = tmp_path_factory.mktemp("digits")
    write_mnist(folder, n_train=400, n_test=100)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(data.ENV_DIR, str(folder))
        datasets._load.clear()
        yield
    datasets._load.clear()


def bound_keys(page: str) -> set[str]:
    """Every query-parameter key the page binds to a control (each batch-size tab in turn)."""
    at = open_page(page, **REVEAL[page])
    keys = set()
    for tab in BS_TABS if page == "batch_size" else (None,):
        if tab:
            at.session_state["bs_tab"] = tab
            at.run()
        keys |= set(at._session_state._state.query_params._bindings_by_param)
    return keys | CODED[page]


@pytest.fixture(scope="module")
def keys() -> dict[str, set[str]]:
    found = {page: bound_keys(page) for page in REVEAL}
    assert {"traj_steps", "traj_seed", "traj_kappa", "traj_momentum_Nesterov", "traj_lr_AdamW"} <= found["trajectories"]
    assert {"init_layers", "init_std", "init_std2", "init_seed"} <= found["initialisation"]
    assert {"mnist_exp", "mnist_seed", "mnist_hidden", "mnist_batch"} <= found["mnist"]
    assert {"bs_time_net", "bs_surf_b", "bs_sweep_lr", "bs_flat_large"} <= found["batch_size"]
    return found


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:12]) + (f"…{len(v)}" if len(v) > 12 else ""))
@pytest.mark.parametrize("page", list(REVEAL))
def test_a_hostile_value_in_every_key_opens_the_page_and_is_named(page, value, keys):
    link = {k: value for k in keys[page]}
    at = open_page(page, **link)  # fails on any exception
    shown = " ".join(str(e.value) for kind in ("markdown", "warning", "info", "error", "caption", "text")
                     for e in at.get(kind))
    assert "<script" not in shown and "javascript:" not in shown
    if value in ("inf", "-1e400", "9" * 5000, "nan", "-7"):
        warning = " ".join(w.value for w in at.warning)
        assert "This link asked for values" in warning
        for k in {"traj_steps", "traj_seed", "init_seed", "init_layers", "mnist_seed", "traj_surface",
                  "mnist_exp", "init_act"} & set(link):
            assert f"`{k}`" in warning, k
    at.run()  # the bad values left the link: the next run is clean too
    assert not at.exception


@pytest.mark.parametrize("page, key, code, made_in, opened_in", [
    ("trajectories", "traj_surface", "eggcrate", "zh", "en"), ("trajectories", "traj_sched", "cosine", "en", "zh"),
    ("initialisation", "init_act", "linear", "zh", "en"), ("mnist", "mnist_exp", "overfit", "zh", "en"),
    ("mnist", "mnist_exp", "schedules", "en", "zh"),
])
def test_a_link_made_in_one_language_opens_the_same_state_in_the_other(page, key, code, made_in, opened_in):
    """The link carries the option's code in either language, and either language reads it."""
    for lang in (made_in, opened_in):
        at = open_page(page, lang=LANG_NAMES[lang], **{key: code})
        shown = at.segmented_control(key=key) if key == "mnist_exp" else at.selectbox(key=key)
        assert shown.value == code
        assert dict(at.query_params)[key] == code  # still the code after the page ran, not a translated name
        assert not any("This link" in w.value for w in at.warning)


def test_links_from_before_the_names_were_translated_still_open():
    at = open_page("initialisation", init_init="custom / 自定义", init_act="linear / 线性", lang="中文")
    assert at.selectbox(key="init_init").value == "custom" and at.selectbox(key="init_act").value == "linear"
    assert at.title[0].value != "Weight initialisation"


def test_an_unknown_language_in_a_link_is_named_on_the_page_it_opens():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = "klingon"
    at.run()
    assert not at.exception and at.title[0].value.startswith("optviz: ")
    assert any("`lang`" in w.value for w in at.warning)
    assert "lang" not in at.query_params


@pytest.mark.parametrize("page, preset", [("trajectories", "traj_preset_book"), ("initialisation", "init_preset_sig1")])
def test_a_preset_pressed_on_a_page_opened_from_a_link_is_no_refused_link(page, preset):
    at = open_page(page, **({"traj_surface": "saddle", "traj_steps": "50"} if page == "trajectories"
                            else {"init_layers": "3", "init_units": "50"}))
    assert not at.warning
    at.button(key=preset).click().run()
    assert not at.exception and not [w for w in at.warning if "This link asked for" in str(w.value)]
