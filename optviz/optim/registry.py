"""The optimizers and schedules a page can offer, by name, with the knobs each one exposes."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from optviz.optim import optimizers as opt
from optviz.optim import schedules as sch
from optviz.optim import worked


class Knob(NamedTuple):
    """A hyper-parameter a page lets the student set besides lr: the grid its slider chooses from
    (exact values keep shared links exact), where it starts, and how tables write it."""

    values: tuple[float, ...]
    default: float
    symbol: str


MOMENTUM = Knob((0.0, 0.5, 0.8, 0.9, 0.95, 0.99), 0.9, "μ")
BETA1 = Knob((0.0, 0.5, 0.8, 0.9, 0.95, 0.99), 0.9, "β₁")
BETA2 = Knob((0.9, 0.99, 0.999, 0.9999), 0.999, "β₂")
ALPHA = Knob((0.5, 0.9, 0.99, 0.999), 0.99, "α")
DECAY = Knob((0.0, 0.001, 0.01, 0.1, 0.5), 0.01, "λ")


class OptimizerSpec(NamedTuple):
    """Everything the app needs to offer an optimizer: adding one is one entry here, plus its
    knobs' words ("opt.<knob>") in each locale file (its colour in a figure cycles through the
    palette unless plots.OPTIMIZER_STYLES names one)."""

    factory: Callable[..., opt.Optimizer]  # called with lr and the knobs below
    knobs: dict[str, Knob]  # by the keyword the factory takes (beta1/beta2 go as PyTorch's ``betas``)
    trajectory_lr: float  # learning rate on the trajectories page until the student moves it
    formula: str  # the update rule in LaTeX, as the pages show it
    worked: Callable[..., list] | None = None  # its update worked out with numbers (optviz.optim.worked); None: one line
    decoupled: bool = False  # a race's weight decay shrinks the weights itself (AdamW), not through the gradient


OPTIMIZERS: dict[str, OptimizerSpec] = {
    "SGD": OptimizerSpec(opt.SGD, {}, 0.95, r"\theta \leftarrow \theta - \eta\, g", worked.sgd),
    "Momentum": OptimizerSpec(opt.Momentum, {"momentum": MOMENTUM}, 0.1,
                              r"b \leftarrow \mu b + g,\quad \theta \leftarrow \theta - \eta\, b", worked.momentum),
    "Nesterov": OptimizerSpec(opt.Nesterov, {"momentum": MOMENTUM._replace(values=MOMENTUM.values[1:])}, 0.1,
                              r"b \leftarrow \mu b + g,\quad \theta \leftarrow \theta - \eta\,(g + \mu b)",
                              worked.nesterov),  # momentum > 0, as in PyTorch (at 0 it would be plain SGD)
    "AdaGrad": OptimizerSpec(opt.AdaGrad, {}, 1.5, r"h \leftarrow h + g^2,\quad "
                             r"\theta \leftarrow \theta - \eta\, \frac{g}{\sqrt{h} + \epsilon}", worked.adagrad),
    "RMSProp": OptimizerSpec(opt.RMSProp, {"alpha": ALPHA}, 0.1, r"v \leftarrow \alpha v + (1-\alpha)\, g^2,\quad "
                             r"\theta \leftarrow \theta - \eta\, \frac{g}{\sqrt{v} + \epsilon}", worked.rmsprop),
    "Adam": OptimizerSpec(opt.Adam, {"beta1": BETA1, "beta2": BETA2}, 0.3,
                          r"m \leftarrow \beta_1 m + (1-\beta_1) g,\ v \leftarrow \beta_2 v + (1-\beta_2) g^2,\ "
                          r"\theta \leftarrow \theta - \eta\, \frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)} + \epsilon}",
                          worked.adam),
    "AdamW": OptimizerSpec(opt.AdamW, {"beta1": BETA1, "beta2": BETA2, "weight_decay": DECAY}, 0.3,
                           r"\theta \leftarrow \theta\,(1 - \eta\lambda),\ \text{then the Adam step}", worked.adam,
                           decoupled=True),
}

# The grid the learning-rate sliders choose from.
LR_VALUES = (
    0.0001, 0.0003, 0.001, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5,
    0.7, 0.9, 0.95, 1.0, 1.05, 1.2, 1.5, 2.0, 3.0, 5.0, 10.0,
)


def symbol(knob: str) -> str:
    """How tables write a setting ("lr" or a knob of any optimizer), the same in every language."""
    return "η" if knob == "lr" else next(spec.knobs[knob].symbol for spec in OPTIMIZERS.values() if knob in spec.knobs)


def knob_names() -> set[str]:
    """Every knob some optimizer offers (each has its words, "opt.<knob>", in the locale files)."""
    return {knob for spec in OPTIMIZERS.values() for knob in spec.knobs}


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
