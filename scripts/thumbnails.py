"""Remake the home page's small pictures (docs/home/<page>.png) from the running app.

Run: OPTVIZ_MNIST_DIR=... python scripts/thumbnails.py. Starts a server, opens each page in
presentation mode in headless Chromium at 1280×720, photographs its main figure (the MNIST page
after a short race) and saves it fitted into 480×220 pixels.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from serve import CHROMIUM_ARGS, streamlit_server  # noqa: E402
from streamlit_page import wait_charts, wait_idle  # noqa: E402

OUT = ROOT / "docs" / "home"
SIZE = (480, 220)
# each Vega-Lite figure's own marks
VEGA = {"trajectories": "g.heads_marks", "initialisation": "g.bars_01_marks", "batch_size": "g.heads_marks"}


def photo(locator) -> Image.Image:
    return Image.open(io.BytesIO(locator.first.screenshot()))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with streamlit_server() as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 720})
        shots = {}
        for page in ("trajectories", "initialisation", "batch_size"):
            pg.goto(f"{server.url}/{page}?present=1")
            wait_idle(pg, 60_000)
            if page == "batch_size":  # the tab that draws without pressing anything
                pg.get_by_role("tab", name="Surfaces").click()
                wait_idle(pg, 60_000)
            if page in VEGA:  # a Vega-Lite chart, its inputs below it
                figure = pg.locator(f"[data-testid='stVegaLiteChart']:has({VEGA[page]}) svg").first
                figure.wait_for(timeout=60_000)
            else:
                wait_charts(pg, timeout=60_000)
                figure = pg.locator("[data-testid='stPlotlyChart']")
            shots[page] = photo(figure)
        pg.goto(f"{server.url}/mnist?present=1&mnist_iterations=300")
        wait_idle(pg, 60_000)
        pg.get_by_role("button", name="Start").click()
        pg.get_by_role("button", name="Reset").wait_for(timeout=120_000)
        wait_idle(pg, 60_000)
        shots["mnist"] = photo(pg.locator("[data-testid='stHorizontalBlock']",
                                          has=pg.locator("[data-testid='stVegaLiteChart']")))
        browser.close()
    for page, image in shots.items():  # each fitted into the same white box, so the home page's grid is even
        image = image.convert("RGB")
        image.thumbnail(SIZE, Image.LANCZOS)
        box = Image.new("RGB", SIZE, "white")
        box.paste(image, ((SIZE[0] - image.width) // 2, (SIZE[1] - image.height) // 2))
        box.save(OUT / f"{page}.png", optimize=True)
        print(f"{OUT / page}.png: {image.width}×{image.height} in {SIZE[0]}×{SIZE[1]}")


if __name__ == "__main__":
    main()
