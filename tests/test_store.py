"""The class's store of runs: one run per key, bitwise the solo run, advanced only while watched,
fair between tasks, bounded in memory, and safe when many sessions work at once."""

import threading

import numpy as np

from optviz.nn import train
from optviz.nn.train import NetConfig, RaceConfig
from optviz.serve.store import Store

MB = 2**20
RACE = RaceConfig((NetConfig("SGD", 0.05), NetConfig("Momentum", 0.05, dropout=0.2), NetConfig("Adam", 0.003)),
                  hidden=(24, 16), batch=25, iterations=90, evals=3, seed=2)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Countdown:
    """A task of ``n`` one-unit turns that remembers how often it was advanced."""

    lockstep = None

    def __init__(self, n: int, nbytes: int = 100) -> None:
        self.n, self.left, self.turns, self.nbytes, self.compacted = n, n, 0, nbytes, False

    @property
    def done(self):
        return self.left == 0

    @property
    def progress(self):
        return 0, self.n - self.left, self.n

    def advance(self, seconds, companions=()):
        self.turns += 1
        self.left -= 1

    def compact(self):
        self.compacted = True


def solo(key, dataset) -> train.Run:
    run = train.Run(key, dataset)
    while not run.done:
        run.advance(10.0)
    return run


def test_equal_keys_share_one_run_made_once(toy_digits):
    store, made = Store(64 * MB), []
    make = lambda key: lambda: made.append(key) or train.Run(key, toy_digits)  # noqa: E731
    first = [store.get(k, make(k)) for k in RACE.keys(toy_digits)]
    again = [store.get(k, make(k)) for k in RaceConfig(RACE.nets, (24, 16), 0, 25, 90, 2, 3).keys(toy_digits)]
    assert all(a is b for a, b in zip(first, again, strict=True)) and len(made) == 3
    changed = RaceConfig(RACE.nets[:2] + (NetConfig("Adam", 0.001),), (24, 16), 0, 25, 90, 2, 3).keys(toy_digits)
    shared = [store.get(k, make(k)) for k in changed]
    assert shared[:2] == first[:2] and shared[2] is not first[2] and len(made) == 4  # one row changed: one new run


