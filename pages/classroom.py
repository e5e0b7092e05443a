"""The class room: join with a code, or start a class and run its board on the projector."""

from __future__ import annotations

import streamlit as st

from optviz.lessons.questions import following
from optviz.serve.rooms import ALPHABET, CODE_LENGTH, Room, RoomError
from ui import classroom
from ui.common import page_header, tr

LIVE = 1.0  # s between the board's looks at the class's answers
ss = st.session_state


def start() -> None:
    try:
        ss[classroom.ROOM], ss[classroom.TEACHER] = rooms.create()
    except RoomError as err:
        ss["_room_error"] = err.reason


def teach(action: str, *args: object) -> None:
    """Button callback: one of the teacher's actions on the open room."""
    code, secret = ss[classroom.ROOM], ss[classroom.TEACHER]
    try:
        if action == "next":
            if (room := rooms.room(code)) is None:
                raise RoomError("unknown")
            rooms.ask(code, secret, following(room.question, list(classroom.questions(code))))
        else:
            getattr(rooms, action)(code, secret, *args)
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


def base_url() -> str:
    return (st.context.url or "").split("?", 1)[0].rsplit("/classroom", 1)[0].rstrip("/")


def links(room: Room) -> None:
    base = base_url()
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
        buttons = [*st.columns(3), *st.columns(3)]  # two rows: the labels fit a projector's 1280 pixels
        open_ = room.question is not None and not room.revealed
        buttons[0].button(tr("room.next"), on_click=teach, args=("next",), key="_room_next", type="primary",
                          width="stretch")
        buttons[1].button(tr("room.again"), on_click=teach, args=("again",), key="_room_again", width="stretch",
                          disabled=not open_ or room.round == 2, help=tr("room.again.help"))
        buttons[2].button(tr("room.reveal"), on_click=teach, args=("reveal",), key="_room_reveal", width="stretch",
                          disabled=not open_)
        buttons[3].button(tr("room.reset"), on_click=teach, args=("reset",), key="_room_reset", width="stretch",
                          disabled=room.question is None)
        buttons[5].button(tr("room.close"), on_click=teach, args=("close",), key="_room_close", width="stretch")
        if room.question is None:
            st.info(tr("room.no_question"), icon="❓")
        else:
            asked = classroom.questions(room.code)
            question = asked[room.question]
            st.caption(tr("room.question", k=list(asked).index(question.key) + 1, total=len(asked),
                          page=classroom.page_name(question)))
            st.markdown(f"#### {classroom.prompt(question)}")
            votes, moves = classroom.votes_of(rooms, room, question)
            if room.revealed:
                classroom.revealed(question, votes, moves)
            else:
                for option in question.options:
                    st.markdown(f"- {classroom.plain(classroom.option(question, option))}")
                if question.kind != "choice":
                    st.caption(tr(f"room.kind.{question.kind}"))
                if room.round == 2:
                    st.markdown(tr("room.answers1", n=sum(votes[0].values())))
                st.markdown(f"**{tr('room.answers' if room.round == 1 else 'room.answers2', n=sum(votes[-1].values()))}**")
                st.caption(tr("room.hidden"))
    class_state(room)
    st.subheader(tr("room.board"))
    results = rooms.board(room.code)
    if not results:
        st.caption(tr("room.board.empty"))
    else:  # a dataframe shows nicknames as plain text, never as Markdown or HTML
        table = {tr("room.board.nickname"): [r.nickname for r in results]} if room.names else {}
        st.dataframe(table | {tr("room.board.network"): [r.network for r in results],
                              tr("room.board.accuracy"): [f"{r.accuracy:.1%}" for r in results]}, hide_index=True)
    st.toggle(tr("room.names"), value=room.names, key="_room_names", help=tr("room.names.help"),
              on_change=lambda: teach("show_names", ss["_room_names"]))


def class_state(room: Room) -> None:
    """Where the class is: following the teacher or exploring, paused or not."""
    if room.follow is not None:
        place = room.follow.partition("?")[0]
        st.info(tr("room.leading", page=tr(classroom.PAGE_NAMES.get(place, "room.nav"))), icon="📣")
    else:
        st.caption(tr("room.exploring"))
    if room.paused:
        st.warning(tr("room.paused.teacher"), icon="⏸️")


def teacher(room: Room) -> None:
    code_place, live = st.columns([1, 2])
    with code_place:
        st.caption(tr("room.code"))
        st.html(f"<div style='font-size:5rem;font-weight:700;letter-spacing:0.25em;line-height:1.1'>"
                f"{''.join(c for c in room.code if c in ALPHABET)}</div>")
        links(room)
        # written on every run of this page (a few rows): a callable would run where the session's state is out of reach
        st.download_button(tr("room.report"), data=classroom.report_csv(room.code, ss[classroom.TEACHER], base_url()),
                           file_name=f"optviz-class-{room.code}.csv", mime="text/csv", icon="⬇️", key="_room_report",
                           help=tr("room.report.help"))
        own_questions(room)
    with live:
        board()


def own_questions(room: Room) -> None:
    """The teacher's own questions: how many, to a TOML file and back (a lesson plan for next year)."""
    with st.expander(tr("room.own.file"), icon="📄"):
        n = len(classroom.questions(room.code)) - len(classroom.BY_KEY)
        st.caption(tr("room.own.count", n=n))
        st.download_button(tr("room.own.export"), data=lambda: classroom.export_toml(room.code), disabled=not n,
                           file_name=f"optviz-questions-{room.code}.toml", mime="application/toml", icon="⬇️",
                           key="_room_own_export")
        st.file_uploader(tr("room.own.import"), type=["toml"], key="_room_own_file", on_change=take_file,
                         max_upload_size=1)
        if (said := ss.pop("_room_own_said", None)) is not None:
            (st.success if said[0] == "ok" else st.error)(said[1])


def take_file() -> None:
    """Uploader callback: the file's questions join the class's, or the page says what is wrong."""
    upload = ss.get("_room_own_file")
    if upload is None:
        return
    try:
        n = classroom.import_toml(ss[classroom.ROOM], ss[classroom.TEACHER], upload.getvalue().decode("utf-8"))
        ss["_room_own_said"] = ("ok", tr("room.own.imported", n=n))
    except (UnicodeDecodeError, ValueError) as err:
        ss["_room_own_said"] = ("error", tr("room.own.bad", why=str(err)[:300]))
    except RoomError as err:
        ss["_room_own_said"] = ("error", tr(f"room.err.{err.reason}"))


def student(room: Room) -> None:
    st.success(tr("room.joined", code=room.code), icon="🎓")
    if room.question is not None:
        question = classroom.questions(room.code)[room.question]
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
elif classroom.is_teacher(room):
    teacher(room)
else:
    student(room)
