"""The arithmetic of one step, worked out from the textbook rules, lands exactly on the path the
optimizers themselves computed."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.optim.registry import OPTIMIZERS, make_optimizer, make_schedule
from optviz.toy import arithmetic, descent, surfaces

SETTINGS = {"SGD": {"lr": 0.01}, "Momentum": {"lr": 0.01, "momentum": 0.9},
            "Nesterov": {"lr": 0.01, "momentum": 0.8}, "AdaGrad": {"lr": 0.5}, "RMSProp": {"lr": 0.05, "alpha": 0.9},
            "Adam": {"lr": 0.1, "beta1": 0.9, "beta2": 0.999},
            "AdamW": {"lr": 0.1, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.1}}


def test_every_optimizer_and_knob_of_the_page_is_covered():
    assert set(SETTINGS) == set(OPTIMIZERS)
    assert all(set(SETTINGS[n]) == {"lr", *OPTIMIZERS[n].knobs} for n in OPTIMIZERS)


@pytest.mark.parametrize("name", sorted(SETTINGS))
@pytest.mark.parametrize("schedule, noise", [("constant", 0.0), ("cosine", 0.3), ("warmup", 0.0)])
def test_each_worked_step_lands_on_the_paths_next_point(name, schedule, noise):
    s, n = surfaces.get("himmelblau"), 25
    start = np.array(s.start)
    path = descent.walk(s, make_optimizer(name, **SETTINGS[name]), start, n, make_schedule(schedule, n), noise, 7)
    for k in range(1, n + 1):
        lines = arithmetic.step_lines(name, SETTINGS[name], s, start, n, k, make_schedule(schedule, n), noise, 7)
        assert np.array_equal(lines[0].value, path.points[k - 1])  # θ before the update
        assert np.allclose(lines[-1].value, path.points[k], rtol=1e-12, atol=1e-14), (name, k)


def test_the_lines_read_as_the_rule_with_numbers():
    s = surfaces.get("bowl")
    lines = arithmetic.step_lines("Momentum", {"lr": 0.1, "momentum": 0.9}, s, np.array([-7.0, 2.0]), 30, 2,
                                  make_schedule("constant", 30))
    assert [line.quantity for line in lines] == [r"\theta_{1}", "g", r"\eta", "b", r"\theta_{2}"]
    g0, g1 = s.grad(np.array([-7.0, 2.0])), lines[1].value
    assert np.allclose(lines[3].value, 0.9 * g0 + g1)  # b = μ·(the first step's b = g₀) + g₁
    assert lines[3].arithmetic.startswith(r"\mu b + g = 0.9 \cdot (")
    first = arithmetic.step_lines("Momentum", {"lr": 0.1, "momentum": 0.9}, s, np.array([-7.0, 2.0]), 30, 1,
                                  make_schedule("constant", 30))
    assert "first step" in first[3].arithmetic and np.array_equal(first[3].value, g0)
