"""Batch size: what it costs (time per update and per epoch) and what it buys (noise, accuracy,
flat minima), measured live on this server."""

from __future__ import annotations

import numpy as np
import streamlit as st

from optviz import batch_plots, batching, train, vega
from optviz.mlp import MLP
from optviz.registry import make_optimizer
from optviz.text import TRADE_OFFS
from ui.common import lang, page_header, tr
from ui.datasets import require_mnist
from ui.slots import TRAINING
from ui.work import cpu_slot, session_id, take_turn

P = "bs_"
ss = st.session_state
NETS = ("100,100,100,100", "100,100", "500,500", "1000,1000,1000")
SWEEP_SIZES = (8, 32, 128, 512, 2048)
SUBSETS = (1000, 2000, 4000, 8000)
CHUNK, RUN_EVERY, WAIT = 0.3, 0.05, 0.5  # as on the MNIST page


# 1. Time per update.
def start_timing(net: str, n: int) -> None:
    ss[P + "timing"] = {"net": net, "n": n, "sizes": batching.log_sizes(n, 12), "times": []}
    ss[P + "measuring"] = True


def stop_timing() -> None:
    ss[P + "measuring"] = False


def timing_section(data) -> None:
    st.write(tr("bs.time.about"))
    n = len(data.x_train)
    c1, c2 = st.columns([2, 3])
    net = c1.selectbox(tr("bs.time.net"), NETS, key=P + "time_net", format_func=lambda h: f"784-{h.replace(',', '-')}-10",
                       bind="query-params")
    measuring = ss.get(P + "measuring", False)
    if measuring:
        c2.button(tr("bs.stop"), key=P + "time_stop", on_click=stop_timing)
    else:
        c2.button(tr("bs.time.measure"), type="primary", key=P + "time_go", on_click=start_timing, args=(net, n))
    result = ss.get(P + "timing")
    if measuring:
        mlp = MLP(784, train.parse_hidden(result["net"]), 10)
        opt = make_optimizer("SGD", 0.01)
        bar, status = st.progress(0.0), st.empty()
        rng = np.random.default_rng(0)
        while len(result["times"]) < len(result["sizes"]):
            b = result["sizes"][len(result["times"])]
            bar.progress(len(result["times"]) / len(result["sizes"]), text=tr("bs.time.progress", b=b))
            with cpu_slot(status):
                result["times"].append(batching.time_updates(mlp, opt, data.x_train, data.y_train, b, rng, 0.4))
        ss[P + "measuring"] = False
        st.rerun()
    if result and result["times"]:
        k = len(result["times"])
        if k < len(result["sizes"]):
            st.caption(tr("bs.time.partial", b=result["sizes"][k - 1]))
        st.plotly_chart(batch_plots.timing(result["sizes"][:k], result["times"], result["n"], lang()))
        med = [float(np.median(s)) for s in result["times"]]
        st.info(tr("bs.time.lesson", t1=1e3 * med[0], b=result["sizes"][k - 1], tb=1e3 * med[-1],
                   ratio=med[-1] / med[0], e1=med[0] * result["n"],
                   eb=batching.epoch_times(med[-1:], result["sizes"][k - 1:k], result["n"])[0]), icon="💡")


# 2. Gradient noise.
@st.cache_data(max_entries=32, show_spinner=False)
def noise_result(state: str, n: int, n_batches: int, _data, _sid: str) -> batching.Noise:
    """Shared by the class: the result depends only on the settings."""
    return batching.noise_experiment(_data.x_train[:n], _data.y_train[:n], state == "trained", n_batches, 0,
                                     lambda: TRAINING.hold(_sid))


