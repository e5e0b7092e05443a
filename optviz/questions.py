"""Predict-then-reveal questions: the class answers before it sees the experiment that settles it.

Each question belongs to a page and opens one of its set-ups when revealed; its words are under
``q.<key>`` in the locale files (``q.<key>`` the question, ``q.<key>.<option>`` each choice,
``q.<key>.why`` what the experiment shows). ``answer`` is what the page computes with that set-up,
checked by tests/test_questions.py against the core.
"""

from __future__ import annotations

from typing import NamedTuple


class Question(NamedTuple):
    key: str
    page: str  # the page's url path
    setup: str  # what the reveal opens: a preset of the page, or one of its tabs ("tab:<name>")
    options: tuple[str, ...]
    answer: str


# In teaching order: the teacher's "Next question" walks through them.
QUESTIONS = (
    Question("lowest", "trajectories", "book", ("SGD", "Momentum", "AdaGrad", "Adam"), "AdaGrad"),
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
