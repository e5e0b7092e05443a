"""The class room through the pages (AppTest): a teacher starts a class and runs the board, a
student joins by link, predicts with the experiment hidden, and sees it once revealed."""

from __future__ import annotations

import json
import math
import statistics

import pytest
from apptest import APP, open_page
from streamlit.testing.v1 import AppTest
from test_mnist_page import finish, race

from optviz.figures import vega
from optviz.i18n.text import t
from optviz.lessons import batching
from optviz.lessons.presets import INIT_PRESETS
from optviz.lessons.questions import QUESTIONS, read
from optviz.nn import initialisation, train
from ui import classroom

BY_WORDS = {q.key: t(f"q.{q.key}", "en") for q in QUESTIONS}


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


def teacher_on(page: str):
    """A teacher who started a class and opened ``page``."""
    teacher, code = start_class()
    teacher.switch_page(f"pages/{page}.py").run()
    assert not teacher.exception
    return teacher, code


def joined(code: str) -> AppTest:
    """A student who opened the class's link (no page named)."""
    student = AppTest.from_file(APP, default_timeout=30)
    student.query_params["room"] = code
    student.run()
    assert not student.exception
    return student


TEACHER_KEYS = {"_room_lead", "_room_release", "_room_pause", "_room_sign_out", "_room_next", "_room_again",
                "_room_reveal", "_room_reset", "_room_close", "_room_report"}


def test_the_class_follows_the_teacher_with_the_teachers_settings_until_let_go(rooms):
    teacher, code = teacher_on("trajectories")
    teacher.selectbox(key="traj_surface").set_value("saddle").run()
    teacher.button(key="_room_lead").click().run()
    assert rooms.room(code).follow == "trajectories?traj_surface=saddle"

    student = joined(code)  # a late arrival lands where the teacher is
    assert student.session_state["traj_surface"] == "saddle" and student.session_state["traj_steps"] == 30
    assert "You follow your teacher" in texts(student)
    assert not {b.key for b in student.button} & TEACHER_KEYS
    student.number_input(key="traj_steps").set_value(100).run()  # the controls stay usable
    student.selectbox(key="traj_surface").set_value("bowl").run()
    assert not student.exception and student.session_state["traj_steps"] == 100

    teacher.query_params["traj_steps"] = "50"  # what the browser's address bar says after the change
    teacher.number_input(key="traj_steps").set_value(50).run()
    assert rooms.room(code).follow == "trajectories?traj_surface=saddle&traj_steps=50"
    student.run()  # the page's next look at the board
    assert not student.exception
    assert (student.session_state["traj_surface"], student.session_state["traj_steps"]) == ("saddle", 50)

    teacher.switch_page("pages/initialisation.py").run()  # the teacher moves on: the class too
    student.run()
    assert any("init_chart" in c.proto.id for c in student.get("vega_lite_chart"))

    teacher.button(key="_room_release").click().run()
    assert rooms.room(code).follow is None
    student.run()
    assert "You follow your teacher" not in texts(student)
    student.switch_page("pages/trajectories.py").run()  # free to go anywhere
    assert not student.exception and any(b.key == "_room_leave" for b in student.button)


def test_a_paused_class_shows_a_message_over_every_students_page_but_not_the_teachers(rooms):
    teacher, code = teacher_on("initialisation")
    student = joined(code)
    assert not any("paused the class" in h.proto.body for h in student.get("html"))
    teacher.button(key="_room_pause").click().run()
    assert rooms.room(code).paused
    student.run()
    cover = [h.proto.body for h in student.get("html") if "paused the class" in h.proto.body]
    assert cover and "position:fixed" in cover[0] and "inset:0" in cover[0]
    assert not any("paused the class" in h.proto.body for h in teacher.get("html"))
    teacher.switch_page("pages/classroom.py").run()
    assert "The class is paused" in " ".join(str(w.value) for w in teacher.warning)
    teacher.button(key="_room_pause").click().run()  # Resume
    student.run()
    assert not rooms.room(code).paused and not any("paused the class" in h.proto.body for h in student.get("html"))


