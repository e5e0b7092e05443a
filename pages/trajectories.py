"""Optimizer trajectories: several optimizers race on one surface from one start."""

from __future__ import annotations

import numpy as np
import streamlit as st

from optviz.figures import basin_plots, exports, path_chart, plots, vega
from optviz.i18n.text import SCHEDULE_FORMULAS, SCHEDULE_NAMES, SURFACE_NAMES, link_names, named
from optviz.jobs import Job
from optviz.lessons import questions
from optviz.lessons.presets import TRAJECTORY_PRESETS
from optviz.optim.registry import LR_VALUES, OPTIMIZERS, SCHEDULES, make_schedule, symbol
from optviz.toy import arithmetic, basins, curvature, descent, expressions, rates, surfaces
from optviz.toy.expressions import ExpressionError
from ui import cached, classroom, explorer, links, shared
from ui.common import (
    apply_preset,
    arrow,
    clamp_state,
    lang,
    lesson_bar,
    lesson_script,
    page_header,
    presenting,
    snap_state,
    table,
    tr,
)
from ui.controls import build, optimizer_settings

P = "traj_"
KAPPAS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
NOISES = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
ORDER = tuple(OPTIMIZERS)


KEYS = (*surfaces.SURFACE_KEYS, "own")
# The figures' toolbar holds only "download as PNG" (twice the screen's resolution, for slides).
PNG_ONLY = {"displaylogo": False, "modeBarButtons": [["toImage"]], "toImageButtonOptions": {"scale": 2}}
OWN_DEFAULT = "x**4 - x**2 + y**2"


def use_best(eigenvalues: np.ndarray) -> None:
    """Button callback: SGD and Momentum race at the sliders' values nearest their best settings."""
    gd, hb = rates.best_gd(eigenvalues), rates.best_heavy_ball(eigenvalues)
    ss = st.session_state
    ss[P + "opts"] = list(dict.fromkeys(["SGD", "Momentum", *ss.get(P + "opts", [])]))
    ss[P + "lr_SGD"] = rates.nearest(gd.lr, LR_VALUES)
    ss[P + "lr_Momentum"] = rates.nearest(hb.lr, LR_VALUES)
    ss[P + "momentum_Momentum"] = rates.nearest(hb.momentum, OPTIMIZERS["Momentum"].knobs["momentum"].values)


def rate_table(surface, kappa: float, runs: list, settings: dict, start: tuple[float, float], n_steps: int) -> None:
    """Predicted against observed rates on a quadratic bowl, with the best settings in closed form."""
    lam = np.linalg.eigvalsh(surface.hessian(np.zeros(2)))
    fmt = lambda v: "–" if v is None or not np.isfinite(v) else f"{v:.4f}"
    rows = []
    for run in runs:
        theory = rates.predicted(run.label, settings[run.label], lam)
        observed = tr("traj.diverged", k=run.path.diverged_at) if run.note and not run.escaped else fmt(
            rates.observed_rate(surface.distance_to_minimum(run.path.points)))
        knobs = ", ".join(f"{symbol(k)} = {v:g}" for k, v in settings[run.label].items())
        rows.append((run.label, knobs, fmt(theory and theory[1]), fmt(theory and theory[0]), observed))
    for label, (opt, (best, knobs)) in zip((tr("traj.rates.best_gd"), tr("traj.rates.best_hb")),
                                           rates.best_settings(lam).items(), strict=True):
        path = cached.path(surface_key=surface.key, kappa=kappa, own=None, name=opt, settings=tuple(sorted(knobs.items())),
                           start=start, n_steps=n_steps, schedule="constant", noise=0.0, seed=0)
        rows.append((label, ", ".join(f"{symbol(k)} = {v:.4g}" for k, v in knobs.items()),
                     fmt(rates.gd_limit(lam, best.momentum)), fmt(best.rate),
                     fmt(rates.observed_rate(surface.distance_to_minimum(path.points)))))
    st.subheader(tr("traj.rates.title"))
    if not presenting():
        st.caption(tr("traj.rates.caption"))
    columns = [tr("traj.rates.optimizer"), tr("traj.rates.settings"), tr("traj.rates.limit"), tr("traj.rates.predicted"),
               tr("traj.rates.observed")]
    table({c: [row[i] for row in rows] for i, c in enumerate(columns)})
    gd, hb = rates.best_gd(lam), rates.best_heavy_ball(lam)
    st.button(tr("traj.rates.use"), on_click=use_best, args=(lam,), key=P + "use_best",
              help=tr("traj.rates.use.help", gd=f"{rates.nearest(gd.lr, LR_VALUES):g}",
                      hb=f"{rates.nearest(hb.lr, LR_VALUES):g}",
                      mu=f"{rates.nearest(hb.momentum, OPTIMIZERS['Momentum'].knobs['momentum'].values):g}"))


