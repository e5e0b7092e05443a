"""Live MNIST training: several networks race on the same mini-batches."""

from __future__ import annotations

import numpy as np
import streamlit as st

from optviz.figures import digits, exports, vega
from optviz.i18n import netlabels
from optviz.i18n.text import ACTIVATION_NAMES, EXPERIMENT_FORMULAS, INIT_NAMES, LANGS, SCHEDULE_NAMES, named, t
from optviz.jobs import Job
from optviz.lessons import questions
from optviz.lessons.presets import MNIST_PRESETS
from optviz.nn import edge, inside, search, sharpness, train
from optviz.nn.layers import ACTIVATIONS
from optviz.optim.registry import LR_VALUES, OPTIMIZERS
from ui import cached, classroom, links, race_state, shared
from ui.common import accuracy_text, arrow, lang, lesson_bar, lesson_script, page_header, presenting, tr
from ui.datasets import require_mnist

P = race_state.P  # the session keys of the race and the page's widgets
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


def change_form(race: list[train.Run]) -> None:
    """While a race is paused: new settings for one of its unfinished networks, from here on."""
    at = ss[P + "upto"]
    open_ = [k for k, r in enumerate(race) if not r.done and at < r.key.iterations]
    if not open_:
        return
    labels = names(race)
    with st.expander(tr("mnist.change"), icon="✏️"):
        st.caption(tr("mnist.change.caption", at=f"{at:,}"))
        pick = st.selectbox(tr("mnist.net"), open_, format_func=labels.__getitem__, key=P + "chg_net")
        now = race[pick].key.net_at(at)
        cols = st.columns(3)
        cols[0].selectbox(tr("mnist.col.optimizer"), list(OPTIMIZERS), index=list(OPTIMIZERS).index(now.optimizer),
                          key=f"{P}chg_opt{pick}")
        cols[1].selectbox(tr("opt.lr"), list(LR_VALUES), index=list(LR_VALUES).index(now.lr) if now.lr in LR_VALUES
                          else 0, key=f"{P}chg_lr{pick}")
        cols[2].selectbox(tr("mnist.col.schedule"), list(train.SCHEDULES), index=list(train.SCHEDULES).index(now.schedule),
                          format_func=lambda c: named(SCHEDULE_NAMES, c, lang()), key=f"{P}chg_sched{pick}")
        st.button(tr("mnist.change.apply"), type="primary", key=P + "chg_apply", on_click=race_state.change, args=(pick, data),
                  icon="▶️")


def table(nets: tuple[train.NetConfig, ...]) -> list[train.NetConfig]:
    """The editable table of contestants; returns the networks it describes (at most six)."""
    rows = [{f: getattr(n, f) for f in ("optimizer", "lr", "init", "activation", "batchnorm", "dropout",
                                         "weight_decay", "schedule")} for n in nets]
    col = st.column_config
    edited = st.data_editor(
        rows, key=f"{P}table{ss[P + 'table']}", num_rows="dynamic", hide_index=True, width="stretch",
        column_config={
            "optimizer": col.SelectboxColumn(tr("mnist.col.optimizer"), options=list(OPTIMIZERS), required=True),
            "lr": col.SelectboxColumn(tr("opt.lr"), options=list(LR_VALUES), required=True, width="small"),
            "init": col.SelectboxColumn(tr("init.init"), options=list(train.INITS), required=True,
                                        format_func=lambda c: named(INIT_NAMES, c, lang()) if c in INIT_NAMES
                                        else tr("init.std", s=c)),
            "activation": col.SelectboxColumn(tr("init.activation"), options=list(ACTIVATIONS), required=True,
                                              format_func=lambda c: named(ACTIVATION_NAMES, c, lang())),
            "batchnorm": col.CheckboxColumn(tr("mnist.col.bn"), width="small"),
            "dropout": col.NumberColumn(tr("mnist.col.dropout"), min_value=0.0, max_value=0.9, step=0.05, width="small"),
            "weight_decay": col.SelectboxColumn(tr("mnist.col.l2"), options=list(WEIGHT_DECAYS), required=True,
                                                width="small", help=tr("mnist.col.l2.help")),
            "schedule": col.SelectboxColumn(tr("mnist.col.schedule"), options=list(train.SCHEDULES), required=True,
                                            width="medium", format_func=lambda c: named(SCHEDULE_NAMES, c, lang())
                                            if c in SCHEDULE_NAMES else c),
        })
    if len(edited) > 6:
        st.warning(tr("mnist.too_many"), icon="✂️")
    return [train.net_from_row(row) for row in edited[:6]]


