"""The optimizers and schedules a page can offer, by name, with the knobs each one exposes."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from optviz import optimizers as opt
from optviz import schedules as sch


class OptimizerSpec(NamedTuple):
    """Everything the app needs to offer an optimizer: adding one is one entry here (its colour in a
    figure cycles through the palette unless plots.OPTIMIZER_STYLES names one)."""

    factory: Callable[..., opt.Optimizer]  # called with lr and the knobs below
    knobs: tuple[str, ...]  # hyper-parameters a page lets the student set besides lr (KNOB_VALUES)
    trajectory_lr: float  # learning rate on the trajectories page until the student moves it
    formula: str  # the update rule in LaTeX, as the pages show it


OPTIMIZERS: dict[str, OptimizerSpec] = {
    "SGD": OptimizerSpec(opt.SGD, (), 0.95, r"\theta \leftarrow \theta - \eta\, g"),
    "Momentum": OptimizerSpec(opt.Momentum, ("momentum",), 0.1,
                              r"b \leftarrow \mu b + g,\quad \theta \leftarrow \theta - \eta\, b"),
    "Nesterov": OptimizerSpec(opt.Nesterov, ("momentum",), 0.1,
                              r"b \leftarrow \mu b + g,\quad \theta \leftarrow \theta - \eta\,(g + \mu b)"),
    "AdaGrad": OptimizerSpec(opt.AdaGrad, (), 1.5, r"h \leftarrow h + g^2,\quad "
                             r"\theta \leftarrow \theta - \eta\, \frac{g}{\sqrt{h} + \epsilon}"),
    "RMSProp": OptimizerSpec(opt.RMSProp, ("alpha",), 0.1, r"v \leftarrow \alpha v + (1-\alpha)\, g^2,\quad "
                             r"\theta \leftarrow \theta - \eta\, \frac{g}{\sqrt{v} + \epsilon}"),
    "Adam": OptimizerSpec(opt.Adam, ("beta1", "beta2"), 0.3,
                          r"m \leftarrow \beta_1 m + (1-\beta_1) g,\ v \leftarrow \beta_2 v + (1-\beta_2) g^2,\ "
                          r"\theta \leftarrow \theta - \eta\, \frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)} + \epsilon}"),
    "AdamW": OptimizerSpec(opt.AdamW, ("beta1", "beta2", "weight_decay"), 0.3,
                           r"\theta \leftarrow \theta\,(1 - \eta\lambda),\ \text{then the Adam step}"),
}

# The grids sliders choose from: exact values keep shared links exact.
LR_VALUES = (
    0.0001, 0.0003, 0.001, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5,
    0.7, 0.9, 0.95, 1.0, 1.05, 1.2, 1.5, 2.0, 3.0, 5.0, 10.0,
)
# How tables write a setting, the same in every language.
SYMBOLS = {"lr": "η", "momentum": "μ", "beta1": "β₁", "beta2": "β₂", "alpha": "α", "weight_decay": "λ"}
KNOB_VALUES: dict[str, tuple[float, ...]] = {
    "momentum": (0.0, 0.5, 0.8, 0.9, 0.95, 0.99),
    "beta1": (0.0, 0.5, 0.8, 0.9, 0.95, 0.99),
    "beta2": (0.9, 0.99, 0.999, 0.9999),
    "alpha": (0.5, 0.9, 0.99, 0.999),
    "weight_decay": (0.0, 0.001, 0.01, 0.1, 0.5),
}
KNOB_DEFAULTS = {"momentum": 0.9, "beta1": 0.9, "beta2": 0.999, "alpha": 0.99, "weight_decay": 0.01}


def knob_values(name: str, knob: str) -> tuple[float, ...]:
    """The grid optimizer ``name`` offers for ``knob``: Nesterov needs momentum > 0, as in PyTorch
    (at 0 it would be plain SGD under another name)."""
    values = KNOB_VALUES[knob]
    return tuple(v for v in values if v > 0) if (name, knob) == ("Nesterov", "momentum") else values


def make_optimizer(name: str, lr: float, **knobs: float) -> opt.Optimizer:
    """The optimizer ``name`` with learning rate ``lr`` and the page's knobs (beta1/beta2 are
    PyTorch's ``betas`` pair)."""
    factory = OPTIMIZERS[name].factory
    kw = dict(knobs)
    if "beta1" in kw or "beta2" in kw:
        kw["betas"] = (kw.pop("beta1", 0.9), kw.pop("beta2", 0.999))
    return factory(lr=lr, **kw)


# Every schedule is relative to the run's length T, so it does the same on a 30-step trajectory
# and a 2,000-iteration MNIST race. Their names and formulas are text.SCHEDULE_NAMES/_FORMULAS.
SCHEDULES: dict[str, Callable[[int], sch.Schedule]] = {
    "constant": lambda n: sch.Constant(),
    "step": lambda n: sch.StepDecay(step_size=max(1, -(-n // 3)), gamma=0.2),  # ×0.2 at T/3 and 2T/3
    "exponential": lambda n: sch.Exponential(gamma=0.01 ** (1 / max(1, n))),  # 1 % of η₀ at T
    "cosine": lambda n: sch.Cosine(t_max=max(1, n)),
    "warmup": lambda n: sch.Warmup(warmup_steps=max(1, -(-n // 10))),  # the first tenth of the run
}


def make_schedule(key: str, n_steps: int) -> sch.Schedule:
    """Schedule ``key`` for a run of ``n_steps`` steps."""
    return SCHEDULES[key](n_steps)
