"""Predict-then-reveal questions: the class answers before it sees the experiment that settles it.

Each question belongs to a page and opens one of its set-ups when revealed; its words are under
``q.<key>`` in the locale files (``q.<key>`` the question, ``q.<key>.<option>`` each choice,
``q.<key>.why`` what the experiment shows). ``answer`` is what the page computes with that set-up,
checked by tests/test_questions.py against the core.

Three kinds of answer: a choice among ``options``; a number in [lo, hi]; a point (x, y) clicked on
the set-up's contour. An answer travels and is stored as text: the choice's code, the number
("0.85"), or the point ("-1.5,0.25").

A teacher writes questions of their own about what a page shows ("Ask the class about this"): the
set-up is the page's link, the prompt the teacher's words, and the answer what the page computed
(``lowest``, ``highest``, ``end_of``, ``curve_end``, ``number``). A class's own questions go to and come from a small TOML file.
"""

from __future__ import annotations

import json
import math
import statistics
import tomllib
from typing import NamedTuple

import numpy as np

OWN_MAX = 50  # questions a TOML file may bring
TEXT_MAX = 500  # characters of a prompt, an option or a link
CURVE_POINTS = 120  # points of a loss curve a question carries
CURVE_SHOWN = 0.25  # share of the curve a student sees before the reveal


class Question(NamedTuple):
    key: str
    page: str  # the page's url path
    setup: str  # what the reveal opens: a preset of the page, or one of its tabs ("tab:<name>")
    options: tuple[str, ...]  # the choices; () for a number or a point
    answer: str  # as stored: a choice, a number or "x,y"
    kind: str = "choice"  # "choice", "number" or "point"
    lo: float = 0.0  # a number's bounds, or a point's x bounds and ...
    hi: float = 0.0
    lo2: float = 0.0  # ... its y bounds
    hi2: float = 0.0
    map: tuple = ()  # a point's map: (surface key, kappa, start x, start y), or ("curve", share of it shown first)
    prompt: str = ""  # a teacher's own question in their words ("" for the built-in ones, whose words are in the locales)
    curve: tuple = ()  # a curve map's (iteration, loss) points


# In teaching order: the teacher's "Next question" walks through them.
QUESTIONS = (
    Question("lowest", "trajectories", "book", ("SGD", "Momentum", "AdaGrad", "Adam"), "AdaGrad"),
    Question("where", "trajectories", "book", (), "0.8964,0.0881", "point", -10.0, 10.0, -5.0, 5.0, ("bowl", 20.0, -7.0, 2.0)),
    Question("stable", "trajectories", "book", (), "1", "number", 0.0, 5.0),
    Question("escape", "trajectories", "saddle", ("SGD", "Momentum", "Adam", "none"), "Momentum"),
    Question("sig1", "initialisation", "sig1", ("ends", "middle", "spread"), "ends"),
    Question("sig001", "initialisation", "sig001", ("ends", "middle", "spread"), "middle"),
    Question("noise", "batch_size", "tab:noise", ("same", "half", "quarter", "sixteenth"), "quarter"),
    Question("epochs", "batch_size", "tab:surface", ("one", "ten", "all"), "one"),
    Question("race", "mnist", "optimizers", ("SGD", "Momentum", "AdaGrad", "Adam"), "SGD"),
    Question("init_race", "mnist", "init", ("xavier_sigmoid", "he_sigmoid", "xavier_relu", "he_relu"), "he_relu"),
)
BY_KEY = {q.key: q for q in QUESTIONS}


def following(key: str | None, keys: list[str] | None = None) -> str:
    """The question after ``key`` in ``keys`` (the built-in questions' by default; the first after
    None, the last, or a key not in them)."""
    keys = keys or [q.key for q in QUESTIONS]
    return keys[(keys.index(key) + 1) % len(keys)] if key in keys else keys[0]


def on_page(page: str) -> tuple[Question, ...]:
    return tuple(q for q in QUESTIONS if q.page == page)


