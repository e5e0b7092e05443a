"""The class-room store: codes, the teacher's secret, answers, expiry, the board, a locked or full
database, and thirty students answering at once."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import uuid

import pytest

from optviz.serve.rooms import (
    ALPHABET,
    BODY_MAX,
    CODE_LENGTH,
    NICKNAME_MAX,
    OWN_MAX,
    Attempts,
    RoomError,
    Rooms,
    clean_nickname,
    normalise_code,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=["sqlite", "redis"])
def rooms(request, tmp_path, clock):
    """The same rooms in either store: SQLite (one server) or Redis (several replicas)."""
    if request.param == "sqlite":
        return Rooms(tmp_path / "class" / "rooms.db", clock=clock)
    from optviz.serve.redis_rooms import RedisRooms

    return RedisRooms(request.getfixturevalue("redis_url"), clock=clock, prefix=f"test:{uuid.uuid4().hex}:")


def left(rooms, code: str) -> int:
    """Rows (SQLite) or keys (Redis) the store still holds for the class ``code``."""
    if isinstance(rooms, Rooms):
        with sqlite3.connect(rooms.path) as db:
            return sum(db.execute(f"SELECT COUNT(*) FROM {table} WHERE code = ?", (code,)).fetchone()[0]
                       for table in ("rooms", "members", "votes", "asked", "own", "results"))
    return len(list(rooms.db.scan_iter(match=rooms._key(code) + "*")))


def reason(call, *args) -> str:
    with pytest.raises(RoomError) as err:
        call(*args)
    return err.value.reason


def test_a_room_has_a_short_readable_code_and_a_long_secret(rooms):
    codes = set()
    for _ in range(50):
        code, secret = rooms.create()
        assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
        assert len(secret) >= 22  # 16 random bytes in URL-safe base64: 128 bits
        codes.add(code)
    assert len(codes) == 50
    assert not set("0O1IL2Z5S8B") & set(ALPHABET)


def test_the_file_is_in_wal_mode_and_keeps_no_secret_in_clear(tmp_path, clock):
    rooms = Rooms(tmp_path / "rooms.db", clock=clock)
    code, secret = rooms.create()
    with sqlite3.connect(rooms.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert secret not in str(db.execute("SELECT * FROM rooms").fetchall())


def test_students_join_by_code_once_each_and_a_wrong_code_is_refused(rooms):
    code, _ = rooms.create()
    for session in ("a", "b", "a"):
        assert rooms.join(code, session).code == code
    assert rooms.members(code) == 2
    wrong = next(c for c in ("AAAA", "CCCC", "DDDD") if c != code)
    assert reason(rooms.join, wrong, "c") == "unknown"
    assert normalise_code(f" {code[:2].lower()}-{code[2:]} ") == code


def test_only_the_teachers_secret_asks_reveals_resets_and_closes(rooms):
    code, secret = rooms.create()
    other_code, other_secret = rooms.create()
    for wrong in ("", secret[:-1] + ("A" if secret[-1] != "A" else "B"), other_secret):
        assert not rooms.is_teacher(code, wrong)
        for action in (rooms.reveal, rooms.reset, rooms.close):
            assert reason(action, code, wrong) == "secret"
        assert reason(rooms.ask, code, wrong, "lowest") == "secret"
    assert rooms.room(code).question is None
    rooms.ask(code, secret, "lowest")
    assert rooms.room(code)[:5] == (code, "lowest", False, rooms.clock(), 1)
    rooms.reveal(code, secret)
    assert rooms.room(code).revealed
    rooms.close(code, secret)
    assert rooms.room(code) is None and not rooms.is_teacher(code, secret)
    assert rooms.room(other_code) is not None


def test_an_answer_can_change_until_the_reveal_and_counts_once(rooms):
    code, secret = rooms.create()
    assert reason(rooms.answer, code, "s1", "lowest", "SGD") == "revealed"  # nothing asked yet
    rooms.ask(code, secret, "lowest")
    rooms.answer(code, "s1", "lowest", "SGD")
    rooms.answer(code, "s1", "lowest", "AdaGrad")
    rooms.answer(code, "s2", "lowest", "Adam")
    assert rooms.tally(code, "lowest") == {"AdaGrad": 1, "Adam": 1}
    assert rooms.my_answer(code, "s1", "lowest") == "AdaGrad"
    assert reason(rooms.answer, code, "s3", "escape", "SGD") == "revealed"  # not the current question
    rooms.reveal(code, secret)
    assert reason(rooms.answer, code, "s1", "lowest", "SGD") == "revealed"
    assert rooms.tally(code, "lowest") == {"AdaGrad": 1, "Adam": 1}


def test_reset_forgets_the_current_questions_answers_and_hides_it_again(rooms):
    code, secret = rooms.create()
    rooms.ask(code, secret, "lowest")
    rooms.answer(code, "s1", "lowest", "SGD")
    rooms.ask(code, secret, "escape")
    rooms.answer(code, "s1", "escape", "Adam")
    rooms.reveal(code, secret)
    rooms.reset(code, secret)
    assert rooms.tally(code, "escape") == {} and rooms.tally(code, "lowest") == {"SGD": 1}
    assert not rooms.room(code).revealed
    rooms.answer(code, "s1", "escape", "Momentum")
    assert rooms.tally(code, "escape") == {"Momentum": 1}


def test_a_room_expires_after_a_day_and_is_dropped(rooms, clock):
    code, secret = rooms.create()
    rooms.ask(code, secret, "lowest")
    rooms.answer(code, "s1", "lowest", "SGD")
    clock.now += 24 * 3600 - 1
    assert rooms.room(code) is not None
    clock.now += 2
    assert rooms.room(code) is None and not rooms.is_teacher(code, secret)
    assert reason(rooms.join, code, "s2") == "unknown"
    assert reason(rooms.answer, code, "s1", "lowest", "Adam") == "unknown"
    assert left(rooms, code) > 0
    rooms.create()  # purges what expired
    assert left(rooms, code) == 0


def test_the_board_shows_plain_nicknames_best_first(rooms):
    code, _ = rooms.create()
    rooms.post(code, "s1", "**bold** <script>alert(1)</script>", [("Adam · lr 0.001", 0.97), ("SGD", 0.90)])
    rooms.post(code, "s2", "x" * 100, [("Momentum", 0.95)])
    rooms.post(code, "s3", "bell\x07\nline", [("AdaGrad", 0.93)])
    board = rooms.board(code)
    assert [r.accuracy for r in board] == [0.97, 0.95, 0.93, 0.90]
    assert board[0].nickname == "**bold** <script>alert(1)</script>"[:NICKNAME_MAX]
    assert board[1].nickname == "x" * NICKNAME_MAX
    assert board[2].nickname == "bell line" == clean_nickname("bell\x07\nline")
    rooms.post(code, "s1", "again", [("SGD", 0.5)])  # a second post replaces the first
    assert [(r.nickname, r.accuracy) for r in rooms.board(code)][-1] == ("again", 0.5)
    assert len(rooms.board(code, rows=2)) == 2
    assert reason(rooms.post, "QQQQ" if code != "QQQQ" else "RRRR", "s1", "", [("SGD", 0.5)]) == "unknown"


def test_thirty_students_answering_at_once_are_each_counted_once(rooms):
    code, secret = rooms.create()
    rooms.ask(code, secret, "lowest")
    options = ("SGD", "Momentum", "AdaGrad", "Adam")
    errors, start = [], threading.Barrier(30)

    def student(i: int) -> None:
        try:
            start.wait()
            rooms.join(code, f"s{i}")
            rooms.answer(code, f"s{i}", "lowest", options[(i + 1) % 4])
            rooms.answer(code, f"s{i}", "lowest", options[i % 4])  # a change of mind
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and rooms.members(code) == 30
    assert rooms.tally(code, "lowest") == {"SGD": 8, "Momentum": 8, "AdaGrad": 7, "Adam": 7}


def test_a_locked_database_says_busy_and_loses_nothing(tmp_path, clock):
    rooms = Rooms(tmp_path / "rooms.db", timeout=0.2, clock=clock)
    code, secret = rooms.create()
    rooms.ask(code, secret, "lowest")
    rooms.answer(code, "s1", "lowest", "SGD")
    other = sqlite3.connect(rooms.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        assert reason(rooms.answer, code, "s2", "lowest", "Adam") == "busy"
    finally:
        other.rollback()
        other.close()
    rooms.answer(code, "s2", "lowest", "Adam")
    assert rooms.tally(code, "lowest") == {"SGD": 1, "Adam": 1}


class TinyDisk(Rooms):
    """A database that may not grow past its present size: what a full disk looks like to SQLite."""

    pages = 0

    def _connect(self) -> sqlite3.Connection:
        db = super()._connect()
        if self.pages:
            db.execute(f"PRAGMA max_page_count = {self.pages}")
        return db


def test_a_full_disk_says_full_and_keeps_every_stored_answer(tmp_path, clock):
    rooms = TinyDisk(tmp_path / "rooms.db", clock=clock)
    code, secret = rooms.create()
    rooms.ask(code, secret, "lowest")
    rooms.answer(code, "s0", "lowest", "SGD")
    with sqlite3.connect(rooms.path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rooms.pages = db.execute("PRAGMA page_count").fetchone()[0]
    stored, refused = 1, None
    for i in range(1, 2000):
        try:
            rooms.post(code, f"s{i}", "n" * 24, [("a long description of a network " * 4, 0.5)])
            rooms.answer(code, f"s{i}", "lowest", "Adam")
            stored += 1
        except RoomError as err:
            refused = err.reason
            break
    assert refused == "full"
    assert sum(rooms.tally(code, "lowest").values()) == stored


def test_wrong_codes_are_limited_per_session_per_minute():
    now = [0.0]
    attempts = Attempts(limit=5, window=60.0, clock=lambda: now[0])
    for _ in range(5):
        assert attempts.allowed("a")
        attempts.wrong("a")
    assert not attempts.allowed("a") and attempts.allowed("b")
    now[0] = 59.0
    assert not attempts.allowed("a")
    now[0] = 60.5
    assert attempts.allowed("a")
    assert ("session", "b") not in attempts._wrong or not attempts._wrong[("session", "b")]


def test_many_sessions_from_one_address_share_its_limit_and_other_addresses_go_on():
    now = [0.0]
    attempts = Attempts(limit=5, window=60.0, clock=lambda: now[0], address_limit=30)
    for k in range(30):  # a script opening a new session for each guess
        assert attempts.allowed(f"script{k}", "10.0.0.9")
        attempts.wrong(f"script{k}", "10.0.0.9")
    assert not attempts.allowed("script-new", "10.0.0.9")
    assert attempts.allowed("script-new", "10.0.0.10") and attempts.allowed("script-new")
    now[0] = 61.0
    assert attempts.allowed("script-new", "10.0.0.9")


def test_a_second_vote_is_counted_apart_and_the_first_is_closed_by_it(rooms):
    code, secret = rooms.create()
    rooms.ask(code, secret, "lowest")
    rooms.answer(code, "a", "lowest", "SGD")
    rooms.answer(code, "b", "lowest", "SGD")
    rooms.answer(code, "c", "lowest", "AdaGrad")
    assert reason(rooms.answer, code, "a", "lowest", "Adam", 2) == "revealed"  # the second is not open yet
    rooms.again(code, secret)
    assert rooms.room(code).round == 2 and not rooms.room(code).revealed
    assert reason(rooms.answer, code, "a", "lowest", "Adam", 1) == "revealed"  # the first vote is closed
    assert rooms.my_answer(code, "a", "lowest", 2) is None and rooms.my_answer(code, "a", "lowest", 1) == "SGD"
    rooms.answer(code, "a", "lowest", "AdaGrad", 2)
    rooms.answer(code, "b", "lowest", "SGD", 2)
    rooms.answer(code, "d", "lowest", "AdaGrad", 2)  # arrived late: votes only the second time
    assert rooms.tally(code, "lowest", 1) == {"SGD": 2, "AdaGrad": 1}
    assert rooms.tally(code, "lowest", 2) == {"AdaGrad": 2, "SGD": 1}
    assert rooms.moves(code, "lowest") == {("SGD", "AdaGrad"): 1, ("SGD", "SGD"): 1}
    rooms.reveal(code, secret)
    assert reason(rooms.answer, code, "c", "lowest", "SGD", 2) == "revealed"
    rooms.reset(code, secret)
    assert rooms.room(code).round == 1 and rooms.tally(code, "lowest", 1) == rooms.tally(code, "lowest", 2) == {}
    rooms.ask(code, secret, "escape")
    rooms.again(code, secret)
    rooms.reveal(code, secret)
    rooms.again(code, secret)  # too late for a second vote: it stays revealed
    assert rooms.room(code).revealed and rooms.room(code).round == 2
    rooms.ask(code, secret, "lowest")  # asked anew: the first vote again
    assert rooms.room(code).round == 1


def test_leading_pausing_names_and_the_report_need_the_teachers_secret(rooms, clock):
    code, secret = rooms.create()
    rooms.ask(code, secret, "lowest")
    for wrong in ("", secret + "x"):
        assert reason(rooms.lead, code, wrong, "trajectories") == "secret"
        assert reason(rooms.pause, code, wrong, True) == "secret"
        assert reason(rooms.show_names, code, wrong, True) == "secret"
        assert reason(rooms.again, code, wrong) == "secret"
        assert reason(rooms.report, code, wrong) == "secret"
    assert rooms.room(code)[5:] == (None, 0.0, False, False)
    clock.now += 5
    rooms.lead(code, secret, "trajectories?traj_surface=saddle")
    rooms.pause(code, secret, True)
    rooms.show_names(code, secret, True)
    assert rooms.room(code)[5:] == ("trajectories?traj_surface=saddle", clock.now, True, True)
    assert reason(rooms.lead, code, secret, "x" * 2001) == "long"
    rooms.lead(code, secret, None)
    rooms.pause(code, secret, False)
    assert rooms.room(code).follow is None and not rooms.room(code).paused


def test_the_report_lists_each_vote_of_each_question_in_the_order_asked(rooms, clock):
    code, secret = rooms.create()
    rooms.ask(code, secret, "sig1")
    rooms.answer(code, "a", "sig1", "ends")
    rooms.answer(code, "b", "sig1", "middle")
    rooms.again(code, secret)
    rooms.answer(code, "a", "sig1", "ends", 2)
    rooms.answer(code, "b", "sig1", "ends", 2)
    clock.now += 60
    rooms.ask(code, secret, "lowest")
    rooms.answer(code, "a", "lowest", "Adam")
    clock.now += 60
    rooms.ask(code, secret, "escape")  # asked, never answered: no row
    other, other_secret = rooms.create()
    rooms.ask(other, other_secret, "lowest")
    rooms.answer(other, "z", "lowest", "SGD")
    assert rooms.report(code, secret) == [("sig1", 1, "ends", 1), ("sig1", 1, "middle", 1), ("sig1", 2, "ends", 2),
                                          ("lowest", 1, "Adam", 1)]


def test_a_file_from_the_first_version_keeps_its_rooms_and_answers(tmp_path, clock):
    path = tmp_path / "rooms.db"
    with sqlite3.connect(path) as db:  # the schema as the first version wrote it
        db.executescript("""
            CREATE TABLE rooms (code TEXT PRIMARY KEY, secret TEXT NOT NULL, created REAL NOT NULL,
                question TEXT, revealed INTEGER NOT NULL DEFAULT 0, closed INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE members (code TEXT, session TEXT, joined REAL NOT NULL, PRIMARY KEY (code, session));
            CREATE TABLE answers (code TEXT, question TEXT, session TEXT, choice TEXT NOT NULL,
                at REAL NOT NULL, PRIMARY KEY (code, question, session));
            CREATE TABLE results (code TEXT, session TEXT, nickname TEXT NOT NULL, network TEXT NOT NULL,
                accuracy REAL NOT NULL, at REAL NOT NULL);""")
        db.execute("INSERT INTO rooms (code, secret, created, question) VALUES ('ACDE', ?, ?, 'lowest')",
                   (hashlib.sha256(b"s3cret").hexdigest(), clock.now))
        db.executemany("INSERT INTO answers VALUES ('ACDE', 'lowest', ?, ?, ?)",
                       [("a", "SGD", clock.now), ("b", "Adam", clock.now)])
    rooms = Rooms(path, clock=clock)
    assert rooms.room("ACDE") == ("ACDE", "lowest", False, clock.now, 1, None, 0.0, False, False)
    assert rooms.tally("ACDE", "lowest") == {"SGD": 1, "Adam": 1}
    assert rooms.report("ACDE", "s3cret") == [("lowest", 1, "Adam", 1), ("lowest", 1, "SGD", 1)]
    rooms.answer("ACDE", "a", "lowest", "AdaGrad")
    assert rooms.tally("ACDE", "lowest") == {"AdaGrad": 1, "Adam": 1}
    Rooms(path, clock=clock)  # opening it again changes nothing
    assert rooms.tally("ACDE", "lowest") == {"AdaGrad": 1, "Adam": 1}


def test_a_teachers_own_questions_are_kept_in_order_for_that_class_only(rooms, clock):
    code, secret = rooms.create()
    other, other_secret = rooms.create()
    assert reason(rooms.write, code, other_secret, "{}") == "secret"
    assert reason(rooms.write, code, secret, "x" * (BODY_MAX + 1)) == "long"
    keys = [rooms.write(code, secret, f'{{"n": {k}}}') for k in range(12)]
    assert keys == [f"own{k}" for k in range(1, 13)]
    assert rooms.written(code) == [(f"own{k + 1}", f'{{"n": {k}}}') for k in range(12)]  # own10 after own9
    assert rooms.written(other) == []
    rooms.ask(code, secret, "own3")
    assert rooms.room(code).question == "own3"
    clock.now += 24 * 3600 + 1
    rooms.create()  # purges the expired class with its questions
    assert left(rooms, code) == left(rooms, other) == 0


def test_a_class_holds_at_most_its_share_of_own_questions(rooms):
    code, secret = rooms.create()
    for _ in range(OWN_MAX):
        rooms.write(code, secret, "{}")
    assert reason(rooms.write, code, secret, "{}") == "full" and len(rooms.written(code)) == OWN_MAX


def redis_rooms(url: str, prefix: str, clock=None):
    from optviz.serve.redis_rooms import RedisRooms

    return RedisRooms(url, prefix=prefix, **({"clock": clock} if clock else {}))


def test_redis_keeps_no_secret_in_clear_and_each_key_expires_with_its_room(redis_url, clock):
    rooms = redis_rooms(redis_url, f"test:{uuid.uuid4().hex}:", clock)
    code, secret = rooms.create()
    rooms.ask(code, secret, "lowest")
    rooms.join(code, "s1")
    rooms.answer(code, "s1", "lowest", "SGD")
    rooms.post(code, "s1", "ada", [("SGD", 0.9)])
    rooms.write(code, secret, "{}")
    keys = list(rooms.db.scan_iter(match=rooms._key(code) + "*"))
    assert len(keys) == 6 and all(0 < rooms.db.pttl(k) <= 24 * 3600 * 1000 for k in keys)
    assert secret not in str([rooms.db.dump(k) for k in keys])


def _replica(url: str, prefix: str, code: str, first: int, barrier) -> None:
    """One replica's thirty students answering at once (run in its own process)."""
    rooms = redis_rooms(url, prefix)
    barrier.wait(timeout=30)

    def student(i: int) -> None:
        rooms.join(code, f"s{i}")
        rooms.answer(code, f"s{i}", "lowest", ("SGD", "Adam")[i % 2])
        rooms.answer(code, f"s{i}", "lowest", ("Momentum", "AdaGrad")[i % 2])  # changed their mind

    threads = [threading.Thread(target=student, args=(i,)) for i in range(first, first + 30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)


def test_two_replicas_answering_at_once_lose_no_answer(redis_url):
    import multiprocessing

    prefix = f"test:{uuid.uuid4().hex}:"
    rooms = redis_rooms(redis_url, prefix)
    code, secret = rooms.create()
    rooms.ask(code, secret, "lowest")
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(2)
    replicas = [spawn.Process(target=_replica, args=(redis_url, prefix, code, k * 30, barrier)) for k in range(2)]
    for p in replicas:
        p.start()
    for p in replicas:
        p.join(timeout=120)
    assert [p.exitcode for p in replicas] == [0, 0]
    assert rooms.members(code) == 60 and rooms.tally(code, "lowest") == {"Momentum": 30, "AdaGrad": 30}


def test_a_lost_redis_says_offline_and_the_rooms_come_back_with_it(tmp_path):
    """Redis with its append-only file (as the README's recipe runs it): stopped, every call says
    "offline"; started again, the same object finds the room and its answers."""
    import shutil
    import socket
    import subprocess
    import time

    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server to stop and start")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--appendonly", "yes", "--appendfsync",
               "always", "--save", "", "--dir", str(tmp_path)]

    def start() -> subprocess.Popen:
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not probe.alive(every=0) and time.monotonic() < deadline:
            time.sleep(0.05)
        return server

    url = f"redis://127.0.0.1:{port}/0"
    probe = redis_rooms(url, "test:")
    server = start()
    rooms = redis_rooms(url, "test:")
    code, secret = rooms.create()
    rooms.ask(code, secret, "lowest")
    rooms.answer(code, "s1", "lowest", "SGD")
    server.terminate()
    server.wait(timeout=10)
    assert not rooms.alive(every=0)
    for call, args in ((rooms.room, (code,)), (rooms.answer, (code, "s2", "lowest", "Adam")), (rooms.tally, (code, "lowest"))):
        assert reason(call, *args) == "offline"
    server = start()
    try:
        assert rooms.alive(every=0) and rooms.room(code).question == "lowest"
        rooms.answer(code, "s2", "lowest", "Adam")
        assert rooms.tally(code, "lowest") == {"SGD": 1, "Adam": 1}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_wrong_codes_are_counted_across_replicas(redis_url):
    from optviz.serve.redis_rooms import RedisAttempts

    now, prefix = [1000.0], f"test:{uuid.uuid4().hex}:"
    one, two = (RedisAttempts(redis_url, limit=5, window=60.0, clock=lambda: now[0], address_limit=8, prefix=prefix)
                for _ in range(2))
    for k in range(5):
        (one if k % 2 else two).wrong("s1", "10.0.0.1")
    assert not one.allowed("s1", "10.0.0.1") and not two.allowed("s1", "10.0.0.1")
    for k in range(3):
        two.wrong(f"other{k}", "10.0.0.1")  # new sessions from the same address
    assert not one.allowed("fresh", "10.0.0.1") and one.allowed("fresh", "10.0.0.2")
    now[0] += 61
    assert one.allowed("s1", "10.0.0.1")
