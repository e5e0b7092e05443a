"""A student's race on the MNIST page, as a state machine over the session: start (joining the
class's runs), pause (the view freezes; the runs are kept for this student), resume, retry the
networks that failed, change one network's settings from the paused iteration, reset. The page
only lays out the buttons that call these."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from optviz.nn import train
from ui import shared

P = "mnist_"
ss = st.session_state


def start(config: train.RaceConfig, data) -> None:
    """Watch the class's runs of this race: those a classmate started are shared, not repeated."""
    if ss.get(P + "keys"):
        shared.release(ss[P + "keys"])  # a paused race of this student's is no longer kept for it
    keys = config.keys(data)
    for key in keys:
        shared.run(key, data)
    ss[P + "config"], ss[P + "keys"], ss[P + "upto"] = config, keys, None
    ss[P + "running"] = True


def pause() -> None:
    """Freeze this student's view; the runs stop too unless classmates are watching them, and are
    kept while this page is open (and ``shared.HOLD`` seconds after)."""
    ss[P + "running"] = False
    ss[P + "upto"] = min((r.t for k in ss[P + "keys"] if (r := shared.peek(k)) is not None), default=0)
    shared.leave(ss[P + "keys"])
    shared.hold(ss[P + "keys"])


def resume() -> None:
    shared.release(ss[P + "keys"])
    ss[P + "running"], ss[P + "upto"] = True, None


def retry() -> None:
    """Start the networks that failed again from the beginning; the others go on where they are."""
    shared.retry(ss[P + "keys"])
    resume()


def change(pick: int, data) -> None:
    """Give network ``pick`` the settings chosen in the change form from the paused iteration on,
    then resume: its run is now the one with that change in its history."""
    keys, at = list(ss[P + "keys"]), ss[P + "upto"]
    old = keys[pick]
    net = replace(old.net_at(at), optimizer=ss[f"{P}chg_opt{pick}"], lr=ss[f"{P}chg_lr{pick}"],
                  schedule=ss[f"{P}chg_sched{pick}"])
    if net != old.net_at(at):
        keys[pick] = old.changed(net, at)
        shared.changed_run(old, keys[pick], data)
        ss[P + "keys"] = tuple(keys)
    resume()


def reset() -> None:
    """Leave the race: it is neither watched nor kept for this student any more."""
    shared.leave(ss[P + "keys"])
    shared.release(ss[P + "keys"])
    ss[P + "running"], ss[P + "upto"], ss[P + "keys"] = False, None, None


def runs(data) -> list[train.Run]:
    """The runs of this student's race (a run the store let go is started again)."""
    return [shared.run(k, data) for k in ss[P + "keys"]]


