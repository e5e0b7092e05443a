"""A race's networks in words: what sets each apart, and the changes made to one mid-run, in the
page's language (the training core, ``optviz.nn.train``, knows no language)."""

from __future__ import annotations

from optviz.i18n.text import ACTIVATION_NAMES, SCHEDULE_NAMES, named, t
from optviz.nn.train import CHANGEABLE, NetConfig, RunKey

_FIELDS = ("optimizer", "lr", "init", "activation", "batchnorm", "dropout", "weight_decay", "schedule")


def describe(net: NetConfig, field_name: str, lang: str = "en") -> str:
    """One setting of ``net`` in a few characters of ``lang`` ("" for a regulariser that is off)."""
    v = getattr(net, field_name)
    return {
        "optimizer": lambda: f"{v}",
        "lr": lambda: t("net.lr", lang, v=f"{v:g}"),
        "init": lambda: v.capitalize() if v in ("he", "xavier") else t("init.std", lang, s=f"{float(v):g}"),
        "activation": lambda: named(ACTIVATION_NAMES, v, lang),
        "batchnorm": lambda: t("net.bn", lang) if v else "",
        "dropout": lambda: t("net.dropout", lang, v=f"{v:g}") if v else "",
        "weight_decay": lambda: t("net.decay" if net.decoupled else "net.l2", lang, v=f"{v:g}") if v else "",
        "schedule": lambda: named(SCHEDULE_NAMES, v, lang),
    }[field_name]()


def labels(nets: tuple[NetConfig, ...], lang: str = "en") -> list[str]:
    """Short unique names, in ``lang``, that show what sets each network apart from the others."""
    varying = [f for f in _FIELDS if len({getattr(n, f) for n in nets}) > 1]
    if not varying:
        varying = ["optimizer"]
    names = [" · ".join(filter(None, (describe(n, f, lang) for f in varying))) or describe(n, "optimizer") for n in nets]
    return [f"{name} #{k + 1}" if names.count(name) > 1 else name for k, name in enumerate(names)]


def changes_label(key: RunKey, lang: str = "en") -> str:
    """The mid-run changes of ``key`` in a few characters of ``lang``, e.g. " → lr 0.1 @500"; "" without."""
    out, before = "", key.net
    for change in key.changes:
        moved = [describe(change.net, f, lang) for f in CHANGEABLE if getattr(change.net, f) != getattr(before, f)]
        out += " → " + " · ".join(moved) + f" @{change.at}"
        before = change.net
    return out
