"""Live MNIST training: several networks race on the same mini-batches."""

from __future__ import annotations

import numpy as np
import streamlit as st

from optviz import digits, train, vega
from optviz.layers import ACTIVATIONS
from optviz.presets import MNIST_PRESETS
from optviz.registry import LR_VALUES, OPTIMIZERS
from optviz.text import EXPERIMENT_FORMULAS
from ui.common import page_header, tr
from ui.datasets import require_mnist
from ui.slots import TRAINING
from ui.work import session_id, take_turn

P = "mnist_"
CHUNK = 0.3  # seconds of training per live update (the page adds about 15-25 ms to each)
WAIT = 1.0  # longest wait for a slot within one live update (a freed slot wakes the next in line at once)
RUN_EVERY = 0.05  # seconds from the end of one live update to the next request while running
N_TRAIN = (300, 1000, 2000, 5000, 10000, 20000)
BATCHES = (1, 2, 4, 8, 16, 32, 64, 100, 128, 256, 512, 1024)
ITERATIONS = (100, 200, 300, 400, 500, 900, 1000, 2000, 3000, 5000, 10000)
WEIGHT_DECAYS = (0.0, 0.0001, 0.001, 0.01, 0.1, 0.3, 1.0)
ss = st.session_state


def apply_experiment(exp: str, first_visit: bool) -> None:
    """Copy an experiment's settings into the controls and its networks into the table (on a
    shared link's first load, values given in the link win)."""
    preset = MNIST_PRESETS[exp]
    for key, value in preset["settings"].items():
        if not (first_visit and P + key in st.query_params):
            ss[P + key] = value
    ss[P + "nets"] = preset["nets"]
    ss[P + "table"] = ss.get(P + "table", 0) + 1  # a fresh table widget drops old edits
    ss[P + "applied"] = exp


def start(config: train.RaceConfig, n_available: int) -> None:
    ss[P + "race"] = train.new_race(config, n_available)
    ss[P + "running"] = True


def pause() -> None:
    ss[P + "running"] = False
    TRAINING.forget(session_id())


def resume() -> None:
    ss[P + "running"] = True


def reset() -> None:
    pause()
    ss[P + "race"] = None


def table(nets: tuple[train.NetConfig, ...]) -> list[train.NetConfig]:
    """The editable table of contestants; returns the networks it describes (at most six)."""
    rows = [{f: getattr(n, f) for f in ("optimizer", "lr", "init", "activation", "batchnorm", "dropout",
                                         "weight_decay", "schedule")} for n in nets]
    col = st.column_config
    edited = st.data_editor(
        rows, key=f"{P}table{ss[P + 'table']}", num_rows="dynamic", hide_index=True, width="stretch",
        column_config={
            "optimizer": col.SelectboxColumn(tr("mnist.col.optimizer"), options=list(OPTIMIZERS), required=True),
            "lr": col.SelectboxColumn(tr("opt.lr"), options=list(LR_VALUES), required=True),
            "init": col.SelectboxColumn(tr("init.init"), options=list(train.INITS), required=True),
            "activation": col.SelectboxColumn(tr("init.activation"), options=list(ACTIVATIONS), required=True),
            "batchnorm": col.CheckboxColumn(tr("mnist.col.bn")),
            "dropout": col.NumberColumn(tr("mnist.col.dropout"), min_value=0.0, max_value=0.9, step=0.05),
            "weight_decay": col.SelectboxColumn(tr("mnist.col.l2"), options=list(WEIGHT_DECAYS), required=True),
            "schedule": col.SelectboxColumn(tr("mnist.col.schedule"), options=list(train.SCHEDULES), required=True),
        })
    if len(edited) > 6:
        st.warning(tr("mnist.too_many"), icon="✂️")
    return [train.net_from_row(row) for row in edited[:6]]


def names(race: train.Race) -> list[str]:
    out = train.labels(race.config.nets)
    return [f"{n} ✗ {tr('mnist.diverged', at=r.diverged_at)}" if r.diverged_at is not None else n
            for n, r in zip(out, race.runners, strict=True)]


def status(race: train.Race, place: int, busy: tuple[int, int]) -> None:
    cols = st.columns(4)
    cols[0].metric(tr("mnist.iteration"), f"{race.t:,} / {race.config.iterations:,}")
    cols[1].metric(tr("mnist.epoch"), f"{race.t * race.batch / len(race.train_idx):.1f}")
    cols[2].metric(tr("mnist.speed"), f"{race.iterations_per_second:,.0f} it/s")
    active, waiting = busy
    cols[3].metric(tr("mnist.class"), f"{active} / {waiting}", help=tr("mnist.class_help"))
    if place:
        st.info(tr("mnist.waiting", place=place), icon="⏳")


def charts(race: train.Race) -> None:
    labels = names(race)
    left, right = st.columns(2)
    with left:
        st.vega_lite_chart(*vega.loss_chart(race, labels, tr("mnist.iteration"), tr("mnist.loss_axis")),
                           width="stretch", key=P + "loss_chart")
    with right:
        st.vega_lite_chart(*vega.accuracy_chart(race, labels, tr("mnist.iteration"), tr("mnist.acc_axis"),
                                                (tr("mnist.train"), tr("mnist.test"))),
                           width="stretch", key=P + "acc_chart")
        st.caption(tr("mnist.acc_split"))


