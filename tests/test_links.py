"""Hostile links: every key a page binds to the URL, given values no control can take, opens the
page without an exception, shows no injected markup, and names the refused keys."""

from __future__ import annotations

import pytest
from apptest import open_page
from test_data import write_mnist

from optviz import data
from optviz.registry import OPTIMIZERS
from optviz.text import INIT_NAMES, SURFACE_NAMES
from ui import datasets

HOSTILE = ["", "nan", "inf", "-1e400", "9" * 5000, "-7", "0x1f", "１２", "<script>alert(1)</script>",
           "**x** [a](javascript:alert(1))", "x" * 100_000]
# Link values that bring hidden controls out, so that their keys are found and attacked too.
REVEAL = {
    "trajectories": {"traj_opts": list(OPTIMIZERS), "traj_surface": SURFACE_NAMES["conditioned"], "traj_noise": "0.1"},
    "initialisation": {"init_compare": "true", "init_init": INIT_NAMES["custom"], "init_init2": INIT_NAMES["custom"]},
    "batch_size": {}, "mnist": {},
}
BS_TABS = ("⏱ Time per update", "〰 Gradient noise", "🗺 One surface per batch", "🎯 Accuracy vs batch", "⛰ Sharp vs flat")


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
    return keys


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
    link = {k: value for k in keys[page] if k != "lang"}
    at = open_page(page, **link)  # fails on any exception
    shown = " ".join(str(e.value) for kind in ("markdown", "warning", "info", "error", "caption", "text")
                     for e in at.get(kind))
    assert "<script" not in shown and "javascript:" not in shown
    if value in ("inf", "-1e400", "9" * 5000, "nan", "-7"):
        warning = " ".join(w.value for w in at.warning)
        assert "This link asked for values" in warning
        for k in {"traj_steps", "traj_seed", "init_seed", "init_layers", "mnist_seed"} & set(link):
            assert f"`{k}`" in warning, k
    at.run()  # the bad values left the link: the next run is clean too
    assert not at.exception
