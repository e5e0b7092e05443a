"""A class on one server: students open the MNIST page and press Start, while one more student
keeps moving a slider on the trajectories page. Prints, measured in this one run:

1. one student alone: seconds until the default race is finished;
2. thirty students pressing Start on the same preset: seconds until every one of them sees the
   finished race (target: at most 1.3 times (1));
3. thirty students who each change one row of the preset: seconds until all are finished (target:
   at most 1.3 times what one student would take for the distinct runs, at the rate of (1));
4. the bystander's slider during (2) and (3): p95 seconds per rerun (target: at most 1 s);
5. server memory: peak (target: at most 800 MB) and, over five rounds of thirty students who
   train a short race and close their tabs, the growth from round to round (target: at most 5 %);
6. thirty students pressing Start while thirty more explore the trajectories figure in their
   browsers (issue 25): the class's ratio to (1) with them, against (2) without them.

Run: OPTVIZ_MNIST_DIR=../shared/mnist/offline python bench/classroom.py [students]

The training images are the folder's, tiled to 60,000 (a full-size stand-in). Each student is a
websocket client speaking Streamlit's own protocol (what the browser sends: the page load, the
table edit and Start click, the live fragment's timer), so thirty of them cost the server what
thirty tabs would, without thirty browsers competing for the same two cores.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import numpy as np
import websockets
from serve import streamlit_server
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from optviz.optim.registry import LR_VALUES, OPTIMIZERS  # noqa: E402
from optviz.serve import data  # noqa: E402

FULL = 60_000  # training images of the full-size stand-in
RACE_TARGET, ROWS_TARGET, BYSTANDER_P95, PEAK_MB, GROWTH = 1.3, 1.3, 1.0, 800, 0.05


class Tab:
    """One browser tab: loads a page (with a link's query), clicks buttons by label, edits the
    table, reruns fragments on their timers, and keeps what it was last sent of every metric."""

    def __init__(self, url: str, page: str, query: str = "") -> None:
        self.url, self.page, self.query = url, page, query
        self.buttons: dict[str, str] = {}  # label -> widget id
        self.numbers: dict[str, str] = {}  # number input label -> widget id
        self.metrics: dict[str, str] = {}  # label -> value
        self.radios: dict[str, tuple[str, list[str]]] = {}  # label -> (widget id, shown options)
        self.said: list[tuple[float, str]] = []  # (when, text) of every markdown and alert received
        self.editor = ""  # the data editor's widget id
        self.figure = ""  # the trajectories figure's widget id (a new one each time it is mounted)
        self.guess_map = ""  # the widget id of a class question's map to click
        self.timers: dict[str, float] = {}  # fragment id -> interval
        self.page_hash = ""  # the page the server ran last: a browser names it in every rerun
        self.finished = asyncio.Event()
        self.done_at: float | None = None  # when the page first said its race was finished
        self.errors: list[str] = []  # exceptions the page showed

    async def __aenter__(self):
        self.ws = await websockets.connect(self.url.replace("http", "ws") + "/_stcore/stream",
                                           subprotocols=["streamlit"], max_size=2**26)
        self.reader = asyncio.create_task(self._read())
        self.ticker = asyncio.create_task(self._tick())
        return self

    async def __aexit__(self, *exc) -> None:
        self.ticker.cancel()
        self.reader.cancel()
        await self.ws.close()

    async def rerun(self, widgets: list | None = None, fragment: str = "") -> None:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.page_name, cs.query_string, cs.page_script_hash = self.page, self.query, self.page_hash
        if fragment:
            cs.fragment_id, cs.is_auto_rerun = fragment, True
        cs.widget_states.widgets.extend(widgets or ())
        self.finished.clear()
        await self.ws.send(msg.SerializeToString())

    async def load(self) -> None:
        await self.rerun()
        await asyncio.wait_for(self.finished.wait(), 300)

    async def click(self, label: str, edit: dict | None = None) -> None:
        """Click a button. With ``edit`` ({row: {column: value}}) the table is edited first, as a
        student does: that edit's own rerun finishes before the click, which sends it again."""
        table = [] if edit is None else [WidgetState(id=self.editor, string_value=json.dumps(
            {"edited_rows": {str(r): v for r, v in edit.items()}, "added_rows": [], "deleted_rows": []}))]
        if table:
            await self.rerun(table)
            await asyncio.wait_for(self.finished.wait(), 300)
        await self.rerun([WidgetState(id=self.buttons[label], trigger_value=True), *table])

    async def set_number(self, label: str, value: int) -> float:
        """Type ``value`` into a number input; seconds until the rerun has finished."""
        began = time.monotonic()
        await self.rerun([WidgetState(id=self.numbers[label], int_value=value)])
        await asyncio.wait_for(self.finished.wait(), 300)
        return time.monotonic() - began

    async def _tick(self) -> None:
        """Like the browser: each fragment's next timed rerun is asked for ``interval`` seconds
        after its last one, one run at a time, so requests never pile up on a busy server."""
        due: dict[str, float] = {}
        while True:
            await asyncio.sleep(0.02)
            if not self.finished.is_set():
                continue
            now = time.monotonic()
            for fragment, interval in list(self.timers.items()):
                if now >= due.setdefault(fragment, now + interval):
                    due[fragment] = now + interval
                    await self.rerun(fragment=fragment)
                    break

    async def _read(self) -> None:
        async for raw in self.ws:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "navigation":  # a full run begins: it registers its fragments' timers anew
                if msg.navigation.page_script_hash != self.page_hash:
                    self.timers.clear()  # another page's fragments are gone, as a browser drops them
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "page_info_changed":  # the server moved the page (st.switch_page): its new link
                self.query = msg.page_info_changed.query_string
            elif kind == "auto_rerun":
                self.timers[msg.auto_rerun.fragment_id] = max(msg.auto_rerun.interval, 0.05)
            elif kind == "stop_auto_rerun":
                for f in msg.stop_auto_rerun.fragment_ids:
                    self.timers.pop(f, None)
            elif kind == "script_finished" and msg.script_finished in (
                    ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                self.finished.set()
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                el = msg.delta.new_element
                which = el.WhichOneof("type")
                if which == "exception":
                    self.errors.append(f"{el.exception.type}: {el.exception.message}"[:200])
                elif which == "button":
                    self.buttons[el.button.label] = el.button.id
                elif which == "number_input":
                    self.numbers[el.number_input.label] = el.number_input.id
                elif which == "radio":
                    self.radios[el.radio.label] = (el.radio.id, list(el.radio.options))
                elif which in ("markdown", "alert"):
                    self.said.append((time.monotonic(), getattr(el, which).body))
                elif which == "vega_lite_chart" and "traj_chart" in el.vega_lite_chart.id:
                    self.figure = el.vega_lite_chart.id
                elif which == "vega_lite_chart" and "_room_answer" in el.vega_lite_chart.id:
                    self.guess_map = el.vega_lite_chart.id  # a class question's map to click
                elif which == "dataframe" and el.dataframe.id:
                    self.editor = el.dataframe.id
                elif which == "metric":
                    self.metrics[el.metric.label] = el.metric.body
                    if el.metric.label == "time left" and el.metric.body == "finished" and self.done_at is None:
                        self.done_at = time.monotonic()


async def student(url: str, query: str, go: asyncio.Event, edit: dict | None, deadline: float) -> float:
    """Open the MNIST page, press Start when ``go`` is set, stay until the race is finished;
    returns the moment it was."""
    async with Tab(url, "mnist", query) as tab:
        await tab.load()
        await go.wait()
        await tab.click("▶ Start", edit)
        while tab.done_at is None and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return tab.done_at if tab.done_at is not None else float("inf")


async def bystander(url: str, stop: asyncio.Event, waits: list) -> None:
    """A student on the trajectories page changing the number of steps once a second."""
    async with Tab(url, "trajectories") as tab:
        await tab.load()
        k = 0
        while not stop.is_set():
            k += 1
            waits.append(await tab.set_number("Steps", 30 + 10 * (k % 40)))
            await asyncio.sleep(1.0)


async def explorer(url: str, k: int, stop: asyncio.Event, moves: list) -> None:
    """A student exploring the trajectories figure: SGD's learning rate moved in the browser every
    two seconds. The browser redraws by itself and tells the page with a selection event (one rerun,
    so that the link follows), which is all the server hears; the step and Play cost it nothing."""
    async with Tab(url, "trajectories") as tab:
        await tab.load()
        await asyncio.sleep(2.0 * k / 30)  # the class does not move in step
        while not stop.is_set():
            k += 1
            picked = {"selection": {"traj_lr_0": [{"li": LR_VALUES.index((0.1, 0.05)[k % 2])}]}}
            began = time.monotonic()
            await tab.rerun([WidgetState(id=tab.figure, string_value=json.dumps(picked))])
            await asyncio.wait_for(tab.finished.wait(), 300)
            moves.append(time.monotonic() - began)
            await asyncio.sleep(2.0)


async def class_race(url: str, n: int, query: str, edits: list, watch: list | None = None, timeout: float = 900,
                     explore: list | None = None) -> float:
    """``n`` students press Start within a moment of each other; seconds until the last one sees
    the finished race (a bystander moves a slider meanwhile when ``watch`` is a list, and ``n`` more
    students explore the trajectories figure when ``explore`` is)."""
    go, stop = asyncio.Event(), asyncio.Event()
    deadline = time.monotonic() + timeout
    tasks = [asyncio.create_task(student(url, query, go, edits[i], deadline)) for i in range(n)]
    side = asyncio.create_task(bystander(url, stop, watch)) if watch is not None else None
    others = [asyncio.create_task(explorer(url, k, stop, explore)) for k in range(n)] if explore is not None else []
    await asyncio.sleep(3.0 + 0.2 * n * (2 if others else 1))  # every page has loaded
    start = time.monotonic()
    go.set()
    ends = await asyncio.gather(*tasks)
    stop.set()
    if side:
        await side
    await asyncio.gather(*others)
    return max(ends) - start


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of process ``pid``, in MB."""
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def full_size_standin(source: Path, folder: Path) -> Path:
    """``source``'s MNIST files in ``folder``, the training images tiled to FULL (uncompressed IDX)."""
    m = data.read_folder(source)
    reps = -(-FULL // len(m.x_train))
    images = np.tile(np.round(m.x_train * 255).astype(np.uint8), (reps, 1))[:FULL].reshape(FULL, 28, 28)
    labels = np.tile(m.y_train, reps)[:FULL]
    tests = np.round(m.x_test * 255).astype(np.uint8).reshape(-1, 28, 28)
    for name, array in (("train-images-idx3-ubyte", images), ("train-labels-idx1-ubyte", labels),
                        ("t10k-images-idx3-ubyte", tests), ("t10k-labels-idx1-ubyte", m.y_test)):
        header = bytes([0, 0, 8, array.ndim]) + np.array(array.shape, ">u4").tobytes()
        (folder / name).write_bytes(header + array.tobytes())
    return folder


def row_edits(n: int) -> list[dict]:
    """``n`` different changes to the sixth network (Adam, lr 0.001) of the optimizer preset."""
    combos = [(o, lr) for o in OPTIMIZERS for lr in LR_VALUES if lr <= 0.05 and (o, lr) != ("Adam", 0.001)]
    picks = np.random.default_rng(0).choice(len(combos), n, replace=False)
    return [{5: {"optimizer": combos[i][0], "lr": combos[i][1]}} for i in picks]


async def lesson(url: str, pid: int, n: int) -> None:
    solo = await class_race(url, 1, "mnist_seed=1", [None])
    print(f"1. one student alone: the default race (6 networks, 2,000 iterations, {FULL:,} images) finished "
          f"in {solo:.1f} s")
    waits: list[float] = []
    together = await class_race(url, n, "mnist_seed=2", [None] * n, waits)
    print(f"2. {n} students press Start on the same preset: the last one saw the finished race after {together:.1f} s "
          f"= {together / solo:.2f} x (1) (target <= {RACE_TARGET}) -> {'met' if together <= RACE_TARGET * solo else 'NOT met'}")
    edits = row_edits(n)
    rows = await class_race(url, n, "mnist_seed=3", edits, waits)
    distinct = 5 + len({json.dumps(e) for e in edits})
    alone = solo * distinct / 6
    print(f"3. {n} students each change one row: {distinct} distinct runs, all finished after {rows:.1f} s; one student "
          f"would take {alone:.1f} s for them at the rate of (1): {rows / alone:.2f} x (target <= {ROWS_TARGET}) -> "
          f"{'met' if rows <= ROWS_TARGET * alone else 'NOT met'}")
    moves: list[float] = []
    explored = await class_race(url, n, "mnist_seed=4", [None] * n, explore=moves)
    sixth = (f"6. {n} students press Start while {n} more explore the trajectories figure (a learning rate moved every "
          f"2 s each): the last one saw the finished race after {explored:.1f} s = {explored / solo:.2f} x (1), against "
          f"{together / solo:.2f} x without them (2); their {len(moves)} moves reached the server in a median "
          f"{statistics.median(moves):.2f} s, p95 {float(np.percentile(moves, 95)):.2f} s")
    p95 = float(np.percentile(waits, 95))
    print(f"4. bystander changing the step count on the trajectories page meanwhile: {len(waits)} reruns, median "
          f"{statistics.median(waits):.2f} s, p95 {p95:.2f} s (target <= {BYSTANDER_P95}) -> "
          f"{'met' if p95 <= BYSTANDER_P95 else 'NOT met'}")
    closed = cpu_seconds(pid)
    await asyncio.sleep(2.0)
    print(f"   after every tab closed: {(cpu_seconds(pid) - closed) / 2:.2f} s of CPU per second")
    after = []
    for r in range(5):
        await class_race(url, n, f"mnist_seed={10 + r}&mnist_iterations=300", [None] * n)
        await asyncio.sleep(5.0)  # the closed tabs' last messages are sent and dropped
        after.append(memory_mb(pid)[0])
    growth = max(b / a - 1 for a, b in zip(after, after[1:], strict=False))
    peak = memory_mb(pid)[1]
    print(f"5. server memory: peak {peak:.0f} MB (target <= {PEAK_MB}) -> {'met' if peak <= PEAK_MB else 'NOT met'}; "
          f"after each of five rounds of {n} students (a 300-iteration race each, tabs closed): "
          + ", ".join(f"{m:.0f}" for m in after)
          + f" MB; largest growth from one round to the next {growth:+.1%} (target <= {GROWTH:.0%}) -> "
          f"{'met' if growth <= GROWTH else 'NOT met'}; last round against the first {after[-1] / after[0] - 1:+.1%}")
    print(sixth)


def on_standin(work: Callable[[str, int], Awaitable[None]]) -> None:
    """Serve the app on a full-size stand-in of ``$OPTVIZ_MNIST_DIR``'s digits and run
    ``work(url, server pid)`` against it."""
    if not os.environ.get(data.ENV_DIR):
        sys.exit("set OPTVIZ_MNIST_DIR (for example ../shared/mnist/offline)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = full_size_standin(Path(os.environ[data.ENV_DIR]), Path(tmp))
        with streamlit_server(env={data.ENV_DIR: str(folder)}) as server:
            asyncio.run(work(server.url, server.pid))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    on_standin(lambda url, pid: lesson(url, pid, n))


if __name__ == "__main__":
    main()
