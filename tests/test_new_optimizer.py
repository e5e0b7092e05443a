"""An eighth optimizer is one registry entry plus its knob's words: registered here (Lion, Chen et
al. 2023, with a knob of its own), it appears on every page that offers optimizers, every tab of
the trajectories page works with it (the Curvature tab's worked update included), and it races on
MNIST beside the book's optimizers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pytest
from apptest import open_page
from test_mnist_page import finish, race

from optviz.i18n import text
from optviz.nn import train
from optviz.nn.train import NetConfig
from optviz.optim.registry import OPTIMIZERS, Knob, OptimizerSpec, make_schedule
from optviz.toy import arithmetic, surfaces

Array = np.ndarray


class LionState(NamedTuple):
    m: Array  # running mean of gradients
    t: int


@dataclass(frozen=True)
class Lion:
    """Lion: θ ← θ − η·sign(γm + (1 − γ)g); m ← 0.99m + 0.01g."""

    lr: float = 1e-4
    gamma: float = 0.9
    weight_decay: float = 0.0

    def init(self, params: Array) -> LionState:
        return LionState(np.zeros_like(params), 0)

    def step(self, params: Array, grads: Array, state: LionState, lr: float | None = None) -> tuple[Array, LionState]:
        lr = self.lr if lr is None else lr
        move = np.sign(self.gamma * state.m + (1 - self.gamma) * grads).astype(params.dtype)
        m = (0.99 * state.m + 0.01 * grads).astype(params.dtype)
        return params - params.dtype.type(lr) * move, LionState(m, state.t + 1)


@pytest.fixture
def lion(monkeypatch):
    """Lion in the registry, and its knob's words in both languages: nothing else."""
    spec = OptimizerSpec(Lion, {"gamma": Knob((0.5, 0.9, 0.99), 0.9, "γ")}, 0.05,
                         r"\theta \leftarrow \theta - \eta\, \mathrm{sign}(\gamma m + (1-\gamma) g)")
    monkeypatch.setitem(OPTIMIZERS, "Lion", spec)
    monkeypatch.setitem(text.BOOKS["en"], "opt.gamma", "γ (Lion's interpolation)")
    monkeypatch.setitem(text.BOOKS["zh"], "opt.gamma", "γ（Lion 的插值）")
    return spec


def test_its_update_is_worked_out_in_one_line_that_lands_on_the_path(lion):
    surface, start, lr = surfaces.get("bowl"), np.array([-7.0, 2.0]), 0.05
    settings = {"lr": lr, "gamma": 0.5}
    lines = arithmetic.step_lines("Lion", settings, surface, start, 30, 4, make_schedule("constant", 30))
    opt, p = Lion(lr=lr, gamma=0.5), start.copy()
    state = opt.init(p)
    for _ in range(4):  # four steps by hand: the worked update's last line is the fourth point
        p, state = opt.step(p, surface.grad(p), state)
    np.testing.assert_allclose(lines[-1].value, p, atol=1e-12)
    assert lines[-1].quantity == r"\theta_{4}" and len(lines) == 4  # θ, g, η, then its own step


@pytest.mark.parametrize("tab", ["Loss and distance", "One panel each", "3-D surface", "Curvature", "Basins"])
def test_every_tab_of_the_trajectories_page_works_with_it(lion, tab):
    at = open_page("trajectories")
    at.multiselect(key="traj_opts").set_value(["SGD", "Lion"]).run()
    assert [s.label for s in at.select_slider if "Lion" in s.key] == ["Learning rate", "γ (Lion's interpolation)"]
    at.select_slider(key="traj_gamma_Lion").set_value(0.5).run()
    at.session_state["traj_tab"] = tab
    at.run()
    if tab == "Curvature":
        at.radio(key="traj_at").set_value("Lion").run()
        at.slider(key="traj_at_step").set_value(3).run()
        worked = next(x.value for x in at.latex if "aligned" in x.value)
        assert r"\theta_{3}" in worked and r"\Delta\theta" in worked
    assert not at.exception
    assert any(m.value == "**Lion**" for m in at.markdown) and any(lion.formula in x.value for x in at.latex)  # its rule


def test_it_races_on_mnist_beside_the_book_optimizers(lion):
    at = open_page("mnist")
    at.select_slider(key="mnist_iterations").set_value(100).run()
    nets = list(at.session_state["mnist_nets"])
    nets[5] = NetConfig("Lion", 0.001)
    at.session_state["mnist_nets"] = tuple(nets)
    at.session_state["mnist_table"] += 1
    at.run()
    at.button(key="mnist_start").click().run()
    finish(at)
    runs = race(at)
    assert runs[5].key.net.optimizer == "Lion" and runs[5].done and not at.exception
    assert runs[5].final[0] > 0.3  # it learned (chance is 0.1)
    assert np.isnan(runs[5].stability_limit(0))  # no one line of sharpness for a sign-based step
    at.toggle(key="mnist_inside").set_value(True).run()  # the inside view and its sharpness, with Lion picked
    at.selectbox(key="mnist_inside_net").set_value(5).run()
    at.toggle(key="mnist_sharp_on").set_value(True).run()
    at.toggle(key="mnist_plane_on").set_value(True).run()
    assert not at.exception and any("of the path's variance" in c.value for c in at.caption)
    lone = train.Run(runs[5].key, runs[5].data)
    while not lone.done:
        lone.advance(10.0)
    assert np.array_equal(lone.losses, runs[5].losses)  # its optimizer, not another's arithmetic
