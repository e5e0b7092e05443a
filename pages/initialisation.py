"""Weight initialisation: activation and gradient histograms, layer by layer."""

from __future__ import annotations

import numpy as np
import streamlit as st

from optviz import plots
from optviz.layers import ACTIVATIONS
from optviz.presets import INIT_PRESETS
from optviz.text import ACTIVATION_NAMES, INIT_NAMES, link_names, named
from ui import cached, classroom, links
from ui.common import apply_preset, lang, lesson_bar, lesson_script, page_header, table, tr

P = "init_"
STDS = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 1000.0)
UNITS = (10, 20, 50, 100, 200, 300, 500)


def controls(suffix: str, defaults: dict[str, object], places: list) -> tuple:
    """One configuration's widgets (keys end in ``suffix``) in three places (initialisation,
    activation, batch norm); returns experiment arguments."""
    k = P + "{}" + suffix
    with places[0]:
        links.coded(k.format("init"), link_names(INIT_NAMES))
        init = st.selectbox(tr("init.init"), tuple(INIT_NAMES), format_func=lambda c: named(INIT_NAMES, c, lang()),
                            key=k.format("init"), index=tuple(INIT_NAMES).index(defaults["init"]))
        links.keep(k.format("init"), init, defaults["init"])
        if init == "custom":
            scale: str | float = st.select_slider(tr("init.custom_std"), STDS, value=0.1, key=k.format("std"),
                                                  format_func=lambda v: f"{v:g}", bind="query-params")
        else:
            scale = float(init) if init[0].isdigit() else init
    with places[1]:
        links.coded(k.format("act"), link_names(ACTIVATION_NAMES))
        act = st.selectbox(tr("init.activation"), tuple(ACTIVATIONS), key=k.format("act"),
                           format_func=lambda c: named(ACTIVATION_NAMES, c, lang()),
                           index=tuple(ACTIVATIONS).index(defaults["act"]))
        links.keep(k.format("act"), act, defaults["act"])
    bn = places[2].toggle(tr("init.batchnorm"), value=defaults["bn"], key=k.format("bn"), bind="query-params")
    return scale, act, bn


def describe(args: tuple) -> str:
    """A set-up in a few words: "std 1 · sigmoid · batch norm"."""
    scale, act, bn = args
    init = tr("init.std", s=f"{scale:g}") if isinstance(scale, float) else named(INIT_NAMES, scale, lang())
    return " · ".join([init, named(ACTIVATION_NAMES, act, lang())] + ([tr("init.batchnorm")] if bn else []))


def show(result, colour: str, ymax: tuple[float, float] | None = None, sides: int = 1) -> None:
    if result is None:
        st.warning(tr("init.overflow"), icon="⚠️")
        return
    acts, grads, stats = result
    st.plotly_chart(plots.layer_histograms(acts, grads, lang(), colour, ymax, sides), config={"displayModeBar": False})
    pct = lambda v: "–" if np.isnan(v) else f"{v:.0%}"
    table({
        tr("init.table.layer"): list(range(1, len(stats) + 1)),
        tr("init.table.mean"): [f"{s.mean:.3g}" for s in stats],
        tr("init.table.std"): [f"{s.std:.3g}" for s in stats],
        tr("init.table.saturated"): [pct(s.saturated) for s in stats],
        tr("init.table.dead"): [pct(s.dead) for s in stats],
        tr("init.table.grad_std"): [f"{s.grad_std:.3g}" for s in stats],
    })


page_header("init")
lesson_script("init")
classroom.gate("initialisation", lambda setup: apply_preset(INIT_PRESETS[setup], P))

comparing = bool(st.session_state.get(P + "compare"))
side = st.segmented_control(tr("init.preset_side"), ("", "2"), format_func=lambda s: tr(f"init.side{s or '1'}"),
                            key=P + "preset_side", default="", required=True) if comparing else ""
cols = st.columns(3) + st.columns(3)  # two rows: six labels stay whole down to 1024 px
for col, (name, values) in zip(cols, INIT_PRESETS.items(), strict=True):
    own = {k + ("" if k in ("layers", "units") else side): v for k, v in values.items()}  # depth is shared
    col.button(tr(f"init.preset.{name}"), key=f"{P}preset_{name}", on_click=apply_preset, args=(own, P),
               width="stretch")

*first_places, layers_place = lesson_bar([2, 2, 1.6, 2])
first = controls("", INIT_PRESETS["sig1"], first_places)
n_layers = layers_place.slider(tr("init.layers"), 1, 10, 5, key=P + "layers", bind="query-params")
with st.sidebar:
    units = st.select_slider(tr("init.units"), UNITS, value=100, key=P + "units", bind="query-params")
    links.whole_number(P + "seed", 0, 9999)
    seed = st.number_input(tr("common.seed"), 0, 9999, 0, key=P + "seed", bind="query-params")
    compare = st.toggle(tr("init.compare"), key=P + "compare", bind="query-params")
    if compare:
        st.subheader(tr("init.second"))
        second = controls("2", INIT_PRESETS["reluhe"], [st.sidebar] * 3)

one = cached.init_histograms(init=first[0], activation=first[1], n_layers=n_layers, units=units, bn=first[2], seed=seed)
if compare:
    two = cached.init_histograms(init=second[0], activation=second[1], n_layers=n_layers, units=units, bn=second[2],
                                 seed=seed)
    shares = [r for r in (one, two) if r is not None]  # one y scale per row for both sides
    ymax = tuple(max(float(r[row].shares.max()) for r in shares) * 1.05 for row in (0, 1)) if shares else None
    for column, result, args, colour, name in zip(st.columns(2), (one, two), (first, second),
                                                   (plots.COLOURS[0], plots.COLOURS[2]), ("side1", "side2"),
                                                   strict=True):
        with column:
            st.subheader(f"{tr('init.' + name)}: {describe(args)}")
            show(result, colour, ymax, sides=2)
else:
    show(one, plots.COLOURS[0])

with st.expander(tr("common.explain"), expanded=True):
    st.write(tr("init.explain"))
    st.latex(r"\mathrm{Var}(z) = n\,\mathrm{Var}(w)\,\mathrm{Var}(x),\qquad "
             r"\sigma_{\text{Xavier}} = \sqrt{1/n},\qquad \sigma_{\text{He}} = \sqrt{2/n}")
