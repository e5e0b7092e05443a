"""The edge of stability on the digits: with full-batch gradient descent the sharpness rises to 2/η
and hovers there while the loss keeps falling (Cohen et al. 2021), on the tests' own digits."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.i18n.text import t
from optviz.jobs import Job
from optviz.nn import edge, sharpness
from optviz.nn.mlp import MLP
from optviz.serve import data


@pytest.fixture(scope="module")
def digits():
    return data.load()


@pytest.mark.parametrize("lr", [0.2, 0.3])
def test_the_sharpness_rises_to_two_over_eta_and_hovers_there(digits, lr):
    run = edge.measure(digits, lr)
    assert run.limit == pytest.approx(2 / lr)
    assert sharpness.level(run.sharpness) == pytest.approx(run.limit, rel=0.2)  # within 20 % of 2/η
    assert sharpness.level(run.sharpness) > 1.2 * run.sharpness[0]  # it rose to get there
    assert sharpness.verdict(run.sharpness, np.full(len(run.at), run.limit)) == "edge"  # what the page says of it
    assert run.loss[-1] < 0.5 * run.loss[0]  # the loss kept falling meanwhile ...
    assert np.any(np.diff(run.loss) > 0)  # ... though not at every step


def test_below_the_edge_the_sharpness_never_reaches_it(digits):
    run = edge.measure(digits, 0.05, iterations=150)
    assert run.sharpness.max() < 0.8 * run.limit and np.all(np.diff(run.loss) < 0)
    assert sharpness.verdict(run.sharpness, np.full(len(run.at), run.limit)) in ("sharpening", "below")


def test_the_class_job_gives_each_run_as_alone_and_shows_it_as_it_goes(digits):
    job = Job(edge.steps(digits, (0.2, 0.3), iterations=30), ("0.2", "0.3"))
    partials = []
    while not job.done:
        job.advance(0.0)
        partials.append(job.partial)
    alone = [edge.measure(digits, lr, iterations=30) for lr in (0.2, 0.3)]
    for got, want in zip(job.result, alone, strict=True):
        assert np.array_equal(got.sharpness, want.sharpness) and np.array_equal(got.loss, want.loss)
    shown = [p for p in partials if p]
    assert len(shown[0]) == 1 and len(shown[0][0].at) == 1 and len(shown[-1]) == 2  # the first measurement, then all


def test_the_lessons_network_has_the_weights_its_text_says(digits):
    size = MLP(digits.x_train.shape[1], edge.PRESET["hidden"], 10).size
    assert 27_000 <= size < 28_000 and "27,000" in t("mnist.edge.lesson", "en") and "两万七千" in t("mnist.edge.lesson", "zh")
