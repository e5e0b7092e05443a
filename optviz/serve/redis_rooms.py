"""Class rooms in Redis, for a school that runs several replicas of the app: the same rooms, rules
and answers as ``optviz.serve.rooms.Rooms`` (SQLite, one process), seen by every replica. No Streamlit here.

Every write that reads what it changes (a vote, a teacher's action) is one Lua script, so it is one
atomic step on the server: two replicas writing at once lose nothing. A room's keys expire with
the room (``ttl`` after it was made). The teacher's secret is kept as its SHA-256, as in SQLite.
A lost connection raises RoomError("offline"); the pages say so and recover when Redis returns.
Keys live under ``prefix`` (one Redis may serve several apps); a standalone Redis, not a cluster.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from optviz.serve.rooms import (
    ALPHABET,
    BOARD_ROWS,
    BODY_MAX,
    CODE_LENGTH,
    OWN_MAX,
    TTL,
    WHERE_MAX,
    Result,
    Room,
    RoomError,
    Tally,
    clean_nickname,
)

PREFIX = "optviz:"

# KEYS: room, votes; ARGV: question, vote, session, choice, now, ttl
_ANSWER = """
local r = redis.call('HMGET', KEYS[1], 'question', 'revealed', 'round', 'closed', 'created')
local now, ttl = tonumber(ARGV[5]), tonumber(ARGV[6])
if not r[5] or r[4] == '1' or tonumber(r[5]) <= now - ttl then return 'unknown' end
if r[1] ~= ARGV[1] or r[2] == '1' or r[3] ~= ARGV[2] then return 'revealed' end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[2], math.max(1, math.floor((tonumber(r[5]) + ttl - now) * 1000)))
return 'ok'
"""

# KEYS: room, asked, own; ARGV: digest, now, ttl, votes prefix, op, arguments...
_TEACH = """
local room = KEYS[1]
local r = redis.call('HMGET', room, 'secret', 'closed', 'created')
local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
if not r[1] or r[2] == '1' or tonumber(r[3]) <= now - ttl or r[1] ~= ARGV[1] then return 'secret' end
local left = math.max(1, math.floor((tonumber(r[3]) + ttl - now) * 1000))
local op = ARGV[5]
if op == 'ask' then
  redis.call('HSET', room, 'question', ARGV[6], 'revealed', '0', 'round', '1')
  redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[6])
  redis.call('PEXPIRE', KEYS[2], left)
elseif op == 'again' then
  local q = redis.call('HMGET', room, 'question', 'revealed')
  if q[1] and q[2] == '0' then redis.call('HSET', room, 'round', '2') end
elseif op == 'reset' then
  local q = redis.call('HGET', room, 'question')
  if q then redis.call('DEL', ARGV[4] .. '1:' .. q, ARGV[4] .. '2:' .. q) end
  redis.call('HSET', room, 'revealed', '0', 'round', '1')
elseif op == 'lead' then
  if ARGV[7] == '1' then redis.call('HSET', room, 'follow', ARGV[6]) else redis.call('HDEL', room, 'follow') end
  redis.call('HSET', room, 'moved', ARGV[2])
elseif op == 'set' then
  redis.call('HSET', room, ARGV[6], ARGV[7])
elseif op == 'write' then
  local n = redis.call('LLEN', KEYS[3])
  if n >= tonumber(ARGV[7]) then return 'full' end
  redis.call('RPUSH', KEYS[3], ARGV[6])
  redis.call('PEXPIRE', KEYS[3], left)
  return 'own' .. (n + 1)
