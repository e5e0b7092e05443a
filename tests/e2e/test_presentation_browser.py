"""Presentation mode on a projector's 1280×720: the sidebar is folded away, the controls a lesson
needs sit in a bar above the figure, and each page's main figure, with its Play control and step
slider, lies inside the first screen."""

from __future__ import annotations

import pytest
from streamlit_page import assert_no_exception, wait_idle


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


def bar_controls_visible(pg, labels: list[str]) -> None:
    """Each label's control is in the main area, inside the first screen, above the figure."""
    main = pg.locator("[data-testid='stMain']")
    for label in labels:
        box = main.locator("[data-testid='stWidgetLabel']", has_text=label).first.bounding_box()
        assert box is not None and inside(box), (label, box)


LESSON_BAR = {"trajectories": ["Surface", "Optimizers", "Steps"], "initialisation": ["Layers"]}


@pytest.mark.parametrize("page", ["trajectories", "initialisation", "batch_size"])
def test_the_main_figure_fits_the_first_screen(projector, page):
    pg = projector(f"{page}?present=1")
    if page == "batch_size":  # the tab that draws without a button press
        pg.get_by_role("tab", name="Surfaces").click()
        wait_idle(pg)
    if page == "trajectories":  # its figure is Vega-Lite, with its rate and step sliders and Play below
        figure = pg.locator("[data-testid='stVegaLiteChart']:has(g.heads_marks)")
        figure.wait_for(timeout=20_000)
        play = pg.get_by_role("button", name="▶ Play")
        play.wait_for(state="visible", timeout=20_000)  # its own component, drawn after the figure on a busy machine
        assert inside(play.bounding_box()), play.bounding_box()
    elif page == "initialisation":  # Vega-Lite too: its set-up is picked by the selects under it
        figure = pg.locator("[data-testid='stVegaLiteChart']:has(g.bars_01_marks)")
        figure.wait_for(timeout=20_000)
        for field in ("i", "a", "n"):
            assert inside(figure.locator(f"[name='init_pick_{field}']").bounding_box()), field
    else:  # the surfaces: Vega-Lite, its batch, rate and epochs picked by the radio buttons under it
        figure = pg.locator("[data-testid='stVegaLiteChart']:has(g.heads_marks)")
        figure.wait_for(timeout=20_000)
        for name in ("surf_b_b", "surf_lr_li", "surf_ep_e"):
            assert inside(figure.locator(f"[name='{name}']").last.bounding_box()), name
    assert inside(figure.bounding_box()), figure.bounding_box()
    bar_controls_visible(pg, LESSON_BAR.get(page, []))
    assert "present=1" in pg.url


def test_the_live_race_fits_the_first_screen(projector):
    pg = projector("mnist?present=1")
    bar_controls_visible(pg, ["Training images", "Batch size", "Iterations"])
    pg.get_by_role("button", name="Start").click()
    charts = pg.locator("[data-testid='stVegaLiteChart']")
    charts.nth(1).wait_for(timeout=20_000)
    pg.wait_for_timeout(1000)
    assert all(inside(charts.nth(i).bounding_box()) for i in range(2))
    pg.get_by_role("button", name="Pause").click()
    wait_idle(pg)
    assert_no_exception(pg)


def test_every_label_is_whole_on_a_1024_screen(browser, server_url):
    """At 1024×768 with the sidebar open no button label is cut off and every batch-size tab is in
    view (none hides behind the tab bar's scroll arrow)."""
    ctx = browser.new_context(viewport={"width": 1024, "height": 768})
    pg = ctx.new_page()
    for page in ("trajectories", "initialisation", "mnist", "batch_size"):  # the tabs below: batch_size
        pg.goto(f"{server_url}/{page}")
        pg.wait_for_selector("[data-testid='stApp']", timeout=30_000)
        wait_idle(pg)
        assert_no_exception(pg)
        cut = pg.evaluate("""() => Array.from(document.querySelectorAll(
            "[data-testid='stMain'] button p, [data-testid='stMain'] [role='tab'] p"))
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)""")
        assert not cut, (page, cut)
    bar = pg.locator("[role='tablist']").first.bounding_box()
    tabs = pg.locator("[role='tab']")
    assert tabs.count() == 5
    for i in range(5):
        box = tabs.nth(i).bounding_box()
        assert box["x"] >= bar["x"] and box["x"] + box["width"] <= bar["x"] + bar["width"], (i, box, bar)
    ctx.close()
