"""Weight initialisation: activation and gradient histograms, layer by layer."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from optviz.figures import init_chart, plots
from optviz.i18n.text import ACTIVATION_NAMES, INIT_NAMES, link_names, named
from optviz.lessons import questions
from optviz.lessons.presets import INIT_PRESETS
from optviz.nn.layers import ACTIVATIONS
from ui import cached, classroom, explorer, links
from ui.common import apply_preset, arrow, lang, lesson_bar, lesson_script, page_header, presenting, table, tr

P = "init_"
STDS = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 1000.0)
UNITS = (10, 20, 50, 100, 200, 300, 500)
INITS = tuple(INIT_NAMES)  # "custom" last: the figure's neighbourhood adds each side's custom std after it
ACTS = tuple(ACTIVATIONS)
DEFAULT_STD = 0.1
PREVIEW_S = 0.3  # computing the neighbourhood longer than this: the picked set-ups are drawn meanwhile


def scale_of(init: str, std: float) -> str | float:
    """What ``initialisation.measure`` takes for the select's ``init``: a name or a standard deviation."""
    return std if init == "custom" else float(init) if init[0].isdigit() else init


def controls(suffix: str, defaults: dict[str, object], init_place, std_place) -> tuple[str, float, str, bool]:
    """One configuration's widgets (keys end in ``suffix``): initialisation, activation and batch
    norm in ``init_place``, the custom standard deviation in ``std_place``; returns (init code,
    custom std, activation, batch norm)."""
    k = P + "{}" + suffix
    with init_place:
        links.coded(k.format("init"), link_names(INIT_NAMES))
        init = st.selectbox(tr("init.init"), INITS, format_func=lambda c: named(INIT_NAMES, c, lang()),
                            key=k.format("init"), index=INITS.index(defaults["init"]))
        links.keep(k.format("init"), init, defaults["init"])
    std = DEFAULT_STD
    if init == "custom":
        std = std_place.select_slider(tr("init.custom_std"), STDS, value=DEFAULT_STD, key=k.format("std"),
                                      format_func=lambda v: f"{v:g}", bind="query-params")
    with init_place:
        links.coded(k.format("act"), link_names(ACTIVATION_NAMES))
        act = st.selectbox(tr("init.activation"), ACTS, key=k.format("act"),
                           format_func=lambda c: named(ACTIVATION_NAMES, c, lang()), index=ACTS.index(defaults["act"]))
        links.keep(k.format("act"), act, defaults["act"])
    bn = init_place.toggle(tr("init.batchnorm"), value=defaults["bn"], key=k.format("bn"), bind="query-params")
    return init, std, act, bn


def describe(args: tuple) -> str:
    """A set-up in a few words: "std 1 · sigmoid · batch norm"."""
    init, std, act, bn = args
    scale = scale_of(init, std)
    init_name = tr("init.std", s=f"{scale:g}") if isinstance(scale, float) else named(INIT_NAMES, scale, lang())
    return " · ".join([init_name, named(ACTIVATION_NAMES, act, lang())] + ([tr("init.batchnorm")] if bn else []))


def show_table(result) -> None:
    if result is None:
        st.warning(tr("init.overflow"), icon="⚠️")
        return
    stats = result[2]
    pct = lambda v: "–" if np.isnan(v) else f"{v:.0%}"
    table({
        tr("init.table.layer"): list(range(1, len(stats) + 1)),
        tr("init.table.mean"): [f"{s.mean:.3g}" for s in stats],
        tr("init.table.std"): [f"{s.std:.3g}" for s in stats],
        tr("init.table.saturated"): [pct(s.saturated) for s in stats],
        tr("init.table.dead"): [pct(s.dead) for s in stats],
        tr("init.table.grad_std"): [f"{s.grad_std:.3g}" for s in stats],
    })


def explored(changed: dict[str, dict]) -> None:
    """A set-up picked in the figure: the controls, the tables and the link follow."""
    ss = st.session_state
    for suffix in ("", "2"):
        point = changed.get(init_chart.PICK + suffix, {})
        i, a, n = point.get("i"), point.get("a"), point.get("n")  # what a browser may send is checked
        if not (isinstance(i, int) and isinstance(a, int) and isinstance(n, (bool, int)) and 0 <= a < len(ACTS)
                and 0 <= i < len(INITS) + 1):
            continue
        ss[P + "init" + suffix] = INITS[min(i, len(INITS) - 1)]  # past "custom": a side's own custom std
        ss[P + "act" + suffix] = ACTS[a]
        ss[P + "bn" + suffix] = bool(n)


