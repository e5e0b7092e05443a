"""Every predict-then-reveal question's answer is what its experiment computes, set up as the reveal
opens it (the page's preset or tab defaults, seed 0)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from test_lesson_claims import preset_race

from optviz.i18n.text import BOOKS
from optviz.lessons import batching
from optviz.lessons.presets import INIT_PRESETS, MNIST_PRESETS, TRAJECTORY_PRESETS
from optviz.lessons.questions import (
    BY_KEY,
    QUESTIONS,
    curve_end,
    end_of,
    error,
    following,
    from_json,
    from_toml,
    lowest,
    median_error,
    number,
    on_page,
    read,
    to_json,
    to_toml,
    written,
)
from optviz.nn import initialisation, train
from optviz.optim.registry import make_optimizer, make_schedule
from optviz.serve import data
from optviz.toy import descent, surfaces


def trajectory_ends(preset: str) -> dict[str, descent.Path]:
    p = TRAJECTORY_PRESETS[preset]
    surface = surfaces.get(p["surface"], p.get("kappa", 20.0))
    return {name: descent.walk(surface, make_optimizer(name, p[f"lr_{name}"]), np.array([p["x0"], p["y0"]]),
                              p["steps"], make_schedule(p["sched"], p["steps"]), p["noise"], 0)
            for name in p["opts"]}


@pytest.fixture(scope="module")
def digits():
    return data.load()


def test_lowest_after_the_book_race():
    paths = trajectory_ends("book")
    assert min(paths, key=lambda name: paths[name].values[-1]) == BY_KEY["lowest"].answer


def test_only_momentum_leaves_the_saddle():
    """Off the saddle at (0, 0), where f = 1: within 200 steps f has fallen below a half."""
    paths = trajectory_ends("saddle")
    left = [name for name, path in paths.items() if path.values[-1] < 0.5]
    assert left == [BY_KEY["escape"].answer]


@pytest.mark.parametrize("key, preset", [("sig1", "sig1"), ("sig001", "sig001")])
def test_where_the_fifth_sigmoid_layer_lies(key, preset):
    p = INIT_PRESETS[preset]
    init = float(p["init"]) if p["init"][0].isdigit() else p["init"]
    a = initialisation.measure(initialisation.InitConfig(init, p["act"], p["layers"], p["units"], p["bn"])).act[-1]
    ends, middle = np.mean((a < 0.1) | (a > 0.9)), np.mean(np.abs(a - 0.5) < 0.1)
    seen = "ends" if ends > 0.5 else "middle" if middle > 0.5 else "spread"
    assert seen == BY_KEY[key].answer


def test_four_times_the_batch_a_quarter_of_the_variance(digits):
    noise = batching.noise_experiment(digits, 2000, False, 20, 0)  # the Noise tab's defaults
    ratio = 4 ** batching.loglog_slope(noise.sizes, noise.variance)
    options = {"same": 1, "half": 1 / 2, "quarter": 1 / 4, "sixteenth": 1 / 16}
    assert min(options, key=lambda o: abs(math.log(options[o] / ratio))) == BY_KEY["noise"].answer


def test_batch_one_ends_lowest_in_equal_epochs():
    demo = batching.surface_experiment(0)  # the Surfaces tab at its defaults: batch 10, rate 0.5, 5 epochs
    places = (0, demo.sizes.index(10), len(demo.sizes) - 1)
    assert [demo.sizes[p] for p in places] == [1, 10, 200]
    lr = batching.SURFACE_LRS.index(0.5)
    by_option = {o: demo.final(p, lr, 5) for o, p in zip(("one", "ten", "all"), places, strict=True)}
    assert min(by_option, key=by_option.get) == BY_KEY["epochs"].answer


def test_sgd_ends_highest_in_the_optimizer_race(digits):
    race = preset_race("optimizers", digits)
    final = {n.optimizer: train.smooth(run.losses, 100)[-1]
             for n, run in zip(MNIST_PRESETS["optimizers"]["nets"], race.values(), strict=True)}
    asked = BY_KEY["race"]
    assert max(final, key=final.get) == asked.answer
    assert set(asked.options) <= set(final)


def test_he_relu_ends_lowest_in_the_initialisation_race(digits):
    race = preset_race("init", digits)
    final = {f"{n.init}_{n.activation}": train.smooth(run.losses, 100)[-1]
             for n, run in zip(MNIST_PRESETS["init"]["nets"], race.values(), strict=True)}
    asked = BY_KEY["init_race"]
    assert set(asked.options) <= set(final)
    assert min(final, key=final.get) == asked.answer


def test_momentum_ends_where_the_click_question_says():
    asked = BY_KEY["where"]
    end = trajectory_ends(asked.setup)["Momentum"].points[-1]
    assert read(asked, asked.answer) == pytest.approx(tuple(end), abs=1e-4)
    surface = surfaces.get(TRAJECTORY_PRESETS[asked.setup]["surface"])
    assert (asked.lo, asked.hi, asked.lo2, asked.hi2) == (*surface.xlim, *surface.ylim)  # a click anywhere counts


def test_the_largest_stable_rate_is_where_plain_descent_stops_converging():
    asked = BY_KEY["stable"]
    p = TRAJECTORY_PRESETS[asked.setup]
    surface = surfaces.get(p["surface"])
    limit = read(asked, asked.answer)
    start = np.array([p["x0"], p["y0"]])
    ends = {lr: descent.walk(surface, make_optimizer("SGD", lr), start, 2000, make_schedule("constant", 2000), 0.0, 0)
            for lr in (0.98 * limit, 1.02 * limit)}
    assert np.linalg.norm(ends[0.98 * limit].points[-1]) < 1e-6  # just below: it converges
    assert ends[1.02 * limit].diverged_at is not None or np.linalg.norm(ends[1.02 * limit].points[-1]) > 10
    assert asked.lo < limit < asked.hi


def test_answers_are_read_within_their_bounds_and_scored_by_distance():
    number, point, choice = BY_KEY["stable"], BY_KEY["where"], BY_KEY["lowest"]
    assert read(number, "0.5") == 0.5 and read(number, "nan") is None and read(number, "5.5") is None
    assert read(number, "1,2") is None and read(point, "3") is None and read(point, "1,99") is None
    assert read(choice, "Adam") == "Adam" and read(choice, "Lion") is None
    assert written((0.123456, -2.0)) == "0.1235,-2" and written(0.85) == "0.85"
    assert error(number, "0.5") == 0.5 and error(choice, "SGD") == 1.0 and error(choice, "AdaGrad") == 0.0
    assert error(point, "3.8964,4.0881") == pytest.approx(5.0)
    assert median_error(number, {"0.5": 2, "1.25": 1, "x": 5}) == 0.5 and np.isnan(median_error(number, {}))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_question_has_its_words(lang):
    for q in QUESTIONS:
        assert read(q, q.answer) is not None and (q.kind == "choice") == bool(q.options)
        for key in (f"q.{q.key}", f"q.{q.key}.why", *(f"q.{q.key}.{o}" for o in q.options)):
            assert BOOKS[lang][key].strip(), key


def test_every_page_asks_at_least_two_and_next_walks_all_of_them_in_a_circle():
    assert all(len(on_page(page)) >= 2 for page in ("trajectories", "initialisation", "batch_size", "mnist"))
    seen, key = [], None
    for _ in QUESTIONS:
        key = following(key)
        seen.append(key)
    assert seen == [q.key for q in QUESTIONS] and following(seen[-1]) == seen[0]


PAGES = {"trajectories", "initialisation", "batch_size", "mnist"}


def own_questions() -> list:
    return [lowest("trajectories", "trajectories?traj_surface=saddle", {"SGD": 0.5, "Adam": np.nan, "Momentum": -0.25},
                   "Which one ends **lowest**? \"quoted\" \\ back"),
            end_of("trajectories", "trajectories?traj_steps=50", (12.0, -0.5), ((-10.0, 10.0), (-5.0, 5.0)),
                   ("bowl", 20.0, -7.0, 2.0), "Click where Momentum ends"),
            number("initialisation", "initialisation?init_layers=3", 0.123456, 1.0, "Std of layer 3? 中文"),
            curve_end("mnist", "mnist?mnist_exp=overfit", np.r_[np.nan, np.linspace(2.3, 0.4, 999)], "Where at 1000?")]


def test_a_teachers_question_takes_the_pages_answer():
    by_lowest, by_end, by_number, by_curve = own_questions()
    assert read(by_curve, by_curve.answer) == (1000.0, 0.4) and (by_curve.hi, by_curve.hi2) == (1000.0, 2.53)
    assert len(by_curve.curve) <= 120 and by_curve.curve[0][0] > 1 and by_curve.curve[-1] == (1000, 0.4)  # nan left out
    assert error(by_curve, "1000,0.65") == pytest.approx(0.25)  # a click on the line at 1000: the height is the guess
    assert by_lowest.answer == "Momentum" and by_lowest.options == ("SGD", "Adam", "Momentum")  # nan never wins
    assert read(by_end, by_end.answer) == (10.0, -0.5)  # beyond the map: at its edge, still clickable
    assert read(by_number, by_number.answer) == 0.1235 and (by_number.lo, by_number.hi) == (0.0, 1.0)


def test_own_questions_go_to_toml_and_come_back_the_same():
    written_ = own_questions()
    text = to_toml(written_)
    assert from_toml(text, PAGES) == written_
    assert from_json("own7", to_json(written_[1])) == written_[1]._replace(key="own7")


@pytest.mark.parametrize("change, why", [
    (lambda t: t.replace('page = "trajectories"', 'page = "nowhere"', 1), "question 1: page"),
    (lambda t: t.replace('setup = "trajectories?traj_surface=saddle"', 'setup = "mnist?x=1"'), "question 1: page"),
    (lambda t: t.replace('answer = "Momentum"', 'answer = "Lion"'), "question 1: answer"),
    (lambda t: t.replace('answer = "10,-0.5"', 'answer = "11,-0.5"'), "question 2: answer"),
    (lambda t: t.replace('kind = "number"', 'kind = "essay"'), "question 3: kind and bounds"),
    (lambda t: t.replace("bounds = [0.0, 1.0]", "bounds = [1.0, 0.0]"), "question 3: kind and bounds"),
    (lambda t: t.replace('prompt = "Click where Momentum ends"', 'prompt = "' + "x" * 501 + '"'), "question 2: texts"),
    (lambda t: t.replace('prompt = "Click where Momentum ends"', "prompt = 5"), "question 2: texts"),
    (lambda t: t + "[[question]\n", "TOML"),
    (lambda t: "\n".join([t] * 17), "at most 50"),
    (lambda t: t.replace('map = ["curve", 0.25]', 'map = ["curve"]'), "question 4: map"),
    (lambda t: t[:t.rindex("curve = [")], "question 4: map"),
])
def test_a_broken_toml_file_is_refused_and_says_where(change, why):
    with pytest.raises(ValueError, match=re.escape(why)):
        from_toml(change(to_toml(own_questions())), PAGES)
