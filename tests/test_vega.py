"""The live charts' data: what a student sees of a race."""

import numpy as np

from optviz import train, vega
from optviz.train import NetConfig, RaceConfig


def race_with(losses: np.ndarray) -> train.Race:
    race = train.new_race(RaceConfig((NetConfig(),) * len(losses), iterations=losses.shape[1]), 100)
    race.losses[:] = losses
    race.t = losses.shape[1]
    return race


def test_loss_chart_has_raw_and_smoothed_curves_and_bounded_values():
    t = 1000
    losses = np.vstack([np.linspace(2.3, 0.1, t), np.r_[np.linspace(2.3, 1e30, 10), [np.inf], np.full(t - 11, np.nan)]])
    cols, spec = vega.loss_chart(race_with(losses.astype(np.float32)), ["a", "b"], "it", "loss")
    assert set(cols["kind"]) == {"raw", "smooth"}
    assert cols["loss"].max() <= vega.LOSS_CAP and cols["loss"].min() >= vega.LOSS_FLOOR  # a blow-up cannot flatten the axis
    assert np.isfinite(cols["loss"]).all()
    raw_a = cols["iteration"][(cols["net"] == "a") & (cols["kind"] == "raw")]
    assert len(raw_a) <= vega.MAX_POINTS and raw_a[0] == 1 and raw_a[-1] > 990  # thinned, first to last
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, t]  # the axis does not jump as curves grow
    assert spec["layer"][1]["encoding"]["color"]["scale"]["domain"] == ["a", "b"]


def test_accuracy_chart_skips_diverged_networks():
    race = race_with(np.ones((2, 10), np.float32))
    race.eval_at = [5, 10]
    race.train_acc = [[0.5, np.nan], [0.8, np.nan]]
    race.test_acc = [[0.4, np.nan], [0.7, np.nan]]
    cols, _ = vega.accuracy_chart(race, ["a", "b"], "it", "acc", ("train", "test"))
    assert list(cols["net"]) == ["a"] * 4
    assert list(cols["accuracy"]) == [0.5, 0.8, 0.4, 0.7]
