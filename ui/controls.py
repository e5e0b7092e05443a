"""Controls more than one page uses: the optimizer picker with per-optimizer knobs."""

from __future__ import annotations

import streamlit as st

from optviz.optim.registry import LR_VALUES, OPTIMIZERS, make_optimizer
from ui.common import snap_state, tr


def _fmt(v: float) -> str:
    return f"{v:g}"


def optimizer_settings(name: str, prefix: str, default_lr: float) -> dict[str, float]:
    """Learning rate and knobs of optimizer ``name``, each a URL-bound slider over fixed values
    (keys ``<prefix>lr_<name>``, ``<prefix><knob>_<name>``). Returns them by knob name."""
    knobs = OPTIMIZERS[name].knobs
    key = f"{prefix}lr_{name}"
    snap_state(key, LR_VALUES, default_lr)
    values = {"lr": st.select_slider(tr("opt.lr"), LR_VALUES, value=default_lr, key=key,
                                     format_func=_fmt, bind="query-params")}
    for knob, spec in knobs.items():
        key = f"{prefix}{knob}_{name}"
        snap_state(key, spec.values, spec.default)
        values[knob] = st.select_slider(tr(f"opt.{knob}"), spec.values, value=spec.default,
                                        key=key, format_func=_fmt, bind="query-params")
    return values


def build(name: str, settings: dict[str, float]):
    """The optimizer object for a picker's settings."""
    knobs = {k: v for k, v in settings.items() if k != "lr"}
    return make_optimizer(name, settings["lr"], **knobs)