def test_a_second_vote_keeps_the_first_hidden_and_the_reveal_shows_both_and_the_moves(rooms):
    teacher, code = start_class()
    teacher.button(key="_room_next").click().run()
    first = QUESTIONS[0]
    students = [open_page(first.page, room=code) for _ in range(3)]
    for student, choice in zip(students, ("SGD", "SGD", "Adam"), strict=True):
        student.radio[0].set_value(choice).run()
    teacher.run()
    assert "3 answers so far" in texts(teacher) and not teacher.get("plotly_chart")
    teacher.button(key="_room_again").click().run()
    assert "First vote: 3 answers, hidden" in texts(teacher) and "Second vote: 0 answers so far" in texts(teacher)
    assert not teacher.get("plotly_chart")
    for student, choice in zip(students, (first.answer, "SGD", first.answer), strict=True):
        student.run()
        assert "Second vote" in texts(student) and student.radio[0].value is None  # a fresh vote
        assert not student.get("vega_lite_chart")  # the experiment still hidden
        student.radio[0].set_value(choice).run()
    teacher.run()
    assert "Second vote: 3 answers so far" in texts(teacher)
    teacher.button(key="_room_reveal").click().run()
    charts = [json.loads(c.proto.spec)["data"][0]["x"] for c in teacher.get("plotly_chart")]
    index = first.options.index
    assert [c[index("SGD")] for c in charts] == [2, 1] and [c[index(first.answer)] for c in charts] == [0, 2]
    assert "Of the 3 who voted twice, 2 changed their answer, 2 of them to the experiment's answer" in texts(teacher)
    assert "Right in the first vote: 0%; in the second: 67%" in texts(teacher)
    students[0].run()
    assert len(students[0].get("plotly_chart")) == 2 and students[0].get("vega_lite_chart")


def test_the_teacher_stays_the_teacher_in_a_new_tab_by_the_cookie_until_signing_out(rooms, monkeypatch):
    code, secret = rooms.create()
    monkeypatch.setattr(classroom, "cookie", lambda: f"{code}.{secret}")
    tab = open_page("classroom")  # a reload: a new session with no link
    assert any(b.key == "_room_reveal" for b in tab.button) and tab.session_state[classroom.ROOM] == code
    other, _ = rooms.create()
    visitor = open_page("classroom", room=other)  # the cookie of one class does not make a teacher of another
    assert visitor.session_state[classroom.ROOM] == other and not any(b.key == "_room_reveal" for b in visitor.button)
    monkeypatch.setattr(classroom, "cookie", lambda: f"{code}.{secret[:-1]}x")
    assert not any(b.key == "_room_reveal" for b in open_page("classroom").button)  # a forged cookie
    monkeypatch.setattr(classroom, "cookie", lambda: f"{code}.{secret}")
    tab.button(key="_room_sign_out").click().run()
    assert classroom.TEACHER not in tab.session_state and classroom.ROOM not in tab.session_state
    assert any(b.key == "_room_start" for b in tab.button)
    rooms.close(code, secret)
    assert not any(b.key == "_room_reveal" for b in open_page("classroom").button)  # a closed class's cookie


def test_the_board_names_no_one_until_the_teacher_shows_nicknames(rooms):
    teacher, code = start_class()
    rooms.post(code, "s1", "Zoë", [("Adam", 0.97)])
    teacher.run()
    table = teacher.dataframe[0].value
    assert list(table.columns) == ["Network", "Test accuracy"] and "Zoë" not in table.to_string()
    teacher.toggle(key="_room_names").set_value(True).run()
    assert rooms.room(code).names
    table = teacher.dataframe[0].value
    assert list(table.columns) == ["Nickname", "Network", "Test accuracy"] and table.iloc[0, 0] == "Zoë"