def names(race: list[train.Run]) -> list[str]:
    out = [n + netlabels.changes_label(r.key, lang()) for n, r in zip(netlabels.labels(tuple(r.key.net for r in race), lang()),
                                                                  race, strict=True)]
    return [f"{n} ✗ {tr('mnist.diverged', at=r.diverged_at)}" if r.diverged_at is not None else n
            for n, r in zip(out, race, strict=True)]


def status(race: list[train.Run]) -> None:
    key = race[0].key
    t = min(r.t for r in race) if ss[P + "upto"] is None else ss[P + "upto"]
    cols = st.columns(4)
    cols[0].metric(tr("mnist.iteration"), f"{t:,} / {key.iterations:,}")
    cols[1].metric(tr("mnist.epoch"), f"{train.epochs(t, key.n_train, key.batch, key.n_train):.1f}")
    finished = all(r.done for r in race)
    if finished:
        left = tr("mnist.eta_done")
    elif not ss.get(P + "running"):
        left = tr("mnist.eta_paused")
        if not presenting():
            st.caption(tr("mnist.paused_kept", minutes=round(shared.HOLD / 60)))
    else:
        eta = shared.eta(ss[P + "keys"])
        left = tr("mnist.eta_unknown") if eta is None else tr("mnist.eta", s=eta)
    cols[2].metric(tr("mnist.left"), left, help=tr("mnist.left_help"))
    watching = shared.watchers(ss[P + "keys"])
    me = shared.session_id()
    cols[3].metric(tr("mnist.watching"), len(set().union(*watching) | {me}), help=tr("mnist.watching_help"))
    if shared.offline():
        st.warning(tr("mnist.offline"), icon="🔌")
    if presenting():  # the projector shows the race; who shares it is for the students' own screens
        return
    if finished:
        st.caption(tr("mnist.shared_done"))
    else:
        busy = shared.busy()
        st.caption(tr("mnist.sharing.yours", n=sum(1 for w in watching if w - {me}), total=len(race)) + " "
                   + tr("mnist.sharing.server", n=busy.tasks, students=busy.sessions))


def charts(race: list[train.Run]) -> None:
    labels, upto = names(race), ss[P + "upto"]
    loss = vega.loss_chart(race, labels, tr("mnist.iteration"), [tr("mnist.loss_axis"), tr("mnist.loss_axis_note")],
                           upto)
    acc = vega.accuracy_chart(race, labels, tr("mnist.iteration"), tr("mnist.acc_axis"),
                              (tr("mnist.train"), tr("mnist.test")), upto)
    if presenting():  # the charts and their legend fit a projector's 720 rows
        loss[1]["height"], acc[1]["height"] = 300, 220
    left, right = st.columns(2)
    with left:
        st.vega_lite_chart(arrow(loss[0]), loss[1], width="stretch", key=P + "loss_chart")
    with right:
        st.vega_lite_chart(arrow(acc[0]), acc[1], width="stretch", key=P + "acc_chart")
        st.caption(tr("mnist.acc_split", live=f"{train.EVAL_SAMPLES:,}", final=f"{train.FINAL_SAMPLES:,}"))


