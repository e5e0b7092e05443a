"""The batch-size page in a real browser: the timing sweep, the gradient-noise section and the
surfaces figure explored without the server."""

from __future__ import annotations

import numpy as np
from streamlit_page import assert_no_exception, wait_charts, wait_idle

from optviz.figures.plots import COLOURS
from optviz.lessons import batching
from optviz.lessons.batching import SURFACE_LRS


def test_timing_sweep_and_gradient_noise(open_page):
    pg = open_page("batch_size")
    pg.get_by_role("button", name="Measure on this server").click()
    pg.get_by_role("button", name="Stop").wait_for(timeout=10_000)  # stoppable while it runs
    pg.get_by_role("button", name="Measure again").wait_for(timeout=60_000)  # done, and shared for a while
    wait_idle(pg, 60_000)
    assert wait_charts(pg, 1) == 1
    assert "only" in pg.get_by_test_id("stAlertContentInfo").first.inner_text()
    assert_no_exception(pg)
    pg.get_by_role("tab", name="Noise").click()
    wait_idle(pg, 60_000)
    pg.get_by_role("button", name="Compute").click()
    pg.get_by_text("The variance falls with slope").wait_for(timeout=60_000)
    assert wait_charts(pg, 1) >= 1
    assert_no_exception(pg)


SURFACES = "[data-testid='stVegaLiteChart']:has(g.heads_marks)"


def surface_heads(pg, demo) -> dict[int, np.ndarray]:
    """Where each path's end dot is drawn (0 batch 1, 1 the small batch, 2 all the data, told apart
    by colour), in weight coordinates: the plot's pixels mapped through the picture's window."""
    pixels = pg.locator(SURFACES).evaluate("""el => {
        const img = el.querySelector('svg image'), w = +img.getAttribute('width'), h = +img.getAttribute('height');
        return [...el.querySelectorAll('g.heads_marks path')].map(p => {
            const m = p.getAttribute('transform').match(/translate\\(([^,]+),([^)]+)\\)/);
            return [p.getAttribute('fill').toUpperCase(), +m[1] / w, +m[2] / h]; }); }""")
    (x0, x1), (y0, y1) = (demo.w1[0], demo.w1[-1]), (demo.w2[0], demo.w2[-1])
    roles = {c.upper(): k for k, c in enumerate(COLOURS[:3])}
    return {roles[c]: np.array([x0 + u * (x1 - x0), y1 - v * (y1 - y0)]) for c, u, v in pixels}


def expected(demo, batch: int, lr: float, epochs: int) -> dict[int, np.ndarray]:
    li = SURFACE_LRS.index(lr)
    places = (0, demo.sizes.index(batch), len(demo.sizes) - 1)
    return {k: demo.path(p, li, epochs)[-1] for k, p in enumerate(places)}


def test_the_surfaces_figure_switches_batch_rate_and_epochs_in_the_browser_and_the_link_follows(open_page):
    """Each radio button redraws the three paths at once, their end dots where the core's runs end;
    the link follows; the link reopened draws the same picture."""
    demo = batching.surface_experiment(0)
    pg = open_page("batch_size")
    pg.get_by_role("tab", name="Surfaces").click()
    pg.locator(SURFACES).wait_for(timeout=20_000)
    window = 0.02 * (demo.w2[-1] - demo.w2[0])  # about a pixel and a half
    drawn = surface_heads(pg, demo)
    for k, end in expected(demo, 10, 0.5, 5).items():
        np.testing.assert_allclose(drawn[k], end, atol=window)
    for name, value, batch, lr, epochs, link in (("surf_b_b", 4, 50, 0.5, 5, "bs_surf_b=50"),
                                                 ("surf_lr_li", 5, 50, 2.0, 5, "bs_surf_lr=2"),
                                                 ("surf_ep_e", 0, 50, 2.0, 1, "bs_surf_ep=1")):
        pg.locator(f"{SURFACES} input[name='{name}'][value='{value}']").check()
        pg.wait_for_timeout(150)  # a frame or two: no server involved
        drawn = surface_heads(pg, demo)
        for k, end in expected(demo, batch, lr, epochs).items():
            np.testing.assert_allclose(drawn[k], end, atol=window)
        pg.wait_for_function(f"() => location.search.includes('{link}')", timeout=5_000)
    wait_idle(pg)
    assert_no_exception(pg)
    other = pg.context.new_page()  # the link, reopened: the same picture
    other.goto(pg.url)
    wait_idle(other)
    other.get_by_role("tab", name="Surfaces").click()
    other.locator(SURFACES).wait_for(timeout=20_000)
    assert other.locator(f"{SURFACES} input[name='surf_b_b'][value='4']").is_checked()
    here, there = surface_heads(pg, demo), surface_heads(other, demo)
    assert all(np.allclose(here[k], there[k], atol=1e-6) for k in here) and len(here) == 3
    other.close()
