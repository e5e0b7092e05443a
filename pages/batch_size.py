"""Batch size: what it costs (time per update and per epoch) and what it buys (noise, accuracy,
flat minima), measured live on this server."""

from __future__ import annotations

import numpy as np
import streamlit as st

from optviz.figures import batch_plots, surface_chart, vega
from optviz.i18n.text import TRADE_OFFS
from optviz.jobs import Job
from optviz.lessons import batching, questions
from optviz.nn import train
from ui import cached, classroom, explorer, links, shared
from ui.common import accuracy_text, arrow, lang, lesson_script, page_header, presenting, tr
from ui.datasets import mnist

P = "bs_"
ss = st.session_state
NETS = ("100,100,100,100", "100,100", "500,500", "1000,1000,1000")
SWEEP_SIZES = (8, 32, 128, 512, 2048)
SUBSETS = (1000, 2000, 4000, 8000)
FRESH = 300.0  # seconds a timing measurement is shared before the next request measures again


def phase(name: str) -> str:
    return tr(f"bs.phase.{name}")


def stop(flag: str, keys) -> None:
    ss[flag] = False
    shared.leave(keys)


def shared_note(key) -> None:
    """Say when a finished result was computed (possibly by a classmate)."""
    ago = shared.age(key)
    if ago is not None:
        st.caption(tr("bs.shared", s=ago))


def about(section: str) -> None:
    """A tab's explanation; in presentation mode the teacher says it and the figure gets the room."""
    if not presenting():
        st.write(tr(f"bs.{section}.about"))


# 1. Time per update.
def timing_section(data) -> None:
    about("time")
    n = len(data.x_train)
    c1, c2 = st.columns([2, 3])
    net = c1.selectbox(tr("bs.time.net"), NETS, key=P + "time_net", format_func=lambda h: f"784-{h.replace(',', '-')}-10",
                       bind="query-params")
    key = ("timing", net, data.fingerprint)
    make = lambda: Job(batching.timing_steps(data, train.parse_hidden(net), batching.log_sizes(n, 12)), ("sizes",))
    job = shared.peek(key)
    if ss.get(P + "time_on"):
        c2.button(tr("bs.stop"), key=P + "time_stop", on_click=stop, args=(P + "time_on", [key]))
    else:
        fresh = job is not None and (not job.done or (shared.age(key) or 0) < FRESH)
        c2.button(tr("bs.time.again") if fresh else tr("bs.time.measure"), type="primary", key=P + "time_go",
                  on_click=shared.watch, args=(P + "time_on", key, make, 0.0 if fresh else FRESH))

    def draw(job: Job) -> None:
        times = job.result or job.partial
        if not times:
            return
        sizes = batching.log_sizes(n, 12)[:len(times)]
        if not job.done and not ss.get(P + "time_on"):
            st.caption(tr("bs.time.partial", b=sizes[-1]))
        st.plotly_chart(batch_plots.timing(sizes, times, n, lang()))
        med = [float(np.median(s)) for s in times]
        st.info(tr("bs.time.lesson", t1=1e3 * med[0], b=sizes[-1], tb=1e3 * med[-1], ratio=med[-1] / med[0],
                   e1=med[0] * n, eb=batching.epoch_times(med[-1:], sizes[-1:], n)[0]), icon="💡")
        if job.done:
            shared_note(key)

    shared.live_job(P + "time_on", key, phase, draw)


# 2. Gradient noise.
def noise_section(data) -> None:
    about("noise")
    c1, c2, c3, c4 = st.columns([3, 3, 3, 2])
    state = c1.segmented_control(tr("bs.noise.state"), ("init", "trained"), default="init", required=True,
                                 format_func=lambda s: tr(f"bs.noise.{s}"), key=P + "noise_state")
    n = min(c2.select_slider(tr("bs.images"), SUBSETS[:3], value=2000, key=P + "noise_n", bind="query-params"),
            len(data.x_train))
    k = c3.select_slider(tr("bs.noise.batches"), (10, 20, 50, 100), value=20, key=P + "noise_k",
                         bind="query-params")
    key = ("noise", state, n, k, data.fingerprint)
    phases = batching.NOISE_PHASES if state == "trained" else batching.NOISE_PHASES[1:]
    make = lambda: Job(batching.noise_steps(data, n, state == "trained", k, 0), phases)
    if ((job := shared.peek(key)) is None or job.error) and not ss.get(P + "noise_on"):  # a failed job may be retried
        c4.button(tr("bs.compute"), type="primary", key=P + "noise_go", on_click=shared.watch,
                  args=(P + "noise_on", key, make, 0.0))
        st.info(tr("bs.press_compute"), icon="▶️")

    def draw(job: Job) -> None:
        nz = job.result
        if nz is None:
            return
        slope = batching.loglog_slope(nz.sizes, nz.variance)
        st.plotly_chart(batch_plots.noise(nz, n, slope, lang()))
        st.info(tr("bs.noise.lesson", slope=slope, c1=nz.cosine[0], bl=nz.sizes[-1], cl=nz.cosine[-1]), icon="💡")
        shared_note(key)

    shared.live_job(P + "noise_on", key, phase, draw)