def inside_view(race: list[train.Run]) -> None:
    """One network's layers and optimizer steps over time, on request (``inside_live`` redraws it)."""
    if not st.toggle(tr("mnist.inside"), key=P + "inside", help=tr("mnist.inside.help")):
        return
    labels = names(race)
    pick = st.selectbox(tr("mnist.net"), range(len(race)), format_func=labels.__getitem__, key=P + "inside_net")
    run, label = race[pick], labels[pick]
    h = inside.history(list(run.snapshots), list(run.moves), ss[P + "upto"])
    if h is None:
        st.caption(tr("mnist.inside.waiting"))
        return
    st.caption(tr("mnist.inside.caption", every=run.every, probe=inside.PROBE))
    iterations, x, layer = run.key.iterations, tr("mnist.iteration"), tr("fig.layer")
    edges = inside.act_edges(run.key.net.activation)
    bands = st.container(key=P + "inside_bands").columns(2)
    for col, which, title, axis, values in (
            (bands[0], "act", "mnist.inside.act", tr("mnist.inside.act_axis", lo=f"{edges[0]:g}", hi=f"{edges[-1]:g}"),
             edges),
            (bands[1], "grad", "mnist.inside.grad", tr("mnist.inside.grad_axis"), inside.grad_edges())):
        columns, spec = vega.inside_bands(h, which, values, layer, x, iterations, run.every)
        col.markdown(f"**{tr(title)}**  \n{axis}")
        col.vega_lite_chart(arrow(columns), spec, width="stretch", key=f"{P}inside_{which}")
    share, name = ((h.saturated, "mnist.inside.saturated") if np.isfinite(h.saturated).any() else
                   (h.dead, "mnist.inside.dead") if np.isfinite(h.dead).any() else (h.grad_zero, "mnist.inside.zero"))
    layer_names = [f"{layer} {k + 1}" for k in range(len(run.key.hidden))] + [tr("mnist.inside.output")]
    lines = st.columns(3)
    for k, (col, (t_, values, title, log)) in enumerate(zip(lines, ((h.t, share, name, False),
                                                                   (h.move_t, h.relative, "mnist.inside.relative", True),
                                                                   (h.move_t, h.step_ratio, "mnist.inside.ratio", True)),
                                                           strict=True)):
        columns, spec = vega.inside_lines(t_, values, layer_names[:values.shape[1]], x, iterations, log)
        col.markdown(f"**{tr(title)}**")
        col.vega_lite_chart(arrow(columns), spec, width="stretch", key=f"{P}inside_line{k}")
    st.caption(tr("mnist.inside.ratio.caption"))
    st.download_button(tr("mnist.inside.csv"), lambda: exports.inside_csv(label, h, edges, inside.grad_edges()),
                       file_name="optviz-inside.csv", mime="text/csv", icon="⬇️", key=P + "inside_csv")
    sharpness_view(run, pick)
    plane_view(run)


def sharpness_view(run: train.Run, pick: int) -> None:
    """λmax of the watched network on its probe as it trains, against its optimizer's limit."""
    st.markdown(f"**{tr('mnist.sharp')}**")
    if not st.toggle(tr("mnist.sharp.on"), key=P + "sharp_on", help=tr("mnist.sharp.help", share=f"{sharpness.SHARE:.0%}")):
        return
    if run.tracker is None and run.done:
        st.caption(tr("mnist.sharp.late"))
        return
    shared.track_sharpness(run)
    at, values, limits = (np.array(v) for v in (run.tracker.at, run.tracker.values, run.tracker.limits))  # all so far:
    # a network shared with a classmate's race may be ahead of the iteration this race paused at
    if not len(at):
        st.caption(tr("mnist.sharp.waiting", every=run.every))
        return
    words = {"x": tr("mnist.iteration"), "lam": f"λmax ({tr('mnist.sharp.probe', n=inside.PROBE)})",
             "limit": tr("mnist.sharp.limit")}
    columns, spec = vega.tracked_chart(at, values, limits, run.key.iterations, vega.COLOURS[pick % len(vega.COLOURS)], words)
    st.container(key=P + "sharp_box").vega_lite_chart(arrow(columns), spec, width="stretch", key=P + "sharp_chart")
    if len(values) < 2:
        st.caption(tr("mnist.sharp.one", v=f"{values[0]:.3g}", t=int(at[0])))
        return
    said = sharpness.verdict(values, limits)
    st.info(tr(f"mnist.sharp.{said}", first=f"{values[0]:.3g}", now=f"{sharpness.level(values):.3g}",
               limit=f"{limits[-1]:.3g}"), icon="⛰️")