end
return 'ok'
"""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class RedisRooms:
    """The rooms of ``optviz.serve.rooms.Rooms``, kept in the Redis at ``url`` (redis://host:port/db)."""

    def __init__(self, url: str, ttl: float = TTL, timeout: float = 5.0, clock: Callable[[], float] = time.time,
                 prefix: str = PREFIX) -> None:
        import redis  # only a school with several replicas installs it

        self.url, self.ttl, self.clock, self.prefix = url, ttl, clock, prefix
        self._errors = (redis.ConnectionError, redis.TimeoutError)
        self.db = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                       decode_responses=True, health_check_interval=10)
        self._answer = self.db.register_script(_ANSWER)
        self._teach_script = self.db.register_script(_TEACH)
        self._pinged = (float("-inf"), False)  # (when, answered)

    def alive(self, every: float = 1.0) -> bool:
        """Whether Redis answers a PING (asked at most once per ``every`` seconds)."""
        now = time.monotonic()
        if now - self._pinged[0] >= every:
            try:
                self._pinged = (now, bool(self.db.ping()))
            except self._errors:
                self._pinged = (now, False)
        return self._pinged[1]

    @contextmanager
    def _talk(self) -> Iterator[None]:
        """A lost or slow connection as RoomError("offline")."""
        try:
            yield
        except self._errors as err:
            raise RoomError("offline") from err

    def _key(self, code: str, part: str = "") -> str:
        return f"{self.prefix}room:{code}{':' + part if part else ''}"

    def _votes(self, code: str, question: str, vote: int) -> str:
        return self._key(code, f"votes:{vote}:{question}")

    def _left_ms(self, created: float) -> int:
        return max(1, int((created + self.ttl - self.clock()) * 1000))

    def _open(self, fields: dict) -> bool:
        return bool(fields) and fields.get("closed") != "1" and float(fields["created"]) > self.clock() - self.ttl

    # -- the teacher ----------------------------------------------------------------------------

    def create(self) -> tuple[str, str]:
        """A new room: (code, teacher secret). Expired rooms are dropped first."""
        secret, now = secrets.token_urlsafe(16), self.clock()
        codes = f"{self.prefix}codes"
        with self._talk():
            for old in self.db.zrangebyscore(codes, "-inf", now - self.ttl):
                self._drop(old)
            self.db.zremrangebyscore(codes, "-inf", now - self.ttl)
            if self.db.zcard(codes) > len(ALPHABET) ** CODE_LENGTH // 2:
                raise RoomError("full")
            while True:
                code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
                if self.db.zadd(codes, {code: now}, nx=True):  # the claim: one replica gets each code
                    break
            room = self._key(code)
            pipe = self.db.pipeline()  # MULTI/EXEC
            pipe.hset(room, mapping={"secret": _digest(secret), "created": repr(now), "revealed": "0", "closed": "0",
                                     "round": "1", "moved": "0", "paused": "0", "names": "0"})
            pipe.pexpire(room, self._left_ms(now))
            pipe.execute()
        return code, secret

    def _drop(self, code: str) -> None:
        keys = [self._key(code, part) for part in ("", "members", "asked", "own", "results")]
        self.db.delete(*keys, *self.db.scan_iter(match=self._key(code, "votes:*"), count=500))

    def is_teacher(self, code: str, secret: str) -> bool:
        """Whether ``secret`` is the teacher's secret of the open room ``code`` (constant time)."""
        with self._talk():
            fields = self.db.hgetall(self._key(code))
        stored = fields.get("secret", _digest("")) if self._open(fields) else _digest("")
        return hmac.compare_digest(stored, _digest(secret)) and self._open(fields)

    def _teach(self, code: str, secret: str, op: str, *args: object) -> str:
        if not self.is_teacher(code, secret):
            raise RoomError("secret")
        with self._talk():
            said = self._teach_script(keys=[self._key(code), self._key(code, "asked"), self._key(code, "own")],
                                      args=[_digest(secret), repr(self.clock()), repr(self.ttl),
                                            self._key(code, "votes:"), op, *args])
        if said in ("secret", "full"):
            raise RoomError(said)
        return said

    def ask(self, code: str, secret: str, question: str) -> None:
        """Put ``question`` on the board, hidden, at its first vote; its earlier votes stay until reset."""
        self._teach(code, secret, "ask", question)

    def write(self, code: str, secret: str, body: str) -> str:
        """Keep a question the teacher wrote and return its key ("own1", ...); RoomError("full")
        past OWN_MAX, ("long") past BODY_MAX."""
        if len(body) > BODY_MAX:
            raise RoomError("long")
        return self._teach(code, secret, "write", body, OWN_MAX)

    def written(self, code: str) -> list[tuple[str, str]]:
        """The class's own questions, (key, body) in the order written."""
        with self._talk():
            return [(f"own{k + 1}", body) for k, body in enumerate(self.db.lrange(self._key(code, "own"), 0, -1))]

    def again(self, code: str, secret: str) -> None:
        """Open the second vote on the current, unrevealed question; the first stays hidden."""
        self._teach(code, secret, "again")

    def reveal(self, code: str, secret: str) -> None:
        self._teach(code, secret, "set", "revealed", "1")

    def reset(self, code: str, secret: str) -> None:
        """Forget both votes on the current question and ask it afresh, hidden."""
        self._teach(code, secret, "reset")

    def lead(self, code: str, secret: str, where: str | None) -> None:
        """Every student's page follows the teacher to ``where``; None lets the class explore."""
        if where is not None and len(where) > WHERE_MAX:
            raise RoomError("long")
        self._teach(code, secret, "lead", where or "", "0" if where is None else "1")

    def pause(self, code: str, secret: str, paused: bool) -> None:
        self._teach(code, secret, "set", "paused", str(int(paused)))

    def show_names(self, code: str, secret: str, shown: bool) -> None:
        self._teach(code, secret, "set", "names", str(int(shown)))

    def report(self, code: str, secret: str) -> list[Tally]:
        """Every vote of the class on each question it was asked, in the order asked."""
        if not self.is_teacher(code, secret):
            raise RoomError("secret")
        with self._talk():
            asked = self.db.zrange(self._key(code, "asked"), 0, -1)
        return [Tally(q, vote, choice, n) for q in asked for vote in (1, 2)
                for choice, n in sorted(self.tally(code, q, vote).items())]

    def close(self, code: str, secret: str) -> None:
        self._teach(code, secret, "set", "closed", "1")

    # -- the students ---------------------------------------------------------------------------

    def room(self, code: str) -> Room | None:
        """The open, unexpired room ``code``, or None."""
        with self._talk():
            f = self.db.hgetall(self._key(code))
        if not self._open(f):
            return None
        return Room(code, f.get("question"), f["revealed"] == "1", float(f["created"]), int(f["round"]), f.get("follow"),
                    float(f["moved"]), f["paused"] == "1", f["names"] == "1")

    def join(self, code: str, session: str) -> Room:
        """Count ``session`` in room ``code``; RoomError("unknown") when there is no such room."""
        if (room := self.room(code)) is None:
            raise RoomError("unknown")
        with self._talk():
            pipe = self.db.pipeline()
            pipe.sadd(self._key(code, "members"), session)
            pipe.pexpire(self._key(code, "members"), self._left_ms(room.created))
            pipe.execute()
        return room

    def members(self, code: str) -> int:
        with self._talk():
            return self.db.scard(self._key(code, "members"))

    def answer(self, code: str, session: str, question: str, choice: str, vote: int = 1) -> None:
        """Store (or change) ``session``'s vote in round ``vote`` on the room's current question;
        refused once revealed, or when the board shows another question or round."""
        with self._talk():
            said = self._answer(keys=[self._key(code), self._votes(code, question, vote)],
                                args=[question, str(vote), session, choice, repr(self.clock()), repr(self.ttl)])
        if said != "ok":
            raise RoomError(said)

    def my_answer(self, code: str, session: str, question: str, vote: int = 1) -> str | None:
        with self._talk():
            return self.db.hget(self._votes(code, question, vote), session)

    def tally(self, code: str, question: str, vote: int = 1) -> dict[str, int]:
        """Choice -> how many sessions gave it in round ``vote``."""
        with self._talk():
            return dict(Counter(self.db.hvals(self._votes(code, question, vote))))

    def moves(self, code: str, question: str) -> dict[tuple[str, str], int]:
        """(first vote, second vote) -> how many sessions voted so, over those that voted twice."""
        with self._talk():
            one, two = (self.db.hgetall(self._votes(code, question, vote)) for vote in (1, 2))
        return dict(Counter((one[s], two[s]) for s in one.keys() & two.keys()))

    def post(self, code: str, session: str, nickname: str, networks: list[tuple[str, float]]) -> None:
        """Put a finished race's networks on the room's board; a second post replaces the first."""
        if (room := self.room(code)) is None:
            raise RoomError("unknown")
        rows = [[clean_nickname(nickname), net, float(acc), self.clock()] for net, acc in networks]
        with self._talk():
            pipe = self.db.pipeline()
            pipe.hset(self._key(code, "results"), session, json.dumps(rows))
            pipe.pexpire(self._key(code, "results"), self._left_ms(room.created))
            pipe.execute()

    def board(self, code: str, rows: int = BOARD_ROWS) -> list[Result]:
        """The best ``rows`` posted networks of room ``code``, best test accuracy first."""
        with self._talk():
            posted = [row for text in self.db.hvals(self._key(code, "results")) for row in json.loads(text)]
        posted.sort(key=lambda r: (-r[2], r[3]))
        return [Result(*r[:3]) for r in posted[:rows]]