def noise_section(data) -> None:
    st.write(tr("bs.noise.about"))
    c1, c2, c3 = st.columns(3)
    state = c1.segmented_control(tr("bs.noise.state"), ("init", "trained"), default="init", required=True,
                                 format_func=lambda s: tr(f"bs.noise.{s}"), key=P + "noise_state")
    n = c2.select_slider(tr("bs.images"), SUBSETS[:3], value=2000, key=P + "noise_n", bind="query-params")
    k = c3.select_slider(tr("bs.noise.batches"), (10, 20, 50, 100), value=20, key=P + "noise_k",
                         bind="query-params")
    with st.spinner(tr("bs.computing")):
        nz = noise_result(state, min(n, len(data.x_train)), k, data, session_id())
    slope = batching.loglog_slope(nz.sizes, nz.variance)
    st.plotly_chart(batch_plots.noise(nz, min(n, len(data.x_train)), slope, lang()))
    st.info(tr("bs.noise.lesson", slope=slope, c1=nz.cosine[0], bl=nz.sizes[-1], cl=nz.cosine[-1]), icon="💡")


# 3. One loss surface per batch.
surface_result = st.cache_data(max_entries=64, show_spinner=False)(batching.surface_experiment)


def surface_section() -> None:
    st.write(tr("bs.surface.about"))
    c1, c2, c3 = st.columns(3)
    batch = c1.select_slider(tr("bs.surface.batch"), (2, 5, 10, 20, 50), value=10, key=P + "surf_b", bind="query-params")
    lr = c2.select_slider(tr("opt.lr"), (0.05, 0.1, 0.2, 0.5, 1.0, 2.0), value=0.5, key=P + "surf_lr", bind="query-params")
    epochs = c3.select_slider(tr("bs.epochs"), (1, 2, 5, 10, 20), value=5, key=P + "surf_ep", bind="query-params")
    demo = surface_result(batch, lr, epochs, 0)
    labelled = [(tr("bs.surface.path", b=b, u=batching.updates_per_epoch(demo.n, b)), pts) for b, pts in demo.paths]
    st.plotly_chart(batch_plots.surfaces(demo.w1, demo.w2, demo.full, demo.batches, labelled, lang()))
    st.dataframe({tr("bs.batch"): [b for b, _ in demo.paths],
                  tr("bs.surface.updates"): [batching.updates_per_epoch(demo.n, b) * epochs for b, _ in demo.paths],
                  tr("bs.surface.final"): [f"{f:.4f}" for f in demo.final]}, hide_index=True)
    st.info(tr("bs.surface.lesson", n=demo.n), icon="💡")


# 4. Accuracy after the same number of epochs.
def start_sweep(n: int, epochs: int, lr: float, n_available: int) -> None:
    ss[P + "sweep"] = batching.accuracy_sweep(list(SWEEP_SIZES), n, epochs, lr, batching.SMALL_NET, 0, n_available)
    ss[P + "sweeping"] = True


def stop_sweep() -> None:
    ss[P + "sweeping"] = False
    TRAINING.forget(session_id())


@st.fragment(run_every=RUN_EVERY if ss.get(P + "sweeping") else None)
def sweep_live(data) -> None:
    sweep = ss.get(P + "sweep")
    if sweep is None:
        return
    if ss.get(P + "sweeping"):
        take_turn(lambda: sweep.advance(data.x_train, data.y_train, data.x_test, data.y_test, CHUNK), WAIT)
        if sweep.done:
            stop_sweep()
            st.rerun()
    done = len(sweep.finished)
    st.progress(done / len(sweep.runs), text=tr("bs.sweep.progress", done=done, total=len(sweep.runs)))
    rules = (tr("bs.sweep.fixed"), tr("bs.sweep.scaled"))
    st.vega_lite_chart(*vega.sweep_chart(sweep.finished, SWEEP_SIZES, rules, (tr("mnist.train"), tr("bs.sweep.val")),
                                         tr("bs.batch"), tr("mnist.acc_axis")), width="stretch", key=P + "sweep_chart")
    st.caption(tr("bs.sweep.split"))