def plane_view(run: train.Run) -> None:
    """The loss on the plane of the watched network's own path, once it is finished or paused."""
    st.markdown(f"**{tr('mnist.plane')}**")
    if run.diverged_at is not None:
        st.caption(tr("mnist.plane.diverged"))
    elif run.partial:  # another replica trains it: its path comes with it once it is finished
        st.caption(tr("mnist.plane.elsewhere"))
    elif not run.done and ss.get(P + "running"):
        st.caption(tr("mnist.plane.pause"))
    elif st.toggle(tr("mnist.plane.on"), key=P + "plane_on"):
        with st.spinner(tr("mnist.edge.plane.wait")):
            xs, ys, losses, path, explained = cached.race_plane(key=repr(run.key), t=run.t, _run=run)
        words = {"loss": tr("mnist.plane.loss"), "start": tr("mnist.edge.plane.start"),
                 "end": tr("mnist.edge.plane.end") if run.done else tr("mnist.plane.now"),
                 "d1": tr("mnist.edge.plane.d", k=1), "d2": tr("mnist.edge.plane.d", k=2)}
        columns, spec = vega.plane_chart(xs, ys, losses, path, words)
        st.container(key=P + "plane_box").vega_lite_chart(arrow(columns), spec, width="content", key=P + "plane_chart")
        st.caption(tr("mnist.plane.about", a=f"{explained[0]:.0%}", b=f"{explained[1]:.0%}", n=len(path),
                      images=len(run.landscape_images(len(xs))[1])))


def failures(race: list[train.Run]) -> None:
    """The networks whose training raised, with their messages and "Try again"."""
    for label, error in zip(names(race), shared.errors(ss[P + "keys"]), strict=True):
        if error:
            st.error(tr("mnist.failed", net=label, error=error), icon="🚫")
    st.button(tr("mnist.retry"), key=P + "retry", on_click=race_state.retry, icon="🔁")


def paused_fragment_every() -> float | None:
    """A live race redraws a few times a second; a paused one renews its hold once a minute."""
    return shared.RUN_EVERY if ss.get(P + "running") else shared.RENEW if ss.get(P + "keys") else None


@st.fragment(run_every=paused_fragment_every())
def live() -> None:
    """Take a turn at the class's training (when the slot frees) and redraw; reruns on its own timer.
    While paused, say the race is still wanted."""
    if not ss.get(P + "keys"):
        st.info(tr("mnist.press_start"), icon="▶️")
        return
    if ss.get(P + "running"):
        shared.drive(ss[P + "keys"])
        if all(r.done for r in race_state.runs(data)):
            ss[P + "running"] = False
            shared.leave(ss[P + "keys"])
            st.rerun()  # the whole page: buttons and results change
        if any(shared.errors(ss[P + "keys"])):
            race_state.pause()  # the others wait where they are, kept, until Try again
            st.rerun()
    elif not all(r.done for r in race_state.runs(data)):
        shared.hold(ss[P + "keys"])
    race = race_state.runs(data)
    if any(shared.errors(ss[P + "keys"])):
        failures(race)
    status(race)
    charts(race)


@st.fragment(run_every=shared.slow_view_every() if ss.get(P + "running") else None)
def inside_live() -> None:
    """The inside view on its own, slower timer: a race takes a snapshot every few dozen
    iterations, and redrawing five more charts with every curve update cost a tenth of the
    training (bench/mnist.py)."""
    if ss.get(P + "keys"):
        inside_view(race_state.runs(data))