def neighbourhood(scales: tuple, sides: list[init_chart.Side], n_layers: int, units: int, seed: int) -> dict:
    """Every set-up the figure switches between (``scales``: the initialisations by place), from the
    class's cache. The first student at a new depth or width waits for all of them (50 experiments,
    about 1 s at 5 layers of 100, 14 s at 10 of 500): the picked ones come first and are drawn at
    once, with a count of the rest, and the full figure replaces them."""
    picks = [s.pick for s in sides]
    order = picks + [(i, a, bn) for i in range(len(scales)) for a in range(len(ACTS)) for bn in (False, True)
                     if (i, a, bn) not in picks]
    box, note, started, results = st.empty(), None, time.perf_counter(), {}
    for done, (i, a, bn) in enumerate(order, start=1):
        results[i, a, bn] = cached.init_histograms(init=scales[i], activation=ACTS[a], n_layers=n_layers, units=units,
                                                   bn=bn, seed=seed)
        if note is None and done >= len(picks) and time.perf_counter() - started > PREVIEW_S:
            with box.container():
                columns, spec = init_chart.chart({p: results[p] for p in picks}, sides, act_names, n_layers, lang(),
                                                 height, bound=False)
                st.vega_lite_chart(arrow(columns), spec, width="content")
                note = st.empty()
        if note is not None:
            note.caption(tr("init.preparing", done=done, total=len(order)))
    box.empty()
    return results


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

layers_place, std_place = lesson_bar([2, 2])
n_layers = layers_place.slider(tr("init.layers"), 1, 10, 5, key=P + "layers", bind="query-params")
# Initialisation, activation and batch norm live in the sidebar, hidden on a projector: the figure's
# own inputs under it switch them in the browser.
first = controls("", INIT_PRESETS["sig1"], st.sidebar, std_place)
with st.sidebar:
    units = st.select_slider(tr("init.units"), UNITS, value=100, key=P + "units", bind="query-params")
    links.whole_number(P + "seed", 0, 9999)
    seed = st.number_input(tr("common.seed"), 0, 9999, 0, key=P + "seed", bind="query-params")
    compare = st.toggle(tr("init.compare"), key=P + "compare", bind="query-params")
    if compare:
        st.subheader(tr("init.second"))
        second = controls("2", INIT_PRESETS["reluhe"], st.sidebar, st.sidebar)
setups = [first, second] if compare else [first]

# The neighbourhood: the named initialisations, then each side's custom std (one entry when they agree).
stds = list(dict.fromkeys(std for _, std, _, _ in setups))
named_inits = INITS[:-1]
scales = tuple(scale_of(c, 0) for c in named_inits) + tuple(stds)
sides = []
for n, ((init, std, act, bn), colour) in enumerate(zip(setups, (plots.COLOURS[0], plots.COLOURS[2]), strict=False)):
    custom = len(named_inits) + stds.index(std)
    options = tuple(enumerate(named(INIT_NAMES, c, lang()) for c in named_inits)) + (
        (custom, f"{named(INIT_NAMES, 'custom', lang())} {std:g}"),)
    pick = (custom if init == "custom" else INITS.index(init), ACTS.index(act), bool(bn))
    sides.append(init_chart.Side("2" if n else "", tr(f"init.side{n + 1}") if compare else "", colour, pick, options))
act_names = [named(ACTIVATION_NAMES, a, lang()) for a in ACTS]
height = 110 if presenting() else 150
results = neighbourhood(scales, sides, n_layers, units, seed)
columns, spec = init_chart.chart(results, sides, act_names, n_layers, lang(), height)
explorer.explore(P + "chart", arrow(columns), spec,
                 {init_chart.PICK + s.suffix: [{"i": s.pick[0], "a": s.pick[1], "n": s.pick[2]}] for s in sides},
                 explored)
if (shown := results[sides[0].pick]) is not None:  # a teacher may ask the class about the last layer
    last, here = shown[2][-1], classroom.where("initialisation")
    classroom.ask_here("initialisation", [
        (tr("room.own.spread.label"), questions.number("initialisation", here, last.std, max(1.0, round(2 * last.std, 1)),
                                                       tr("room.own.spread", k=n_layers)))]
        + ([] if np.isnan(last.saturated) else [(tr("room.own.saturated.label"), questions.number(
            "initialisation", here, last.saturated, 1.0, tr("room.own.saturated", k=n_layers)))]))
if compare:
    for column, side, args in zip(st.columns(2), sides, setups, strict=True):
        with column:
            st.markdown(f"**{side.title}: {describe(args)}**")
            show_table(results[side.pick])
else:
    show_table(results[sides[0].pick])

with st.expander(tr("common.explain"), expanded=True):
    st.write(tr("init.explain"))
    st.latex(r"\mathrm{Var}(z) = n\,\mathrm{Var}(w)\,\mathrm{Var}(x),\qquad "
             r"\sigma_{\text{Xavier}} = \sqrt{1/n},\qquad \sigma_{\text{He}} = \sqrt{2/n}")
