"""Class rooms in one SQLite file: a code to join, the class's votes on the current question, where
the teacher leads the class, and a board of finished races. Standard library only; no Streamlit here.

A teacher creates a room and gets its code (four characters, none that read alike) and a secret
(128 random bits, of which the file keeps only a SHA-256). Only the secret asks, opens a second
vote, reveals, resets, leads, pauses, shows nicknames, reports or closes. A student's vote can
change until the teacher reveals; one vote per session, question and round (a question is voted on
once, or twice with discussion between). Rooms expire ``ttl`` seconds after they were made. Writes
take one process-wide lock and SQLite's own (WAL mode), so one writer at a time; a locked or full
database raises RoomError and a stored vote is never lost (each write is one transaction).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import NamedTuple

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B: easy to read aloud and type
CODE_LENGTH = 4
TTL = 24 * 3600.0  # s a room lives
NICKNAME_MAX = 24  # characters
BOARD_ROWS = 10
WHERE_MAX = 2000  # characters of a place the teacher leads to ("page?query")
OWN_MAX = 100  # questions a teacher may write for one class
BODY_MAX = 20_000  # characters of one written question, as stored

SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (code TEXT PRIMARY KEY, secret TEXT NOT NULL, created REAL NOT NULL,
    question TEXT, revealed INTEGER NOT NULL DEFAULT 0, closed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS members (code TEXT, session TEXT, joined REAL NOT NULL, PRIMARY KEY (code, session));
CREATE TABLE IF NOT EXISTS votes (code TEXT, question TEXT, round INTEGER NOT NULL, session TEXT,
    choice TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (code, question, round, session));
CREATE TABLE IF NOT EXISTS asked (code TEXT, question TEXT, at REAL NOT NULL, PRIMARY KEY (code, question));
CREATE TABLE IF NOT EXISTS own (code TEXT, key TEXT, body TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (code, key));
CREATE TABLE IF NOT EXISTS results (code TEXT, session TEXT, nickname TEXT NOT NULL, network TEXT NOT NULL,
    accuracy REAL NOT NULL, at REAL NOT NULL);
"""
# Columns added to rooms after the first version; a file made before them gets them on opening.
ROOM_COLUMNS = {"round": "INTEGER NOT NULL DEFAULT 1", "follow": "TEXT", "moved": "REAL NOT NULL DEFAULT 0",
                "paused": "INTEGER NOT NULL DEFAULT 0", "names": "INTEGER NOT NULL DEFAULT 0"}
ROOM_FIELDS = "code, question, revealed, created, round, follow, moved, paused, names"


class RoomError(Exception):
    """A room action that cannot be done; ``reason`` names why ("unknown", "closed", "secret",
    "revealed", "busy", "full", "storage", "long") for the page's message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Room(NamedTuple):
    code: str
    question: str | None  # key of the question on the board, None before the first
    revealed: bool
    created: float  # s since the epoch
    round: int = 1  # the vote that is open: 1, or 2 once the teacher asked the class again
    follow: str | None = None  # where the teacher leads the class ("page?query"), None while it explores
    moved: float = 0.0  # when the teacher last led somewhere, s since the epoch
    paused: bool = False  # the teacher paused every student's page
    names: bool = False  # the board shows nicknames (hidden by default: a projector is public)


class Tally(NamedTuple):
    question: str
    round: int
    choice: str
    count: int


class Result(NamedTuple):
    nickname: str  # plain text, at most NICKNAME_MAX characters; "" when none was given
    network: str  # the network's settings in a few words
    accuracy: float  # test accuracy in [0, 1]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def clean_nickname(text: str) -> str:
    """A nickname as the board shows it: control characters as spaces, spaces collapsed, at most
    NICKNAME_MAX characters."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:NICKNAME_MAX]


def normalise_code(text: str) -> str:
    """What a student typed, as a code: upper case, spaces and dashes dropped."""
    return "".join(c for c in text.upper() if c not in " -\t")


