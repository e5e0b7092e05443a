"""The trajectories page in a real browser: controls, animation, no exception on screen."""

from __future__ import annotations

from streamlit_page import assert_no_exception, wait_charts, wait_idle


def test_home_links_to_trajectories(open_page):
    pg = open_page("")
    pg.get_by_role("link", name="Optimizer trajectories").first.click()
    wait_idle(pg)
    assert_no_exception(pg)
    assert wait_charts(pg, 1) >= 1


def drawn_curves(pg) -> int:
    """The Vega-Lite curve charts drawn (each draws once scrolled into view)."""
    charts = pg.locator("[data-testid='stVegaLiteChart']")
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        chart.locator("canvas, svg").first.wait_for(timeout=10_000)
    return charts.count()


def test_trajectories_controls_and_animation(open_page):
    pg = open_page("trajectories")
    assert wait_charts(pg, 1) == 1 and drawn_curves(pg) == 2  # the trajectories; loss and distance
    # Four default optimizers: four status boxes, none diverged.
    assert pg.get_by_text("after 30 steps").count() == 4

    # Raise SGD's learning rate past 2/λmax = 1 through the URL-bound control: it diverges.
    pg.goto(pg.url + "?traj_lr_SGD=1.5")
    wait_idle(pg)
    assert pg.locator("[data-testid='stAlertContentError']").get_by_text("diverged at step").count() == 1
    pg.locator(".legend").get_by_text("SGD ✗ diverged at step").first.wait_for(timeout=10_000)  # in the legends
    assert_no_exception(pg)

    # Add Nesterov from the multiselect.
    pg.locator("[data-testid='stMultiSelect'] input").first.click()
    pg.keyboard.type("Nesterov")
    pg.keyboard.press("Enter")
    pg.keyboard.press("Escape")
    wait_idle(pg)
    assert "Nesterov" in pg.url
    assert pg.get_by_text("Nesterov:", exact=False).count() >= 1

    # Play the animation in the browser: the frame label moves on without a server rerun.
    chart = pg.locator("[data-testid='stPlotlyChart']").first
    label = chart.locator(".slider-group text.slider-label").first
    assert label.text_content() == "step 30"
    chart.get_by_text("▶ Play").click()
    pg.wait_for_timeout(500)
    first = label.text_content()
    # mid-play the contour (a background picture) is still drawn, and each head marker sits at the
    # current step, not at the path's end
    assert chart.locator(".layer-subplot .imagelayer image").count() == 1
    heads = chart.evaluate("el => el.querySelector('.js-plotly-plot').data.filter(d => d.mode === 'markers' "
                           "&& d.x && d.x.length === 2).map(d => d.x[1])")
    assert len(heads) == 5 and heads[1] > -6.8  # Momentum's marker has left the start at x = −7
    pg.wait_for_timeout(800)
    second = label.text_content()
    chart.get_by_text("❚❚ Pause").click()
    steps = [int(s.split()[-1]) for s in (first, second)]
    assert steps[0] < steps[1] <= 30, (first, second)
    paused = label.text_content()
    pg.wait_for_timeout(600)
    assert label.text_content() == paused
    assert_no_exception(pg)


def test_presets_and_tabs(open_page):
    pg = open_page("trajectories")
    for name in ["Saddle escape", "Ill-conditioned bowl", "Rosenbrock", "Book figure"]:
        pg.get_by_role("button", name=name).click()
        wait_idle(pg)
        assert_no_exception(pg)
    for tab in ["One panel each", "3-D surface", "Curvature", "Basins", "Loss and distance"]:
        pg.get_by_role("tab", name=tab).click()
        wait_idle(pg)
        assert_no_exception(pg)
        assert wait_charts(pg, 2) >= 2 if tab != "Loss and distance" else drawn_curves(pg) == 2


def test_chinese_and_bad_link(open_page):
    pg = open_page("trajectories?lang=中文&traj_steps=99999&traj_x0=abc&traj_surface=nope")
    assert pg.get_by_text("优化器轨迹").count() >= 1
    assert_no_exception(pg)
    assert wait_charts(pg, 1) >= 1


def click_at(pg, x: float, y: float) -> None:
    """Click the main figure at data point (x, y)."""
    box = pg.locator("[data-testid='stPlotlyChart']").first.evaluate(
        """(el, [x, y]) => { const gd = el.querySelector('.js-plotly-plot'), r = gd.getBoundingClientRect();
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        return [r.left + xa._offset + xa.l2p(x), r.top + ya._offset + ya.l2p(y)]; }""", [x, y])
    pg.mouse.move(*box)
    pg.wait_for_timeout(200)
    pg.mouse.click(*box)


def test_a_click_on_the_contour_moves_the_start_to_the_nearest_lattice_point(open_page):
    pg = open_page("trajectories")
    wait_charts(pg, 1)
    start_x, start_y = pg.get_by_label("Start x"), pg.get_by_label("Start y")
    for (x, y), expected in (((-3.2, 1.15), [(-3, 1)]), ((4.45, -2.45), [(4, -2), (5, -2), (4, -3), (5, -3)])):
        click_at(pg, x, y)
        wait_idle(pg)
        assert_no_exception(pg)
        got = (float(start_x.input_value()), float(start_y.input_value()))
        assert got in expected, (x, y, got)


def test_the_new_views_in_a_real_browser_in_both_languages(open_page):
    """A teacher's own function from a link, its basins and a worked update, then the rates on the
    bowl, in English and in Chinese: drawn, with no exception on screen."""
    for lang, basins, curvature, rates in (("English", "Basins", "Curvature", "Predicted and observed rates"),
                                           ("中文", "吸引域", "曲率", "预测与实测的收敛速率")):
        pg = open_page(f"trajectories?lang={lang}&traj_surface=own&traj_f=x**4%20-%20x**2%20%2B%20y**2")
        wait_charts(pg, 1)
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
    """Each change of the step count redraws the trajectories (paths, step slider) and the curves
    with the new count, never an earlier one."""
    pg = open_page("trajectories")
    chart = pg.locator("[data-testid='stPlotlyChart']").first
    lengths = "el => el.querySelector('.js-plotly-plot')._fullData.filter(d => d.mode === 'lines').map(d => d.x.length)"
    box = pg.get_by_label("Steps")
    for n in (40, 30, 50, 45):
        box.fill(str(n))
        box.press("Enter")
        wait_idle(pg)
        chart = pg.locator("[data-testid='stPlotlyChart']").first
        assert chart.locator(".slider-group text.slider-label").first.text_content() == f"step {n}"
        assert chart.evaluate(lengths) == [n + 1] * 4  # every path has its start and n steps
        assert pg.get_by_text(f"after {n} steps").count() == 4
        assert drawn_curves(pg) == 2
    assert_no_exception(pg)
