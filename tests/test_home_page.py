"""The home page: the lessons in their order, two a row, however many there are."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import APP
from streamlit.testing.v1 import AppTest

from ui import common

ROOT = Path(__file__).resolve().parents[1]


def home() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    return at


def steps(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith("Lesson ")]


def test_the_four_lessons_are_listed_in_their_order():
    assert steps(home()) == [f"Lesson {n}" for n in range(1, 5)]


@pytest.fixture
def fifth_lesson(monkeypatch):
    """A fifth lesson page (a file of its own, without a picture yet) in the list of lessons."""
    page = ROOT / "pages" / "zz_fifth_lesson.py"
    page.write_text('import streamlit as st\n\nst.title("A fifth lesson")\n')
    monkeypatch.setattr(common, "PAGES", [*common.PAGES, ("pages/zz_fifth_lesson.py", "nav.mnist", "zz_fifth_lesson",
                                                        "🧪")])
    yield
    page.unlink()


def test_a_fifth_lesson_gets_its_own_place_and_the_grid_holds(fifth_lesson):
    at = home()
    assert steps(at) == [f"Lesson {n}" for n in range(1, 6)]
    assert len(at.get("image")) == 4  # four pictures: the new lesson has none yet, and needs none
    at.switch_page("pages/zz_fifth_lesson.py").run()
    assert at.title[0].value == "A fifth lesson" and not at.exception