class Rooms:
    """The rooms in the SQLite file at ``path`` (created with its folder when missing)."""

    def __init__(self, path: Path, ttl: float = TTL, timeout: float = 5.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.path, self.ttl, self.timeout, self.clock = Path(path), ttl, timeout, clock
        self._write = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._transaction() as db:
            db.executescript(SCHEMA)
            _upgrade(db)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)

    @contextmanager
    def _transaction(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One connection; for a write, one transaction under the process's write lock. SQLite's
        errors become RoomError("busy"), ("full") or ("storage")."""
        db = None
        try:
            with self._write if write else nullcontext():
                db = self._connect()
                if write:
                    db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    if write and db.in_transaction:
                        db.rollback()
                    raise
                if write:
                    db.commit()
        except sqlite3.OperationalError as err:
            text = str(err)
            raise RoomError("busy" if "locked" in text or "busy" in text
                            else "full" if "full" in text else "storage") from err
        except sqlite3.DatabaseError as err:
            raise RoomError("storage") from err
        finally:
            if db is not None:
                db.close()

    # -- the teacher ----------------------------------------------------------------------------

    def create(self) -> tuple[str, str]:
        """A new room: (code, teacher secret). Expired rooms are dropped first."""
        secret = secrets.token_urlsafe(16)  # 128 bits
        now = self.clock()
        with self._transaction() as db:
            self._purge(db, now)
            taken = {row[0] for row in db.execute("SELECT code FROM rooms")}
            if len(taken) > len(ALPHABET) ** CODE_LENGTH // 2:
                raise RoomError("full")
            code = ""
            while not code or code in taken:
                code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            db.execute("INSERT INTO rooms (code, secret, created) VALUES (?, ?, ?)", (code, _digest(secret), now))
        return code, secret

    def is_teacher(self, code: str, secret: str) -> bool:
        """Whether ``secret`` is the teacher's secret of the open room ``code`` (constant time)."""
        with self._transaction(write=False) as db:
            row = db.execute("SELECT secret FROM rooms WHERE code = ? AND closed = 0 AND created > ?",
                             (code, self.clock() - self.ttl)).fetchone()
        return hmac.compare_digest(row[0] if row else _digest(""), _digest(secret)) and row is not None

    def ask(self, code: str, secret: str, question: str) -> None:
        """Put ``question`` on the board, hidden, at its first vote; its earlier votes stay until reset."""
        self._teach(code, secret, "UPDATE rooms SET question = ?, revealed = 0, round = 1 WHERE code = ?", (question, code),
                    "INSERT OR IGNORE INTO asked VALUES (?, ?, ?)", (code, question, self.clock()))

    def write(self, code: str, secret: str, body: str) -> str:
        """Keep a question the teacher wrote (``body``: its text, as the caller reads it back) and
        return its key ("own1", "own2", ...); RoomError("full") past OWN_MAX, ("long") past BODY_MAX."""
        if len(body) > BODY_MAX:
            raise RoomError("long")
        if not self.is_teacher(code, secret):
            raise RoomError("secret")
        with self._transaction() as db:
            n = db.execute("SELECT COUNT(*) FROM own WHERE code = ?", (code,)).fetchone()[0]
            if n >= OWN_MAX:
                raise RoomError("full")
            key = f"own{n + 1}"
            db.execute("INSERT INTO own VALUES (?, ?, ?, ?)", (code, key, body, self.clock()))
        return key

    def written(self, code: str) -> list[tuple[str, str]]:
        """The class's own questions, (key, body) in the order written."""
        with self._transaction(write=False) as db:
            return db.execute("SELECT key, body FROM own WHERE code = ? ORDER BY rowid", (code,)).fetchall()

    def again(self, code: str, secret: str) -> None:
        """Open the second vote on the current, unrevealed question; the first stays hidden."""
        self._teach(code, secret, "UPDATE rooms SET round = 2 WHERE code = ? AND question IS NOT NULL AND revealed = 0",
                    (code,))

    def reveal(self, code: str, secret: str) -> None:
        self._teach(code, secret, "UPDATE rooms SET revealed = 1 WHERE code = ?", (code,))

    def reset(self, code: str, secret: str) -> None:
        """Forget both votes on the current question and ask it afresh, hidden."""
        self._teach(code, secret, "DELETE FROM votes WHERE code = ? AND question = "
                    "(SELECT question FROM rooms WHERE code = ?)", (code, code),
                    "UPDATE rooms SET revealed = 0, round = 1 WHERE code = ?", (code,))

    def lead(self, code: str, secret: str, where: str | None) -> None:
        """Every student's page follows the teacher to ``where`` ("page?query", at most WHERE_MAX
        characters); None lets the class explore on its own."""
        if where is not None and len(where) > WHERE_MAX:
            raise RoomError("long")
        self._teach(code, secret, "UPDATE rooms SET follow = ?, moved = ? WHERE code = ?", (where, self.clock(), code))

    def pause(self, code: str, secret: str, paused: bool) -> None:
        """Freeze every student's page on a message, or let it go on."""
        self._teach(code, secret, "UPDATE rooms SET paused = ? WHERE code = ?", (int(paused), code))

    def show_names(self, code: str, secret: str, shown: bool) -> None:
        self._teach(code, secret, "UPDATE rooms SET names = ? WHERE code = ?", (int(shown), code))

    def report(self, code: str, secret: str) -> list[Tally]:
        """Every vote of the class on each question it was asked, in the order asked (a question
        asked with no vote gives no row)."""
        if not self.is_teacher(code, secret):
            raise RoomError("secret")
        with self._transaction(write=False) as db:
            return [Tally(*row) for row in db.execute(
                "SELECT v.question, v.round, v.choice, COUNT(*) FROM votes v JOIN asked a "
                "ON a.code = v.code AND a.question = v.question WHERE v.code = ? "
                "GROUP BY v.question, v.round, v.choice ORDER BY a.at, v.round, v.choice", (code,))]

    def close(self, code: str, secret: str) -> None:
        self._teach(code, secret, "UPDATE rooms SET closed = 1 WHERE code = ?", (code,))

    def _teach(self, code: str, secret: str, *statements: object) -> None:
        if not self.is_teacher(code, secret):
            raise RoomError("secret")
        with self._transaction() as db:
            for sql, args in zip(statements[::2], statements[1::2], strict=True):
                db.execute(sql, args)

    # -- the students ---------------------------------------------------------------------------

    def room(self, code: str) -> Room | None:
        """The open, unexpired room ``code``, or None."""
        with self._transaction(write=False) as db:
            row = db.execute(f"SELECT {ROOM_FIELDS} FROM rooms WHERE code = ? AND closed = 0 AND created > ?",
                             (code, self.clock() - self.ttl)).fetchone()
        if row is None:
            return None
        room = Room(*row)
        return room._replace(revealed=bool(room.revealed), paused=bool(room.paused), names=bool(room.names))

    def join(self, code: str, session: str) -> Room:
        """Count ``session`` in room ``code``; RoomError("unknown") when there is no such room."""
        if (room := self.room(code)) is None:
            raise RoomError("unknown")
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO members VALUES (?, ?, ?)", (code, session, self.clock()))
        return room

    def members(self, code: str) -> int:
        with self._transaction(write=False) as db:
            return db.execute("SELECT COUNT(*) FROM members WHERE code = ?", (code,)).fetchone()[0]

    def answer(self, code: str, session: str, question: str, choice: str, vote: int = 1) -> None:
        """Store (or change) ``session``'s vote in round ``vote`` on the room's current question
        ``question``; refused once revealed, or when the board shows another question or round."""
        with self._transaction() as db:
            row = db.execute("SELECT question, revealed, round FROM rooms WHERE code = ? AND closed = 0 AND created > ?",
                             (code, self.clock() - self.ttl)).fetchone()
            if row is None:
                raise RoomError("unknown")
            if row[0] != question or row[1] or row[2] != vote:
                raise RoomError("revealed")
            db.execute("INSERT INTO votes VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code, question, round, session) "
                       "DO UPDATE SET choice = excluded.choice, at = excluded.at",
                       (code, question, vote, session, choice, self.clock()))

    def my_answer(self, code: str, session: str, question: str, vote: int = 1) -> str | None:
        with self._transaction(write=False) as db:
            row = db.execute("SELECT choice FROM votes WHERE code = ? AND question = ? AND round = ? AND session = ?",
                             (code, question, vote, session)).fetchone()
        return row[0] if row else None

    def tally(self, code: str, question: str, vote: int = 1) -> dict[str, int]:
        """Choice -> how many sessions gave it in round ``vote``."""
        with self._transaction(write=False) as db:
            return dict(db.execute("SELECT choice, COUNT(*) FROM votes WHERE code = ? AND question = ? AND round = ? "
                                   "GROUP BY choice", (code, question, vote)).fetchall())

    def moves(self, code: str, question: str) -> dict[tuple[str, str], int]:
        """(first vote, second vote) -> how many sessions voted so, over the sessions that voted twice."""
        with self._transaction(write=False) as db:
            return {(a, b): n for a, b, n in db.execute(
                "SELECT one.choice, two.choice, COUNT(*) FROM votes one JOIN votes two ON one.code = two.code "
                "AND one.question = two.question AND one.session = two.session AND one.round = 1 AND two.round = 2 "
                "WHERE one.code = ? AND one.question = ? GROUP BY one.choice, two.choice", (code, question))}

    def post(self, code: str, session: str, nickname: str, networks: list[tuple[str, float]]) -> None:
        """Put a finished race's networks ((settings in words, test accuracy)) on the room's board;
        a second post of the same session replaces its first."""
        if self.room(code) is None:
            raise RoomError("unknown")
        name = clean_nickname(nickname)
        with self._transaction() as db:
            db.execute("DELETE FROM results WHERE code = ? AND session = ?", (code, session))
            db.executemany("INSERT INTO results VALUES (?, ?, ?, ?, ?, ?)",
                           [(code, session, name, net, float(acc), self.clock()) for net, acc in networks])

    def board(self, code: str, rows: int = BOARD_ROWS) -> list[Result]:
        """The best ``rows`` posted networks of room ``code``, best test accuracy first."""
        with self._transaction(write=False) as db:
            return [Result(*r) for r in db.execute(
                "SELECT nickname, network, accuracy FROM results WHERE code = ? ORDER BY accuracy DESC, at "
                "LIMIT ?", (code, rows))]

    def _purge(self, db: sqlite3.Connection, now: float) -> None:
        old = [r[0] for r in db.execute("SELECT code FROM rooms WHERE created <= ?", (now - self.ttl,))]
        for table in ("members", "votes", "asked", "own", "results", "rooms"):
            db.executemany(f"DELETE FROM {table} WHERE code = ?", [(c,) for c in old])


def _upgrade(db: sqlite3.Connection) -> None:
    """Bring a file made by an earlier version up to SCHEMA: the new room columns, and its
    answers kept as first votes."""
    have = {row[1] for row in db.execute("PRAGMA table_info(rooms)")}
    for name, declaration in ROOM_COLUMNS.items():
        if name not in have:
            db.execute(f"ALTER TABLE rooms ADD COLUMN {name} {declaration}")
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'answers'").fetchone():
        db.execute("INSERT OR IGNORE INTO votes SELECT code, question, 1, session, choice, at FROM answers")
        db.execute("INSERT OR IGNORE INTO asked SELECT code, question, MIN(at) FROM answers GROUP BY code, question")
        db.execute("DROP TABLE answers")


class Attempts:
    """At most ``limit`` wrong room codes per session, and ``address_limit`` per client address, in
    any ``window`` seconds (process-wide, guarded by a lock; a session or address with no recent
    attempt is forgotten). The address's limit is higher: a school's laptops share one address."""

    def __init__(self, limit: int = 5, window: float = 60.0, clock: Callable[[], float] = time.monotonic,
                 address_limit: int = 30) -> None:
        self.limit, self.window, self.clock, self.address_limit = limit, window, clock, address_limit
        self._lock = threading.Lock()
        self._wrong: dict[tuple[str, str], list[float]] = {}

    def allowed(self, session: str, address: str | None = None) -> bool:
        """Whether ``session``, from ``address`` (None when unknown), may try a code now."""
        with self._lock:
            return (len(self._recent(("session", session))) < self.limit
                    and (address is None or len(self._recent(("address", address))) < self.address_limit))

    def wrong(self, session: str, address: str | None = None) -> None:
        """Record a wrong code from ``session`` at ``address``."""
        with self._lock:
            now = self.clock()
            self._recent(("session", session)).append(now)
            if address is not None:
                self._recent(("address", address)).append(now)

    def _recent(self, who: tuple[str, str]) -> list[float]:
        now = self.clock()
        for old in [k for k, ts in self._wrong.items() if ts and ts[-1] <= now - self.window]:
            del self._wrong[old]
        times = self._wrong.setdefault(who, [])
        times[:] = [t for t in times if t > now - self.window]
        return times
