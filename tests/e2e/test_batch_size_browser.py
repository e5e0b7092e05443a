"""The batch-size page in a real browser: the timing sweep and the gradient-noise section."""

from __future__ import annotations

from streamlit_page import assert_no_exception, wait_charts, wait_idle


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