def read(question: Question, text: str) -> str | float | tuple[float, float] | None:
    """A stored answer as its value (the choice, the number, the point), or None when it is not
    one that ``question`` accepts (unknown choice, not finite, out of bounds)."""
    if question.kind == "choice":
        return text if text in question.options else None
    try:
        values = [float(v) for v in text.split(",")]
    except (ValueError, AttributeError):
        return None
    if question.kind == "number" and len(values) == 1 and math.isfinite(values[0]) \
            and question.lo <= values[0] <= question.hi:
        return values[0]
    if question.kind == "point" and len(values) == 2 and all(map(math.isfinite, values)) \
            and question.lo <= values[0] <= question.hi and question.lo2 <= values[1] <= question.hi2:
        return values[0], values[1]
    return None


def written(value: float | tuple[float, float]) -> str:
    """A number or a point as an answer is stored: at most 4 significant decimals, no trailing zeros."""
    values = value if isinstance(value, tuple) else (value,)
    return ",".join(f"{round(float(v), 4):g}" for v in values)


def error(question: Question, text: str) -> float:
    """How far an answer is from the experiment's: 0 or 1 for a choice, the absolute difference
    for a number, the distance for a point (nan for an answer ``question`` does not accept)."""
    guess, truth = read(question, text), read(question, question.answer)
    if guess is None:
        return math.nan
    if question.kind == "choice":
        return float(guess != truth)
    if question.kind == "number":
        return abs(guess - truth)
    return math.dist(guess, truth)


def median_error(question: Question, counts: dict[str, int]) -> float:
    """The class's median error (see ``error``) over ``counts`` (answer -> how many gave it); nan
    when no answer counts."""
    errors = [e for text, n in counts.items() for e in [error(question, text)] * n if not math.isnan(e)]
    return statistics.median(errors) if errors else math.nan


# -- a teacher's own questions ------------------------------------------------------------------


def lowest(page: str, link: str, ends: dict[str, float], prompt: str) -> Question:
    """Which of the paths ends lowest: ``ends`` maps each optimizer to f at its path's end (a
    diverged one counts as +inf)."""
    finite = {name: (v if np.isfinite(v) else math.inf) for name, v in ends.items()}
    return Question("", page, link, tuple(ends), min(finite, key=finite.get), prompt=prompt)


def highest(page: str, link: str, values: dict[str, float], prompt: str) -> Question:
    """Which ends highest (a test accuracy): ``values`` maps each name to its value (nan never wins)."""
    return lowest(page, link, {name: -v for name, v in values.items()}, prompt)


def end_of(page: str, link: str, end: tuple[float, float], window: tuple[tuple[float, float], tuple[float, float]],
           surface: tuple[str, float, float, float], prompt: str) -> Question:
    """Where a path ends, clicked on the map ``surface`` (key, kappa, start x, start y) inside
    ``window`` ((x0, x1), (y0, y1)); a point outside the window is answered at its edge."""
    (x0, x1), (y0, y1) = window
    point = (min(max(end[0], x0), x1), min(max(end[1], y0), y1))
    return Question("", page, link, (), written(point), "point", x0, x1, y0, y1,
                    surface, prompt)


def curve_end(page: str, link: str, losses: np.ndarray, prompt: str) -> Question:
    """Where a (smoothed) loss curve ends, clicked on its axes at its last iteration N = len(losses):
    the student sees its first CURVE_SHOWN and clicks a height on the line at N. ``losses[t]``: the
    loss after t + 1 iterations (nan where unknown)."""
    n = len(losses)
    finite = np.isfinite(losses)
    picks = np.unique(np.linspace(0, n - 1, CURVE_POINTS).round().astype(int))
    curve = tuple((int(t + 1), round(float(losses[t]), 4)) for t in picks if finite[t])
    top = float(np.nanmax(losses)) if finite.any() else 1.0
    end = float(losses[-1]) if finite[-1] else top
    return Question("", page, link, (), written((float(n), end)), "point", 0.0, float(n), 0.0, round(1.1 * top, 2),
                    ("curve", CURVE_SHOWN), prompt, curve)