def show_arithmetic(name: str, cfg: dict, surface, start: tuple, n_steps: int, k: int, schedule: str,
                    noise: float, seed: int) -> None:
    """Update k of optimizer ``name`` worked out by hand, with the numbers of this run."""
    if k < 1:
        st.caption(tr("traj.at.arithmetic.first"))
        return
    st.markdown(f"**{tr('traj.at.arithmetic', k=k, name=name)}**")
    lines = arithmetic.step_lines(name, cfg, surface, np.array(start), n_steps, k, make_schedule(schedule, n_steps),
                                  noise, seed)
    rows = [f"{line.quantity} &= {line.arithmetic}" + ("" if i < 3 else f" = {arithmetic.vec(line.value)}")
            for i, line in enumerate(lines)]  # the first three (θ, g, η) are values already
    st.latex(r"\begin{aligned}" + r"\\".join(rows) + r"\end{aligned}")


def own_controls() -> tuple[str, tuple[float, float], tuple[float, float]]:
    """The formula box and the window of a teacher's own function, all in the link."""
    text = st.text_input(tr("own.formula"), OWN_DEFAULT, max_chars=expressions.MAX_LENGTH, key=P + "f",
                         bind="query-params", help=tr("own.help"))
    (c1, c2), (c3, c4) = st.columns(2), st.columns(2)  # two per row: the numbers stay whole in the sidebar
    window = []
    for col, name, label, default in ((c1, "xmin", tr("own.xmin"), -3.0), (c2, "xmax", tr("own.xmax"), 3.0),
                                      (c3, "ymin", tr("own.ymin"), -3.0), (c4, "ymax", tr("own.ymax"), 3.0)):
        window.append(col.number_input(label, -1000.0, 1000.0, default, step=0.5, key=P + name, bind="query-params"))
    return text, (window[0], window[1]), (window[2], window[3])


def on_surface_change() -> None:
    ss = st.session_state
    if ss[P + "surface"] == "own":  # the window's own start; the formula may not parse yet
        lo_x, hi_x, lo_y, hi_y = (ss.get(P + k, d) for k, d in (("xmin", -3.0), ("xmax", 3.0), ("ymin", -3.0), ("ymax", 3.0)))
        ss[P + "x0"], ss[P + "y0"] = lo_x + 0.15 * (hi_x - lo_x), lo_y + 0.85 * (hi_y - lo_y)
        return
    ss[P + "x0"], ss[P + "y0"] = surfaces.get(ss[P + "surface"], ss.get(P + "kappa", 20.0)).start


page_header("traj")
lesson_script("traj")


def preset(values: dict) -> None:
    """A preset's set-up, its paths drawn to their ends (the step is a position in the link)."""
    apply_preset(values | {"step": (values["steps"], values["steps"])}, P)


classroom.gate("trajectories", lambda setup: preset(TRAJECTORY_PRESETS[setup]))

cols = st.columns(len(TRAJECTORY_PRESETS))
for col, (name, values) in zip(cols, TRAJECTORY_PRESETS.items(), strict=True):
    col.button(tr(f"traj.preset.{name}"), key=f"{P}preset_{name}", on_click=preset, args=(values,), width="stretch")

surface_place, optimizers_place, steps_place = lesson_bar([2, 4, 1])
with surface_place:
    links.coded(P + "surface", link_names(SURFACE_NAMES))
    snap_state(P + "surface", KEYS, "bowl")
    key = st.selectbox(tr("traj.surface"), KEYS, key=P + "surface",
                       format_func=lambda k: named(SURFACE_NAMES, k, lang()), on_change=on_surface_change)
    links.keep(P + "surface", key, "bowl")
    kappa = 20.0
    if key == "conditioned":
        snap_state(P + "kappa", KAPPAS, 20.0)
        kappa = st.select_slider(tr("traj.kappa"), KAPPAS, value=20.0, key=P + "kappa",
                                 format_func=lambda v: f"{v:g}", bind="query-params",
                                 on_change=on_surface_change)
    own = None
    if key == "own":
        own = own_controls()
    try:
        surface = cached.surface_of(key, kappa, own)
    except ExpressionError as err:
        st.error(tr(f"own.err.{err.reason}", detail=err.detail), icon="✏️")
        st.stop()
    if not presenting():
        st.caption(tr(f"surface.{key}"))
