"""Presentation mode on a projector's 1280×720: the sidebar is folded away and each page's main
figure, with its Play control and step slider, lies inside the first screen."""

from __future__ import annotations

import pytest
from streamlit_page import assert_no_exception, wait_charts, wait_idle


@pytest.fixture
def projector(browser, server_url):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = ctx.new_page()

    def _open(path: str):
        pg.goto(f"{server_url}/{path}")
        pg.wait_for_selector("[data-testid='stApp']", timeout=30_000)
        wait_idle(pg)
        assert_no_exception(pg)
        sidebar = pg.locator("[data-testid='stSidebar']").bounding_box()
        assert sidebar["x"] + sidebar["width"] <= 0  # folded away, off the screen (300 px wide otherwise)
        return pg

    yield _open
    ctx.close()


def inside(box: dict) -> bool:
    return box["y"] >= 0 and box["y"] + box["height"] <= 720 and box["x"] >= 0 and box["x"] + box["width"] <= 1280


@pytest.mark.parametrize("page", ["trajectories", "initialisation"])
def test_the_main_figure_fits_the_first_screen(projector, page):
    pg = projector(f"{page}?present=1")
    wait_charts(pg)
    figure = pg.locator("[data-testid='stPlotlyChart']").first
    assert inside(figure.bounding_box()), figure.bounding_box()
    if page == "trajectories":  # Play and the step slider are part of the figure
        assert figure.get_by_text("▶ Play").is_visible()
    assert "present=1" in pg.url


def test_the_live_race_fits_the_first_screen(projector):
    pg = projector("mnist?present=1")
    pg.get_by_role("button", name="Start").click()
    charts = pg.locator("[data-testid='stVegaLiteChart']")
    charts.nth(1).wait_for(timeout=20_000)
    pg.wait_for_timeout(1000)
    assert all(inside(charts.nth(i).bounding_box()) for i in range(2))
    pg.get_by_role("button", name="Pause").click()
    wait_idle(pg)
    assert_no_exception(pg)
