"""The class room on every page: joining by link or code, the sidebar badge that follows the
teacher's board (and, for the teacher, leads the class), and the predict-then-reveal gate a page
puts before its experiment.

One store per process (SQLite at ``$OPTVIZ_DB``, by default in the app's cache folder). The
session's room and, for the teacher, the room's secret live in the session's state; the teacher's
secret leaves the address bar as soon as it is read, so a projector never shows it, and stays in
the teacher's browser as a cookie, so a reload or a second tab is still the teacher's until they
sign out.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import streamlit as st

from optviz.figures import board, guess_chart
from optviz.lessons.questions import BY_KEY, Question, error, from_json, from_toml, median_error, read, to_json, to_toml, written
from optviz.serve import data
from optviz.serve.redis_rooms import RedisAttempts, RedisRooms
from optviz.serve.rooms import NICKNAME_MAX, Attempts, Room, RoomError, Rooms, normalise_code
from optviz.toy import surfaces
from ui import links
from ui.common import LANG_KEY, PAGES, PRESENT_KEY, tr

ENV_DB = "OPTVIZ_DB"
ENV_REDIS = "OPTVIZ_REDIS_URL"  # redis://host:port/db: the rooms every replica shares
OFFLINE = "_room_offline"  # Redis could not be reached in this run
ROOM, TEACHER, SESSION, OPENED = "_room", "_room_teacher", "_room_session", "_room_opened"
MESSAGE = "_room_message"  # what a callback has to say, shown by the page
FOLLOWED = "_room_followed"  # (where, moved): the teacher's move this student's page last followed
FORGET = "_room_forget"  # the teacher signed out: the browser is to drop the teacher's cookie
COOKIE_READ = "_room_cookie_read"  # this session has looked for the teacher's cookie
COOKIE = "optviz_teacher"  # "CODE.secret", in the teacher's browser only
COOKIE_AGE = 24 * 3600  # s, a room's life
POLL = 2.0  # s between a page's looks at the board
ATTEMPTS = Attempts()  # process-wide on purpose: wrong codes per session and per address per minute
PAGE_NAMES = {url: label for _, label, url, _ in PAGES}  # url path -> its name's key
PAGE_FILES = {url: path for path, _, url, _ in PAGES}
OWN = {"room", "teacher", LANG_KEY, PRESENT_KEY}  # link keys a student keeps when following the teacher
ss = st.session_state

_COOKIE_JS = """
export default function ({ data }) {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${data.name}=${data.value}; path=/; max-age=${data.age}; SameSite=Strict${secure}`;
}
"""
_cookie = st.components.v2.component("optviz_teacher_cookie", js=_COOKIE_JS)


def db_path() -> Path:
    return Path(os.environ.get(ENV_DB) or data.cache_dir().parent / "rooms.db")


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Rooms:
    return Rooms(Path(path))


@st.cache_resource(show_spinner=False)
def _shared_store(url: str) -> RedisRooms:
    return RedisRooms(url)


def store() -> Rooms | RedisRooms | None:
    """The rooms: in Redis when ``OPTVIZ_REDIS_URL`` is set (several replicas), else in this
    server's SQLite file. None (with a message) when they cannot be used; while Redis cannot be
    reached, ``badge`` says so once per run and the page goes on without the class."""
    url = os.environ.get(ENV_REDIS)
    try:
        rooms = _shared_store(url) if url else _store(str(db_path()))
    except (RoomError, OSError, ValueError, ImportError):  # ImportError: a Redis URL without the redis package
        st.sidebar.error(tr("room.err.storage"), icon="🗄️")
        return None
    if url and not rooms.alive():
        ss[OFFLINE] = True
        return None
    return rooms


@st.cache_resource(show_spinner=False)
def _shared_attempts(url: str) -> RedisAttempts:
    return RedisAttempts(url)


def attempts() -> Attempts | RedisAttempts:
    """Wrong codes counted in Redis across replicas when there is one, else in this process."""
    url = os.environ.get(ENV_REDIS)
    return _shared_attempts(url) if url else ATTEMPTS


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
    rooms, code, where_from = store(), normalise_code(code), address()
    if rooms is None:  # offline: ``badge`` says so, and a link's code joins once Redis is back
        return None if ss.get(OFFLINE) else tr("room.err.storage")
    if not attempts().allowed(session(), where_from):
        return tr("room.too_many")
    try:
        rooms.join(code, session())
    except RoomError as err:
        if err.reason != "unknown":
            return tr(f"room.err.{err.reason}")
        attempts().wrong(session(), where_from)
        return tr("room.unknown", code=code[:8])
    ss[ROOM] = code
    return None


def cookie() -> str | None:
    """The teacher's cookie this browser sent when the session began, or None."""
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) else None


def address() -> str | None:
    """The client's address as the server sees it (a school's laptops may share one), or None."""
    value = st.context.ip_address
    return value if isinstance(value, str) else None


def from_link() -> None:
    """Call in app.py before the page: ``?room=CODE`` joins, ``&teacher=SECRET`` makes this session
    the room's teacher (then the secret leaves the address bar). A session that begins with the
    teacher's cookie of an open room, and a link to no other room, is that room's teacher. Shows
    what went wrong, here or in a button's callback."""
    code = normalise_code(st.query_params.get("room", ""))
    secret = st.query_params.get("teacher")
    rooms = store()
    if secret is not None:
        del st.query_params["teacher"]
        if rooms is not None and code and rooms.is_teacher(code, secret):
            ss[TEACHER], ss[ROOM] = secret, code
            return
        ss[MESSAGE] = tr("room.err.secret")
    elif rooms is not None and not ss.get(COOKIE_READ):
        ss[COOKIE_READ] = True
        kept_code, _, kept_secret = (cookie() or "").partition(".")
        if kept_secret and code in ("", kept_code) and rooms.is_teacher(kept_code, kept_secret):
            ss[TEACHER], ss[ROOM] = kept_secret, kept_code
            return
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
    elif room.question not in questions(room.code):  # a question an older version asked: none on the board
        room = room._replace(question=None)
    return room


def questions(code: str) -> dict[str, Question]:
    """The built-in questions, then the ones the class's teacher wrote, by key, in asking order."""
    own = {}
    rooms = store()
    try:
        for key, body in rooms.written(code) if rooms is not None else ():
            own[key] = from_json(key, body)
    except (RoomError, ValueError, TypeError, KeyError):  # unreadable: the built-in ones still work
        pass
    return BY_KEY | own


def prompt(question: Question) -> str:
    """The question as the class reads it: its words in the student's language, or the teacher's own
    (as plain text)."""
    return plain(question.prompt) if question.prompt else tr(f"q.{question.key}")


def option(question: Question, choice: str) -> str:
    """A choice in words (plain text: Markdown shows it through ``plain``)."""
    return choice if question.prompt else tr(f"q.{question.key}.{choice}")


def plain(text: str) -> str:
    """``text`` shown by Markdown as itself: no link, emphasis or heading a teacher's words could make."""
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~$" else c for c in text)


def leave() -> None:
    """Button callback: out of the class, and its code out of the link (which would join again)."""
    ss.pop(ROOM, None)
    ss.pop(TEACHER, None)
    ss.pop(FOLLOWED, None)
    if "room" in st.query_params:
        del st.query_params["room"]


def sign_out() -> None:
    """Button callback: the teacher leaves the class and this browser forgets the teacher's cookie."""
    leave()
    ss[FORGET] = True


def is_teacher(room: Room) -> bool:
    rooms = store()
    return bool(ss.get(TEACHER)) and rooms is not None and rooms.is_teacher(room.code, ss[TEACHER])


def where(page: str) -> str:
    """The teacher's place: ``page`` (a url path) and the link's settings, less the teacher's own
    (class, language, presentation mode)."""
    settings = {k: st.query_params.get_all(k) for k in st.query_params if k not in OWN}
    return f"{page}?{urlencode(settings, doseq=True)}" if settings else page


def _teach(action: str, *args: object) -> None:
    """Button callback: one of the teacher's actions on this session's room."""
    try:
        getattr(store(), action)(ss[ROOM], ss[TEACHER], *args)
    except (RoomError, KeyError) as err:
        ss[MESSAGE] = tr(f"room.err.{getattr(err, 'reason', 'secret')}")


def _lead_here(page: str) -> None:
    _teach("lead", where(page))


def badge(page: str) -> None:
    """Sidebar, every page (``page``: its url path): which class, and a link to the page of the
    teacher's question. For the teacher: bring the class here, let it explore, pause it, sign out.
    For a student: follow the teacher's page and settings while the teacher leads, and wait behind a
    message while the class is paused. Reruns the page when the board changes, checking every POLL
    seconds."""
    if ss.pop(FORGET, None):
        with st.sidebar:
            _cookie(key="_room_cookie_forget", data={"name": COOKIE, "value": "", "age": 0})
    room = current()
    if ss.pop(OFFLINE, False):
        st.sidebar.warning(tr("room.err.offline"), icon="🔌")
    if room is None:
        return
    st.query_params["room"] = room.code  # a reload or a shared link stays in the class
    teacher = is_teacher(room)
    with st.sidebar.container(border=True):
        st.markdown(f"**{tr('room.badge.teacher' if teacher else 'room.badge', code=room.code)}**")
        if room.question is not None:
            question_page = questions(room.code)[room.question].page
            st.caption(tr("room.badge.ask"))
            st.page_link(PAGE_FILES[question_page], label=tr(PAGE_NAMES[question_page]), icon="❓")
        if teacher:
            _teacher_controls(room, page)
        else:
            st.button(tr("room.leave"), key="_room_leave", on_click=leave)
    if teacher:
        with st.sidebar:
            _cookie(key="_room_cookie", data={"name": COOKIE, "value": f"{room.code}.{ss[TEACHER]}", "age": COOKIE_AGE})
    else:
        _student_follows(room)
        asked = questions(room.code).get(room.question)
        if asked is not None and not room.revealed and asked.page != page:  # a sidebar folded away hides the badge
            with st.container(border=True):
                st.markdown(f"**{tr('room.badge.question', page=tr(PAGE_NAMES[asked.page]))}**")
                st.page_link(PAGE_FILES[asked.page], label=tr("room.go"), icon="❓")
    _follow(_shown(room))


def _teacher_controls(room: Room, page: str) -> None:
    if page in PAGE_NAMES:
        st.button(tr("room.lead"), key="_room_lead", icon="📣", on_click=_lead_here, args=(page,), width="stretch",
                  help=tr("room.lead.help"))
    if room.follow is not None:
        st.caption(tr("room.leading", page=tr(PAGE_NAMES.get(room.follow.partition("?")[0], "room.nav"))))
        st.button(tr("room.release"), key="_room_release", on_click=_teach, args=("lead", None), width="stretch")
    st.button(tr("room.resume" if room.paused else "room.pause"), key="_room_pause", icon="▶️" if room.paused else "⏸️",
              on_click=_teach, args=("pause", not room.paused), width="stretch")
    st.button(tr("room.sign_out"), key="_room_sign_out", on_click=sign_out, width="stretch", help=tr("room.sign_out.help"))


def go(where: str) -> None:
    """Open ``where`` ("page?query", a lesson page) with exactly its settings, keeping this
    student's own (class, language, presentation mode); nothing happens for another page."""
    page, _, query = where.partition("?")
    if page in PAGE_FILES:
        carried = {k: v for k, v in parse_qs(query, keep_blank_values=True).items() if k not in OWN}
        links.forget(carried)
        own = {k: st.query_params.get_all(k) for k in st.query_params if k in OWN}
        st.switch_page(PAGE_FILES[page], query_params=carried | own)


def _student_follows(room: Room) -> None:
    """While the teacher leads: go where the teacher is (once per move of the teacher), and say so."""
    if room.follow is not None:
        if (room.follow, room.moved) != ss.get(FOLLOWED):
            ss[FOLLOWED] = (room.follow, room.moved)
            go(room.follow)
        st.info(tr("room.following"), icon="👀")
    else:
        ss.pop(FOLLOWED, None)
    if room.paused:
        st.html(f"<div style='position:fixed;inset:0;z-index:1000000;background:rgba(255,255,255,0.97);display:flex;"
                f"align-items:center;justify-content:center;text-align:center;padding:2rem;font-size:2.2rem;"
                f"font-weight:600'>⏸️ {html.escape(tr('room.paused'))}</div>")


def _shown(room: Room) -> tuple:
    """What of the room a page shows: a change of any of it reruns the page."""
    return room.code, room.question, room.revealed, room.round, room.follow, room.moved, room.paused


@st.fragment(run_every=POLL)
def _follow(shown: tuple) -> None:
    rooms = store()
    try:
        room = rooms.room(shown[0]) if rooms is not None else None
    except RoomError:  # busy for a moment: look again at the next tick
        return
    if room is not None and _shown(room) != shown:
        st.rerun(scope="app")


def follow_teacher(page: str) -> None:
    """Call in app.py after the page ran: while the teacher leads, the teacher's lesson page and
    its settings become where the class is (a write only when they changed; the class stays where
    it is while the teacher looks at the board or the home page)."""
    room = current() if ss.get(TEACHER) and page in PAGE_NAMES else None
    if room is not None and room.follow is not None and room.follow != where(page) and is_teacher(room):
        _teach("lead", where(page))


def tally_figure(question: Question, counts: dict[str, int]):
    labels = [html.escape(option(question, o)) for o in question.options]  # Plotly reads a few HTML tags
    return board.tally(labels, [counts.get(o, 0) for o in question.options], question.options.index(question.answer))


def _send(key: str, code: str, question: str, vote: int) -> None:
    """Widget callback: store (or change) this session's vote, as the question's text (a choice, a
    number, a point clicked on the map); an error is shown by the gate."""
    asked, value = questions(code).get(question), ss[key]
    if asked is None:
        return
    if asked.kind == "point":  # the chart's event: the lattice point nearest the click
        picked = (value.selection.get(guess_chart.GUESS) or [{}])[0]
        value = (picked.get("x"), picked.get("y"))
    try:
        text = value if asked.kind == "choice" else written(value)
    except (TypeError, ValueError):  # an emptied number box, a click that picked nothing
        return
    if read(asked, text) is None:
        return
    try:
        store().answer(code, session(), question, text, vote)
    except RoomError as err:
        ss["_room_send_error"] = err.reason


def shown(question: Question, text: str, markdown: bool = False) -> str:
    """An answer as the page says it: the choice's words (for Markdown, a teacher's own as plain
    text), the number, or "(x, y)"."""
    if question.kind == "choice":
        return plain(option(question, text)) if markdown and question.prompt else option(question, text)
    value = read(question, text)
    if value is None:
        return text
    return f"({value[0]:g}, {value[1]:g})" if question.kind == "point" else f"{value:g}"


def guess_spec(question: Question, counts: dict[str, int] | None = None, mine: str | None = None,
               width: int = guess_chart.WIDTH) -> dict:
    """The figure of a number or point question, ``width`` px wide: the map to click (with the
    student's own guess), or, with ``counts`` (answer -> how many gave it), the class's cloud and
    the experiment's answer."""
    words = {"start": tr("room.guess.start"), "answer": tr("room.guess.answer"), "mine": tr("room.guess.mine")}
    values: dict = {}
    for text, n in (counts or {}).items():
        if (value := read(question, text)) is not None:
            values[value] = values.get(value, 0) + n
    answer = read(question, question.answer)
    if question.kind == "number":
        return guess_chart.number_spec(question.lo, question.hi, values, answer, words, width)
    shown = values if counts is not None else None
    if question.map[0] == "curve":
        words |= {"iteration": tr("mnist.iteration"), "loss": tr("mnist.loss_axis")}
        return guess_chart.curve_spec(question.curve, question.hi, question.hi2, question.map[1], words, shown,
                                      answer if counts is not None else None, read(question, mine) if mine else None, width)
    surface_key, kappa, x0, y0 = question.map
    surface = surfaces.get(surface_key, kappa)
    return guess_chart.point_spec(surface, (x0, y0), words, values if counts is not None else None,
                                  answer if counts is not None else None, read(question, mine) if mine else None, width)


def page_name(question: Question) -> str:
    return tr(PAGE_NAMES[question.page])


def revealed(question: Question, votes: list[dict[str, int]], moves: dict[tuple[str, str], int]) -> None:
    """The class's answers (one vote, or both side by side, with how choices moved between them; a
    cloud of guesses for a number or a point) and what the experiment says."""
    columns = st.columns(2) if len(votes) == 2 else [st.container()]
    for k, (column, counts) in enumerate(zip(columns, votes, strict=True)):
        if len(votes) == 2:
            column.markdown(f"**{tr(f'room.vote{k + 1}')}**")
        if question.kind == "choice":
            column.plotly_chart(tally_figure(question, counts), config={"displayModeBar": False}, key=f"_room_bars{k}")
        else:
            column.vega_lite_chart(None, guess_spec(question, counts, width=guess_chart.WIDTH if len(votes) == 1 else 340),
                                   key=f"_room_cloud{k}", width="content")
            column.markdown(tr(f"room.median.{question.kind}", e=f"{median_error(question, counts):.3g}",
                               n=sum(counts.values())))
    if question.kind == "choice" and len(votes) == 2:
        right = [counts.get(question.answer, 0) / max(sum(counts.values()), 1) for counts in votes]
        changed = sum(n for (a, b), n in moves.items() if a != b)
        st.markdown(tr("room.moved", changed=changed, twice=sum(moves.values()),
                       to_right=sum(n for (a, b), n in moves.items() if a != b and b == question.answer),
                       first=f"{right[0]:.0%}", second=f"{right[1]:.0%}"))
    st.success(tr("room.correct", answer=shown(question, question.answer, markdown=True)), icon="🔬")
    st.write(tr("room.own.why") if question.prompt else tr(f"q.{question.key}.why"))


def votes_of(rooms: Rooms, room: Room, question: Question) -> tuple[list[dict[str, int]], dict[tuple[str, str], int]]:
    """The tallies of every vote held on ``question`` (one or two) and the moves between them."""
    votes = [rooms.tally(room.code, question.key, v) for v in range(1, room.round + 1)]
    return votes, rooms.moves(room.code, question.key) if room.round == 2 else {}


def gate(page: str, open_setup: Callable[[str], None]) -> None:
    """Call before a page's controls. When the teacher's current question belongs to ``page``:
    before the reveal, ask it and stop the page (the experiment stays hidden); after it, show the
    class's answers and open the question's set-up once (``open_setup(question.setup)``)."""
    room = current()
    question = questions(room.code).get(room.question) if room is not None else None
    if question is None or question.page != page:
        return
    rooms, me = store(), session()
    with st.container(border=True):
        st.markdown(f"**{tr('room.ask')}:** {prompt(question)}")
        if room.revealed:
            try:
                votes, moves = votes_of(rooms, room, question)
            except RoomError as err:
                fail(err)
                return
            st.caption(tr("room.revealed"))
            revealed(question, votes, moves)
            if (room.code, question.key) not in ss.setdefault(OPENED, set()):
                ss[OPENED].add((room.code, question.key))
                if question.prompt:  # a teacher's question: its set-up is the link the teacher asked it from
                    go(question.setup)
                open_setup(question.setup)
            return
        try:
            mine = rooms.my_answer(room.code, me, question.key, room.round)
        except RoomError as err:
            fail(err)
            mine = None
        key = f"_room_answer_{room.code}_{question.key}_{room.round}"
        if mine is None:  # nothing stored (or the teacher reset the question): no choice shown either
            ss.pop(key, None)
        if room.round == 2:
            st.info(tr("room.again.student"), icon="🗣️")
        label, send = tr("room.your_answer" if room.round == 1 else "room.your_answer2"), (key, room.code, question.key,
                                                                                           room.round)
        if question.kind == "choice":
            st.radio(label, question.options, format_func=lambda o: plain(option(question, o)),
                     index=question.options.index(mine) if mine in question.options else None,
                     key=key, on_change=_send, args=send)
        elif question.kind == "number":
            st.number_input(f"{label} ({question.lo:g} – {question.hi:g})", question.lo, question.hi,
                            value=read(question, mine) if mine else None, step=0.05, format="%.4g", key=key,
                            on_change=_send, args=send)
        else:
            st.caption(tr("room.guess.point"))
            key = f"{key}_{mine}"  # a new guess, a new map: its marker moves and the next click is news
            st.vega_lite_chart(None, guess_spec(question, mine=mine), key=key, selection_mode=guess_chart.GUESS,
                               on_select=functools.partial(_send, key, *send[1:]), width="content")
        if (reason := ss.pop("_room_send_error", None)) is not None:
            st.error(tr(f"room.err.{reason}"), icon="⚠️")
        if mine is not None:
            st.success(tr("room.sent", choice=shown(question, mine, markdown=True)), icon="✅")
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


def report_csv(code: str, secret: str, base: str) -> bytes:
    """The class's votes as a CSV (UTF-8 with a byte-order mark, so a spreadsheet reads the words):
    one row per question, vote and answer given, with the question's page link (``base``: the
    app's address), the answer the experiment computes and how far the given one is from it (0 or
    1 for a choice, the difference or distance for a number or a point)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([tr(k) for k in ("room.csv.question", "room.csv.prompt", "room.csv.link", "room.csv.setup",
                                     "room.csv.vote", "room.csv.choice", "room.csv.count", "room.csv.answer",
                                     "room.csv.right")])
    asked = questions(code)
    order = {key: k for k, key in enumerate(asked)}
    for row in store().report(code, secret):
        if (question := asked.get(row.question)) is None:
            continue
        link = f"{base}/{question.setup}" if question.prompt else f"{base}/{question.page}"
        writer.writerow([order[question.key] + 1, question.prompt or tr(f"q.{question.key}"), link, question.setup,
                         row.round, shown(question, row.choice), row.count, shown(question, question.answer),
                         f"{error(question, row.choice):.4g}"])
    return ("\ufeff" + out.getvalue()).encode()


def ask_here(page: str, offers: list[tuple[str, Question]]) -> None:
    """For the teacher, in the sidebar of a lesson page: "Ask the class about this". ``offers``:
    (what the class would answer, in words; the question as the page computed it, with a suggested
    prompt). The teacher picks one, edits the prompt, and the class is asked at once."""
    room = current()
    if room is None or not offers or not is_teacher(room):
        return
    with st.sidebar.popover(tr("room.own.ask"), icon="❓", width="stretch"):
        pick = st.radio(tr("room.own.what"), range(len(offers)), format_func=lambda k: offers[k][0], key="_room_own_pick")
        text = st.text_area(tr("room.own.prompt"), offers[pick][1].prompt, max_chars=500, key=f"_room_own_prompt{pick}")
        question = offers[pick][1]._replace(prompt=" ".join(text.split()) or offers[pick][1].prompt)
        st.button(tr("room.own.go"), type="primary", key="_room_own_go", on_click=_ask_own, args=(question,),
                  help=tr("room.own.go.help"))


def _ask_own(question: Question) -> None:
    try:
        rooms = store()
        key = rooms.write(ss[ROOM], ss[TEACHER], to_json(question))
        rooms.ask(ss[ROOM], ss[TEACHER], key)
    except (RoomError, KeyError) as err:
        ss[MESSAGE] = tr(f"room.err.{getattr(err, 'reason', 'secret')}")


def export_toml(code: str) -> bytes:
    """The class's own questions as a TOML file."""
    return to_toml([q for key, q in questions(code).items() if key not in BY_KEY]).encode()


def import_toml(code: str, secret: str, text: str) -> int:
    """Write the questions of a TOML file into the class; how many. Raises ValueError (the file's
    fault, named) or RoomError."""
    found = from_toml(text, set(PAGE_FILES))
    rooms = store()
    for question in found:
        rooms.write(code, secret, to_json(question))
    return len(found)
