"""The class room on every page: joining by link or code, the sidebar badge that follows the
teacher's board, and the predict-then-reveal gate a page puts before its experiment.

One store per process (SQLite at ``$OPTVIZ_DB``, by default in the app's cache folder). The
session's room and, for the teacher, the room's secret live in the session's state; the teacher's
secret leaves the address bar as soon as it is read, so a projector never shows it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from optviz import board, data
from optviz.questions import BY_KEY, Question
from optviz.rooms import NICKNAME_MAX, Attempts, Room, RoomError, Rooms, normalise_code
from ui.common import PAGES, tr

ENV_DB = "OPTVIZ_DB"
ROOM, TEACHER, SESSION, OPENED = "_room", "_room_teacher", "_room_session", "_room_opened"
MESSAGE = "_room_message"  # what a callback has to say, shown by the page
POLL = 2.0  # s between a page's looks at the board
ATTEMPTS = Attempts()  # process-wide on purpose: wrong codes per session per minute
PAGE_NAMES = {url: label for _, label, url, _ in PAGES}  # url path -> its name's key
ss = st.session_state


def db_path() -> Path:
    return Path(os.environ.get(ENV_DB) or data.cache_dir().parent / "rooms.db")


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Rooms:
    return Rooms(Path(path))


def store() -> Rooms | None:
    """The process's rooms, or None (with a message) when the file cannot be used."""
    try:
        return _store(str(db_path()))
    except (RoomError, OSError):
        st.sidebar.error(tr("room.err.storage"), icon="🗄️")
        return None


def session() -> str:
    return ss.setdefault(SESSION, secrets.token_urlsafe(12))


def fail(err: RoomError, where=st) -> None:
    where.error(tr(f"room.err.{err.reason}"), icon="⚠️")


def on_join() -> None:
    """Button callback: join the class whose code is in the page's code box."""
    ss[MESSAGE] = join(ss.get("_room_code", ""))


def join(code: str) -> str | None:
    """Join room ``code`` (as typed); None, or the message that says why not. A wrong code counts
    against the session's limit."""
    rooms, code = store(), normalise_code(code)
    if rooms is None:
        return tr("room.err.storage")
    if not ATTEMPTS.allowed(session()):
        return tr("room.too_many")
    try:
        rooms.join(code, session())
    except RoomError as err:
        if err.reason != "unknown":
            return tr(f"room.err.{err.reason}")
        ATTEMPTS.wrong(session())
        return tr("room.unknown", code=code[:8])
    ss[ROOM] = code
    return None


def from_link() -> None:
    """Call in app.py before the page: ``?room=CODE`` joins, ``&teacher=SECRET`` makes this session
    the room's teacher (then the secret leaves the address bar). Shows what went wrong, here or
    in a button's callback."""
    code = normalise_code(st.query_params.get("room", ""))
    secret = st.query_params.get("teacher")
    if secret is not None:
        del st.query_params["teacher"]
        rooms = store()
        if rooms is not None and code and rooms.is_teacher(code, secret):
            ss[TEACHER], ss[ROOM] = secret, code
            return
        ss[MESSAGE] = tr("room.err.secret")
    if code and ss.get(ROOM) != code and (why := join(code)) is not None:
        ss[MESSAGE] = why
    if message := ss.pop(MESSAGE, None):
        st.error(message, icon="🔎")


def current() -> Room | None:
    """This session's open room (None outside a class, or once the room closed or expired)."""
    rooms, code = store(), ss.get(ROOM)
    if rooms is None or not code:
        return None
    try:
        room = rooms.room(code)
    except RoomError as err:
        fail(err, st.sidebar)
        return None
    if room is None:
        st.sidebar.info(tr("room.err.unknown"), icon="🚪")
        leave()
    elif room.question not in BY_KEY:  # a question an older version asked: none on the board
        room = room._replace(question=None)
    return room


def leave() -> None:
    ss.pop(ROOM, None)
    ss.pop(TEACHER, None)


def badge() -> None:
    """Sidebar, every page: which class, and a link to the page of the teacher's question. Reruns
    the page when the board changes (a new question, a reveal), checking every POLL seconds."""
    room = current()
    if room is None:
        return
    st.query_params["room"] = room.code  # a reload or a shared link stays in the class
    with st.sidebar.container(border=True):
        st.markdown(f"**{tr('room.badge', code=room.code)}**")
        if room.question is not None:
            page = BY_KEY[room.question].page
            st.caption(tr("room.badge.ask"))
            st.page_link(f"pages/{page}.py", label=tr(PAGE_NAMES[page]), icon="❓")
        st.button(tr("room.leave"), key="_room_leave", on_click=leave)
    _follow((room.code, room.question, room.revealed))


