"""The live MNIST page in a real browser: a race starts, its curves grow, Pause stops it, a closed
tab stops costing the server CPU, and two students who press Start on the same link share one race."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from streamlit_page import assert_no_exception, wait_idle

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def iteration(pg) -> int:
    text = pg.locator("[data-testid='stMetric']").first.inner_text()
    return int(re.search(r"([\d,]+) /", text).group(1).replace(",", ""))


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_race_grows_pauses_and_resumes(open_page):
    pg = open_page("mnist")
    pg.get_by_role("button", name="Start").click()
    pg.locator("[data-testid='stVegaLiteChart']").nth(1).wait_for(timeout=20_000)
    first = iteration(pg)
    opacity = []  # Streamlit fades an element while its fragment reruns: the live charts must not flicker
    for _ in range(20):
        opacity.append(pg.evaluate("""() => Math.min(...Array.from(document.querySelectorAll(
            "[data-testid='stElementContainer']")).filter(e => e.querySelector("[data-testid='stVegaLiteChart']"))
            .map(e => parseFloat(getComputedStyle(e).opacity)))"""))
        pg.wait_for_timeout(100)
    assert min(opacity) == 1, opacity
    grown = iteration(pg)
    assert grown > first, "the curves did not grow"
    assert pg.locator("[data-testid='stVegaLiteChart']").count() == 2
    pg.get_by_role("button", name="Pause").click()
    pg.get_by_role("button", name="Resume").wait_for(timeout=10_000)
    wait_idle(pg)
    paused = iteration(pg)
    pg.wait_for_timeout(1500)
    assert iteration(pg) == paused
    assert_no_exception(pg)
    pg.get_by_role("button", name="Reset").click()
    pg.get_by_role("button", name="Start").wait_for(timeout=10_000)
    assert_no_exception(pg)


def test_the_inside_view_changes_while_the_network_trains(open_page):
    """Open the inside view of a running race: its activation picture is drawn, and a second look
    a few snapshots later shows a different picture (a new column per snapshot)."""
    pg = open_page("mnist?mnist_exp=Initialisation&mnist_iterations=1000")
    pg.get_by_role("button", name="Start").click()
    pg.locator("[data-testid='stMetric']").first.wait_for(timeout=20_000)
    pg.get_by_text("Inside the network").click()
    bands = pg.locator(".st-key-mnist_inside_bands [data-testid='stVegaLiteChart']").first
    bands.wait_for(state="attached", timeout=20_000)
    bands.scroll_into_view_if_needed()  # a chart is drawn once it is on screen
    bands.locator("canvas, svg").first.wait_for(timeout=20_000)
    before, at = bands.screenshot(), iteration(pg)
    deadline = time.monotonic() + 120
    while iteration(pg) < at + 100 and time.monotonic() < deadline:  # three snapshots on (one per 32 iterations)
        pg.wait_for_timeout(500)
    assert iteration(pg) >= at + 100, "the race did not move on"
    pg.wait_for_timeout(1000)
    assert bands.screenshot() != before, "the inside view did not change while the network trained"
    assert pg.locator("[data-testid='stVegaLiteChart']").count() == 7
    assert_no_exception(pg)


def test_closing_the_tab_stops_the_training(browser, server):
    """A student who closes the tab stops costing the server: a race of 10,000 iterations (over a
    minute of work) stops within a generous deadline once no one watches it. The test waits for the
    event, a quiet second, rather than timing it: under load everything is slower, not wrong."""
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.goto(f"{server.url}/mnist?mnist_iterations=10000&mnist_seed=7")
    pg.get_by_role("button", name="Start").click()
    pg.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=20_000)
    before = cpu_seconds(server.pid)
    pg.wait_for_timeout(1000)
    busy = cpu_seconds(server.pid) - before
    assert busy > 0, "the race used no CPU"
    ctx.close()
    deadline = time.monotonic() + 15
    used = busy
    while used >= max(0.25 * busy, 0.05) and time.monotonic() < deadline:
        before = cpu_seconds(server.pid)
        time.sleep(1.0)
        used = cpu_seconds(server.pid) - before
    assert used < max(0.25 * busy, 0.05), f"still {used:.2f} s of CPU per second after closing (was {busy:.2f})"


def test_two_students_on_the_same_link_share_one_race(browser, server):
    """The second student's race is the first one's runs: its page counts two watchers and says
    that all six networks are shared; both pages finish and show the results."""
    link = f"{server.url}/mnist?mnist_iterations=1000&mnist_seed=42"  # long enough to join while it runs
    tabs = []
    for _ in range(2):
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        pg = ctx.new_page()
        pg.goto(link)
        pg.get_by_role("button", name="Start").click()
        pg.locator("[data-testid='stMetric']").first.wait_for(timeout=20_000)
        tabs.append((ctx, pg))
    second = tabs[1][1]
    second.get_by_text("6 of your 6 networks are also watched by classmates").wait_for(timeout=10_000)
    assert second.locator("[data-testid='stMetric']").nth(3).inner_text().endswith("2")
    for _, pg in tabs:
        pg.get_by_role("button", name="Reset").wait_for(timeout=300_000)  # finished (a loaded machine is slow)
        pg.get_by_text("Results", exact=True).wait_for(timeout=10_000)
        wait_idle(pg)
        assert_no_exception(pg)
        metrics = pg.locator("[data-testid='stMetric']")
        assert "1,000 / 1,000" in metrics.nth(0).inner_text() and "finished" in metrics.nth(2).inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    second.screenshot(path=str(ARTIFACTS / "test_two_students_second_tab.png"))
    for ctx, _ in tabs:
        ctx.close()


def test_the_edge_of_stability_runs_and_is_drawn(open_page):
    pg = open_page("mnist")
    pg.get_by_text("Edge of stability: full-batch gradient descent").click()
    pg.get_by_role("button", name=re.compile("Run the experiment")).click()
    pg.get_by_text("This is the edge of stability").wait_for(timeout=180_000)  # three runs of 300 steps
    pg.get_by_text("of the path's variance").wait_for(timeout=60_000)  # the loss on the plane of the first run
    wait_idle(pg)
    assert_no_exception(pg)
    chart = pg.locator("[data-testid='stVegaLiteChart']").last
    chart.locator("canvas").first.wait_for(timeout=10_000)
    pg.get_by_text("η = 0.3").last.click()  # another run's plane
    pg.get_by_text("of the path's variance").wait_for(timeout=60_000)
    wait_idle(pg)
    assert_no_exception(pg)
    chart.scroll_into_view_if_needed()
    pg.screenshot(path=str(ARTIFACTS / "mnist_edge_of_stability.png"), full_page=True)


def test_a_race_networks_sharpness_and_landscape_are_drawn(open_page):
    """During a race: the watched network's λmax against its limit, then, paused, the loss on the
    plane of its own path."""
    pg = open_page("mnist?mnist_iterations=1000&mnist_seed=77")  # a race of its own: no network shared with another test
    pg.get_by_role("button", name="Start").click()
    pg.locator("[data-testid='stMetric']").first.wait_for(timeout=20_000)
    pg.get_by_text("Inside the network").click()
    pg.get_by_text("Measure the sharpness").click()
    pg.get_by_text(re.compile(r"The sharpness (rose|went) from|λmax = .* at iteration")).first.wait_for(timeout=240_000)
    pg.get_by_role("button", name="Pause").click()
    pg.get_by_role("button", name="Resume").wait_for(timeout=10_000)
    pg.get_by_text("Draw the landscape").click()
    pg.get_by_text(re.compile(r"this network's \d+ kept snapshots")).wait_for(timeout=60_000)
    wait_idle(pg)
    assert_no_exception(pg)
    sharp = pg.locator(".st-key-mnist_sharp_box [data-testid='stVegaLiteChart']")  # λmax against its limit
    sharp.wait_for(state="attached", timeout=30_000)
    chart = pg.locator(".st-key-mnist_plane_box [data-testid='stVegaLiteChart']")
    chart.scroll_into_view_if_needed()
    chart.locator("canvas").first.wait_for(timeout=10_000)
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "mnist_race_sharpness_landscape.png"), full_page=True)
