"""The class room through the pages (AppTest): a teacher starts a class and runs the board, a
student joins by link, predicts with the experiment hidden, and sees it once revealed."""

from __future__ import annotations

import json

import pytest
from apptest import APP, open_page
from streamlit.testing.v1 import AppTest

from optviz.questions import QUESTIONS
from ui import classroom


@pytest.fixture
def rooms(tmp_path, monkeypatch):
    monkeypatch.setenv(classroom.ENV_DB, str(tmp_path / "rooms.db"))
    return classroom._store(str(tmp_path / "rooms.db"))


def start_class():
    teacher = open_page("classroom")
    teacher.button(key="_room_start").click().run()
    assert not teacher.exception
    return teacher, teacher.session_state[classroom.ROOM]


def press(at, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception


def texts(at) -> str:
    return " ".join([m.value for m in at.markdown] + [str(e.value) for e in at.success] + [str(e.value) for e in at.info]
                    + [str(e.value) for e in at.error] + [c.value for c in at.caption])


def test_a_student_predicts_with_the_experiment_hidden_then_sees_it_revealed(rooms):
    teacher, code = start_class()
    assert code in teacher.get("html")[0].proto.body
    assert "0 students have joined" in texts(teacher)
    teacher.button(key="_room_next").click().run()
    first = QUESTIONS[0]
    assert rooms.room(code).question == first.key and "0 answers so far" in texts(teacher)

    student = open_page(first.page, room=code.lower())
    assert student.session_state[classroom.ROOM] == code
    assert not student.get("plotly_chart") and not student.get("vega_lite_chart"), "the experiment shows before the reveal"
    assert any(r.label == "Your prediction" for r in student.radio)
    student.radio[0].set_value("SGD").run()
    assert rooms.tally(code, first.key) == {"SGD": 1}
    student.radio[0].set_value(first.answer).run()  # a change of mind before the reveal
    assert rooms.tally(code, first.key) == {first.answer: 1}
    assert "You can change it until your teacher reveals" in texts(student)

    teacher.run()
    assert "1 student has joined" in texts(teacher) and "1 answer so far" in texts(teacher)
    assert not teacher.get("plotly_chart"), "the class's answers show before the reveal"
    teacher.button(key="_room_reveal").click().run()
    bars = json.loads(teacher.get("plotly_chart")[0].proto.spec)["data"][0]
    assert bars["x"][first.options.index(first.answer)] == 1 and sum(bars["x"]) == 1

    student.run()
    assert student.session_state["traj_surface"] == "bowl" and student.session_state["traj_steps"] == 30
    assert student.get("plotly_chart") and student.get("vega_lite_chart")  # the class's answers, then the experiment
    assert f"The experiment says: {first.answer}" in texts(student)


def test_reset_hides_the_question_again_and_next_moves_on(rooms):
    teacher, code = start_class()
    teacher.button(key="_room_next").click().run()
    teacher.button(key="_room_reveal").click().run()
    teacher.button(key="_room_reset").click().run()
    assert not rooms.room(code).revealed and not teacher.get("plotly_chart")
    teacher.button(key="_room_next").click().run()
    assert rooms.room(code).question == QUESTIONS[1].key
    teacher.button(key="_room_close").click().run()
    assert rooms.room(code) is None and "class is closed" in texts(teacher)
    assert any(b.key == "_room_start" for b in teacher.button)


def test_a_question_on_another_page_leaves_this_page_open_and_points_there(rooms):
    teacher, code = start_class()
    teacher.button(key="_room_next").click().run()
    student = open_page("initialisation", room=code)
    assert any("init_chart" in c.proto.id for c in student.get("vega_lite_chart"))  # the page still draws
    links = [p.proto.label for p in student.get("page_link")]
    assert "Optimizer trajectories" in links


def test_wrong_codes_are_refused_then_limited(rooms):
    student = open_page("classroom")
    for k in range(6):
        student.text_input[0].input(f"QQQ{k}")
        press(student, "Join")
    said = texts(student)
    assert "There is no open class with the code" in said or "Too many wrong codes" in said
    assert "Too many wrong codes" in said
    assert classroom.ROOM not in student.session_state


def test_only_the_teacher_link_opens_the_board_and_its_secret_leaves_the_address(rooms):
    code, secret = rooms.create()
    teacher = open_page("classroom", room=code, teacher=secret)
    assert any(b.key == "_room_reveal" for b in teacher.button)
    assert "teacher" not in teacher.query_params
    impostor = AppTest.from_file(APP, default_timeout=30)
    impostor.query_params.update(room=code, teacher=secret[:-2] + ("xx" if secret[-2:] != "xx" else "yy"))
    impostor.run()
    assert "This teacher link is not valid" in texts(impostor)
    impostor.switch_page("pages/classroom.py").run()
    assert not any(b.key == "_room_reveal" for b in impostor.button)


def test_a_finished_race_goes_on_the_board_best_first_with_a_plain_nickname(rooms):
    from test_mnist_page import finish

    code, _ = rooms.create()
    at = open_page("mnist", room=code)
    at.segmented_control(key="mnist_exp").set_value("overfit").run()
    at.select_slider(key="mnist_iterations").set_value(100).run()
    at.button(key="mnist_start").click().run()
    finish(at)
    at.text_input(key="_room_nickname").input("**Ada** <b>hi</b>").run()
    at.button(key="_room_post").click().run()
    assert not at.exception and "Posted" in texts(at)
    results = at.dataframe[0].value
    accuracy = {name: float(acc.rstrip(" %")) / 100 for name, acc in zip(results.iloc[:, 0], results.iloc[:, 3], strict=True)}
    board = rooms.board(code)
    assert [r.network for r in board] == sorted(accuracy, key=accuracy.get, reverse=True)
    assert all(abs(r.accuracy - accuracy[r.network]) < 0.001 for r in board)
    assert {r.nickname for r in board} == {"**Ada** <b>hi</b>"}
