"""One-click set-ups of the trajectories page: plain values, keyed like the page's controls.

Optimizer settings are keyed ``lr_<name>`` and ``<knob>_<name>``; anything a preset leaves out
takes the page's default.
"""

from __future__ import annotations

TRAJECTORY_DEFAULT_LR = {
    "SGD": 0.95, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 1.5, "RMSProp": 0.1, "Adam": 0.3,
    "AdamW": 0.3,
}

TRAJECTORY_PRESETS: dict[str, dict[str, object]] = {
    # Deep Learning from Scratch, figure 6-8: the four optimizers from (−7, 2) for 30 steps.
    "book": dict(surface="bowl", opts=["SGD", "Momentum", "AdaGrad", "Adam"], steps=30,
                 x0=-7.0, y0=2.0, sched="constant", noise=0.0,
                 lr_SGD=0.95, lr_Momentum=0.1, lr_AdaGrad=1.5, lr_Adam=0.3),
    # Start almost on the stable line of (1 − w₁w₂)²'s saddle: plain GD stalls, momentum and
    # noise leave along the downhill eigenvector.
    "saddle": dict(surface="li", opts=["SGD", "Momentum", "Adam"], steps=200, x0=-1.5, y0=1.5001,
                   sched="constant", noise=0.0, lr_SGD=0.02, lr_Momentum=0.02, lr_Adam=0.02),
    # κ = 100: SGD's lr is capped by the steep axis, adaptive methods rescale each axis.
    "illcond": dict(surface="conditioned", kappa=100.0, opts=["SGD", "Momentum", "RMSProp", "Adam"],
                    steps=100, x0=-9.0, y0=3.0, sched="constant", noise=0.0,
                    lr_SGD=0.9, lr_Momentum=0.1, lr_RMSProp=0.1, lr_Adam=0.5),
    "rosenbrock": dict(surface="rosenbrock", opts=["SGD", "Momentum", "RMSProp", "Adam"], steps=1000,
                       x0=-1.5, y0=2.0, sched="constant", noise=0.0,
                       lr_SGD=0.0003, lr_Momentum=0.0003, lr_Adam=0.05, lr_RMSProp=0.003),
}

# The book's activation-histogram figures (Deep Learning from Scratch, 6.2).
INIT_PRESETS: dict[str, dict[str, object]] = {
    "sig1": dict(init="1", act="sigmoid", layers=5, units=100, bn=False),
    "sig001": dict(init="0.01", act="sigmoid", layers=5, units=100, bn=False),
    "sigxavier": dict(init="xavier", act="sigmoid", layers=5, units=100, bn=False),
    "relu001": dict(init="0.01", act="relu", layers=5, units=100, bn=False),
    "reluxavier": dict(init="xavier", act="relu", layers=5, units=100, bn=False),
    "reluhe": dict(init="he", act="relu", layers=5, units=100, bn=False),
}