# 3. One loss surface per batch.
SURFACE_PICKS = ((surface_chart.BATCH, "b", "surf_b", batching.SURFACE_BATCHES, 10),
                 (surface_chart.RATE, "li", "surf_lr", batching.SURFACE_LRS, 0.5),
                 (surface_chart.EPOCHS, "e", "surf_ep", batching.SURFACE_EPOCHS, 5))  # selection, field, key, options


def surface_explored(changed: dict[str, dict]) -> None:
    """A batch, rate or length picked in the figure: the table and the link follow."""
    for name, field, key, options, _ in SURFACE_PICKS:
        index = changed.get(name, {}).get(field)  # what a browser may send is checked
        if isinstance(index, int) and 0 <= index < len(options):
            ss[P + key] = options[index]


def surface_section() -> None:
    """Every batch, rate and length is in the figure, which the browser switches between: computed
    once for the class (about half a second), then cached."""
    about("surface")
    picks = [links.chosen(P + key, options, default) for _, _, key, options, default in SURFACE_PICKS]
    demo = cached.surface_experiment(seed=0)
    paths, lines, spec = cached.surface_figure(seed=0, lang=lang(), height=360 if presenting() else 520)
    values = {name: [{field: options.index(pick)}]
              for (name, field, _, options, _), pick in zip(SURFACE_PICKS, picks, strict=True)}
    explorer.explore(P + "surf_chart", None, spec, values, surface_explored,
                     datasets={"paths": arrow(paths), "contours": arrow(lines)})
    batch, lr, epochs = picks
    shown, li = (0, demo.sizes.index(batch), len(demo.sizes) - 1), batching.SURFACE_LRS.index(lr)
    st.dataframe({tr("bs.batch"): [demo.sizes[p] for p in shown],
                  tr("bs.surface.updates"): [len(demo.path(p, li, epochs)) - 1 for p in shown],
                  tr("bs.surface.final"): [f"{demo.final(p, li, epochs):.4f}" for p in shown]}, hide_index=True)
    st.info(tr("bs.surface.lesson", n=demo.n), icon="💡")
    ends = {f"{demo.sizes[p]}": demo.final(p, li, epochs) for p in shown}  # a teacher may ask the class about it
    classroom.ask_here("batch_size", [(tr("room.own.batch.label"), questions.lowest(
        "batch_size", classroom.where("batch_size"), ends, tr("room.own.batch", b=batch, n=demo.n, lr=lr, e=epochs)))])


# 4. Accuracy after the same number of epochs.
def start_sweep(n: int, epochs: int, lr: float, data) -> None:
    plan = batching.accuracy_sweep(list(SWEEP_SIZES), n, epochs, lr, batching.SMALL_NET, 0, data)
    for r in plan:
        shared.run(r.key, data)
    ss[P + "sweep"], ss[P + "sweep_on"] = plan, True


@st.fragment(run_every=shared.RUN_EVERY if ss.get(P + "sweep_on") else None)
def sweep_live(data) -> None:
    plan = ss.get(P + "sweep")
    if plan is None:
        return
    keys = [r.key for r in plan]
    if ss.get(P + "sweep_on"):
        shared.drive(keys)
        if all(shared.run(k, data).done for k in keys):
            stop(P + "sweep_on", keys)
            st.rerun()
    runs = [(r, shared.run(r.key, data)) for r in plan]
    finished = [(r, run) for r, run in runs if run.done]
    if len(finished) < len(runs):
        share, left = shared.compute_progress([run for _, run in runs])
        text = tr("bs.sweep.progress", done=len(finished), n=len(runs))
        if ss.get(P + "sweep_on"):
            text += " · " + (tr("jobs.estimating") if left is None else tr("jobs.left", s=left))
        st.progress(min(share, 1.0), text=text)
    rules = (tr("bs.sweep.fixed"), tr("bs.sweep.scaled"))
    columns, spec = vega.sweep_chart(finished, SWEEP_SIZES, rules, (tr("mnist.train"), tr("bs.sweep.val")),
                                     tr("bs.batch"), tr("mnist.acc_axis"))
    st.vega_lite_chart(arrow(columns), spec, width="stretch", key=P + "sweep_chart")
    st.caption(tr("bs.sweep.split"))
    if finished:
        st.dataframe({
            tr("bs.batch"): [r.batch for r, _ in finished],
            tr("bs.sweep.rule"): [tr("bs.sweep.scaled") if r.scaled else tr("bs.sweep.fixed") for r, _ in finished],
            tr("opt.lr"): [f"{r.lr:g}" for r, _ in finished],
            tr("bs.surface.updates"): [r.key.iterations for r, _ in finished],
            tr("mnist.train_acc"): [accuracy_text(run, 0) for _, run in finished],
            tr("bs.sweep.val_acc"): [accuracy_text(run, 1) for _, run in finished],
        }, hide_index=True)
        if len(finished) == len(runs):
            st.info(tr("bs.sweep.lesson"), icon="💡")