def test_the_report_has_a_row_per_question_vote_and_answer_with_the_experiments_answer(rooms):
    import csv

    teacher, code = start_class()
    secret = teacher.session_state[classroom.TEACHER]
    teacher.button(key="_room_next").click().run()
    rooms.answer(code, "a", "lowest", "SGD")
    rooms.answer(code, "b", "lowest", "AdaGrad")
    teacher.button(key="_room_again").click().run()
    rooms.answer(code, "a", "lowest", "AdaGrad", 2)
    teacher.button(key="_room_next").click().run()
    rooms.answer(code, "a", "where", "1,0")  # a click on the map
    assert any("_room_report" in d.proto.id for d in teacher.get("download_button"))
    data = classroom.report_csv(code, secret, "https://x.test")
    assert data.startswith("\ufeff".encode())  # a spreadsheet reads it as UTF-8
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["question", "prompt", "page", "set-up", "vote", "answer given", "students", "experiment's answer",
                       "error (0: the experiment's answer)"]
    assert [r[:7] for r in rows[1:]] == [
        ["1", BY_WORDS["lowest"], "https://x.test/trajectories", "book", "1", "AdaGrad", "1"],
        ["1", BY_WORDS["lowest"], "https://x.test/trajectories", "book", "1", "SGD", "1"],
        ["1", BY_WORDS["lowest"], "https://x.test/trajectories", "book", "2", "AdaGrad", "1"],
        ["2", BY_WORDS["where"], "https://x.test/trajectories", "book", "1", "(1, 0)", "1"]]
    assert [(r[7], float(r[8])) for r in rows[1:]] == [("AdaGrad", 0.0), ("AdaGrad", 1.0), ("AdaGrad", 0.0),
                                                      ("(0.8964, 0.0881)", pytest.approx(math.hypot(0.1036, 0.0881), abs=1e-4))]


def test_wrong_codes_from_one_address_are_limited_across_fresh_sessions(rooms, monkeypatch):
    from optviz.serve.rooms import Attempts

    monkeypatch.setattr(classroom, "ATTEMPTS", Attempts(limit=5, address_limit=12))
    monkeypatch.setattr(classroom, "address", lambda: "10.1.2.3")
    said = []
    for session in range(4):  # a script that opens a new session every few guesses
        student = open_page("classroom")
        for k in range(4):
            student.text_input[0].input(f"QQ{session}{k}")
            press(student, "Join")
            said.append("Too many wrong codes" in texts(student))
    assert said == [False] * 12 + [True] * 4
    monkeypatch.setattr(classroom, "address", lambda: "10.1.2.4")  # another school goes on
    student = open_page("classroom")
    student.text_input[0].input("QQQQ")
    press(student, "Join")
    assert "There is no open class with the code" in texts(student)


def layer_values(spec: dict, label: str | None = None) -> list[list[dict]]:
    """The inline rows of each layer of ``spec`` (those whose rows carry ``label``, when given)."""
    rows = [layer.get("data", {}).get("values", []) for layer in spec["layer"]]
    return [r for r in rows if label is None or any(v.get("label") == label for v in r)]


