"""The trajectories page in a real browser: the figure explored without the server, the link
following, the controls, no exception on screen."""

from __future__ import annotations

import re

import numpy as np
from streamlit_page import assert_no_exception, wait_charts, wait_idle, wait_vega

from optviz.figures import plots
from optviz.optim.registry import LR_VALUES, make_optimizer
from optviz.toy import descent, surfaces

FIGURE = "[data-testid='stVegaLiteChart']:has(g.heads_marks)"


def heads(pg, surface) -> dict[str, np.ndarray]:
    """Where each optimizer's head marker is drawn (told apart by its colour), in the surface's
    coordinates: the plot's pixels mapped through its window, which the contour picture spans."""
    pixels = pg.locator(FIGURE).evaluate("""el => {
        const img = el.querySelector('svg image'), w = +img.getAttribute('width'), h = +img.getAttribute('height');
        return [...el.querySelectorAll('g.heads_marks path')].map(p => {
            const m = p.getAttribute('transform').match(/translate\\(([^,]+),([^)]+)\\)/);
            return [p.getAttribute('fill').toUpperCase(), +m[1] / w, +m[2] / h]; }); }""")
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    names = {plots.style(name)[0]: name for name in ("SGD", "Momentum", "AdaGrad", "Adam")}
    return {names[c]: np.array([x0 + u * (x1 - x0), y1 - v * (y1 - y0)]) for c, u, v in pixels}


def slide(pg, name: str, value: int) -> None:
    """Move the figure's range input ``name`` to ``value`` as a student's drag does."""
    pg.locator(f"{FIGURE} input[name='{name}']").fill(str(value))
    pg.wait_for_timeout(150)


def core_path(lr: float, n: int = 30, name: str = "SGD") -> np.ndarray:
    s = surfaces.bowl()
    return descent.walk(s, make_optimizer(name, lr), np.array(s.start), n).points


def test_home_links_to_trajectories(open_page):
    pg = open_page("")
    pg.get_by_role("link", name="Optimizer trajectories").first.click()
    wait_idle(pg)
    assert_no_exception(pg)
    pg.locator(FIGURE).wait_for(timeout=20_000)


def test_a_learning_rate_and_the_step_move_in_the_browser_and_the_link_follows(open_page, browser, server_url):
    """Moving SGD's rate in the figure draws SGD's path at that rate (its head where the core's run
    ends), before and without a rerun; the status box and the link follow; the link reopened
    shows the same picture. The step slider and Play move every head along its own path."""
    pg = open_page("trajectories")
    pg.locator(FIGURE).wait_for(timeout=20_000)
    s = surfaces.bowl()
    # the default four: SGD 0.95, Momentum 0.1, AdaGrad 1.5, Adam 0.3
    np.testing.assert_allclose(heads(pg, s)["SGD"], core_path(0.95)[-1], atol=0.05)
    for lr in (0.5, 0.05):
        slide(pg, "traj_lr_0_li", LR_VALUES.index(lr))
        np.testing.assert_allclose(heads(pg, s)["SGD"], core_path(lr)[-1], atol=0.05)  # drawn at once
        pg.wait_for_function(f"() => location.search.includes('traj_lr_SGD={lr:g}')", timeout=5_000)
        wait_idle(pg)
        assert pg.get_by_text(re.compile(r"^SGD: f = .* after 30 steps$")).count() == 1
    f = descent.walk(s, make_optimizer("SGD", 0.05), np.array(s.start), 30).values[-1]
    assert pg.get_by_text(f"SGD: f = {f:.3g} after 30 steps").count() == 1  # the server caught up
    np.testing.assert_allclose(heads(pg, s)["SGD"], core_path(0.05)[-1], atol=0.05)  # not reset by the rerun

    slide(pg, "traj_lr_0_li", LR_VALUES.index(1.5))  # past 2/λmax = 1: diverged
    pg.locator(FIGURE).get_by_text("SGD  η = 1.5  ✗ diverged at step 6").wait_for(timeout=5_000)  # the legend
    pg.locator("[data-testid='stAlertContentError']").get_by_text("diverged at step 6").wait_for(timeout=5_000)

    wait_idle(pg)
    other = pg.context.new_page()  # the link, reopened: the same picture
    other.goto(pg.url)
    wait_idle(other)
    other.locator(FIGURE).wait_for(timeout=20_000)
    assert other.locator(f"{FIGURE} input[name='traj_lr_0_li']").input_value() == str(LR_VALUES.index(1.5))
    here, there = heads(pg, s), heads(other, s)
    assert set(here) == set(there) and all(np.allclose(here[k], there[k], atol=1e-6) for k in here)
    other.close()

    slide(pg, "traj_k", 10)
    np.testing.assert_allclose(heads(pg, s)["Momentum"], core_path(0.1, name="Momentum")[10], atol=0.05)
    pg.wait_for_function("() => location.search.includes('traj_step=10')", timeout=5_000)  # the drag released

    step = pg.locator(f"{FIGURE} input[name='traj_k']")
    pg.get_by_role("button", name="▶ Play").click()
    pg.wait_for_timeout(600)
    first = int(step.input_value())
    pg.wait_for_timeout(600)
    pg.get_by_role("button", name="❚❚ Pause").click()
    paused = int(step.input_value())
    assert 0 <= first < paused <= 30, (first, paused)
    np.testing.assert_allclose(heads(pg, s)["Momentum"], core_path(0.1, name="Momentum")[paused], atol=0.05)
    pg.wait_for_timeout(500)
    assert int(step.input_value()) == paused
    pg.wait_for_function(f"() => location.search.includes('traj_step={paused}')", timeout=5_000)
    wait_idle(pg)
    assert int(step.input_value()) == paused  # the rerun kept the figure where it was paused
    assert_no_exception(pg)
    other = pg.context.new_page()  # paused at a step, the link shares that step
    other.goto(pg.url)
    wait_idle(other)
    other.locator(FIGURE).wait_for(timeout=20_000)
    assert other.locator(f"{FIGURE} input[name='traj_k']").input_value() == str(paused)
    np.testing.assert_allclose(heads(other, s)["Momentum"], core_path(0.1, name="Momentum")[paused], atol=0.05)
    other.close()


