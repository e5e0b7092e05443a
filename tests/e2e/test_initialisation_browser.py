"""The initialisation page in a real browser: a set-up switched in the figure without the server,
the page and the link following, presets, compare mode, no exception on screen."""

from __future__ import annotations

import re

import numpy as np
from streamlit_page import assert_no_exception, wait_idle

from optviz.nn.initialisation import InitConfig, histograms, measure

FIGURE = "[data-testid='stVegaLiteChart']:has(g.bars_01_marks)"


def heights(pg, k: int = 0, layer: int = 1, suffix: str = "") -> np.ndarray:
    """The drawn bars of one panel (k 0 activations, 1 ∂L/∂z), left to right: their heights in px."""
    paths = pg.locator(FIGURE).evaluate(f"""el => [...el.querySelectorAll('g.bars_{k}{layer}{suffix}_marks path')]
        .map(p => p.getAttribute('d'))""")
    bars = []
    for d in paths:
        m = re.match(r"M([-\d.e]+),([-\d.e]+)h([-\d.e]+)v([-\d.e]+)", d)
        bars.append((float(m[1]), abs(float(m[4]))))
    return np.array([h for _, h in sorted(bars)])


def core_shares(init, act, bn=False, layer=1, k=0) -> np.ndarray:
    e = measure(InitConfig(init, act, 5, 100, bn, 1000, 0))
    return histograms((e.act, e.grads)[k]).shares[layer - 1]


def same_picture(drawn: np.ndarray, shares: np.ndarray) -> None:
    """Bars drawn from zero on a linear axis: heights in proportion to the shares, to a pixel."""
    assert len(drawn) == len(shares)
    np.testing.assert_allclose(drawn / drawn.max() * shares.max(), shares, atol=shares.max() / drawn.max())


def pick(pg, field: str, label: str | None = None, suffix: str = "") -> None:
    """Choose ``label`` in the figure's select (field "i" or "a"), or flip its checkbox ("n")."""
    name = f"{FIGURE} [name='init_pick{suffix}_{field}']"
    if field == "n":
        pg.locator(name).click()
    else:
        pg.locator(name).select_option(label=label)
    pg.wait_for_timeout(100)


def test_a_set_up_picked_in_the_figure_is_drawn_then_followed_by_the_page_and_link(open_page, browser, server_url):
    pg = open_page("initialisation")
    pg.locator(f"{FIGURE} g.bars_01_marks path").first.wait_for()
    same_picture(heights(pg), core_shares(1.0, "sigmoid"))
    pick(pg, "a", "ReLU")
    same_picture(heights(pg), core_shares(1.0, "relu"))  # drawn before the server has answered
    same_picture(heights(pg, 1, 3), core_shares(1.0, "relu", layer=3, k=1))
    pg.wait_for_function("() => location.search.includes('init_act=relu')", timeout=5_000)
    wait_idle(pg)
    sidebar = pg.locator("[data-testid='stSidebar']")
    box = sidebar.locator("[data-testid='stSelectbox']", has_text="Activation")
    assert "ReLU" in box.inner_text() + box.locator("input").input_value()
    pick(pg, "i", "He √(2/n)")
    pick(pg, "n")
    same_picture(heights(pg, 0, 5), core_shares("he", "relu", True, layer=5))
    pg.wait_for_function("() => location.search.includes('init_init=he') && location.search.includes('init_bn=true')",
                         timeout=5_000)
    wait_idle(pg)
    # the figure was kept as the student left it, and the table followed: He with batch norm
    assert pg.locator(f"{FIGURE} [name='init_pick_n']").is_checked()
    same_picture(heights(pg, 0, 5), core_shares("he", "relu", True, layer=5))
    assert_no_exception(pg)
    # the link opens the same picture in a new tab
    other = browser.new_page(viewport={"width": 1400, "height": 1000})
    other.goto(pg.url)
    other.locator(f"{FIGURE} g.bars_05_marks path").first.wait_for(timeout=30_000)
    same_picture(heights(other, 0, 5), core_shares("he", "relu", True, layer=5))
    assert other.locator(f"{FIGURE} [name='init_pick_i']").input_value() == "3"
    other.close()


def test_initialisation_presets_and_compare(open_page):
    pg = open_page("initialisation")
    pg.locator(f"{FIGURE} g.bars_01_marks path").first.wait_for()
    for name in ["Sigmoid, std 0.01", "ReLU, He", "Sigmoid, std 1"]:
        pg.get_by_role("button", name=name).click()
        wait_idle(pg)
        assert_no_exception(pg)
    same_picture(heights(pg), core_shares(1.0, "sigmoid"))
    pg.get_by_text("Compare with a second set-up").click()
    wait_idle(pg)
    pg.locator(f"{FIGURE} g.bars_012_marks path").first.wait_for()
    assert "init_compare" in pg.url
    same_picture(heights(pg, 0, 1, "2"), core_shares("he", "relu"))  # B starts at ReLU with He
    pick(pg, "a", "tanh", suffix="2")
    same_picture(heights(pg, 0, 1, "2"), core_shares("he", "tanh"))
    same_picture(heights(pg), core_shares(1.0, "sigmoid"))  # A is left as it was
    pg.wait_for_function("() => location.search.includes('init_act2=tanh')", timeout=5_000)
    wait_idle(pg)
    assert_no_exception(pg)
