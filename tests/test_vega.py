"""The Vega-Lite charts' data: what a student sees of a race, and the trajectories' curves."""

import numpy as np

from optviz.figures import plots, vega
from optviz.nn import train
from optviz.nn.train import NetConfig, RaceConfig
from optviz.toy import descent, surfaces


def runs_with(losses: np.ndarray, toy_digits) -> list[train.Run]:
    """Runs whose loss histories are ``losses`` (nets, iterations), all iterations done."""
    runs = []
    for key, row in zip(RaceConfig((NetConfig(),) * len(losses), iterations=losses.shape[1]).keys(toy_digits), losses,
                        strict=True):
        run = train.Run(key, toy_digits)
        run.losses[:] = row
        run.t = len(row)
        runs.append(run)
    return runs


def test_loss_chart_has_raw_and_smoothed_curves_and_bounded_values(toy_digits):
    t = 1000
    losses = np.vstack([np.linspace(2.3, 0.1, t), np.r_[np.linspace(2.3, 1e30, 10), [np.inf], np.full(t - 11, np.nan)]])
    cols, spec = vega.loss_chart(runs_with(losses.astype(np.float32), toy_digits), ["a", "b"], "it", "loss")
    assert set(cols["smooth"]) == {0, 1}  # raw and smoothed
    assert cols["loss"].max() <= vega.LOSS_CAP and cols["loss"].min() >= vega.LOSS_FLOOR  # a blow-up cannot flatten the axis
    assert np.isfinite(cols["loss"]).all()
    raw_a = cols["iteration"][(cols["k"] == 0) & (cols["smooth"] == 0)]
    assert len(raw_a) <= vega.MAX_POINTS and raw_a[0] == 1 and raw_a[-1] > 990  # thinned, first to last
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, t]  # the axis does not jump as curves grow
    assert spec["layer"][1]["encoding"]["color"]["scale"]["domain"] == ["a", "b"]
    assert spec["transform"] == [{"calculate": '["a", "b"][datum.k]', "as": "net"}]  # the index named in the chart


def test_a_paused_view_stops_at_its_iteration_while_the_run_goes_on(toy_digits):
    runs = runs_with(np.linspace(2.3, 0.1, 400, dtype=np.float32)[None], toy_digits)
    runs[0].eval_at, runs[0].train_acc, runs[0].test_acc = [100, 200, 300], [0.5, 0.6, 0.7], [0.4, 0.5, 0.6]
    cols, _ = vega.loss_chart(runs, ["a"], "it", "loss", upto=150)
    assert cols["iteration"].max() == 150
    cols, _ = vega.accuracy_chart(runs, ["a"], "it", "acc", ("train", "test"), upto=250)
    assert sorted(set(cols["iteration"])) == [100, 200]


def test_accuracy_chart_skips_diverged_networks(toy_digits):
    runs = runs_with(np.ones((2, 10), np.float32), toy_digits)
    runs[0].eval_at, runs[0].train_acc, runs[0].test_acc = [5, 10], [0.5, 0.8], [0.4, 0.7]
    runs[1].eval_at, runs[1].train_acc, runs[1].test_acc = [5], [np.nan], [np.nan]
    cols, _ = vega.accuracy_chart(runs, ["a", "b"], "it", "acc", ("train", "test"))
    assert list(cols["k"]) == [0] * 4 and list(cols["split"]) == [0, 0, 1, 1]
    np.testing.assert_allclose(cols["accuracy"], [0.5, 0.8, 0.4, 0.7])


def _descent(surface_key: str, points: np.ndarray, names=("SGD", "Adam")):
    """Curves of paths along ``points`` (scaled by 1, 2, … for each optimizer in ``names``)."""
    surface = surfaces.get(surface_key, 20.0)
    runs = [plots.Trace(name, *plots.style(name)[:1], descent.Path(points * (k + 1), surface.value(points * (k + 1)), None),
                      plots.style(name)[1]) for k, name in enumerate(names)]
    return surface, runs, vega.descent_curves(surface, runs, "en")


def test_descent_curves_are_each_paths_value_and_distance_to_the_minimum():
    points = np.array([[-4.0, 2.0], [-3.0, 1.0], [-2.0, -0.5], [0.0, 0.0]])  # ends on the bowl's minimum
    surface, runs, charts = _descent("bowl", points)
    assert len(charts) == 2
    (loss, loss_spec), (dist, dist_spec) = charts
    for k in range(2):
        pts = points * (k + 1)
        f = pts[:, 0] ** 2 / 20 + pts[:, 1] ** 2  # by hand: x²/20 + y², minimum 0 at the origin
        mine = loss["k"] == k
        assert list(loss["step"][mine]) == [0, 1, 2]  # f = 0 at step 3 has no place on a log axis
        np.testing.assert_allclose(loss["value"][mine], f[:3], rtol=1e-6)
        np.testing.assert_allclose(dist["value"][dist["k"] == k], np.hypot(pts[:3, 0], pts[:3, 1]), rtol=1e-6)
    assert loss_spec["encoding"]["y"]["scale"]["type"] == "log"
    assert loss_spec["encoding"]["color"]["legend"] is None  # one legend, beside the last chart
    colour = dist_spec["encoding"]["color"]
    assert colour["scale"] == {"domain": ["SGD", "Adam"], "range": ["#000000", "#0072B2"]}  # as in the trajectories
    assert dist_spec["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [1, 0]]


def test_descent_curves_on_a_surface_without_minimum_show_f_itself_negative_too():
    points = np.array([[0.1, 0.5], [1.0, 0.1], [0.2, 1.0]])
    surface, runs, charts = _descent("saddle", points, names=("Nesterov",))
    (columns, spec), = charts
    np.testing.assert_allclose(columns["value"], [0.01 - 0.25, 1 - 0.01, 0.04 - 1], rtol=1e-6)  # x² − y² by hand
    assert (columns["value"] < 0).any() and spec["encoding"]["y"]["scale"]["type"] == "linear"
    assert spec["encoding"]["strokeDash"]["scale"]["range"] == [vega.DASH_ARRAYS["dash"]]  # Nesterov's dash
