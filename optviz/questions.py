"""Predict-then-reveal questions: the class answers before it sees the experiment that settles it.

Each question belongs to a page and opens one of its set-ups when revealed; its words are under
``q.<key>`` in the locale files (``q.<key>`` the question, ``q.<key>.<option>`` each choice,
``q.<key>.why`` what the experiment shows). ``answer`` is what the page computes with that set-up,
checked by tests/test_questions.py against the core.

Three kinds of answer: a choice among ``options``; a number in [lo, hi]; a point (x, y) clicked on
the set-up's contour. An answer travels and is stored as text: the choice's code, the number
("0.85"), or the point ("-1.5,0.25").
"""

from __future__ import annotations

import math
import statistics
from typing import NamedTuple


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


# In teaching order: the teacher's "Next question" walks through them.
QUESTIONS = (
    Question("lowest", "trajectories", "book", ("SGD", "Momentum", "AdaGrad", "Adam"), "AdaGrad"),
    Question("where", "trajectories", "book", (), "0.8964,0.0881", "point", -10.0, 10.0, -5.0, 5.0),
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


def following(key: str | None) -> str:
    """The question after ``key`` (the first after None or the last)."""
    keys = [q.key for q in QUESTIONS]
    return keys[(keys.index(key) + 1) % len(keys)] if key in BY_KEY else keys[0]


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


def written(question: Question, value: float | tuple[float, float]) -> str:
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