@st.fragment(run_every=POLL)
def _follow(shown: tuple) -> None:
    rooms = store()
    try:
        room = rooms.room(shown[0]) if rooms is not None else None
    except RoomError:  # busy for a moment: look again at the next tick
        return
    if room is not None and (room.code, room.question, room.revealed) != shown:
        st.rerun(scope="app")


def tally_figure(question: Question, counts: dict[str, int]):
    labels = [tr(f"q.{question.key}.{o}") for o in question.options]
    return board.tally(labels, [counts.get(o, 0) for o in question.options], question.options.index(question.answer))


def _send(code: str, question: str) -> None:
    """Radio callback: store (or change) this session's answer; an error is shown by the gate."""
    choice = ss[f"_room_answer_{code}_{question}"]
    try:
        store().answer(code, session(), question, choice)
    except RoomError as err:
        ss["_room_send_error"] = err.reason


def page_name(question: Question) -> str:
    return tr(PAGE_NAMES[question.page])


def revealed(question: Question, counts: dict[str, int]) -> None:
    """The class's answers and what the experiment says."""
    st.plotly_chart(tally_figure(question, counts), config={"displayModeBar": False})
    st.success(tr("room.correct", answer=tr(f"q.{question.key}.{question.answer}")), icon="🔬")
    st.write(tr(f"q.{question.key}.why"))


def gate(page: str, open_setup: Callable[[str], None]) -> None:
    """Call before a page's controls. When the teacher's current question belongs to ``page``:
    before the reveal, ask it and stop the page (the experiment stays hidden); after it, show the
    class's answers and open the question's set-up once (``open_setup(question.setup)``)."""
    room = current()
    if room is None or room.question is None or BY_KEY[room.question].page != page:
        return
    question, rooms, me = BY_KEY[room.question], store(), session()
    with st.container(border=True):
        st.markdown(f"**{tr('room.ask')}:** {tr(f'q.{question.key}')}")
        if room.revealed:
            try:
                counts = rooms.tally(room.code, question.key)
            except RoomError as err:
                fail(err)
                return
            st.caption(tr("room.revealed"))
            revealed(question, counts)
            if (room.code, question.key) not in ss.setdefault(OPENED, set()):
                ss[OPENED].add((room.code, question.key))
                open_setup(question.setup)
            return
        try:
            mine = rooms.my_answer(room.code, me, question.key)
        except RoomError as err:
            fail(err)
            mine = None
        key = f"_room_answer_{room.code}_{question.key}"
        if mine is None:  # nothing stored (or the teacher reset the question): no choice shown either
            ss.pop(key, None)
        st.radio(tr("room.your_answer"), question.options, format_func=lambda o: tr(f"q.{question.key}.{o}"),
                 index=question.options.index(mine) if mine in question.options else None,
                 key=key, on_change=_send, args=(room.code, question.key))
        if (reason := ss.pop("_room_send_error", None)) is not None:
            st.error(tr(f"room.err.{reason}"), icon="⚠️")
        if mine is not None:
            st.success(tr("room.sent", choice=tr(f"q.{question.key}.{mine}")), icon="✅")
        st.info(tr("room.wait", s=f"{POLL:g}"), icon="🙈")
    st.stop()


def post_form(networks: list[tuple[str, float]]) -> None:
    """Under a finished race, in a class: put its networks ((settings in words, test accuracy)) on
    the class's board, with an optional nickname."""
    room = current()
    if room is None or not networks:
        return
    with st.container(border=True):
        st.text_input(tr("room.post.nickname"), max_chars=NICKNAME_MAX, key="_room_nickname")
        st.button(tr("room.post"), icon="📌", key="_room_post", on_click=_post, args=(room.code, networks))
        if (outcome := ss.pop("_room_posted", None)) == "ok":
            st.success(tr("room.posted"), icon="✅")
        elif outcome is not None:
            st.error(tr(f"room.err.{outcome}"), icon="⚠️")


def _post(code: str, networks: list[tuple[str, float]]) -> None:
    try:
        store().post(code, session(), ss.get("_room_nickname", ""), networks)
        ss["_room_posted"] = "ok"
    except RoomError as err:
        ss["_room_posted"] = err.reason
