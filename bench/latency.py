"""How long a student waits: a browser benchmark of page visits and control changes.

Run: python bench/latency.py. Starts a server, warms it with one visit per page, then drives
headless Chromium: for each page, the first visit of a new tab (to its first drawn figure), the
same visit again with the browser's cache warm, and 10 changes of one control (to the redrawn
figure). Each change is split into the server's part (from the change to the last websocket
message of the rerun, transfer included), the bytes sent, and the browser's drawing (from that
message to the next painted frame). Prints medians and p95 against issue 16's targets: a change
redrawn in at most 300 ms median and 500 ms p95, a visit at most 1.5 s to its first figure.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from serve import CHROMIUM_ARGS, streamlit_server  # noqa: E402
from streamlit_page import wait_charts, wait_idle  # noqa: E402

CHANGES = 10
TARGET_MEDIAN_S, TARGET_P95_S, TARGET_VISIT_S = 0.3, 0.5, 1.5
PAINTED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"


class Wire:
    """Every websocket message the page receives: (perf_counter time, bytes, whether it says a
    script run finished)."""

    def __init__(self, pg) -> None:
        self.frames: list[tuple[float, int, bool]] = []
        pg.on("websocket", lambda ws: ws.on("framereceived", self._received))

    def _received(self, payload: bytes | str) -> None:
        msg = ForwardMsg()
        if isinstance(payload, bytes):
            msg.ParseFromString(payload)
        self.frames.append((time.perf_counter(), len(payload), msg.WhichOneof("type") == "script_finished"))

    def since(self, t0: float) -> tuple[float, int]:
        """(time of the last message after t0, bytes received after t0)."""
        after = [(t, n) for t, n, _ in self.frames if t >= t0]
        return (after[-1][0] if after else t0), sum(n for _, n in after)

    def finished_since(self, t0: float) -> bool:
        return any(done for t, _, done in self.frames if t >= t0)


def rerun_done(pg, wire: Wire, t0: float) -> None:
    """Wait for the rerun a change started: the server's "script finished" message after t0, then
    the page idle (no fixed pauses, unlike the tests' wait_idle)."""
    deadline = time.perf_counter() + 60
    while not wire.finished_since(t0) and time.perf_counter() < deadline:
        pg.wait_for_timeout(5)
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)


def settle(pg, wire: Wire, t0: float) -> tuple[float, float, int]:
    """(total, server, bytes) from t0 until the rerun has finished and the next frame is painted."""
    rerun_done(pg, wire, t0)
    pg.evaluate(PAINTED)
    end = time.perf_counter()
    last, size = wire.since(t0)
    return end - t0, last - t0, size


def change_steps(pg, k: int) -> None:
    box = pg.get_by_label("Steps")
    box.fill(str(30 + 10 * (k % 2 + 1)))
    box.press("Enter")


def change_layers(pg, k: int) -> None:
    thumb = pg.locator("[data-testid='stSlider']", has_text="Layers").get_by_role("slider")
    thumb.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")


PAGES = {"trajectories": change_steps, "initialisation": change_layers}


def p95(xs: list[float]) -> float:
    return sorted(xs)[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def main() -> None:
    with streamlit_server() as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        warm = browser.new_page(viewport={"width": 1400, "height": 1000})
        for page in PAGES:  # imports, caches and the contour pictures, as after the first student
            warm.goto(f"{server.url}/{page}")
            wait_charts(warm, timeout=120_000)
        warm.close()
        print(f"{'page':16s} {'what':8s} {'median s':>9s} {'p95 s':>7s} {'server s':>9s} {'drawing s':>10s} "
              f"{'KB':>7s}  target")
        for page, change in PAGES.items():
            ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
            pg = ctx.new_page()
            wire = Wire(pg)
            for what in ("visit", "revisit"):  # a new tab, then the same tab reloaded (the browser's cache warm)
                t0 = time.perf_counter()
                pg.goto(f"{server.url}/{page}")
                wait_charts(pg, timeout=60_000)
                pg.evaluate(PAINTED)
                visit = time.perf_counter() - t0
                wait_idle(pg, 60_000)
                _, visit_bytes = wire.since(t0)
                print(f"{page:16s} {what:8s} {visit:9.2f} {'':>7s} {'':>9s} {'':>10s} {visit_bytes / 1e3:7.0f}  "
                      f"{TARGET_VISIT_S} s (ratio {visit / TARGET_VISIT_S:.2f})")
            runs = []
            for k in range(CHANGES):
                t0 = time.perf_counter()
                change(pg, k)
                runs.append(settle(pg, wire, t0))
            total = [r[0] for r in runs]
            print("   each change, total/server s:", " ".join(f"{r[0]:.2f}/{r[1]:.2f}" for r in runs))
            server_s = statistics.median(r[1] for r in runs)
            drawing = statistics.median(r[0] - r[1] for r in runs)
            kb = statistics.median(r[2] for r in runs) / 1e3
            print(f"{page:16s} {'change':8s} {statistics.median(total):9.2f} {p95(total):7.2f} {server_s:9.2f} "
                  f"{drawing:10.2f} {kb:7.0f}  {TARGET_MEDIAN_S} s median (ratio "
                  f"{statistics.median(total) / TARGET_MEDIAN_S:.2f}), {TARGET_P95_S} s p95 (ratio "
                  f"{p95(total) / TARGET_P95_S:.2f})")
            ctx.close()
        browser.close()


if __name__ == "__main__":
    main()