class RedisAttempts:
    """``optviz.serve.rooms.Attempts`` counted in Redis, so a session or address has one limit across
    every replica: a sorted set of attempt times per session and per address, expiring after
    ``window``. A lost connection allows the attempt (a guessing limit must not lock a class out)."""

    def __init__(self, url: str, limit: int = 5, window: float = 60.0, clock: Callable[[], float] = time.time,
                 address_limit: int = 30, prefix: str = PREFIX) -> None:
        import redis

        self.limit, self.window, self.clock, self.address_limit, self.prefix = limit, window, clock, address_limit, prefix
        self._errors = (redis.ConnectionError, redis.TimeoutError)
        self.db = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0, decode_responses=True)

    def _recent(self, kind: str, who: str) -> int:
        key, now = f"{self.prefix}wrong:{kind}:{who}", self.clock()
        pipe = self.db.pipeline()
        pipe.zremrangebyscore(key, "-inf", now - self.window)
        pipe.zcard(key)
        return pipe.execute()[1]

    def allowed(self, session: str, address: str | None = None) -> bool:
        """Whether ``session``, from ``address`` (None when unknown), may try a code now."""
        try:
            return (self._recent("session", session) < self.limit
                    and (address is None or self._recent("address", address) < self.address_limit))
        except self._errors:
            return True

    def wrong(self, session: str, address: str | None = None) -> None:
        now = self.clock()
        try:
            pipe = self.db.pipeline()
            for kind, who in (("session", session), ("address", address)):
                if who is not None:
                    key = f"{self.prefix}wrong:{kind}:{who}"
                    pipe.zadd(key, {f"{now!r}:{secrets.token_hex(4)}": now})
                    pipe.pexpire(key, int(self.window * 1000) + 1000)
            pipe.execute()
        except self._errors:
            pass
