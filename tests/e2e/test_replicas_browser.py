"""Two replicas sharing Redis, as a school runs them: a student on each presses Start on the same
link and both watch one race, trained once; a third student comes in through nginx with the
README's recipe (websockets proxied, sticky by address) and sees it too."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ARTIFACTS, _free_port, start_server, stop_server
from streamlit_page import assert_no_exception, wait_idle

NGINX = (Path(__file__).resolve().parents[2] / "deploy" / "nginx-replicas.conf").read_text()


@pytest.fixture
def school(redis_url):
    """Two replicas on one Redis, and nginx in front of them when this machine has it."""
    import redis

    db = redis.Redis.from_url(redis_url)
    for key in db.scan_iter(match="optviz:run:*"):  # runs of an earlier test session on this Redis
        db.delete(key)
    replicas = [start_server({"OPTVIZ_REDIS_URL": redis_url}) for _ in range(2)]
    front, nginx, folder = None, None, tempfile.mkdtemp(prefix="optviz-nginx-")
    if shutil.which("nginx"):
        port = _free_port()
        conf = Path(folder) / "nginx.conf"
        servers = " ".join(f"server {r.url.removeprefix('http://')};" for r in replicas)
        conf.write_text(NGINX.format(dir=folder, port=port, servers=servers))
        nginx = subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        front = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(front + "/_stcore/health", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("nginx did not answer within 20 s")
                time.sleep(0.2)
    yield replicas, front, db
    if nginx is not None:
        nginx.terminate()
        nginx.wait(10)
    for r in replicas:
        stop_server(r)
    shutil.rmtree(folder, ignore_errors=True)


def test_students_on_two_replicas_watch_one_race_trained_once(browser, school):
    replicas, front, db = school
    link = "/mnist?mnist_iterations=1000&mnist_seed=4242"
    tabs = []
    for url in [r.url for r in replicas] + ([front] if front else []):
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        pg = ctx.new_page()
        pg.goto(url + link)
        pg.get_by_role("button", name="Start").click()
        pg.locator("[data-testid='stMetric']").first.wait_for(timeout=30_000)
        tabs.append((ctx, pg))
    second = tabs[1][1]
    second.get_by_text("6 of your 6 networks are also watched by classmates").wait_for(timeout=30_000)
    for _, pg in tabs:
        pg.get_by_role("button", name="Reset").wait_for(timeout=300_000)  # finished
        wait_idle(pg)
        assert_no_exception(pg)
        assert "1,000 / 1,000" in pg.locator("[data-testid='stMetric']").nth(0).inner_text()
    started = [int(db.get(k)) for k in db.scan_iter(match="optviz:run:*:started")]
    assert started == [1] * 6  # six networks, each trained by one replica only
    ARTIFACTS.mkdir(exist_ok=True)
    second.screenshot(path=str(ARTIFACTS / "replicas_second_student.png"))
    for ctx, _ in tabs:
        ctx.close()