def test_a_click_prediction_is_marked_for_its_student_and_revealed_as_a_cloud_with_the_answer(rooms):
    teacher, code = start_class()
    while rooms.room(code).question != "where":
        teacher.button(key="_room_next").click().run()
    assert "by clicking on the map" in texts(teacher)
    student = open_page("trajectories", room=code)
    (chart,) = student.get("vega_lite_chart")  # the map to click, and no experiment yet
    spec = json.loads(chart.proto.spec)
    assert any(p.get("name") == "guess" for layer in spec["layer"] for p in layer.get("params", []))
    assert layer_values(spec, "start")[0][0] | {"label": ""} == {"x": -7.0, "y": 2.0, "label": ""}
    me = student.session_state[classroom.SESSION]
    rooms.answer(code, me, "where", "1.5,0.5")  # what the click's callback stores (the browser test clicks)
    for k, guess in enumerate(("0.5,0", "0.9,0.1", "-9,4")):
        rooms.answer(code, f"other{k}", "where", guess)
    student.run()
    assert "Sent: (1.5, 0.5)" in texts(student)
    mine = layer_values(json.loads(student.get("vega_lite_chart")[0].proto.spec), "your guess")
    assert mine[0][0]["x"] == 1.5 and mine[0][0]["y"] == 0.5

    teacher.button(key="_room_reveal").click().run()
    spec = json.loads(teacher.get("vega_lite_chart")[0].proto.spec)
    cloud = sorted((v["x"], v["y"]) for v in layer_values(spec)[1])
    assert cloud == [(-9.0, 4.0), (0.5, 0.0), (0.9, 0.1), (1.5, 0.5)]
    answer = layer_values(spec, "experiment")[0][0]
    assert (answer["x"], answer["y"]) == (0.8964, 0.0881)
    distances = sorted(math.dist(p, (0.8964, 0.0881)) for p in cloud)
    assert f"median distance from the experiment's point: {statistics.median(distances):.3g}" in texts(teacher)
    student.run()
    specs = [json.loads(c.proto.spec) for c in student.get("vega_lite_chart")]
    assert any(layer_values(s, "experiment") for s in specs) and len(specs) >= 2  # the cloud, then the experiment


def test_a_number_prediction_is_typed_and_revealed_with_the_classs_median_error(rooms):
    teacher, code = start_class()
    while rooms.room(code).question != "stable":
        teacher.button(key="_room_next").click().run()
    student = open_page("trajectories", room=code)
    student.number_input(key=next(n.key for n in student.number_input if n.key.startswith("_room_answer"))) \
        .set_value(0.9).run()
    assert not student.exception and rooms.tally(code, "stable") == {"0.9": 1}
    assert "Sent: 0.9" in texts(student)
    rooms.answer(code, "other", "stable", "3")
    teacher.button(key="_room_reveal").click().run()
    assert "2 guesses; the class's median error: 1.05" in texts(teacher)  # errors 0.1 and 2
    spec = json.loads(teacher.get("vega_lite_chart")[0].proto.spec)
    assert sorted(v["x"] for v in layer_values(spec)[0]) == [0.9, 3.0]
    assert layer_values(spec, "experiment")[0][0]["x"] == 1.0
    assert "The experiment says: 1" in texts(teacher)


def test_a_teachers_own_question_from_the_initialisation_page_is_asked_answered_and_revealed_there(rooms):
    teacher, code = teacher_on("initialisation")
    student = open_page("initialisation", room=code)
    student.slider(key="init_layers").set_value(7).run()  # a student exploring on their own
    teacher.query_params["init_layers"] = "3"  # what the browser's address bar says after the change
    teacher.slider(key="init_layers").set_value(3).run()
    p = INIT_PRESETS["sig1"]  # the page's first set-up, as it opens
    init = float(p["init"]) if p["init"][0].isdigit() else p["init"]
    last_std = initialisation.measure(initialisation.InitConfig(init, p["act"], 3, 100, p["bn"], 1000, 0)).stats[-1].std
    teacher.text_area(key="_room_own_prompt0").input("How wide is the *last* layer's spread?").run()
    teacher.button(key="_room_own_go").click().run()
    assert not teacher.exception and "How wide is the" in texts(teacher)  # the projector asks too, experiment hidden
    assert not teacher.get("vega_lite_chart")
    room = rooms.room(code)
    asked = classroom.questions(code)[room.question]
    assert room.question == "own1" and asked.kind == "number" and asked.setup == "initialisation?init_layers=3"
    assert abs(float(asked.answer) - last_std) <= 0.0005 * max(1, last_std) + 1e-9

    student.run()  # the page's next look at the board
    assert not student.get("vega_lite_chart")  # the experiment stays hidden
    assert "How wide is the \\*last\\* layer's spread?" in texts(student)  # the teacher's words as plain text
    guess = next(n for n in student.number_input if n.key.startswith("_room_answer"))
    guess.set_value(0.5).run()
    assert rooms.tally(code, "own1") == {"0.5": 1}
    teacher.switch_page("pages/classroom.py").run()
    assert "1 answer so far" in texts(teacher) and "Question 11 of 11" in texts(teacher)
    teacher.button(key="_room_reveal").click().run()
    assert f"The experiment says: {asked.answer}" in texts(teacher)
    student.run()
    assert not student.exception and student.session_state["init_layers"] == 3  # the reveal opens the teacher's set-up
    assert "The page computed this answer" in texts(student) and student.get("vega_lite_chart")