def number(page: str, link: str, value: float, hi: float, prompt: str) -> Question:
    """A number the page computed, asked on [0, ``hi``]."""
    return Question("", page, link, (), written(value), "number", 0.0, float(hi), prompt=prompt)


def to_json(question: Question) -> str:
    return json.dumps(question._asdict(), ensure_ascii=False)


def from_json(key: str, text: str) -> Question:
    fields = json.loads(text)
    return Question(**fields | {"key": key, "options": tuple(fields["options"]), "map": tuple(fields["map"]),
                                "curve": tuple(tuple(p) for p in fields.get("curve", ()))})


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def to_toml(questions: list[Question]) -> str:
    """A class's own questions as TOML: one ``[[question]]`` table each."""
    out = ["# optviz: a class's own questions. Import it on the class board to ask them again.\n"]
    for q in questions:
        out.append("[[question]]")
        for field in ("prompt", "page", "setup", "kind", "answer"):
            out.append(f"{field} = {_toml_string(getattr(q, field))}")
        if q.options:
            out.append("options = [" + ", ".join(map(_toml_string, q.options)) + "]")
        if q.kind != "choice":
            out.append(f"bounds = [{q.lo!r}, {q.hi!r}" + (f", {q.lo2!r}, {q.hi2!r}]" if q.kind == "point" else "]"))
        if q.map:
            out.append("map = [" + ", ".join(_toml_string(v) if isinstance(v, str) else repr(float(v)) for v in q.map) + "]")
        if q.curve:
            out.append("curve = [" + ", ".join(f"[{t}, {v!r}]" for t, v in q.curve) + "]")
        out.append("")
    return "\n".join(out)


def from_toml(text: str, pages: set[str]) -> list[Question]:
    """The questions of a TOML file written by ``to_toml`` (keys left empty), each checked: a known
    page, a set-up link on it, a kind, a prompt, an answer the question accepts, bounds in order, at
    most OWN_MAX questions and TEXT_MAX characters a field. Raises ValueError naming the question
    (1-based) and what is wrong with it."""
    try:
        tables = tomllib.loads(text).get("question", [])
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"TOML: {err}") from err
    if not isinstance(tables, list) or len(tables) > OWN_MAX:
        raise ValueError(f"at most {OWN_MAX} [[question]] tables")
    found = []
    for n, t in enumerate(tables, 1):
        try:
            texts = [t["prompt"], t["page"], t["setup"], t["kind"], t["answer"], *t.get("options", [])]
            if not all(isinstance(v, str) and len(v) <= TEXT_MAX for v in texts) or not t["prompt"].strip():
                raise ValueError("texts")
            if t["page"] not in pages or t["setup"].partition("?")[0] != t["page"]:
                raise ValueError("page")
            bounds = [float(b) for b in t.get("bounds", [])]
            kind, surface = t["kind"], t.get("map", [])
            shape = {"choice": 0, "number": 2, "point": 4}.get(kind)
            if shape is None or len(bounds) != shape or any(a >= b for a, b in zip(bounds[::2], bounds[1::2], strict=True)):
                raise ValueError("kind and bounds")
            curve = tuple((int(a), float(b)) for a, b in t.get("curve", []))
            on_curve = kind == "point" and len(surface) == 2 and surface[0] == "curve"
            if kind == "point" and not ((len(surface) == 4 and isinstance(surface[0], str) and not curve)
                                        or (on_curve and 0 < len(curve) <= CURVE_POINTS)):
                raise ValueError("map")
            q = Question("", t["page"], t["setup"], tuple(t.get("options", [])), t["answer"], kind,
                         *(bounds + [0.0] * (4 - len(bounds))),
                         (surface[0], *map(float, surface[1:])) if kind == "point" else (), t["prompt"].strip(), curve)
            if (kind == "choice") != bool(q.options) or read(q, q.answer) is None:
                raise ValueError("answer")
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"question {n}: {err}") from err
        found.append(q)
    return found