@st.fragment(run_every=RUN_EVERY if ss.get(P + "running") else None)
def live(data) -> None:
    """Advance one chunk (when this session's turn comes) and redraw; reruns on its own timer."""
    race = ss.get(P + "race")
    if race is None:
        st.info(tr("mnist.press_start"), icon="▶️")
        return
    place, busy = 0, TRAINING.busy
    if ss.get(P + "running"):
        place, busy = take_turn(lambda: race.advance(data.x_train, data.y_train, data.x_test, data.y_test, CHUNK), WAIT)
        if race.done:
            pause()
            st.rerun()  # the whole page: buttons and results change
    status(race, place, busy)
    charts(race)


def results(race: train.Race, data) -> None:
    st.subheader(tr("mnist.results"))
    labels = train.labels(race.config.nets)
    window = vega.smoothing_window(race.config.iterations)
    pct = lambda v: "–" if np.isnan(v) else f"{v:.1%}"
    st.dataframe({
        tr("mnist.net"): labels,
        tr("mnist.final_loss"): ["–" if r.diverged_at is not None else f"{train.smooth(row, window)[race.t - 1]:.4f}"
                                 for r, row in zip(race.runners, race.losses, strict=True)],
        tr("mnist.train_acc"): [pct(a) for a, _ in race.final],
        tr("mnist.test_acc"): [pct(b) for _, b in race.final],
        tr("mnist.time"): [f"{r.seconds:.1f} s" for r in race.runners],
        tr("mnist.step_time"): [f"{1e3 * r.seconds / max(1, race.t):.2f} ms" for r in race.runners],
    }, hide_index=True)
    st.subheader(tr("mnist.digits"))
    st.caption(tr("mnist.digits_caption"))
    n = race.test_pred.shape[1]
    rows = digits.prediction_rows(data.x_test[:n], data.y_test[:n], race.test_pred, labels,
                                  [r.diverged_at is None for r in race.runners], tr("mnist.truth"))
    st.dataframe(rows, hide_index=True, row_height=64,
                 column_config={"digit": st.column_config.ImageColumn(tr("mnist.image"), width="small")})


page_header("mnist")
data = require_mnist()

exp = st.segmented_control(tr("mnist.experiment"), list(MNIST_PRESETS), format_func=lambda k: tr(f"mnist.exp.{k}"),
                           key=P + "exp", default="optimizers", required=True, bind="query-params")
if ss.get(P + "applied") != exp:
    apply_experiment(exp, first_visit=P + "applied" not in ss)
st.write(tr(f"mnist.about.{exp}"))

with st.sidebar:
    n_options = tuple(n for n in N_TRAIN if n < len(data.x_train)) + (0,)
    if ss.get(P + "n_train") not in n_options:
        ss[P + "n_train"] = 0
    defaults = MNIST_PRESETS[exp]["settings"]  # what a malformed link falls back to
    n_train = st.select_slider(tr("mnist.n_train"), n_options, key=P + "n_train", bind="query-params",
                               value=defaults["n_train"] if defaults["n_train"] in n_options else 0,
                               format_func=lambda n: f"{n or len(data.x_train)}")
    batch = st.select_slider(tr("mnist.batch"), BATCHES, value=defaults["batch"], key=P + "batch", bind="query-params")
    iterations = st.select_slider(tr("mnist.iterations"), ITERATIONS, value=defaults["iterations"], key=P + "iterations",
                                  bind="query-params")
    st.caption(tr("mnist.epochs", epochs=iterations * min(batch, n_train or len(data.x_train))
                  / (n_train or len(data.x_train))))
    hidden_text = st.text_input(tr("mnist.hidden"), value=defaults["hidden"], key=P + "hidden", bind="query-params",
                                max_chars=60)
    hidden = train.parse_hidden(hidden_text)
    if hidden is None:
        st.warning(tr("mnist.bad_hidden", max_layers=train.MAX_LAYERS, max_units=train.MAX_UNITS), icon="⚠️")
        hidden = train.parse_hidden(MNIST_PRESETS[exp]["settings"]["hidden"])
    seed = st.number_input(tr("common.seed"), 0, 9999, 0, key=P + "seed", bind="query-params")

buttons_box, live_box = st.container(), st.container()
race = ss.get(P + "race")
with st.expander(tr("mnist.contestants", n=len(ss[P + "nets"])), expanded=race is None):
    st.caption(tr("mnist.table_help"))
    nets = table(ss[P + "nets"])
config = train.RaceConfig(tuple(nets), hidden, n_train, batch, iterations, int(seed)) if nets else None
too_big = config is not None and config.parameters > train.MAX_RACE_PARAMS

with buttons_box:
    buttons = st.columns([1, 1, 6])
    if race is None:
        buttons[0].button(tr("mnist.start"), type="primary", key=P + "start", on_click=start,
                          args=(config, len(data.x_train)), disabled=config is None or too_big, width="stretch")
    elif ss.get(P + "running"):
        buttons[0].button(tr("mnist.pause"), key=P + "pause", on_click=pause, width="stretch")
    else:
        if not race.done:
            buttons[0].button(tr("mnist.resume"), type="primary", key=P + "resume", on_click=resume, width="stretch")
        buttons[0 if race.done else 1].button(tr("mnist.reset"), key=P + "reset", on_click=reset, width="stretch")
    if config is None:
        st.warning(tr("mnist.no_nets"), icon="⚠️")
    elif too_big:
        st.warning(tr("mnist.too_big", n=config.parameters, limit=train.MAX_RACE_PARAMS), icon="⚠️")
    elif race is not None and race.config != config:
        st.info(tr("mnist.changed"), icon="🔁")

with live_box:
    live(data)
    if race is not None and race.done:
        results(race, data)

with st.expander(tr("common.explain"), expanded=True):
    st.write(tr(f"mnist.explain.{exp}"))
    for formula in EXPERIMENT_FORMULAS[exp]:
        st.latex(formula)
