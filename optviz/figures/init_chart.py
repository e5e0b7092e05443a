"""The initialisation figure as a Vega-Lite chart that carries its neighbourhood.

The page computes the histograms of every initialisation, activation and batch-norm choice at its
depth, width and seed (a few hundred counts each), and the browser picks and draws: each side's
choice is one point selection over the fields ``i`` (initialisation), ``a`` (activation) and ``n``
(batch norm), bound to two selects and a checkbox. Streamlit reports a changed selection back to
the page, which keeps its controls, its table and the link in step.

``chart`` returns ``(columns, spec)`` for ``st.vega_lite_chart(columns, spec)``. A row of the
columns is one bin: ``k`` 0 for activations, 1 for ∂L/∂z; ``l`` the layer from 1; ``x0``, ``x1``
its edges; ``s`` the share of the layer's values in it. A set-up that overflowed has one row with
``k`` = 2 instead, which the figure shows as a message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from optviz.figures.plots import COLOURS
from optviz.i18n.text import t
from optviz.nn.initialisation import Histograms, LayerStats

Array = np.ndarray
Choice = tuple[int, int, bool]  # (initialisation, activation, batch norm), indices into the selects' options
Result = tuple[Histograms, Histograms, tuple[LayerStats, ...]] | None  # None: the set-up overflowed

PICK = "init_pick"  # + a side's suffix ("" or "2"): its selection
MAX_WIDTH = 740  # px: the page's column beside the sidebar on a 1280-px screen
GAP = 6  # px between two panels
CROWDED = 6  # more panels than this across, and only a row's first panel is labelled


class Side(NamedTuple):
    """One set-up the figure shows."""
    suffix: str  # "" or "2": its selection is PICK + suffix
    title: str  # "" when alone, else "A" or "B"
    colour: str  # its activations' colour
    pick: Choice  # what it shows first
    inits: tuple[tuple[int, str], ...]  # its initialisation select's options: (i, label)


def columns(results: Mapping[Choice, Result]) -> dict[str, Array]:
    """Every bin of every set-up in ``results`` as one row (see the module's docstring)."""
    cols: dict[str, list[Array]] = {c: [] for c in ("i", "a", "n", "k", "l", "x0", "x1", "s")}
    for (i, a, n), result in results.items():
        parts = [(2, np.zeros(1, np.int8), np.zeros(1), np.zeros(1))] if result is None else [
            (k, np.repeat(np.arange(1, len(h.shares) + 1, dtype=np.int8), h.shares.shape[1]),
             np.tile(h.edges, (len(h.shares), 1)), h.shares.ravel()) for k, h in enumerate(result[:2])]
        for k, layer, edges, shares in parts:
            size = len(shares)
            cols["i"].append(np.full(size, i, np.int8))
            cols["a"].append(np.full(size, a, np.int8))
            cols["n"].append(np.full(size, n, np.int8))
            cols["k"].append(np.full(size, k, np.int8))
            cols["l"].append(layer)
            cols["x0"].append((edges[:, :-1] if edges.ndim == 2 else edges).ravel().astype(np.float32))
            cols["x1"].append((edges[:, 1:] if edges.ndim == 2 else edges).ravel().astype(np.float32))
            cols["s"].append(shares.astype(np.float32))
    return {c: np.concatenate(v) for c, v in cols.items()}


def _picked(side: Side, bound: bool) -> str:
    """A filter expression: the rows of the set-up ``side`` picks: its selection's bound values
    (signals ``<name>_i``, ``<name>_a``, ``<name>_n``; a checkbox's true is 1), or its ``pick``
    when the figure has no inputs."""
    if not bound:
        i, a, n = side.pick
        return f"datum.i == {i} && datum.a == {a} && datum.n == {int(n)}"
    name = PICK + side.suffix
    return f"datum.i == {name}_i && datum.a == {name}_a && datum.n == +{name}_n"


def _selection(side: Side, activations: Sequence[str], lang: str) -> dict:
    prefix = f"{side.title} · " if side.title else ""
    i, a, n = side.pick
    select = lambda options, key: {"input": "select", "options": [v for v, _ in options],
                                   "labels": [label for _, label in options], "name": f"{prefix}{t(key, lang)} "}
    return {"name": PICK + side.suffix, "value": [{"i": i, "a": a, "n": bool(n)}],
            # Vega lists a selection's inputs last field first
            "select": {"type": "point", "fields": ["n", "a", "i"], "on": "none", "clear": False},
            "bind": {"n": {"input": "checkbox", "name": f"{prefix}{t('init.batchnorm', lang)} "},
                     "a": select(list(enumerate(activations)), "init.activation"), "i": select(side.inits, "init.init")}}


def chart(results: Mapping[Choice, Result], sides: Sequence[Side], activations: Sequence[str], n_layers: int,
          lang: str, height: int = 150, bound: bool = True) -> tuple[dict[str, Array], dict]:
    """Two rows of per-layer histograms, activations above and ∂L/∂z below, each side's panels
    side by side, ``height`` px high each. Each row has one y scale for every panel of both sides,
    so that two set-ups compare; each panel's x spans its set-up's shared bins. The bound inputs
    (``activations``: the activation select's labels) pick each side's set-up; without them
    (``bound`` False) the figure shows the sides' picks only, as while the neighbourhood is computed."""
    across = n_layers * len(sides)
    width = max(24, (MAX_WIDTH - 50 - GAP * (across - 1) - 16 * (len(sides) - 1)) // across)
    layer = t("init.table.layer", lang)
    overflow = t("init.overflowed", lang)

    def panel(side: Side, k: int, no: int, selections: list[dict]) -> dict:
        lead = no == 1 and side is sides[0]  # the row's first panel carries its y axis
        labelled = across <= CROWDED or no == 1  # crowded: each side's first panel carries the x labels
        x_axis = {"title": None, "tickCount": 3, "labelOverlap": True, "grid": False, "labels": labelled,
                  "ticks": labelled, "labelFlush": True, "format": ".2~g"}
        y_axis = {"title": t("fig.activation" if k == 0 else "fig.gradient", lang), "format": ".0%", "tickCount": 4,
                  # room for the widest labels whatever is picked: a panel must not move when they change
                  "minExtent": 44, "maxExtent": 44} if lead else \
            {"title": None, "labels": False, "ticks": False, "domain": False, "tickCount": 4, "minExtent": 0,
             "maxExtent": 0}
        bars = {"name": f"bars_{k}{no}{side.suffix}",  # SVG class bars_<k><no>_marks: what a test reads
                "transform": [{"filter": f"datum.k == {k} && datum.l == {no}"}],
                "mark": {"type": "rect", "color": side.colour if k == 0 else COLOURS[1]},
                "encoding": {
                    "x": {"field": "x0", "type": "quantitative", "axis": x_axis, "scale": {"nice": False, "zero": False}},
                    "x2": {"field": "x1"},
                    "y": {"field": "s", "type": "quantitative", "axis": y_axis}, "y2": {"datum": 0},
                    "tooltip": [{"field": "l", "title": layer}, {"field": "x0", "format": ".3g", "title": "≥"},
                                {"field": "x1", "format": ".3g", "title": "<"},
                                {"field": "s", "format": ".1%", "title": t("init.share", lang)}]}}
        view = {"width": width, "height": height, "transform": [{"filter": _picked(side, bound)}],
                "layer": [bars | ({"params": selections} if selections else {})]}
        if k == 0:
            view["title"] = {"text": f"{layer} {no}" if across <= CROWDED or no == 1 else str(no), "fontSize": 12,
                             "fontWeight": "normal"}
            if no == 1:  # where a set-up overflowed, its first panel says so
                view["layer"].append({"transform": [{"filter": "datum.k == 2"}],
                                      "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 13,
                                               "color": "#b00020", "limit": MAX_WIDTH // len(sides) - 20},
                                      "encoding": {"x": {"value": 0}, "y": {"value": 4},
                                                   "text": {"value": overflow}}})
        return view

    def row(k: int) -> dict:
        blocks = []
        for side in sides:
            # every side's inputs in the first panel, side B's first: Vega lists them last first
            selections = [_selection(s, activations, lang) for s in sides[::-1]] \
                if bound and k == 0 and side is sides[0] else []
            panels = [panel(side, k, no, selections if no == 1 else []) for no in range(1, n_layers + 1)]
            block = {"hconcat": panels, "spacing": GAP, "resolve": {"scale": {"x": "independent", "y": "shared"}}}
            if side.title and k == 0:
                block["title"] = {"text": side.title, "anchor": "start", "fontSize": 15}
            blocks.append(block)
        return {"hconcat": blocks, "spacing": 16, "resolve": {"scale": {"x": "independent", "y": "shared"}}}

    spec = {"vconcat": [row(0), row(1)], "spacing": 12, "autosize": {"type": "pad"},
            # the picked set-ups, once for every panel
            "transform": [{"filter": " || ".join(f"({_picked(side, bound)})" for side in sides)}],
            "resolve": {"scale": {"x": "independent", "y": "independent"}},
            "config": {"view": {"stroke": "#dddddd"}, "axis": {"labelFontSize": 11}},
            "usermeta": {"embedOptions": {"renderer": "svg"}}}
    return columns(results), spec