def gradient_check_view(race: list[train.Run], labels: list[str]) -> None:
    """Backpropagation against central differences for one network of the race, on request."""
    with st.expander(tr("mnist.gradcheck"), icon="🔍"):
        st.caption(tr("mnist.gradcheck.caption"))
        pick = st.selectbox(tr("mnist.net"), range(len(race)), format_func=labels.__getitem__, key=P + "gc_net")
        key = race[pick].key
        st.button(tr("mnist.gradcheck.run"), key=P + "gc_run", on_click=lambda: ss.update({P + "gc_key": key}))
        if ss.get(P + "gc_key") != key:  # checked on request: 120 forward passes of 32 images
            return
        rows = cached.gradient_check(net=key.net, hidden=key.hidden, seed=key.seed, _data=data, fingerprint=data.fingerprint)
        parts = {"w": tr("mnist.gradcheck.w"), "b": tr("mnist.gradcheck.b"), "gamma": "γ", "beta": "β"}
        st.dataframe({tr("mnist.gradcheck.layer"): [c.layer for c in rows],
                      tr("mnist.gradcheck.part"): [parts[c.part] for c in rows],
                      tr("mnist.gradcheck.backprop"): [f"{c.backprop[0]:.6e}" for c in rows],
                      tr("mnist.gradcheck.numerical"): [f"{c.numerical[0]:.6e}" for c in rows],
                      tr("mnist.gradcheck.error"): [f"{c.error:.1e}" for c in rows]}, hide_index=True)
        worst = max(c.error for c in rows)
        (st.success if worst < 1e-6 else st.warning)(tr("mnist.gradcheck.worst", error=f"{worst:.1e}"))


def results(race: list[train.Run]) -> None:
    st.subheader(tr("mnist.results"))
    labels = netlabels.labels(tuple(r.key.net for r in race), lang())
    window = vega.smoothing_window(race[0].key.iterations)
    st.dataframe({
        tr("mnist.net"): labels,
        tr("mnist.final_loss"): [tr("mnist.diverged", at=r.diverged_at) if r.diverged_at is not None
                                 else f"{train.smooth(r.losses, window)[-1]:.4f}" for r in race],
        tr("mnist.train_acc"): [accuracy_text(r, 0) for r in race],
        tr("mnist.test_acc"): [accuracy_text(r, 1) for r in race],
        tr("mnist.time"): [f"{r.seconds:.1f} s" for r in race],
        tr("mnist.step_time"): [f"{1e3 * r.seconds / max(1, r.t):.2f} ms" for r in race],
    }, hide_index=True)
    accuracy = {label: r.final[1] for label, r in zip(labels, race, strict=True)
                if r.diverged_at is None and r.final[1] == r.final[1]}
    classroom.post_form(list(accuracy.items()))
    if accuracy:  # a teacher may ask the class about this race (its set-up is the link; finished runs are kept)
        here, best = classroom.where("mnist"), max(accuracy, key=accuracy.get)
        classroom.ask_here("mnist", ([(tr("room.own.best.label"), questions.highest(
            "mnist", here, accuracy, tr("room.own.best")))] if len(accuracy) > 1 else []) + [
            (tr("room.own.accuracy.label", name=best), questions.number(
                "mnist", here, 100 * accuracy[best], 100.0, tr("room.own.accuracy", name=best)))] + [
            (tr("room.own.curve.label", name=label), questions.curve_end(
                "mnist", here, train.smooth(r.losses, window), tr("room.own.curve", name=label, n=len(r.losses))))
            for label, r in zip(labels, race, strict=True) if label in accuracy])
    st.download_button(tr("mnist.csv"), lambda: exports.race_csv(labels, race), file_name="optviz-race.csv",
                       mime="text/csv", icon="⬇️", key=P + "csv")  # written on the click, not every rerun
    gradient_check_view(race, labels)
    st.subheader(tr("mnist.digits"))
    st.caption(tr("mnist.digits_caption"))
    n = len(race[0].test_pred)
    rows = digits.prediction_rows(data.x_test[:n], data.y_test[:n], np.stack([r.test_pred for r in race]), labels,
                                  [r.diverged_at is None for r in race], tr("mnist.truth"))
    st.dataframe(rows, hide_index=True, row_height=64,
                 column_config={"digit": st.column_config.ImageColumn(tr("mnist.image"), width="small")})


