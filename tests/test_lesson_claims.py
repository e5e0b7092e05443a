"""What the MNIST page's explanations claim, checked against the races its presets run (page
defaults, seed 0) on the data the tests use: real digits where a folder is set, drawn ones otherwise."""

from __future__ import annotations

import math

import pytest

from optviz.i18n import netlabels
from optviz.i18n.text import BOOKS
from optviz.lessons.presets import MNIST_PRESETS
from optviz.nn import train
from optviz.serve import data


@pytest.fixture(scope="module")
def digits():
    return data.load()


def preset_race(name: str, digits) -> dict[str, train.Run]:
    """The preset's race as the page starts it, each network trained to the end, by label."""
    settings, nets = MNIST_PRESETS[name]["settings"], tuple(MNIST_PRESETS[name]["nets"])
    config = train.RaceConfig(nets, train.parse_hidden(settings["hidden"]), settings["n_train"], settings["batch"],
                              settings["iterations"], 0)
    runs = [train.Run(key, digits) for key in config.keys(digits)]
    for run in runs:
        while not run.done:
            run.advance(10.0)
    return dict(zip(netlabels.labels(nets), runs, strict=True))


def test_batch_norm_text(digits):
    """"Without it, weights that start too large blow up (diverged) and weights that start too small
    never get going: the loss stays at ln 10, the accuracy at chance. With it, every scale rises above
    chance, though from std 1 and std 0.0001 far more slowly than from std 0.01." """
    text = BOOKS["en"]["mnist.explain.batchnorm"]
    assert "blow up" in text and "every scale rises above chance" in text
    runs = preset_race("batchnorm", digits)
    assert runs["std 1"].diverged_at is not None
    for small in ("std 0.01", "std 0.0001"):
        run = runs[small]
        assert run.diverged_at is None
        assert abs(train.smooth(run.losses, 50)[-1] - math.log(10)) < 0.02
        assert run.final[1] <= train.CHANCE_LEVEL
    with_bn = {s: runs[f"std {s} · BN"].final[1] for s in ("1", "0.01", "0.0001")}
    assert min(with_bn.values()) > 1.5 * train.CHANCE_LEVEL, with_bn
    assert with_bn["0.01"] > max(with_bn["1"], with_bn["0.0001"]) + 0.3, with_bn


def test_overfitting_text(digits):
    """"The plain network drives its training accuracy to 100 % while test accuracy stalls. Weight decay
    narrows the gap; dropout 0.2 changes it little in these 900 steps, and neither raises the test
    accuracy here." """
    text = BOOKS["en"]["mnist.explain.overfit"]
    assert "100 %" in text and "Weight decay narrows the gap" in text and "neither raises" in text
    runs = preset_race("overfit", digits)
    gap = {name: run.final[0] - run.final[1] for name, run in runs.items()}
    plain, decay, dropout = (runs[n] for n in ("SGD", "L2 λ 0.1", "dropout 0.2"))
    assert plain.final[0] >= 0.99 and gap["SGD"] > 0.1, gap
    assert gap["L2 λ 0.1"] < gap["SGD"] - 0.04, gap
    assert abs(gap["dropout 0.2"] - gap["SGD"]) < 0.06, gap
    assert max(decay.final[1], dropout.final[1]) <= plain.final[1] + 0.01