def test_presets_and_tabs(open_page):
    pg = open_page("trajectories")
    for name in ["Saddle escape", "Ill-conditioned bowl", "Rosenbrock", "Book figure"]:
        pg.get_by_role("button", name=name).click()
        wait_idle(pg)
        assert_no_exception(pg)
        pg.locator(FIGURE).wait_for(timeout=20_000)
    for tab in ["One panel each", "3-D surface", "Curvature", "Basins", "Loss and distance"]:
        pg.get_by_role("tab", name=tab).click()
        wait_idle(pg)
        assert_no_exception(pg)
        assert wait_charts(pg, 1) >= 1 if tab != "Loss and distance" else wait_vega(pg, 3) == 3


def test_the_curvature_tab_draws_sharpness_along_a_path(open_page):
    """A step of SGD analysed: its worked update and its λmax along the path against 2/η, no exception."""
    pg = open_page("trajectories?traj_surface=li&traj_x0=-1.5&traj_y0=1.5&traj_steps=100")
    pg.get_by_role("tab", name="Curvature").click()
    wait_idle(pg)
    pg.locator("[data-testid='stRadio'] label", has_text="SGD").first.click()
    wait_idle(pg)
    pg.get_by_text("Sharpness along the path").wait_for(timeout=20_000)
    # under the trajectories figure (SVG), the sharpness chart, drawn on a canvas
    pg.locator("[data-testid='stVegaLiteChart'] canvas").first.wait_for(timeout=20_000)
    assert_no_exception(pg)


def test_chinese_and_bad_link(open_page):
    pg = open_page("trajectories?lang=中文&traj_steps=99999&traj_x0=abc&traj_surface=nope")
    assert pg.get_by_text("优化器轨迹").count() >= 1
    assert_no_exception(pg)
    pg.locator(FIGURE).wait_for(timeout=20_000)
    assert pg.locator(FIGURE).get_by_text("SGD  η = 0.95").count() == 1


def click_at(pg, surface, x: float, y: float) -> None:
    """Click the figure at the surface's point (x, y)."""
    box = pg.locator(f"{FIGURE} svg image").bounding_box()
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    px = box["x"] + (x - x0) / (x1 - x0) * box["width"]
    py = box["y"] + (y1 - y) / (y1 - y0) * box["height"]
    pg.mouse.move(px, py)
    pg.wait_for_timeout(200)
    pg.mouse.click(px, py)


def test_a_click_on_the_contour_moves_the_start_to_the_nearest_lattice_point(open_page):
    pg = open_page("trajectories")
    pg.locator(FIGURE).wait_for(timeout=20_000)
    s = surfaces.bowl()
    start_x, start_y = pg.get_by_label("Start x"), pg.get_by_label("Start y")
    for (x, y), expected in (((-3.2, 1.15), [(-3, 1)]), ((4.45, -2.45), [(4, -2), (5, -2), (4, -3), (5, -3)])):
        click_at(pg, s, x, y)
        wait_idle(pg)
        assert_no_exception(pg)
        got = (float(start_x.input_value()), float(start_y.input_value()))
        assert got in expected, (x, y, got)
        assert f"traj_x0={got[0]:g}" in pg.url.replace("%2C", ",")


def test_the_new_views_in_a_real_browser_in_both_languages(open_page):
    """A teacher's own function from a link, its basins and a worked update, then the rates on the
    bowl, in English and in Chinese: drawn, with no exception on screen."""
    for lang, basins, curvature, rates in (("English", "Basins", "Curvature", "Predicted and observed rates"),
                                           ("中文", "吸引域", "曲率", "预测与实测的收敛速率")):
        pg = open_page(f"trajectories?lang={lang}&traj_surface=own&traj_f=x**4%20-%20x**2%20%2B%20y**2")
        pg.locator(FIGURE).wait_for(timeout=20_000)
        pg.get_by_role("tab", name=basins).click()
        wait_idle(pg)
        assert_no_exception(pg)
        pg.locator("[data-testid='stPlotlyChart'] .heatmaplayer").first.wait_for(timeout=30_000)
        pg.get_by_role("tab", name=curvature).click()
        wait_idle(pg)
        pg.locator("[data-testid='stRadio'] label").nth(2).click()  # the second optimizer's path
        wait_idle(pg)
        assert_no_exception(pg)
        pg.locator(".katex", has_text="θ").first.wait_for(timeout=10_000)
        pg = open_page(f"trajectories?lang={lang}")
        pg.get_by_text(rates).wait_for(timeout=10_000)
        assert_no_exception(pg)


def test_a_changed_control_redraws_the_figure_with_its_new_values(open_page):
    """Each change of the step count redraws the figure with the new count (its step slider, every
    head at the end of the core's path of that length) and the curves, never an earlier one."""
    pg = open_page("trajectories")
    s = surfaces.bowl()
    box = pg.get_by_label("Steps")
    for n in (40, 30, 50, 45):
        box.fill(str(n))
        box.press("Enter")
        wait_idle(pg)
        assert pg.locator(f"{FIGURE} input[name='traj_k']").get_attribute("max") == str(n)
        np.testing.assert_allclose(heads(pg, s)["SGD"], core_path(0.95, n)[-1], atol=0.05)
        assert pg.get_by_text(f"after {n} steps").count() == 4
    assert_no_exception(pg)
