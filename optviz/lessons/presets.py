"""One-click set-ups of the pages: plain values, keyed like the page's controls.

Optimizer settings are keyed ``lr_<name>`` and ``<knob>_<name>``; anything a preset leaves out
takes the page's default.
"""

from __future__ import annotations

from optviz.nn.train import NetConfig

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


def _nets(*rows: dict[str, object]) -> tuple[NetConfig, ...]:
    return tuple(NetConfig(**row) for row in rows)


# The MNIST page's experiments (Deep Learning from Scratch, chapter 6). ``settings`` are keyed
# like the page's shared controls; ``nets`` fill its table of contestants.
MNIST_PRESETS: dict[str, dict[str, object]] = {
    # Figure 6-9 plus Nesterov and RMSProp (AdamW is one edit away: at most six run at once).
    "optimizers": dict(
        settings=dict(n_train=0, batch=128, iterations=2000, hidden="100,100,100,100"),
        nets=_nets(dict(optimizer="SGD", lr=0.01), dict(optimizer="Momentum", lr=0.01),
                   dict(optimizer="Nesterov", lr=0.01), dict(optimizer="AdaGrad", lr=0.01),
                   dict(optimizer="RMSProp", lr=0.001), dict(optimizer="Adam", lr=0.001))),
    # Figure 6-15, made honest: each initialisation with sigmoid and with ReLU.
    "init": dict(
        settings=dict(n_train=0, batch=128, iterations=2000, hidden="100,100,100,100"),
        nets=_nets(*(dict(optimizer="SGD", lr=0.01, init=i, activation=a)
                     for a in ("sigmoid", "relu") for i in ("0.01", "xavier", "he")))),
    # Figure 6-19: 1000 training images, weight scales from 1 down to 1e-4, with and without BN.
    "batchnorm": dict(
        settings=dict(n_train=1000, batch=100, iterations=400, hidden="100,100,100,100,100"),
        nets=_nets(*(dict(optimizer="SGD", lr=0.01, init=s, batchnorm=bn)
                     for s in ("1", "0.01", "0.0001") for bn in (False, True)))),
    # Figures 6-20 to 6-23: 300 training images and six hidden layers overfit; L2 and dropout.
    "overfit": dict(
        settings=dict(n_train=300, batch=100, iterations=900, hidden="100,100,100,100,100,100"),
        nets=_nets(dict(optimizer="SGD", lr=0.01), dict(optimizer="SGD", lr=0.01, weight_decay=0.1),
                   dict(optimizer="SGD", lr=0.01, dropout=0.2))),
    "schedules": dict(
        settings=dict(n_train=0, batch=128, iterations=2000, hidden="100,100,100,100"),
        nets=_nets(*(dict(optimizer="Momentum", lr=0.1, schedule=s) for s in ("constant", "step", "cosine", "warmup")))),
    "custom": dict(
        settings=dict(n_train=5000, batch=64, iterations=1000, hidden="200,100"),
        nets=_nets(dict(optimizer="Adam", lr=0.001, batchnorm=True, dropout=0.1),
                   dict(optimizer="AdamW", lr=0.003, weight_decay=0.01, schedule="cosine"),
                   dict(optimizer="Momentum", lr=0.05, activation="tanh", init="xavier", weight_decay=0.001))),
}