def draw_search(cfg: search.SearchConfig, job: Job) -> None:
    """The trials so far on their two settings, the best five's validation curves and table."""
    found = job.result or job.partial
    if found is None:
        return
    domains = tuple((10.0 ** lo / 1.5, 10.0 ** hi * 1.5) for lo, hi in (cfg.lr_exponents, cfg.wd_exponents))
    top = search.best(found)
    names = [tr("mnist.search.trial", k=found.trials.index(t) + 1, lr=f"{t.lr:.2g}", wd=f"{t.weight_decay:.2g}")
             for t in top]
    left, right = st.columns(2)
    columns, spec = vega.search_chart(list(found.trials), tr("mnist.search.lr_axis"), tr("mnist.search.wd_axis"),
                                      tr("mnist.search.acc"), tr("mnist.search.diverged"), domains)
    left.vega_lite_chart(arrow(columns), spec, width="stretch", key=P + "rs_chart")
    columns, spec = vega.search_curves(top, names, tr("mnist.search.epoch"), tr("mnist.search.acc"))
    right.vega_lite_chart(arrow(columns), spec, width="stretch", key=P + "rs_curves")
    share = lambda trial: tr("mnist.search.diverged") if trial.accuracy != trial.accuracy else f"{trial.accuracy:.1%}"
    st.info(tr("mnist.search.default", acc=share(found.default), best=share(top[0]) if top else "—"), icon="📏")
    st.dataframe({tr("mnist.search.col.trial"): [found.trials.index(t) + 1 for t in top],
                  tr("opt.lr"): [f"{t.lr:.3g}" for t in top],
                  tr("mnist.search.col.wd"): [f"{t.weight_decay:.3g}" for t in top],
                  tr("mnist.search.acc"): [f"{t.accuracy:.1%}" for t in top],
                  tr("mnist.train_acc"): [f"{t.train_acc:.1%}" for t in top]}, hide_index=True)
    st.download_button(tr("mnist.search.csv"), lambda: exports.search_csv(list(found.trials), found.default),
                       file_name="optviz-search.csv", mime="text/csv", icon="⬇️", key=P + "rs_csv")


def search_section(seed: int) -> None:
    """The book's random search over the learning rate and weight decay, shared by the class."""
    with st.container(key=P + "search"), st.expander(tr("mnist.search"), icon="🎲"):
        st.caption(tr("mnist.search.about"))
        cols = st.columns([1, 1, 1, 2, 2])
        power = lambda e: f"1e{e}"
        cfg = search.SearchConfig(
            trials=cols[0].select_slider(tr("mnist.search.trials"), (10, 20, 30, 50, 100), value=30, key=P + "rs_trials"),
            n_images=cols[1].select_slider(tr("mnist.search.images"), (200, 500, 1000, 2000), value=500, key=P + "rs_n"),
            epochs=cols[2].select_slider(tr("mnist.search.epochs"), (10, 20, 50), value=50, key=P + "rs_epochs"),
            lr_exponents=cols[3].select_slider(tr("mnist.search.lr_range"), search.EXPONENTS, value=(-4, 0),
                                               format_func=power, key=P + "rs_lr"),
            wd_exponents=cols[4].select_slider(tr("mnist.search.wd_range"), search.EXPONENTS, value=(-8, -2),
                                               format_func=power, key=P + "rs_wd"),
            seed=seed)
        key = ("search", cfg, data.fingerprint)

        make = lambda: Job(search.steps(cfg, data.x_train, data.y_train), search.PHASES)
        if ((job := shared.peek(key)) is None or job.error) and not ss.get(P + "rs_on"):  # a failed one may be retried
            st.button(tr("mnist.search.go"), type="primary", key=P + "rs_go", on_click=shared.watch,
                      args=(P + "rs_on", key, make))
        shared.live_job(P + "rs_on", key, lambda name: tr(f"mnist.search.phase.{name}"), lambda j: draw_search(cfg, j))


