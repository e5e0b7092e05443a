"""A class answering a predict-then-reveal question on one server. Prints, measured in one run:

1. thirty students on the question's page pick an answer at the same moment: seconds until every
   answer is stored (target: at most 5 s);
2. the teacher's board: seconds from the last stored answer until it says "30 answers so far"
   (target: at most 2 s);
3. the reveal: seconds until the board shows the class's answers, and until every student's page
   has revealed the experiment (the pages look every 2 s).

Run: python bench/class_room.py [students]

Each student and the teacher is a websocket client speaking Streamlit's protocol (bench/classroom.py's
Tab), timers included: every student's page keeps looking at the board, as thirty tabs would.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

from classroom import Tab
from serve import streamlit_server
from streamlit.proto.WidgetStates_pb2 import WidgetState

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from optviz.questions import QUESTIONS  # noqa: E402
from optviz.rooms import Rooms  # noqa: E402

ANSWER_TARGET, BOARD_TARGET = 5.0, 2.0


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


async def lesson(url: str, db: Path, n: int) -> None:
    rooms = Rooms(db)
    code, secret = rooms.create()
    question = QUESTIONS[0]
    async with AsyncExitStack() as stack:
        teacher = await stack.enter_async_context(Tab(url, "classroom", f"room={code}&teacher={secret}"))
        await teacher.load()
        await teacher.click("Next question")
        await said(teacher, "0 answers so far", 0)
        students = [await stack.enter_async_context(Tab(url, question.page, f"room={code}")) for _ in range(n)]
        began = time.monotonic()
        await asyncio.gather(*(s.load() for s in students))
        print(f"   {n} students opened the question's page in {time.monotonic() - began:.1f} s")
        await asyncio.sleep(3.0)
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
              f"(median {statistics.median(seen) - reveal:.2f} s)")
        errors = [e for tab in (teacher, *students) for e in tab.errors]
        print(f"   exceptions on any page: {len(errors)}" + (f" ({errors[0]})" if errors else ""))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "rooms.db"
        with streamlit_server(env={"OPTVIZ_DB": str(db)}) as server:
            asyncio.run(lesson(server.url, db, n))


if __name__ == "__main__":
    main()
