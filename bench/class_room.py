"""A class led by its teacher and answering a predict-then-reveal question on one server. Prints,
measured in one run:

0. the teacher, on a lesson page with settings of their own, presses "Bring everyone here": seconds
   until every student's page is there with those settings (target: at most 3 s; the pages look
   every 2 s), and the server's CPU while the class follows a teacher who does nothing;
1. thirty students pick an answer at the same moment: seconds until every answer is stored
   (target: at most 5 s);
2. the teacher's board: seconds from the last stored answer until it says "30 answers so far"
   (target: at most 2 s);
3. the reveal: seconds until the board shows the class's answers, and until every student's page
   has revealed the experiment (the pages look every 2 s; target: at most 5 s);
4. the next question asks for a point clicked on the map: seconds until thirty clicks are stored
   (target: at most 5 s), and until every page shows the class's cloud after the reveal (at most 5 s).

Run: python bench/class_room.py [students]

Each student and the teacher is a websocket client speaking Streamlit's protocol (bench/classroom.py's
Tab), timers included: every student's page keeps looking at the board, as thirty tabs would. The
teacher has two tabs, as in class: the board, and the lesson on the projector.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

from classroom import Tab, cpu_seconds
from serve import streamlit_server
from streamlit.proto.WidgetStates_pb2 import WidgetState

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from optviz.lessons.questions import QUESTIONS  # noqa: E402
from optviz.serve.rooms import Rooms  # noqa: E402

ANSWER_TARGET, BOARD_TARGET, FOLLOW_TARGET, REVEAL_TARGET = 5.0, 2.0, 3.0, 5.0
IDLE_S = 20.0  # s of watching the server while the class follows an idle teacher
SETTINGS = "traj_surface=saddle&traj_steps=50"  # the teacher's own settings on the lesson page


async def said(tab: Tab, text: str, after: float, timeout: float = 60) -> float:
    """The moment ``tab`` was first sent ``text`` after ``after``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = [t for t, body in tab.said if t >= after and text in body]
        if seen:
            return seen[0]
        await asyncio.sleep(0.02)
    return float("inf")


async def answer(tab: Tab, choice: str) -> float:
    """Pick ``choice`` on the question's radio; the moment the rerun that stored it finished."""
    radio, _ = tab.radios["Your prediction"]
    await tab.rerun([WidgetState(id=radio, string_value=choice)])
    await asyncio.wait_for(tab.finished.wait(), 120)
    return time.monotonic()


async def click(tab: Tab, x: float, y: float) -> float:
    """Click the question's map at the lattice point (x, y); the moment the rerun that stored it finished."""
    picked = {"selection": {"guess": [{"x": x, "y": y}]}}
    await tab.rerun([WidgetState(id=tab.guess_map, string_value=json.dumps(picked))])
    await asyncio.wait_for(tab.finished.wait(), 120)
    return time.monotonic()


