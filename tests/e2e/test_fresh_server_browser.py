"""A teacher's deep link opened by several students the moment a server has (re)started, as on
Community Cloud after the app woke up: every one of them gets the navigation and the language switch."""

from __future__ import annotations

from conftest import ARTIFACTS, start_server, stop_server
from streamlit_page import assert_no_exception, wait_idle


def test_six_students_opening_a_deep_link_on_a_fresh_server_all_get_the_navigation(browser):
    server = start_server()
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(6)]
    try:
        pages = [ctx.new_page() for ctx in contexts]
        for pg in pages:  # all six ask before any first run has finished
            pg.goto(f"{server.url}/trajectories?traj_steps=40", wait_until="commit")
        for i, pg in enumerate(pages):
            pg.wait_for_selector("[data-testid='stApp']", timeout=60_000)
            wait_idle(pg, 60_000)
            try:
                # a cold first start: six sessions import everything
                pg.locator("[data-testid='stVegaLiteChart'] g.heads_marks").first.wait_for(state="attached", timeout=90_000)
            finally:
                ARTIFACTS.mkdir(exist_ok=True)
                pg.screenshot(path=str(ARTIFACTS / f"fresh_server_student_{i + 1}.png"))
            assert_no_exception(pg)
            assert pg.locator("[data-testid='stSidebarNav']").count() == 1
            assert pg.get_by_text("Language / 语言").count() == 1
            assert pg.get_by_label("Steps").input_value() == "40"  # the link's value survived the rerun
    finally:
        for ctx in contexts:
            ctx.close()
        stop_server(server)