with optimizers_place:
    chosen = st.multiselect(tr("traj.optimizers"), ORDER, default=["SGD", "Momentum", "AdaGrad", "Adam"],
                            key=P + "opts", bind="query-params")
with steps_place:
    links.whole_number(P + "steps", 1, 1000)
    n_steps = st.number_input(tr("traj.steps"), 1, 1000, value=30, step=10, key=P + "steps",
                              bind="query-params")

with st.sidebar:
    c1, c2 = st.columns(2)
    clamp_state(P + "x0", *surface.xlim)
    clamp_state(P + "y0", *surface.ylim)
    x0 = c1.number_input(tr("traj.start_x"), *surface.xlim, value=surface.start[0], step=0.1,
                         format="%.4f", key=P + "x0", bind="query-params")
    y0 = c2.number_input(tr("traj.start_y"), *surface.ylim, value=surface.start[1], step=0.1,
                         format="%.4f", key=P + "y0", bind="query-params")
    links.coded(P + "sched", link_names(SCHEDULE_NAMES) | {k: (f,) for k, f in SCHEDULE_FORMULAS.items()})
    snap_state(P + "sched", tuple(SCHEDULES), "constant")
    schedule = st.selectbox(tr("traj.schedule"), tuple(SCHEDULES), key=P + "sched",
                            format_func=lambda k: named(SCHEDULE_NAMES, k, lang()))
    links.keep(P + "sched", schedule, "constant")
    st.caption(f"{SCHEDULE_FORMULAS[schedule]} · {tr(f'schedule.{schedule}')}")
    c1, c2 = st.columns([2, 1])
    snap_state(P + "noise", NOISES, 0.0)
    noise = c1.select_slider(tr("traj.noise"), NOISES, value=0.0, key=P + "noise",
                             help=tr("traj.noise.help"), bind="query-params")
    links.whole_number(P + "seed", 0, 9999)
    seed = c2.number_input(tr("common.seed"), 0, 9999, value=0, key=P + "seed", bind="query-params",
                           disabled=noise == 0)
    settings = {}
    for name in [n for n in ORDER if n in chosen]:
        with st.expander(tr("opt.settings", name=name), expanded=len(chosen) <= 2):
            settings[name] = optimizer_settings(name, P, OPTIMIZERS[name].trajectory_lr)

st.latex(surface.formula)
if not settings:
    st.info(tr("traj.pick_one"))
    st.stop()

outcomes = {name: cached.sweep(surface_key=key, kappa=kappa, own=own, name=name,
                              settings=tuple(sorted((k, v) for k, v in cfg.items() if k != "lr")), start=(x0, y0),
                              n_steps=int(n_steps), schedule=schedule, noise=noise, seed=int(seed))
            for name, cfg in settings.items()}


def note(o: descent.Outcome) -> str:
    return "" if o.diverging is None else tr("traj.escaped" if o.escaped else "traj.diverged", k=o.diverging)


sweeps = [path_chart.Sweep(name, *plots.style(name), LR_VALUES, [o.path for o in outs], [note(o) for o in outs],
                           [o.diverging is not None and not o.escaped for o in outs],
                           LR_VALUES.index(settings[name]["lr"]))
          for name, outs in outcomes.items()]
runs = [plots.Trace(sw.label, sw.colour, sw.paths[sw.pick], sw.dash, sw.notes[sw.pick], outcomes[sw.label][sw.pick].escaped)
        for sw in sweeps]


def explored(changed: dict[str, dict]) -> None:
    """A learning rate moved or a click made in the figure: the page's state and link follow."""
    ss = st.session_state
    number = lambda v: isinstance(v, (int, float)) and np.isfinite(v)  # what a browser may send is checked
    for o, sw in enumerate(sweeps):
        li = changed.get(f"{path_chart.LR}{o}", {}).get("li")
        if number(li) and 0 <= int(li) < len(LR_VALUES):
            ss[f"{P}lr_{sw.label}"] = LR_VALUES[int(li)]
    point = changed.get(path_chart.CLICK, {})
    if number(point.get("x")) and number(point.get("y")):  # clamp_state keeps it inside the window
        ss[P + "x0"], ss[P + "y0"] = round(float(point["x"]), 4), round(float(point["y"]), 4)