async def lesson(url: str, db: Path, n: int, pid: int) -> None:
    rooms = Rooms(db)
    code, secret = rooms.create()
    question = QUESTIONS[0]
    teacher_link = f"room={code}&teacher={secret}"
    async with AsyncExitStack() as stack:
        teacher = await stack.enter_async_context(Tab(url, "classroom", teacher_link))
        projector = await stack.enter_async_context(Tab(url, question.page, f"{teacher_link}&{SETTINGS}"))
        await teacher.load()
        await projector.load()
        students = [await stack.enter_async_context(Tab(url, "initialisation", f"room={code}")) for _ in range(n)]
        began = time.monotonic()
        await asyncio.gather(*(s.load() for s in students))
        print(f"   {n} students opened another page in {time.monotonic() - began:.1f} s")
        await asyncio.sleep(3.0)

        go = time.monotonic()
        await projector.click("Bring everyone here")
        arrived = await asyncio.gather(*(said(s, "You follow your teacher", go) for s in students))
        there = sum(SETTINGS.split("&")[1] in s.query and SETTINGS.split("&")[0] in s.query for s in students)
        print(f"0. follow the teacher: every page there after {max(arrived) - go:.2f} s (median "
              f"{statistics.median(arrived) - go:.2f} s; {there} of {n} with the teacher's settings) "
              f"(target <= {FOLLOW_TARGET:g} s) -> {'met' if max(arrived) - go <= FOLLOW_TARGET and there == n else 'NOT met'}")
        await asyncio.sleep(2.0)
        before = cpu_seconds(pid)
        await asyncio.sleep(IDLE_S)
        print(f"   server CPU while {n} pages follow an idle teacher: {(cpu_seconds(pid) - before) / IDLE_S:.3f} s per second")

        asked = time.monotonic()
        await teacher.click("Next question")
        await said(teacher, "0 answers so far", asked)
        await asyncio.gather(*(said(s, "Your teacher asks", asked) for s in students))
        await asyncio.sleep(1.0)
        go = time.monotonic()
        stored = await asyncio.gather(*(answer(s, question.options[k % len(question.options)])
                                        for k, s in enumerate(students)))
        last = max(stored)
        counted = sum(rooms.tally(code, question.key).values())
        print(f"1. {n} students answer at once: all stored after {last - go:.2f} s "
              f"(median {statistics.median(stored) - go:.2f} s; {counted} counted) (target <= {ANSWER_TARGET:g} s) -> "
              f"{'met' if last - go <= ANSWER_TARGET and counted == n else 'NOT met'}")
        board = await said(teacher, f"{n} answers so far", last - 5) - last
        print(f"2. the board counts all {n} {max(board, 0):.2f} s after the last answer (target <= {BOARD_TARGET:g} s) -> "
              f"{'met' if board <= BOARD_TARGET else 'NOT met'}")
        reveal = time.monotonic()
        await teacher.click("Reveal")
        shown = await said(teacher, "The experiment says", reveal) - reveal
        seen = await asyncio.gather(*(said(s, "The experiment says", reveal) for s in students))
        print(f"3. reveal: on the board after {shown:.2f} s; on every student's page after {max(seen) - reveal:.2f} s "
              f"(median {statistics.median(seen) - reveal:.2f} s) (target <= {REVEAL_TARGET:g} s) -> "
              f"{'met' if max(seen) - reveal <= REVEAL_TARGET else 'NOT met'}")

        point = QUESTIONS[1]
        asked = time.monotonic()
        await teacher.click("Next question")
        await asyncio.gather(*(said(s, "Click on the map", asked) for s in students))
        await asyncio.sleep(1.0)
        go = time.monotonic()
        stored = await asyncio.gather(*(click(s, float(k % 9 - 4), float(k % 5 - 2)) for k, s in enumerate(students)))
        counted = sum(rooms.tally(code, point.key).values())
        print(f"4. {n} clicks on the map at once: all stored after {max(stored) - go:.2f} s ({counted} counted) "
              f"(target <= {ANSWER_TARGET:g} s) -> {'met' if max(stored) - go <= ANSWER_TARGET and counted == n else 'NOT met'}")
        reveal = time.monotonic()
        await teacher.click("Reveal")
        seen = await asyncio.gather(*(said(s, "median distance", reveal) for s in students))
        print(f"   the cloud on every student's page after {max(seen) - reveal:.2f} s (target <= {REVEAL_TARGET:g} s) -> "
              f"{'met' if max(seen) - reveal <= REVEAL_TARGET else 'NOT met'}")
        errors = [e for tab in (teacher, projector, *students) for e in tab.errors]
        print(f"   exceptions on any page: {len(errors)}" + (f" ({errors[0]})" if errors else ""))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "rooms.db"
        with streamlit_server(env={"OPTVIZ_DB": str(db)}) as server:
            asyncio.run(lesson(server.url, db, n, server.pid))


if __name__ == "__main__":
    main()