def sweep_section(data) -> None:
    st.write(tr("bs.sweep.about"))
    c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
    options = tuple(s for s in SUBSETS if s < len(data.x_train)) + (len(data.x_train),)
    n = c1.select_slider(tr("bs.images"), options, value=options[min(2, len(options) - 1)], key=P + "sweep_n")
    epochs = c2.select_slider(tr("bs.epochs"), (1, 2, 5, 10, 20, 30), value=10, key=P + "sweep_ep", bind="query-params")
    lr = c3.select_slider(tr("bs.sweep.lr", b=SWEEP_SIZES[0]), (0.005, 0.01, 0.02, 0.05, 0.1), value=0.02,
                          key=P + "sweep_lr", bind="query-params")
    if ss.get(P + "sweeping"):
        c4.button(tr("bs.stop"), key=P + "sweep_stop", on_click=stop_sweep)
    else:
        c4.button(tr("mnist.start"), type="primary", key=P + "sweep_go", on_click=start_sweep,
                  args=(n, epochs, lr, len(data.x_train)))
    sweep_live(data)
    sweep = ss.get(P + "sweep")
    if sweep is not None and sweep.finished:
        rows = sweep.finished

        def pct(run: batching.SweepRun, split: int) -> str:
            at = run.race.runners[0].diverged_at
            return tr("mnist.diverged", at=at) if at is not None else f"{run.race.final[0][split]:.1%}"

        st.dataframe({
            tr("bs.batch"): [r.batch for r in rows],
            tr("bs.sweep.rule"): [tr("bs.sweep.scaled") if r.scaled else tr("bs.sweep.fixed") for r in rows],
            tr("opt.lr"): [f"{r.lr:g}" for r in rows],
            tr("bs.surface.updates"): [r.race.config.iterations for r in rows],
            tr("mnist.train_acc"): [pct(r, 0) for r in rows],
            tr("bs.sweep.val_acc"): [pct(r, 1) for r in rows],
        }, hide_index=True)
        st.info(tr("bs.sweep.lesson"), icon="💡")


# 5. Sharp and flat minima.
@st.cache_data(max_entries=16, show_spinner=False)
def landscape_result(small: int, large: int, n: int, _data, _sid: str) -> batching.Landscape:
    """Shared by the class; each training run and the probing take the training line in turn."""
    return batching.landscape_experiment(*_data[:4], small, large, n, lambda: TRAINING.hold(_sid))


def landscape_section(data) -> None:
    st.write(tr("bs.flat.about"))
    c1, c2, c3 = st.columns(3)
    small = c1.select_slider(tr("bs.flat.small"), (8, 16, 32), value=16, key=P + "flat_small", bind="query-params")
    large = c2.select_slider(tr("bs.flat.large"), (250, 500, 1000), value=500, key=P + "flat_large", bind="query-params")
    n = min(2000, len(data.x_train))
    c3.metric(tr("bs.images"), n)
    with st.spinner(tr("bs.flat.computing")):
        land = landscape_result(small, large, n, data, session_id())
    names = {"small": f"B = {small}", "large": f"B = {large}"}
    st.plotly_chart(batch_plots.landscape(land.alphas, land.line, land.ts, land.around, names, lang()))
    st.dataframe({
        tr("bs.batch"): [small, large],
        tr("mnist.train_acc"): [f"{a:.1%}" for a, _ in land.accuracy],
        tr("mnist.test_acc"): [f"{b:.1%}" for _, b in land.accuracy],
        tr("bs.flat.width_train"): [f"{land.width[(w, 'train')]:.2f}" for w in ("small", "large")],
        tr("bs.flat.width_test"): [f"{land.width[(w, 'test')]:.2f}" for w in ("small", "large")],
    }, hide_index=True)
    st.info(tr("bs.flat.lesson"), icon="💡")


page_header("bs")
data = require_mnist()

with st.expander(tr("bs.tradeoffs"), expanded=False):
    st.table({tr("bs.trade.aspect"): [tr(f"bs.trade.{k}") for k in TRADE_OFFS],
              tr("bs.trade.small"): [tr(f"bs.trade.{k}.small") for k in TRADE_OFFS],
              tr("bs.trade.large"): [tr(f"bs.trade.{k}.large") for k in TRADE_OFFS]})

tabs = st.tabs([tr("bs.tab.time"), tr("bs.tab.noise"), tr("bs.tab.surface"), tr("bs.tab.sweep"), tr("bs.tab.flat")],
               key=P + "tab", on_change="rerun")
sections = (lambda: timing_section(data), lambda: noise_section(data), surface_section, lambda: sweep_section(data),
            lambda: landscape_section(data))
for tab, section in zip(tabs, sections, strict=True):
    if tab.open:
        with tab:
            section()