def test_own_questions_leave_as_toml_and_come_back_into_another_class(rooms):
    teacher, code = teacher_on("trajectories")
    teacher.button(key="_room_own_go").click().run()  # the first offer as the page suggests it
    assert classroom.questions(code)["own1"].kind == "choice"
    file = classroom.export_toml(code)
    assert b"[[question]]" in file and b"ends lowest" in file
    code2, secret2 = rooms.create()
    assert classroom.import_toml(code2, secret2, file.decode()) == 1
    assert classroom.questions(code2)["own1"]._replace(key="") == classroom.questions(code)["own1"]._replace(key="")
    with pytest.raises(ValueError, match="question 1: page"):
        classroom.import_toml(code2, secret2, file.decode().replace('page = "trajectories"', 'page = "x"'))
    student = open_page("classroom", room=code)
    assert not any(b.key and b.key.startswith("_room_own") for b in student.button)  # the teacher's alone
    student.switch_page("pages/trajectories.py").run()
    assert not any(b.key and b.key.startswith("_room_own") for b in student.button)


def teacher_after_a_race():
    """A teacher in a new class whose overfitting race, cut to 100 iterations, has finished."""
    teacher, code = teacher_on("mnist")
    teacher.segmented_control(key="mnist_exp").set_value("overfit").run()
    teacher.select_slider(key="mnist_iterations").set_value(100).run()
    teacher.button(key="mnist_start").click().run()
    finish(teacher)
    return teacher, code


def test_a_teacher_asks_which_network_of_a_finished_race_wins_and_the_answer_is_the_races(rooms):
    teacher, code = teacher_after_a_race()
    accuracy = {r.key.net: r.final[1] for r in race(teacher)}
    assert teacher.radio(key="_room_own_pick").options[0].startswith("Which network reaches")
    teacher.button(key="_room_own_go").click().run()
    asked = classroom.questions(code)["own1"]
    assert asked.kind == "choice" and asked.page == "mnist" and len(asked.options) == len(accuracy)
    best = max(accuracy, key=accuracy.get)
    labels = dict(zip([r.key.net for r in race(teacher)], asked.options, strict=True))
    assert asked.answer == labels[best]
    student = open_page("mnist", room=code)
    shown = next(r for r in student.radio if r.label == "Your prediction")  # Markdown labels: the names escaped
    assert [o.replace("\\", "") for o in shown.options] == list(asked.options)


