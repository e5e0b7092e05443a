"""Vega-Lite specs for the class's guesses: a point clicked on a surface's contour map, or a number
on a line. Before the reveal a student clicks (the spec's selection ``GUESS`` picks the nearest
lattice point) and sees their own guess; at the reveal every guess is drawn as a cloud with the
experiment's answer. Words come in from the caller, already translated.
"""

from __future__ import annotations

from optviz.figures import plots
from optviz.figures.path_chart import STAR
from optviz.toy.surfaces import Surface

GUESS = "guess"  # the click selection's name
WIDTH = 560  # px of the plot
CLOUD, ANSWER, OWN = "#0072B2", "#D55E00", "#000000"


def _guesses(values: dict, kind: str) -> list[dict]:
    """Rows of a cloud: ``values`` maps a guess to how many gave it, each drawn once per giver,
    spread over a small deterministic jitter so equal guesses stay countable."""
    rows = []
    for k, (value, n) in enumerate(sorted(values.items())):
        for j in range(n):
            row = {"x": value[0], "y": value[1]} if kind == "point" else {"x": value}
            rows.append(row | {"j": ((k * 7 + j * 13) % 17) / 16 - 0.5})
    return rows


def point_spec(surface: Surface, start: tuple[float, float], words: dict[str, str], guesses: dict | None = None,
               answer: tuple[float, float] | None = None, mine: tuple[float, float] | None = None,
               width: int = WIDTH) -> dict:
    """The contour map of ``surface`` (``width`` px wide, in the window's aspect) with the start
    marked; clickable (selection GUESS) unless ``guesses`` ((x, y) -> count) and ``answer`` are
    given, which draw the class's cloud and the answer instead. ``mine`` marks the student's own
    guess. ``words``: "start", "answer", "mine"."""
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    height = round(width * (y1 - y0) / (x1 - x0))
    axis = {"title": None, "grid": False}
    x = {"field": "x", "type": "quantitative", "scale": {"domain": [x0, x1], "nice": False, "zero": False}, "axis": axis}
    y = {"field": "y", "type": "quantitative", "scale": {"domain": [y0, y1], "nice": False, "zero": False}, "axis": axis}
    layers = [{"data": {"values": [{"x": x0, "y": y1, "x2": x1, "y2": y0, "url": plots.contour_picture(surface)}]},
               "mark": {"type": "image", "aspect": False},
               "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"}, "url": {"field": "url"}}}]
    if guesses is None:
        lattice = [{"x": round(float(a), 9), "y": round(float(b), 9)}
                   for a, b in zip(*plots.click_lattice(surface), strict=True)]
        layers.append({"data": {"values": lattice}, "mark": {"type": "point", "opacity": 0},
                       "params": [{"name": GUESS, "select": {"type": "point", "fields": ["x", "y"], "on": "click",
                                                             "nearest": True, "clear": False}}],
                       "encoding": {"x": x, "y": y}})
    else:
        layers.append({"data": {"values": _guesses(guesses, "point")},
                       "mark": {"type": "circle", "size": 70, "opacity": 0.55, "color": CLOUD, "clip": True},
                       "encoding": {"x": x, "y": y}})
    marks = [(start, words["start"], "circle", "white", 130)]
    if mine is not None:
        marks.append((mine, words["mine"], "diamond", OWN, 150))
    if answer is not None:
        marks.append((answer, words["answer"], STAR, ANSWER, 420))
    for (px, py), label, shape, fill, size in marks:
        layers.append({"data": {"values": [{"x": px, "y": py, "label": label}]},
                       "mark": {"type": "point", "shape": shape, "filled": True, "fill": fill, "stroke": "#222222",
                                "strokeWidth": 1.5, "size": size, "clip": True},
                       "encoding": {"x": x, "y": y, "tooltip": [{"field": "label", "title": " "},
                                                                {"field": "x", "format": ".3f"},
                                                                {"field": "y", "format": ".3f"}]}})
        layers.append({"data": {"values": [{"x": px, "y": py, "label": label}]},
                       "mark": {"type": "text", "dy": -16, "fontSize": 13, "fontWeight": "bold", "clip": True},
                       "encoding": {"x": x, "y": y, "text": {"field": "label"}}})
    return {"width": width, "height": height, "autosize": {"type": "pad"}, "layer": layers,
            "usermeta": {"embedOptions": {"renderer": "svg"}}}