# On a projector the page is wide and low: the legend goes beside the plot.
columns, spec = path_chart.chart(surface, sweeps, int(n_steps), lang(), *((250, "right") if presenting() else (480, "top")))
step = links.position(P + "step", int(n_steps))  # where the paths are drawn to; the link carries it
explorer.explore(P + "chart", arrow(columns), spec,
                 {f"{path_chart.LR}{o}": [{"li": sw.pick}] for o, sw in enumerate(sweeps)} | {path_chart.STEP: step},
                 explored)


def stepped(k: int) -> None:
    st.session_state[P + "step"] = (k, int(n_steps))


explorer.play_button(P + "chart", path_chart.STEP, tr("fig.play"), tr("fig.pause"), stepped,
                     stride=max(1, int(n_steps) // 60))

here = classroom.where("trajectories")  # a teacher may ask the class about what this set-up gives
ends = {r.label: np.inf if r.note and not r.escaped else float(r.path.values[-1]) for r in runs}
classroom.ask_here("trajectories", ([(tr("room.own.lowest.label"), questions.lowest(
    "trajectories", here, ends, tr("room.own.lowest", n=int(n_steps))))] if len(runs) > 1 else []) + ([
    (tr("room.own.end.label", name=r.label), questions.end_of("trajectories", here, tuple(r.path.points[-1]),
                                                             (surface.xlim, surface.ylim), (key, kappa, x0, y0),
                                                             tr("room.own.end", name=r.label, n=len(r.path.values) - 1)))
    for r in runs] if key != "own" else []))

status = st.columns(len(runs))
for col, run in zip(status, runs, strict=True):
    if run.escaped:
        col.info(f"**{run.label}**: {run.note}", icon="↘️")
    elif run.note:
        col.error(f"**{run.label}**: {run.note}", icon="⚠️")
    else:
        col.success(f"**{run.label}**: {tr('traj.ended', f=f'{run.path.values[-1]:.3g}', n=len(run.path.values) - 1)}")

if not presenting():
    # A callable: the CSV is written when a student clicks, not on every rerun (25 ms for 7 × 300 steps).
    st.download_button(tr("traj.csv"), lambda: exports.paths_csv(surface, [(r.label, r.path) for r in runs]),
                       file_name=f"optviz-{key}-paths.csv", mime="text/csv", icon="⬇️", key=P + "csv")

preset_key = next((k for k, v in TRAJECTORY_PRESETS.items() if v["surface"] == key), None)
st.info(tr(f"traj.look.{preset_key}" if preset_key else "traj.look.default"), icon="👀")

tabs = st.tabs([tr("traj.tab.curves"), tr("traj.tab.panels"), tr("traj.tab.surface3d"),
                tr("traj.tab.curvature"), tr("traj.tab.basins")], key=P + "tab", on_change="rerun")
if tabs[0].open:
    with tabs[0]:
        if not surface.has_minimum:
            st.caption(tr("traj.no_minimum"))
        # Vega-Lite: redrawn in place (a Plotly figure is rebuilt on every change, 0.15 s of the browser's time)
        charts = vega.descent_curves(surface, runs, lang())
        for col, (i, (columns, spec)) in zip(st.columns(len(charts)), enumerate(charts), strict=True):
            col.vega_lite_chart(arrow(columns), spec, width="stretch", key=f"{P}curves{i}")
        if key in ("bowl", "conditioned"):
            rate_table(surface, kappa, runs, settings, (x0, y0), int(n_steps))
if tabs[1].open:
    with tabs[1]:
        st.plotly_chart(plots.panels(surface, runs, lang()))
if tabs[2].open:
    with tabs[2]:
        st.plotly_chart(plots.surface_3d(surface, runs, lang()))
if tabs[3].open:
    with tabs[3]:
        where = st.radio(tr("traj.at"), ["start"] + [r.label for r in runs], horizontal=True,
                         key=P + "at", format_func=lambda v: tr("traj.at.start") if v == "start"
                         else tr("traj.at.path", name=v))
        point = np.array([x0, y0])
        if where != "start":
            path = next(r.path for r in runs if r.label == where)
            last = len(path.points) - 1  # 0 when the path diverged at its first step
            k = st.slider(tr("traj.at.step"), 0, last, last, key=P + "at_step") if last else 0
            point = path.points[k]
        a = curvature.analyse(surface, point)
        left, right = st.columns([1, 1])
        with left:
            st.markdown(f"**{tr('traj.kind')}:** {tr('traj.kind.' + a.label)}")
            st.markdown(f"**{tr('traj.value')}** = {a.value:.6g} at ({point[0]:.4g}, {point[1]:.4g})")
            st.markdown(f"**{tr('traj.grad')}** = ({a.grad[0]:.4g}, {a.grad[1]:.4g})")
            h = a.hessian
            st.latex(rf"H = \begin{{pmatrix}} {h[0,0]:.4g} & {h[0,1]:.4g} \\ {h[1,0]:.4g} & {h[1,1]:.4g} \end{{pmatrix}}")
            st.markdown(f"**{tr('traj.eigen')}**: λ₁ = {a.eigenvalues[0]:.4g}, λ₂ = {a.eigenvalues[1]:.4g}")
            big = lambda v: "∞" if np.isinf(v) else f"{v:.4g}"
            st.markdown(f"**{tr('traj.cond')}**: {big(a.condition_number)} · **{tr('traj.lr_limit')}** "
                        f"{big(a.lr_limit)}")
            if a.escape is not None:
                e = a.escape
                st.warning(tr("traj.escape", ux=f"{e.direction[0]:.3f}", uy=f"{e.direction[1]:.3f}",
                              lam=f"{e.eigenvalue:.4g}", eta=f"{e.step:g}", pred=f"{e.predicted_drop:.4g}",
                              act=f"{e.actual_drop:.4g}"))
        right.plotly_chart(plots.curvature(surface, a, lang()))
        if where != "start":
            show_arithmetic(where, settings[where], surface, (x0, y0), int(n_steps), k, schedule, noise, int(seed))
            st.markdown(f"**{tr('traj.sharp.title')}**")
            lam = curvature.sharpness(surface, path.points)
            limit = rates.gd_limits(settings[where]["lr"], make_schedule(schedule, int(n_steps)), len(lam))
            columns, spec = vega.sharpness_chart(lam, limit, k, where, next(r.colour for r in runs if r.label == where),
                                                 lang())
            st.vega_lite_chart(arrow(columns), spec, width="stretch", key=P + "sharpness")
            if not presenting():
                st.caption(tr("traj.sharp.caption"))

def basins_view() -> None:
    """Every start point of the window run by every optimizer shown: a job the class shares, its
    maps drawn as each optimizer finishes (a teacher's own f at 1000 steps takes tens of seconds)."""
    job_key = ("basins", key, kappa, own, tuple((name, tuple(sorted(cfg.items()))) for name, cfg in settings.items()),
               int(n_steps), schedule)
    make = lambda: Job(basins.steps(surface, [(name, build(name, cfg)) for name, cfg in settings.items()],
                                    int(n_steps), basins.resolution(int(n_steps)), make_schedule(schedule, int(n_steps))),
                       tuple(settings))
    job = shared.peek(job_key)
    if job is None or (not job.done and not st.session_state.get(P + "basins_on")):
        shared.watch(P + "basins_on", job_key, make)

    def draw(job: Job) -> None:
        maps = job.result or job.partial
        if maps:
            st.plotly_chart(basin_plots.basin_maps(surface, maps, (x0, y0), int(n_steps), lang()), config=PNG_ONLY)
        if job.done and maps:
            st.download_button(tr("traj.basins.csv"), lambda: exports.basins_csv(surface, maps), mime="text/csv",
                               icon="⬇️", file_name=f"optviz-{key}-basins.csv", key=P + "basins_csv")

    shared.live_job(P + "basins_on", job_key, lambda name: name, draw)


if tabs[4].open:
    with tabs[4]:
        if not len(surface.minima):
            st.info(tr("traj.basins.none"), icon="🗺️")
        else:
            if not presenting():
                st.caption(tr("traj.basins.caption", n=int(n_steps)))
            basins_view()

with st.expander(tr("traj.rules"), expanded=False):
    for name in settings:
        st.markdown(f"**{name}**")
        st.latex(OPTIMIZERS[name].formula)