def test_a_click_on_a_loss_curves_axes_guesses_where_it_ends_and_the_reveal_draws_it_whole(rooms):
    teacher, code = teacher_after_a_race()
    first = race(teacher)[0]
    pick = teacher.radio(key="_room_own_pick")
    curve_offer = next(k for k, label in enumerate(pick.options) if "loss curve ends" in label)
    pick.set_value(pick.options[curve_offer]).run()
    teacher.button(key="_room_own_go").click().run()
    asked = classroom.questions(code)["own1"]
    smoothed = train.smooth(first.losses, vega.smoothing_window(100))
    assert read(asked, asked.answer) == pytest.approx((100.0, smoothed[-1]), abs=1e-4)

    student = open_page("mnist", room=code)
    (chart,) = student.get("vega_lite_chart")  # the axes to click, and no race
    drawn = layer_values(json.loads(chart.proto.spec))[0]
    assert drawn and max(p["x"] for p in drawn) <= 25  # only the curve's first quarter
    rooms.answer(code, student.session_state[classroom.SESSION], "own1", f"100,{smoothed[-1] + 0.5:.4f}")
    teacher.switch_page("pages/classroom.py").run()
    teacher.button(key="_room_reveal").click().run()
    spec = json.loads(teacher.get("vega_lite_chart")[0].proto.spec)
    assert max(p["x"] for p in layer_values(spec)[0]) == 100  # the whole curve
    assert layer_values(spec, "experiment")[0][0]["y"] == pytest.approx(smoothed[-1], abs=1e-4)
    assert "1 guess; its distance from the experiment's point: 0.5" in texts(teacher)


def test_a_link_opens_a_batch_size_tab_in_either_language_and_follows_the_open_tab():
    at = open_page("batch_size", bs_at="surface", lang="中文")
    assert at.session_state["bs_tab"] == t("bs.tab.surface", "zh") and not at.exception
    at = open_page("batch_size", bs_at="surface")
    assert at.session_state["bs_tab"] == t("bs.tab.surface", "en") and at.query_params["bs_at"] == "surface"
    at = open_page("batch_size")
    assert "bs_at" not in at.query_params


def test_a_teacher_asks_which_batch_ends_lowest_and_the_reveal_opens_the_surfaces_tab(rooms):
    teacher, code = start_class()
    teacher.query_params["bs_at"] = "surface"  # the teacher opened the Surfaces tab
    teacher.switch_page("pages/batch_size.py").run()
    teacher.button(key="_room_own_go").click().run()
    asked = classroom.questions(code)["own1"]
    demo = batching.surface_experiment(0)
    assert asked.options == ("1", "10", f"{demo.sizes[-1]}") and asked.answer == "1"  # as the built-in question says
    assert "bs_at=surface" in asked.setup
    student = open_page("batch_size", room=code)
    student.radio[0].set_value("10").run()
    rooms.reveal(code, teacher.session_state[classroom.TEACHER])
    student.run()
    assert not student.exception and student.session_state["bs_tab"] == t("bs.tab.surface", "en")


def test_a_class_on_redis_is_the_same_class_on_every_replica(redis_url, monkeypatch):
    """With OPTVIZ_REDIS_URL the teacher's replica and the student's share the room: each page run
    here builds its own connection (as a replica would), and the vote, the count and the reveal
    cross between them."""
    monkeypatch.setenv(classroom.ENV_REDIS, redis_url)
    replica = classroom._shared_store.clear
    replica()
    teacher, code = start_class()
    teacher.button(key="_room_next").click().run()
    first = QUESTIONS[0]
    replica()
    student = open_page(first.page, room=code)
    assert student.session_state[classroom.ROOM] == code
    student.radio[0].set_value(first.answer).run()
    replica()
    teacher.run()
    assert "1 student has joined" in texts(teacher) and "1 answer so far" in texts(teacher)
    teacher.button(key="_room_reveal").click().run()
    replica()
    student.run()
    assert f"The experiment says: {first.answer}" in texts(student) and not student.exception
    assert classroom._shared_store(redis_url).tally(code, first.key) == {first.answer: 1}


def test_a_lost_redis_is_said_once_and_every_page_goes_on(monkeypatch):
    monkeypatch.setenv(classroom.ENV_REDIS, "redis://127.0.0.1:1/0")  # nothing listens there
    pytest.importorskip("redis")
    classroom._shared_store.clear()
    for page in ("classroom", "trajectories"):
        at = open_page(page, room="ACDE")
        assert not at.exception
        assert [w.value for w in at.sidebar.warning] == [t("room.err.offline", "en")] and not at.error
    assert at.get("plotly_chart") or at.get("vega_lite_chart")  # the lesson itself is drawn