def sweep_section(data) -> None:
    about("sweep")
    c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
    options = tuple(s for s in SUBSETS if s < len(data.x_train)) + (len(data.x_train),)
    n = c1.select_slider(tr("bs.images"), options, value=options[min(2, len(options) - 1)], key=P + "sweep_n")
    epochs = c2.select_slider(tr("bs.epochs"), (1, 2, 5, 10, 20, 30), value=10, key=P + "sweep_ep", bind="query-params")
    lr = c3.select_slider(tr("bs.sweep.lr", b=SWEEP_SIZES[0]), (0.005, 0.01, 0.02, 0.05, 0.1), value=0.02,
                          key=P + "sweep_lr", bind="query-params")
    if ss.get(P + "sweep_on"):
        c4.button(tr("bs.stop"), key=P + "sweep_stop", on_click=stop, args=(P + "sweep_on", [r.key for r in ss[P + "sweep"]]))
    else:
        c4.button(tr("mnist.start"), type="primary", key=P + "sweep_go", on_click=start_sweep, args=(n, epochs, lr, data))
    sweep_live(data)


# 5. Sharp and flat minima.
def landscape_section(data) -> None:
    about("flat")
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    small = c1.select_slider(tr("bs.flat.small"), (8, 16, 32), value=16, key=P + "flat_small", bind="query-params")
    large = c2.select_slider(tr("bs.flat.large"), (250, 500, 1000), value=500, key=P + "flat_large", bind="query-params")
    n = min(2000, len(data.x_train))
    c3.metric(tr("bs.images"), n)
    key = ("landscape", small, large, n, data.fingerprint)
    make = lambda: Job(batching.landscape_steps(data, small, large, n), batching.LANDSCAPE_PHASES, 4 << 20)
    if ((job := shared.peek(key)) is None or job.error) and not ss.get(P + "flat_on"):  # a failed job may be retried
        c4.button(tr("bs.compute"), type="primary", key=P + "flat_go", on_click=shared.watch,
                  args=(P + "flat_on", key, make, 0.0))
        st.info(tr("bs.flat.press"), icon="▶️")
    names = {"small": f"B = {small}", "large": f"B = {large}"}

    def draw(job: Job) -> None:
        land = job.result or job.partial
        if land is None:
            return
        st.plotly_chart(batch_plots.landscape(land.alphas, land.line, land.ts, land.around, names, lang()))
        which = [w for w in ("small", "large") if (w, "test") in land.width]
        st.dataframe({
            tr("bs.batch"): [{"small": small, "large": large}[w] for w in which],
            tr("mnist.train_acc"): [f"{land.accuracy[w][0]:.1%}" for w in which],
            tr("mnist.test_acc"): [f"{land.accuracy[w][1]:.1%}" for w in which],
            tr("bs.flat.width_train"): [f"{land.width[(w, 'train')]:.2f}" for w in which],
            tr("bs.flat.width_test"): [f"{land.width[(w, 'test')]:.2f}" for w in which],
        }, hide_index=True)
        if job.done:
            st.info(tr("bs.flat.lesson"), icon="💡")
            shared_note(key)

    shared.live_job(P + "flat_on", key, phase, draw)


page_header("bs")
lesson_script("bs")
classroom.gate("batch_size", lambda setup: ss.update({P + "tab": tr("bs.tab." + setup.removeprefix("tab:"))}))

with st.expander(tr("bs.tradeoffs"), expanded=False):
    st.table({tr("bs.trade.aspect"): [tr(f"bs.trade.{k}") for k in TRADE_OFFS],
              tr("bs.trade.small"): [tr(f"bs.trade.{k}.small") for k in TRADE_OFFS],
              tr("bs.trade.large"): [tr(f"bs.trade.{k}.large") for k in TRADE_OFFS]})

TABS = {"time": "bs.tab.time", "noise": "bs.tab.noise", "surface": "bs.tab.surface", "sweep": "bs.tab.sweep",
        "flat": "bs.tab.flat"}  # a tab's code in the link -> its name
labels = [tr(words) for words in TABS.values()]
links.tab(P + "tab", P + "at", list(TABS), labels)  # the link names the open tab by its code, in any language
tabs = st.tabs(labels, key=P + "tab", on_change="rerun")
links.keep_tab(P + "tab", P + "at", list(TABS), labels)
needs_mnist = (True, True, False, True, True)  # the one-surface tab runs on its own synthetic data
sections = (timing_section, noise_section, lambda _: surface_section(), sweep_section, landscape_section)
for tab, section, needs in zip(tabs, sections, needs_mnist, strict=True):
    if tab.open:
        with tab:
            data = mnist() if needs else None
            if data is not None or not needs:
                section(data)
