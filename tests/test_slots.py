"""The training gate: a cap on concurrent chunks, a fair line, and no place held by a closed tab."""

import threading
import time

from ui.slots import Gate


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_at_most_two_train_and_the_rest_queue_in_arrival_order():
    gate = Gate(slots=2, clock=Clock())
    assert gate.enter("a") == 0 and gate.enter("b") == 0
    assert gate.enter("c") == 1 and gate.enter("d") == 2
    assert gate.enter("c") == 1  # asking again keeps the place
    gate.leave("a")
    assert gate.enter("d") == 1  # the free slot is c's: d may not jump the line
    assert gate.enter("a") == 2  # a had its turn: back of the line
    assert gate.enter("c") == 0
    assert gate.busy == (2, 2)


def test_turns_rotate_so_every_student_trains():
    gate = Gate(slots=1, clock=Clock())
    turns = []
    for _ in range(9):
        for s in "xyz":
            if gate.enter(s) == 0:
                turns.append(s)
                gate.leave(s)
    assert turns.count("x") == turns.count("y") == turns.count("z") >= 3


def test_a_closed_tab_loses_its_place():
    clock = Clock()
    gate = Gate(slots=1, stale=3.0, clock=clock)
    assert gate.enter("a") == 0
    assert gate.enter("closed") == 1 and gate.enter("b") == 2
    clock.now = 2.0
    assert gate.enter("b") == 2
    clock.now = 4.0  # "closed" has not asked for 4 s
    assert gate.enter("b") == 1
    gate.leave("a")
    assert gate.enter("b") == 0


def test_forget_frees_a_slot_and_a_place():
    gate = Gate(slots=1, clock=Clock())
    gate.enter("a")
    assert gate.enter("b") == 1
    gate.forget("a")
    assert gate.enter("b") == 0


def test_threads_never_exceed_the_cap():
    gate = Gate(slots=2)
    inside, peak, lock = [0], [0], threading.Lock()

    def student(name):
        done = 0
        while done < 5:
            if gate.enter(name) == 0:
                try:
                    with lock:
                        inside[0] += 1
                        peak[0] = max(peak[0], inside[0])
                    time.sleep(0.002)
                    with lock:
                        inside[0] -= 1
                finally:
                    gate.leave(name)
                done += 1
            else:
                time.sleep(0.001)

    threads = [threading.Thread(target=student, args=(f"s{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert peak[0] == 2 and not any(t.is_alive() for t in threads)


def test_a_freed_slot_wakes_the_next_in_line_at_once():
    gate = Gate(slots=1)
    assert gate.enter("a") == 0
    got = []

    def next_in_line():
        got.append((gate.wait("b", 5.0), time.monotonic()))

    t = threading.Thread(target=next_in_line)
    t.start()
    time.sleep(0.2)
    assert not got  # still waiting: the slot is taken
    freed = time.monotonic()
    gate.leave("a")
    t.join(5)
    place, at = got[0]
    assert place == 0 and at - freed < 0.1
    assert gate.wait("c", 0.05) == 1  # times out with its place
