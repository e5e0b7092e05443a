"""The initialisation page in a real browser: presets, compare mode, no exception on screen."""

from __future__ import annotations

from streamlit_page import assert_no_exception, wait_charts, wait_idle


def test_initialisation_presets_and_compare(open_page):
    pg = open_page("initialisation")
    assert wait_charts(pg, 1) >= 1
    for name in ["Sigmoid, std 0.01", "ReLU, He", "Sigmoid, std 1"]:
        pg.get_by_role("button", name=name).click()
        wait_idle(pg)
        assert_no_exception(pg)
    pg.get_by_text("Compare with a second set-up").click()
    wait_idle(pg)
    assert wait_charts(pg, 2) == 2
    assert "init_compare" in pg.url
    assert_no_exception(pg)