def edge_section() -> None:
    """Full-batch gradient descent at the edge of stability (Cohen et al. 2021): the class's job."""
    with st.expander(tr("mnist.edge"), icon="⛰️"):
        st.caption(tr("mnist.edge.about", n=edge.PRESET["n"], lrs=", ".join(f"{lr:g}" for lr in edge.PRESET["lrs"]),
                      k=edge.PRESET["every"]))
        key = ("edge", data.fingerprint, edge.PRESET["lrs"])
        make = lambda: Job(edge.steps(data, edge.PRESET["lrs"], edge.PRESET["iterations"]),
                           tuple(f"η = {lr:g}" for lr in edge.PRESET["lrs"]), edge.working_bytes(data))
        if ((job := shared.peek(key)) is None or job.error) and not ss.get(P + "edge_on"):
            st.button(tr("mnist.edge.go"), type="primary", key=P + "edge_go", on_click=shared.watch,
                      args=(P + "edge_on", key, make))
        shared.live_job(P + "edge_on", key, lambda name: name, draw_edge)


def draw_edge(job: Job) -> None:
    edges = job.result or job.partial
    if edges:
        columns, spec = vega.edge_chart(edges, tr("mnist.iteration"), tr("mnist.loss_axis"), tr("mnist.edge.limit"))
        st.vega_lite_chart(arrow(columns), spec, width="content", key=P + "edge_chart")
    if job.done:
        st.info(tr("mnist.edge.lesson"), icon="💡")
        edge_plane(job.result)


def edge_plane(edges: list[edge.Edge]) -> None:
    """The loss on the plane of one run's own path, computed once for the class."""
    pick = st.radio(tr("mnist.edge.plane"), range(len(edges)), format_func=lambda k: f"η = {edges[k].lr:g}",
                    horizontal=True, key=P + "edge_plane")
    with st.spinner(tr("mnist.edge.plane.wait")):
        flat, xs, ys, losses = cached.edge_plane(fingerprint=data.fingerprint, lr=edges[pick].lr, _data=data,
                                                 _run=edges[pick])
    words = {"loss": tr("mnist.loss_axis"), "start": tr("mnist.edge.plane.start"), "end": tr("mnist.edge.plane.end"),
             "d1": tr("mnist.edge.plane.d", k=1), "d2": tr("mnist.edge.plane.d", k=2)}
    columns, spec = vega.plane_chart(xs, ys, losses, flat.path, words)
    st.vega_lite_chart(arrow(columns), spec, width="content", key=P + "edge_plane_chart")
    st.caption(tr("mnist.edge.plane.about", a=f"{flat.explained[0]:.0%}", b=f"{flat.explained[1]:.0%}",
                  n=len(flat.path)))


page_header("mnist")
lesson_script("mnist")
classroom.gate("mnist", lambda setup: ss.update({P + "exp": setup}))
data = require_mnist()

links.coded(P + "exp", {k: tuple(t(f"mnist.exp.{k}", lang) for lang in LANGS) for k in MNIST_PRESETS})
exp = st.segmented_control(tr("mnist.experiment"), list(MNIST_PRESETS), format_func=lambda k: tr(f"mnist.exp.{k}"),
                           key=P + "exp", default="optimizers", required=True) or "optimizers"
links.keep(P + "exp", exp, "optimizers")
if ss.get(P + "applied") != exp:
    apply_experiment(exp, first_visit=P + "applied" not in ss)
if not presenting():
    st.write(tr(f"mnist.about.{exp}"))

n_options = tuple(n for n in N_TRAIN if n < len(data.x_train)) + (0,)
if ss.get(P + "n_train") not in n_options:
    ss[P + "n_train"] = 0
defaults = MNIST_PRESETS[exp]["settings"]  # what a malformed link falls back to
n_train_place, batch_place, iterations_place = lesson_bar([1, 1, 1], align="top")
n_train = n_train_place.select_slider(tr("mnist.n_train"), n_options, key=P + "n_train", bind="query-params",
                                      value=defaults["n_train"] if defaults["n_train"] in n_options else 0,
                                      format_func=lambda n: f"{n or len(data.x_train)}")
