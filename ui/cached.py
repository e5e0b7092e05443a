"""The pages' computations, cached once for the whole class.

Defined here, not in the pages: a page's script runs again on every rerun, and Streamlit would
wrap its cached functions anew each time (reading their source). The arguments are keyword-only:
Streamlit looks up the name of every positional argument it hashes, on every call.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from optviz.figures import surface_chart
from optviz.lessons import batching
from optviz.nn import edge, gradcheck, initialisation, train
from optviz.optim.registry import LR_VALUES, make_schedule
from optviz.toy import descent, own_surface, surfaces
from ui.controls import build


@st.cache_resource(max_entries=64, show_spinner=False)
def own_cached(text: str, xlim: tuple[float, float], ylim: tuple[float, float]) -> surfaces.Surface:
    """A teacher's own surface, parsed and searched for critical points once per formula and window
    (shared by the class, read-only; a refused formula raises and is not cached)."""
    return own_surface.own_surface(text, xlim, ylim)


def surface_of(key: str, kappa: float, own: tuple | None) -> surfaces.Surface:
    """The surface ``key``; "own" is built from ``own`` = (formula, x window, y window)."""
    return own_cached(*own) if key == "own" else surfaces.get(key, kappa)


@st.cache_data(max_entries=1024, show_spinner=False)
def path(*, surface_key: str, kappa: float, own: tuple | None, name: str, settings: tuple, start: tuple,
         n_steps: int, schedule: str, noise: float, seed: int) -> descent.Path:
    """Optimizer ``name`` with ``settings`` ((knob, value) pairs) from ``start`` (x, y) for
    ``n_steps`` on the surface, its gradients with Gaussian ``noise`` drawn from ``seed``."""
    surface = surface_of(surface_key, kappa, own)
    return descent.walk(surface, build(name, dict(settings)), np.array(start), n_steps,
                       make_schedule(schedule, n_steps), noise, seed)


@st.cache_data(max_entries=256, show_spinner=False)
def sweep(*, surface_key: str, kappa: float, own: tuple | None, name: str, settings: tuple, start: tuple,
          n_steps: int, schedule: str, noise: float, seed: int) -> list[descent.Outcome]:
    """``path`` at every learning rate of the sliders (LR_VALUES), ``settings`` holding the other
    knobs, each path cut where it began to diverge."""
    surface = surface_of(surface_key, kappa, own)
    paths = descent.sweep(surface, build(name, {"lr": LR_VALUES[0], **dict(settings)}), np.array(start), n_steps,
                          LR_VALUES, make_schedule(schedule, n_steps), noise, seed)
    return [descent.outcome(surface, p) for p in paths]


@st.cache_data(max_entries=512, show_spinner=False)
def init_histograms(*, init: str | float, activation: str, n_layers: int, units: int, bn: bool, seed: int):
    """The initialisation page's experiment on 1000 inputs: (activation histograms, gradient
    histograms, layer statistics), or None when it overflowed. Small, so a cached copy per session
    is cheap."""
    e = initialisation.measure(initialisation.InitConfig(init, activation, n_layers, units, bn, 1000, seed))
    if not e.finite:
        return None
    return initialisation.histograms(e.act), initialisation.histograms(e.grads), e.stats


@st.cache_data(max_entries=64, show_spinner=False)
def gradient_check(*, net: train.NetConfig, hidden: tuple[int, ...], seed: int, _data,
                   fingerprint: str) -> list[gradcheck.Check]:
    """The gradient check of ``net`` at its starting weights (float64) on 32 training images of
    ``_data`` (not hashed: ``fingerprint`` names it)."""
    mlp = net.mlp(hidden)
    rng = np.random.default_rng(seed)
    return gradcheck.gradient_check(mlp, mlp.init_params(rng, np.float64), _data.x_train[:32], _data.y_train[:32], seed=seed)


@st.cache_resource(max_entries=4, show_spinner=False)
def surface_experiment(*, seed: int) -> batching.Surfaces:
    """The batch-size page's surfaces, once for the class: read-only, every array frozen (4 MB)."""
    demo = batching.surface_experiment(seed)
    for a in (demo.w1, demo.w2, demo.full, demo.batches, demo.x, demo.y, *demo.paths):
        a.flags.writeable = False
    return demo


@st.cache_data(max_entries=16, show_spinner=False)
def surface_figure(*, seed: int, lang: str, height: int) -> tuple[dict, dict, dict]:
    """The surfaces figure's paths, contour lines and spec (0.8 MB), per language and height."""
    return surface_chart.chart(surface_experiment(seed=seed), lang, height)


@st.cache_data(max_entries=8, show_spinner=False)
def edge_plane(*, fingerprint: str, lr: float, _data, _run: edge.Edge):
    """The loss on the plane of the edge-of-stability run at ``lr`` on the data ``fingerprint``
    names (the run and data are not hashed): computed once for the class."""
    return edge.plane(_data, _run)


@st.cache_data(max_entries=8, show_spinner=False)
def race_plane(*, key: str, t: int, _run: train.Run):
    """The loss on the plane of the path of the race run ``key`` (its repr) at iteration ``t`` (the run is not hashed):
    (xs, ys, losses, path (m, 2), explained (2,)), computed once for the class."""
    flat, xs, ys, losses = _run.plane()
    return xs, ys, losses, flat.path, flat.explained
