"""A class on one server: N students open the MNIST page at once and press Start, while one more
student keeps moving a slider on the trajectories page. Prints how evenly the training line
shares the two cores, how long the bystander waits for each rerun, and how quickly the server
goes quiet when every tab closes.

Run: OPTVIZ_MNIST_DIR=../shared/mnist/offline python bench/classroom.py [students] [seconds]

Each student is a websocket client speaking Streamlit's own protocol (what the browser sends:
the page load, the Start click, the live fragment's timer), so 30 of them cost the server what 30
tabs would, without 30 browsers competing for the same two cores.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import time

import websockets
from serve import streamlit_server
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


class Tab:
    """One browser tab: loads a page, clicks buttons by label, reruns fragments on their timers,
    and keeps the last text of every metric it was sent."""

    def __init__(self, url: str, page: str) -> None:
        self.url, self.page = url, page
        self.buttons: dict[str, str] = {}  # label -> widget id
        self.metrics: dict[str, str] = {}  # label -> body
        self.timers: dict[str, float] = {}  # fragment id -> interval
        self.finished = asyncio.Event()

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
        cs.page_name = self.page  # by name, as the browser's address does
        if fragment:
            cs.fragment_id, cs.is_auto_rerun = fragment, True
        for w in widgets or ():
            cs.widget_states.widgets.append(w)
        self.finished.clear()
        await self.ws.send(msg.SerializeToString())

    async def click(self, label: str) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        w = WidgetState(id=self.buttons[label], trigger_value=True)
        await self.rerun([w])

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(0.05)
            for fragment, interval in list(self.timers.items()):
                if time.monotonic() % interval < 0.05:
                    await self.rerun(fragment=fragment)

    async def _read(self) -> None:
        async for raw in self.ws:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "auto_rerun":
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
                if which == "button":
                    self.buttons[el.button.label] = el.button.id
                elif which == "metric":
                    self.metrics[el.metric.label] = el.metric.body


def iteration(tab: Tab) -> int:
    m = re.match(r"([\d,]+) /", tab.metrics.get("iteration", "0 /"))
    return int(m.group(1).replace(",", "")) if m else 0


async def student(url: str, start: asyncio.Event, stop: asyncio.Event, out: list, i: int) -> None:
    async with Tab(url, "mnist") as tab:
        await tab.rerun()
        await asyncio.wait_for(tab.finished.wait(), 120)
        await start.wait()
        await tab.click("▶ Start")
        await stop.wait()
        out[i] = iteration(tab)


async def bystander(url: str, start: asyncio.Event, stop: asyncio.Event, waits: list) -> None:
    """A student on the trajectories page: one rerun (as after moving a slider) every second."""
    async with Tab(url, "trajectories") as tab:
        await tab.rerun()
        await asyncio.wait_for(tab.finished.wait(), 120)
        await start.wait()
        while not stop.is_set():
            began = time.monotonic()
            await tab.rerun()
            await asyncio.wait_for(tab.finished.wait(), 120)
            waits.append(time.monotonic() - began)
            await asyncio.sleep(1.0)


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def classroom(url: str, pid: int, n: int, seconds: float) -> None:
    start, stop = asyncio.Event(), asyncio.Event()
    its, waits = [0] * n, []
    tasks = [asyncio.create_task(student(url, start, stop, its, i)) for i in range(n)]
    tasks.append(asyncio.create_task(bystander(url, start, stop, waits)))
    await asyncio.sleep(5.0)  # everyone has loaded the page
    start.set()
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks)  # every tab closes here
    closed = cpu_seconds(pid)
    await asyncio.sleep(1.0)
    first = cpu_seconds(pid)
    await asyncio.sleep(1.0)
    second = cpu_seconds(pid) - first
    first -= closed
    jain = sum(its) ** 2 / (n * sum(v * v for v in its)) if any(its) else 0.0
    print(f"{n} students pressed Start together and trained for {seconds:.0f} s on one server process:")
    print(f"  iterations per student: min {min(its)}, median {statistics.median(its):.0f}, max {max(its)}; "
          f"all together {sum(its) / seconds:.0f} it/s")
    print(f"  fairness (Jain's index, 1 = perfectly even): {jain:.3f}")
    if waits:
        print(f"  bystander's slider on the trajectories page: {len(waits)} reruns, median {statistics.median(waits):.2f} s, "
              f"max {max(waits):.2f} s")
    print(f"  after every tab closed: {first:.2f} s of CPU in the first second, {second:.2f} s in the next")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    with streamlit_server() as server:
        asyncio.run(classroom(server.url, server.pid, n, seconds))

if __name__ == "__main__":
    main()
