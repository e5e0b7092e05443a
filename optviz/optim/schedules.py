"""Learning-rate schedules: ``schedule(t) -> factor`` multiplies an optimizer's base lr at step t.

Steps count from 0. Every schedule works with every optimizer: the descent loop and the trainer
pass ``lr = opt.lr * schedule(t)`` to ``opt.step``, as a PyTorch LR scheduler would set it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Constant:
    """factor = 1."""

    def __call__(self, t: int) -> float:
        return 1.0


@dataclass(frozen=True)
class StepDecay:
    """factor = gamma^⌊t / step_size⌋ (``torch.optim.lr_scheduler.StepLR``)."""

    step_size: int
    gamma: float

    def __post_init__(self) -> None:
        if self.step_size < 1 or not 0 < self.gamma <= 1:
            raise ValueError("StepDecay needs step_size >= 1 and gamma in (0, 1]")

    def __call__(self, t: int) -> float:
        return self.gamma ** (t // self.step_size)


@dataclass(frozen=True)
class Exponential:
    """factor = gamma^t (``ExponentialLR``)."""

    gamma: float

    def __post_init__(self) -> None:
        if not 0 < self.gamma <= 1:
            raise ValueError("Exponential needs gamma in (0, 1]")

    def __call__(self, t: int) -> float:
        return self.gamma**t


@dataclass(frozen=True)
class Cosine:
    """factor = m + (1 − m)·(1 + cos(π·t / t_max)) / 2 with m = min_factor, held at m after
    t_max (``CosineAnnealingLR`` without restarts)."""

    t_max: int
    min_factor: float = 0.0

    def __post_init__(self) -> None:
        if self.t_max < 1 or not 0 <= self.min_factor <= 1:
            raise ValueError("Cosine needs t_max >= 1 and min_factor in [0, 1]")

    def __call__(self, t: int) -> float:
        t = min(t, self.t_max)
        return self.min_factor + (1 - self.min_factor) * (1 + math.cos(math.pi * t / self.t_max)) / 2


@dataclass(frozen=True)
class Warmup:
    """Linear warm-up: factor = (t + 1) / warmup_steps for the first warmup_steps steps, then 1."""

    warmup_steps: int

    def __post_init__(self) -> None:
        if self.warmup_steps < 1:
            raise ValueError("Warmup needs warmup_steps >= 1")

    def __call__(self, t: int) -> float:
        return min(1.0, (t + 1) / self.warmup_steps)


Schedule = Constant | StepDecay | Exponential | Cosine | Warmup
