"""What a browser test does on a Streamlit page: wait for a run to finish, find charts, find
exceptions on screen."""

from __future__ import annotations


def wait_idle(pg, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script (and drawn its output)."""
    pg.wait_for_timeout(300)
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    pg.wait_for_timeout(300)


def assert_no_exception(pg) -> None:
    assert pg.locator("[data-testid='stException']").count() == 0, pg.locator(
        "[data-testid='stException']").first.inner_text()


def wait_charts(pg, n: int = 1, timeout: float = 30_000) -> int:
    """Wait until at least ``n`` Plotly charts have been drawn; return how many there are."""
    pg.locator("[data-testid='stPlotlyChart'] .main-svg").nth(n - 1).wait_for(timeout=timeout)
    return pg.locator("[data-testid='stPlotlyChart']").count()


def wait_vega(pg, n: int = 1, timeout: float = 30_000) -> int:
    """Wait until at least ``n`` Vega-Lite charts have been drawn; return how many there are."""
    charts = pg.locator("[data-testid='stVegaLiteChart']")
    charts.nth(n - 1).locator("canvas, svg").first.wait_for(timeout=timeout)
    return charts.count()