def curve_spec(curve: tuple, x_hi: float, y_hi: float, shown: float, words: dict[str, str], guesses: dict | None = None,
               answer: tuple[float, float] | None = None, mine: tuple[float, float] | None = None,
               width: int = WIDTH) -> dict:
    """A loss curve's axes (iteration 0..``x_hi``, loss 0..``y_hi``) with its first ``shown`` share
    drawn and a line at its last iteration to click a height on (selection GUESS); with ``guesses``
    ((x, y) -> count) and ``answer``, the whole curve, the class's cloud just left of the line, and
    the answer. ``words``: "answer", "mine", "iteration", "loss"."""
    x = {"field": "x", "type": "quantitative", "scale": {"domain": [0, x_hi], "nice": False},
         "axis": {"title": words["iteration"], "grid": False}}
    y = {"field": "y", "type": "quantitative", "scale": {"domain": [0, y_hi], "nice": False},
         "axis": {"title": words["loss"], "grid": True}}
    seen = [{"x": t, "y": v} for t, v in curve if guesses is not None or t <= shown * x_hi]
    layers = [{"data": {"values": seen}, "mark": {"type": "line", "color": "#555555", "strokeWidth": 2},
               "encoding": {"x": x, "y": y}},
              {"data": {"values": [{"x": x_hi}]}, "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#888888"},
               "encoding": {"x": x}}]
    if guesses is None:
        lattice = [{"x": x_hi, "y": round(y_hi * k / 100, 6)} for k in range(101)]
        layers.append({"data": {"values": lattice}, "mark": {"type": "point", "opacity": 0},
                       "params": [{"name": GUESS, "select": {"type": "point", "fields": ["x", "y"], "on": "click",
                                                             "nearest": True, "clear": False}}],
                       "encoding": {"x": x, "y": y}})
    else:
        cloud = [r | {"x": x_hi * (1 - 0.015 * (1.5 + r["j"]))} for r in _guesses(guesses, "point")]
        layers.append({"data": {"values": cloud}, "mark": {"type": "circle", "size": 70, "opacity": 0.55, "color": CLOUD},
                       "encoding": {"x": x, "y": y}})
    for point, label, fill, shape in ((mine, words["mine"], OWN, "diamond"), (answer, words["answer"], ANSWER, STAR)):
        if point is not None:
            row = [{"x": point[0], "y": point[1], "label": label}]
            layers.append({"data": {"values": row}, "mark": {"type": "point", "shape": shape, "filled": True, "fill": fill,
                                                             "stroke": "#222222", "size": 300 if shape == STAR else 150},
                           "encoding": {"x": x, "y": y}})
            layers.append({"data": {"values": row}, "mark": {"type": "text", "dx": -12, "align": "right",
                                                             "fontWeight": "bold", "fontSize": 13},
                           "encoding": {"x": x, "y": y, "text": {"field": "label"}}})
    return {"width": width, "height": round(width * 0.5), "autosize": {"type": "pad"}, "layer": layers,
            "usermeta": {"embedOptions": {"renderer": "svg"}}}


def number_spec(lo: float, hi: float, guesses: dict[float, int], answer: float, words: dict[str, str],
                width: int = WIDTH) -> dict:
    """The class's numbers on a line from ``lo`` to ``hi`` (``guesses``: number -> count), each a
    dot jittered up or down, and the answer as a labelled rule; ``width`` in px. ``words``: "answer"."""
    x = {"field": "x", "type": "quantitative", "scale": {"domain": [lo, hi], "nice": False, "zero": False},
         "axis": {"title": None, "grid": True}}
    return {"width": width, "height": 130, "autosize": {"type": "pad"}, "layer": [
        {"data": {"values": _guesses(guesses, "number")},
         "mark": {"type": "circle", "size": 80, "opacity": 0.55, "color": CLOUD},
         "encoding": {"x": x, "y": {"field": "j", "type": "quantitative", "scale": {"domain": [-1, 1]}, "axis": None}}},
        {"data": {"values": [{"x": answer, "label": words["answer"]}]},
         "mark": {"type": "rule", "color": ANSWER, "strokeWidth": 3}, "encoding": {"x": x}},
        {"data": {"values": [{"x": answer, "label": words["answer"]}]},
         "mark": {"type": "text", "color": ANSWER, "dy": -58, "fontSize": 13, "fontWeight": "bold"},
         "encoding": {"x": x, "text": {"field": "label"}}},
    ], "usermeta": {"embedOptions": {"renderer": "svg"}}}
