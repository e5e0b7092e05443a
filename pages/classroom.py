"""The class room: join with a code, or start a class and run its board on the projector."""

from __future__ import annotations

import streamlit as st

from optviz.questions import BY_KEY, QUESTIONS, following
from optviz.rooms import ALPHABET, CODE_LENGTH, Room, RoomError
from ui import classroom
from ui.common import page_header, tr

LIVE = 1.0  # s between the board's looks at the class's answers
ss = st.session_state


def start() -> None:
    try:
        ss[classroom.ROOM], ss[classroom.TEACHER] = rooms.create()
    except RoomError as err:
        ss["_room_error"] = err.reason


def teach(action: str) -> None:
    """Button callback: one of the teacher's actions on the open room."""
    code, secret = ss[classroom.ROOM], ss[classroom.TEACHER]
    try:
        if action == "next":
            if (room := rooms.room(code)) is None:
                raise RoomError("unknown")
            rooms.ask(code, secret, following(room.question))
        else:
            getattr(rooms, action)(code, secret)
    except RoomError as err:
        ss["_room_error"] = err.reason


def outside() -> None:
    left, right = st.columns(2)
    with left.container(border=True):
        st.subheader(tr("room.join"))
        st.text_input(tr("room.code"), max_chars=2 * CODE_LENGTH, help=tr("room.code.help"), key="_room_code")
        st.button(tr("room.join.button"), type="primary", key="_room_join", on_click=classroom.on_join)
    with right.container(border=True):
        st.subheader(tr("room.start"))
        st.caption(tr("room.start.help"))
        st.button(tr("room.start"), on_click=start, type="primary", key="_room_start")


def links(room: Room) -> None:
    base = (st.context.url or "").rsplit("/classroom", 1)[0].rstrip("/")
    st.caption(tr("room.student_link"))
    st.code(f"{base}/?room={room.code}", language=None, wrap_lines=True)
    with st.expander(tr("room.teacher_link"), icon="🔒"):
        st.code(f"{base}/classroom?room={room.code}&teacher={ss[classroom.TEACHER]}", language=None, wrap_lines=True)


@st.fragment(run_every=LIVE)
def board() -> None:
    """The live part of the teacher's board: the class, the question, its answers, the results."""
    try:
        live()
    except RoomError as err:  # a locked or full file: say so, and look again in a second
        classroom.fail(err)


def live() -> None:
    room = rooms.room(ss[classroom.ROOM])
    if room is None:
        st.info(tr("room.closed"), icon="🚪")
        return
    st.markdown(f"### {tr('room.students', n=rooms.members(room.code))}")
    with st.container(border=True):
        buttons = st.columns(4)
        buttons[0].button(tr("room.next"), on_click=teach, args=("next",), key="_room_next", type="primary",
                          width="stretch")
        buttons[1].button(tr("room.reveal"), on_click=teach, args=("reveal",), key="_room_reveal", width="stretch",
                          disabled=room.question is None or room.revealed)
        buttons[2].button(tr("room.reset"), on_click=teach, args=("reset",), key="_room_reset", width="stretch",
                          disabled=room.question is None)
        buttons[3].button(tr("room.close"), on_click=teach, args=("close",), key="_room_close", width="stretch")
        if room.question is None:
            st.info(tr("room.no_question"), icon="❓")
        else:
            question = BY_KEY[room.question]
            st.caption(tr("room.question", k=[q.key for q in QUESTIONS].index(question.key) + 1, total=len(QUESTIONS),
                          page=classroom.page_name(question)))
            st.markdown(f"#### {tr(f'q.{question.key}')}")
            counts = rooms.tally(room.code, question.key)
            if room.revealed:
                classroom.revealed(question, counts)
            else:
                for option in question.options:
                    st.markdown(f"- {tr(f'q.{question.key}.{option}')}")
                st.markdown(f"**{tr('room.answers', n=sum(counts.values()))}**")
                st.caption(tr("room.hidden"))
    st.subheader(tr("room.board"))
    results = rooms.board(room.code)
    if not results:
        st.caption(tr("room.board.empty"))
    else:  # a dataframe shows nicknames as plain text, never as Markdown or HTML
        st.dataframe({tr("room.board.nickname"): [r.nickname for r in results],
                      tr("room.board.network"): [r.network for r in results],
                      tr("room.board.accuracy"): [f"{r.accuracy:.1%}" for r in results]}, hide_index=True)


def teacher(room: Room) -> None:
    code_place, live = st.columns([1, 2])
    with code_place:
        st.caption(tr("room.code"))
        st.html(f"<div style='font-size:5rem;font-weight:700;letter-spacing:0.25em;line-height:1.1'>"
                f"{''.join(c for c in room.code if c in ALPHABET)}</div>")
        links(room)
    with live:
        board()


def student(room: Room) -> None:
    st.success(tr("room.joined", code=room.code), icon="🎓")
    if room.question is not None:
        question = BY_KEY[room.question]
        st.page_link(f"pages/{question.page}.py", label=tr("room.badge.question", page=classroom.page_name(question)),
                     icon="❓")
    st.button(tr("room.leave"), on_click=classroom.leave, key="_room_leave_page")


page_header("room")
rooms = classroom.store()
if rooms is None:
    st.stop()
if reason := ss.pop("_room_error", None):
    st.error(tr(f"room.err.{reason}"), icon="⚠️")

room = classroom.current()
if room is None:
    outside()
elif ss.get(classroom.TEACHER) and rooms.is_teacher(room.code, ss[classroom.TEACHER]):
    teacher(room)
else:
    student(room)
