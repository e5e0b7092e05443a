"""The live MNIST page in a real browser: a race starts, its curves grow, Pause stops it, and a
closed tab stops costing the server CPU."""

from __future__ import annotations

import os
import re
import time

import pytest
from streamlit_page import assert_no_exception, wait_idle

pytestmark = pytest.mark.skipif(not os.environ.get("OPTVIZ_MNIST_DIR"), reason="needs OPTVIZ_MNIST_DIR")


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
    pg.wait_for_timeout(2000)
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


def test_closing_the_tab_stops_training_within_a_second(browser, server):
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.goto(f"{server.url}/mnist")
    pg.get_by_role("button", name="Start").click()
    pg.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=20_000)
    pg.wait_for_timeout(1000)
    before = cpu_seconds(server.pid)
    pg.wait_for_timeout(1000)
    busy = cpu_seconds(server.pid) - before
    ctx.close()
    pg_closed_at = cpu_seconds(server.pid)
    time.sleep(1.0)
    settled = cpu_seconds(server.pid)
    time.sleep(1.0)
    idle = cpu_seconds(server.pid) - settled
    assert busy > 0.5, f"training used only {busy:.2f} s of CPU per second"
    assert idle < 0.15 * busy, f"{idle:.2f} s of CPU in the second after closing (was {busy:.2f} while training)"
    assert settled - pg_closed_at < 1.5 * busy