def test_shared_runs_are_bitwise_the_solo_runs_however_many_sessions_work(toy_digits):
    """Eight threads (sessions) watch and work at once in tiny turns, the race's runs and an
    unrelated one interleaved: every run ends exactly as it does alone, never double-stepped."""
    store = Store(64 * MB, quantum=0.002)
    keys = RACE.keys(toy_digits) + RaceConfig((NetConfig("RMSProp", 0.001),), hidden=(8,), batch=10, iterations=120,
                                              evals=2).keys(toy_digits)
    runs = [store.get(k, lambda k=k: train.Run(k, toy_digits)) for k in keys]

    def session(name: str) -> None:
        while not all(r.done for r in runs):
            store.watch(name, keys)
            store.work(0.01, wait=0.05)

    threads = [threading.Thread(target=session, args=(f"s{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    for run, key in zip(runs, keys, strict=True):
        alone = solo(key, toy_digits)
        assert run.t == key.iterations and np.array_equal(run.losses, alone.losses)
        assert run.final == alone.final and run.test_acc == alone.test_acc
        assert np.array_equal(run.test_pred, alone.test_pred)


def test_a_run_nobody_watches_stops_and_is_dropped_after_the_idle_timeout(toy_digits):
    clock = Clock()
    store = Store(64 * MB, stale=3.0, idle=60.0, clock=clock)
    key = RaceConfig(RACE.nets[:1], iterations=10**5).keys(toy_digits)[0]
    run = store.get(key, lambda: train.Run(key, toy_digits))
    store.watch("a", [key])
    assert store.work(0.05) and run.t > 0
    clock.now = 4.0  # "a" closed its tab 4 s ago
    t = run.t
    assert store.work(0.05) and run.t == t  # nobody watches: it does not advance
    assert store.watchers(key) == set() and store.busy() == (0, 0)
    clock.now = 59.0
    store.work(0.0)
    assert len(store) == 1  # kept a while: the student may come back
    clock.now = 61.0
    store.work(0.0)
    assert store.peek(key) is None and len(store) == 0


def test_finished_runs_are_compacted_and_least_recently_used_go_first(toy_digits):
    clock = Clock()
    tasks = {k: Countdown(1, nbytes=40) for k in "abcd"}
    store = Store(budget=100, clock=clock)
    for k, task in tasks.items():
        clock.now += 5  # the last session to look at the previous task has moved on
        store.get(k, lambda task=task: task)
        store.watch("s", [k])
        store.work(0.01)
    assert all(t.compacted for t in tasks.values())
    assert store.peek("a") is None and store.peek("b") is None  # 4 × 40 bytes over a 100-byte budget: oldest out
    assert store.peek("c") is tasks["c"] and store.peek("d") is tasks["d"] and store.nbytes == 80


def test_watched_tasks_are_never_dropped_even_over_budget():
    clock = Clock()
    store = Store(budget=10, clock=clock)
    store.get("big", lambda: Countdown(5, nbytes=1000))
    store.get("other", lambda: Countdown(5, nbytes=1000))
    assert len(store) == 2  # just asked for: kept for the session to start watching
    clock.now = 5.0
    store.watch("s", ["big"])
    store.work(0.0)
    assert store.peek("big") is not None and store.peek("other") is None


def test_turns_go_round_the_tasks_not_the_sessions():
    """One session watching three tasks and another watching one: each task gets the same turns."""
    store = Store(64 * MB)
    tasks = {k: store.get(k, lambda: Countdown(10**6)) for k in "xyz" + "w"}
    for _ in range(40):  # one turn per call
        store.watch("busy-student", ["x", "y", "z"])
        store.watch("other-student", ["w"])
        store.work(0.0)
    assert [t.turns for t in tasks.values()] == [10, 10, 10, 10]


def test_lockstep_runs_take_one_turn_together(toy_digits):
    store = Store(64 * MB)
    keys = RACE.keys(toy_digits)
    runs = [store.get(k, lambda k=k: train.Run(k, toy_digits)) for k in keys]
    for _ in range(5):
        store.watch("s", keys[:2])  # the third run is not watched
        store.work(0.01)
        assert runs[0].t == runs[1].t > 0 and runs[2].t == 0  # level after every turn


def test_time_left_follows_the_recent_pace():
    clock = Clock()
    store = Store(64 * MB, clock=clock)
    task = store.get("k", lambda: Countdown(10))
    assert store.eta("k") is None
    for _ in range(3):  # one unit per turn, one turn per second
        store.watch("s", ["k"])
        store.work(0.0)
        clock.now += 1.0
    assert task.left == 7 and store.eta("k") == 7.0  # 7 units at 1 unit/s
    while not task.done:
        store.watch("s", ["k"])
        store.work(0.0)
    assert store.eta("k") == 0.0 and store.age("k") == 0.0


def test_a_finished_job_is_made_again_only_when_too_old():
    clock = Clock()
    store = Store(64 * MB, clock=clock)
    first = store.get("timing", lambda: Countdown(1))
    store.watch("s", ["timing"])
    store.work(0.0)
    clock.now = 100.0
    assert store.get("timing", lambda: Countdown(1), max_age=300) is first
    assert store.get("timing", lambda: Countdown(1), max_age=60) is not first


def test_the_work_slot_is_one_at_a_time():
    store = Store(64 * MB)
    inside, peak, lock = [0], [0], threading.Lock()

    class Slow(Countdown):
        def advance(self, seconds, companions=()):
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            threading.Event().wait(0.002)
            with lock:
                inside[0] -= 1
            super().advance(seconds)

    tasks = [store.get(i, lambda: Slow(20)) for i in range(4)]

    def session(i):
        while not all(t.done for t in tasks):
            store.watch(f"s{i}", range(4))
            store.work(0.01, wait=0.01)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert peak[0] == 1 and all(t.turns == 20 for t in tasks)


class Held(Countdown):
    """A countdown whose turn waits for ``release`` (set by the test) and says when it is under way."""

    def __init__(self, n: int) -> None:
        super().__init__(n)
        self.busy, self.release = threading.Event(), threading.Event()

    def advance(self, seconds, companions=()):
        self.busy.set()
        self.release.wait(10)
        super().advance(seconds)


def worker_in_a_turn(store: Store) -> tuple[Held, threading.Thread]:
    """A watched task "base" and a worker thread that holds the work slot in its turn until released."""
    base = store.get("base", lambda: Held(100))
    store.watch("s1", ["base"])
    worker = threading.Thread(target=store.work, args=(0.0,))
    worker.start()
    assert base.busy.wait(5)
    return base, worker


def test_a_session_that_finds_the_slot_taken_goes_on_to_draw():
    store = Store(64 * MB)
    base, holder = worker_in_a_turn(store)
    assert store.work(0.0, wait=0.05) is False  # it slept its wait and gave up: the page draws
    base.release.set()
    holder.join(10)
    assert base.turns == 1


def test_a_derived_task_waits_for_the_turn_and_reads_its_base_while_no_worker_can_run():
    store = Store(10 * MB)
    base, worker = worker_in_a_turn(store)
    threading.Timer(0.2, base.release.set).start()
    seen = []

    def make(parent):
        seen.append((parent.left, store.work(0.0)))  # another worker is turned away meanwhile
        return Countdown(1)

    store.derive("child", "base", make, wait=10.0)
    worker.join(10)
    assert seen == [(99, False)]  # made after the worker's turn, with the slot held
    assert store.derive("child", "base", lambda parent: 1 / 0) is store.peek("child")  # made once


def test_a_derived_task_is_made_without_its_base_when_the_slot_stays_busy():
    store = Store(10 * MB)
    base, worker = worker_in_a_turn(store)
    got = []
    store.derive("child", "base", lambda parent: got.append(parent) or Countdown(1), wait=0.05)
    base.release.set()
    worker.join(10)
    assert got == [None]
    store.derive("other", "missing", lambda parent: got.append(parent) or Countdown(1))
    assert got == [None, None]


def test_a_paused_race_is_kept_while_its_page_is_open_and_a_bounded_while_after(toy_digits):
    """The page that paused a race renews its hold once a minute: however long the teacher talks,
    Resume goes on from the paused iteration; once the page is gone the race goes ``hold`` s later."""
    clock = Clock()
    store = Store(budget=1, stale=3.0, idle=120.0, clock=clock)  # over budget at once: only the hold keeps it
    key = RaceConfig(RACE.nets[:1], iterations=10**5).keys(toy_digits)[0]
    run = store.get(key, lambda: train.Run(key, toy_digits))
    store.watch("a", [key])
    store.work(0.05)
    paused_at = run.t
    store.unwatch("a", [key])
    store.hold("a", [key], 600.0)
    for minute in range(1, 31):  # half an hour of explaining, the page open
        clock.now = 60.0 * minute
        store.hold("a", [key], 600.0)
        store.work(0.0)
        assert store.peek(key) is run and run.t == paused_at  # kept, and not trained behind the student's back
    assert store.held_until(key) == 1800.0 + 600.0
    store.watch("a", [key])  # Resume: from where it stopped
    store.release("a", [key])
    store.work(0.05)
    assert run.t > paused_at
    store.unwatch("a", [key])
    store.hold("a", [key], 600.0)  # paused again, then the tab is closed: no more renewals
    clock.now += 599.0
    store.work(0.0)
    assert len(store) == 1  # (asking for it would count as using it)
    clock.now += 2.0
    store.work(0.0)
    assert len(store) == 0


def test_a_task_that_raises_is_set_aside_and_never_reaches_another_session():
    """Session "b" holds the work slot when "a"'s task raises: "b" sees no exception, its own task goes
    on, the failed one keeps its message, is not advanced again, and starts anew after ``retry``."""
    class Broken(Countdown):
        def advance(self, seconds, companions=()):
            super().advance(seconds)
            raise FloatingPointError("overflow in matmul")

    store = Store(64 * MB)
    broken, fine = store.get("a's", lambda: Broken(5)), store.get("b's", lambda: Countdown(5))
    store.watch("a", ["a's"])
    store.watch("b", ["b's"])
    for _ in range(4):
        assert store.work(0.0)  # "b" works: nothing raised here
    assert broken.turns == 1 and fine.turns == 3
    assert store.error("a's") == "FloatingPointError: overflow in matmul" and store.error("b's") is None
    assert store.get("a's", lambda: Countdown(5)) is broken  # a page asking again still sees the failure
    assert store.busy().tasks == 1  # only "b"'s is being trained
    store.retry("b's")  # retry touches only failed tasks
    assert store.peek("b's") is fine
    store.retry("a's")
    again = store.get("a's", lambda: Countdown(5))
    assert again is not broken and store.error("a's") is None


def test_a_task_is_built_outside_the_stores_lock():
    """While one session builds a slow task, another session reads and watches the store freely."""
    store = Store(64 * MB)
    store.get("ready", lambda: Countdown(5))
    building, finish = threading.Event(), threading.Event()

    def slow():
        building.set()
        finish.wait(10)
        return Countdown(5)

    builder = threading.Thread(target=store.get, args=("slow", slow))
    builder.start()
    assert building.wait(5)
    reader = threading.Thread(target=lambda: (store.peek("ready"), store.watch("b", ["ready"]), store.busy()))
    reader.start()
    reader.join(2)
    alive = reader.is_alive()
    finish.set()
    builder.join(5)
    assert not alive and store.peek("slow") is not None
