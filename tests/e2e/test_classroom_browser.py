"""A class in two browsers: the teacher's board on the projector, a student's laptop."""

from __future__ import annotations

import re

from conftest import ARTIFACTS
from streamlit_page import assert_no_exception, wait_charts, wait_idle

from optviz.questions import QUESTIONS


def test_a_students_answer_reaches_the_board_and_the_reveal_reaches_the_student(browser, server_url):
    teacher_ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    student_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        teacher = teacher_ctx.new_page()
        teacher.goto(f"{server_url}/classroom")
        wait_idle(teacher)
        teacher.get_by_role("button", name="Start a class").click()
        wait_idle(teacher)
        code = re.search(r"\b[A-Z0-9]{4}\b", teacher.locator("[data-testid='stHtml']").first.inner_text()).group(0)
        teacher.get_by_role("button", name="Next question").click()
        teacher.get_by_text("0 answers so far").wait_for(timeout=10_000)

        student = student_ctx.new_page()
        first = QUESTIONS[0]
        student.goto(f"{server_url}/{first.page}?room={code}")
        wait_idle(student)
        assert_no_exception(student)
        student.get_by_text("Your teacher asks").wait_for(timeout=10_000)
        assert student.locator("[data-testid='stVegaLiteChart']").count() == 0  # the experiment is hidden
        student.get_by_text(first.answer, exact=True).click()
        student.get_by_text("You can change it until your teacher reveals").wait_for(timeout=10_000)

        teacher.get_by_text("1 answer so far").wait_for(timeout=5_000)  # the board looks every second
        teacher.get_by_text("1 student has joined").wait_for(timeout=5_000)
        teacher.get_by_role("button", name="Reveal").click()
        wait_charts(teacher, 1, timeout=10_000)  # bench/class_room.py times it
        student.get_by_text(f"The experiment says: {first.answer}").wait_for(timeout=10_000)
        wait_charts(student, 2, timeout=30_000)  # the class's answers, then the experiment
        assert_no_exception(student)
        assert_no_exception(teacher)
        ARTIFACTS.mkdir(exist_ok=True)
        teacher.screenshot(path=str(ARTIFACTS / "classroom_teacher.png"), full_page=True)
        student.screenshot(path=str(ARTIFACTS / "classroom_student.png"), full_page=True)
    finally:
        teacher_ctx.close()
        student_ctx.close()