batch = batch_place.select_slider(tr("mnist.batch"), BATCHES, value=defaults["batch"], key=P + "batch",
                                  bind="query-params")
iterations = iterations_place.select_slider(tr("mnist.iterations"), ITERATIONS, value=defaults["iterations"],
                                            key=P + "iterations", bind="query-params")
if not presenting():  # the projector's first screen is for the race
    st.sidebar.caption(tr("mnist.epochs", epochs=train.epochs(iterations, n_train, batch, len(data.x_train))))
with st.sidebar:
    hidden_text = st.text_input(tr("mnist.hidden"), value=defaults["hidden"], key=P + "hidden", bind="query-params",
                                max_chars=60)
    hidden = train.parse_hidden(hidden_text)
    if hidden is None:
        st.warning(tr("mnist.bad_hidden", max_layers=train.MAX_LAYERS, max_units=train.MAX_UNITS), icon="⚠️")
        hidden = train.parse_hidden(MNIST_PRESETS[exp]["settings"]["hidden"])
    links.whole_number(P + "seed", 0, 9999)
    seed = st.number_input(tr("common.seed"), 0, 9999, 0, key=P + "seed", bind="query-params")

buttons_box, live_box = st.container(), st.container(key=P + "live")
started = bool(ss.get(P + "keys"))
with st.expander(tr("mnist.contestants", n=len(ss[P + "nets"])),
                 expanded=not (started or presenting())):
    st.caption(tr("mnist.table_help"))
    nets = table(ss[P + "nets"])
bn_alone = train.batchnorm_alone(tuple(nets), batch)
config = train.RaceConfig(tuple(nets), hidden, n_train, batch, iterations, int(seed)) if nets and not bn_alone else None
too_big = config is not None and config.parameters > train.MAX_RACE_PARAMS

finished = started and all(r.done for r in race_state.runs(data))
with buttons_box:
    buttons = st.columns([1, 1, 6])
    if not started:
        buttons[0].button(tr("mnist.start"), type="primary", key=P + "start", on_click=race_state.start,
                          args=(config, data), disabled=config is None or too_big, width="stretch")
    elif ss.get(P + "running"):
        buttons[0].button(tr("mnist.pause"), key=P + "pause", on_click=race_state.pause, width="stretch")
    else:
        if not finished and not any(shared.errors(ss[P + "keys"])):  # a failed race offers Try again instead
            buttons[0].button(tr("mnist.resume"), type="primary", key=P + "resume", on_click=race_state.resume, width="stretch")
        buttons[0 if finished else 1].button(tr("mnist.reset"), key=P + "reset", on_click=race_state.reset, width="stretch")
    if started and not finished and not ss.get(P + "running"):
        change_form(race_state.runs(data))
    if bn_alone:
        st.warning(tr("mnist.bn_batch1"), icon="⚠️")
    elif config is None:
        st.warning(tr("mnist.no_nets"), icon="⚠️")
    elif too_big:
        st.warning(tr("mnist.too_big", n=config.parameters, limit=train.MAX_RACE_PARAMS), icon="⚠️")
    elif started and ss[P + "config"] != config:
        st.info(tr("mnist.changed"), icon="🔁")

# Streamlit fades an element to a third while its fragment reruns: three times a second on a live
# race or search, which makes the charts flicker. Keep the live areas at full opacity.
st.html("<style>:is(.st-key-mnist_live, .st-key-mnist_search) [data-stale='true'] {opacity: 1 !important; "
        "transition: none !important}</style>")
with live_box:
    live()
    inside_live()
    if finished:
        results(race_state.runs(data))

search_section(int(seed))
edge_section()

with st.expander(tr("common.explain"), expanded=True):
    st.write(tr(f"mnist.explain.{exp}"))
    for formula in EXPERIMENT_FORMULAS[exp]:
        st.latex(formula)
