"""A class in two browsers: the teacher's board on the projector, a student's laptop."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from conftest import ARTIFACTS
from streamlit_page import assert_no_exception, wait_charts, wait_idle

from optviz.lessons.questions import QUESTIONS


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


def reveal(teacher, students, on_board: str, on_page: str) -> None:
    """The teacher reveals once both answers are in; the board and every student's page say so."""
    teacher.get_by_text("2 answers so far").wait_for(timeout=30_000)
    teacher.get_by_role("button", name="Reveal").click()
    teacher.get_by_text(on_board).wait_for(timeout=30_000)
    for student in students:
        student.get_by_text(on_page).wait_for(timeout=30_000)
        wait_idle(student)
        assert_no_exception(student)


def test_a_teacher_leads_two_students_pauses_them_and_holds_a_second_vote(browser, server_url):
    """One teacher, two students, three browsers: the teacher's cookie survives a new tab, the
    class follows the teacher's page and settings, a pause covers the students' pages, and a
    question voted twice reveals both votes."""
    contexts = [browser.new_context(viewport={"width": 1280, "height": 720}) for _ in range(3)]
    try:
        teacher, *students = [ctx.new_page() for ctx in contexts]
        teacher.goto(f"{server_url}/classroom")
        wait_idle(teacher)
        teacher.get_by_role("button", name="Start a class").click()
        wait_idle(teacher)
        code = re.search(r"\b[A-Z0-9]{4}\b", teacher.locator("[data-testid='stHtml']").first.inner_text()).group(0)
        for student in students:
            student.goto(f"{server_url}/?room={code}")
            wait_idle(student)

        # A new tab of the teacher's browser, at a lesson with settings of its own: still the teacher.
        teacher.goto(f"{server_url}/trajectories?traj_surface=saddle&traj_steps=50")
        wait_idle(teacher)
        teacher.get_by_text(f"Class {code} · you teach").wait_for(timeout=30_000)
        teacher.get_by_role("button", name="Bring everyone here").click()
        for student in students:
            student.get_by_text("You follow your teacher").wait_for(timeout=30_000)  # a deadline: bench/class_room.py times it
            wait_idle(student)
            assert "/trajectories" in student.url and "traj_surface=saddle" in student.url and "traj_steps=50" in student.url
            steps = student.get_by_role("spinbutton", name=re.compile("^Steps"))
            for _ in range(50):  # the page may still be drawing its first run after the move
                if steps.count() and steps.first.input_value() == "50":
                    break
                student.wait_for_timeout(100)
            assert steps.first.input_value() == "50"
            assert_no_exception(student)
        ARTIFACTS.mkdir(exist_ok=True)
        students[0].screenshot(path=str(ARTIFACTS / "classroom_following.png"))

        teacher.get_by_role("button", name="Pause the class").click()
        for student in students:
            student.get_by_text("Your teacher has paused the class").wait_for(timeout=30_000)
        students[1].screenshot(path=str(ARTIFACTS / "classroom_paused.png"))
        assert teacher.get_by_text("Your teacher has paused the class").count() == 0
        teacher.get_by_role("button", name="Resume the class").click()
        teacher.get_by_role("button", name="Let them explore").click()
        for student in students:
            student.get_by_text("Your teacher has paused the class").wait_for(state="detached", timeout=30_000)
            student.get_by_text("You follow your teacher").wait_for(state="detached", timeout=30_000)

        teacher.goto(f"{server_url}/classroom")
        wait_idle(teacher)
        teacher.get_by_role("button", name="Next question").click()
        first = QUESTIONS[0]
        for student, choice in zip(students, ("SGD", "Adam"), strict=True):
            student.get_by_text("Your teacher asks").wait_for(timeout=30_000)
            student.get_by_text(choice, exact=True).click()
            student.get_by_text("You can change it until your teacher reveals").wait_for(timeout=30_000)
        teacher.get_by_text("2 answers so far").wait_for(timeout=30_000)
        teacher.get_by_role("button", name="Vote again").click()
        teacher.get_by_text("First vote: 2 answers, hidden").wait_for(timeout=30_000)
        assert teacher.locator("[data-testid='stPlotlyChart']").count() == 0  # the first vote stays hidden
        for student in students:
            student.get_by_text("Second vote: talk it over").wait_for(timeout=30_000)
            student.get_by_text(first.answer, exact=True).click()
            student.get_by_text("You can change it until your teacher reveals").wait_for(timeout=30_000)
        teacher.get_by_text("Second vote: 2 answers so far").wait_for(timeout=30_000)
        teacher.get_by_role("button", name="Reveal").click()
        wait_charts(teacher, 2, timeout=30_000)
        teacher.get_by_text("Of the 2 who voted twice, 2 changed their answer, 2 of them").wait_for(timeout=30_000)
        for student in students:
            student.get_by_text(f"The experiment says: {first.answer}").wait_for(timeout=30_000)
            wait_charts(student, 3, timeout=30_000)  # both votes, then the experiment
            assert_no_exception(student)
        assert_no_exception(teacher)
        teacher.screenshot(path=str(ARTIFACTS / "classroom_two_votes.png"), full_page=True)

        # A click on the map: each student's own guess, then the class's cloud on every figure.
        teacher.get_by_role("button", name="Next question").click()
        for k, student in enumerate(students):
            student.get_by_text("Click on the map where you predict").wait_for(timeout=30_000)
            wait_idle(student)
            plot = student.locator("[data-testid='stVegaLiteChart'] svg").first
            box = plot.bounding_box()
            student.mouse.click(box["x"] + box["width"] * (0.55 + 0.1 * k), box["y"] + box["height"] * 0.45)
            student.get_by_text("Sent: (").wait_for(timeout=30_000)
            assert student.locator("text=your guess").count() >= 1
        reveal(teacher, students, "2 guesses; the class's median distance", "2 guesses; the class's median distance")
        students[0].screenshot(path=str(ARTIFACTS / "classroom_click_cloud.png"), full_page=True)
        assert_no_exception(teacher)

        # The teacher's own question, from the initialisation page: asked, answered with a number, revealed.
        teacher.goto(f"{server_url}/initialisation?init_layers=3")
        wait_idle(teacher)
        teacher.get_by_role("button", name="Ask the class about this").click()
        teacher.get_by_role("button", name="Ask the class now").click()
        for k, student in enumerate(students):
            student.get_by_text("Go to the question").click(timeout=30_000)  # it is on another page than theirs
            student.get_by_text("what will the standard deviation of layer 3").wait_for(timeout=30_000)
            wait_idle(student)
            box = student.get_by_label(re.compile("Your prediction"))
            box.fill(f"0.{k + 2}")
            box.press("Enter")
            student.get_by_text(f"Sent: 0.{k + 2}").wait_for(timeout=30_000)
        teacher.goto(f"{server_url}/classroom")
        wait_idle(teacher)
        reveal(teacher, students, "2 guesses; the class's median error", "The page computed this answer")
        assert all("init_layers=3" in student.url for student in students)
        students[1].screenshot(path=str(ARTIFACTS / "classroom_own_question.png"), full_page=True)

        # The report: every vote of the four questions asked.
        with teacher.expect_download() as download:
            teacher.get_by_role("button", name="Download the class's answers (CSV)").click()
        rows = list(csv.reader(Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()))
        assert rows[0][:2] == ["question", "prompt"]
        asked = {(r[0], r[4]) for r in rows[1:]}  # (question, vote)
        assert asked == {("1", "1"), ("1", "2"), ("2", "1"), ("11", "1")}, asked
        assert sum(int(r[6]) for r in rows[1:]) == 8  # two students, four votes each
        assert_no_exception(teacher)
    finally:
        for ctx in contexts:
            ctx.close()
